/* Which LTTng event names mean which normalized kind, and which payload
 * members fill the kind's slots (in the order ctf_decode.c reads them). */
#include "sources/ctf_names.h"

#include <string.h>

/* Slot lists: "a|b" accepts either name (older tracers used other names). */
static const struct vt_event_name event_names[] = {
	{"kvm_x86_entry", VT_KVM_ENTRY, {"vcpu_id"}},
	{"kvm_entry", VT_KVM_ENTRY, {"vcpu_id"}},
	{"kvm_x86_exit", VT_KVM_EXIT, {"exit_reason", "isa", "vcpu_id", "guest_rip", "info1", "info2"}},
	{"kvm_exit", VT_KVM_EXIT, {"exit_reason", "isa", "vcpu_id", "guest_rip", "info1", "info2"}},
	{"kvm_x86_hypercall", VT_KVM_HYPERCALL, {"nr", "a0", "a1", "a2", "a3"}},
	{"kvm_hypercall", VT_KVM_HYPERCALL, {"nr", "a0", "a1", "a2", "a3"}},
	{"kvm_userspace_exit", VT_KVM_USERSPACE_EXIT, {"reason", "errno"}},
	{"sched_switch", VT_SCHED_SWITCH,
	 {"prev_tid|prev_pid", "next_tid|next_pid", "prev_prio", "next_prio", "prev_state", "prev_comm",
	  "next_comm"}},
	{"sched_wakeup", VT_SCHED_WAKEUP, {"tid|pid", "target_cpu", "prio", "comm"}},
	{"sched_wakeup_new", VT_SCHED_WAKEUP, {"tid|pid", "target_cpu", "prio", "comm"}},
	{"sched_process_fork", VT_PROCESS_FORK,
	 {"parent_tid|parent_pid", "parent_pid", "child_tid|child_pid", "child_pid", "parent_comm",
	  "child_comm"}},
	{"sched_process_exec", VT_PROCESS_EXEC, {"tid|pid", "old_tid|old_pid", "filename"}},
	{"sched_process_exit", VT_PROCESS_EXIT, {"tid|pid", "comm"}},
	{"lttng_statedump_process_state", VT_STATEDUMP_PROCESS, {"tid", "pid", "ppid", "name"}},
	{"net_dev_queue", VT_NET_SEND, {"len", "name"}},
	{"net_if_receive_skb", VT_NET_RECV, {"len", "name"}},
	{"netif_receive_skb", VT_NET_RECV, {"len", "name"}},
	{"inet_sock_local_out", VT_NET_SEND, {"seq", "ack_seq", "flags"}},
	{"inet_sock_local_in", VT_NET_RECV, {"seq", "ack_seq", "flags"}},
	{"vmsync_gh_guest", VT_VMSYNC_GH_GUEST, {"cnt", "vm_uid"}},
	{"vmsync_hg_guest", VT_VMSYNC_HG_GUEST, {"cnt", "vm_uid"}},
	{"vmsync_gh_host", VT_VMSYNC_GH_HOST, {"cnt", "vm_uid"}},
	{"vmsync_hg_host", VT_VMSYNC_HG_HOST, {"cnt", "vm_uid"}},
	{"vmtrace:machine", VT_MACHINE_ID, {"product_uuid", "machine_id", "boot_id", "hostname"}},
	{"vmtrace:statedump_begin", VT_STATEDUMP_BEGIN, {0}},
	{"vmtrace:statedump_end", VT_STATEDUMP_END, {0}},
	/* "kvm" (the evidence) is absent from traces written before vmtraced said it. */
	{"vmtrace:guest", VT_GUEST_DUMP, {"pid", "uuid", "name", "vcpus", "kvm"}},
	{"vmtrace:guest_created", VT_GUEST_CREATED, {"pid", "uuid", "name", "vcpus", "kvm"}},
	{"vmtrace:guest_destroyed", VT_GUEST_DESTROYED, {"pid", "uuid", "name", "vcpus"}},
	{"vmtrace:guest_vcpu", VT_GUEST_VCPU,
	 {"pid", "vcpu", "tid", "tsc_offset", "tsc_scaling_ratio", "tsc_scaling_frac_bits"}},
	{"vmtrace:vcpu_books", VT_VCPU_BOOKS,
	 {"pid", "vcpu", "tid", "age_ns", "run_ns", "wait_ns", "timeslices", "guest_ticks", "clk_tck"}},
	{"vmtrace:vm_books", VT_VM_BOOKS,
	 {"pid", "age_ns", "exits", "io_exits", "mmio_exits", "signal_exits", "halt_exits", "irq_exits",
	  "tick_function"}},
	{"vmtrace:ping_out", VT_PING_OUT, {"session", "seq"}},
	{"vmtrace:ping_back", VT_PING_BACK, {"session", "seq"}},
	{"lttng_collectd_statedump:kvm_guest", VT_GUEST_DUMP, {"pid", "guest_uuid|uuid", "name", "vcpus"}},
	{"udev_monitor:kvm_created", VT_GUEST_CREATED, {"pid", "uuid|guest_uuid", "name", "vcpus"}},
	{"udev_monitor:kvm_destroyed", VT_GUEST_DESTROYED, {"pid", "uuid|guest_uuid", "name", "vcpus"}},
	{"kvm_udev:kvm_created", VT_GUEST_CREATED, {"pid", "uuid|guest_uuid", "name", "vcpus"}},
	{"kvm_udev:kvm_destroyed", VT_GUEST_DESTROYED, {"pid", "uuid|guest_uuid", "name", "vcpus"}},
	{"irq_handler_entry", VT_IRQ_ENTRY, {"irq", "ret", "name"}},
	{"irq_handler_exit", VT_IRQ_EXIT, {"irq", "ret", "name"}},
	{"softirq_entry", VT_SOFTIRQ_ENTRY, {"vec"}},
	{"softirq_exit", VT_SOFTIRQ_EXIT, {"vec"}},
	/* lttng-modules' names for them */
	{"irq_softirq_entry", VT_SOFTIRQ_ENTRY, {"vec"}},
	{"irq_softirq_exit", VT_SOFTIRQ_EXIT, {"vec"}},
	{"hrtimer_expire_entry", VT_TIMER_EXPIRE, {"hrtimer", "function"}},
	{"timer_hrtimer_expire_entry", VT_TIMER_EXPIRE, {"hrtimer", "function"}},
};

const struct vt_event_name *vt_event_name_lookup(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (!strcmp(name, event_names[i].name))
			return &event_names[i];
	return NULL;
}

int16_t vt_event_name_pick(const char *alternatives, int16_t (*index_of)(const void *ctx, const char *name),
			   const void *ctx)
{
	char buf[64];
	const char *p = alternatives;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		int16_t idx = index_of(ctx, buf);
		if (idx != VT_NO_SLOT)
			return idx;
		p = bar ? bar + 1 : NULL;
	}
	return VT_NO_SLOT;
}
