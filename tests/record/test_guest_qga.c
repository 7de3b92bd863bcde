/* A real guest through its QEMU guest agent: the nested testbed's L2 kernel
 * and image (tools/testbed/make-initramfs l2, with qemu-ga and lttng),
 * booted under TCG with vt.mode=agent-only and the agent's virtio-serial
 * port. Through src/record alone: the socket found from the QEMU pid, a
 * script, a folder fetched, an LTTng session of a few seconds (start, a
 * workload, stop of "all" guests, fetch) read by babeltrace2 (events, a
 * sched_switch with its contexts) and `vmtrace info` (the same count), a
 * snapshot session, and the guest turning hostile: its tar replaced by one
 * that hands back an archive with ../ and absolute names, refused with
 * nothing written outside. Times are printed (TCG is slow); every wait is
 * bounded. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/guest_lttng.h"
#include "record/guest_session.h"
#include "tarw.h"
#include "tcg_guest.h"
#include "testutil.h"

#define GUEST "qgaguest"

static char *dir;
static struct tcg_guest vm = {.pid = -1};
static pid_t qemu = -1;
static struct vt_guest *guest;

static int64_t in_s(int64_t s)
{
	return vt_qga_now_ms() + s * 1000;
}

static void kill_qemu(void)
{
	tcg_kill(&vm);
	qemu = -1;
}

static int setup(void **state)
{
	(void)state;
	vt_require_program("babeltrace2");
	dir = vt_mkdtemp();
	tcg_prepare(dir);
	tcg_boot(&vm, dir, GUEST, NULL, 1, 0);
	qemu = vm.pid;
	atexit(kill_qemu);
	struct vt_error err = {0};
	int64_t t0 = vt_qga_now_ms();
	guest = vt_guest_open(NULL, qemu, NULL, NULL, in_s(120), &err);
	if (!guest)
		fail_msg("%s", err.msg);
	printf("agent reached in %lld ms: qemu-ga %s, host name %s\n", (long long)(vt_qga_now_ms() - t0),
	       vt_guest_report(guest)->agent_version, vt_guest_report(guest)->host_name);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_guest_close(guest);
	kill_qemu();
	vt_rmtree(dir);
	free(dir);
	return 0;
}

static void test_agent(void **state)
{
	(void)state;
	const struct vt_guest_report *r = vt_guest_report(guest);
	assert_string_equal(r->host_name, GUEST);
	assert_string_equal(r->socket, vm.sock);
	assert_true(r->agent_version[0] != '\0');
	struct vt_guest_result res;
	struct vt_error err = {0};
	assert_int_equal(vt_guest_script(guest, "cat /proc/cmdline; id -u", in_s(60), &res, &err), 0);
	printf("script in %lld ms: %s", (long long)res.ms, res.out);
	assert_non_null(strstr(res.out, "vt.mode=agent-only"));
	assert_non_null(strstr(res.out, "\n0\n"));
	vt_guest_result_free(&res);
}

static void test_fetch(void **state)
{
	(void)state;
	struct vt_error err = {0};
	assert_int_equal(vt_guest_script(guest,
					 "set -e; mkdir -p /tmp/f/a/b; echo hello >/tmp/f/a/b/c; : >/tmp/f/empty; "
					 "ln -s /etc/passwd /tmp/f/link; head -c 8000000 /dev/urandom >/tmp/f/big; "
					 "mkfifo /tmp/f/fifo; mknod /tmp/f/null c 1 3; echo h >/tmp/f/h1; ln /tmp/f/h1 /tmp/f/h2; "
					 "md5sum /tmp/f/big | cut -d' ' -f1",
					 in_s(120), NULL, &err),
			 0);
	struct vt_guest_result res;
	assert_int_equal(vt_guest_script(guest, "md5sum /tmp/f/big | cut -d' ' -f1", in_s(60), &res, &err), 0);
	char host_dir[800];
	snprintf(host_dir, sizeof(host_dir), "%s/fetched", dir);
	struct vt_untar_stats st;
	int64_t t0 = vt_qga_now_ms();
	if (vt_guest_fetch(guest, "/tmp/f", host_dir, 1, in_s(300), &st, &err) < 0)
		fail_msg("%s", err.msg);
	int64_t ms = vt_qga_now_ms() - t0;
	printf("fetched %llu bytes in %lld ms (%.1f MB/s); %s\n", (unsigned long long)st.bytes, (long long)ms,
	       ms ? st.bytes / 1000.0 / ms : 0.0, st.note);
	/* A symlink, a FIFO, a device and one of two hard links: skipped. */
	assert_int_equal(st.files, 4);
	assert_int_equal(st.skipped, 4);
	struct vt_run r;
	vt_run_shell(&r, "cat '%s/a/b/c' && md5sum '%s/big' | cut -d' ' -f1 && test -f '%s/empty' && test ! -e '%s/link' "
		     "&& test ! -e '%s/fifo' && test ! -e '%s/null' && cat '%s'/h*", host_dir, host_dir, host_dir, host_dir,
		     host_dir, host_dir, host_dir);
	assert_int_equal(r.status, 0);
	char want[200];
	snprintf(want, sizeof(want), "hello\n%sh\n", res.out);
	assert_string_equal(r.out, want);
	vt_run_free(&r);
	vt_guest_result_free(&res);
	/* remove was set: the guest's folder and archive are gone. */
	assert_int_equal(vt_guest_script(guest, "test ! -e /tmp/f && test ! -e /tmp/f.vmtrace.tar", in_s(60), NULL, &err),
			 0);
}

