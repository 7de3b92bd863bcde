#include "inputs.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "progress.h"
#include "shown.h"

int vt_inputs_read(struct vt_inputs *in, const char *path, vt_event_sink sink, void *ctx, struct vt_error *err)
{
	struct vt_source *src;
	if (vt_source_open(&src, &path, 1, err))
		return -1;
	if (in->window)
		vt_source_set_window(src, in->window);
	if (vt_source_note(src))
		fprintf(stderr, "vmtrace: %s\n", vt_shown(vt_source_note(src)));
	struct vt_progress progress;
	vt_progress_start(&progress, path);
	const struct vt_event *ev;
	uint64_t n = 0;
	int rc;
	size_t base = in->ntraces;
	while ((rc = vt_source_next(src, &ev, err)) > 0) {
		sink(ctx, base + ev->trace, ev);
		vt_progress_update(&progress, ++n);
	}
	vt_progress_end(&progress);
	vt_source_release(src); /* the trace descriptions stay; the decoder's mappings go */
	if (rc < 0) {
		vt_source_close(src);
		return -1;
	}
	size_t count = vt_source_trace_count(src);
	struct vt_source **s = realloc(in->sources, (in->nsources + 1) * sizeof(*s));
	if (s)
		in->sources = s;
	const struct vt_trace_info **t = realloc(in->traces, (in->ntraces + count) * sizeof(*t));
	if (t)
		in->traces = t;
	if (!s || !t) {
		vt_source_close(src);
		return vt_error_set(err, "out of memory");
	}
	in->sources[in->nsources++] = src;
	for (size_t i = 0; i < count; i++)
		in->traces[in->ntraces++] = vt_source_trace(src, i);
	return 0;
}

void vt_inputs_close(struct vt_inputs *in)
{
	for (size_t i = 0; i < in->nsources; i++)
		vt_source_close(in->sources[i]);
	free(in->sources);
	free(in->traces);
	in->sources = NULL;
	in->traces = NULL;
	in->nsources = in->ntraces = 0;
}

int vt_parse_guest_hint(const char *command, char *arg, struct vt_guest_hint *out)
{
	char *eq = strchr(arg, '='), *end = NULL;
	long long pid = eq ? strtoll(eq + 1, &end, 10) : 0;
	if (!eq || eq == arg || !end || *end || pid <= 0) {
		fprintf(stderr, "vmtrace %s: --guest wants UUID=PID (QEMU's pid), not '%s'\n", command, arg);
		return -1;
	}
	*eq = '\0';
	*out = (struct vt_guest_hint){arg, pid};
	return 0;
}

int vt_sync_option(const char *command, int c, char *arg, struct vt_identify *id, enum vt_sync_method *method)
{
	if (c == 'm') {
		if (!vt_sync_method_parse(arg, method))
			return 1;
		fprintf(stderr, "vmtrace %s: unknown method '%s' (auto, trusted, hull, containment, tsc, ping)\n", command, arg);
		return -1;
	}
	if (c != 'g')
		return 0;
	struct vt_guest_hint hint;
	if (vt_parse_guest_hint(command, arg, &hint))
		return -1;
	if (id)
		vt_identify_add_hint(id, &hint);
	return 1;
}

int vt_pass1_init(struct vt_pass1 *p, int with_containment)
{
	memset(p, 0, sizeof(*p));
	p->id = vt_identify_new();
	p->sync = vt_sync_new();
	if (p->sync && !with_containment)
		vt_sync_skip_containment(p->sync);
	return p->id && p->sync ? 0 : -1;
}

static void feed_both(void *ctx, size_t trace, const struct vt_event *ev)
{
	struct vt_pass1 *p = ctx;
	vt_identify_feed(p->id, trace, ev);
	vt_sync_feed(p->sync, trace, ev);
	if (p->spill)
		vt_spill_add(p->spill, trace, ev);
	if (p->also)
		p->also(p->also_ctx, trace, ev);
}

int vt_pass1_spill(struct vt_pass1 *p, struct vt_error *err)
{
	p->spill = vt_spill_new(err);
	return p->spill ? 0 : -1;
}

