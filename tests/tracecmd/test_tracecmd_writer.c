/* The trace.dat writer, round trip: events of every kind it knows written,
 * read back by vmtrace's trace.dat source (libtracecmd) field by field and
 * counted by `trace-cmd report`; a long gap (TIME_EXTEND), a line longer than
 * a small record (type_len 0), many pages; the clock options, wherever the
 * CPU table ends in its page; errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporters/tracecmd_file.h"
#include "exporters/tracecmd_formats.h"
#include "testutil.h"
#include "vmtrace/sources.h"
#include "vmtrace/tracecmd_writer.h"

static char *tmp;

#define DATE_US 1795648000000000ll /* the date option: epoch µs of ts 0 */
#define NSWITCH 3000               /* sched_switch events on CPU 1: many pages */

static const char *path_of(const char *name)
{
	static char p[4200];
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	return p;
}

static struct vt_event base(enum vt_kind kind, const char *name, int cpu, int tid, const char *comm)
{
	struct vt_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.name = name;
	ev.cpu = cpu;
	ev.tid = tid;
	ev.pid = VT_NO_TID;
	ev.procname = comm;
	return ev;
}

static char long_name[200]; /* with the rest of the line, a record far over 112 bytes */

/* The events, in the order written: (ts, event). */
static size_t make_events(struct vt_event *evs, uint64_t *ts)
{
	size_t n = 0;
	uint64_t t = 5000000000ull;
	struct vt_event e;
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
#define ADD(ev_, dt_)            \
	do {                     \
		t += (dt_);      \
		ts[n] = t;       \
		evs[n++] = (ev_); \
	} while (0)
	e = base(VT_MACHINE_ID, "print", 0, 0, NULL);
	e.u.machine = (struct vt_machine_id){"0a1b2c3d-0001-4000-8000-00000000c0de", "m1", "b1", "my host"};
	ADD(e, 0);
	e = base(VT_GUEST_DUMP, "print", 0, 0, NULL);
	e.u.guest = (struct vt_guest){2205, "u-1", long_name, 2, NULL}; /* > 112 bytes: type_len 0; kvm not said */
	ADD(e, 10);
	e = base(VT_GUEST_VCPU, "print", 0, 0, NULL);
	e.u.guest_vcpu = (struct vt_guest_vcpu){2205, 1, 2226, -118000000123ll, 1ull << 48, 48};
	ADD(e, 10);
	e = base(VT_STATEDUMP_PROCESS, "lttng_statedump_process_state", 0, 0, NULL);
	e.u.statedump_process = (struct vt_statedump_process){2226, 2205, 1, "CPU 1/KVM"};
	ADD(e, 10); /* not written: only its name, as a saved command line */
	e = base(VT_KVM_ENTRY, "kvm_x86_entry", 0, 2226, NULL);
	e.u.kvm_entry.vcpu_id = 1;
	ADD(e, 100);
	e = base(VT_KVM_EXIT, "kvm_x86_exit", 0, 2226, NULL);
	e.u.kvm_exit = (struct vt_kvm_exit){30, VT_ISA_VMX, 1, 0xffffffff81000010ull, 0x1f80040, 7};
	ADD(e, (1ull << 27) + 12345); /* a delta longer than 27 bits: TIME_EXTEND */
	e = base(VT_KVM_HYPERCALL, "kvm_x86_hypercall", 0, 2226, NULL);
	e.u.hypercall = (struct vt_kvm_hypercall){11, 1, 2, 3, 4};
	ADD(e, 1);
	e = base(VT_KVM_USERSPACE_EXIT, "kvm_userspace_exit", 0, 2226, NULL);
	e.u.userspace_exit = (struct vt_kvm_userspace_exit){2, -4};
	ADD(e, 1);
	e = base(VT_OTHER, "kvm_x86_pio", 0, 2226, NULL);
	ADD(e, 1);
	e = base(VT_OTHER, "kvm_x86_msr", 0, 2226, NULL);
	ADD(e, 1);
	e = base(VT_OTHER, "kvm_x86_inj_virq", 0, 2226, NULL);
	ADD(e, 1);
	e = base(VT_OTHER, "something_else", 0, 2226, NULL);
	ADD(e, 1); /* no ftrace form: not written */
	e = base(VT_SCHED_WAKEUP, "sched_wakeup", 0, 0, NULL);
	e.u.sched_wakeup = (struct vt_sched_wakeup){401, 1, 120, "worker-1"};
	ADD(e, 1);
	e = base(VT_SCHED_WAKEUP, "sched_wakeup_new", 0, 0, NULL);
	e.u.sched_wakeup = (struct vt_sched_wakeup){402, 0, 120, "worker-2"};
	ADD(e, 1);
	e = base(VT_PROCESS_FORK, "sched_process_fork", 0, 780, "libvirtd");
	e.u.fork = (struct vt_process_fork){780, 780, 2205, 2205, "libvirtd", "qemu-system-x86"};
	ADD(e, 1);
	e = base(VT_PROCESS_EXEC, "sched_process_exec", 0, 2205, NULL);
	e.u.exec = (struct vt_process_exec){2205, 2205, "/usr/bin/qemu-system-x86_64"};
	ADD(e, 1);
	e = base(VT_PROCESS_EXIT, "sched_process_exit", 0, 402, NULL);
	e.u.exit = (struct vt_process_exit){402, "worker-2"};
	ADD(e, 1);
	e = base(VT_IRQ_ENTRY, "irq_handler_entry", 0, 0, NULL);
	e.u.irq = (struct vt_irq){27, 0, "virtio0-input.0"};
	ADD(e, 1);
	e = base(VT_IRQ_EXIT, "irq_handler_exit", 0, 0, NULL);
	e.u.irq = (struct vt_irq){27, 1, NULL};
	ADD(e, 1);
	e = base(VT_SOFTIRQ_ENTRY, "softirq_entry", 0, 0, NULL);
	e.u.softirq.vec = 3;
	ADD(e, 1);
	e = base(VT_NET_RECV, "net_if_receive_skb", 0, 0, NULL);
	e.u.net.len = 1500;
	e.u.net.ifname = "eth0";
	ADD(e, 1);
	e = base(VT_SOFTIRQ_EXIT, "softirq_exit", 0, 0, NULL);
	e.u.softirq.vec = 3;
	ADD(e, 1);
	e = base(VT_NET_SEND, "net_dev_queue", 0, 901, "iperf3");
	e.u.net.len = 100;
	e.u.net.ifname = "virbr0";
	ADD(e, 1);
	e = base(VT_VMSYNC_GH_HOST, "vmsync_gh_host", 0, 2226, NULL);
	e.u.vmsync = (struct vt_vmsync){42, 0x1234567890ull};
	ADD(e, 1);
	e = base(VT_GUEST_CREATED, "print", 0, 0, NULL);
	e.u.guest = (struct vt_guest){2300, "u-2", "vm two", 1, "vm-fd"};
	ADD(e, 1);
	e = base(VT_GUEST_DESTROYED, "print", 0, 0, NULL);
	e.u.guest = (struct vt_guest){2300, NULL, NULL, 0, NULL};
	ADD(e, 1);
	e = base(VT_STATEDUMP_BEGIN, "print", 0, 0, NULL);
	ADD(e, 1);
	e = base(VT_STATEDUMP_END, "print", 0, 0, NULL);
	ADD(e, 1);
	for (int i = 0; i < NSWITCH; i++) { /* CPU 1 at the same times: ~13 pages */
		e = base(VT_SCHED_SWITCH, "sched_switch", 1, i % 2 ? 401 : 400, NULL);
		e.u.sched_switch = (struct vt_sched_switch){i % 2 ? 401 : 400, i % 2 ? 400 : 401, 120, 120, i % 3,
							  i % 2 ? "worker-1" : "worker-0",
							  i % 2 ? "worker-0" : "worker-1"};
		ADD(e, 1000);
	}
#undef ADD
	return n;
}

