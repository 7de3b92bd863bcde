/* The host's ftrace recorder on this machine's tracefs (root), its capture
 * assembled, and the trace.dat read by `trace-cmd report` and `vmtrace info`:
 * - streaming: a child renames itself and sleeps K times; the report has its
 *   name and K (at most K + 3) voluntary switches out of it, the marker line,
 *   as many sched_switch as `vmtrace info` counts, no event lost; vmtrace
 *   info's streams = online CPUs and discarded = the stats' overrun + dropped;
 *   the event the kernel lacks is skipped and said; the instance is gone;
 * - overwrite (flight recorder) with a snapshot between two phases of
 *   numbered markers on CPU 0: each phase keeps only its newest markers, in
 *   order, none twice, and the overwritten ones are counted as lost;
 * - a full output disk (a small tmpfs): stop fails in one line naming the
 *   file and ENOSPC, every cpuN.raw is whole pages and still assembles;
 * - refusals: no event of the list exists, a bad event name, a capture
 *   folder that is not empty; each leaves no instance behind;
 * - removal of a busy instance: a file of it held open by a child for
 *   300 ms delays the removal, which then succeeds; one held throughout
 *   fails in one line that says so, and the instance is still there. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/ftrace_assemble.h"
#include "record/ftrace_rec.h"
#include "record/ftrace_tracefs.h"
#include "record_util.h"
#include "testutil.h"

static char *tmp;

static const char *path_in(const char *name)
{
	static char p[4][4200];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmp, name);
	return p[k];
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static size_t online_cpus(uint32_t *highest)
{
	uint32_t *cpus;
	struct vt_error err;
	size_t n = vt_ftrace_online_cpus(&cpus, &err);
	assert_true(n > 0);
	*highest = cpus[n - 1];
	free(cpus);
	return n;
}

static json_t *info_json(const char *dat)
{
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), dat);
	if (run.status != 0)
		fail_msg("vmtrace info %s: status %d: %s", dat, run.status, run.err);
	json_error_t jerr;
	json_t *doc = json_loads(run.out, 0, &jerr);
	if (!doc)
		fail_msg("vmtrace info: not JSON: %s", jerr.text);
	vt_run_free(&run);
	assert_non_null(json_array_get(json_object_get(doc, "traces"), 0));
	return doc;
}

static json_int_t trace_int(json_t *doc, const char *key)
{
	json_t *t = json_array_get(json_object_get(doc, "traces"), 0);
	return json_integer_value(json_object_get(t, key));
}

static json_int_t kind_count(json_t *doc, const char *kind)
{
	json_t *t = json_array_get(json_object_get(doc, "traces"), 0);
	return json_integer_value(json_object_get(json_object_get(t, "events_per_kind"), kind));
}

static struct vt_ftrace_rec *start(struct vt_ftrace_rec_options *o)
{
	struct vt_ftrace_rec *rec;
	struct vt_error err;
	if (vt_ftrace_rec_start(&rec, o, &err))
		fail_msg("start: %s", err.msg);
	return rec;
}

static void assemble(const char *capture, const char *dat, struct vt_ftrace_assembly *info)
{
	struct vt_error err;
	if (vt_ftrace_assemble(capture, dat, info, &err))
		fail_msg("assemble: %s", err.msg);
}

/* Voluntary switches out of comm:pid ("COMM:PID [P] S ==> ..."). */
static size_t sleeps_of(const struct report *r, const char *comm, pid_t pid)
{
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "%s:%d [", comm, (int)pid);
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += !strcmp(r->l[i].name, "sched_switch") && !strncmp(r->l[i].rest, prefix, strlen(prefix)) &&
		     strstr(r->l[i].rest, "] S ==> ");
	return n;
}

