/* --begin/--end: a window of the traces. info and sync keep each trace's
 * events inside it (counted as babeltrace2 counts them); analyze gives the
 * states over the window exactly as the whole trace's intervals cut there,
 * its first instant's states taken from the events before it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/session.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"
#include "vmtrace/timeline.h"

static void test_bad_times(void **state)
{
	(void)state;
	const char *bad[] = {"--begin 5x", "--begin ''", "--end +1e3", "--begin 1.5ns", "--begin +2 --end +1",
			     "--end 99999999999999999999", "--begin +1.0000000001"};
	const char *cmds[] = {"info", "sync", "analyze", "export --perfetto /dev/null"};
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct vt_run r;
			vt_run_shell(&r, "%s %s %s /nonexistent", vt_vmtrace_cmd(), cmds[c], bad[i]);
			if (r.status != 2 || vt_count_lines(r.err) != 1)
				fail_msg("%s %s: status %d, stderr %s", cmds[c], bad[i], r.status, r.err);
			vt_run_free(&r);
		}
	struct vt_run r;
	vt_run_shell(&r, "%s export --ctf /tmp/x --begin +1 /nonexistent", vt_vmtrace_cmd());
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--ctf copies whole traces"));
	vt_run_free(&r);
}

static json_int_t events_of(json_t *doc)
{
	json_t *t = json_array_get(json_object_get(doc, "traces"), 0);
	return json_integer_value(json_object_get(t, "events"));
}

/* The same window in seconds and ns, absolute and relative; the same count as babeltrace2's. */
static void test_info_window(void **state)
{
	(void)state;
	vt_require_testdata("real-kvm/run1");
	vt_require_program("babeltrace2");
	const char *host = vt_testdata("real-kvm/run1/host");
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 --begin=1795648995.000000000 --end=1795649000.5 '%s' | wc -l", host);
	long expected = atol(r.out);
	vt_run_free(&r);
	assert_true(expected > 1000);
	const char *forms[] = {"--begin 1795648995 --end 1795649000.5",
			       "--begin 1795648995000000000 --end 1795649000500ms",
			       "--begin 1795648995000000us --end 1795649000500000000"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		vt_run_shell(&r, "%s info --json %s '%s'", vt_vmtrace_cmd(), forms[i], host);
		assert_int_equal(r.status, 0);
		json_t *doc = json_loads(r.out, 0, NULL);
		assert_non_null(doc);
		printf("info %s: %lld events (babeltrace2: %ld)\n", forms[i], (long long)events_of(doc), expected);
		assert_int_equal(events_of(doc), expected);
		json_decref(doc);
		vt_run_free(&r);
	}
}

/* The whole trace's vCPU intervals, through the library's session. */
static struct vt_session *whole_model(const char *dir)
{
	struct vt_error err = {0};
	struct vt_session *session = vt_session_new(NULL, &err);
	assert_non_null(session);
	struct vt_session_model_options opt = {.host = VT_SESSION_HOST_AUTO, .record_intervals = 1};
	if (vt_session_read(session, dir, &err) || vt_session_model(session, &opt, &err))
		fail_msg("%s", err.msg);
	return session;
}

static void test_analyze_window(void **state)
{
	(void)state;
	vt_require_testdata("real-kvm/run1");
	const char *rec = vt_testdata("real-kvm/run1");
	struct vt_session *session = whole_model(rec);
	const struct vt_model *whole = vt_session_model_result(session);
	/* Relative times count from the host's first event. */
	uint64_t base = whole->first_ns, a = base + 5000000000ULL, b = base + 25500000000ULL;
	struct vt_run r;
	vt_run_shell(&r, "%s analyze --json --begin +5 --end +25.5 '%s'", vt_vmtrace_cmd(), rec);
	assert_int_equal(r.status, 0);
	json_t *doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	json_t *vcpus = json_object_get(doc, "vcpus"), *v;
	size_t i;
	assert_int_equal(json_array_size(vcpus), 3);
	json_array_foreach(vcpus, i, v)
	{
		int32_t tid = (int32_t)json_integer_value(json_object_get(v, "tid"));
		const struct vt_vcpu_model *w = NULL;
		for (size_t k = 0; k < whole->nvcpus; k++)
			if (whole->vcpus[k].tid == tid)
				w = &whole->vcpus[k];
		assert_non_null(w);
		uint64_t s = (uint64_t)json_integer_value(json_object_get(v, "start_ns"));
		uint64_t e = (uint64_t)json_integer_value(json_object_get(v, "end_ns"));
		assert_int_equal(s, a);
		assert_int_equal(e, w->end_ns < b ? w->end_ns : b); /* a vCPU thread may end inside */
		uint64_t ref[VT_VCPU_STATE_COUNT] = {0};
		for (size_t k = 0; k < w->nintervals; k++) {
			const struct vt_vcpu_interval *iv = &w->intervals[k];
			uint64_t x = iv->start > s ? iv->start : s, y = iv->end < e ? iv->end : e;
			if (y > x)
				ref[iv->state] += y - x;
		}
		json_t *totals = json_object_get(v, "totals_ns");
		for (int st = 0; st < VT_VCPU_STATE_COUNT; st++) {
			json_int_t got = json_integer_value(json_object_get(totals, vt_vcpu_state_name((enum vt_vcpu_state)st)));
			printf("tid %d %-10s window %12lld ns, whole trace cut there %12llu ns\n", tid,
			       vt_vcpu_state_name((enum vt_vcpu_state)st), (long long)got, (unsigned long long)ref[st]);
			assert_int_equal((uint64_t)got, ref[st]);
		}
	}
	json_decref(doc);
	vt_run_free(&r);
	vt_session_free(session);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_info_window),
		cmocka_unit_test(test_analyze_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