/* statedump: the session's start is in the trace (not so in a snapshot,
 * whose ring buffer may have turned over since). */
static void check_trace(const char *trace, int statedump)
{
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 '%s' | wc -l", trace);
	assert_int_equal(r.status, 0);
	long events = atol(r.out);
	vt_run_free(&r);
	vt_run_shell(&r, "babeltrace2 '%s' | grep -c ' lttng_statedump_process_state: '", trace);
	assert_true(!statedump || atol(r.out) > 0);
	vt_run_free(&r);
	vt_run_shell(&r, "babeltrace2 '%s' | grep -m 1 ' sched_switch: '", trace);
	printf("babeltrace2: %ld events; %s", events, r.out);
	assert_true(events > 0);
	assert_non_null(strstr(r.out, "procname = "));
	assert_non_null(strstr(r.out, "tid = "));
	assert_non_null(strstr(r.out, GUEST));
	vt_run_free(&r);
	vt_run_shell(&r, "%s info '%s'", vt_vmtrace_cmd(), trace);
	assert_int_equal(r.status, 0);
	char want[64];
	snprintf(want, sizeof(want), "events          %ld\n", events);
	if (!strstr(r.out, want))
		fail_msg("vmtrace info does not count %ld events:\n%s", events, r.out);
	assert_non_null(strstr(r.out, "hostname        " GUEST));
	assert_non_null(strstr(r.out, "SCHED_SWITCH"));
	vt_run_free(&r);
}

static void test_lttng_session(void **state)
{
	(void)state;
	struct vt_guest_lttng o = {.session = "vmtrace-test", .output = "/tmp/vmtrace-trace"};
	char *start = vt_guest_lttng_start(&o), *stop = vt_guest_lttng_stop(&o);
	struct vt_error err = {0};
	struct vt_guest_result res;
	int64_t t0 = vt_qga_now_ms();
	if (vt_guest_script(guest, start, in_s(180), &res, &err) < 0)
		fail_msg("%s", err.msg);
	const struct vt_guest_report *r = vt_guest_report(guest);
	printf("started in %lld ms: tracer %s; notes: %s\n", (long long)res.ms, r->tracer, r->notes);
	assert_int_equal(strncmp(r->tracer, "lttng 2.", 8), 0);
	assert_null(strstr(r->notes, "lacks")); /* lttng-modules has every event of the list */
	vt_guest_result_free(&res);
	assert_int_equal(vt_guest_script(guest, "i=0; while [ $i -lt 30 ]; do ls -R /proc/self >/dev/null; "
					 "i=$((i + 1)); done; sleep 2", in_s(120), NULL, &err), 0);
	struct vt_guest *all[1] = {guest};
	const char *stops[1] = {stop};
	t0 = vt_qga_now_ms();
	assert_int_equal(vt_guest_script_all(all, stops, 1, in_s(180)), 0);
	printf("stopped in %lld ms, lost %llu (said: %d)\n", (long long)(vt_qga_now_ms() - t0),
	       (unsigned long long)r->lost, r->has_lost);
	assert_int_equal(r->has_lost, 1);
	char trace[800];
	snprintf(trace, sizeof(trace), "%s/rec/" GUEST, dir);
	struct vt_run run;
	vt_run_shell(&run, "mkdir -p '%s/rec'", dir);
	vt_run_free(&run);
	struct vt_untar_stats st;
	t0 = vt_qga_now_ms();
	if (vt_guest_fetch(guest, o.output, trace, 1, in_s(300), &st, &err) < 0)
		fail_msg("%s", err.msg);
	printf("trace fetched in %lld ms: %llu files, %llu bytes\n", (long long)(vt_qga_now_ms() - t0),
	       (unsigned long long)st.files, (unsigned long long)st.bytes);
	check_trace(trace, 1);
	assert_string_equal(r->error, "");
	free(start);
	free(stop);
}

