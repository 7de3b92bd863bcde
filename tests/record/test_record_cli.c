/* `vmtrace record` on this machine (root, tracefs; docs/record.md):
 * - ftrace, host only, --duration: record.json says done with the host's
 *   path, tracer, clock and no loss; host.dat holds the agent's machine line
 *   (trace-cmd report) and is read by `vmtrace info --json` and `vmtrace
 *   analyze`; the recording's tracefs instance is gone;
 * - Ctrl-C (SIGINT) stops it and keeps everything (exit 0, status done);
 * - refusals in one line, exit 1: not root (as nobody), an output folder not
 *   empty (accepted with --force), LTTng without its kernel tracer (and the
 *   session daemon it started is stopped again);
 * - the output's file system filling up while recording: it stops, says so,
 *   exits 1, and host.dat is whole. */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record_util.h"
#include "testutil.h"

static char *tmp;

static json_t *load_record_json(const char *dir)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/record.json", dir);
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s: %s", path, e.text);
	const char *format = json_string_value(json_object_get(doc, "format"));
	assert_non_null(format);
	assert_string_equal(format, "vmtrace-record");
	return doc;
}

/* Instances vmtrace-PID whose process is gone, not among before[] (an
 * earlier run's, killed): what this recording left behind (other tests
 * running beside this one may own live ones). */
static int instances_left(const int *before, int nbefore, int *out, int max)
{
	DIR *d = opendir("/sys/kernel/tracing/instances");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid = 0, old = 0;
		if (sscanf(e->d_name, "vmtrace-%d", &pid) != 1 || pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		for (int i = 0; i < nbefore; i++)
			old |= before[i] == pid;
		if (old)
			continue;
		if (out && n < max)
			out[n] = pid;
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void test_ftrace_host(void **state)
{
	(void)state;
	char out[4300], dat[4400];
	snprintf(out, sizeof(out), "%s/host-only", tmp);
	struct vt_run run;
	int stale[64], nstale = instances_left(NULL, 0, stale, 64);
	if (nstale > 64)
		nstale = 64;
	if (nstale)
		printf("%d instance(s) of a killed recording already there (vmtrace-%d...)\n", nstale, stale[0]);
	vt_run_shell(&run, "%s record --tracer ftrace --no-guests --duration 2 -o '%s'", vt_vmtrace_cmd(), out);
	if (run.status != 0)
		fail_msg("record: status %d\n%s%s", run.status, run.out, run.err);
	assert_non_null(strstr(run.out, "analyze it: vmtrace analyze"));
	vt_run_free(&run);
	assert_int_equal(instances_left(stale, nstale, NULL, 0), 0);
	json_t *doc = load_record_json(out);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(doc, "tracer")), "ftrace");
	json_t *host = json_object_get(doc, "host");
	assert_string_equal(json_string_value(json_object_get(host, "path")), "host/host.dat");
	assert_int_equal(json_integer_value(json_object_get(host, "lost_events")), 0);
	assert_true(json_integer_value(json_object_get(host, "events")) > 0);
	assert_true(json_real_value(json_object_get(doc, "duration_s")) >= 1.9);
	/* its own cost: some CPU, far less than the 2 s of every CPU it recorded */
	json_t *cpu = json_object_get(host, "recorder_cpu_s");
	double self = json_real_value(json_object_get(cpu, "vmtrace"));
	printf("recorder CPU: %.3f s over 2 s\n", self);
	assert_true(self > 0 && self < 2.0 * (double)sysconf(_SC_NPROCESSORS_ONLN));
	json_decref(doc);

	snprintf(dat, sizeof(dat), "%s/host/host.dat", out);
	struct report r;
	report_load(&r, dat);
	assert_true(report_count(&r, "sched_switch", -1, NULL) > 0);
	assert_true(report_count(&r, NULL, -1, "vmtrace: machine ") >= 1); /* the agent's identity */
	assert_true(report_count(&r, NULL, -1, "vmtrace: statedump_end") >= 1);
	report_free(&r);

	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), out);
	assert_int_equal(run.status, 0);
	json_t *info = json_loads(run.out, 0, NULL);
	assert_non_null(info);
	json_t *traces = json_object_get(info, "traces");
	assert_int_equal(json_array_size(traces), 1);
	assert_true(json_integer_value(json_object_get(json_array_get(traces, 0), "events")) > 0);
	json_decref(info);
	vt_run_free(&run);
	vt_run_shell(&run, "%s analyze '%s'", vt_vmtrace_cmd(), out);
	if (run.status != 0)
		fail_msg("analyze: status %d\n%s", run.status, run.err);
	vt_run_free(&run);
}

static void test_sigint_stops(void **state)
{
	(void)state;
	char out[4300], log[4400];
	snprintf(out, sizeof(out), "%s/sigint", tmp);
	snprintf(log, sizeof(log), "%s.log", out);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(vt_build_path("vmtrace"), "vmtrace", "record", "--tracer", "ftrace", "--no-guests", "-o", out,
		      (char *)NULL);
		_exit(127);
	}
	char json[4400];
	snprintf(json, sizeof(json), "%s/record.json", out);
	struct stat st;
	for (int i = 0; i < 200 && stat(json, &st) != 0; i++)
		usleep(50000);
	sleep(1);
	assert_int_equal(kill(pid, SIGINT), 0); /* Ctrl-C */
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	char *text = vt_read_file(log, NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("status %d: %s", status, text ? text : "");
	free(text);
	json_t *doc = load_record_json(out);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "done");
	json_decref(doc);
	snprintf(json, sizeof(json), "%s/host/host.dat", out);
	assert_int_equal(stat(json, &st), 0);
	assert_true(st.st_size > 0);
}

