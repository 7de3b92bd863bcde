/* The CTF 2 test traces of Trace Compass's test-trace collection (github.com/
 * eclipse-tracecompass/tracecompass-test-traces, ctf/src/main/resources/CTF2-*)
 * read by the native reader, in process and through `vmtrace info`: no error,
 * and the counts of a reader that is not ours. babeltrace2 2.0 reads no CTF 2,
 * so the oracles are: Trace Compass's own test (CtfTestTrace's event count)
 * where it has one, else babeltrace2 on the CTF 1.8 trace each was rewritten
 * from (babeltrace's tests/data/ctf-traces/succeed/, same data streams).
 *
 * The traces are EPL-2.0 and not ours: never in this repository. Found in the
 * first of $VT_TC_TRACES, ../shared/tracecompass-test-traces, the cache that
 * scripts/fetch-tc-traces fills (~/.cache/vmtrace/tracecompass-test-traces);
 * else that script extracts them now from a git copy of the collection
 * ($VT_TC_MIRROR, or its default); else the test skips, saying so. */
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "vmtrace/sources.h"

struct expected {
	const char *name;
	uint64_t events, discarded;
	uint64_t first_ns, last_ns; /* 0: the trace has no clock */
	const char *oracle;
};

#define TC "Trace Compass CtfTestTrace"
#define BT "babeltrace2 2.0.4 on the CTF 1.8 original"
static const struct expected traces[] = {
	{"CTF2-vl-ints", 1, 0, 0, 0, TC ".CTF2_VL_INTS"},
	{"CTF2-7.0-barectf-event-before-packet", 2, 0, 1435121820916580091u, 1435121820916605259u, BT},
	{"CTF2-7.0-debug-info", 4, 0, 1563286181350889232u, 1563286181351883341u, BT " (before babeltrace 7132b83)"},
	{"CTF2-7.0-ev-disc-no-ts-begin-end", 3, 17, 0, 0, BT},
	{"CTF2-7.0-lttng-crash", 400, 0, 1565891729293111985u, 1565891729293526525u, BT},
	{"CTF2-7.0-lttng-event-after-packet", 2, 0, 1565957302180016041u, 1565957302180016069u, BT},
	{"CTF2-7.0-meta-variant-no-underscore", 1, 0, 0, 0, BT},
	{"CTF2-7.0-smalltrace", 2, 0, 0, 0, BT},
	{"CTF2-7.0-succeed1", 7809, 0, 0, 0, BT},
	{"CTF2-7.0-trace-with-index", 4000, 0, 1565033456853953396u, 1565033465321881240u, BT},
};
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static char root[PATH_MAX]; /* the folder holding the CTF2-* folders */
static char *extracted;     /* a temporary folder we extracted them into, or NULL */

static int holds_traces(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s/metadata", dir, traces[0].name);
	return stat(p, &st) == 0;
}

/* Sets root, or skips the whole test. */
static void find_traces(void)
{
	const char *env = getenv("VT_TC_TRACES"), *shared = getenv("VT_SHARED_DIR"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_CACHE_HOME");
	char cands[3][PATH_MAX] = {{0}};
	if (env)
		snprintf(cands[0], PATH_MAX, "%s", env);
	snprintf(cands[1], PATH_MAX, "%s/tracecompass-test-traces", shared ? shared : VT_SHARED_DIR);
	if (xdg || home)
		snprintf(cands[2], PATH_MAX, "%s%s/vmtrace/tracecompass-test-traces", xdg ? xdg : home,
			 xdg ? "" : "/.cache");
	for (int i = 0; i < 3; i++)
		if (cands[i][0] && holds_traces(cands[i])) {
			memcpy(root, cands[i], sizeof(root)); /* both PATH_MAX */
			return;
		}
	extracted = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "'%s' '' '%s/tc'", vt_source_path("scripts/fetch-tc-traces"), extracted);
	snprintf(root, sizeof(root), "%s/tc", extracted);
	if (r.status == 0 && holds_traces(root)) {
		printf("%s", r.out);
		vt_run_free(&r);
		return;
	}
	char why[600];
	snprintf(why, sizeof(why), "%s", r.err);
	why[strcspn(why, "\n")] = 0;
	vt_run_free(&r);
	vt_rmtree(extracted);
	vt_skip(VT_SKIP_EXTERNAL_DATA,
		"Trace Compass's CTF 2 test traces are not in $VT_TC_TRACES, %s or %s, and scripts/fetch-tc-traces "
		"could not extract them (%s)",
		cands[1], cands[2][0] ? cands[2] : "~/.cache/vmtrace/tracecompass-test-traces", why);
}

