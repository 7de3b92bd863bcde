/* The native CTF reader (VMTRACE_READER=native, issue 15) against babeltrace2,
 * its oracle: every CTF trace we have (the shared test traces, the real KVM
 * recordings, the bundled example, the simulator's output) read by both gives
 * the same events in the same order (time, trace, stream, cpu, kind, context,
 * every normalized field and string) and the same trace descriptions (counts
 * per kind, discarded events, backward steps, first and last). Beyond
 * babeltrace2 2.0: funky_trace (which it refuses) and the CTF 2 rewrites,
 * whose events must be their CTF 1.8 originals'. Corrupt data streams are
 * refused with one line naming the file. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "same_events.h"
#include "testutil.h"
#include "vmtrace/sources.h"

#define EXAMPLE "examples/ust-hello/trace"

static struct vt_source *open_with(const char *reader, const char *path)
{
	struct vt_error err = {0};
	setenv("VMTRACE_READER", reader, 1);
	struct vt_source *src = vt_source_open(&path, 1, &err);
	unsetenv("VMTRACE_READER");
	if (!src)
		fail_msg("%s reader: %s", reader, err.msg);
	return src;
}

static void compare_info(const char *path, const struct vt_trace_info *a, const struct vt_trace_info *b)
{
	if (!vt_same_str(a->hostname, b->hostname) || !vt_same_str(a->domain, b->domain) ||
	    !vt_same_str(a->tracer_name, b->tracer_name) || !vt_same_str(a->kernel_release, b->kernel_release) ||
	    !vt_same_str(a->product_uuid, b->product_uuid) || !vt_same_str(a->trace_uuid, b->trace_uuid))
		fail_msg("%s: the environments differ", path);
	if (a->tracer_major != b->tracer_major || a->tracer_minor != b->tracer_minor ||
	    a->tracer_patchlevel != b->tracer_patchlevel)
		fail_msg("%s: the tracer versions differ", path);
	if (!vt_same_str(a->clock.name, b->clock.name) || !vt_same_str(a->clock.uuid, b->clock.uuid) ||
	    a->clock.freq != b->clock.freq || a->clock.offset_s != b->clock.offset_s ||
	    a->clock.offset_cycles != b->clock.offset_cycles)
		fail_msg("%s: the clocks differ", path);
	if (a->streams != b->streams)
		fail_msg("%s: %u streams natively, %u with babeltrace2", path, a->streams, b->streams);
	if (a->events != b->events || memcmp(a->per_kind, b->per_kind, sizeof(a->per_kind)))
		fail_msg("%s: %" PRIu64 " events natively, %" PRIu64 " with babeltrace2 (or kinds differ)", path,
			 a->events, b->events);
	if (a->events && (a->first_ns != b->first_ns || a->last_ns != b->last_ns))
		fail_msg("%s: first/last differ", path);
	if (a->discarded_events != b->discarded_events || a->discarded_packets != b->discarded_packets)
		fail_msg("%s: discarded events %" PRIu64 " natively, %" PRIu64 " with babeltrace2", path,
			 a->discarded_events, b->discarded_events);
	if (a->backward_steps != b->backward_steps)
		fail_msg("%s: backward steps %" PRIu64 " natively, %" PRIu64 " with babeltrace2", path,
			 a->backward_steps, b->backward_steps);
}

/* Reads path natively and twin (path itself, or its CTF 1.8 original) with babeltrace2, in step. */
static uint64_t compare_readers(const char *path, const char *twin)
{
	int same = !strcmp(path, twin);
	struct vt_source *n = open_with("native", path), *b = open_with("babeltrace2", twin);
	uint64_t count = vt_assert_same_event_stream(n, b, path, same);
	assert_int_equal(vt_source_trace_count(n), vt_source_trace_count(b));
	for (size_t i = 0; i < vt_source_trace_count(n); i++) {
		const struct vt_trace_info *a = vt_source_trace(n, i), *c = vt_source_trace(b, i);
		if (same)
			compare_info(path, a, c);
		else
			assert_int_equal(a->events, c->events);
	}
	printf("%s: %" PRIu64 " events equal\n", path, count);
	vt_source_close(n);
	vt_source_close(b);
	return count;
}

/* The events the native reader gives from path, to its end; fails on an error. */
static uint64_t native_count(const char *path)
{
	struct vt_source *n = open_with("native", path);
	struct vt_error err = {0};
	const struct vt_event *ev;
	uint64_t count = 0;
	int rc;
	while ((rc = vt_source_next(n, &ev, &err)) > 0)
		count++;
	if (rc < 0)
		fail_msg("%s: %s", path, err.msg);
	vt_source_close(n);
	return count;
}

