/* The agent's commands as a user meets them: --help, usage errors, and
 * clock-check against fake /sys, /etc and a fake chronyc on PATH. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_help(void **state)
{
	(void)state;
	const char *cmds[] = {"vmtrace guests --help", "vmtrace watch --help", "vmtrace clock-check --help",
			      "vmtraced --help"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct vt_run r;
		vt_run_shell(&r, "%s/%s", vt_build_path(""), cmds[i]);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "usage:"));
		vt_run_free(&r);
	}
	struct vt_run r;
	vt_run_shell(&r, "%s --help", vt_build_path("vmtrace"));
	assert_non_null(strstr(r.out, "guests"));
	assert_non_null(strstr(r.out, "watch"));
	assert_non_null(strstr(r.out, "clock-check"));
	vt_run_free(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	const char *cmds[] = {"vmtrace guests --bogus", "vmtrace guests extra", "vmtrace watch --bogus",
			      "vmtrace clock-check stray", "vmtraced --sinks ust,bogus", "vmtraced stray"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct vt_run r;
		vt_run_shell(&r, "%s/%s", vt_build_path(""), cmds[i]);
		assert_int_equal(r.status, 2);
		/* One line naming the problem (getopt's, or ours). */
		assert_true(r.err_len > 0);
		vt_run_free(&r);
	}
	struct vt_run r;
	vt_run_shell(&r, "%s guests --proc /nonexistent", vt_build_path("vmtrace"));
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "vmtrace guests: /nonexistent: cannot list processes: No such file or directory\n");
	vt_run_free(&r);
	vt_run_shell(&r, "%s --sinks ust,bogus", vt_build_path("vmtraced"));
	assert_non_null(strstr(r.err, "unknown sink 'bogus'"));
	vt_run_free(&r);
}

/* Lines of text holding needle. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *hit = strstr(line, needle);
		n += hit && hit < line + len;
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/* Output that cannot be written (a full disk): exit 1, one line naming
 * standard output, never 0 over a lost result. */
static void test_full_stdout(void **state)
{
	(void)state;
	const char *cmds[] = {"vmtrace guests", "vmtrace guests --json", "vmtraced --once --sinks json",
			      "vmtraced --once", "vmtraced --sinks json --check-ms 0", "vmtrace watch --json --statedump",
			      "vmtrace watch --statedump"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct vt_run r;
		vt_run_shell(&r, "%s/%s > /dev/full", vt_build_path(""), cmds[i]);
		printf("%s > /dev/full: exit %d, stderr:\n%s", cmds[i], r.status, r.err);
		assert_int_equal(r.status, 1);
		assert_int_equal(lines_with(r.err, "standard output"), 1);
		assert_int_equal(lines_with(r.err, "standard output: cannot write: No space left on device"), 1);
		vt_run_free(&r);
	}
}

/* --dump-every: a dump at start, then one per period (none without it);
 * refused outside 0.1..86400 s with one line. */
static void test_dump_every(void **state)
{
	(void)state;
	struct vt_run r;
	/* SIGTERM, not SIGINT: started from a background job, a shell passes
	 * SIGINT on ignored, and one sent before vmtraced catches it would be lost. */
	vt_run_shell(&r, "timeout -k 5 -s TERM 1.3 %s --sinks json --check-ms 0 --dump-every 0.25 | grep -c statedump_begin",
		     vt_build_path("vmtraced"));
	int dumps = atoi(r.out);
	printf("--dump-every 0.25 for 1.3 s: %d dumps\n", dumps);
	/* 1 + 5 on time; a busy machine (a sanitizer's start-up) may delay the first ones. */
	assert_true(dumps >= 3 && dumps <= 6);
	vt_run_free(&r);
	vt_run_shell(&r, "timeout -k 5 -s TERM 2 %s --sinks json --check-ms 0 | grep -c statedump_begin",
		     vt_build_path("vmtraced"));
	/* One; or more when the kernel dropped uevents (other tests' QEMUs
	 * starting while a sanitizer slows us): each loss dumps again, and says so. */
	int once = atoi(r.out), resyncs = lines_with(r.err, "uevents were lost");
	if (once != 1 + resyncs)
		fail_msg("without --dump-every: %d dumps, %d uevent losses; stderr:\n%s", once, resyncs, r.err);
	vt_run_free(&r);
	const char *bad[] = {"0", "0.05", "abc", "2s", "1e9", "-1", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vt_run_shell(&r, "%s --sinks json --dump-every '%s'", vt_build_path("vmtraced"), bad[i]);
		assert_int_equal(r.status, 2);
		assert_int_equal(vt_count_lines(r.err), 1);
		assert_non_null(strstr(r.err, "--dump-every wants seconds"));
		vt_run_free(&r);
	}
}

static void put(const char *root, const char *rel, const char *content, int mode)
{
	char path[1024], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static void test_clock_check(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	/* A guest set up right: ptp_kvm, its clock, chrony using it and selecting it. */
	put(root, "sys/module/ptp_kvm/refcnt", "0\n", 0644);
	put(root, "sys/class/ptp/ptp0/clock_name", "KVM virtual PTP\n", 0644);
	put(root, "etc/chrony/chrony.conf", "refclock PHC /dev/ptp0 poll 2\n", 0644);
	put(root, "bin/chronyc",
	    "#!/bin/sh\n"
	    "case \"$*\" in\n"
	    "*tracking*) echo '50484330,PHC0,1,1764115200.0,-0.000000042,0.000000003,0.000000017,-1.2,0.001,0.01,0.0,0.0,4.0,Normal' ;;\n"
	    "*sources*) echo '#,*,PHC0,0,2,377,4,-0.00000004,-0.00000004,0.00000005' ;;\n"
	    "esac\n", 0755);
	struct vt_run r;
	vt_run_shell(&r, "PATH=%s/bin:$PATH %s clock-check --sys %s/sys --etc %s/etc", root,
		     vt_build_path("vmtrace"), root, root);
	printf("%s", r.out);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "tracking PHC0, offset -42 ns"));
	vt_run_free(&r);
	vt_run_shell(&r, "PATH=%s/bin:$PATH %s clock-check --json --sys %s/sys --etc %s/etc", root,
		     vt_build_path("vmtrace"), root, root);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"chrony_phc_selected\": true"));
	vt_run_free(&r);

	/* chrony without the refclock line, and chronyd not answering. */
	put(root, "etc/chrony/chrony.conf", "pool pool.ntp.org iburst\n", 0644);
	put(root, "bin/chronyc", "#!/bin/sh\necho '506 Cannot talk to daemon' >&2\nexit 1\n", 0755);
	vt_run_shell(&r, "PATH=%s/bin:$PATH %s clock-check --sys %s/sys --etc %s/etc", root,
		     vt_build_path("vmtrace"), root, root);
	printf("%s", r.out);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "add to "));
	assert_non_null(strstr(r.out, "refclock PHC /dev/ptp0 poll 2"));
	assert_non_null(strstr(r.out, "chronyd not running"));
	vt_run_free(&r);

	/* Not a KVM guest at all: says what to load, does not crash. */
	vt_run_shell(&r, "%s clock-check --no-chronyc --sys %s/nothing --etc %s/nothing", vt_build_path("vmtrace"),
		     root, root);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "modprobe ptp_kvm"));
	assert_non_null(strstr(r.out, "no chrony.conf found"));
	vt_run_free(&r);
	vt_rmtree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_full_stdout),
		cmocka_unit_test(test_dump_every),
		cmocka_unit_test(test_clock_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