static void test_streaming(void **state)
{
	(void)state;
	enum { K = 50 };
	const char *events[] = {"sched:sched_switch", "sched:sched_wakeup", "sched:sched_process_exec",
				"vmtrace_nosys:no_event"};
	struct vt_ftrace_rec_options o = {.events = events, .nevents = 4, .buffer_kb = 2048,
					  .capture_dir = path_in("stream"), .period_ms = 100};
	struct vt_ftrace_rec *rec = start(&o);
	char inst[4200];
	snprintf(inst, sizeof(inst), "%s", vt_ftrace_rec_instance(rec));
	assert_true(exists(inst));
	assert_string_equal(vt_ftrace_rec_clock(rec), "mono"); /* this kernel has it */
	assert_string_equal(vt_ftrace_rec_skipped(rec, 0), "vmtrace_nosys:no_event");
	assert_null(vt_ftrace_rec_skipped(rec, 1));
	const char marker[] = "vt-test marker line\n";
	assert_int_equal(write(vt_ftrace_rec_marker_fd(rec), marker, sizeof(marker) - 1), sizeof(marker) - 1);
	char comm[16];
	snprintf(comm, sizeof(comm), "vtwl-%d", (int)(getpid() % 100000));
	pid_t child = spawn_workload(comm, -1, -1, NULL, K, 10000);
	wait_child(child);
	usleep(500000);
	uint64_t events_now, lost_now;
	struct vt_error err;
	assert_int_equal(vt_ftrace_rec_stats(rec, &events_now, &lost_now, &err), 0);
	assert_true(events_now > 2 * K);
	assert_int_equal(lost_now, 0);
	if (vt_ftrace_rec_stop(rec, &err))
		fail_msg("stop: %s", err.msg);
	assert_false(exists(inst));

	char *skipped = vt_read_file(path_in("stream/skipped_events"), NULL);
	assert_non_null(skipped);
	assert_string_equal(skipped, "vmtrace_nosys:no_event\n");
	free(skipped);
	assert_true(raw_files_whole(path_in("stream"), 4096));
	struct vt_ftrace_assembly info;
	assemble(path_in("stream"), path_in("stream.dat"), &info);
	uint32_t highest;
	size_t ncpus = online_cpus(&highest);
	assert_int_equal(info.cpus, highest + 1);
	assert_int_equal(info.lost, 0);
	assert_int_equal(capture_stat_sum(path_in("stream"), "dropped events"), 0);

	struct report r;
	report_load(&r, path_in("stream.dat"));
	size_t slept = sleeps_of(&r, comm, child);
	printf("%zu events, %zu sched_switch, %zu sleeps of %s\n", r.n, report_count(&r, "sched_switch", -1, NULL),
	       slept, comm);
	assert_true(slept >= K && slept <= K + 3);
	assert_int_equal(report_count(&r, "print", -1, "vt-test marker line"), 1);
	/* saved_cmdlines name the child (unless the kernel's cache dropped it:
	 * other processes' names replace the oldest on a busy host), and the
	 * trace.dat carries them as trace-cmd reads them. */
	char *cmdlines = vt_read_file(path_in("stream/saved_cmdlines"), NULL), line[64];
	assert_non_null(cmdlines);
	snprintf(line, sizeof(line), "%d %s\n", (int)child, comm);
	int kept = strstr(cmdlines, line) != NULL;
	free(cmdlines);
	struct vt_run dump;
	vt_run_shell(&dump, "trace-cmd dump --cmd-lines '%s'", path_in("stream.dat"));
	if (dump.status != 0)
		fail_msg("trace-cmd dump exits %d: %s", dump.status, dump.err);
	printf("the child %s in saved_cmdlines%s\n", kept ? "named" : "dropped",
	       kept ? (strstr(dump.out, line) ? ", and in the trace.dat's" : ", NOT in the trace.dat's") : "");
	if (kept)
		assert_non_null(strstr(dump.out, line));
	vt_run_free(&dump);

	json_t *doc = info_json(path_in("stream.dat"));
	assert_int_equal(kind_count(doc, "SCHED_SWITCH"), report_count(&r, "sched_switch", -1, NULL));
	assert_int_equal(trace_int(doc, "events"), r.n);
	assert_int_equal(trace_int(doc, "streams"), ncpus);
	json_t *clock = json_object_get(json_array_get(json_object_get(doc, "traces"), 0), "clock");
	assert_string_equal(json_string_value(json_object_get(clock, "name")), "mono");
	assert_int_equal(trace_int(doc, "discarded_events"),
			 capture_stat_sum(path_in("stream"), "overrun") +
				 capture_stat_sum(path_in("stream"), "dropped events"));
	json_decref(doc);
	report_free(&r);
}

/* The "TAG N" markers of CPU 0, in report order: N must only grow (none
 * twice, none out of order). Returns how many there are. */
