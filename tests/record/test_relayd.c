/* `vmtrace record --relay`'s daemon (src/record/relayd.c) with the real
 * lttng-relayd and a real LTTng session streaming to it: its address and
 * ports checked, a second one on taken ports refused, the session's folder
 * found under whatever host name the sender has and moved into place, the
 * daemon's own folder removed after, or kept (and said) when something no
 * guest claimed is left; a symbolic link or two folders of one session are
 * not taken. The guest side of --relay (the script falling back to a local
 * trace) is in test_guest_scripts; a real guest streaming in test_testbed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_helpers.h"
#include "record/relayd.h"
#include "testutil.h"

static char *tmp;

static void test_parse(void **state)
{
	(void)state;
	struct vt_relayd r;
	struct vt_error err;
	assert_int_equal(vt_relayd_parse(&r, "10.0.3.1", &err), 0);
	assert_string_equal(r.addr, "10.0.3.1");
	assert_int_equal(r.ctrl, 0);
	assert_int_equal(vt_relayd_parse(&r, "relay-host.example:6000:6001", &err), 0);
	assert_string_equal(r.addr, "relay-host.example");
	assert_int_equal(r.ctrl, 6000);
	assert_int_equal(r.data, 6001);
	const char *bad[] = {"", ":1:2", "a:1", "a:1:2:3", "a:0:2", "a:1:65536", "a:5:5", "a b", "a;reboot",
			     "-x", "fe80::1", "a:1:x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vt_relayd_parse(&r, bad[i], &err), -1);
		printf("'%s': %s\n", bad[i], err.msg);
		assert_null(strchr(err.msg, '\n'));
	}
}

static void lttng(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	struct vt_run r;
	vt_run_shell(&r, "lttng %s", cmd);
	if (r.status != 0)
		fail_msg("lttng %s: %s%s", cmd, r.out, r.err);
	vt_run_free(&r);
}

static void test_stream(void **state)
{
	(void)state;
	if (geteuid() != 0)
		vt_skip_part(VT_SKIP_NO_ROOT, "vmtraced, the UST events' source here, needs root");
	if (geteuid() != 0)
		return;
	char home[700], outdir[700], dest[800], out[800], err_path[800];
	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(outdir, sizeof(outdir), "%s/rec", tmp);
	assert_int_equal(mkdir(outdir, 0755), 0);
	assert_int_equal(vt_h_sessiond_start(home), 0);

	struct vt_relayd r;
	struct vt_error err;
	assert_int_equal(vt_relayd_parse(&r, "127.0.0.1", &err), 0);
	if (vt_relayd_start(&r, outdir, &err) < 0)
		fail_msg("start: %s", err.msg);
	printf("relay at %s (pid %d)\n", r.url, (int)r.pid);
	assert_true(r.pid > 0);
	/* Its ports are taken now: a second daemon on them is refused at once. */
	struct vt_relayd r2;
	char spec[128], other[700];
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:%u", r.ctrl, r.data);
	snprintf(other, sizeof(other), "%s/other", tmp);
	assert_int_equal(mkdir(other, 0755), 0);
	assert_int_equal(vt_relayd_parse(&r2, spec, &err), 0);
	assert_int_equal(vt_relayd_start(&r2, other, &err), -1);
	printf("second: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "is taken"));
	/* Without ports, a second one takes free ones. */
	assert_int_equal(vt_relayd_parse(&r2, "127.0.0.1", &err), 0);
	if (vt_relayd_start(&r2, other, &err) < 0)
		fail_msg("second, free ports: %s", err.msg);
	assert_true(r2.ctrl != r.ctrl && r2.data != r.data);
	vt_relayd_stop(&r2);
	assert_int_equal(vt_relayd_finish(&r2, &err), 0);

	/* A session named as a guest's streams to it; vmtraced fills it. */
	const char *session = "vmtrace-77-4242";
	lttng("create %s --set-url=%s >/dev/null", session, r.url);
	lttng("enable-event -u -s %s 'vmtrace:*' >/dev/null%s", session, "");
	lttng("start %s >/dev/null%s", session, "");
	snprintf(out, sizeof(out), "%s/agent.out", tmp);
	snprintf(err_path, sizeof(err_path), "%s/agent.err", tmp);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "exec %s --check-ms 20 %s %s", vt_build_path("vmtraced"),
		 vt_h_kvm_mode() ? "" : "--trust-root-uevents", vt_h_debugfs_opt());
	pid_t agent = vt_h_spawn(cmd, out, err_path);
	assert_int_equal(vt_h_wait_for(out, "\"statedump_end\"", 1, 10000), 0);
	assert_int_equal(vt_h_stop(agent), 0);
	lttng("stop %s >/dev/null%s", session, "");
	lttng("destroy %s >/dev/null%s", session, "");
	vt_relayd_stop(&r);
	assert_int_equal(r.pid, 0);

	/* Not a session of ours, a symbolic link named as one: neither is taken. */
	assert_int_equal(vt_relayd_collect(&r, "vmtrace-77-1", dest, &err), -1);
	assert_non_null(strstr(err.msg, "received nothing"));
	char evil[900];
	snprintf(evil, sizeof(evil), "%s/.relay/evil", outdir);
	assert_int_equal(mkdir(evil, 0755), 0);
	snprintf(evil, sizeof(evil), "%s/.relay/evil/vmtrace-77-5-20260101-000000", outdir);
	assert_int_equal(symlink("/etc", evil), 0);
	assert_int_equal(vt_relayd_collect(&r, "vmtrace-77-5", dest, &err), -1);

	snprintf(dest, sizeof(dest), "%s/guest1", outdir);
	if (vt_relayd_collect(&r, session, dest, &err) < 0)
		fail_msg("collect: %s", err.msg);
	struct vt_run run;
	vt_run_shell(&run, "babeltrace2 '%s' | grep -c 'vmtrace:machine'", dest);
	printf("%s: %s", dest, run.out);
	assert_int_equal(run.status, 0);
	assert_true(atoi(run.out) >= 1);
	vt_run_free(&run);
	/* Once moved, it is not there twice. */
	assert_int_equal(vt_relayd_collect(&r, session, dest, &err), -1);

	/* What no guest claimed keeps the daemon's folder, and says so. */
	assert_int_equal(vt_relayd_finish(&r, &err), -1);
	printf("finish: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "kept"));
	assert_int_equal(unlink(evil), 0);
	assert_int_equal(vt_relayd_finish(&r, &err), 0);
	snprintf(evil, sizeof(evil), "%s/.relay", outdir);
	assert_int_equal(access(evil, F_OK), -1);
	vt_h_sessiond_stop();
}

