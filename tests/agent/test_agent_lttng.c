/* vmtraced into a real LTTng session: a statedump when the session starts, then
 * guest_created/guest_destroyed in order for guests started and killed during
 * it; read back with babeltrace2 and with vmtrace's own CTF source. The same
 * events go to ftrace's trace_marker. */
#include "agent_helpers.h"
#include "testutil.h"
#include "vmtrace/sources.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;
static char home[700], trace[700], out[700], err[700], text[700];
static pid_t agent;

static int teardown(void **state)
{
	(void)state;
	vt_h_stop(agent);
	vt_h_sessiond_stop();
	vt_h_cleanup();
	if (dir) {
		vt_rmtree(dir);
		free(dir);
	}
	return 0;
}

static void ensure_sessiond(void)
{
	static int started;
	if (!started)
		assert_int_equal(vt_h_sessiond_start(home), 0);
	started = 1;
}

static void lttng(const char *args)
{
	struct vt_run r;
	vt_run_shell(&r, "lttng %s", args);
	if (r.status != 0)
		printf("lttng %s: %s%s", args, r.out, r.err);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
}

/* Index of the first line at or after `from` holding every needle, or -1. */
static int line_of(char **lines, int n, int from, const char *a, const char *b)
{
	for (int i = from; i < n; i++)
		if (strstr(lines[i], a) && (!b || strstr(lines[i], b)))
			return i;
	return -1;
}

