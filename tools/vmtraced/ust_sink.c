/* The LTTng-UST sink. Strings are copied into bounded buffers, valid UTF-8
 * with control characters escaped (\xNN): a guest's -name is its user's. */
#include "ust_sink.h"
#include "vmtrace_tp.h"

#include "common/text.h"

/* Room for every byte of a 256-byte name escaped as \xNN. */
#define SAFE_SIZE 1100

static void u_machine(void *ctx, const struct vt_machine_info *m)
{
	(void)ctx;
	char u[SAFE_SIZE], id[SAFE_SIZE], boot[SAFE_SIZE], host[SAFE_SIZE];
	lttng_ust_tracepoint(vmtrace, machine, vt_text_safe(m->product_uuid, u, sizeof(u)),
			     vt_text_safe(m->machine_id, id, sizeof(id)), vt_text_safe(m->boot_id, boot, sizeof(boot)),
			     vt_text_safe(m->hostname, host, sizeof(host)));
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
	char uuid[SAFE_SIZE], name[SAFE_SIZE], dir[SAFE_SIZE * 2];
	lttng_ust_tracepoint(vmtrace, guest, g->pid, vt_text_safe(g->uuid, uuid, sizeof(uuid)),
			     vt_text_safe(g->name, name, sizeof(name)), g->vcpus, vt_kvm_evidence_name(g->kvm),
			     vt_text_safe(g->debugfs, dir, sizeof(dir)));
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
	char uuid[SAFE_SIZE], name[SAFE_SIZE];
	lttng_ust_tracepoint(vmtrace, guest_created, g->pid, vt_text_safe(g->uuid, uuid, sizeof(uuid)),
			     vt_text_safe(g->name, name, sizeof(name)), g->vcpus, vt_kvm_evidence_name(g->kvm));
}

static void u_destroyed(void *ctx, int64_t pid)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, guest_destroyed, pid);
}

static void u_vcpu_books(void *ctx, const struct vt_vcpu_books *b)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, vcpu_books, b);
}

static void u_vm_books(void *ctx, const struct vt_vm_books *b)
{
	(void)ctx;
	lttng_ust_tracepoint(vmtrace, vm_books, b);
}

static void u_ping(void *ctx, int back, const struct vt_ping *p)
{
	(void)ctx;
	if (back)
		lttng_ust_tracepoint(vmtrace, ping_back, p->session, p->seq);
	else
		lttng_ust_tracepoint(vmtrace, ping_out, p->session, p->seq);
}

void vt_ust_sink_init(struct vt_agent_sink *s)
{
	*s = (struct vt_agent_sink){"ust", NULL, u_machine, u_begin, u_guest, u_vcpu,
				    u_end, u_created, u_destroyed, NULL, u_vcpu_books, u_vm_books, u_ping};
}

int vt_ust_enabled(void)
{
	return lttng_ust_tracepoint_enabled(vmtrace, statedump_begin) ||
	       lttng_ust_tracepoint_enabled(vmtrace, guest) ||
	       lttng_ust_tracepoint_enabled(vmtrace, guest_created);
}
