#include "ust_sink.h"
#include "vmtrace_tp.h"

static void u_machine(void *ctx, const struct vt_machine_info *m)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, machine, m->product_uuid, m->machine_id, m->boot_id, m->hostname);
}

static void u_begin(void *ctx)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, statedump_begin);
}

static void u_end(void *ctx)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, statedump_end);
}

static void u_guest(void *ctx, const struct vt_guest_info *g)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, guest, g->pid, g->uuid, g->name, g->vcpus, g->debugfs);
}

static void u_vcpu(void *ctx, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, guest_vcpu, g->pid, v->vcpu, v->tid, v->has_tsc ? v->tsc_offset : 0,
			     v->tsc_scaling_ratio, v->tsc_scaling_frac_bits);
}

static void u_created(void *ctx, const struct vt_guest_info *g)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, guest_created, g->pid, g->uuid, g->name, g->vcpus);
}

static void u_destroyed(void *ctx, int64_t pid)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, guest_destroyed, pid);
}

void vt_ust_sink_init(struct vt_agent_sink *s)
{
	*s = (struct vt_agent_sink){"ust", NULL, u_machine, u_begin, u_guest, u_vcpu,
				    u_end, u_created, u_destroyed};
}

int vt_ust_enabled(void)
{
	return lttng_ust_tracepoint_enabled(vmtrace, statedump_begin) ||
	       lttng_ust_tracepoint_enabled(vmtrace, guest) ||
	       lttng_ust_tracepoint_enabled(vmtrace, guest_created);
}