static int written(const struct vt_event *ev)
{
	return ev->kind != VT_STATEDUMP_PROCESS && !(ev->kind == VT_OTHER && !strcmp(ev->name, "something_else"));
}

static const char *ftrace_name(const struct vt_event *ev)
{
	static const char *const map[][2] = {
		{"kvm_x86_entry", "kvm_entry"}, {"kvm_x86_exit", "kvm_exit"}, {"kvm_x86_hypercall", "kvm_hypercall"},
		{"kvm_x86_pio", "kvm_pio"},     {"kvm_x86_msr", "kvm_msr"},   {"kvm_x86_inj_virq", "kvm_inj_virq"},
		{"net_if_receive_skb", "netif_receive_skb"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(ev->name, map[i][0]))
			return map[i][1];
	return ev->name;
}

static void same_str(const char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want ? want : "");
}

static void check_fields(const struct vt_event *got, const struct vt_event *w)
{
	assert_int_equal(got->kind, w->kind);
	switch (w->kind) {
	case VT_KVM_ENTRY:
		assert_int_equal(got->u.kvm_entry.vcpu_id, w->u.kvm_entry.vcpu_id);
		break;
	case VT_KVM_EXIT:
		assert_memory_equal(&got->u.kvm_exit, &w->u.kvm_exit, sizeof(w->u.kvm_exit));
		break;
	case VT_KVM_HYPERCALL:
		assert_memory_equal(&got->u.hypercall, &w->u.hypercall, sizeof(w->u.hypercall));
		break;
	case VT_KVM_USERSPACE_EXIT:
		assert_int_equal(got->u.userspace_exit.reason, w->u.userspace_exit.reason);
		assert_int_equal(got->u.userspace_exit.err, w->u.userspace_exit.err);
		break;
	case VT_SCHED_SWITCH:
		assert_int_equal(got->u.sched_switch.prev_tid, w->u.sched_switch.prev_tid);
		assert_int_equal(got->u.sched_switch.next_tid, w->u.sched_switch.next_tid);
		assert_int_equal(got->u.sched_switch.prev_state, w->u.sched_switch.prev_state);
		assert_int_equal(got->u.sched_switch.next_prio, w->u.sched_switch.next_prio);
		same_str(got->u.sched_switch.prev_comm, w->u.sched_switch.prev_comm);
		same_str(got->u.sched_switch.next_comm, w->u.sched_switch.next_comm);
		break;
	case VT_SCHED_WAKEUP:
		assert_int_equal(got->u.sched_wakeup.tid, w->u.sched_wakeup.tid);
		assert_int_equal(got->u.sched_wakeup.target_cpu, w->u.sched_wakeup.target_cpu);
		same_str(got->u.sched_wakeup.comm, w->u.sched_wakeup.comm);
		break;
	case VT_PROCESS_FORK:
		assert_int_equal(got->u.fork.parent_tid, w->u.fork.parent_tid);
		assert_int_equal(got->u.fork.child_tid, w->u.fork.child_tid);
		same_str(got->u.fork.parent_comm, w->u.fork.parent_comm);
		same_str(got->u.fork.child_comm, w->u.fork.child_comm);
		break;
	case VT_PROCESS_EXEC:
		assert_int_equal(got->u.exec.tid, w->u.exec.tid);
		same_str(got->u.exec.filename, w->u.exec.filename);
		break;
	case VT_PROCESS_EXIT:
		assert_int_equal(got->u.exit.tid, w->u.exit.tid);
		same_str(got->u.exit.comm, w->u.exit.comm);
		break;
	case VT_IRQ_ENTRY:
		assert_int_equal(got->u.irq.irq, w->u.irq.irq);
		same_str(got->u.irq.name, w->u.irq.name);
		break;
	case VT_IRQ_EXIT:
		assert_int_equal(got->u.irq.ret, w->u.irq.ret);
		break;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		assert_int_equal(got->u.softirq.vec, w->u.softirq.vec);
		break;
	case VT_NET_SEND:
	case VT_NET_RECV:
		assert_int_equal(got->u.net.len, w->u.net.len);
		same_str(got->u.net.ifname, w->u.net.ifname);
		assert_int_equal(got->u.net.has_key, 0); /* ftrace has no TCP header */
		break;
	case VT_VMSYNC_GH_HOST:
		assert_int_equal(got->u.vmsync.cnt, w->u.vmsync.cnt);
		assert_int_equal(got->u.vmsync.vm_uid, w->u.vmsync.vm_uid);
		break;
	case VT_MACHINE_ID:
		same_str(got->u.machine.product_uuid, w->u.machine.product_uuid);
		same_str(got->u.machine.hostname, w->u.machine.hostname);
		break;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
		assert_int_equal(got->u.guest.pid, w->u.guest.pid);
		same_str(got->u.guest.name, w->u.guest.name);
		same_str(got->u.guest.uuid, w->u.guest.uuid);
		assert_int_equal(got->u.guest.vcpus, w->u.guest.vcpus);
		/* The KVM evidence, or none said (as in traces older than it). */
		assert_true(w->u.guest.kvm ? got->u.guest.kvm && !strcmp(got->u.guest.kvm, w->u.guest.kvm)
					   : !got->u.guest.kvm);
		break;
	case VT_GUEST_DESTROYED:
		assert_int_equal(got->u.guest.pid, w->u.guest.pid);
		break;
	case VT_GUEST_VCPU:
		assert_int_equal(got->u.guest_vcpu.tid, w->u.guest_vcpu.tid);
		assert_int_equal(got->u.guest_vcpu.vcpu, w->u.guest_vcpu.vcpu);
		assert_int_equal(got->u.guest_vcpu.tsc_offset, w->u.guest_vcpu.tsc_offset);
		break;
	default:
		break;
	}
}