static void test_lttng_snapshot(void **state)
{
	(void)state;
	struct vt_guest_lttng o = {.session = "vmtrace-snap", .output = "/tmp/vmtrace-snap", .snapshot = 1,
				   .subbuf_size = 1 << 18};
	char *start = vt_guest_lttng_start(&o), *snap = vt_guest_lttng_snapshot(&o), *stop = vt_guest_lttng_stop(&o);
	struct vt_error err = {0};
	if (vt_guest_script(guest, start, in_s(180), NULL, &err) < 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vt_guest_script(guest, "sleep 1; ls -R /sys/kernel >/dev/null 2>&1; true", in_s(60), NULL,
						 &err), 0);
		if (vt_guest_script(guest, snap, in_s(120), NULL, &err) < 0)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(vt_guest_script(guest, stop, in_s(120), NULL, &err), 0);
	char host_dir[800];
	snprintf(host_dir, sizeof(host_dir), "%s/snap", dir);
	if (vt_guest_fetch(guest, o.output, host_dir, 1, in_s(300), NULL, &err) < 0)
		fail_msg("%s", err.msg);
	struct vt_run r;
	vt_run_shell(&r, "cd '%s' && ls -d snapshot-* | wc -l && ls -d snapshot-*/kernel/metadata | wc -l", host_dir);
	assert_string_equal(r.out, "2\n2\n");
	vt_run_free(&r);
	vt_run_shell(&r, "ls -d '%s'/snapshot-* | head -n 1", host_dir);
	r.out[strcspn(r.out, "\n")] = '\0';
	check_trace(r.out, 0);
	vt_run_free(&r);
	free(start);
	free(snap);
	free(stop);
}

/* The guest, root of itself, swaps its tar for one that hands back an
 * archive of its choosing. */
static void test_hostile_guest(void **state)
{
	(void)state;
	char escape[800];
	snprintf(escape, sizeof(escape), "%s/escape", dir);
	struct tarw t = {0};
	tarw_file(&t, "./ok", "fine\n");
	tarw_header(&t, "./link", '2', 0, 0777, "/etc", 0);
	tarw_file(&t, "./link/passwd", "through a link\n");
	tarw_file(&t, "../escape", "escaped\n");
	tarw_file(&t, escape, "absolute\n");
	tarw_end(&t);
	/* The archive goes in as base64 in the script (busybox base64 -d). */
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = (t.len + 2) / 3 * 4;
	char *b = malloc(n + 1), *w = b;
	for (size_t i = 0; i < t.len; i += 3) {
		uint32_t v = (uint32_t)t.buf[i] << 16 | (i + 1 < t.len ? (uint32_t)t.buf[i + 1] << 8 : 0) |
			     (i + 2 < t.len ? t.buf[i + 2] : 0);
		*w++ = al[v >> 18 & 63];
		*w++ = al[v >> 12 & 63];
		*w++ = i + 1 < t.len ? al[v >> 6 & 63] : '=';
		*w++ = i + 2 < t.len ? al[v & 63] : '=';
	}
	*w = '\0';
	char *script = NULL;
	/* busybox sh runs its own tar whatever PATH says, so the guest replaces
	 * /bin/sh (what qemu-ga runs our scripts with) by one that answers our
	 * tar script with its archive. */
	assert_true(asprintf(&script, "set -e; mkdir -p /tmp/h; echo x >/tmp/h/x; echo '%s' | base64 -d >/tmp/evil.tar\n"
				      "cat >/tmp/sh <<'EOF'\n#!/bin/busybox sh\ncase \"$2\" in\n*\"tar -C\"*)\n"
				      "f=$(echo \"$2\" | sed -n \"s/^d=.*; f='\\(.*\\)'$/\\1/p\" | head -n 1)\n"
				      "cp /tmp/evil.tar \"$f\"; exit 0 ;;\nesac\nexec /bin/busybox sh \"$@\"\nEOF\n"
				      "chmod +x /tmp/sh; rm /bin/sh; cp /tmp/sh /bin/sh", b) > 0);
	struct vt_error err = {0};
	assert_int_equal(vt_guest_script(guest, script, in_s(60), NULL, &err), 0);
	char host_dir[800];
	snprintf(host_dir, sizeof(host_dir), "%s/hostile/" GUEST, dir);
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s/hostile'", dir);
	vt_run_free(&r);
	int rc = vt_guest_fetch(guest, "/tmp/h", host_dir, 1, in_s(120), NULL, &err);
	assert_int_equal(rc, -1);
	printf("hostile archive: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "'../escape': a '..' component"));
	vt_run_shell(&r, "ls -A '%s/hostile'; test ! -e '%s'", dir, escape);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	vt_run_free(&r);
	/* The failure stays in the report; the guest's folder is kept (not fetched). */
	assert_non_null(strstr(vt_guest_report(guest)->error, "a '..' component"));
	assert_int_equal(vt_guest_script(guest, "test -f /tmp/h/x && ln -sf busybox /bin/sh.new && mv /bin/sh.new /bin/sh",
					 in_s(60), NULL, &err), 0);
	free(script);
	free(b);
	tarw_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_lttng_session),
		cmocka_unit_test(test_lttng_snapshot),
		cmocka_unit_test(test_hostile_guest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