static int have(const char *relative)
{
	if (vt_testdata(relative) && access(vt_testdata(relative), R_OK) == 0)
		return 1;
	vt_skip_part(VT_SKIP_NO_TESTDATA, "../shared/testdata/%s is absent", relative);
	return 0;
}

static void same_events(const char *relative, uint64_t expected)
{
	if (!have(relative))
		return;
	char *path = strdup(vt_testdata(relative));
	uint64_t got = compare_readers(path, path);
	if (expected)
		assert_int_equal(got, expected);
	free(path);
}

static void test_shared_traces(void **state)
{
	(void)state;
	same_events("ctf/many-threads", 240644);
	same_events("ctf/flipping-endianness", 14310);
	same_events("ctf/uneven-streams", 50618);
	same_events("ctf/hello-lost", 32300);
	same_events("ctf/synctraces/scp_src", 0); /* babeltrace2's own CLI stops early on it, not our graph */
	same_events("ctf/synctraces/scp_dest", 0);
}

/* Compares every trace found under dir (a folder holding `metadata`) that
 * babeltrace2 reads; *n counts them. */
static void walk_traces(const char *dir, size_t *n)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (access(path, R_OK) == 0) {
		struct vt_error err = {0};
		const char *p = dir;
		struct vt_source *bt = vt_source_open_with(&p, 1, VT_READER_BABELTRACE2, &err);
		if (!bt) { /* CTF 2 and funky_trace: the native reader alone, to the end */
			printf("%s: babeltrace2 refuses it; %" PRIu64 " events natively\n", dir, native_count(dir));
			return;
		}
		vt_source_close(bt);
		compare_readers(dir, dir);
		(*n)++;
		return;
	}
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.' && de->d_type == DT_DIR) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			walk_traces(path, n);
		}
	closedir(dp);
}

/* Every CTF 1.8 trace in ../shared/testdata, the ones named above and any other. */
static void test_every_testdata_trace(void **state)
{
	(void)state;
	if (!have("ctf"))
		return;
	char *root = strdup(vt_testdata(""));
	size_t n = 0;
	walk_traces(root, &n);
	free(root);
	printf("%zu CTF 1.8 traces of the test data read equal by both readers\n", n);
	assert_true(n >= 9); /* ctf/ (6 but funky_trace) and real-kvm/run1 (3) when this was written */
}

static void test_real_kvm(void **state)
{
	(void)state;
	same_events("real-kvm/run1/host/kernel", 0);
	same_events("real-kvm/run1/guest1/kernel", 0);
	same_events("real-kvm/run1/guest2/kernel", 0);
	same_events("real-kvm/run1", 0); /* three traces merged, each on its own clock */
}

static void test_example(void **state)
{
	(void)state;
	compare_readers(vt_source_path(EXAMPLE), vt_source_path(EXAMPLE));
}

/* 100 ms of a shipped scenario, read by both. */
static void simulated(const char *relative, void *ctx)
{
	(void)ctx;
	char *out = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s' --duration-ms 100", vt_build_path("vmtrace-sim"), vt_source_path(relative),
		     out);
	if (r.status != 0)
		fail_msg("vmtrace-sim %s: %s", relative, r.err);
	vt_run_free(&r);
	compare_readers(out, out);
	vt_rmtree(out);
	free(out);
}

/* Every shipped scenario (scenarios/ and scenarios/findings/). */
static void test_simulator(void **state)
{
	(void)state;
	assert_true(vt_each_scenario(simulated, NULL) >= 19); /* the scenarios shipped when this was written */
}

/* funky_trace: babeltrace2 2.0 refuses its metadata; babeltrace 1.5 counts 100002 events. */
static void test_funky(void **state)
{
	(void)state;
	if (!have("ctf/funky_trace"))
		return;
	assert_int_equal(native_count(vt_testdata("ctf/funky_trace")), 100002);
}

/* The CTF 2 rewrites read natively give their CTF 1.8 originals' events. */
static void test_ctf2_twins(void **state)
{
	(void)state;
	static const char *const twins[][2] = {
		{"ctf2/many-threads/wilbrod", "ctf/many-threads"},
		{"ctf2/real-kvm-run1/host/l1-host/host-20261125T232307+0000/kernel", "real-kvm/run1/host/kernel"},
		{"ctf2/real-kvm-run1/guest1/guest1/guest1-20261125T232311+0000/kernel", "real-kvm/run1/guest1/kernel"},
		{"ctf2/real-kvm-run1/guest2/guest2/guest2-20261125T232311+0000/kernel", "real-kvm/run1/guest2/kernel"},
	};
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
		if (!have(twins[i][0]) || !have(twins[i][1]))
			continue;
		char *a = strdup(vt_testdata(twins[i][0])), *b = strdup(vt_testdata(twins[i][1]));
		compare_readers(a, b);
		free(a);
		free(b);
	}
	if (have("ctf2/ust-hello/vm/demo-20261126T003725+0000/ust/uid/0/64-bit"))
		compare_readers(vt_testdata("ctf2/ust-hello/vm/demo-20261126T003725+0000/ust/uid/0/64-bit"),
				vt_source_path(EXAMPLE "/ust/uid/0/64-bit"));
}

