/* halt-polling: a guest halts often for short times and the host puts its
 * vCPU thread to sleep each time: every wake-up costs a scheduler round trip
 * before the guest runs again. KVM's halt polling spins a little instead. */
#include "findings/internal.h"

void vt_rule_halt_polling(struct vt_fctx *ctx)
{
	const struct vt_model *model = ctx->in->model;
	const struct vt_findings_collector *c = ctx->in->collector;
	if (!c)
		return;
	for (size_t k = 0; k < ctx->nguests && !ctx->oom; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		uint64_t halts = 0, wakes = 0, wake_ns = 0;
		for (size_t i = 0; i < model->nvcpus && i < c->nv; i++)
			if (model->vcpus[i].qemu_pid == g->qemu_pid) {
				halts += c->v[i].short_halts;
				wakes += c->v[i].wakes;
				wake_ns += c->v[i].wake_ns;
			}
		double rate = g->observed_ns ? (double)halts * 1e9 / (double)g->observed_ns : 0;
		double wake_pct = vt_findings_pct((double)wake_ns, (double)g->observed_ns);
		if (rate < ctx->cfg->v[VT_TH_HALT_RATE] || wake_pct < ctx->cfg->v[VT_TH_HALT_WAKE_PCT] ||
		    (double)halts < ctx->cfg->v[VT_TH_MIN_EXITS] || !wakes)
			continue;
		struct vt_finding *f =
			vt_finding_new(ctx, "halt-polling", vt_finding_severity(rate, ctx->cfg->v[VT_TH_HALT_RATE]));
		if (!f)
			return;
		vt_finding_guest(f, ctx, g);
		double mean_us = (double)wake_ns / (double)wakes / 1e3;
		vt_finding_figure(f, "short_halts_per_s", rate, 0);
		vt_finding_figure(f, "wake_pct", wake_pct, 0);
		vt_finding_figure(f, "short_halts", (double)halts, 1);
		vt_finding_figure(f, "wake_ns", (double)wake_ns, 1);
		vt_finding_figure(f, "wake_mean_us", mean_us, 0);
		vt_finding_threshold(f, ctx, VT_TH_HALT_RATE);
		vt_finding_threshold(f, ctx, VT_TH_HALT_WAKE_PCT);
		vt_finding_threshold(f, ctx, VT_TH_HALT_SHORT_US);
		vt_finding_threshold(f, ctx, VT_TH_MIN_EXITS);
		struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, FR_HALT);
		f->start_ns = s.first;
		f->end_ns = s.last;
		const char *name = vt_findings_guest_name(ctx, g->guest);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s halts %.0f times a second for less than %.0f us; waking up costs %.1f %% of its vCPU time",
				name, rate, ctx->cfg->v[VT_TH_HALT_SHORT_US], wake_pct);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"%llu halts shorter than %.0f us put the vCPU thread to sleep on the host; from being woken "
				"to running guest code again took %.1f us on average, %.3f s in all: the guest's wake-up "
				"latency (a request or an interrupt arriving at an idle vCPU) pays that each time.",
				(unsigned long long)halts, ctx->cfg->v[VT_TH_HALT_SHORT_US], mean_us, (double)wake_ns / 1e9);
		vt_finding_text(f->advice, sizeof(f->advice),
				"Let KVM poll before sleeping: raise /sys/module/kvm/parameters/halt_poll_ns (e.g. 200000 "
				"to 400000; 0 turns polling off), or poll in the guest (cpuidle-haltpoll, "
				"guest_halt_poll_ns); polling costs host CPU time while the guest idles.");
	}
}