/* Two folders of one session (a name reused): neither is guessed at. */
static void test_two_folders(void **state)
{
	(void)state;
	struct vt_relayd r = {0};
	struct vt_error err;
	snprintf(r.dir, sizeof(r.dir), "%s/two/.relay", tmp);
	char p[9000], dest[900];
	snprintf(p, sizeof(p), "mkdir -p '%s/a/vmtrace-1-2-20260101-000000' '%s/b/vmtrace-1-2-20260101-000001'", r.dir,
		 r.dir);
	struct vt_run run;
	vt_run_shell(&run, "%s", p);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	snprintf(dest, sizeof(dest), "%s/two/g", tmp);
	assert_int_equal(vt_relayd_collect(&r, "vmtrace-1-2", dest, &err), -1);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "2 folders"));
	/* A prefix of another session's name is not that session. */
	assert_int_equal(vt_relayd_collect(&r, "vmtrace-1", dest, &err), -1);
	assert_non_null(strstr(err.msg, "received nothing"));
}

/* An address that is not this host's is refused before anything starts. */
static void test_not_here(void **state)
{
	(void)state;
	struct vt_relayd r;
	struct vt_error err;
	char d[700];
	snprintf(d, sizeof(d), "%s/nothere", tmp);
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(vt_relayd_parse(&r, "192.0.2.1", &err), 0);
	assert_int_equal(vt_relayd_start(&r, d, &err), -1);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "cannot listen there"));
	snprintf(d, sizeof(d), "%s/nothere/.relay", tmp);
	assert_int_equal(access(d, F_OK), -1);
}

int main(void)
{
	vt_require_program("lttng-relayd");
	vt_require_program("lttng-sessiond");
	vt_require_program("babeltrace2");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_not_here),
		cmocka_unit_test(test_two_folders),
		cmocka_unit_test(test_stream),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_h_cleanup();
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
