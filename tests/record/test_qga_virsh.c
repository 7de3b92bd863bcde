/* The guest agent through virsh, against a fake `virsh` on PATH (a sh
 * script this test writes; its mode from FAKE_VIRSH_MODE): the argv it is
 * given (no shell, the uuid, --timeout, -c URI), the domain check (libvirt's
 * pid file must hold the QEMU's pid: another pid, no file, a symlink, a
 * hostile domain name are refused), and hostile answers: garbage, duplicate
 * keys, a NUL byte, endless output and endless errors (killed at the bound),
 * a virsh that hangs (killed with its children at the deadline), virsh's
 * errors and escape sequences (one escaped line), a virsh killed by a
 * signal, virsh not installed. Then calls in flight at once (a FIFO, answers
 * in order), a whole guest script through the session, and the stop scripts
 * of three guests begun before any is waited for. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/guest_session.h"
#include "record/qga.h"
#include "record/qga_virsh.h"
#include "testutil.h"

#define UUID "5eb0c0de-0005-4000-8000-0000000000a5"

static char *dir;
static char run_dir[600], log_path[700], pids_path[700];

/* args: -q -c URI COMMAND DOMAIN [--timeout N JSON] */
static const char fake_virsh[] =
	"#!/bin/sh\n"
	"echo $$ >> \"$FAKE_VIRSH_PIDS\"\n"
	"for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$FAKE_VIRSH_LOG\"\n"
	"mode=${FAKE_VIRSH_MODE:-ok}\n"
	"if [ \"$4\" = domname ]; then\n"
	"  case $mode in\n"
	"  badname) printf '../../etc/x\\n' ;;\n"
	"  nodomain) echo \"error: failed to get domain '$5'\" >&2; exit 1 ;;\n"
	"  *) echo vm1 ;;\n"
	"  esac\n"
	"  exit 0\n"
	"fi\n"
	"json=$8\n"
	"case $mode in\n"
	"garbage) echo 'this is not JSON'; exit 0 ;;\n"
	"dupkeys) echo '{\"return\":{\"pid\":1},\"return\":2}'; exit 0 ;;\n"
	"nul) printf '{\"return\":1}\\000x\\n'; exit 0 ;;\n"
	"huge) exec yes '{\"return\":' ;;\n"
	"hugeerr) yes 'error: again' >&2; exit 1 ;;\n"
	"hang) sleep 1000 & echo $! >> \"$FAKE_VIRSH_PIDS\"; wait; exit 0 ;;\n"
	"error) echo 'error: Guest agent is not responding: QEMU guest agent is not connected' >&2; exit 1 ;;\n"
	"escape) printf 'error: one\\nerror: \\033]0;owned\\007 \\033[2Jcleared\\r\\n\\n' >&2; exit 1 ;;\n"
	"agenterror) echo '{\"error\":{\"class\":\"GenericError\",\"desc\":\"no such file\"}}'; exit 0 ;;\n"
	"killed) kill -9 $$ ;;\n"
	"esac\n"
	"case $json in\n"
	"*'\"guest-info\"'*) echo '{\"return\":{\"version\":\"9.9\",\"supported_commands\":["
	"{\"name\":\"guest-exec\",\"enabled\":true},{\"name\":\"guest-exec-status\",\"enabled\":true},"
	"{\"name\":\"guest-file-open\",\"enabled\":true},{\"name\":\"guest-file-read\",\"enabled\":true},"
	"{\"name\":\"guest-file-close\",\"enabled\":true},{\"name\":\"guest-get-host-name\",\"enabled\":true}]}}' ;;\n"
	"*'\"guest-get-host-name\"'*) sleep \"${FAKE_VIRSH_SLOW_NAME:-0}\"; echo '{\"return\":{\"host-name\":\"fakevm\"}}' ;;\n"
	"*'\"guest-exec\"'*) sleep \"${FAKE_VIRSH_SLOW_EXEC:-0}\"; echo '{\"return\":{\"pid\":42}}' ;;\n"
	"*'\"guest-exec-status\"'*) echo '{\"return\":{\"exited\":true,\"exitcode\":0,"
	"\"out-data\":\"dm10cmFjZS10cmFjZXI6IGZha2UgMQpoZWxsbwo=\"}}' ;;\n"
	"*) echo \"error: unknown command $json\" >&2; exit 1 ;;\n"
	"esac\n";

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void set_pid_file(long pid)
{
	char path[700], text[32];
	snprintf(path, sizeof(path), "%s/vm1.pid", run_dir);
	unlink(path);
	snprintf(text, sizeof(text), "%ld", pid);
	if (pid > 0)
		write_file(path, text, 0644);
}

