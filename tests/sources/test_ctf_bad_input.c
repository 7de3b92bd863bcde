/* Bad input gives one line naming the path and the problem, exit 1, no crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp;
static const char *example; /* a real trace folder to damage copies of */

/* Runs vmtrace info and checks the refusal. */
static void expect_refusal(const char *path, const char *needle)
{
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), path);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, path) ||
	    (needle && !strstr(run.err, needle)))
		fail_msg("vmtrace info %s: status %d, stderr: %s", path, run.status, run.err);
	assert_null(strstr(run.err, "AddressSanitizer"));
	assert_int_equal(run.out_len, 0);
	vt_run_free(&run);
}

static char *copy_example(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	struct vt_run run;
	vt_run_shell(&run, "cp -r '%s' '%s' && chmod -R a+rX '%s'", example, path, path);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	return path;
}

static void test_missing_path(void **state)
{
	(void)state;
	char p[4200];
	snprintf(p, sizeof(p), "%s/does-not-exist", tmp);
	expect_refusal(p, "No such file");
}

static void test_empty_folder(void **state)
{
	(void)state;
	char p[4200];
	snprintf(p, sizeof(p), "%s/empty", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_refusal(p, "no CTF trace");
}

static void test_file_not_folder(void **state)
{
	(void)state;
	char p[4200];
	snprintf(p, sizeof(p), "%s/afile", tmp);
	FILE *f = fopen(p, "w");
	fputs("not a trace\n", f);
	fclose(f);
	expect_refusal(p, "not a trace folder");
}

static void test_truncated_stream(void **state)
{
	(void)state;
	char *p = copy_example("truncated");
	struct vt_run run;
	vt_run_shell(&run, "truncate -s 5000 '%s/channel0_0'", p);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	expect_refusal(p, "channel0_0");
	/* Without the index, babeltrace2 must find the truncation by itself. */
	vt_run_shell(&run, "rm -rf '%s/index'", p);
	vt_run_free(&run);
	expect_refusal(p, "channel0_0");
}

static void test_corrupted_metadata(void **state)
{
	(void)state;
	char *p = copy_example("corrupted");
	struct vt_run run;
	vt_run_shell(&run, "printf 'garbage}}}{{;;' | dd of='%s/metadata' bs=1 seek=600 conv=notrunc 2>/dev/null",
		     p);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	expect_refusal(p, "metadata");
}

static void test_unreadable_file(void **state)
{
	(void)state;
	char *p = copy_example("unreadable");
	char file[4200];
	snprintf(file, sizeof(file), "%s/channel0_1", p);
	assert_int_equal(chmod(file, 0), 0);
	if (geteuid() != 0) {
		expect_refusal(p, "Permission denied");
		return;
	}
	/* root reads anything: run as nobody, from a copy of the command nobody can run. */
	struct vt_run run;
	vt_run_shell(&run, "command -v setpriv && cp '%s' '%s/vmtrace' && chmod 755 '%s/vmtrace'",
		     vt_build_path("vmtrace"), tmp, tmp);
	int have_setpriv = run.status == 0;
	vt_run_free(&run);
	if (!have_setpriv) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "setpriv missing, cannot test as a non-root user");
		return;
	}
	vt_run_shell(&run, "setpriv --reuid=65534 --regid=65534 --clear-groups '%s/vmtrace' info '%s'", tmp, p);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, "channel0_1") ||
	    !strstr(run.err, "Permission denied"))
		fail_msg("as nobody: status %d, stderr: %s", run.status, run.err);
	assert_int_equal(run.out_len, 0);
	vt_run_free(&run);
}

/* One bad path among good ones: the good ones are still printed, exit 1. */
static void test_mixed_paths(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s' '%s/nope'", vt_vmtrace_cmd(), example, tmp);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.out, "events          600"));
	vt_run_free(&run);
}

static int setup(void **state)
{
	(void)state;
	tmp = vt_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(tmp);
	free(tmp);
	return 0;
}

int main(void)
{
	example = strdup(vt_source_path("examples/ust-hello/trace/ust/uid/0/64-bit"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_path),
		cmocka_unit_test(test_empty_folder),
		cmocka_unit_test(test_file_not_folder),
		cmocka_unit_test(test_truncated_stream),
		cmocka_unit_test(test_corrupted_metadata),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_mixed_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