int vt_pass1_read(struct vt_pass1 *p, const char *path, struct vt_error *err)
{
	vt_pass1_record_hints(p, path);
	size_t first = p->in.ntraces;
	if (vt_inputs_read(&p->in, path, feed_both, p, err)) {
		if (p->spill)
			vt_spill_forget(p->spill, first);
		return -1;
	}
	for (size_t t = first; p->spill && t < p->in.ntraces; t++)
		vt_spill_end(p->spill, t, p->in.traces[t]->events ? p->in.traces[t]->last_ns : 0);
	return 0;
}

/* One line per uuid several live QEMUs claimed (also in that machine's evidence). */
static void warn_conflicts(const struct vt_machines *m)
{
	for (size_t i = 0; i < m->nconflicts; i++) {
		char *what = vt_uuid_conflict_describe(m, &m->conflicts[i]), safe[2048];
		fprintf(stderr, "vmtrace: warning: %s\n", what ? vt_text_safe(what, safe, sizeof(safe)) : "out of memory");
		free(what);
	}
}

int vt_pass1_identify(struct vt_pass1 *p, struct vt_machines **out, struct vt_error *err)
{
	if (vt_identify_finish(p->id, p->in.traces, p->in.ntraces, out, err))
		return -1;
	warn_conflicts(*out);
	return vt_sync_refine_identity(p->sync, p->id, *out) ? vt_error_set(err, "identification: out of memory") : 0;
}

void vt_pass1_free(struct vt_pass1 *p)
{
	vt_identify_free(p->id);
	vt_sync_free(p->sync);
	vt_spill_free(p->spill);
	vt_inputs_close(&p->in);
	for (size_t i = 0; i < p->nhint_uuids; i++)
		free(p->hint_uuids[i]);
	free(p->hint_uuids);
	p->hint_uuids = NULL;
	p->nhint_uuids = 0;
}

/* Digits (at most 19) then an optional fraction of at most 9 digits. */
static const char *parse_decimal(const char *p, uint64_t *whole, uint64_t *frac_ns, int *digits, int *has_frac)
{
	*whole = *frac_ns = 0;
	*digits = *has_frac = 0;
	for (; *p >= '0' && *p <= '9'; p++, (*digits)++) {
		if (*digits >= 19)
			return NULL;
		*whole = *whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '.')
		return *digits ? p : NULL;
	*has_frac = 1;
	uint64_t scale = 100000000;
	for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) {
		if (!scale)
			return NULL;
		*frac_ns += (uint64_t)(*p - '0') * scale;
	}
	return p;
}

int vt_time_parse(const char *arg, uint64_t *ns, int *relative)
{
	*relative = *arg == '+';
	uint64_t whole, frac;
	int digits, has_frac;
	const char *p = parse_decimal(arg + *relative, &whole, &frac, &digits, &has_frac);
	if (!p)
		return -1;
	uint64_t unit = 1000000000;
	if (!strcmp(p, "ms"))
		unit = 1000000;
	else if (!strcmp(p, "us"))
		unit = 1000;
	else if (!strcmp(p, "ns"))
		unit = 1;
	else if (!*p && !*relative && !has_frac && digits > 12)
		unit = 1; /* a timestamp in ns, as vmtrace info prints */
	else if (*p && strcmp(p, "s"))
		return -1;
	if ((has_frac && unit == 1) || whole > (uint64_t)INT64_MAX / unit)
		return -1;
	*ns = whole * unit + frac / (1000000000 / unit);
	return *ns > (uint64_t)INT64_MAX ? -1 : 0;
}

int vt_window_option(const char *command, int c, const char *arg, struct vt_source_window *w, int *has)
{
	if (c != VT_OPT_BEGIN && c != VT_OPT_END)
		return 0;
	uint64_t ns;
	int rel;
	if (vt_time_parse(arg, &ns, &rel)) {
		char safe[256];
		fprintf(stderr, "vmtrace %s: --%s wants +SECONDS from the start or a time from the epoch "
				"(1.5, +200ms, 1795649000500000000), not '%s'\n",
			command, c == VT_OPT_BEGIN ? "begin" : "end", vt_text_safe(arg, safe, sizeof(safe)));
		return -1;
	}
	if (c == VT_OPT_BEGIN) {
		w->begin = ns;
		w->begin_rel = rel;
	} else {
		w->end = ns ? ns : 1; /* 0 would mean no end */
		w->end_rel = rel;
	}
	*has = 1;
	if (w->end && w->begin_rel == w->end_rel && w->end < w->begin) {
		fprintf(stderr, "vmtrace %s: --end is before --begin\n", command);
		return -1;
	}
	return 1;
}
