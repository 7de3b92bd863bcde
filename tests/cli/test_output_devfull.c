/* Every command and output form with its output on a full device
 * (/dev/full): exit 1 and one line that names the output, never 0 over a
 * truncated result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clitest.h"
#include "testutil.h"

static char *tmp, sim[4200];

struct form {
	const char *args;     /* after `vmtrace`; %s is the simulated trace folder */
	const char *redirect; /* of the command's stdout */
	const char *names;    /* the one line says this */
};

static const struct form forms[] = {
	{"info %s", ">/dev/full", "vmtrace info: standard output: cannot write: No space left on device"},
	{"info --json %s", ">/dev/full", "vmtrace info: standard output: cannot write: No space left on device"},
	{"sync %s", ">/dev/full", "vmtrace sync: standard output: cannot write: No space left on device"},
	{"sync --json %s", ">/dev/full", "vmtrace sync: standard output: cannot write: No space left on device"},
	{"analyze %s", ">/dev/full", "vmtrace analyze: standard output: cannot write: No space left on device"},
	{"analyze --json %s", ">/dev/full", "vmtrace analyze: standard output: cannot write: No space left on device"},
	{"analyze --html /dev/full %s", ">/dev/null", "vmtrace analyze: /dev/full: cannot write: No space left on device"},
	{"export --perfetto /dev/full %s", ">/dev/null", "vmtrace export: /dev/full: cannot write: No space left on device"},
	{"export --perfetto - %s", ">/dev/full", "vmtrace export: standard output: cannot write: No space left on device"},
	{"clock-check", ">/dev/full", "vmtrace clock-check: standard output: cannot write: No space left on device"},
	{"--help", ">/dev/full", "vmtrace --help: standard output: cannot write: No space left on device"},
	{"export --help", ">/dev/full", "vmtrace export: standard output: cannot write: No space left on device"},
};

static void test_vmtrace_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char args[8400];
		snprintf(args, sizeof(args), forms[i].args, sim);
		struct vt_run run;
		vt_run_shell(&run, "%s %s %s", vt_vmtrace_cmd(), args, forms[i].redirect);
		printf("vmtrace %s %s: status %d: %s", forms[i].args, forms[i].redirect, run.status, run.err);
		assert_int_equal(run.status, 1);
		assert_int_equal(vt_count_lines(run.err), 1);
		assert_non_null(strstr(run.err, forms[i].names));
		vt_run_free(&run);
	}
}

static void test_vmtrace_sim(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "'%s' --help >/dev/full", vt_build_path("vmtrace-sim"));
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "vmtrace-sim: standard output: cannot write: No space left on device"));
	vt_run_free(&run);
	/* --stats: its line is on stderr; lost there, the run did not do what was asked */
	char out[4300];
	snprintf(out, sizeof(out), "%s/stats", tmp);
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 100 --stats 2>/dev/full", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/host-only.json"), out);
	assert_int_equal(run.status, 1);
	vt_run_free(&run);
}

int main(void)
{
	tmp = vt_mkdtemp();
	snprintf(sim, sizeof(sim), "%s/sim", tmp);
	cli_simulate("two-guests-ntp", sim, "-d 500");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmtrace_forms),
		cmocka_unit_test(test_vmtrace_sim),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
