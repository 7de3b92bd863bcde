/* trace.dat files as inputs: vmtraced's trace_marker lines become its events,
 * `vmtrace info` describes the file and identifies the guest in it, and a .dat
 * file and a CTF trace are read together in one time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define GUEST_UUID "5a1e0b8c-4d2f-4e8a-9c3b-7f1d2e3a4b5c"
/* From `trace-cmd report` on the file, in main(). */
static long guest_pid;
static unsigned long long report_events, report_first_ns;

static char *tmp;

static const char *dat(void)
{
	return vt_source_path("tests/data/host-tcg.dat");
}

static void test_markers(void **state)
{
	(void)state;
	const char *path = strdup(dat());
	struct vt_source *src;
	struct vt_error err;
	if (!(src = vt_source_open(&path, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_event *ev;
	int guests = 0, vcpus = 0, machines = 0, begins = 0, ends = 0;
	while (vt_source_next(src, &ev, &err) > 0) {
		switch (ev->kind) {
		case VT_GUEST_DUMP:
			guests++;
			assert_int_equal(ev->u.guest.pid, guest_pid);
			assert_string_equal(ev->u.guest.uuid, GUEST_UUID);
			assert_string_equal(ev->u.guest.name, "tc-demo");
			assert_int_equal(ev->u.guest.vcpus, 2);
			/* The writer's thread, named by the file's saved command lines. */
			assert_true(ev->tid > 0);
			assert_string_equal(ev->procname, "vmtraced");
			assert_string_equal(ev->name, "print");
			break;
		case VT_GUEST_VCPU:
			assert_int_equal(ev->u.guest_vcpu.pid, guest_pid);
			assert_int_equal(ev->u.guest_vcpu.vcpu, (uint32_t)vcpus);
			assert_true(ev->u.guest_vcpu.tid > guest_pid);
			vcpus++;
			break;
		case VT_MACHINE_ID:
			machines++;
			assert_string_equal(ev->u.machine.hostname, "vm");
			assert_int_equal(strlen(ev->u.machine.machine_id), 32);
			break;
		case VT_STATEDUMP_BEGIN:
			begins++;
			break;
		case VT_STATEDUMP_END:
			ends++;
			break;
		default:
			break;
		}
	}
	assert_int_equal(guests, 1);
	assert_int_equal(vcpus, 2);
	assert_int_equal(machines, 1);
	assert_int_equal(begins, 1);
	assert_int_equal(ends, 1);
	vt_source_close(src);
	free((void *)path);
}

static void test_info_text(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), dat());
	assert_int_equal(run.status, 0);
	char events[64], guest[256];
	snprintf(events, sizeof(events), "events          %llu\n", report_events);
	snprintf(guest, sizeof(guest), "guest   tc-demo (uuid " GUEST_UUID ") runs on vm as QEMU pid %ld", guest_pid);
	const char *const want[] = {
		"hostname        vm",
		"domain          kernel",
		"tracer          trace-cmd 3.1.6",
		"kernel          6.18.44-fc-v782",
		"clock           local, 1000000000 Hz",
		"streams         2",
		events,
		"host    vm",
		guest,
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(run.out, want[i]))
			fail_msg("missing '%s' in:\n%s", want[i], run.out);
	vt_run_free(&run);
}

static void test_info_json(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), dat());
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "\"format\": \"trace-cmd\""));
	char first[64];
	snprintf(first, sizeof(first), "\"first_ns\": %llu,", report_first_ns);
	assert_non_null(strstr(run.out, first));
	assert_non_null(strstr(run.out, "\"GUEST_DUMP\": 1"));
	vt_run_free(&run);
}

/* vmtrace analyze reads the file too (this machine has no KVM: no vCPU time). */
static void test_analyze(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s analyze '%s'", vt_vmtrace_cmd(), dat());
	if (run.status != 0 || !strstr(run.out, "host-tcg.dat lost"))
		fail_msg("status %d\n%s%s", run.status, run.out, run.err);
	vt_run_free(&run);
}

/* Reads everything; checks the merged order; counts events per trace. */
static void read_all(const char *const *paths, size_t n, size_t ntraces, uint64_t *per_trace)
{
	struct vt_source *src;
	struct vt_error err;
	if (!(src = vt_source_open(paths, n, &err)))
		fail_msg("%s", err.msg);
	assert_int_equal(vt_source_trace_count(src), ntraces);
	const struct vt_event *ev;
	uint64_t last = 0;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		assert_true(ev->ts_ns >= last);
		last = ev->ts_ns;
		assert_true(ev->trace < ntraces);
		per_trace[ev->trace]++;
	}
	assert_int_equal(rc, 0);
	for (size_t t = 0; t < ntraces; t++)
		assert_int_equal(vt_source_trace(src, t)->events, per_trace[t]);
	vt_source_close(src);
}

static void test_mixed_paths(void **state)
{
	(void)state;
	char *d = strdup(dat());
	char *ctf = strdup(vt_source_path("examples/ust-hello/trace"));
	const char *paths[] = {d, ctf};
	uint64_t per_trace[2] = {0};
	read_all(paths, 2, 2, per_trace);
	/* CTF traces are numbered first, then .dat files. */
	assert_int_equal(per_trace[0], 600);
	assert_int_equal(per_trace[1], report_events);
	free(d);
	free(ctf);
}

static void test_mixed_folder(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "mkdir -p '%s/mixed/host' && cp -r '%s' '%s/mixed/ust' && cp '%s' '%s/mixed/host/trace.dat'",
		     tmp, vt_source_path("examples/ust-hello/trace"), tmp, dat(), tmp);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	char folder[4200];
	snprintf(folder, sizeof(folder), "%s/mixed", tmp);
	const char *paths[] = {folder};
	uint64_t per_trace[2] = {0};
	read_all(paths, 1, 2, per_trace);
	assert_int_equal(per_trace[0], 600);
	assert_int_equal(per_trace[1], report_events);
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), folder);
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "host/trace.dat"));
	assert_non_null(strstr(run.out, "lttng-ust"));
	vt_run_free(&run);
}

/* One number a shell pipeline over `trace-cmd report` prints. */
static unsigned long long report_number(const char *pipeline)
{
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report -t '%s' 2>/dev/null | %s", dat(), pipeline);
	unsigned long long v = strtoull(run.out, NULL, 10);
	if (run.status != 0 || !v) {
		fprintf(stderr, "trace-cmd report | %s: status %d, '%s'\n", pipeline, run.status, run.out);
		exit(1);
	}
	vt_run_free(&run);
	return v;
}

int main(void)
{
	vt_require_program("trace-cmd");
	guest_pid = (long)report_number("sed -n 's/.*vmtrace: guest pid=\\([0-9]*\\).*/\\1/p'");
	/* Records are the lines with "[CPU]  SECS.NSECS: name:" ("CPU:1 [n EVENTS DROPPED]" is not one). */
	report_events = report_number("grep -cE '\\[[0-9]+\\] +[0-9]+\\.[0-9]{9}: [a-z_]+:'");
	report_first_ns = report_number("grep -m1 -oE '\\[[0-9]+\\] +[0-9]+\\.[0-9]{9}:' | sed 's/.*] *//; s/[.:]//g'");
	printf("report: guest pid %ld, %llu events, first at %llu ns\n", guest_pid, report_events, report_first_ns);
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers),     cmocka_unit_test(test_info_text),
		cmocka_unit_test(test_info_json),   cmocka_unit_test(test_mixed_paths),
		cmocka_unit_test(test_mixed_folder), cmocka_unit_test(test_analyze),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
