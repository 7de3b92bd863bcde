/* `vmtrace analyze`: with no PATH it simulates the bundled example; --json
 * totals add up per vCPU; without a host trace it says what is missing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Removes the example folder analyze says it simulated into (and only it:
 * other runs of the suite may be simulating beside this one). */
static void remove_example(const char *err)
{
	const char *p = strstr(err, "simulated the bundled example into ");
	if (!p)
		return;
	p += strlen("simulated the bundled example into ");
	char dir[256];
	size_t n = strcspn(p, "\n");
	if (n == 0 || n >= sizeof(dir) || strncmp(p, "/tmp/vmtrace-example-", 21))
		return;
	memcpy(dir, p, n);
	dir[n] = '\0';
	vt_rmtree(dir);
}

static void test_bundled_example_json(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "VMTRACE_SCENARIOS='%s' %s analyze --json", vt_source_path("scenarios"), vt_vmtrace_cmd());
	if (run.status != 0)
		fail_msg("status %d: %s", run.status, run.err);
	remove_example(run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	if (!doc)
		fail_msg("not JSON; stderr: %s", run.err);
	json_t *vcpus = json_object_get(doc, "vcpus"), *v;
	size_t i;
	assert_int_equal(json_array_size(vcpus), 4);
	json_array_foreach(vcpus, i, v)
	{
		json_t *tot = json_object_get(v, "totals_ns"), *x;
		const char *key;
		json_int_t sum = 0;
		json_object_foreach(tot, key, x)
		sum += json_integer_value(x);
		assert_int_equal(sum, json_integer_value(json_object_get(v, "end_ns")) -
					      json_integer_value(json_object_get(v, "start_ns")));
		assert_true(json_integer_value(json_object_get(tot, "GUEST")) > 0);
		assert_true(json_integer_value(json_object_get(tot, "PREEMPTED")) > 0);
		assert_true(json_array_size(json_object_get(v, "preempted_by")) > 0);
		assert_true(json_integer_value(json_object_get(v, "guest")) >= 0);
	}
	json_decref(doc);
	vt_run_free(&run);
	/* The text report names the guests and the states. */
	vt_run_shell(&run, "VMTRACE_SCENARIOS='%s' %s analyze", vt_source_path("scenarios"), vt_vmtrace_cmd());
	remove_example(run.err);
	if (run.status != 0 || !strstr(run.out, "guest1 (QEMU") || !strstr(run.out, "preempted by:"))
		fail_msg("status %d\nstdout: %s\nstderr: %s", run.status, run.out, run.err);
	vt_run_free(&run);
}

static void test_guest_without_host(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s analyze '%s'", vt_vmtrace_cmd(), vt_source_path("examples/ust-hello"));
	if (run.status != 1 || !strstr(run.err, "no host trace") || vt_count_lines(run.err) != 1)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_example_json),
		cmocka_unit_test(test_guest_without_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