static const char *trace_path(const struct expected *t)
{
	static char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", root, t->name);
	return p;
}

static void check_info(const struct expected *t, const struct vt_trace_info *info, const char *how)
{
	if (info->events != t->events || info->discarded_events != t->discarded)
		fail_msg("%s (%s): %" PRIu64 " events, %" PRIu64 " discarded; %s says %" PRIu64 ", %" PRIu64, t->name,
			 how, info->events, info->discarded_events, t->oracle, t->events, t->discarded);
	if (t->first_ns && (info->first_ns != t->first_ns || info->last_ns != t->last_ns))
		fail_msg("%s (%s): events from %" PRIu64 " to %" PRIu64 " ns; %s says %" PRIu64 " to %" PRIu64, t->name,
			 how, info->first_ns, info->last_ns, t->oracle, t->first_ns, t->last_ns);
}

/* vt_source_open with VMTRACE_READER=native, read to the end. */
static void test_read(void **state)
{
	(void)state;
	for (size_t i = 0; i < NTRACES; i++) {
		const char *path = trace_path(&traces[i]);
		struct vt_error err = {0};
		setenv("VMTRACE_READER", "native", 1);
		struct vt_source *src = vt_source_open(&path, 1, &err);
		unsetenv("VMTRACE_READER");
		if (!src)
			fail_msg("%s", err.msg);
		const struct vt_event *ev;
		uint64_t count = 0;
		int rc;
		while ((rc = vt_source_next(src, &ev, &err)) > 0)
			count++;
		if (rc < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(vt_source_trace_count(src), 1);
		const struct vt_trace_info *info = vt_source_trace(src, 0);
		assert_int_equal(info->events, count);
		check_info(&traces[i], info, "read");
		printf("%s: %" PRIu64 " events, as %s\n", traces[i].name, count, traces[i].oracle);
		vt_source_close(src);
	}
}

/* `vmtrace info` on each: exit 0, nothing on stderr, the same counts in its text and its JSON. */
static void test_info(void **state)
{
	(void)state;
	for (size_t i = 0; i < NTRACES; i++) {
		const struct expected *t = &traces[i];
		struct vt_run r;
		vt_run_shell(&r, "VMTRACE_READER=native %s info '%s'", vt_vmtrace_cmd(), trace_path(t));
		if (r.status != 0 || r.err_len)
			fail_msg("vmtrace info %s: exit %d: %s", t->name, r.status, r.err);
		char want[64];
		snprintf(want, sizeof(want), "\n  events          %" PRIu64 "\n", t->events);
		if (strncmp(r.out, "trace ", 6) != 0 || !strstr(r.out, want))
			fail_msg("vmtrace info %s: no '%s' in:\n%s", t->name, want + 1, r.out);
		vt_run_free(&r);

		vt_run_shell(&r, "VMTRACE_READER=native %s info --json '%s'", vt_vmtrace_cmd(), trace_path(t));
		assert_int_equal(r.status, 0);
		json_error_t jerr;
		json_t *doc = json_loads(r.out, 0, &jerr), *j = json_array_get(json_object_get(doc, "traces"), 0);
		if (!j)
			fail_msg("vmtrace info --json %s: %s", t->name, doc ? "no trace" : jerr.text);
		struct vt_trace_info info = {
			.events = (uint64_t)json_integer_value(json_object_get(j, "events")),
			.discarded_events = (uint64_t)json_integer_value(json_object_get(j, "discarded_events")),
			.first_ns = (uint64_t)json_integer_value(json_object_get(j, "first_ns")),
			.last_ns = (uint64_t)json_integer_value(json_object_get(j, "last_ns")),
		};
		check_info(t, &info, "vmtrace info --json");
		assert_int_equal(json_array_size(json_object_get(doc, "errors")), 0);
		json_decref(doc);
		vt_run_free(&r);
	}
}

int main(void)
{
	find_traces();
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_read), cmocka_unit_test(test_info)};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (extracted) {
		vt_rmtree(extracted);
		free(extracted);
	}
	return rc;
}
