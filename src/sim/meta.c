/* Metadata of the simulated traces: a kernel trace per machine as lttng-modules
 * 2.13.9 writes it, and the agent's lttng-ust trace. */
#include "sim/meta.h"

#include <stdio.h>

#include "sim/kernel_fields.h"

#define INT32 "integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; }"
#define UINT32 "integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; }"
#define INT64 "integer { size = 64; align = 8; signed = 1; encoding = none; base = 10; }"
#define UINT64 "integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; }"

static const char kernel_context[] =
	"\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
	"\t\tinteger { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _procname[16];\n";

static const char userspace_exit_fields[] = "\t\t" UINT32 " _reason;\n\t\t" INT32 " _errno;\n";
static const char softirq_fields[] = "\t\t" UINT32 " _vec;\n";
static const char hrtimer_fields[] =
	"\t\tinteger { size = 64; align = 8; signed = 0; encoding = none; base = 16; } _hrtimer;\n"
	"\t\t" INT64 " _now;\n"
	"\t\tinteger { size = 64; align = 8; signed = 0; encoding = none; base = 16; } _function;\n";
static const char vmsync_fields[] = "\t\t" UINT32 " _cnt;\n\t\t" UINT64 " _vm_uid;\n";

static void creation_datetime(uint64_t epoch_ns, char out[32])
{
	time_t secs = (time_t)(epoch_ns / 1000000000ull);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(out, 32, "%Y%m%dT%H%M%S+0000", &tm);
}

int vt_sim_kernel_metadata(struct vt_ctf_text *t, const struct machine *m, const char *kernel_release,
			uint64_t start_epoch_ns, int kvm, int vmsync, int ticks)
{
	char datetime[32];
	creation_datetime(start_epoch_ns, datetime);
	const struct vt_ctf_env env[] = {
		{"hostname", m->hostname, 0},
		{"domain", "kernel", 0},
		{"sysname", "Linux", 0},
		{"kernel_release", kernel_release, 0},
		{"kernel_version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", 0},
		{"tracer_name", "lttng-modules", 0},
		{"tracer_major", NULL, 2},
		{"tracer_minor", NULL, 13},
		{"tracer_patchlevel", NULL, 9},
		{"trace_buffering_scheme", "global", 0},
		{"trace_name", m->name, 0},
		{"trace_creation_datetime", datetime, 0},
		{"product_uuid", m->uuid, 0},
	};
	struct vt_ctf_meta_desc d = {
		.env = env,
		.nenv = sizeof(env) / sizeof(env[0]),
		.clock_name = "monotonic",
		.clock_uuid = m->clock_uuid,
		.clock_description = "Monotonic Clock",
		.clock_offset_ns = m->clock_offset_ns,
		.event_context = kernel_context,
	};
	memcpy(d.trace_uuid, m->trace_uuid, 16);
	vt_ctf_meta_preamble(t, &d);
	vt_ctf_meta_event(t, "sched_switch", EVID_SWITCH, vt_sim_fields_sched_switch);
	vt_ctf_meta_event(t, "sched_wakeup", EVID_WAKEUP, vt_sim_fields_sched_wakeup);
	vt_ctf_meta_event(t, "sched_process_fork", EVID_PROC_FORK, vt_sim_fields_sched_process_fork);
	vt_ctf_meta_event(t, "sched_process_exit", EVID_PROC_EXIT, vt_sim_fields_sched_process_exit);
	if (kvm) {
		vt_ctf_meta_event(t, "kvm_x86_entry", EVID_KVM_ENTRY, vt_sim_fields_kvm_x86_entry);
		vt_ctf_meta_event(t, "kvm_x86_exit", EVID_KVM_EXIT, vt_sim_fields_kvm_x86_exit);
		vt_ctf_meta_event(t, "kvm_x86_hypercall", EVID_HYPERCALL, vt_sim_fields_kvm_x86_hypercall);
		vt_ctf_meta_event(t, "kvm_userspace_exit", EVID_USERSPACE_EXIT, userspace_exit_fields);
		vt_ctf_meta_event(t, "kvm_x86_pio", EVID_PIO, vt_sim_fields_kvm_x86_pio);
		vt_ctf_meta_event(t, "kvm_x86_msr", EVID_MSR, vt_sim_fields_kvm_x86_msr);
		vt_ctf_meta_event(t, "kvm_x86_inj_virq", EVID_INJ_VIRQ, vt_sim_fields_kvm_x86_inj_virq);
	}
	vt_ctf_meta_event(t, "softirq_exit", EVID_SOFTIRQ_EXIT, softirq_fields);
	vt_ctf_meta_event(t, "softirq_entry", EVID_SOFTIRQ_ENTRY, softirq_fields);
	vt_ctf_meta_event(t, "net_dev_queue", EVID_NET_TX, vt_sim_fields_net);
	vt_ctf_meta_event(t, "net_if_receive_skb", EVID_NET_RX, vt_sim_fields_net);
	vt_ctf_meta_event(t, "irq_handler_entry", EVID_IRQ_ENTRY, vt_sim_fields_irq_handler_entry);
	vt_ctf_meta_event(t, "irq_handler_exit", EVID_IRQ_EXIT, vt_sim_fields_irq_handler_exit);
	if (ticks)
		vt_ctf_meta_event(t, "timer_hrtimer_expire_entry", EVID_TIMER_EXPIRE, hrtimer_fields);
	vt_ctf_meta_event(t, "lttng_statedump_process_state", EVID_STATEDUMP,
			  vt_sim_fields_lttng_statedump_process_state);
	if (vmsync && m->guest) {
		vt_ctf_meta_event(t, "vmsync_gh_guest", EVID_VMSYNC_GH_GUEST, vmsync_fields);
		vt_ctf_meta_event(t, "vmsync_hg_guest", EVID_VMSYNC_HG_GUEST, vmsync_fields);
	} else if (vmsync) {
		vt_ctf_meta_event(t, "vmsync_gh_host", EVID_VMSYNC_GH_HOST, vmsync_fields);
		vt_ctf_meta_event(t, "vmsync_hg_host", EVID_VMSYNC_HG_HOST, vmsync_fields);
	}
	return t->oom ? -1 : 0;
}