/* A trace rotated by size: many-threads' channel0_0 cut at its packets into
 * three files, which babeltrace2 reads as one data stream (same stream
 * instance), and so must the native reader. */
static void test_rotated_by_size(void **state)
{
	(void)state;
	if (!have("ctf/many-threads"))
		return;
	char *dir = vt_mkdtemp();
	struct vt_run r;
	/* 262144 bytes: its packets' size (index/channel0_0.idx) */
	vt_run_shell(&r,
		     "cd '%s' && cp metadata channel0_[1-7] '%s'/ && chmod -R u+w '%s' && "
		     "head -c 262144 channel0_0 > '%s'/channel0_0_0 && "
		     "tail -c +262145 channel0_0 | head -c 524288 > '%s'/channel0_0_1 && "
		     "tail -c +786433 channel0_0 > '%s'/channel0_0_2",
		     vt_testdata("ctf/many-threads"), dir, dir, dir, dir, dir);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	assert_int_equal(compare_readers(dir, dir), 240644);
	vt_rmtree(dir);
	free(dir);
}

/* A copy of the example's UST trace with channel0_0 changed: n bytes at off (or truncated to off when n == 0). */
static char *corrupt_copy(long off, const void *bytes, size_t n)
{
	char *dir = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "cp -r '%s'/* '%s'/ && chmod -R u+w '%s'", vt_source_path(EXAMPLE "/ust/uid/0/64-bit"), dir,
		     dir);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	char path[4200];
	snprintf(path, sizeof(path), "%s/channel0_0", dir);
	if (!n) {
		assert_int_equal(truncate(path, off), 0);
		return dir;
	}
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return dir;
}

/* Reading dir natively fails with one line naming channel0_0 and saying what. */
static void refused(char *dir, const char *what)
{
	const char *path = dir;
	struct vt_error err = {0};
	setenv("VMTRACE_READER", "native", 1);
	struct vt_source *src = vt_source_open(&path, 1, &err);
	unsetenv("VMTRACE_READER");
	int rc = -1;
	if (src) {
		const struct vt_event *ev;
		while ((rc = vt_source_next(src, &ev, &err)) > 0)
			;
		vt_source_close(src);
	}
	if (rc >= 0)
		fail_msg("%s: read whole, expected \"%s\"", dir, what);
	printf("refused: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "/channel0_0: at byte "));
	assert_non_null(strstr(err.msg, what));
	assert_null(strchr(err.msg, '\n'));
	vt_rmtree(dir);
	free(dir);
}

/* The example's channel0_0: one packet; header at 0 (magic, uuid, stream_id,
 * stream_instance_id), context at 32 (timestamp_begin, timestamp_end,
 * content_size at 48, packet_size at 56, ...), the first event's large
 * header at 84 (id 0xffff: extended, its 32-bit id at 86). */
static void test_corrupt(void **state)
{
	(void)state;
	static const uint8_t zero[4] = {0}, past[8] = {0, 0, 4}, over[8] = {8, 0, 2}, id[4] = {5};
	refused(corrupt_copy(8000, NULL, 0), "the packet's size passes the end of the file");
	refused(corrupt_copy(56, past, sizeof(past)), "the packet's size passes the end of the file");
	refused(corrupt_copy(0, zero, sizeof(zero)), "bad magic number");
	refused(corrupt_copy(48, over, sizeof(over)), "content size is larger than its size");
	refused(corrupt_copy(86, id, sizeof(id)), "event record class id 5 is not in the metadata");
	refused(corrupt_copy(100, NULL, 0), "the packet's size passes the end of the file");
	refused(corrupt_copy(20, NULL, 0), "passes the packet's content");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_simulator),
		cmocka_unit_test(test_shared_traces),
		cmocka_unit_test(test_real_kvm),
		cmocka_unit_test(test_every_testdata_trace),
		cmocka_unit_test(test_funky),
		cmocka_unit_test(test_ctf2_twins),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_rotated_by_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