static int check_markers(const struct report *r, const char *tag, int *first, int *last)
{
	char needle[16];
	snprintf(needle, sizeof(needle), ": %s ", tag);
	int kept = 0;
	*first = *last = -1;
	for (size_t i = 0; i < r->n; i++) {
		const char *p = r->l[i].cpu == 0 && !strcmp(r->l[i].name, "print") ? strstr(r->l[i].rest, needle) : NULL;
		if (!p)
			continue;
		int n = atoi(p + strlen(needle));
		if (*last >= 0 && n <= *last)
			fail_msg("marker %s %d after %s %d", tag, n, tag, *last);
		if (*first < 0)
			*first = n;
		*last = n;
		kept++;
	}
	return kept;
}

static void test_overwrite_snapshot(void **state)
{
	(void)state;
	enum { N = 5000 };
	const char *events[] = {"sched:sched_switch"};
	struct vt_ftrace_rec_options o = {.events = events, .nevents = 1, .buffer_kb = 64, .overwrite = 1,
					  .capture_dir = path_in("flight")};
	struct vt_ftrace_rec *rec = start(&o);
	struct vt_error err;
	wait_child(spawn_workload("vt-phase-a", 0, vt_ftrace_rec_marker_fd(rec), "a", N, 0));
	if (vt_ftrace_rec_snapshot(rec, &err))
		fail_msg("snapshot: %s", err.msg);
	wait_child(spawn_workload("vt-phase-b", 0, vt_ftrace_rec_marker_fd(rec), "b", N, 0));
	if (vt_ftrace_rec_stop(rec, &err))
		fail_msg("stop: %s", err.msg);
	struct vt_ftrace_assembly info;
	assemble(path_in("flight"), path_in("flight.dat"), &info);
	struct report r;
	report_load(&r, path_in("flight.dat"));
	int a0, a1, b0, b1;
	int na = check_markers(&r, "a", &a0, &a1), nb = check_markers(&r, "b", &b0, &b1);
	printf("kept %d a (%d..%d), %d b (%d..%d) of 0..%d; %llu lost\n", na, a0, a1, nb, b0, b1, N - 1,
	       (unsigned long long)info.lost);
	/* Each phase: its oldest overwritten, its newest kept (b's last of all).
	 * (The page a read left as the reader's is never overwritten: a phase
	 * may keep the first events written onto it, then the newest.) */
	assert_true(na > 0 && na < N && a1 > 0);
	assert_true(nb > 0 && nb < N && b1 == N - 1);
	size_t last_a = 0, first_b = r.n;
	for (size_t i = 0; i < r.n; i++) {
		if (strstr(r.l[i].rest, ": a "))
			last_a = i;
		if (strstr(r.l[i].rest, ": b ") && first_b == r.n)
			first_b = i;
	}
	assert_true(last_a < first_b);
	assert_true(info.lost > 0);
	json_t *doc = info_json(path_in("flight.dat"));
	assert_int_equal(trace_int(doc, "discarded_events"), info.lost);
	json_decref(doc);
	report_free(&r);
}

static void test_full_disk(void **state)
{
	(void)state;
	const char *small = path_in("small");
	assert_int_equal(mkdir(small, 0755), 0);
	if (mount("vt-small", small, "tmpfs", 0, "size=512k") != 0) {
		vt_skip_part(VT_SKIP_ENVIRONMENT, "cannot mount a small tmpfs: %s", strerror(errno));
		return;
	}
	char capture[4200];
	snprintf(capture, sizeof(capture), "%s/capture", small);
	const char *events[] = {"sched:sched_switch"};
	struct vt_ftrace_rec_options o = {.events = events, .nevents = 1, .buffer_kb = 1024,
					  .capture_dir = capture, .period_ms = 20};
	struct vt_ftrace_rec *rec = start(&o);
	char inst[4200];
	snprintf(inst, sizeof(inst), "%s", vt_ftrace_rec_instance(rec));
	wait_child(spawn_workload("vt-filler", -1, vt_ftrace_rec_marker_fd(rec), "filler line to fill a small disk", 100000, 0));
	struct vt_error err;
	assert_int_equal(vt_ftrace_rec_stop(rec, &err), -1);
	printf("stop: %s\n", err.msg);
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	assert_non_null(strstr(err.msg, capture));
	assert_null(strchr(err.msg, '\n'));
	assert_false(exists(inst));
	assert_true(raw_files_whole(capture, 4096));
	struct vt_ftrace_assembly info;
	assemble(capture, path_in("full.dat"), &info); /* what was written stays readable */
	struct report r;
	report_load(&r, path_in("full.dat"));
	printf("%zu events kept, %llu pages\n", r.n, (unsigned long long)info.pages);
	assert_true(report_count(&r, "print", -1, "filler line") > 0);
	report_free(&r);
	umount2(small, MNT_DETACH);
}

