/* A flight-recorder snapshot (vmtrace-sim --snapshot-from-ms): the traces
 * hold nothing before the window, no statedump, no fork, no agent identity;
 * `vmtrace analyze --json` still ties each guest to exactly its vCPU threads,
 * and every vCPU's and guest thread's state totals are within 0.1 % of the
 * truth over the window. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define SNAP_MS 700 /* of two-guests-ntp's 2000 ms: the window is [0.7 s, 2 s] */

static char *tmp;

/* Simulates two-guests-ntp as a snapshot into tmp/sim (once). */
static const char *simulate(void)
{
	static char out[4200];
	if (out[0])
		return out;
	snprintf(out, sizeof(out), "%s/sim", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s/two-guests-ntp.json' -o '%s' --snapshot-from-ms %d", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios"), out, SNAP_MS);
	if (run.status != 0)
		fail_msg("vmtrace-sim: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	return out;
}

static json_t *load_truth(const char *dir)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	json_t *truth = json_load_file(path, 0, NULL);
	assert_non_null(truth);
	return truth;
}

/* What a snapshot cannot hold: the events of the start of the session. */
static void test_nothing_before_window(void **state)
{
	(void)state;
	const char *dir = simulate();
	json_t *truth = load_truth(dir);
	assert_true(json_is_true(json_object_get(truth, "snapshot")));
	uint64_t start = (uint64_t)json_integer_value(json_object_get(truth, "start_ns"));
	uint64_t run_start = (uint64_t)json_integer_value(json_object_get(truth, "run_start_ns"));
	assert_int_equal(start - run_start, SNAP_MS * 1000000ull);
	struct vt_source *src;
	struct vt_error err = {0};
	if (!(src = vt_source_open(&dir, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_event *ev;
	size_t events = 0, host_trace = (size_t)-1;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		events++;
		switch (ev->kind) {
		case VT_STATEDUMP_PROCESS:
		case VT_STATEDUMP_BEGIN:
		case VT_STATEDUMP_END:
		case VT_GUEST_DUMP:
		case VT_GUEST_VCPU:
		case VT_MACHINE_ID:
		case VT_PROCESS_FORK:
			fail_msg("a snapshot of a running system holds a %s", ev->name);
		default:
			break;
		}
		if (host_trace == (size_t)-1 && ev->kind == VT_KVM_EXIT)
			host_trace = ev->trace;
		/* The host's clock is the truth's (guests' differ by their offsets). */
		if (ev->trace == host_trace && ev->ts_ns < start)
			fail_msg("a host event at %llu, before the window (%llu)", (unsigned long long)ev->ts_ns,
				 (unsigned long long)start);
	}
	assert_int_equal(rc, 0);
	assert_true(events > 10000);
	assert_int_equal(events, json_integer_value(json_object_get(truth, "events")));
	vt_source_close(src);
	json_decref(truth);
}

static json_t *analyze(const char *dir)
{
	struct vt_run run;
	vt_run_shell(&run, "%s analyze --json '%s'", vt_vmtrace_cmd(), dir);
	if (run.status != 0)
		fail_msg("analyze: status %d: %s", run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	if (!doc)
		fail_msg("analyze: not JSON; stderr: %s", run.err);
	vt_run_free(&run);
	return doc;
}

/* The machine index analyze gave the guest named `name` (its hostname). */
static json_int_t machine_of(json_t *doc, const char *name)
{
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(doc, "machines"), i, m)
	if (!strcmp(json_string_value(json_object_get(m, "hostname")), name))
		return (json_int_t)i;
	fail_msg("analyze names no machine %s", name);
	return -1;
}

/* Every state of `want` (the truth's totals) against `got` (analyze's). */
static void check_totals(const char *what, json_t *want, json_t *got, int64_t duration)
{
	const char *key;
	json_t *w;
	json_object_foreach(want, key, w)
	{
		int64_t a = json_integer_value(w), b = json_integer_value(json_object_get(got, key));
		printf("%-24s %-10s truth %12lld ours %12lld diff %+.4f%%\n", what, key, (long long)a, (long long)b,
		       100.0 * (double)(b - a) / (double)duration);
		if (llabs(b - a) * 1000 > duration)
			fail_msg("%s: %s off by more than 0.1 %% of the window", what, key);
	}
	/* What analyze could not tell is no hiding place for the difference. */
	int64_t unknown = json_integer_value(json_object_get(got, "UNKNOWN"));
	if (unknown * 1000 > duration)
		fail_msg("%s: %lld ns UNKNOWN", what, (long long)unknown);
}

static void test_window_states_and_ties(void **state)
{
	(void)state;
	const char *dir = simulate();
	json_t *truth = load_truth(dir), *doc = analyze(dir);
	int64_t duration = json_integer_value(json_object_get(truth, "duration_ns"));
	json_t *g, *v, *t, *ours;
	size_t gi, vi, ti, k;
	size_t vcpus = 0, threads = 0;
	json_array_foreach(json_object_get(truth, "guests"), gi, g)
	{
		const char *name = json_string_value(json_object_get(g, "name"));
		json_int_t machine = machine_of(doc, name);
		json_t *mm = json_array_get(json_object_get(doc, "machines"), (size_t)machine);
		if (strcmp(json_string_value(json_object_get(mm, "role")), "guest"))
			fail_msg("%s not tied to the host: %s", name, json_string_value(json_object_get(mm, "evidence")));
		/* Tied to exactly its vCPU threads: each one, and no other. */
		size_t tied = 0;
		json_array_foreach(json_object_get(doc, "vcpus"), k, ours)
		tied += json_integer_value(json_object_get(ours, "guest")) == machine;
		assert_int_equal(tied, json_array_size(json_object_get(g, "vcpus")));
		json_array_foreach(json_object_get(g, "vcpus"), vi, v)
		{
			json_int_t tid = json_integer_value(json_object_get(v, "tid"));
			json_t *found = NULL;
			json_array_foreach(json_object_get(doc, "vcpus"), k, ours)
			if (json_integer_value(json_object_get(ours, "tid")) == tid)
				found = ours;
			if (!found || json_integer_value(json_object_get(found, "guest")) != machine)
				fail_msg("%s: vCPU thread %lld not tied to it", name, (long long)tid);
			assert_int_equal(json_integer_value(json_object_get(found, "vcpu")),
					 json_integer_value(json_object_get(v, "vcpu")));
			char what[64];
			snprintf(what, sizeof(what), "%s vCPU %lld", name, (long long)json_integer_value(json_object_get(v, "vcpu")));
			check_totals(what, json_object_get(v, "totals"), json_object_get(found, "totals_ns"), duration);
			vcpus++;
		}
		json_array_foreach(json_object_get(g, "threads"), ti, t)
		{
			json_int_t tid = json_integer_value(json_object_get(t, "tid"));
			json_t *found = NULL;
			json_array_foreach(json_object_get(doc, "threads"), k, ours)
			if (json_integer_value(json_object_get(ours, "tid")) == tid &&
			    json_integer_value(json_object_get(ours, "guest")) == machine)
				found = ours;
			if (!found)
				fail_msg("%s: thread %lld not modelled", name, (long long)tid);
			char what[64];
			snprintf(what, sizeof(what), "%s %s", name, json_string_value(json_object_get(t, "name")));
			check_totals(what, json_object_get(t, "totals"), json_object_get(found, "totals_ns"), duration);
			threads++;
		}
	}
	assert_int_equal(vcpus, 4);
	assert_int_equal(threads, 6);
	json_decref(doc);
	json_decref(truth);
}

/* The window must lie inside the run. */
static void test_window_past_the_end(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s/two-guests-ntp.json' -o '%s/late' -d 500 --snapshot-from-ms 500",
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios"), tmp);
	if (run.status == 0 || !strstr(run.err, "not within the traced duration"))
		fail_msg("status %d: %s", run.status, run.err);
	vt_run_free(&run);
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_before_window),
		cmocka_unit_test(test_window_states_and_ties),
		cmocka_unit_test(test_window_past_the_end),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
