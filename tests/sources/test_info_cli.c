/* `vmtrace info` on the bundled example: text, JSON, help, usage errors. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *example;

static void test_text(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), vt_source_path("examples/ust-hello"));
	assert_int_equal(run.status, 0);
	assert_int_equal(run.err_len, 0);
	const char *want[] = {"trace ", "64-bit\n", "hostname        vm\n", "domain          ust\n",
			      "tracer          lttng-ust 2.13\n", "product_uuid    none\n",
			      "clock           monotonic, 1000000000 Hz", "streams         2\n",
			      "events          600\n", "top kinds       OTHER 600\n",
			      "discarded       0 events, 0 packets\n", "backward steps  0\n", " UTC ..", "duration        0."};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(run.out, want[i]))
			fail_msg("missing '%s' in:\n%s", want[i], run.out);
	vt_run_free(&run);
}

static void test_json(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), example);
	assert_int_equal(run.status, 0);
	json_error_t jerr;
	json_t *doc = json_loads(run.out, 0, &jerr);
	if (!doc)
		fail_msg("not JSON: %s", jerr.text);
	json_t *traces = json_object_get(doc, "traces");
	assert_int_equal(json_array_size(traces), 1);
	json_t *t = json_array_get(traces, 0);
	assert_int_equal(json_integer_value(json_object_get(t, "events")), 600);
	assert_string_equal(json_string_value(json_object_get(t, "domain")), "ust");
	assert_true(json_is_null(json_object_get(t, "product_uuid")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "events_per_kind"), "OTHER")), 600);
	json_int_t first = json_integer_value(json_object_get(t, "first_ns"));
	json_int_t last = json_integer_value(json_object_get(t, "last_ns"));
	assert_true(first > 1700000000000000000LL && last > first);
	assert_int_equal(json_integer_value(json_object_get(t, "duration_ns")), last - first);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "clock"), "freq_hz")), 1000000000);
	assert_int_equal(json_array_size(json_object_get(doc, "errors")), 0);
	json_decref(doc);
	vt_run_free(&run);
}

static void test_json_with_error(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s' /nonexistent-vmtrace", vt_vmtrace_cmd(), example);
	assert_int_equal(run.status, 1);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "traces")), 1);
	json_t *errors = json_object_get(doc, "errors");
	assert_int_equal(json_array_size(errors), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "error")),
			       "/nonexistent-vmtrace"));
	json_decref(doc);
	vt_run_free(&run);
}

static void test_help_and_usage(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info --help", vt_vmtrace_cmd());
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "usage: vmtrace info"));
	vt_run_free(&run);
	vt_run_shell(&run, "%s info", vt_vmtrace_cmd());
	assert_int_equal(run.status, 2);
	vt_run_free(&run);
	vt_run_shell(&run, "%s --help", vt_vmtrace_cmd());
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "info"));
	vt_run_free(&run);
	vt_run_shell(&run, "%s no-such-command", vt_vmtrace_cmd());
	assert_int_equal(run.status, 2);
	vt_run_free(&run);
}

int main(void)
{
	example = strdup(vt_source_path("examples/ust-hello/trace"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_with_error),
		cmocka_unit_test(test_help_and_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