static int setup(void **state)
{
	(void)state;
	setenv("FAKE_VIRSH_MODE", "ok", 1);
	unsetenv("FAKE_VIRSH_SLOW_NAME");
	unsetenv("FAKE_VIRSH_SLOW_EXEC");
	set_pid_file(getpid());
	unlink(pids_path);
	return 0;
}

static int64_t in_ms(int64_t ms)
{
	return vt_qga_now_ms() + ms;
}

static const struct vt_qga_libvirt lv = {.uri = "qemu:///system", .run_dir = run_dir};

static struct vt_qga *open_fake(struct vt_error *err)
{
	return vt_qga_connect_libvirt(&lv, getpid(), UUID, in_ms(5000), err);
}

/* ---- without I/O ---- */

static void test_error_line(void **state)
{
	(void)state;
	char buf[200];
	vt_qga_virsh_error_line("error: failed to get domain 'x'\n\n", buf, sizeof(buf));
	assert_string_equal(buf, "failed to get domain 'x'");
	vt_qga_virsh_error_line("error: failed\nerror: Guest agent is not responding: x\n", buf, sizeof(buf));
	assert_string_equal(buf, "Guest agent is not responding: x");
	vt_qga_virsh_error_line("warning only\n", buf, sizeof(buf));
	assert_string_equal(buf, "warning only");
	vt_qga_virsh_error_line("", buf, sizeof(buf));
	assert_string_equal(buf, "");
	vt_qga_virsh_error_line("error: \x1b[31mred\x1b[0m\tand\r\n", buf, sizeof(buf));
	assert_null(strchr(buf, '\x1b'));
	assert_non_null(strstr(buf, "red"));
}

