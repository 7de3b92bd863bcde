/* host-noisy-neighbour: a host thread that is not a vCPU held the pCPUs a
 * guest's vCPUs waited for, more than a threshold of their time. */
#include <string.h>

#include "common/sort.h"
#include "findings/internal.h"

/* The pCPUs tid held (more than 1 % of the span), most held first, as "0 (59.7 %), 1 (22.2 %)". */
static void holder_cpus(struct vt_finding *f, const struct vt_model *model, char *text, size_t size)
{
	uint64_t span = model->last_ns > model->first_ns ? model->last_ns - model->first_ns : 0;
	uint64_t ns[16] = {0};
	size_t used = 0;
	text[0] = '\0';
	for (size_t c = 0; c < model->ncpus; c++) {
		uint64_t held = 0;
		for (size_t k = 0; k < model->cpus[c].nshares; k++)
			if (model->cpus[c].shares[k].tid == f->tid)
				held += model->cpus[c].shares[k].ns;
		if (!held || vt_findings_pct((double)held, (double)span) < 1)
			continue;
		size_t at = f->ncpus; /* insertion: most held first, 16 at most */
		while (at > 0 && ns[at - 1] < held)
			at--;
		if (at >= 16)
			continue;
		size_t n = f->ncpus < 16 ? f->ncpus : 15;
		memmove(&f->cpus[at + 1], &f->cpus[at], (n - at) * sizeof(f->cpus[0]));
		memmove(&ns[at + 1], &ns[at], (n - at) * sizeof(ns[0]));
		f->cpus[at] = (int32_t)c;
		ns[at] = held;
		f->ncpus = n + 1;
	}
	for (size_t k = 0; k < f->ncpus && used + 1 < size; k++)
		used += (size_t)snprintf(text + used, size - used, "%s%d (%.1f %%)", k ? ", " : "", f->cpus[k],
					 vt_findings_pct((double)ns[k], (double)span));
}

static void one(struct vt_fctx *ctx, const struct vt_guest_summary *g, const struct vt_holder_time *h)
{
	double th = ctx->cfg->v[VT_TH_NOISY_PCT];
	double share = vt_findings_pct((double)h->ns, (double)g->observed_ns);
	if (share < th || share == 0)
		return;
	struct vt_finding *f = vt_finding_new(ctx, "host-noisy-neighbour", vt_finding_severity(share, th));
	if (!f)
		return;
	vt_finding_guest(f, ctx, g);
	f->tid = h->tid;
	snprintf(f->comm, sizeof(f->comm), "%s", h->comm);
	vt_finding_figure(f, "share_pct", share, 0);
	vt_finding_figure(f, "holder_ns", (double)h->ns, 1);
	vt_finding_figure(f, "vcpu_ns", (double)g->observed_ns, 1);
	vt_finding_figure(f, "preempted_pct", vt_findings_pct((double)g->totals[VT_VCPU_PREEMPTED], (double)g->observed_ns), 0);
	vt_finding_figure(f, "of_preempted_pct", vt_findings_pct((double)h->ns, (double)g->totals[VT_VCPU_PREEMPTED]), 0);
	vt_finding_threshold(f, ctx, VT_TH_NOISY_PCT);
	char cpus[160];
	holder_cpus(f, ctx->in->model, cpus, sizeof(cpus));
	vt_finding_figure(f, "pcpus", (double)f->ncpus, 1);
	struct vt_fspan s = {0, 0}, life = {0, 0};
	const struct vt_model *model = ctx->in->model;
	const struct vt_findings_collector *c = ctx->in->collector;
	for (size_t i = 0; i < model->nvcpus; i++) {
		if (model->vcpus[i].qemu_pid != g->qemu_pid)
			continue;
		vt_fspan_add(&life, model->vcpus[i].start_ns, model->vcpus[i].end_ns);
		for (size_t k = 0; c && i < c->nv && k < c->v[i].nholders; k++)
			if (c->v[i].holders[k].tid == h->tid)
				vt_fspan_add(&s, c->v[i].holders[k].span.first, c->v[i].holders[k].span.last);
	}
	if (!s.last)
		s = life;
	f->start_ns = s.first;
	f->end_ns = s.last;
	const char *name = vt_findings_guest_name(ctx, g->guest);
	vt_finding_text(f->summary, sizeof(f->summary), "host thread %s (tid %d) took %.1f %% of %s's vCPU time",
			h->comm, h->tid, share, name);
	vt_finding_text(f->meaning, sizeof(f->meaning),
			"%s's vCPUs were ready to run but waited for pCPUs held by %s (tid %d), a host thread that is "
			"not a vCPU, for %.3f s (%.1f %% of their time, %.0f %% of all their waiting): the guest ran "
			"that much slower. It ran on pCPU %s.",
			name, h->comm, h->tid, (double)h->ns / 1e9, share,
			vt_findings_pct((double)h->ns, (double)g->totals[VT_VCPU_PREEMPTED]), cpus[0] ? cpus : "(none above 1 %)");
	vt_finding_text(f->advice, sizeof(f->advice),
			"Keep tid %d off the guest's pCPUs: a cpuset (cgroup cpuset.cpus, taskset -pc LIST %d) away from "
			"the vCPU threads, or isolcpus=/nohz_full= pCPUs with the vCPUs pinned there (libvirt "
			"<vcpupin>); or lower its priority (nice -n 19, chrt -i 0, cgroup cpu.weight).",
			h->tid, h->tid);
}

void vt_rule_noisy_neighbour(struct vt_fctx *ctx)
{
	for (size_t k = 0; k < ctx->nguests; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		for (size_t h = 0; h < g->npreemptors && !ctx->oom; h++)
			if (g->preemptors[h].tid > 0 && !vt_model_vcpu_by_tid(ctx->in->model, g->preemptors[h].tid))
				one(ctx, g, &g->preemptors[h]);
	}
}
