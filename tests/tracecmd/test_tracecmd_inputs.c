/* trace.dat files as inputs: vmtraced's trace_marker lines become its events,
 * `vmtrace info` describes the file and identifies the guest in it, and a .dat
 * file and a CTF trace are read together in one time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define GUEST_UUID "5a1e0b8c-4d2f-4e8a-9c3b-7f1d2e3a4b5c"
#define GUEST_PID 28943

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
	if (vt_source_open(&src, &path, 1, &err))
		fail_msg("%s", err.msg);
	const struct vt_event *ev;
	int guests = 0, vcpus = 0, machines = 0, begins = 0, ends = 0;
	while (vt_source_next(src, &ev, &err) > 0) {
		switch (ev->kind) {
		case VT_GUEST_DUMP:
			guests++;
			assert_int_equal(ev->u.guest.pid, GUEST_PID);
			assert_string_equal(ev->u.guest.uuid, GUEST_UUID);
			assert_string_equal(ev->u.guest.name, "tc-demo");
			assert_int_equal(ev->u.guest.vcpus, 2);
			/* The writer's thread, named by the file's saved command lines. */
			assert_true(ev->tid > 0);
			assert_string_equal(ev->procname, "vmtraced");
			assert_string_equal(ev->name, "print");
			break;
		case VT_GUEST_VCPU:
			assert_int_equal(ev->u.guest_vcpu.pid, GUEST_PID);
			assert_int_equal(ev->u.guest_vcpu.vcpu, (uint32_t)vcpus);
			assert_true(ev->u.guest_vcpu.tid > GUEST_PID);
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
	static const char *const want[] = {
		"hostname        vm",
		"domain          kernel",
		"tracer          trace-cmd 3.1.6",
		"kernel          6.18.44-fc-v782",
		"clock           local, 1000000000 Hz",
		"streams         2",
		"events          1081",
		"host    vm",
		"guest   tc-demo (uuid " GUEST_UUID ") runs on vm as QEMU pid 28943",
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
	assert_non_null(strstr(run.out, "\"first_ns\": 5390398859852"));
	assert_non_null(strstr(run.out, "\"GUEST_DUMP\": 1"));
	vt_run_free(&run);
}

/* Reads everything; checks the merged order; counts events per trace. */
static void read_all(const char *const *paths, size_t n, size_t ntraces, uint64_t *per_trace)
{
	struct vt_source *src;
	struct vt_error err;
	if (vt_source_open(&src, paths, n, &err))
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
	assert_int_equal(per_trace[1], 1081);
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
	assert_int_equal(per_trace[1], 1081);
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), folder);
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "host/trace.dat"));
	assert_non_null(strstr(run.out, "lttng-ust"));
	vt_run_free(&run);
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers),     cmocka_unit_test(test_info_text),
		cmocka_unit_test(test_info_json),   cmocka_unit_test(test_mixed_paths),
		cmocka_unit_test(test_mixed_folder),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