static struct vt_event evs[NSWITCH + 64];
static uint64_t ts[NSWITCH + 64];

static void test_round_trip(void **state)
{
	(void)state;
	size_t n = make_events(evs, ts);
	const char *file = strdup(path_of("rt.dat"));
	struct vt_tc_writer_options o = {.path = file, .cpus = 2, .hostname = "my-host", .kernel_release = "6.1.0-28-amd64",
					 .clock = "mono", .has_date = 1, .date_offset_us = DATE_US};
	struct vt_tc_writer *w;
	struct vt_error err;
	if (!(w = vt_tc_writer_open(&o, &err)))
		fail_msg("%s", err.msg);
	size_t nwritten = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = vt_tc_writer_event(w, ts[i], &evs[i]);
		assert_int_equal(rc, written(&evs[i]));
		nwritten += rc == 1;
	}
	assert_int_equal(vt_tc_writer_written(w), nwritten);
	assert_int_equal(vt_tc_writer_skipped(w), n - nwritten);
	if (vt_tc_writer_close(w, &err))
		fail_msg("%s", err.msg);

	/* Read back in time order: CPU 0's events, then CPU 1's interleaved by time. */
	struct vt_source *src;
	if (!(src = vt_source_open(&file, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_trace_info *info = vt_source_trace(src, 0);
	assert_string_equal(info->clock.name, "mono");
	assert_string_equal(info->hostname, "my-host");
	assert_string_equal(info->kernel_release, "6.1.0-28-amd64");
	assert_int_equal(info->streams, 2);
	const struct vt_event *ev;
	size_t seen[2] = {0, 0}, k0 = 0, k1 = 0;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		assert_true(ev->cpu == 0 || ev->cpu == 1);
		/* the next written event of that CPU */
		size_t *k = ev->cpu ? &k1 : &k0;
		while (*k < n && (evs[*k].cpu != ev->cpu || !written(&evs[*k])))
			(*k)++;
		assert_true(*k < n);
		const struct vt_event *want = &evs[*k];
		assert_int_equal(ev->ts_ns, ts[*k] + (uint64_t)DATE_US * 1000);
		assert_string_equal(ev->name, ftrace_name(want));
		assert_int_equal(ev->tid, want->tid > 0 ? want->tid : 0);
		check_fields(ev, want);
		(*k)++;
		seen[ev->cpu]++;
	}
	if (rc < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(seen[0] + seen[1], nwritten);
	assert_int_equal(seen[1], NSWITCH);
	assert_int_equal(info->events, nwritten);
	vt_source_close(src);

	/* The saved command lines: a statedump's name, the last comm of a tid. */
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report '%s' 2>&1 | grep -c . ; trace-cmd report '%s' 2>/dev/null | grep -m1 'CPU 1/KVM-2226'",
		     file, file);
	printf("%s", run.out);
	assert_int_equal(run.status, 0);
	/* "cpus=2" then one line per record */
	assert_int_equal(strtoul(run.out, NULL, 10), nwritten + 1);
	assert_non_null(strstr(run.out, "kvm_entry"));
	vt_run_free(&run);
	free((char *)file);
}

/* x86-tsc with tsc2nsec: ns = cycles * mult >> shift, the TSC's frequency given. */
static void test_tsc2nsec(void **state)
{
	(void)state;
	const char *file = strdup(path_of("tsc.dat"));
	struct vt_tc_writer_options o = {.path = file, .cpus = 1, .clock = "x86-tsc", .tsc2nsec_mult = 1u << 30,
					 .tsc2nsec_shift = 31};
	struct vt_tc_writer *w;
	struct vt_error err;
	if (!(w = vt_tc_writer_open(&o, &err)))
		fail_msg("%s", err.msg);
	struct vt_event e = base(VT_KVM_ENTRY, "kvm_entry", 0, 7, "CPU 0/KVM");
	assert_int_equal(vt_tc_writer_event(w, 2000000000000ull, &e), 1);
	assert_int_equal(vt_tc_writer_event(w, 2000000000000ull + 3, &e), 1);
	if (vt_tc_writer_close(w, &err))
		fail_msg("%s", err.msg);
	struct vt_source *src;
	if (!(src = vt_source_open(&file, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_trace_info *info = vt_source_trace(src, 0);
	assert_string_equal(info->clock.name, "tsc2nsec");
	assert_int_equal(info->clock.freq, 2000000000u);
	const struct vt_event *ev;
	assert_int_equal(vt_source_next(src, &ev, &err), 1);
	assert_int_equal(ev->ts_ns, 1000000000000ull);
	assert_string_equal(ev->procname, "CPU 0/KVM");
	assert_int_equal(vt_source_next(src, &ev, &err), 1);
	assert_int_equal(ev->ts_ns, 1000000000001ull); /* 3 cycles at 2 GHz, floored */
	assert_int_equal(vt_source_next(src, &ev, &err), 0);
	vt_source_close(src);
	free((char *)file);
}

/* A one-CPU file of an empty page whose saved cmdlines are `pad` bytes long. */
static void write_padded(const char *path, uint64_t pad)
{
	enum { PAGE = 4096 };
	static uint8_t page[PAGE]; /* a time stamp, commit 0: an empty page */
	const uint64_t stamp = 0x7766554433221100ull;
	memcpy(page, &stamp, sizeof(stamp));
	char *cmdlines = malloc(pad + 1);
	assert_non_null(cmdlines);
	snprintf(cmdlines, pad + 1, "1 ");
	memset(cmdlines + 2, 'a', pad - 3);
	cmdlines[pad - 1] = '\n';
	struct vt_tc_blob pages = {page, PAGE, NULL, NULL};
	struct vt_tc_file d = {
		.page_size = PAGE,
		.long_size = 8,
		.header_page = {vt_tc_header_page, strlen(vt_tc_header_page), NULL, NULL},
		.header_event = {vt_tc_header_event, strlen(vt_tc_header_event), NULL, NULL},
		.cmdlines = {cmdlines, pad, NULL, NULL},
		.cpus = 1,
		.trace_clock = "local global [mono]\n",
		.pages = &pages,
	};
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(vt_tc_file_write(f, &d), 0);
	assert_int_equal(fclose(f), 0);
	free(cmdlines);
}

/* Where the CPU table ends: after "flyrecord\0" and one {offset, size}. */
static uint64_t table_end(const char *path)
{
	size_t len;
	char *buf = vt_read_file(path, &len);
	assert_non_null(buf);
	const char *at = memmem(buf, len, "flyrecord", 10);
	assert_non_null(at);
	uint64_t end = (uint64_t)(at - buf) + 10 + 16;
	free(buf);
	return end;
}

/* libtracecmd reads the clock's text right after the CPU table: the file must
 * carry it there, or the clock comes out as whatever the padding or the first
 * page says (a 0.2 % chance in a recording: once in CI, `trace-cmd dump`
 * failed with ENOMEM). Every end of the table within 16 bytes of a page's end. */
static void test_clock_near_page_end(void **state)
{
	(void)state;
	const char *file = strdup(path_of("pad.dat"));
	write_padded(file, 100);
	uint64_t base = table_end(file) - 100;
	for (uint64_t gap = 0; gap < 16; gap++) {
		uint64_t pad = (4096 - gap - base % 4096) % 4096 + 4096;
		write_padded(file, pad);
		assert_int_equal((table_end(file) + gap) % 4096, 0);
		struct vt_error err;
		struct vt_source *src;
		if (!(src = vt_source_open(&file, 1, &err)))
			fail_msg("gap %d: %s", (int)gap, err.msg);
		assert_string_equal(vt_source_trace(src, 0)->clock.name, "mono");
		const struct vt_event *ev;
		assert_int_equal(vt_source_next(src, &ev, &err), 0);
		vt_source_close(src);
		struct vt_run run;
		vt_run_shell(&run, "trace-cmd dump --clock '%s'", file);
		if (run.status != 0 || !strstr(run.out, "[mono]"))
			fail_msg("gap %d: trace-cmd dump exits %d: %s%s", (int)gap, run.status, run.out, run.err);
		vt_run_free(&run);
	}
	free((char *)file);
}

static void test_errors(void **state)
{
	(void)state;
	struct vt_tc_writer *w;
	struct vt_error err;
	struct vt_tc_writer_options o = {.path = "/nonexistent-folder/x.dat", .cpus = 1};
	assert_null(w = vt_tc_writer_open(&o, &err));
	assert_non_null(strstr(err.msg, "/nonexistent-folder/x.dat"));
	assert_null(strchr(err.msg, '\n'));
	o.path = path_of("zero.dat");
	o.cpus = 0;
	assert_null(w = vt_tc_writer_open(&o, &err));
	assert_non_null(strstr(err.msg, "zero.dat"));
	/* An event on a CPU the file does not have is not written. */
	o.cpus = 1;
	if (!(w = vt_tc_writer_open(&o, &err)))
		fail_msg("%s", err.msg);
	struct vt_event e = base(VT_KVM_ENTRY, "kvm_entry", 3, 7, NULL);
	assert_int_equal(vt_tc_writer_event(w, 1, &e), 0);
	vt_tc_writer_abort(w);
}

int main(void)
{
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tsc2nsec),
		cmocka_unit_test(test_clock_near_page_end),
		cmocka_unit_test(test_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