static const char ust_machine_fields[] =
	"\t\tstring _product_uuid;\n\t\tstring _machine_id;\n\t\tstring _boot_id;\n\t\tstring _hostname;\n";
static const char ust_guest_fields[] =
	"\t\t" INT64 " _pid;\n\t\tstring _uuid;\n\t\tstring _name;\n\t\t" UINT32 " _vcpus;\n\t\tstring _debugfs;\n";
static const char ust_guest_vcpu_fields[] =
	"\t\t" INT64 " _pid;\n\t\t" UINT32 " _vcpu;\n\t\t" INT32 " _tid;\n\t\t" INT64
	" _tsc_offset;\n\t\t" UINT64 " _tsc_scaling_ratio;\n\t\t" UINT32 " _tsc_scaling_frac_bits;\n";
static const char ust_guest_created_fields[] =
	"\t\t" INT64 " _pid;\n\t\tstring _uuid;\n\t\tstring _name;\n\t\t" UINT32 " _vcpus;\n";
static const char ust_guest_destroyed_fields[] = "\t\t" INT64 " _pid;\n";
static const char ust_vcpu_books_fields[] =
	"\t\t" INT64 " _pid;\n\t\t" UINT32 " _vcpu;\n\t\t" INT32 " _tid;\n\t\t" UINT64 " _age_ns;\n\t\t" UINT64
	" _run_ns;\n\t\t" UINT64 " _wait_ns;\n\t\t" UINT64 " _timeslices;\n\t\t" UINT64 " _guest_ticks;\n\t\t" UINT32
	" _clk_tck;\n";
static const char ust_ping_fields[] = "\t\t" UINT64 " _session;\n\t\t" UINT64 " _seq;\n";
static const char ust_vm_books_fields[] =
	"\t\t" INT64 " _pid;\n\t\t" UINT64 " _age_ns;\n\t\t" UINT64 " _exits;\n\t\t" UINT64 " _io_exits;\n\t\t" UINT64
	" _mmio_exits;\n\t\t" UINT64 " _signal_exits;\n\t\t" UINT64 " _halt_exits;\n\t\t" UINT64 " _irq_exits;\n\t\t" UINT64
	" _tick_function;\n";

int vt_sim_ust_metadata(struct vt_ctf_text *t, const struct machine *m, uint64_t start_epoch_ns,
		     const uint8_t trace_uuid[16])
{
	char datetime[32];
	creation_datetime(start_epoch_ns, datetime);
	/* In lttng-sessiond's order. */
	const struct vt_ctf_env env[] = {
		{"domain", "ust", 0},
		{"tracer_name", "lttng-ust", 0},
		{"tracer_major", NULL, 2},
		{"tracer_minor", NULL, 13},
		{"tracer_buffering_scheme", "uid", 0},
		{"tracer_buffering_id", NULL, 0},
		{"architecture_bit_width", NULL, 64},
		{"trace_name", m->name, 0},
		{"trace_creation_datetime", datetime, 0},
		{"hostname", m->hostname, 0},
	};
	struct vt_ctf_meta_desc d = {
		.env = env,
		.nenv = sizeof(env) / sizeof(env[0]),
		.clock_name = "monotonic",
		.clock_uuid = m->clock_uuid,
		.clock_description = "Monotonic Clock",
		.clock_offset_ns = m->clock_offset_ns,
		.event_context = NULL,
		.large_header = 1,
		.ctf_comment = 1,
	};
	memcpy(d.trace_uuid, trace_uuid, 16);
	vt_ctf_meta_preamble(t, &d);
	/* 13: TRACE_DEBUG_LINE, what events without a declared loglevel get */
	vt_ctf_meta_event_loglevel(t, "vmtrace:machine", UST_MACHINE, 13, ust_machine_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:statedump_begin", UST_STATEDUMP_BEGIN, 13, "");
	vt_ctf_meta_event_loglevel(t, "vmtrace:guest", UST_GUEST, 13, ust_guest_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:guest_vcpu", UST_GUEST_VCPU, 13, ust_guest_vcpu_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:statedump_end", UST_STATEDUMP_END, 13, "");
	vt_ctf_meta_event_loglevel(t, "vmtrace:guest_created", UST_GUEST_CREATED, 13, ust_guest_created_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:guest_destroyed", UST_GUEST_DESTROYED, 13,
				   ust_guest_destroyed_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:vcpu_books", UST_VCPU_BOOKS, 13, ust_vcpu_books_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:vm_books", UST_VM_BOOKS, 13, ust_vm_books_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:ping_out", UST_PING_OUT, 13, ust_ping_fields);
	vt_ctf_meta_event_loglevel(t, "vmtrace:ping_back", UST_PING_BACK, 13, ust_ping_fields);
	return t->oom ? -1 : 0;
}