static void expect_start_failure(const char *const *events, size_t n, const char *capture, const char *says)
{
	char inst[64];
	snprintf(inst, sizeof(inst), "vt-test-fail-%d", (int)getpid());
	struct vt_ftrace_rec_options o = {.events = events, .nevents = n, .capture_dir = capture, .instance = inst};
	struct vt_ftrace_rec *rec;
	struct vt_error err;
	assert_int_equal(vt_ftrace_rec_start(&rec, &o, &err), -1);
	printf("start: %s\n", err.msg);
	assert_non_null(strstr(err.msg, says));
	char tracefs[4096], path[4200];
	int mounted;
	assert_int_equal(vt_ftrace_tracefs_find(NULL, tracefs, sizeof(tracefs), &mounted, &err), 0);
	snprintf(path, sizeof(path), "%s/instances/%s", tracefs, inst);
	assert_false(exists(path));
}

static void test_refusals(void **state)
{
	(void)state;
	const char *none[] = {"vmtrace_nosys:a", "vmtrace_nosys:b"};
	expect_start_failure(none, 2, path_in("none"), "none of the 2 events");
	const char *bad[] = {"sched:sched_switch", "sched/../x:y"};
	expect_start_failure(bad, 2, path_in("bad"), "not SYSTEM:EVENT");
	assert_int_equal(mkdir(path_in("full"), 0755), 0);
	FILE *f = fopen(path_in("full/old-file"), "w");
	assert_non_null(f);
	fclose(f);
	const char *ok[] = {"sched:sched_switch"};
	expect_start_failure(ok, 1, path_in("full"), "not an empty folder");
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_remove_busy(void **state)
{
	(void)state;
	char tracefs[4096], inst[4200], marker[4300], name[64];
	int mounted;
	struct vt_error err;
	assert_int_equal(vt_ftrace_tracefs_find(NULL, tracefs, sizeof(tracefs), &mounted, &err), 0);
	snprintf(name, sizeof(name), "vt-test-busy-%d", (int)getpid());
	assert_int_equal(vt_ftrace_instance_create(tracefs, name, inst, sizeof(inst), &err), 0);
	snprintf(marker, sizeof(marker), "%s/trace_marker", inst);

	/* A child's copy, as a fork before exec holds it, gone after 300 ms. */
	int fd = open(marker, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct timespec ts = {0, 300000000L};
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(fd);
	double t0 = now_s();
	assert_int_equal(vt_ftrace_instance_remove(inst, &err), 0);
	double waited = now_s() - t0;
	printf("removed after %.0f ms of a child's hold\n", waited * 1e3);
	assert_false(exists(inst));
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);

	/* Held throughout: refused in one line, the instance left as it was. */
	assert_int_equal(vt_ftrace_instance_create(tracefs, name, inst, sizeof(inst), &err), 0);
	fd = open(marker, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(vt_ftrace_instance_remove(inst, &err), -1);
	printf("held: %s\n", err.msg);
	assert_non_null(strstr(err.msg, inst));
	assert_non_null(strstr(err.msg, "still has its files open"));
	assert_null(strchr(err.msg, '\n'));
	assert_true(exists(inst));
	close(fd);
	assert_int_equal(vt_ftrace_instance_remove(inst, &err), 0);
	assert_false(exists(inst));
}

int main(int argc, char **argv)
{
	rec_init(argc, argv);
	rec_require_tracefs();
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_overwrite_snapshot),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_remove_busy),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char mine[64], failing[64], busy[64];
	snprintf(mine, sizeof(mine), "vmtrace-%d", (int)getpid());
	snprintf(failing, sizeof(failing), "vt-test-fail-%d", (int)getpid());
	snprintf(busy, sizeof(busy), "vt-test-busy-%d", (int)getpid());
	const char *left[] = {mine, failing, busy};
	rec_leftovers(NULL, left, sizeof(left) / sizeof(left[0]));
	umount2(path_in("small"), MNT_DETACH);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
