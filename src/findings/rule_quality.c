/* trace-quality: whether the figures can be trusted: events the tracer lost,
 * guest clocks that could not be placed on the host's, and a sync accuracy
 * too coarse for the guest threads' figures. */
#include "findings/internal.h"

static void lost(struct vt_fctx *ctx, size_t t)
{
	const struct vt_trace_info *info = ctx->in->traces[t];
	const struct vt_machines *m = ctx->in->machines;
	if (!info || (double)info->discarded_events <= ctx->cfg->v[VT_TH_LOST_EVENTS] || !info->discarded_events)
		return;
	struct vt_finding *f = vt_finding_new(ctx, "trace-quality", VT_SEVERITY_WARNING);
	if (!f)
		return;
	f->trace = (int)t;
	size_t mi = m && t < m->ntraces ? m->trace_machine[t] : (size_t)-1;
	int host = m && mi < m->count && m->machines[mi].role == VT_ROLE_HOST;
	if (m && mi < m->count && !host)
		f->guest = (int)mi;
	vt_finding_figure(f, "lost_events", (double)info->discarded_events, 1);
	vt_finding_figure(f, "lost_packets", (double)info->discarded_packets, 1);
	vt_finding_figure(f, "events", (double)info->events, 1);
	vt_finding_threshold(f, ctx, VT_TH_LOST_EVENTS);
	f->start_ns = info->first_ns; /* the trace's own clock when no sync placed it */
	f->end_ns = info->last_ns;
	if (ctx->in->sync && mi < ctx->in->sync->count) {
		f->start_ns = (uint64_t)vt_clock_to_ref(&ctx->in->sync->machines[mi], (int64_t)info->first_ns);
		f->end_ns = (uint64_t)vt_clock_to_ref(&ctx->in->sync->machines[mi], (int64_t)info->last_ns);
	}
	vt_finding_text(f->summary, sizeof(f->summary), "%s lost %llu events", info->path,
			(unsigned long long)info->discarded_events);
	vt_finding_text(f->meaning, sizeof(f->meaning),
			"the tracer dropped %llu events (%llu packets) of %s because its buffers were full: %s around the "
			"losses are approximate.",
			(unsigned long long)info->discarded_events, (unsigned long long)info->discarded_packets, info->path,
			host ? "vCPU states, exits and preemption" : "that guest's thread figures");
	vt_finding_text(f->advice, sizeof(f->advice),
			"Give the tracer bigger or more sub-buffers (lttng enable-channel --subbuf-size 4M --num-subbuf 8; "
			"trace-cmd record -b 20000), enable fewer events, or trace to a faster disk.");
}

/* The guest traces' context switches: each one's time on the host is only as
 * good as the clock's placement. */
static uint64_t switches(const struct vt_fctx *ctx, const struct vt_machine *mm)
{
	uint64_t n = 0;
	for (size_t k = 0; k < mm->ntraces; k++)
		if (mm->traces[k] < ctx->in->ntraces && ctx->in->traces[mm->traces[k]])
			n += ctx->in->traces[mm->traces[k]]->per_kind[VT_SCHED_SWITCH];
	return n;
}

static const struct vt_guest_summary *summary_of(const struct vt_fctx *ctx, int guest)
{
	for (size_t k = 0; k < ctx->nguests; k++)
		if (ctx->guests[k].guest == guest)
			return &ctx->guests[k];
	return NULL;
}

static void clock_of(struct vt_fctx *ctx, size_t mi)
{
	const struct vt_machine *mm = &ctx->in->machines->machines[mi];
	const struct vt_clock_sync *cs = &ctx->in->sync->machines[mi];
	const struct vt_guest_summary *g = summary_of(ctx, (int)mi);
	if (mm->role != VT_ROLE_GUEST || mm->host != ctx->in->model->host || !g)
		return;
	const char *name = vt_findings_guest_name(ctx, (int)mi);
	int unplaced = cs->quality == VT_SYNC_ABSENT || cs->quality == VT_SYNC_FAIL || cs->accuracy_ns < 0;
	uint64_t sw = switches(ctx, mm);
	double bound = unplaced ? 0 : vt_findings_pct((double)sw * (double)cs->accuracy_ns, (double)g->observed_ns);
	if (!unplaced && (bound < ctx->cfg->v[VT_TH_SYNC_BOUND_PCT] || !sw))
		return;
	struct vt_finding *f = vt_finding_new(ctx, "trace-quality", unplaced ? VT_SEVERITY_WARNING : VT_SEVERITY_INFO);
	if (!f)
		return;
	vt_finding_guest(f, ctx, g);
	struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, -1);
	f->start_ns = s.first;
	f->end_ns = s.last;
	if (unplaced) {
		vt_finding_figure(f, "sync_quality", (double)cs->quality, 1);
		vt_finding_figure(f, "matches_to_host", (double)cs->matches_to_ref, 1);
		vt_finding_figure(f, "matches_from_host", (double)cs->matches_from_ref, 1);
		vt_finding_text(f->summary, sizeof(f->summary), "%s's clock is not placed on the host's (%s)", name,
				vt_sync_quality_name(cs->quality));
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"synchronization could not bound %s's clock against the host's (%s: %s): its threads' "
				"figures (guest code, hypervisor, preempted) may be charged to the wrong vCPU states.",
				name, vt_sync_quality_name(cs->quality), cs->why ? cs->why : "no reason given");
	} else {
		vt_finding_figure(f, "error_bound_pct", bound, 0);
		vt_finding_figure(f, "accuracy_ns", (double)cs->accuracy_ns, 1);
		vt_finding_figure(f, "context_switches", (double)sw, 1);
		vt_finding_figure(f, "vcpu_ns", (double)g->observed_ns, 1);
		vt_finding_threshold(f, ctx, VT_TH_SYNC_BOUND_PCT);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s's clock is placed within +-%.0f us: its threads' figures may be off by up to %.1f %%",
				name, (double)cs->accuracy_ns / 1e3, bound);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"each of %s's %llu context switches is placed on the host's time within +-%.0f us, so up to "
				"%.3f s (%.1f %% of its vCPU time) of its threads' time may be charged to the wrong vCPU "
				"state; the vCPU figures themselves come from the host alone and are exact.",
				name, (unsigned long long)sw, (double)cs->accuracy_ns / 1e3,
				(double)sw * (double)cs->accuracy_ns / 1e9, bound);
	}
	vt_finding_text(f->advice, sizeof(f->advice),
			"Synchronize the guest's clock to the host's (ptp_kvm + chrony in the guest: refclock PHC "
			"/dev/ptp0), run vmtraced on the host and in the guest, or exchange more traffic both ways while "
			"tracing; vmtrace clock-check measures the clocks.");
}

void vt_rule_trace_quality(struct vt_fctx *ctx)
{
	for (size_t t = 0; ctx->in->traces && t < ctx->in->ntraces && !ctx->oom; t++)
		lost(ctx, t);
	if (!ctx->in->sync || !ctx->in->machines || !ctx->in->model || ctx->in->model->host < 0)
		return;
	for (size_t mi = 0; mi < ctx->in->machines->count && mi < ctx->in->sync->count && !ctx->oom; mi++)
		clock_of(ctx, mi);
}
