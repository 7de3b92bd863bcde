/* Finding traces in folders: a trace 20 folders deep is found; symlink and
 * bind-mount loops end (each folder walked once, said in one line on
 * stderr); a stream file that is not a regular file (a symlink to /dev/zero,
 * a FIFO, a socket) is refused in one line naming it, exit 1, instead of
 * reading as "streams 0". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp;
static const char *example; /* a real trace folder (metadata, index/, two streams) */

/* Runs a shell command that must succeed. */
static void sh(const char *cmd)
{
	struct vt_run run;
	vt_run_shell(&run, "%s", cmd);
	if (run.status != 0)
		fail_msg("%s: status %d: %s", cmd, run.status, run.err);
	vt_run_free(&run);
}

/* A copy of the example trace at tmp/rel; returns its path (static). */
static const char *trace_at(const char *rel)
{
	static char path[4200];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	char cmd[13000];
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && cp -r '%s' '%s'", path, example, path);
	sh(cmd);
	return path;
}

/* `vmtrace info --json PATH`, bounded so that a walk that never ends fails instead of hanging. */
static json_t *info(const char *path, struct vt_run *run)
{
	vt_run_shell(run, "timeout 300 %s info --json '%s'", vt_vmtrace_cmd(), path);
	return json_loads(run->out, 0, NULL);
}

static void deep_tree(void **state)
{
	(void)state;
	char rel[512] = "deep";
	for (int i = 1; i <= 20; i++)
		snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "/d%d", i);
	strcat(rel, "/trace");
	const char *path = trace_at(rel);
	char top[4300];
	snprintf(top, sizeof(top), "%s/deep", tmp);
	struct vt_run run;
	json_t *doc = info(top, &run);
	if (run.status != 0 || !doc)
		fail_msg("status %d: %s", run.status, run.err);
	json_t *traces = json_object_get(doc, "traces");
	assert_int_equal(json_array_size(traces), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(traces, 0), "path")), path);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(traces, 0), "streams")), 2);
	json_decref(doc);
	vt_run_free(&run);
}

/* The bound kept on the walk's recursion says so when reached: never a trace silently left out. */
static void deeper_than_the_bound(void **state)
{
	(void)state;
	char rel[2300] = "bound";
	for (int i = 0; i < 1001; i++)
		strcat(rel, "/x");
	trace_at(rel);
	char top[4300];
	snprintf(top, sizeof(top), "%s/bound", tmp);
	struct vt_run run;
	json_t *doc = info(top, &run);
	char want[4400];
	snprintf(want, sizeof(want), "%s: folders nested more than 1000 deep", top);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, want))
		fail_msg("status %d, stderr: %s", run.status, run.err);
	json_decref(doc);
	vt_run_free(&run);
}

/* The walk ends, finds the trace once, and says once what it skipped. */
static void expect_walked_once(const char *top, struct vt_run *run, json_t *doc)
{
	if (run->status != 0 || !doc)
		fail_msg("%s: status %d: %s", top, run->status, run->err);
	assert_int_equal(json_array_size(json_object_get(doc, "traces")), 1);
	if (vt_count_lines(run->err) != 1 || !strstr(run->err, "already walked") || !strstr(run->err, top))
		fail_msg("%s: want one line saying what was skipped, got: %s", top, run->err);
}

static void symlink_loops(void **state)
{
	(void)state;
	trace_at("loop/a/trace");
	char top[4300];
	snprintf(top, sizeof(top), "%s/loop", tmp);
	/* up the tree, to itself, and a second way to the same folder */
	char cmd[8800];
	snprintf(cmd, sizeof(cmd), "cd '%s' && ln -s .. a/up && ln -s . self && ln -s a b && ln -s '%s' a/abs", top, top);
	sh(cmd);
	struct vt_run run;
	json_t *doc = info(top, &run);
	expect_walked_once(top, &run, doc);
	json_decref(doc);
	vt_run_free(&run);
}