static void test_refusals(void **state)
{
	(void)state;
	struct vt_run run;
	char out[4300];
	/* not root */
	snprintf(out, sizeof(out), "%s/nobody", tmp);
	vt_run_shell(&run, "cp '%s' '%s/vmtrace-copy' && chmod 755 '%s' '%s/vmtrace-copy' && "
			   "setpriv --reuid=65534 --regid=65534 --clear-groups '%s/vmtrace-copy' record --no-guests -d 1 -o '%s'",
		     vt_build_path("vmtrace"), tmp, tmp, tmp, tmp, out);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "needs root"));
	vt_run_free(&run);
	/* an output folder that is not empty */
	snprintf(out, sizeof(out), "%s/full-of-things", tmp);
	vt_run_shell(&run, "mkdir -p '%s' && echo x > '%s/keep' && %s record --tracer ftrace --no-guests -d 1 -o '%s'", out,
		     out, vt_vmtrace_cmd(), out);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "not empty"));
	vt_run_free(&run);
	vt_run_shell(&run, "%s record --tracer ftrace --no-guests -d 1 --force -o '%s' && cat '%s/keep'", vt_vmtrace_cmd(),
		     out, out);
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "x\n"));
	vt_run_free(&run);
	/* --relay: LTTng's, for guests; an address that is no address; nothing written for any of them */
	const char *relay_bad[][2] = {{"--tracer ftrace --relay 127.0.0.1", "not with --tracer ftrace"},
				      {"--no-guests --relay 127.0.0.1", "not with --no-guests"},
				      {"--relay 'a;reboot'", "an IPv4 address or host name"}};
	for (size_t i = 0; i < 3; i++) {
		snprintf(out, sizeof(out), "%s/relay-%zu", tmp, i);
		vt_run_shell(&run, "%s record %s -d 1 -o '%s'", vt_vmtrace_cmd(), relay_bad[i][0], out);
		printf("%s: %s", relay_bad[i][0], run.err);
		assert_int_not_equal(run.status, 0);
		assert_non_null(strstr(run.err, relay_bad[i][1]));
		vt_run_free(&run);
	}
}

/* LTTng's kernel tracer (lttng-modules) is not on this kernel: a clear refusal. */
static void test_lttng_without_modules(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "lttng list -k >/dev/null 2>&1");
	int has_kernel_tracer = run.status == 0;
	vt_run_free(&run);
	if (has_kernel_tracer) {
		vt_skip_part(VT_SKIP_ENVIRONMENT, "this machine has an LTTng kernel tracer: its absence cannot be tested");
		return;
	}
	vt_run_shell(&run, "pgrep -x lttng-sessiond >/dev/null");
	int daemon_before = run.status == 0;
	vt_run_free(&run);
	char out[4300];
	snprintf(out, sizeof(out), "%s/lttng", tmp);
	vt_run_shell(&run, "%s record --tracer lttng --no-guests -d 1 -o '%s'", vt_vmtrace_cmd(), out);
	assert_int_equal(run.status, 1);
	assert_int_equal(vt_count_lines(run.err), 1);
	assert_non_null(strstr(run.err, "LTTng kernel tracer is not available"));
	vt_run_free(&run);
	vt_run_shell(&run, "sleep 1; pgrep -x lttng-sessiond >/dev/null");
	assert_int_equal(run.status == 0, daemon_before);
	vt_run_free(&run);
}

/* The output's file system fills while recording: stop, say so, keep a whole host.dat. */
static void test_disk_fills(void **state)
{
	(void)state;
	char mnt[4300], out[4400];
	snprintf(mnt, sizeof(mnt), "%s/small", tmp);
	snprintf(out, sizeof(out), "%s/rec", mnt);
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=100m") != 0) {
		vt_skip_part(VT_SKIP_ENVIRONMENT, "cannot mount a tmpfs");
		return;
	}
	struct vt_run run;
	/* Once recording, a file takes all but 20 MiB of the room. */
	vt_run_shell(&run,
		     "(%s record --tracer ftrace --no-guests -d 60 -o '%s' >'%s/out' 2>'%s/err' & p=$!; "
		     "while [ ! -f '%s/record.json' ]; do sleep 0.1; done; sleep 1; "
		     "dd if=/dev/zero of='%s/filler' bs=1M count=70 2>/dev/null; wait $p; echo exit=$?); cat '%s/err'",
		     vt_vmtrace_cmd(), out, mnt, mnt, out, mnt, mnt);
	assert_non_null(strstr(run.out, "exit=1"));
	assert_non_null(strstr(run.out, "nearly full"));
	vt_run_free(&run);
	json_t *doc = load_record_json(out);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "stopped: disk full");
	json_decref(doc);
	char dat[4500];
	snprintf(dat, sizeof(dat), "%s/host/host.dat", out);
	struct report r;
	report_load(&r, dat);
	assert_true(r.n > 0);
	report_free(&r);
	umount2(mnt, MNT_DETACH);
}

int main(int argc, char **argv)
{
	rec_init(argc, argv);
	rec_require_tracefs();
	vt_require_program("setpriv");
	tmp = vt_mkdtemp();
	chmod(tmp, 0755);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ftrace_host),
		cmocka_unit_test(test_sigint_stops),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_lttng_without_modules),
		cmocka_unit_test(test_disk_fills),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
