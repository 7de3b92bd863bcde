/* vcpu-overcommit: a guest's vCPUs are preempted, mostly by other vCPUs (its
 * own or other guests'): more vCPUs want to run than there are pCPUs. */
#include "findings/internal.h"

/* vCPUs wanting to run per pCPU: over the whole trace, and in the busiest bin. */
static void demand(const struct vt_fctx *ctx, double *mean, double *peak)
{
	const struct vt_model *model = ctx->in->model;
	const struct vt_findings_collector *c = ctx->in->collector;
	*mean = *peak = 0;
	if (!c || !model->ncpus || model->last_ns <= model->first_ns)
		return;
	uint64_t all = 0;
	for (int b = 0; b < VT_FBINS; b++) {
		uint64_t start = c->t0 + (uint64_t)b * c->width, end = start + c->width;
		if (end > model->last_ns)
			end = model->last_ns;
		all += c->busy[b];
		/* a bin shorter than a tenth of the others says little */
		if (end > start && (end - start) * 10 >= c->width) {
			double r = (double)c->busy[b] / ((double)(end - start) * (double)model->ncpus);
			if (r > *peak)
				*peak = r;
		}
	}
	*mean = (double)all / ((double)(model->last_ns - model->first_ns) * (double)model->ncpus);
}

/* The share of the pCPUs' time held by host threads that are not vCPUs: what is left for the vCPUs. */
static double host_threads_share(const struct vt_model *model)
{
	uint64_t held = 0;
	for (size_t c = 0; c < model->ncpus; c++)
		for (size_t k = 0; k < model->cpus[c].nshares; k++) {
			const struct vt_cpu_share *sh = &model->cpus[c].shares[k];
			if (sh->tid > 0 && sh->guest < 0 && !vt_model_vcpu_by_tid(model, sh->tid))
				held += sh->ns;
		}
	return vt_findings_pct((double)held, (double)(model->last_ns - model->first_ns) * (double)model->ncpus);
}

void vt_rule_overcommit(struct vt_fctx *ctx)
{
	const struct vt_model *model = ctx->in->model;
	double mean, peak;
	demand(ctx, &mean, &peak);
	double others = host_threads_share(model);
	for (size_t k = 0; k < ctx->nguests && !ctx->oom; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		uint64_t by_vcpus = 0;
		for (size_t h = 0; h < g->npreemptors; h++)
			if (vt_model_vcpu_by_tid(model, g->preemptors[h].tid))
				by_vcpus += g->preemptors[h].ns;
		double preempted = vt_findings_pct((double)g->totals[VT_VCPU_PREEMPTED], (double)g->observed_ns);
		double share = vt_findings_pct((double)by_vcpus, (double)g->totals[VT_VCPU_PREEMPTED]);
		if (preempted < ctx->cfg->v[VT_TH_OVERCOMMIT_PCT] || share < ctx->cfg->v[VT_TH_OVERCOMMIT_VCPU_PCT] ||
		    !by_vcpus)
			continue;
		double by_pct = vt_findings_pct((double)by_vcpus, (double)g->observed_ns);
		struct vt_finding *f = vt_finding_new(ctx, "vcpu-overcommit",
						      vt_finding_severity(by_pct, ctx->cfg->v[VT_TH_OVERCOMMIT_PCT]));
		if (!f)
			return;
		vt_finding_guest(f, ctx, g);
		vt_finding_figure(f, "by_vcpus_pct", by_pct, 0);
		vt_finding_figure(f, "preempted_pct", preempted, 0);
		vt_finding_figure(f, "of_preempted_pct", share, 0);
		vt_finding_figure(f, "by_vcpus_ns", (double)by_vcpus, 1);
		vt_finding_figure(f, "host_vcpus", (double)model->nvcpus, 1);
		vt_finding_figure(f, "pcpus", (double)model->ncpus, 1);
		vt_finding_figure(f, "vcpus_per_pcpu", model->ncpus ? (double)model->nvcpus / (double)model->ncpus : 0, 0);
		vt_finding_figure(f, "running_per_pcpu_mean", mean, 0);
		vt_finding_figure(f, "running_per_pcpu_peak", peak, 0);
		vt_finding_figure(f, "host_threads_pcpu_pct", others, 0);
		vt_finding_threshold(f, ctx, VT_TH_OVERCOMMIT_PCT);
		vt_finding_threshold(f, ctx, VT_TH_OVERCOMMIT_VCPU_PCT);
		struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, FR_BY_VCPU);
		f->start_ns = s.first;
		f->end_ns = s.last;
		const char *name = vt_findings_guest_name(ctx, g->guest);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s's vCPUs waited %.1f %% of their time for other vCPUs (%zu vCPUs on %zu pCPUs, %.0f %% "
				"of them held by host threads)",
				name, by_pct, model->nvcpus, model->ncpus, others);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"%s's vCPUs were preempted %.1f %% of their time, %.0f %% of it by vCPU threads (its own or "
				"other guests'): the host runs %zu vCPUs on %zu pCPUs (%.2f per pCPU); on average %.2f "
				"vCPUs per pCPU wanted to run, %.2f in the busiest %.0f ms, while host threads held %.0f %% of "
				"the pCPUs' time. A vCPU that waits stalls "
				"whatever the guest runs on it, and its siblings when they wait for it.",
				name, preempted, share, model->nvcpus, model->ncpus,
				model->ncpus ? (double)model->nvcpus / (double)model->ncpus : 0, mean, peak,
				ctx->in->collector ? (double)ctx->in->collector->width / 1e6 : 0, others);
		vt_finding_text(f->advice, sizeof(f->advice),
				"Give the guests fewer vCPUs (no more than the pCPUs they can really have), or pin each "
				"vCPU to a pCPU of its own (libvirt <vcpupin>, taskset on the 'CPU n/KVM' threads), or "
				"move guests to another host.");
	}
}
