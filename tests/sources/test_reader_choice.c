/* Which CTF decoder reads: native by default, --reader babeltrace2 on request,
 * VMTRACE_READER when no option says, the option over the environment; both
 * passes of analyze with the same one; CTF 2 refused by babeltrace2 2.0 in a
 * line that says what to do; bad names refused. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *example;
static char *tmp;

/* `ENV vmtrace info --json ARGS PATH`: the first trace's reader and events. */
static int info_reader(const char *env, const char *args, const char *path, char *reader, size_t size,
		       json_int_t *events)
{
	struct vt_run run;
	vt_run_shell(&run, "%s %s info --json %s '%s'", env, vt_vmtrace_cmd(), args, path);
	int status = run.status;
	json_t *doc = json_loads(run.out, 0, NULL);
	json_t *t = json_array_get(json_object_get(doc, "traces"), 0);
	snprintf(reader, size, "%s", t ? json_string_value(json_object_get(t, "reader")) : "none");
	*events = t ? json_integer_value(json_object_get(t, "events")) : -1;
	json_decref(doc);
	vt_run_free(&run);
	return status;
}

static void test_choice(void **state)
{
	(void)state;
	char reader[32];
	json_int_t native_events, bt2_events;
	assert_int_equal(info_reader("", "", example, reader, sizeof(reader), &native_events), 0);
	assert_string_equal(reader, "native");
	assert_int_equal(info_reader("", "--reader babeltrace2", example, reader, sizeof(reader), &bt2_events), 0);
	assert_string_equal(reader, "babeltrace2");
	assert_int_equal(bt2_events, native_events);
	assert_true(native_events > 0);
	assert_int_equal(info_reader("VMTRACE_READER=babeltrace2", "", example, reader, sizeof(reader), &bt2_events),
			 0);
	assert_string_equal(reader, "babeltrace2");
	assert_int_equal(
		info_reader("VMTRACE_READER=babeltrace2", "--reader native", example, reader, sizeof(reader), &bt2_events),
		0);
	assert_string_equal(reader, "native");
	/* A trace.dat goes through libtracecmd whatever the choice. */
	const char *dat = vt_source_path("tests/data/host-kvm.dat");
	assert_int_equal(info_reader("", "--reader babeltrace2", dat, reader, sizeof(reader), &bt2_events), 0);
	assert_string_equal(reader, "libtracecmd");
}

static void test_bad_names(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info --reader bt3 '%s'", vt_vmtrace_cmd(), example);
	assert_int_equal(run.status, 2);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "--reader wants native or babeltrace2, not 'bt3'"));
	vt_run_free(&run);
	vt_run_shell(&run, "VMTRACE_READER=bt3 %s info '%s'", vt_vmtrace_cmd(), example);
	assert_int_equal(run.status, 1);
	assert_non_null(strstr(run.err, "VMTRACE_READER=bt3: expected native or babeltrace2"));
	vt_run_free(&run);
	/* An option given: the environment is not asked. */
	vt_run_shell(&run, "VMTRACE_READER=bt3 %s info --reader native '%s'", vt_vmtrace_cmd(), example);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	vt_run_shell(&run, "%s analyze --help", vt_vmtrace_cmd());
	assert_non_null(strstr(run.out, "--reader NAME"));
	vt_run_free(&run);
}

/* The simulator's CTF 2: ours reads it, analyze too (both passes); babeltrace2
 * 2.0 cannot, and the line says so. */
static void test_ctf2(void **state)
{
	(void)state;
	char out[4200];
	snprintf(out, sizeof(out), "%s/ctf2", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 300 --format ctf2", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/two-guests-ntp.json"), out);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	vt_run_shell(&run, "%s analyze --json '%s'", vt_vmtrace_cmd(), out);
	if (run.status != 0)
		fail_msg("analyze exits %d: %s", run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	json_decref(doc);
	vt_run_free(&run);
	char host[4300];
	snprintf(host, sizeof(host), "%s/host/kernel", out);
	char reader[32];
	json_int_t events;
	assert_int_equal(info_reader("", "", host, reader, sizeof(reader), &events), 0);
	assert_true(events > 0);
	vt_run_shell(&run, "babeltrace2 --version | grep -q '^Babeltrace 2\\.0\\.'");
	int old = run.status == 0;
	vt_run_free(&run);
	if (!old) {
		printf("babeltrace2 is not 2.0: it may read CTF 2, not checked\n");
		return;
	}
	vt_run_shell(&run, "%s info --reader babeltrace2 '%s'", vt_vmtrace_cmd(), host);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "CTF 2, which babeltrace2 2.0 cannot read (--reader native can)"));
	assert_non_null(strstr(run.err, host));
	vt_run_free(&run);
}

int main(void)
{
	vt_require_program("babeltrace2");
	example = strdup(vt_source_path("examples/ust-hello/trace"));
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_ctf2),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	free((char *)example);
	return rc;
}
