/* The guest agent client and the guest session against a hostile agent (a
 * fake one on the test's own socket): silence, garbage, wrong ids, huge
 * lines, answers of the wrong shape, bad base64, lying counts and exit codes,
 * late answers, a closed connection, hostile archives (.., absolute, links,
 * huge sizes). Each call is refused in one line by its deadline, the next
 * call works again, nothing lands outside the destination. And whom we
 * connect to: a socket of another user, a listener that is not the QEMU, a
 * symlink: refused before a byte is sent. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_agent.h"
#include "record/guest_session.h"
#include "record/qga.h"
#include "tarw.h"
#include "testutil.h"

static char *dir;
static char sock[600];

static int setup(void **state)
{
	(void)state;
	dir = vt_mkdtemp();
	snprintf(sock, sizeof(sock), "%s/qga.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(dir);
	free(dir);
	return 0;
}

static int64_t in_ms(int64_t ms)
{
	return vt_qga_now_ms() + ms;
}

/* Connects to the fake agent pid serves. */
static struct vt_qga *connect_fake(pid_t pid, int64_t ms, struct vt_error *err)
{
	return vt_qga_connect(NULL, pid, sock, in_ms(ms), err);
}

/* ---- silence, garbage, ids ---- */

static int silent(int fd, const char *c, json_t *a, unsigned n)
{
	(void)fd, (void)c, (void)a, (void)n;
	return 0;
}

static void test_silent(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, silent);
	struct vt_error err = {0};
	int64_t t0 = vt_qga_now_ms();
	assert_null(connect_fake(pid, 500, &err));
	int64_t took = vt_qga_now_ms() - t0;
	printf("silent agent: %s (%lld ms)\n", err.msg, (long long)took);
	assert_non_null(strstr(err.msg, "no sync answer"));
	assert_true(took < 5000); /* bounded by the deadline, whatever the agent does */
	fake_agent_stop(pid);
}

/* Garbage, a stray error and answers to someone else's sync before ours. */
static int noisy_sync(int fd, const char *c, json_t *a, unsigned n)
{
	(void)n;
	if (strcmp(c, "guest-sync-delimited"))
		return 1;
	fake_write(fd, "\x01\x02garbage{\"return\": 1}\n\xff{\"return\": 12}\n{\"return\": {\"x\":1}}\n[1,2]\nnot json\n", -1);
	return fake_default(fd, c, a, n) == 0 ? 0 : 1;
}

static int wrong_ids(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (strcmp(c, "guest-sync-delimited"))
		return 1;
	for (int i = 0; i < 50; i++)
		fake_write(fd, "\xff{\"return\": 1234}\n", -1);
	return 0;
}

static void test_sync_ids(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, noisy_sync);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	if (!q)
		fail_msg("%s", err.msg);
	char host[64];
	assert_int_equal(vt_qga_host_name(q, in_ms(5000), host, sizeof(host), &err), 0);
	assert_string_equal(host, "fake\x1b[31mguest");
	vt_qga_close(q);
	fake_agent_stop(pid);

	pid = fake_agent_start(sock, wrong_ids);
	assert_null(connect_fake(pid, 500, &err));
	assert_non_null(strstr(err.msg, "no sync answer"));
	fake_agent_stop(pid);
}

/* ---- answers that are too long, not answers, late ---- */

static int flood_info(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (!strcmp(c, "guest-info")) {
		static char block[65536];
		memset(block, 'x', sizeof(block));
		fake_write(fd, "{\"return\": \"", -1);
		for (int i = 0; i < 160; i++) /* 10 MiB without a line break */
			fake_write(fd, block, sizeof(block));
		fake_write(fd, "\"}\n", -1);
		return 0;
	}
	if (!strcmp(c, "guest-get-host-name")) {
		fake_write(fd, "{\"retour\": 1}\n", -1);
		return 0;
	}
	if (!strcmp(c, "guest-ping")) {
		fake_write(fd, "{\"return\": {}, \"return\": 2}\n", -1);
		return 0;
	}
	if (!strcmp(c, "guest-file-close")) {
		fake_write(fd, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"\\u001b[2Jno\\nway\"}}\n", -1);
		return 0;
	}
	return 1;
}