static void bind_mount_loop(void **state)
{
	(void)state;
	trace_at("bind/a/trace");
	char top[4300], mnt[4400];
	snprintf(top, sizeof(top), "%s/bind", tmp);
	snprintf(mnt, sizeof(mnt), "%s/a/m", top);
	assert_int_equal(mkdir(mnt, 0755), 0);
	struct vt_run run;
	vt_run_shell(&run, "mount --bind '%s' '%s'", top, mnt);
	if (run.status != 0) {
		vt_skip_part(geteuid() ? VT_SKIP_NO_ROOT : VT_SKIP_ENVIRONMENT, "cannot bind-mount: %s", run.err);
		vt_run_free(&run);
		return;
	}
	vt_run_free(&run);
	json_t *doc = info(top, &run);
	struct vt_run um;
	vt_run_shell(&um, "umount '%s'", mnt);
	assert_int_equal(um.status, 0);
	vt_run_free(&um);
	expect_walked_once(top, &run, doc);
	json_decref(doc);
	vt_run_free(&run);
}

/* vmtrace info refuses path in one line naming bad, exit 1. */
static void expect_not_regular(const char *path, const char *bad)
{
	struct vt_run run;
	json_t *doc = info(path, &run);
	char want[4400];
	snprintf(want, sizeof(want), "%s: not a regular file", bad);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, want))
		fail_msg("%s: status %d, want one line \"%s\", stderr: %s", path, run.status, want, run.err);
	assert_int_equal(json_array_size(json_object_get(doc, "traces")), 0);
	json_decref(doc);
	vt_run_free(&run);
}

static void not_regular_streams(void **state)
{
	(void)state;
	char stream[4400];
	const char *t = trace_at("zero/trace");
	snprintf(stream, sizeof(stream), "%s/channel0_1", t);
	assert_int_equal(unlink(stream), 0);
	assert_int_equal(symlink("/dev/zero", stream), 0);
	expect_not_regular(t, stream);

	t = trace_at("fifo/trace");
	snprintf(stream, sizeof(stream), "%s/channel0_0", t);
	assert_int_equal(unlink(stream), 0);
	assert_int_equal(mkfifo(stream, 0644), 0);
	expect_not_regular(t, stream);
	char parent[4300];
	snprintf(parent, sizeof(parent), "%s/fifo", tmp);
	expect_not_regular(parent, stream); /* found by walking a folder above it too */

	t = trace_at("socket/trace");
	snprintf(stream, sizeof(stream), "%s/channel0_0", t);
	assert_int_equal(unlink(stream), 0);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(stream) < sizeof(addr.sun_path)) {
		strcpy(addr.sun_path, stream);
		assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
		expect_not_regular(t, stream);
	} else {
		printf("socket case left out: the path is longer than a socket address holds\n");
	}
	close(fd);

	t = trace_at("meta/trace");
	snprintf(stream, sizeof(stream), "%s/metadata", t);
	assert_int_equal(unlink(stream), 0);
	assert_int_equal(mkfifo(stream, 0644), 0);
	expect_not_regular(t, stream);
}

/* A .dat name that is a FIFO, in a folder walked. */
static void not_regular_dat(void **state)
{
	(void)state;
	char top[4300], dat[4400];
	snprintf(top, sizeof(top), "%s/dat", tmp);
	assert_int_equal(mkdir(top, 0755), 0);
	snprintf(dat, sizeof(dat), "%s/host.dat", top);
	assert_int_equal(mkfifo(dat, 0644), 0);
	expect_not_regular(top, dat);
}

static int setup(void **state)
{
	(void)state;
	example = vt_source_path("examples/ust-hello/trace/ust/uid/0/64-bit");
	example = strdup(example);
	tmp = vt_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(tmp);
	free(tmp);
	free((char *)example);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deep_tree),		cmocka_unit_test(deeper_than_the_bound),
		cmocka_unit_test(symlink_loops),
		cmocka_unit_test(bind_mount_loop),	cmocka_unit_test(not_regular_streams),
		cmocka_unit_test(not_regular_dat),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
