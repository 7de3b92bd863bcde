/* Pass 2: every machine's events in reference time through the model (from
 * the spill when pass 1 kept one, else decoded again), a window's figures
 * restarted at its start and closed at its end, then the findings. */
#include "session/internal.h"

struct window {
	const struct vt_source_window *w; /* NULL: the whole traces */
	uint64_t begin, end;
	int based, restarted, past;
};

/* Relative times count from the modelled host's first event (where its
 * figures start), or the first event when there is no host. */
static void base_window(struct window *win, int host, size_t machine, uint64_t ref)
{
	if (!win->w || win->based || (host >= 0 && machine != (size_t)host))
		return;
	win->begin = win->w->begin + (win->w->begin_rel ? ref : 0);
	win->end = win->w->end ? win->w->end + (win->w->end_rel ? ref : 0) : 0;
	win->based = 1;
}

static struct vt_timeline *open_timeline(struct vt_session *s, struct vt_error *err)
{
	struct vt_timeline *tl = s->spill ? vt_timeline_open_spill(s->spill, s->machines, s->clocks, err) : NULL;
	if (tl)
		return tl;
	if (s->spill) { /* kept in pass 1 or read again: the same events for the model */
		vt_session_warn(s, "%s: reading the traces again", err->msg);
		vt_spill_free(s->spill);
		s->spill = NULL;
	}
	return vt_timeline_open(vt_session_traces(s), s->ntraces, s->machines, s->clocks, err);
}

static int replay(struct vt_session *s, const struct vt_session_model_options *opt, struct vt_timeline *tl,
		  struct vt_error *err)
{
	struct window win = {.w = opt->window, .restarted = !opt->window};
	const struct vt_event *ev;
	uint64_t ref, n = 0;
	size_t trace, machine;
	int rc;
	while ((rc = vt_timeline_next(tl, &ev, &ref, &trace, &machine, err)) > 0) {
		base_window(&win, s->model->host, machine, ref);
		if (win.based && win.end && ref > win.end) {
			win.past = 1;
			break;
		}
		/* Every event before the window sets the states its start has. */
		if (win.based && !win.restarted && ref >= win.begin) {
			if (n)
				vt_model_restart(s->model, win.begin);
			win.restarted = 1;
		}
		vt_model_feed(s->model, trace, ref, ev);
		if (opt->each_event)
			opt->each_event(opt->each_event_ctx, machine, ref, ev);
		vt_session_progress(s, "analyzing", ++n, 0);
		if ((n & 0xffff) == 0 && opt->stop && opt->stop(opt->stop_ctx)) {
			rc = vt_error_set_cause(err, VT_ERR_USAGE, "stopped by the caller");
			break;
		}
	}
	vt_session_progress(s, "analyzing", n, 1);
	if (!win.restarted) /* the window starts after the last event */
		vt_model_restart(s->model, win.begin);
	if (win.past)
		vt_model_finish_at(s->model, win.end);
	else
		vt_model_finish(s->model);
	return rc < 0 ? -1 : 0;
}

int vt_session_model(struct vt_session *s, const struct vt_session_model_options *opt, struct vt_error *err)
{
	if (s->step >= VT_STEP_MODELLED)
		return vt_error_set_cause(err, VT_ERR_USAGE, "the session's traces were already modelled");
	if (vt_session_sync(s, err))
		return -1;
	int host = opt->host == VT_SESSION_HOST_AUTO ? s->host : opt->host;
	if (host < -1 || (host >= 0 && (size_t)host >= s->machines->count))
		return vt_error_set_cause(err, VT_ERR_USAGE, "machine %d is not among the session's machines", host);
	s->model = vt_model_new(s->machines, host, err);
	if (!s->model)
		return -1;
	struct vt_findings_collector *fc = NULL;
	if (opt->findings && !(fc = vt_findings_collector_new(opt->findings, err)))
		return -1;
	s->model->record_intervals = opt->record_intervals;
	/* The findings' collector sees every interval first, then passes it on. */
	if (fc)
		s->model->sink = vt_findings_collector_sink(fc, opt->sink);
	else if (opt->sink)
		s->model->sink = *opt->sink;
	struct vt_timeline *tl = open_timeline(s, err);
	int rc = tl ? 0 : -1;
	if (tl) {
		rc = replay(s, opt, tl, err);
		vt_timeline_close(tl);
	}
	if (rc == 0 && s->model->oom)
		rc = vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory while modelling");
	/* Before anything reorders the model's vCPUs: the collector keeps their indices. */
	struct vt_findings_input in = {s->model, s->machines, s->clocks, vt_session_traces(s), s->ntraces, fc};
	if (rc == 0 && fc)
		rc = vt_findings_run(&in, opt->findings, &s->findings, err);
	vt_findings_collector_free(fc);
	s->step = VT_STEP_MODELLED;
	return rc;
}