static void test_bad_answers(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, flood_info);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	assert_non_null(q);
	struct vt_qga_info info;
	assert_int_equal(vt_qga_info(q, in_ms(10000), &info, &err), -1);
	printf("flood: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "an answer longer than"));
	char host[64];
	assert_int_equal(vt_qga_host_name(q, in_ms(10000), host, sizeof(host), &err), -1);
	assert_non_null(strstr(err.msg, "neither \"return\" nor \"error\""));
	json_t *ret;
	assert_int_equal(vt_qga_call(q, "guest-ping", NULL, 4096, in_ms(5000), &ret, &err), -1);
	assert_non_null(strstr(err.msg, "not JSON"));
	/* The agent's own error, its text folded to one safe line. */
	assert_int_equal(vt_qga_call(q, "guest-file-close", NULL, 4096, in_ms(5000), &ret, &err), -1);
	printf("agent error: %s\n", err.msg);
	assert_null(strchr(err.msg, '\x1b'));
	assert_null(strchr(err.msg, '\n'));
	/* After all that, the stream is in step again. */
	assert_int_equal(vt_qga_call(q, "guest-file-open", json_pack("{s:s}", "path", "/x"), 4096, in_ms(5000), &ret,
				     &err), 0);
	assert_int_equal(json_integer_value(ret), 7);
	json_decref(ret);
	vt_qga_close(q);
	fake_agent_stop(pid);
}

/* An answer that comes after its call gave up must not be taken for the next one's. */
static int late(int fd, const char *c, json_t *a, unsigned n)
{
	if (!strcmp(c, "guest-get-host-name")) {
		usleep(800000);
		return fake_default(fd, c, a, n), 0;
	}
	return 1;
}

static void test_late_answer(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, late);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	assert_non_null(q);
	char host[64];
	assert_int_equal(vt_qga_host_name(q, in_ms(200), host, sizeof(host), &err), -1);
	assert_non_null(strstr(err.msg, "no answer in time"));
	struct vt_qga_info info;
	assert_int_equal(vt_qga_info(q, in_ms(5000), &info, &err), 0);
	assert_string_equal(info.version, "7.2.0-fake");
	vt_qga_close(q);
	fake_agent_stop(pid);
}

static int closes(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (!strcmp(c, "guest-info")) {
		shutdown(fd, SHUT_RDWR);
		return 0;
	}
	return 1;
}

static void test_closed(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, closes);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	assert_non_null(q);
	struct vt_qga_info info;
	assert_int_equal(vt_qga_info(q, in_ms(5000), &info, &err), -1);
	assert_non_null(strstr(err.msg, "closed"));
	assert_int_equal(vt_qga_info(q, in_ms(5000), &info, &err), -1);
	vt_qga_close(q);
	fake_agent_stop(pid);
}

/* ---- guest-info, exec, file read ---- */

static int no_exec(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (strcmp(c, "guest-info"))
		return 1;
	fake_write(fd, "{\"return\": {\"version\": \"7.2\", \"supported_commands\": [{\"enabled\": false, \"name\": "
		   "\"guest-exec\"}, {\"enabled\": true, \"name\": \"guest-file-read\"}, {\"enabled\": \"yes\", "
		   "\"name\": \"guest-file-open\"}]}}\n", -1);
	return 0;
}

static void test_exec_disabled(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, no_exec);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	assert_non_null(q);
	assert_null(vt_guest_attach(q, pid, sock, NULL, in_ms(5000), &err));
	printf("no exec: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "does not allow guest-exec, guest-exec-status, guest-file-open, guest-file-close"));
	fake_agent_stop(pid);
}

static const char *status_answer;

static int bad_status(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (strcmp(c, "guest-exec-status"))
		return 1;
	fake_write(fd, status_answer, -1);
	return 0;
}

