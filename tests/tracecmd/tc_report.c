#include "tc_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum vt_kind vt_tc_report_kind(const char *name, const char *rest)
{
	static const struct {
		const char *name;
		enum vt_kind kind;
	} table[] = {
		{"kvm_entry", VT_KVM_ENTRY},         {"kvm_exit", VT_KVM_EXIT},
		{"kvm_hypercall", VT_KVM_HYPERCALL}, {"kvm_userspace_exit", VT_KVM_USERSPACE_EXIT},
		{"sched_switch", VT_SCHED_SWITCH},   {"sched_wakeup", VT_SCHED_WAKEUP},
		{"sched_wakeup_new", VT_SCHED_WAKEUP}, {"sched_process_fork", VT_PROCESS_FORK},
		{"sched_process_exec", VT_PROCESS_EXEC}, {"sched_process_exit", VT_PROCESS_EXIT},
		{"irq_handler_entry", VT_IRQ_ENTRY}, {"irq_handler_exit", VT_IRQ_EXIT},
		{"softirq_entry", VT_SOFTIRQ_ENTRY}, {"softirq_exit", VT_SOFTIRQ_EXIT},
		{"hrtimer_expire_entry", VT_TIMER_EXPIRE},
		{"net_dev_queue", VT_NET_SEND},      {"netif_receive_skb", VT_NET_RECV},
		{"vmsync_gh_guest", VT_VMSYNC_GH_GUEST}, {"vmsync_hg_guest", VT_VMSYNC_HG_GUEST},
		{"vmsync_gh_host", VT_VMSYNC_GH_HOST}, {"vmsync_hg_host", VT_VMSYNC_HG_HOST},
	};
	static const struct {
		const char *word;
		enum vt_kind kind;
	} markers[] = {
		{"machine ", VT_MACHINE_ID},       {"statedump_begin", VT_STATEDUMP_BEGIN},
		{"statedump_end", VT_STATEDUMP_END}, {"guest_vcpu ", VT_GUEST_VCPU},
		{"guest_created ", VT_GUEST_CREATED}, {"guest_destroyed ", VT_GUEST_DESTROYED},
		{"guest ", VT_GUEST_DUMP},           {"vcpu_books ", VT_VCPU_BOOKS},
		{"vm_books ", VT_VM_BOOKS},
	};
	if (!strcmp(name, "print")) {
		const char *m = strstr(rest, "buf=vmtrace: ");
		if (!m)
			return VT_OTHER;
		m += strlen("buf=vmtrace: ");
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
			if (!strncmp(m, markers[i].word, strlen(markers[i].word)))
				return markers[i].kind;
		return VT_OTHER;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(name, table[i].name))
			return table[i].kind;
	return VT_OTHER;
}

uint64_t vt_tc_report_counts(const char *file, uint64_t per_kind[VT_KIND_COUNT])
{
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report -R '%s' 2>/dev/null", file);
	assert_int_equal(run.status, 0);
	uint64_t total = 0;
	memset(per_kind, 0, VT_KIND_COUNT * sizeof(per_kind[0]));
	for (char *line = run.out, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* " comm-pid [CPU] SECS.USECS: name: fields" (comm may hold brackets) */
		const char *rest = NULL;
		char name[128];
		for (const char *p = strchr(line, '['); p && !rest; p = strchr(p + 1, '[')) {
			int cpu, n = 0, skip = 0;
			unsigned long long ts, frac;
			if (sscanf(p, "[%d]%llu%n", &cpu, &ts, &n) != 2)
				continue;
			const char *q = p + n;
			if (*q == '.' && sscanf(q + 1, "%llu%n", &frac, &n) == 1)
				q += 1 + n;
			if (sscanf(q, ": %127[^:]:%n", name, &skip) == 1 && skip)
				rest = q + skip;
		}
		if (!rest)
			continue; /* "cpus=2" */
		for (char *e = name + strlen(name); e > name && e[-1] == ' ';)
			*--e = '\0';
		per_kind[vt_tc_report_kind(name, rest)]++;
		total++;
	}
	vt_run_free(&run);
	return total;
}
