/* The guest agent client against a real qemu-ga, run on this machine in
 * unix-listen mode (what it serves is this machine): sync, guest-info,
 * host name, scripts (output, exit codes, one that runs a while), file reads
 * in several chunk sizes compared byte for byte, a folder fetched through
 * tar and our untar (diff -r, the archive removed, the folder too when
 * asked), an agent whose guest-exec is blocked, and the whole path from a
 * QEMU command line (a fake /proc of that qemu-ga) through vt_guest_open. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/guest_session.h"
#include "record/qga.h"
#include "testutil.h"

static char *dir;
static char sock[600];
static pid_t agent;

static int64_t in_ms(int64_t ms)
{
	return vt_qga_now_ms() + ms;
}

/* qemu-ga on SOCK (extra: one more option, e.g. "-b" "guest-exec"). */
static pid_t agent_start(const char *opt, const char *val)
{
	char state[700];
	snprintf(state, sizeof(state), "%s/state", dir);
	mkdir(state, 0700);
	unlink(sock);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Nothing of ctest's: its pipes would stay open as long as qemu-ga. */
		char log[800];
		snprintf(log, sizeof(log), "%s/qemu-ga.log", state);
		int null = open("/dev/null", O_RDWR), logfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(null, 0);
		dup2(null, 1);
		dup2(logfd, 2);
		char pidfile[800];
		snprintf(pidfile, sizeof(pidfile), "%s/qga.pid", state);
		execlp("qemu-ga", "qemu-ga", "-m", "unix-listen", "-p", sock, "-t", state, "-f", pidfile,
		       opt ? opt : (char *)NULL, val, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return pid;
		usleep(10000);
	}
	fail_msg("qemu-ga made no socket %s", sock);
	return -1;
}

