/* A full disk (a 1 MiB tmpfs, filled) as the output folder of every command
 * that writes files, and as TMPDIR: exit 1, one line with the real cause,
 * nothing left behind, and the earlier result at the same path untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clitest.h"
#include "testutil.h"

static char *tmp, sim[4200], full[4200];

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", full, name);
}

/* Runs a command that must fail for want of room, with the line it must say. */
static void expect_no_space(const char *cmd, const char *names)
{
	struct vt_run run;
	vt_run_shell(&run, "%s", cmd);
	printf("%s\n  status %d: %s", cmd, run.status, run.err);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, names));
	assert_non_null(strstr(run.err, "No space left on device"));
	vt_run_free(&run);
}

static void test_result_files(void **state)
{
	(void)state;
	char html[4300], json[4300], cmd[20000], names[4400];
	path_in(html, sizeof(html), "r.html");
	path_in(json, sizeof(json), "p.json");
	snprintf(cmd, sizeof(cmd), "%s analyze --html '%s' '%s' >/dev/null", vt_vmtrace_cmd(), html, sim);
	snprintf(names, sizeof(names), "vmtrace analyze: %s: cannot write", html);
	expect_no_space(cmd, names);
	assert_true(cli_holds(html, "earlier report"));
	snprintf(cmd, sizeof(cmd), "%s export --perfetto '%s' '%s'", vt_vmtrace_cmd(), json, sim);
	snprintf(names, sizeof(names), "vmtrace export: %s: cannot write", json);
	expect_no_space(cmd, names);
	assert_true(cli_holds(json, "earlier trace"));
	assert_int_equal(cli_leftovers(full), 0);
}

static void test_ctf_folder(void **state)
{
	(void)state;
	char out[4300], cmd[20000], names[4400];
	path_in(out, sizeof(out), "ctf");
	snprintf(cmd, sizeof(cmd), "%s export --ctf '%s' '%s'", vt_vmtrace_cmd(), out, sim);
	snprintf(names, sizeof(names), "vmtrace export: %s: cannot write: No space left on device", out);
	expect_no_space(cmd, names); /* not babeltrace2's double free (killed by SIGABRT) */
	assert_int_equal(cli_entries(out), 0); /* the empty folder given stays as it was */
	assert_int_equal(cli_leftovers(full), 0);
}

static void test_simulator(void **state)
{
	(void)state;
	char out[4300], keep[4400], cmd[20000], names[4400];
	path_in(out, sizeof(out), "simout"); /* an earlier vmtrace-sim output (mount_full) */
	snprintf(keep, sizeof(keep), "%s/host/keep", out);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' -o '%s' -d 500", vt_build_path("vmtrace-sim"),
		 vt_source_path("scenarios/two-guests-ntp.json"), out);
	snprintf(names, sizeof(names), "vmtrace-sim: %s/", out);
	expect_no_space(cmd, names);
	assert_true(cli_holds(keep, "earlier trace"));
	char path[4400];
	snprintf(path, sizeof(path), "%s/truth.json", out);
	char *now = vt_read_file(path, NULL), *before = NULL;
	snprintf(path, sizeof(path), "%s/small/truth.json", tmp);
	before = vt_read_file(path, NULL);
	assert_non_null(now);
	assert_non_null(before);
	assert_string_equal(now, before);
	free(now);
	free(before);
	path_in(out, sizeof(out), "newsim"); /* a new folder: none left */
	snprintf(cmd, sizeof(cmd), "'%s' '%s' -o '%s' -d 500", vt_build_path("vmtrace-sim"),
		 vt_source_path("scenarios/two-guests-ntp.json"), out);
	snprintf(names, sizeof(names), "vmtrace-sim: %s/", out);
	expect_no_space(cmd, names);
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(cli_leftovers(full), 0);
}

static void test_tmpdir(void **state)
{
	(void)state;
	char cmd[20000], names[4400];
	snprintf(cmd, sizeof(cmd), "TMPDIR='%s' %s sync '%s' >/dev/null", full, vt_vmtrace_cmd(), sim);
	snprintf(names, sizeof(names), "TMPDIR %s: No space left on device; set TMPDIR to a folder with more room",
		 full);
	expect_no_space(cmd, names);
	assert_int_equal(cli_leftovers(full), 0);
}

/* The tmpfs, with the earlier results in it, then filled to the last byte. */
static int mount_full(void)
{
	snprintf(full, sizeof(full), "%s/full", tmp);
	mkdir(full, 0755);
	if (mount("tmpfs", full, "tmpfs", 0, "size=1m") != 0)
		return -1;
	char path[4400];
	path_in(path, sizeof(path), "r.html");
	cli_write(path, "earlier report");
	path_in(path, sizeof(path), "p.json");
	cli_write(path, "earlier trace");
	path_in(path, sizeof(path), "ctf");
	mkdir(path, 0755);
	path_in(path, sizeof(path), "simout");
	mkdir(path, 0755);
	path_in(path, sizeof(path), "simout/host");
	mkdir(path, 0755);
	path_in(path, sizeof(path), "simout/host/keep");
	cli_write(path, "earlier trace");
	struct vt_run run;
	vt_run_shell(&run, "cp '%s/small/truth.json' '%s/simout/' && "
			   "dd if=/dev/zero of='%s/filler' bs=4k 2>/dev/null; df -k '%s' | tail -1",
		     tmp, full, full, full);
	printf("filled: %s", run.out);
	vt_run_free(&run);
	return 0;
}

int main(void)
{
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "mounting a small tmpfs needs root");
	tmp = vt_mkdtemp();
	snprintf(sim, sizeof(sim), "%s/sim", tmp);
	cli_simulate("two-guests-ntp", sim, "-d 500");
	char small[4300]; /* its truth.json (2 KiB) marks the earlier output in the full tmpfs */
	snprintf(small, sizeof(small), "%s/small", tmp);
	cli_simulate("host-only", small, "-d 100");
	if (mount_full()) {
		vt_rmtree(tmp);
		vt_skip(VT_SKIP_ENVIRONMENT, "cannot mount a tmpfs here");
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_files),
		cmocka_unit_test(test_ctf_folder),
		cmocka_unit_test(test_simulator),
		cmocka_unit_test(test_tmpdir),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	umount(full);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