static void test_session(void **state)
{
	(void)state;
	const char *ua = "7e000000-0000-4000-8000-00000000000a", *ub = "7e000000-0000-4000-8000-00000000000b",
		   *uc = "7e000000-0000-4000-8000-00000000000c";
	pid_t a = vt_h_qemu_start("vt-lttng-a", ua, 2);
	pid_t b = vt_h_qemu_start("vt-lttng-b", ub, 1);
	assert_true(a > 0 && b > 0);
	ensure_sessiond();
	int ftrace = vt_h_mount_debugfs() == 0;
	char cmd[2048];
	/* TCG: the folders KVM would have made (agent_helpers.h) are the guests' KVM evidence. */
	snprintf(cmd, sizeof(cmd), "exec %s --check-ms 20 %s %s", vt_build_path("vmtraced"),
		 vt_h_kvm_mode() ? "" : "--trust-root-uevents", vt_h_debugfs_opt());
	agent = vt_h_spawn(cmd, out, err);
	assert_int_equal(vt_h_wait_for(err, "watching KVM uevents", 1, 10000), 0);

	snprintf(cmd, sizeof(cmd), "create vt-agent -o %s >/dev/null", trace);
	lttng(cmd);
	lttng("enable-event -u 'vmtrace:*' >/dev/null");
	lttng("start >/dev/null");
	/* The agent notices the session enabling its events and dumps again. */
	assert_int_equal(vt_h_wait_for(out, "\"statedump_end\"", 2, 10000), 0);

	pid_t c = vt_h_qemu_start("vt-lttng-c", uc, 3);
	assert_true(c > 0);
	char needle[128];
	snprintf(needle, sizeof(needle), "\"guest_vcpu\",\"pid\":%d,\"vcpu\":2", (int)c);
	assert_int_equal(vt_h_wait_for(out, needle, 1, 10000), 0);
	vt_h_qemu_kill(a);
	snprintf(needle, sizeof(needle), "\"guest_destroyed\",\"pid\":%d}", (int)a);
	assert_int_equal(vt_h_wait_for(out, needle, 1, 10000), 0);
	/* The agent stops first: its last books, as it goes, are in the trace. */
	int st = vt_h_stop(agent);
	agent = 0;
	lttng("stop >/dev/null");
	lttng("destroy >/dev/null");
	if (st != 0)
		printf("vmtraced exited with %d\n", st);
	assert_int_equal(st, 0); /* a clean stop on SIGTERM (and no sanitizer report) */
	assert_int_equal(vt_h_count(err, "Sanitizer"), 0);

	/* babeltrace2's view, in order. */
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 %s > %s", trace, text);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	FILE *f = fopen(text, "r");
	assert_non_null(f);
	char *lines[4096];
	int n = 0;
	char buf[4096];
	while (n < 4096 && fgets(buf, sizeof(buf), f))
		lines[n++] = strdup(buf);
	fclose(f);
	char pa[64], pb[64], pc[64], da_needle[64];
	snprintf(da_needle, sizeof(da_needle), "{ pid = %d }", (int)a);
	snprintf(pa, sizeof(pa), "pid = %d,", (int)a);
	snprintf(pb, sizeof(pb), "pid = %d,", (int)b);
	snprintf(pc, sizeof(pc), "pid = %d,", (int)c);
	int mach = line_of(lines, n, 0, "vmtrace:machine:", NULL);
	int begin = line_of(lines, n, 0, "vmtrace:statedump_begin:", NULL);
	int ga = line_of(lines, n, begin, "vmtrace:guest:", pa);
	int gb = line_of(lines, n, begin, "vmtrace:guest:", pb);
	int va = line_of(lines, n, begin, "vmtrace:guest_vcpu:", pa);
	int end = line_of(lines, n, begin, "vmtrace:statedump_end:", NULL);
	int cc = line_of(lines, n, end, "vmtrace:guest_created:", pc);
	int vc = line_of(lines, n, cc, "vmtrace:guest_vcpu:", pc);
	int da = line_of(lines, n, cc, "vmtrace:guest_destroyed:", da_needle);
	printf("babeltrace2 lines: machine %d, begin %d, guest a %d, b %d, vcpu a %d, end %d, "
	       "created c %d, vcpu c %d, destroyed a %d (of %d)\n", mach, begin, ga, gb, va, end, cc, vc, da, n);
	assert_true(mach >= 0 && mach < begin);
	assert_true(begin < ga && begin < gb && ga < end && gb < end && va > ga && va < end);
	assert_true(end < cc && cc < vc && vc < da);
	assert_non_null(strstr(lines[ga], ua));
	assert_non_null(strstr(lines[ga], "vt-lttng-a"));
	assert_non_null(strstr(lines[cc], uc));
	assert_non_null(strstr(lines[cc], "vcpus = 3"));
	assert_non_null(strstr(lines[cc], "kvm = \"debugfs\"")); /* the kernel's folder (or the one the helpers made) */
	assert_int_equal(line_of(lines, n, da + 1, "vmtrace:guest_destroyed:", da_needle), -1);
	for (int i = 0; i < n; i++)
		free(lines[i]);

	/* vmtrace's own reader sees the same, as normalized events. */
	struct vt_source *src;
	struct vt_error e;
	const char *paths[] = {trace};
	assert_non_null(src = vt_source_open(paths, 1, &e));
	const struct vt_event *ev;
	int step = 0, rc, dumps = 0;
	int64_t created = -1, destroyed = -1;
	int saw_uuid_a = 0, vcpus_c = 0, machine = 0, in_dump = 0, books_b = 0, vm_books_b = 0;
	while ((rc = vt_source_next(src, &ev, &e)) == 1) {
		switch (ev->kind) {
		case VT_STATEDUMP_BEGIN: dumps++; in_dump = 1; break;
		case VT_STATEDUMP_END: in_dump = 0; break;
		case VT_MACHINE_ID:
			machine = ev->u.machine.hostname && ev->u.machine.hostname[0] && ev->u.machine.boot_id &&
				  strlen(ev->u.machine.boot_id) == 36;
			break;
		case VT_GUEST_DUMP:
			if (ev->u.guest.pid == a && ev->u.guest.uuid && !strcmp(ev->u.guest.uuid, ua))
				saw_uuid_a = 1;
			break;
		case VT_GUEST_CREATED:
			if (ev->u.guest.pid == c && ev->u.guest.uuid && !strcmp(ev->u.guest.uuid, uc))
				created = step;
			break;
		case VT_GUEST_VCPU:
			/* A resync dump (another test flooding uevents) may name c again. */
			if (ev->u.guest_vcpu.pid == c && created >= 0 && !in_dump)
				vcpus_c++;
			break;
		case VT_GUEST_DESTROYED:
			if (ev->u.guest.pid == a)
				destroyed = step;
			break;
		case VT_VCPU_BOOKS: /* b's one vCPU thread: its schedstat, read from /proc */
			if (ev->u.vcpu_books.pid == b) {
				assert_true(ev->u.vcpu_books.tid > b && ev->u.vcpu_books.vcpu == 0);
				assert_true(ev->u.vcpu_books.run_ns != VT_BOOKS_UNKNOWN && ev->u.vcpu_books.run_ns > 0);
				assert_true(ev->u.vcpu_books.clk_tck > 0);
				books_b++;
			}
			break;
		case VT_VM_BOOKS:
			vm_books_b += ev->u.vm_books.pid == b;
			break;
		default: break;
		}
		step++;
	}
	if (rc < 0)
		printf("vt_source: %s\n", e.msg);
	assert_int_equal(rc, 0);
	vt_source_close(src);
	assert_true(dumps >= 1);
	assert_true(machine);
	assert_true(saw_uuid_a);
	assert_true(created >= 0 && destroyed > created);
	assert_int_equal(vcpus_c, 3);
	/* The kernel's books: at the session's dump and as the agent stopped. */
	printf("books of b's vCPU thread: %d, of its VM: %d\n", books_b, vm_books_b);
	assert_true(books_b >= 2);
	assert_true(vm_books_b >= 2);

	/* trace_marker got the same events, for trace-cmd users. */
	if (ftrace && vt_h_count("/sys/kernel/tracing/tracing_on", "1") == 1) {
		/* The global buffer may hold earlier runs' lines: pids are what is new. */
		snprintf(needle, sizeof(needle), "vmtrace: guest_created pid=%d uuid=%s", (int)c, uc);
		assert_true(vt_h_count("/sys/kernel/tracing/trace", needle) >= 1);
		snprintf(needle, sizeof(needle), "vmtrace: guest_destroyed pid=%d\n", (int)a);
		assert_true(vt_h_count("/sys/kernel/tracing/trace", needle) >= 1);
	} else {
		printf("tracefs not mounted or tracing_on is 0: trace_marker part not checked\n");
	}
	vt_h_qemu_kill(b);
	vt_h_qemu_kill(c);
}