/* SIGKILL: qemu-ga's SIGTERM handler can deadlock (GLib in a signal handler). */
static void agent_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int setup(void **state)
{
	(void)state;
	if (system("command -v qemu-ga >/dev/null 2>&1 || test -x /usr/sbin/qemu-ga") != 0)
		vt_skip(VT_SKIP_NO_PROGRAM, "qemu-ga not installed (package qemu-guest-agent)");
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	dir = vt_mkdtemp();
	snprintf(sock, sizeof(sock), "%s/qga.sock", dir);
	agent = agent_start(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	agent_stop(agent);
	vt_rmtree(dir);
	free(dir);
	return 0;
}

static struct vt_guest *attach(struct vt_error *err)
{
	struct vt_qga *q = vt_qga_connect(NULL, agent, sock, in_ms(10000), err);
	return q ? vt_guest_attach(q, agent, sock, NULL, in_ms(10000), err) : NULL;
}

static void test_info(void **state)
{
	(void)state;
	struct vt_error err = {0};
	struct vt_guest *g = attach(&err);
	if (!g)
		fail_msg("%s", err.msg);
	const struct vt_guest_report *r = vt_guest_report(g);
	struct vt_run run;
	vt_run_shell(&run, "qemu-ga --version | sed -n 's/^QEMU Guest Agent \\([^ ]*\\).*/\\1/p'");
	printf("agent %s, host name %s\n", r->agent_version, r->host_name);
	assert_true(run.out_len > 1);
	run.out[run.out_len - 1] = '\0';
	assert_string_equal(r->agent_version, run.out);
	vt_run_free(&run);
	char host[256];
	gethostname(host, sizeof(host));
	assert_string_equal(r->host_name, host);
	assert_string_equal(r->socket, sock);
	vt_guest_close(g);
}

static void test_scripts(void **state)
{
	(void)state;
	struct vt_error err = {0};
	struct vt_guest *g = attach(&err);
	assert_non_null(g);
	struct vt_guest_result res;
	assert_int_equal(vt_guest_script(g, "echo out; echo err >&2; echo 'vmtrace-tracer: test 1.2'", in_ms(10000), &res,
					 &err), 0);
	assert_string_equal(res.out, "out\nvmtrace-tracer: test 1.2\n");
	assert_string_equal(res.err, "err\n");
	assert_string_equal(vt_guest_report(g)->tracer, "test 1.2");
	vt_guest_result_free(&res);
	/* A script that takes a while: polled until it ends. */
	assert_int_equal(vt_guest_script(g, "sleep 1; echo done", in_ms(20000), &res, &err), 0);
	assert_string_equal(res.out, "done\n");
	assert_true(res.ms >= 1000);
	vt_guest_result_free(&res);
	/* Failures: the exit code, the vmtrace-error line, the last stderr line. */
	assert_int_equal(vt_guest_script(g, "echo 'vmtrace-error: it broke'; exit 4", in_ms(10000), &res, &err), -1);
	assert_int_equal(res.exitcode, 4);
	assert_non_null(strstr(err.msg, "guest script failed: it broke"));
	assert_string_equal(vt_guest_report(g)->error, err.msg);
	vt_guest_result_free(&res);
	assert_int_equal(vt_guest_script(g, "echo oops >&2; kill -9 $$", in_ms(10000), &res, &err), -1);
	assert_int_equal(res.signal, 9);
	assert_non_null(strstr(err.msg, "killed by signal 9: oops"));
	vt_guest_result_free(&res);
	/* Output past the limit is cut, not refused. */
	struct vt_guest_limits lim = vt_guest_default_limits;
	lim.max_output = 1000;
	vt_guest_close(g);
	struct vt_qga *q = vt_qga_connect(NULL, agent, sock, in_ms(10000), &err);
	g = vt_guest_attach(q, agent, sock, &lim, in_ms(10000), &err);
	assert_int_equal(vt_guest_script(g, "head -c 5000 /dev/zero | tr '\\0' x", in_ms(10000), &res, &err), 0);
	assert_int_equal(res.out_len, 1000);
	vt_guest_result_free(&res);
	/* Still running at the deadline. */
	int64_t t0 = vt_qga_now_ms();
	assert_int_equal(vt_guest_script(g, "sleep 30", in_ms(2000), &res, &err), -1);
	printf("deadline: %s (%lld ms)\n", err.msg, (long long)(vt_qga_now_ms() - t0));
	assert_non_null(strstr(err.msg, "still runs"));
	assert_true(vt_qga_now_ms() - t0 < 10000);
	vt_guest_close(g);
}

static int collect(void *ctx, const uint8_t *d, size_t len, struct vt_error *err)
{
	(void)err;
	struct vt_run *buf = ctx; /* out/out_len as a growing buffer */
	char *n = realloc(buf->out, buf->out_len + len);
	assert_non_null(n);
	memcpy(n + buf->out_len, d, len);
	buf->out = n;
	buf->out_len += len;
	return 0;
}

static void test_file_read(void **state)
{
	(void)state;
	char file[700];
	snprintf(file, sizeof(file), "%s/random", dir);
	struct vt_run r;
	vt_run_shell(&r, "head -c 3000017 /dev/urandom >'%s'", file);
	vt_run_free(&r);
	size_t len;
	char *want = vt_read_file(file, &len);
	assert_int_equal(len, 3000017);
	struct vt_error err = {0};
	struct vt_qga *q = vt_qga_connect(NULL, agent, sock, in_ms(10000), &err);
	assert_non_null(q);
	const size_t chunks[] = {1 << 20, 65536, 4093};
	for (size_t i = 0; i < 3; i++) {
		struct vt_run got = {0};
		int64_t t0 = vt_qga_now_ms();
		int64_t n = vt_qga_file_read(q, file, chunks[i], len, in_ms(60000), collect, &got, &err);
		if (n < 0)
			fail_msg("%s", err.msg);
		printf("%zu bytes in %zu-byte chunks: %lld ms\n", len, chunks[i], (long long)(vt_qga_now_ms() - t0));
		assert_int_equal(n, (int64_t)len);
		assert_int_equal(got.out_len, len);
		assert_memory_equal(got.out, want, len);
		free(got.out);
	}
	struct vt_run got = {0};
	assert_int_equal(vt_qga_file_read(q, file, 1 << 20, len - 1, in_ms(60000), collect, &got, &err), -1);
	assert_non_null(strstr(err.msg, "refused"));
	free(got.out);
	assert_int_equal(vt_qga_file_read(q, "/nonexistent/file", 4096, 10, in_ms(10000), collect, &got, &err), -1);
	printf("missing file: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "the agent says: failed to open file"));
	vt_qga_close(q);
	free(want);
}

static void test_fetch(void **state)
{
	(void)state;
	char src[700], host_dir[700];
	snprintf(src, sizeof(src), "%s/guest folder", dir);
	snprintf(host_dir, sizeof(host_dir), "%s/fetched", dir);
	struct vt_run r;
	vt_run_shell(&r, "set -e; mkdir -p '%s/kernel/index'; head -c 2500000 /dev/urandom >'%s/kernel/chan_0';"
		     " echo meta >'%s/kernel/metadata'; : >'%s/kernel/index/chan_0.idx'; ln -s /etc '%s/link'",
		     src, src, src, src, src);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	struct vt_error err = {0};
	struct vt_guest *g = attach(&err);
	struct vt_untar_stats st;
	int64_t t0 = vt_qga_now_ms();
	if (vt_guest_fetch(g, src, host_dir, 0, in_ms(60000), &st, &err) < 0)
		fail_msg("%s", err.msg);
	printf("fetch: %llu files, %llu bytes, %lld ms; %s\n", (unsigned long long)st.files, (unsigned long long)st.bytes,
	       (long long)(vt_qga_now_ms() - t0), st.note);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.skipped, 1);
	vt_run_shell(&r, "diff -r '%s/kernel' '%s/kernel' && test ! -e '%s/link' && test ! -e '%s.vmtrace.tar' && "
		     "test -d '%s'", src, host_dir, host_dir, src, src);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	/* Into a folder that is not empty: refused, the folder left as it was. */
	assert_int_equal(vt_guest_fetch(g, src, host_dir, 1, in_ms(60000), &st, &err), -1);
	assert_non_null(strstr(err.msg, "not empty"));
	vt_run_shell(&r, "test -f '%s/kernel/metadata' && test -d '%s' && test ! -e '%s.vmtrace.tar'", host_dir, src, src);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	/* With remove: the guest folder goes once fetched. */
	vt_rmtree(host_dir);
	assert_int_equal(vt_guest_fetch(g, src, host_dir, 1, in_ms(60000), &st, &err), 0);
	vt_run_shell(&r, "test ! -e '%s' && test ! -e '%s.vmtrace.tar' && test -f '%s/kernel/chan_0'", src, src, host_dir);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	/* A folder that is not there, and paths we refuse to tar or remove. */
	vt_rmtree(host_dir);
	assert_int_equal(vt_guest_fetch(g, src, host_dir, 1, in_ms(60000), &st, &err), -1);
	assert_non_null(strstr(err.msg, "no such folder in the guest"));
	assert_int_equal(access(host_dir, F_OK), -1);
	const char *refused[] = {"/", "//", "relative", "/tmp/..", "/tmp/../etc", "/tmp/a\nb"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(vt_guest_fetch(g, refused[i], host_dir, 1, in_ms(60000), &st, &err), -1);
		assert_non_null(strstr(err.msg, "not a guest folder vmtrace fetches"));
	}
	vt_guest_close(g);
}

static void test_exec_blocked(void **state)
{
	(void)state;
	agent_stop(agent);
	pid_t blocked = agent_start("-b", "guest-exec,guest-file-read");
	struct vt_error err = {0};
	struct vt_qga *q = vt_qga_connect(NULL, blocked, sock, in_ms(10000), &err);
	assert_non_null(q);
	assert_null(vt_guest_attach(q, blocked, sock, NULL, in_ms(10000), &err));
	printf("blocked: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "does not allow guest-exec, guest-file-read"));
	agent_stop(blocked);
	agent = agent_start(NULL, NULL);
}

/* From a QEMU command line to a session: a fake /proc whose PID (the real
 * qemu-ga's) runs a QEMU with its socket as the agent's chardev. */
static void test_open_from_cmdline(void **state)
{
	(void)state;
	char fake[700];
	snprintf(fake, sizeof(fake), "%s/proc", dir);
	struct vt_run r;
	vt_run_shell(&r, "set -e; mkdir -p '%s/%d/net'; cp /proc/%d/status '%s/%d/status'; cp /proc/%d/net/unix "
		     "'%s/%d/net/unix'; printf 'qemu-system-x86_64\\0-chardev\\0socket,path=%s,server=on,wait=off,id=qga0"
		     "\\0-device\\0virtio-serial-pci\\0-device\\0virtserialport,chardev=qga0,name=org.qemu.guest_agent.0\\0'"
		     " >'%s/%d/cmdline'", fake, agent, agent, fake, agent, agent, fake, agent, sock, fake, agent);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	struct vt_agent_paths paths = {.proc = fake};
	struct vt_error err = {0};
	struct vt_guest *g = vt_guest_open(&paths, agent, NULL, NULL, in_ms(10000), &err);
	if (!g)
		fail_msg("%s", err.msg);
	assert_string_equal(vt_guest_report(g)->socket, sock);
	assert_int_equal(vt_guest_script(g, "true", in_ms(10000), NULL, &err), 0);
	vt_guest_close(g);
	/* The same process named with another pid: its socket is not that one's. */
	vt_run_shell(&r, "cp -r '%s/%d' '%s/1'", fake, agent, fake);
	vt_run_free(&r);
	assert_null(vt_guest_open(&paths, 1, NULL, NULL, in_ms(10000), &err));
	printf("wrong pid: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "not by the QEMU"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_file_read),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_exec_blocked),
		cmocka_unit_test(test_open_from_cmdline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
