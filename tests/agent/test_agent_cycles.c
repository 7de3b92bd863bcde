/* 100 guests created and destroyed one after the other, then 10 at once, under
 * `vmtrace watch --json`: every creation and destruction reported exactly once,
 * created before destroyed; a guest gone before it is read is reported as such. */
#include "agent_helpers.h"
#include "testutil.h"

#include <jansson.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CYCLES 100
#define BURST 10

static char *dir;
static char out[700], err[700];
static pid_t watcher;

static int teardown(void **state)
{
	(void)state;
	vt_h_stop(watcher);
	vt_h_cleanup();
	if (dir) {
		vt_rmtree(dir);
		free(dir);
	}
	return 0;
}

struct seen {
	pid_t pid;
	int created, destroyed, created_line, destroyed_line, gone;
};

static struct seen *find(struct seen *s, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (s[i].pid == pid)
			return &s[i];
	return NULL;
}

static void test_cycles(void **state)
{
	(void)state;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "exec %s watch --json --trust-root-uevents", vt_build_path("vmtrace"));
	watcher = vt_h_spawn(cmd, out, err);
	assert_int_equal(vt_h_wait_for(err, "following KVM uevents", 1, 10000), 0);

	struct seen s[CYCLES + BURST + 1];
	int n = 0;
	uint64_t t0 = vt_h_now_ns();
	for (int i = 0; i < CYCLES; i++) {
		char uuid[64], name[32];
		snprintf(uuid, sizeof(uuid), "c7c1e000-0000-4000-8000-%012d", i);
		snprintf(name, sizeof(name), "cyc%d", i);
		pid_t pid = vt_h_qemu_start(name, uuid, 1 + i % 2);
		assert_true(pid > 0);
		vt_h_qemu_kill(pid);
		s[n++] = (struct seen){.pid = pid};
		if ((i + 1) % 10 == 0) /* progress where a slow (emulated) machine can be watched */
			fprintf(stderr, "%d cycles in %.1f s\n", i + 1, (double)(vt_h_now_ns() - t0) / 1e9);
	}
	pid_t burst[BURST];
	for (int i = 0; i < BURST; i++) {
		char uuid[64], name[32];
		snprintf(uuid, sizeof(uuid), "b0b5e000-0000-4000-8000-%012d", i);
		snprintf(name, sizeof(name), "burst%d", i);
		burst[i] = vt_h_qemu_start(name, uuid, 1);
		assert_true(burst[i] > 0);
		s[n++] = (struct seen){.pid = burst[i]};
	}
	for (int i = 0; i < BURST; i++)
		vt_h_qemu_kill(burst[i]);
	/* A pid that is gone when the agent reads it. */
	pid_t ghost = fork();
	if (ghost == 0)
		_exit(0);
	waitpid(ghost, NULL, 0);
	vt_h_inject_uevent("create", ghost);
	vt_h_inject_uevent("destroy", ghost);
	s[n++] = (struct seen){.pid = ghost};
	printf("%d cycles + %d burst in %.1f s\n", CYCLES, BURST, (double)(vt_h_now_ns() - t0) / 1e9);

	char needle[64];
	snprintf(needle, sizeof(needle), "\"guest_destroyed\",\"pid\":%d}", (int)ghost);
	assert_int_equal(vt_h_wait_for(out, needle, 1, 10000), 0);
	assert_int_equal(vt_h_stop(watcher), 0);
	watcher = 0;
	assert_int_equal(vt_h_count(err, "Sanitizer"), 0);

	FILE *f = fopen(out, "r");
	assert_non_null(f);
	char line[4096];
	int ln = 0, others = 0;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		const char *ev = json_string_value(json_object_get(j, "event"));
		pid_t pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
		struct seen *x = find(s, n, pid);
		if (!x) {
			others++; /* another guest on this machine: not ours to count */
		} else if (!strcmp(ev, "guest_created")) {
			x->created++;
			x->created_line = ln;
			x->gone = json_is_true(json_object_get(j, "gone"));
		} else if (!strcmp(ev, "guest_destroyed")) {
			x->destroyed++;
			x->destroyed_line = ln;
		}
		json_decref(j);
	}
	fclose(f);
	for (int i = 0; i < n; i++) {
		if (s[i].created != 1 || s[i].destroyed != 1 || s[i].created_line > s[i].destroyed_line)
			printf("pid %d: created %d (line %d), destroyed %d (line %d)\n", (int)s[i].pid,
			       s[i].created, s[i].created_line, s[i].destroyed, s[i].destroyed_line);
		assert_int_equal(s[i].created, 1);
		assert_int_equal(s[i].destroyed, 1);
		assert_true(s[i].created_line < s[i].destroyed_line);
	}
	/* Under load the agent may also find a killed cycle's QEMU gone: also reported, also fine. */
	assert_true(s[n - 1].gone);
	int gone = 0;
	for (int i = 0; i < n; i++)
		gone += s[i].gone;
	/* At least ours: tests running beside this one inject uevents too. */
	assert_true(vt_h_count(err, "exited before it could be read") >= gone);
	if (gone > 1)
		printf("%d guests were gone before the agent read them (machine busy)\n", gone - 1);
	printf("%d guests: each created and destroyed once, in order (%d lines about other guests)\n", n, others);
}

/* The socket overflows while the agent is stopped: it says so and dumps again. */
static void test_overflow(void **state)
{
	(void)state;
	char cmd[1024], out2[800], err2[800];
	snprintf(out2, sizeof(out2), "%s.overflow", out);
	snprintf(err2, sizeof(err2), "%s.overflow", err);
	snprintf(cmd, sizeof(cmd), "exec %s watch --json --trust-root-uevents", vt_build_path("vmtrace"));
	watcher = vt_h_spawn(cmd, out2, err2);
	assert_int_equal(vt_h_wait_for(err2, "following KVM uevents", 1, 10000), 0);
	kill(watcher, SIGSTOP);
	int fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	struct sockaddr_nl src = {.nl_family = AF_NETLINK}, dst = {.nl_family = AF_NETLINK, .nl_groups = 1};
	assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	/* Another device's uevents: ignored one by one, but they fill the queue. */
	char msg[1024];
	int n = snprintf(msg, sizeof(msg), "change@/devices/virtual/misc/vt-test%cDEVPATH=/devices/virtual/misc/vt-test%c"
			 "PAD=%0900d", 0, 0, 0);
	for (int i = 0; i < 20000; i++)
		sendto(fd, msg, (size_t)n + 1, MSG_DONTWAIT, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	kill(watcher, SIGCONT);
	assert_int_equal(vt_h_wait_for(err2, "uevents were lost", 1, 10000), 0);
	assert_int_equal(vt_h_wait_for(out2, "\"statedump_end\"", 1, 10000), 0);
	assert_int_equal(vt_h_stop(watcher), 0);
	watcher = 0;
}

int main(void)
{
	vt_h_require_qemu();
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "injecting the 'gone' uevent needs root");
	dir = vt_mkdtemp();
	snprintf(out, sizeof(out), "%s/watch.jsonl", dir);
	snprintf(err, sizeof(err), "%s/watch.err", dir);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