static void test_resolve(void **state)
{
	(void)state;
	char uri[512], run[512];
	struct vt_error err;
	unsetenv("LIBVIRT_DEFAULT_URI");
	assert_int_equal(vt_qga_libvirt_resolve(NULL, uri, sizeof(uri), run, sizeof(run), &err), 0);
	assert_string_equal(uri, "qemu:///system");
	assert_string_equal(run, "/run/libvirt/qemu");
	setenv("LIBVIRT_DEFAULT_URI", "qemu:///session", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	assert_int_equal(vt_qga_libvirt_resolve(NULL, uri, sizeof(uri), run, sizeof(run), &err), 0);
	assert_string_equal(uri, "qemu:///session");
	assert_string_equal(run, "/run/user/1000/libvirt/qemu/run");
	const char *remote[] = {"qemu+ssh://host/system", "xen:///system", "qemu", "test:///default"};
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		setenv("LIBVIRT_DEFAULT_URI", remote[i], 1);
		assert_int_equal(vt_qga_libvirt_resolve(NULL, uri, sizeof(uri), run, sizeof(run), &err), -1);
		printf("%s: %s\n", remote[i], err.msg);
	}
	unsetenv("LIBVIRT_DEFAULT_URI");
	struct vt_qga_libvirt mine = {.uri = "qemu+unix:///system", .run_dir = "/x"};
	assert_int_equal(vt_qga_libvirt_resolve(&mine, uri, sizeof(uri), run, sizeof(run), &err), 0);
	assert_string_equal(uri, "qemu+unix:///system");
	assert_string_equal(run, "/x");
	assert_true(vt_qga_virsh_name_ok("vm-1.x"));
	const char *bad[] = {"", ".", "..", "a/b", "a\nb", "a\x1b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(vt_qga_virsh_name_ok(bad[i]));
}

/* ---- whom we talk to ---- */

static void test_domain_check(void **state)
{
	(void)state;
	struct vt_error err;
	struct vt_qga *q = open_fake(&err);
	if (!q)
		fail_msg("%s", err.msg);
	assert_true(vt_qga_is_libvirt(q));
	printf("%s\n", vt_qga_name(q));
	assert_non_null(strstr(vt_qga_name(q), "libvirt domain vm1"));
	/* virsh got: -q -c URI domname UUID. */
	char *argv = vt_read_file(log_path, NULL);
	assert_string_equal(argv, "-q\n-c\nqemu:///system\ndomname\n" UUID "\n");
	free(argv);
	vt_qga_close(q);

	set_pid_file(1);
	assert_null(open_fake(&err));
	printf("another pid: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "runs as pid 1"));
	set_pid_file(0);
	assert_null(open_fake(&err));
	printf("no pid file: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "cannot check"));
	char link[700], target[700];
	snprintf(link, sizeof(link), "%s/vm1.pid", run_dir);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	char me[32];
	snprintf(me, sizeof(me), "%d", (int)getpid());
	write_file(target, me, 0644);
	assert_int_equal(symlink(target, link), 0);
	assert_null(open_fake(&err));
	printf("symlink: %s\n", err.msg);
	set_pid_file(getpid());

	setenv("FAKE_VIRSH_MODE", "badname", 1);
	assert_null(open_fake(&err));
	printf("bad name: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "no usable domain name"));
	setenv("FAKE_VIRSH_MODE", "nodomain", 1);
	assert_null(open_fake(&err));
	printf("no domain: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "virsh: failed to get domain"));
	setenv("FAKE_VIRSH_MODE", "ok", 1);

	assert_null(vt_qga_connect_libvirt(&lv, getpid(), NULL, in_ms(5000), &err));
	printf("no uuid: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "no -uuid"));
	struct vt_qga_libvirt none = {.virsh = "vt-no-such-virsh", .uri = "qemu:///system", .run_dir = run_dir};
	assert_null(vt_qga_connect_libvirt(&none, getpid(), UUID, in_ms(5000), &err));
	printf("no virsh: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "not installed"));
}

/* ---- answers ---- */

/* One guest-get-host-name call in MODE: -1 with err, or 0. */
static int call_in(const char *mode, int64_t ms, struct vt_error *err)
{
	struct vt_qga *q = open_fake(err);
	if (!q)
		fail_msg("%s", err->msg);
	setenv("FAKE_VIRSH_MODE", mode, 1);
	char host[64];
	int rc = vt_qga_host_name(q, in_ms(ms), host, sizeof(host), err);
	setenv("FAKE_VIRSH_MODE", "ok", 1);
	/* The next call works: each is its own process. */
	assert_int_equal(vt_qga_host_name(q, in_ms(5000), host, sizeof(host), NULL), 0);
	assert_string_equal(host, "fakevm");
	vt_qga_close(q);
	if (rc < 0)
		printf("%s: %s\n", mode, err->msg);
	return rc;
}

static void test_call_argv(void **state)
{
	(void)state;
	struct vt_error err;
	struct vt_qga *q = open_fake(&err);
	assert_non_null(q);
	char host[64];
	assert_int_equal(vt_qga_host_name(q, in_ms(3500), host, sizeof(host), &err), 0);
	vt_qga_close(q);
	/* Each argument whole (no shell); --timeout is the whole seconds left. */
	char *argv = vt_read_file(log_path, NULL);
	assert_string_equal(argv, "-q\n-c\nqemu:///system\nqemu-agent-command\n" UUID "\n--timeout\n3\n"
				  "{\"execute\":\"guest-get-host-name\"}\n");
	free(argv);
}

static void test_hostile_answers(void **state)
{
	(void)state;
	struct vt_error err;
	const struct {
		const char *mode, *says;
	} cases[] = {
		{"garbage", "not JSON"},
		{"dupkeys", "not JSON"},
		{"nul", "NUL byte"},
		{"huge", "an answer longer than"},
		{"hugeerr", "bytes of errors"},
		{"error", "virsh: Guest agent is not responding: QEMU guest agent is not connected"},
		{"escape", "cleared"},
		{"agenterror", "the agent says: no such file"},
		{"killed", "killed by signal 9"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t0 = vt_qga_now_ms();
		assert_int_equal(call_in(cases[i].mode, 10000, &err), -1);
		if (!strstr(err.msg, cases[i].says))
			fail_msg("%s: '%s' does not say '%s'", cases[i].mode, err.msg, cases[i].says);
		assert_non_null(strstr(err.msg, "guest agent of pid"));
		assert_null(strpbrk(err.msg, "\x1b\x07\r\n"));
		/* Endless output is cut at its bound, not read until the deadline. */
		assert_true(vt_qga_now_ms() - t0 < 8000);
	}
}

/* A virsh that hangs is killed at the deadline, with what it started. */
static void test_hang(void **state)
{
	(void)state;
	struct vt_error err;
	int64_t t0 = vt_qga_now_ms();
	assert_int_equal(call_in("hang", 1500, &err), -1);
	int64_t took = vt_qga_now_ms() - t0;
	printf("hang: %lld ms\n", (long long)took);
	assert_non_null(strstr(err.msg, "no answer in time"));
	assert_true(took >= 1400 && took < 6000);
	/* Every process the fake virsh was or started is gone. */
	char *pids = vt_read_file(pids_path, NULL);
	assert_non_null(pids);
	for (char *p = pids; *p;) {
		long pid = strtol(p, &p, 10);
		while (*p == '\n')
			p++;
		/* A zombie not yet reaped by init is fine: it runs no more. */
		char path[64], line[512] = "";
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		FILE *f = fopen(path, "r");
		if (f && fgets(line, sizeof(line), f) && !strstr(line, ") Z "))
			fail_msg("pid %ld still runs: %s", pid, line);
		if (f)
			fclose(f);
	}
	free(pids);
}

/* ---- calls in flight ---- */

static void test_fifo(void **state)
{
	(void)state;
	struct vt_error err;
	struct vt_qga *q = open_fake(&err);
	assert_non_null(q);
	/* The first call is the slowest: its answer still comes first. */
	setenv("FAKE_VIRSH_SLOW_NAME", "0.5", 1);
	assert_int_equal(vt_qga_send(q, "guest-get-host-name", NULL, in_ms(5000), &err), 0);
	unsetenv("FAKE_VIRSH_SLOW_NAME");
	assert_int_equal(vt_qga_exec_begin(q, "true", in_ms(5000), &err), 0);
	assert_int_equal(vt_qga_send(q, "guest-info", NULL, in_ms(5000), &err), 0);
	json_t *ret;
	assert_int_equal(vt_qga_recv(q, VT_QGA_MAX_LINE, in_ms(5000), &ret, &err), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "host-name")), "fakevm");
	json_decref(ret);
	int64_t gpid;
	assert_int_equal(vt_qga_exec_end(q, in_ms(5000), &gpid, &err), 0);
	assert_int_equal(gpid, 42);
	assert_int_equal(vt_qga_recv(q, VT_QGA_MAX_LINE, in_ms(5000), &ret, &err), 0);
	assert_non_null(json_object_get(ret, "supported_commands"));
	json_decref(ret);
	assert_int_equal(vt_qga_recv(q, VT_QGA_MAX_LINE, in_ms(5000), &ret, &err), -1);
	/* Calls left in flight are killed with the connection. */
	setenv("FAKE_VIRSH_MODE", "hang", 1);
	assert_int_equal(vt_qga_send(q, "guest-ping", NULL, in_ms(60000), &err), 0);
	setenv("FAKE_VIRSH_MODE", "ok", 1);
	int64_t t0 = vt_qga_now_ms();
	vt_qga_close(q);
	assert_true(vt_qga_now_ms() - t0 < 3000);
}

static struct vt_guest *fake_guest(void)
{
	struct vt_error err;
	struct vt_qga *q = open_fake(&err);
	if (!q)
		fail_msg("%s", err.msg);
	struct vt_guest *g = vt_guest_attach(q, getpid(), "libvirt", NULL, in_ms(5000), &err);
	if (!g)
		fail_msg("%s", err.msg);
	return g;
}

static void test_guest_script(void **state)
{
	(void)state;
	struct vt_guest *g = fake_guest();
	const struct vt_guest_report *r = vt_guest_report(g);
	assert_string_equal(r->agent_version, "9.9");
	assert_string_equal(r->host_name, "fakevm");
	struct vt_guest_result res;
	struct vt_error err;
	if (vt_guest_script(g, "echo hello", in_ms(5000), &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(res.out, "vmtrace-tracer: fake 1\nhello\n");
	assert_string_equal(r->tracer, "fake 1");
	vt_guest_result_free(&res);
	vt_guest_close(g);
}

/* Three guests whose guest-exec takes 1 s each: begun together, they end
 * in about 1 s, not 3. */
static void test_script_all(void **state)
{
	(void)state;
	struct vt_guest *g[3] = {fake_guest(), fake_guest(), fake_guest()};
	const char *scripts[3] = {"true", "true", "true"};
	setenv("FAKE_VIRSH_SLOW_EXEC", "1", 1);
	int64_t t0 = vt_qga_now_ms();
	assert_int_equal(vt_guest_script_all(g, scripts, 3, in_ms(10000)), 0);
	int64_t took = vt_qga_now_ms() - t0;
	printf("three guests' scripts: %lld ms\n", (long long)took);
	assert_true(took < 2800);
	for (int i = 0; i < 3; i++)
		vt_guest_close(g[i]);
}

int main(void)
{
	dir = vt_mkdtemp();
	char bin[600], virsh[700], path[4000];
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(run_dir, sizeof(run_dir), "%s/run", dir);
	snprintf(log_path, sizeof(log_path), "%s/argv", dir);
	snprintf(pids_path, sizeof(pids_path), "%s/pids", dir);
	mkdir(bin, 0755);
	mkdir(run_dir, 0755);
	snprintf(virsh, sizeof(virsh), "%s/virsh", bin);
	write_file(virsh, fake_virsh, 0755);
	const char *old = getenv("PATH");
	snprintf(path, sizeof(path), "%s:%s", bin, old ? old : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	setenv("FAKE_VIRSH_LOG", log_path, 1);
	setenv("FAKE_VIRSH_PIDS", pids_path, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_line),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test_setup(test_domain_check, setup),
		cmocka_unit_test_setup(test_call_argv, setup),
		cmocka_unit_test_setup(test_hostile_answers, setup),
		cmocka_unit_test_setup(test_hang, setup),
		cmocka_unit_test_setup(test_fifo, setup),
		cmocka_unit_test_setup(test_guest_script, setup),
		cmocka_unit_test_setup(test_script_all, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(dir);
	free(dir);
	return rc;
}