/* The agent (re)started while a session already records: its first dump goes
 * into the trace; SIGUSR1 asks for another. */
static void test_agent_after_session(void **state)
{
	(void)state;
	ensure_sessiond();
	pid_t g = vt_h_qemu_start("vt-lttng-late", "7e000000-0000-4000-8000-0000000000dd", 2);
	assert_true(g > 0);
	char trace2[800], cmd[2048];
	snprintf(trace2, sizeof(trace2), "%s2", trace);
	snprintf(cmd, sizeof(cmd), "create vt-agent-late -o %s >/dev/null", trace2);
	lttng(cmd);
	lttng("enable-event -u 'vmtrace:*' >/dev/null");
	lttng("start >/dev/null");
	snprintf(cmd, sizeof(cmd), "exec %s --sinks ust,json %s", vt_build_path("vmtraced"), vt_h_debugfs_opt());
	char out2[800], err2[800];
	snprintf(out2, sizeof(out2), "%s.late", out);
	snprintf(err2, sizeof(err2), "%s.late", err);
	agent = vt_h_spawn(cmd, out2, err2);
	assert_int_equal(vt_h_wait_for(err2, "watching KVM uevents", 1, 10000), 0);
	kill(agent, SIGUSR1);
	assert_int_equal(vt_h_wait_for(out2, "\"statedump_end\"", 2, 10000), 0);
	lttng("stop >/dev/null");
	lttng("destroy >/dev/null");
	assert_int_equal(vt_h_stop(agent), 0);
	agent = 0;
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 %s | grep -c 'vmtrace:guest:.*7e000000-0000-4000-8000-0000000000dd'", trace2);
	printf("dumps naming the late guest: %s", r.out);
	assert_int_equal(atoi(r.out), 2);
	vt_run_free(&r);
	vt_h_qemu_kill(g);
}

int main(void)
{
	vt_h_require_qemu();
	vt_require_program("lttng-sessiond");
	vt_require_program("lttng");
	vt_require_program("babeltrace2");
	dir = vt_mkdtemp();
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	snprintf(out, sizeof(out), "%s/agent.jsonl", dir);
	snprintf(err, sizeof(err), "%s/agent.err", dir);
	snprintf(text, sizeof(text), "%s/trace.txt", dir);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_agent_after_session),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