static void test_exec_status(void **state)
{
	(void)state;
	const struct {
		const char *answer, *why;
	} cases[] = {
		{"{\"return\": {\"exited\": true, \"exitcode\": 0, \"out-data\": \"aGk\"}}\n", "out-data is not valid base64"},
		{"{\"return\": {\"exited\": true, \"exitcode\": 0, \"out-data\": \"a G k=\"}}\n", "not valid base64"},
		{"{\"return\": {\"exited\": true, \"exitcode\": 0, \"err-data\": 5}}\n", "err-data is not a string"},
		{"{\"return\": {\"exited\": true, \"exitcode\": 300}}\n", "no valid exit code"},
		{"{\"return\": {\"exited\": true, \"exitcode\": -1}}\n", "no valid exit code"},
		{"{\"return\": {\"exited\": true, \"exitcode\": \"0\"}}\n", "no valid exit code"},
		{"{\"return\": {\"exited\": true}}\n", "no valid exit code"},
		{"{\"return\": {\"exited\": true, \"signal\": 1000}}\n", "no valid exit code"},
		{"{\"return\": {\"exited\": 1, \"exitcode\": 0}}\n", "without \"exited\""},
		{"{\"return\": {\"exited\": true, \"exitcode\": 0, \"out-truncated\": \"no\"}}\n", "not a boolean"},
		{"{\"return\": [true]}\n", "without \"exited\""},
		{"{\"return\": {\"exited\": false}}\n", "still runs"},
		{"{\"return\": {\"exited\": true, \"exitcode\": 3, \"out-data\": \"dm10cmFjZS1lcnJvcjogYm9vbQo=\"}}\n",
		 "guest script failed: boom"},
		{"{\"return\": {\"exited\": true, \"signal\": 9, \"err-data\": \"S2lsbGVkCg==\"}}\n", "killed by signal 9: Killed"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		status_answer = cases[i].answer;
		pid_t pid = fake_agent_start(sock, bad_status);
		struct vt_error err = {0};
		struct vt_qga *q = connect_fake(pid, 5000, &err);
		struct vt_guest *g = q ? vt_guest_attach(q, pid, sock, NULL, in_ms(5000), &err) : NULL;
		if (!g)
			fail_msg("%s", err.msg);
		/* Only the script that never ends meets the deadline: the others end at once. */
		int still = strstr(cases[i].why, "still runs") != NULL;
		int64_t t0 = vt_qga_now_ms();
		assert_int_equal(vt_guest_script(g, "true", in_ms(still ? 2000 : 20000), NULL, &err), -1);
		printf("%s -> %s (%lld ms)\n", cases[i].why, err.msg, (long long)(vt_qga_now_ms() - t0));
		if (!strstr(err.msg, cases[i].why))
			fail_msg("expected '%s' in: %s", cases[i].why, err.msg);
		assert_string_equal(vt_guest_report(g)->error, err.msg);
		vt_guest_close(g);
		fake_agent_stop(pid);
	}
}

static const char *read_answer;

static int bad_read(int fd, const char *c, json_t *a, unsigned n)
{
	(void)a, (void)n;
	if (strcmp(c, "guest-file-read"))
		return 1;
	fake_write(fd, read_answer, -1);
	return 0;
}

static int sink_count(void *ctx, const uint8_t *d, size_t len, struct vt_error *err)
{
	(void)d, (void)err;
	*(size_t *)ctx += len;
	return 0;
}

static void test_file_read(void **state)
{
	(void)state;
	const struct {
		const char *answer, *why;
	} cases[] = {
		{"{\"return\": {\"count\": 4, \"buf-b64\": \"YWJj\", \"eof\": true}}\n", "not the 3 bytes"},
		{"{\"return\": {\"count\": 3, \"buf-b64\": \"YW*j\", \"eof\": true}}\n", "not valid base64"},
		{"{\"return\": {\"count\": 3, \"buf-b64\": \"YWJj\"}}\n", "without count, buf-b64 and eof"},
		{"{\"return\": {\"count\": 12, \"buf-b64\": \"YWJjZGVmZ2hpamts\", \"eof\": true}}\n", "not 0..8"},
		{"{\"return\": {\"count\": 3, \"buf-b64\": \"YWJj\", \"eof\": false}}\n", "longer than 20 bytes"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		read_answer = cases[i].answer;
		pid_t pid = fake_agent_start(sock, bad_read);
		struct vt_error err = {0};
		struct vt_qga *q = connect_fake(pid, 5000, &err);
		assert_non_null(q);
		size_t got = 0;
		assert_int_equal(vt_qga_file_read(q, "/f", 8, 20, in_ms(5000), sink_count, &got, &err), -1);
		printf("%s -> %s\n", cases[i].why, err.msg);
		if (!strstr(err.msg, cases[i].why))
			fail_msg("expected '%s' in: %s", cases[i].why, err.msg);
		assert_true(got <= 20);
		vt_qga_close(q);
		fake_agent_stop(pid);
	}
	/* A well-behaved agent, chunk by chunk. */
	static uint8_t data[100000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	fake_file = data;
	fake_file_len = sizeof(data);
	pid_t pid = fake_agent_start(sock, NULL);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	size_t got = 0;
	assert_int_equal(vt_qga_file_read(q, "/f", 4096, sizeof(data), in_ms(10000), sink_count, &got, &err),
			 (int64_t)sizeof(data));
	assert_int_equal(got, sizeof(data));
	assert_int_equal(vt_qga_file_read(q, "/f", 4096, sizeof(data) - 1, in_ms(10000), sink_count, &got, &err), -1);
	assert_non_null(strstr(err.msg, "longer than 99999 bytes"));
	vt_qga_close(q);
	fake_agent_stop(pid);
	fake_file = NULL;
	fake_file_len = 0;
}

/* ---- fetch: hostile archives ---- */

static void fetch_archive(struct tarw *t, int expect_ok, const char *why)
{
	fake_file = t->buf;
	fake_file_len = t->len;
	snprintf(fake_exec_log, sizeof(fake_exec_log), "%s/exec.log", dir);
	unlink(fake_exec_log);
	pid_t pid = fake_agent_start(sock, NULL);
	struct vt_error err = {0};
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	struct vt_guest *g = q ? vt_guest_attach(q, pid, sock, NULL, in_ms(5000), &err) : NULL;
	assert_non_null(g);
	char host_dir[700];
	snprintf(host_dir, sizeof(host_dir), "%s/out/guest", dir);
	struct vt_run r;
	vt_run_shell(&r, "rm -rf '%s/out' && mkdir -p '%s/out'", dir, dir);
	vt_run_free(&r);
	struct vt_untar_stats st;
	int rc = vt_guest_fetch(g, "/tmp/trace dir/", host_dir, 1, in_ms(10000), &st, &err);
	printf("fetch: %s\n", rc == 0 ? "ok" : err.msg);
	assert_int_equal(rc, expect_ok ? 0 : -1);
	if (why && !strstr(err.msg, why))
		fail_msg("expected '%s' in: %s", why, err.msg);
	/* Nothing beside the guest's folder; after a failure not even that. */
	vt_run_shell(&r, "ls -A '%s/out'", dir);
	assert_string_equal(r.out, expect_ok ? "guest\n" : "");
	vt_run_free(&r);
	/* The guest was asked to tar the folder, then to remove the archive (and
	 * the folder only after a fetch that worked). */
	char *log = vt_read_file(fake_exec_log, NULL);
	assert_non_null(log);
	assert_non_null(strstr(log, "d='/tmp/trace dir'; f='/tmp/trace dir.vmtrace.tar'"));
	assert_non_null(strstr(log, "rm -f '/tmp/trace dir.vmtrace.tar'"));
	assert_true(!strstr(log, "rm -rf '/tmp/trace dir'") == !expect_ok);
	free(log);
	vt_guest_close(g);
	fake_agent_stop(pid);
	fake_exec_log[0] = '\0';
}

static void test_fetch(void **state)
{
	(void)state;
	struct tarw t = {0};
	tarw_header(&t, "./", '5', 0, 0755, NULL, 0);
	tarw_file(&t, "./kernel/metadata", "/* CTF 1.8 */\n");
	tarw_header(&t, "./link", '2', 0, 0777, "/etc", 0);
	tarw_end(&t);
	fetch_archive(&t, 1, NULL);
	char p[700];
	snprintf(p, sizeof(p), "%s/out/guest/kernel/metadata", dir);
	char *m = vt_read_file(p, NULL);
	assert_string_equal(m, "/* CTF 1.8 */\n");
	free(m);
	tarw_free(&t);

	const char *bad[] = {"../escape", "/etc/vmtrace-fetch-test", "./a/../../escape"};
	for (size_t i = 0; i < 3; i++) {
		tarw_file(&t, "./ok", "ok\n");
		tarw_file(&t, bad[i], "escape\n");
		tarw_end(&t);
		fetch_archive(&t, 0, "archive entry");
		tarw_free(&t);
	}
	assert_int_equal(access("/etc/vmtrace-fetch-test", F_OK), -1);
	tarw_header(&t, "./huge", '0', 1ull << 50, 0644, NULL, 0);
	tarw_end(&t);
	fetch_archive(&t, 0, "more bytes than the limit");
	tarw_free(&t);
	/* Not an archive at all, and one cut short. */
	tarw_data(&t, "this is not a tar file", 22);
	fetch_archive(&t, 0, "not a ustar header");
	tarw_free(&t);
	tarw_file(&t, "./cut", "abc");
	fetch_archive(&t, 0, "truncated");
	tarw_free(&t);
}

/* ---- all guests at once ---- */

static void test_script_all(void **state)
{
	(void)state;
	enum { N = 4 };
	char socks[N][600];
	pid_t pids[N];
	struct vt_guest *g[N];
	fake_exec_out = "vmtrace-lost: 17\nvmtrace-tracer: fake 1.0\n";
	for (int i = 0; i < N; i++) {
		snprintf(socks[i], sizeof(socks[i]), "%s/qga%d.sock", dir, i);
		pids[i] = fake_agent_start(socks[i], NULL);
		struct vt_error err = {0};
		struct vt_qga *q = vt_qga_connect(NULL, pids[i], socks[i], in_ms(5000), &err);
		g[i] = q ? vt_guest_attach(q, pids[i], socks[i], NULL, in_ms(5000), &err) : NULL;
		assert_non_null(g[i]);
	}
	/* Two guests' agents freeze (SIGSTOP) once connected: waited for one
	 * after the other, they would cost two deadlines. */
	kill(pids[1], SIGSTOP);
	kill(pids[2], SIGSTOP);
	const char *scripts[N] = {"stop", "stop", "stop", "stop"};
	int64_t t0 = vt_qga_now_ms();
	assert_int_equal(vt_guest_script_all(g, scripts, N, in_ms(3000)), 2);
	int64_t took = vt_qga_now_ms() - t0;
	printf("%d guests, two frozen, a 3000 ms deadline: %lld ms\n", N, (long long)took);
	assert_true(took < 5500);
	assert_string_equal(vt_guest_report(g[0])->error, "");
	assert_string_equal(vt_guest_report(g[3])->error, "");
	assert_int_equal(vt_guest_report(g[0])->lost, 17);
	assert_string_equal(vt_guest_report(g[3])->tracer, "fake 1.0");
	printf("frozen guest: %s\n", vt_guest_report(g[1])->error);
	assert_non_null(strstr(vt_guest_report(g[1])->error, "no answer in time"));
	assert_non_null(strstr(vt_guest_report(g[2])->error, "no answer in time"));
	for (int i = 0; i < N; i++) {
		kill(pids[i], SIGCONT);
		vt_guest_close(g[i]);
		fake_agent_stop(pids[i]);
	}
	fake_exec_out = "";
}

/* ---- whom we connect to ---- */

static void test_whose_socket(void **state)
{
	(void)state;
	pid_t pid = fake_agent_start(sock, NULL);
	struct vt_error err = {0};
	/* The listener is the fake agent, not the process we say is the QEMU. */
	assert_null(vt_qga_connect(NULL, getpid(), sock, in_ms(2000), &err));
	printf("other listener: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "not by the QEMU"));
	/* A symlink to the socket is not followed. */
	char link[700];
	snprintf(link, sizeof(link), "%s/link.sock", dir);
	assert_int_equal(symlink(sock, link), 0);
	assert_null(vt_qga_connect(NULL, pid, link, in_ms(2000), &err));
	assert_non_null(strstr(err.msg, "not a socket"));
	unlink(link);
	/* Not a socket at all. */
	assert_null(vt_qga_connect(NULL, pid, "/dev/null", in_ms(2000), &err));
	assert_non_null(strstr(err.msg, "not a socket"));
	/* A socket another user owns (the QEMU runs as root here). */
	if (geteuid() != 0) {
		vt_skip_part(VT_SKIP_NO_ROOT, "chown of the socket to another user needs root");
	} else {
		struct passwd *nobody = getpwnam("nobody");
		assert_non_null(nobody);
		assert_int_equal(chown(sock, nobody->pw_uid, nobody->pw_gid), 0);
		assert_null(vt_qga_connect(NULL, pid, sock, in_ms(2000), &err));
		printf("other user's socket: %s\n", err.msg);
		assert_non_null(strstr(err.msg, "belongs to uid"));
		assert_int_equal(chown(sock, 0, 0), 0);
	}
	/* And the process must exist. */
	assert_null(vt_qga_connect(NULL, 999999999, sock, in_ms(2000), &err));
	assert_non_null(strstr(err.msg, "uid cannot be read"));
	struct vt_qga *q = connect_fake(pid, 5000, &err);
	assert_non_null(q);
	vt_qga_close(q);
	fake_agent_stop(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_sync_ids),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_late_answer),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_exec_disabled),
		cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_file_read),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_script_all),
		cmocka_unit_test(test_whose_socket),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
