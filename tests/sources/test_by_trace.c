/* vt_source_by_trace: the same events as the merged order, each trace's in
 * the same order, the traces one after the other in their numbering; a
 * relative window counted from the earliest event of all; an event past the
 * window's end ends only its trace. The simulator's host and guests (CTF and
 * trace.dat, interleaved in time), and traces years apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define MAX_TRACES 64

static char *tmp;
static char sim[4200]; /* the simulator's host and two guests, CTF and .dat */

struct seen {
	uint64_t n[MAX_TRACES];
	uint64_t hash[MAX_TRACES]; /* of each trace's (ts, kind, cpu) sequence */
	uint32_t order[64];        /* traces in the order they first came */
	size_t norder;
	int switches; /* how often the trace changed from one event to the next */
};

static void read_all(const char *const *paths, size_t n, int by_trace, const struct vt_source_window *w,
		     struct seen *out)
{
	memset(out, 0, sizeof(*out));
	struct vt_error err = {0};
	struct vt_source *src = vt_source_open(paths, n, &err);
	if (!src)
		fail_msg("%s", err.msg);
	if (w)
		vt_source_set_window(src, w);
	if (by_trace)
		assert_int_equal(vt_source_by_trace(src, &err), 0);
	const struct vt_event *ev;
	int rc;
	int64_t last = -1;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		assert_true(ev->trace < MAX_TRACES);
		uint64_t h = out->hash[ev->trace];
		h = (h ^ ev->ts_ns) * 1099511628211ull;
		h = (h ^ (uint64_t)ev->kind) * 1099511628211ull;
		out->hash[ev->trace] = (h ^ (uint64_t)(uint32_t)ev->cpu) * 1099511628211ull;
		if (!out->n[ev->trace]++ && out->norder < 64)
			out->order[out->norder++] = ev->trace;
		out->switches += last >= 0 && last != (int64_t)ev->trace;
		last = ev->trace;
	}
	assert_int_equal(rc, 0);
	vt_source_close(src);
}

static int check_same(const char *const *paths, size_t n, const struct vt_source_window *w)
{
	struct seen merged, traced;
	read_all(paths, n, 0, w, &merged);
	read_all(paths, n, 1, w, &traced);
	for (size_t t = 0; t < MAX_TRACES; t++) {
		assert_int_equal(traced.n[t], merged.n[t]);
		assert_true(traced.hash[t] == merged.hash[t]);
	}
	assert_int_equal(traced.switches, (int)traced.norder - 1); /* each trace in one run */
	for (size_t i = 0; i + 1 < traced.norder; i++)
		assert_true(traced.order[i] < traced.order[i + 1]);
	uint64_t total = 0;
	for (size_t t = 0; t < MAX_TRACES; t++)
		total += traced.n[t];
	printf("%zu traces, %llu events, merged: %d switches between traces\n", traced.norder,
	       (unsigned long long)total, merged.switches);
	return merged.switches;
}

static void test_whole(void **state)
{
	(void)state;
	const char *paths[] = {vt_source_path("examples/ust-hello/trace"), vt_source_path("tests/data/host-kvm.dat")};
	check_same(paths, 2, NULL);
	struct seen s;
	read_all(paths, 2, 1, NULL, &s);
	assert_int_equal(s.norder, 2);
	assert_true(s.n[0] > 0 && s.n[1] > 0);
	const char *interleaved[] = {sim};
	assert_true(check_same(interleaved, 1, NULL) > 1000);
}

/* Relative: from the earliest event of all traces, for each. The two traces
 * are years apart: the window holds the earlier one's first 50 us only. */
static void test_windows(void **state)
{
	(void)state;
	const char *paths[] = {vt_source_path("examples/ust-hello/trace"), vt_source_path("tests/data/host-kvm.dat")};
	struct vt_source_window rel = {.begin = 0, .end = 50000, .begin_rel = 1, .end_rel = 1};
	check_same(paths, 2, &rel);
	struct seen s;
	read_all(paths, 2, 1, &rel, &s);
	assert_int_equal(s.norder, 1);
	/* Interleaved traces: relative, and absolute (ending in the middle of the
	 * first trace: every trace cut there, as merged). */
	const char *interleaved[] = {sim};
	struct vt_source_window mid = {.begin = 100000000, .end = 200000000, .begin_rel = 1, .end_rel = 1};
	assert_true(check_same(interleaved, 1, &mid) > 100);
	struct seen all;
	read_all(interleaved, 1, 1, NULL, &all);
	struct vt_error err = {0};
	struct vt_source *src = vt_source_open(interleaved, 1, &err);
	assert_non_null(src);
	const struct vt_event *ev;
	while (vt_source_next(src, &ev, &err) > 0)
		;
	uint64_t first = vt_source_trace(src, 0)->first_ns, last = vt_source_trace(src, 0)->last_ns;
	vt_source_close(src);
	struct vt_source_window abs = {.begin = 0, .end = first + (last - first) / 2};
	check_same(interleaved, 1, &abs);
	read_all(interleaved, 1, 1, &abs, &s);
	assert_true(s.n[0] > 0 && s.n[0] < all.n[0]);
	assert_true(s.norder == all.norder);
}

/* Asked after the first event: no effect, the merged order goes on. */
static void test_late(void **state)
{
	(void)state;
	const char *paths[] = {vt_source_path("examples/ust-hello/trace"), vt_source_path("tests/data/host-kvm.dat")};
	struct seen merged;
	read_all(paths, 2, 0, NULL, &merged);
	struct vt_error err = {0};
	struct vt_source *src = vt_source_open(paths, 2, &err);
	assert_non_null(src);
	const struct vt_event *ev;
	assert_int_equal(vt_source_next(src, &ev, &err), 1);
	int64_t last = ev->trace;
	assert_int_equal(vt_source_by_trace(src, &err), 0);
	int switches = 0;
	while (vt_source_next(src, &ev, &err) > 0) {
		switches += last != (int64_t)ev->trace;
		last = ev->trace;
	}
	assert_int_equal(switches, merged.switches);
	vt_source_close(src);
}

int main(void)
{
	tmp = vt_mkdtemp();
	snprintf(sim, sizeof(sim), "%s/sim", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 500 -f both", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/two-guests-ntp.json"), sim);
	if (run.status != 0) {
		fprintf(stderr, "vmtrace-sim: %s", run.err);
		return 1;
	}
	vt_run_free(&run);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_late),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
