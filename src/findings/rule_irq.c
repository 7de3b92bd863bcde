/* interrupt-pressure: a vCPU leaves guest mode for external interrupts (host
 * timer ticks, device interrupts, IPIs) more often than a threshold. */
#include "findings/internal.h"

static void one(struct vt_fctx *ctx, const struct vt_vcpu_model *v, size_t index)
{
	uint64_t count = 0, ns = 0, busy = vt_findings_busy(v->totals);
	for (size_t e = 0; e < v->nexits; e++)
		if (vt_findings_reason_class(v->isa, v->exits[e].reason) == FC_IRQ) {
			count += v->exits[e].count;
			ns += v->exits[e].total_ns;
		}
	double rate = busy ? (double)count * 1e9 / (double)busy : 0;
	if (rate < ctx->cfg->v[VT_TH_IRQ_RATE] || (double)count < ctx->cfg->v[VT_TH_MIN_EXITS] || !count)
		return;
	struct vt_finding *f = vt_finding_new(ctx, "interrupt-pressure", vt_finding_severity(rate, ctx->cfg->v[VT_TH_IRQ_RATE]));
	if (!f)
		return;
	f->guest = v->guest;
	f->qemu_pid = v->qemu_pid;
	f->vcpu = (int)v->vcpu;
	vt_finding_figure(f, "exits_per_s", rate, 0);
	vt_finding_figure(f, "exits", (double)count, 1);
	vt_finding_figure(f, "exit_ns", (double)ns, 1);
	vt_finding_figure(f, "of_busy_pct", vt_findings_pct((double)ns, (double)busy), 0);
	vt_finding_threshold(f, ctx, VT_TH_IRQ_RATE);
	vt_finding_threshold(f, ctx, VT_TH_MIN_EXITS);
	const struct vt_findings_collector *c = ctx->in->collector;
	struct vt_fspan s = {v->start_ns, v->end_ns};
	if (c && index < c->nv && c->v[index].ranges[FR_IRQ].last)
		s = c->v[index].ranges[FR_IRQ];
	f->start_ns = s.first;
	f->end_ns = s.last;
	const char *name = vt_findings_guest_name(ctx, v->guest);
	vt_finding_text(f->summary, sizeof(f->summary), "%s vCPU %u takes %.0f external-interrupt exits per second",
			name, v->vcpu, rate);
	vt_finding_text(f->meaning, sizeof(f->meaning),
			"%llu exits for external interrupts (host timer ticks, device interrupts, IPIs) in %.3f s of busy "
			"time; from exit to entry they took %.3f s. Each interrupts the guest's code and costs a round "
			"trip through the host.",
			(unsigned long long)count, (double)busy / 1e9, (double)ns / 1e9);
	vt_finding_text(f->advice, sizeof(f->advice),
			"Steer device interrupts away from the vCPUs' pCPUs (/proc/irq/N/smp_affinity, irqbalance "
			"banned CPUs), run those pCPUs tickless (nohz_full=), use posted interrupts (APICv/AVIC) and "
			"vhost so guest-bound interrupts need no exit, and check for an interrupt storm (/proc/interrupts).");
}

void vt_rule_interrupts(struct vt_fctx *ctx)
{
	const struct vt_model *model = ctx->in->model;
	for (size_t i = 0; i < model->nvcpus && !ctx->oom; i++)
		one(ctx, &model->vcpus[i], i);
}
