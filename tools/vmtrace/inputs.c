#include "inputs.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "progress.h"
#include "shown.h"

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

int vt_sync_option(const char *command, int c, char *arg, struct vt_hints *hints, enum vt_sync_method *method)
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
	struct vt_guest_hint *v = realloc(hints->v, (hints->n + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "vmtrace %s: out of memory\n", command);
		return -1;
	}
	hints->v = v;
	v[hints->n++] = hint;
	return 1;
}

void vt_hints_free(struct vt_hints *h)
{
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

struct vt_inputs vt_inputs_of(const struct vt_session *s)
{
	return (struct vt_inputs){vt_session_traces(s), vt_session_trace_count(s)};
}

static void print_warning(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "vmtrace: %s\n", vt_shown(line));
}

/* One progress line per PATH read, then one for the analysis. */
static void show_progress(void *ctx, const char *what, uint64_t events, int done)
{
	struct vt_cli_session *cs = ctx;
	if (cs->what != what) {
		vt_progress_start(&cs->progress, what);
		cs->what = what;
	}
	if (done) {
		vt_progress_end(&cs->progress);
		cs->what = NULL;
	} else {
		vt_progress_update(&cs->progress, events);
	}
}

struct vt_session *vt_cli_session_new(struct vt_cli_session *cs, const char *command, struct vt_session_options *opt,
				      const struct vt_hints *hints)
{
	memset(cs, 0, sizeof(*cs));
	opt->warn = print_warning;
	opt->progress = show_progress;
	opt->progress_ctx = cs;
	if (hints) {
		opt->hints = hints->v;
		opt->nhints = hints->n;
	}
	struct vt_error err = {0};
	cs->s = vt_session_new(opt, &err);
	if (!cs->s)
		fprintf(stderr, "vmtrace %s: %s\n", command, err.msg);
	return cs->s;
}

int vt_cli_session_read(struct vt_cli_session *cs, const char *path, struct vt_error *err)
{
	vt_record_hints(cs->s, path);
	return vt_session_read(cs->s, path, err);
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

int vt_reader_option(const char *command, int c, const char *arg, enum vt_reader *reader)
{
	if (c != VT_OPT_READER)
		return 0;
	if (!vt_reader_parse(arg, reader))
		return 1;
	char safe[256];
	fprintf(stderr, "vmtrace %s: --reader wants native or babeltrace2, not '%s'\n", command,
		vt_text_safe(arg, safe, sizeof(safe)));
	return -1;
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
