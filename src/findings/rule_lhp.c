/* lock-holder-preemption: a guest's vCPUs spin (PAUSE-loop exits) while a
 * sibling vCPU is preempted: the sibling most likely holds the lock they wait
 * for, and cannot release it until the host runs it again. */
#include "findings/internal.h"

void vt_rule_lock_holder(struct vt_fctx *ctx)
{
	const struct vt_model *model = ctx->in->model;
	const struct vt_findings_collector *c = ctx->in->collector;
	if (!c)
		return; /* which exits came while a sibling waited needs the intervals */
	for (size_t k = 0; k < ctx->nguests && !ctx->oom; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		if (g->nvcpus < 2)
			continue;
		uint64_t count = 0, ns = 0, pause = 0, lhp = 0, busy = vt_findings_busy(g->totals);
		for (size_t e = 0; e < g->nexits; e++)
			if (vt_findings_reason_class(g->isa, g->exits[e].reason) == FC_PAUSE) {
				count += g->exits[e].count;
				ns += g->exits[e].total_ns;
			}
		for (size_t i = 0; i < model->nvcpus && i < c->nv; i++)
			if (model->vcpus[i].qemu_pid == g->qemu_pid) {
				pause += c->v[i].pause;
				lhp += c->v[i].pause_lhp;
			}
		double rate = busy ? (double)count * 1e9 / (double)busy : 0;
		double share = vt_findings_pct((double)lhp, (double)pause);
		if (rate < ctx->cfg->v[VT_TH_PAUSE_RATE] || share < ctx->cfg->v[VT_TH_LHP_PCT] ||
		    (double)count < ctx->cfg->v[VT_TH_MIN_EXITS] || !lhp)
			continue;
		struct vt_finding *f =
			vt_finding_new(ctx, "lock-holder-preemption", vt_finding_severity(rate, ctx->cfg->v[VT_TH_PAUSE_RATE]));
		if (!f)
			return;
		vt_finding_guest(f, ctx, g);
		vt_finding_figure(f, "pause_exits_per_s", rate, 0);
		vt_finding_figure(f, "while_sibling_preempted_pct", share, 0);
		vt_finding_figure(f, "pause_exits", (double)count, 1);
		vt_finding_figure(f, "pause_ns", (double)ns, 1);
		vt_finding_figure(f, "preempted_pct", vt_findings_pct((double)g->totals[VT_VCPU_PREEMPTED], (double)g->observed_ns), 0);
		vt_finding_threshold(f, ctx, VT_TH_PAUSE_RATE);
		vt_finding_threshold(f, ctx, VT_TH_LHP_PCT);
		vt_finding_threshold(f, ctx, VT_TH_MIN_EXITS);
		struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, FR_LHP);
		f->start_ns = s.first;
		f->end_ns = s.last;
		const char *name = vt_findings_guest_name(ctx, g->guest);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s's vCPUs spin on locks held by preempted siblings: %.0f PAUSE exits per second, %.0f %% "
				"of them while a sibling vCPU waited",
				name, rate, share);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"%llu PAUSE-loop exits (a vCPU spinning in the guest, on a spinlock most often) took %.3f s; "
				"%.0f %% came while another vCPU of %s was preempted on the host: the lock holder could not "
				"run, so its siblings burnt their time waiting for it.",
				(unsigned long long)count, (double)ns / 1e9, share, name);
		vt_finding_text(f->advice, sizeof(f->advice),
				"Keep the guest's vCPUs from being preempted: pin them to pCPUs of their own (libvirt "
				"<vcpupin>), fewer vCPUs than free pCPUs; in the guest, paravirtual spinlocks (kvm-pv "
				"spinlocks, not nopvspin) let a waiter yield; tune PLE (kvm_intel ple_gap/ple_window, "
				"kvm_amd pause_filter_count).");
	}
}
