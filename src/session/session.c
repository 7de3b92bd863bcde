/* The session's life: options, hints, the weak accessors, freeing. */
#include "session/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vt_session *vt_session_new(const struct vt_session_options *opt, struct vt_error *err)
{
	struct vt_session *s = calloc(1, sizeof(*s));
	if (!s) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (opt)
		s->opt = *opt;
	s->opt.hints = NULL;
	s->opt.window = NULL;
	if (opt && opt->window) {
		s->window = *opt->window;
		s->windowed = 1;
	}
	s->host = -1;
	s->id = vt_identify_new(err);
	s->sync = vt_sync_new(err);
	if (!s->id || !s->sync)
		goto oom;
	if (s->opt.messages_only)
		vt_sync_skip_containment(s->sync);
	if (s->opt.ignore_pings)
		vt_sync_ignore_pings(s->sync);
	for (size_t i = 0; opt && i < opt->nhints; i++)
		if (vt_session_add_hint(s, &opt->hints[i], err))
			goto fail;
	if (s->opt.spill) {
		struct vt_error serr = {0};
		s->spill = vt_spill_new(&serr);
		if (!s->spill) /* pass 2 decodes the traces again: slower, same result */
			vt_session_warn(s, "%s", serr.msg);
	}
	return s;
oom:
	vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
fail:
	vt_session_free(s);
	return NULL;
}

int vt_session_add_hint(struct vt_session *s, const struct vt_guest_hint *hint, struct vt_error *err)
{
	if (s->step != VT_STEP_READING)
		return vt_error_set_cause(err, VT_ERR_USAGE, "a guest hint must come before identification");
	if (!hint->uuid || hint->pid <= 0)
		return vt_error_set_cause(err, VT_ERR_USAGE, "a guest hint wants a uuid and a QEMU pid above 0");
	char **a = realloc(s->hint_uuids, (s->nhint_uuids + 1) * sizeof(*a));
	if (!a)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	s->hint_uuids = a;
	char *copy = strdup(hint->uuid);
	struct vt_guest_hint h = {copy, hint->pid};
	if (!copy || vt_identify_add_hint(s->id, &h) < 0) {
		free(copy);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	}
	s->hint_uuids[s->nhint_uuids++] = copy;
	return 0;
}

void vt_session_warn(const struct vt_session *s, const char *fmt, ...)
{
	if (!s->opt.warn)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	s->opt.warn(s->opt.warn_ctx, n >= 0 ? line : "out of memory (while warning)");
	if (n >= 0)
		free(line);
}

void vt_session_progress(const struct vt_session *s, const char *what, uint64_t events, int done)
{
	if (s->opt.progress)
		s->opt.progress(s->opt.progress_ctx, what, events, done);
}

size_t vt_session_trace_count(const struct vt_session *s)
{
	return s->ntraces;
}

const struct vt_trace_info *const *vt_session_traces(const struct vt_session *s)
{
	return (const struct vt_trace_info *const *)s->traces;
}

const struct vt_machines *vt_session_machines(const struct vt_session *s)
{
	return s->machines;
}

const struct vt_sync_result *vt_session_clocks(const struct vt_session *s)
{
	return s->clocks;
}

int vt_session_host(const struct vt_session *s)
{
	return s->host;
}

struct vt_model *vt_session_model_result(const struct vt_session *s)
{
	return s->model;
}

const struct vt_findings *vt_session_findings(const struct vt_session *s)
{
	return s->step == VT_STEP_MODELLED ? &s->findings : NULL;
}

const struct vt_identify *vt_session_identifier(const struct vt_session *s)
{
	return s->id;
}

const struct vt_sync *vt_session_syncer(const struct vt_session *s)
{
	return s->sync;
}

void vt_session_free(struct vt_session *s)
{
	if (!s)
		return;
	vt_findings_free(&s->findings);
	vt_model_free(s->model);
	vt_sync_result_free(s->clocks);
	vt_machines_free(s->machines);
	vt_identify_free(s->id);
	vt_sync_free(s->sync);
	vt_spill_free(s->spill);
	for (size_t i = 0; i < s->nsources; i++)
		vt_source_close(s->sources[i]);
	free(s->sources);
	free(s->traces);
	for (size_t i = 0; i < s->nhint_uuids; i++)
		free(s->hint_uuids[i]);
	free(s->hint_uuids);
	free(s);
}
