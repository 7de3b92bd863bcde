/* The kernel-accounting reader (src/agent/kacct.c) on fake /proc and debugfs
 * trees with hostile contents: huge numbers, garbage, missing files, a FIFO,
 * a symbolic link, more counter files than the bound. Whatever it meets, a
 * value is read or "unknown"; it never blocks nor crashes. */
#include "testutil.h"
#include "agent/kacct.h"
#include "vmtrace/event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes root/rel (folders made on the way). */
static void put(const char *root, const char *rel, const char *text)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s", path);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A /proc/PID/task/TID/stat line: comm holds ") (" and spaces, field 43 = guest. */
static void stat_line(char *buf, size_t size, const char *comm, const char *guest)
{
	int n = snprintf(buf, size, "501 (%s) S", comm);
	for (int field = 4; field <= 52; field++)
		n += snprintf(buf + n, size - (size_t)n, " %s", field == 43 ? guest : field == 44 ? "0" : "7");
	snprintf(buf + n, size - (size_t)n, "\n");
}

static void test_parsers(void **state)
{
	(void)state;
	uint64_t a = 1, b = 1, c = 1;
	assert_int_equal(vt_kacct_parse_schedstat("123 456 7\n", &a, &b, &c), 0);
	assert_true(a == 123 && b == 456 && c == 7);
	assert_int_equal(vt_kacct_parse_schedstat("18446744073709551615 0 1", &a, &b, &c), 0);
	assert_true(a == UINT64_MAX);
	assert_int_equal(vt_kacct_parse_schedstat("18446744073709551616 0 1", &a, &b, &c), -1);
	assert_int_equal(vt_kacct_parse_schedstat("-1 2 3", &a, &b, &c), -1);
	assert_int_equal(vt_kacct_parse_schedstat("1 2", &a, &b, &c), -1);
	assert_int_equal(vt_kacct_parse_schedstat("1 2 3 junk", &a, &b, &c), -1);
	assert_int_equal(vt_kacct_parse_schedstat("", &a, &b, &c), -1);

	char line[1024];
	uint64_t g = 0;
	stat_line(line, sizeof(line), "CPU 0/KVM", "4242");
	assert_int_equal(vt_kacct_parse_guest_time(line, &g), 0);
	assert_true(g == 4242);
	stat_line(line, sizeof(line), "x) (9 9 9) ) y", "17"); /* a comm made to shift the fields */
	assert_int_equal(vt_kacct_parse_guest_time(line, &g), 0);
	assert_true(g == 17);
	stat_line(line, sizeof(line), "CPU 0/KVM", "99999999999999999999999");
	assert_int_equal(vt_kacct_parse_guest_time(line, &g), -1);
	stat_line(line, sizeof(line), "CPU 0/KVM", "12a");
	assert_int_equal(vt_kacct_parse_guest_time(line, &g), -1);
	assert_int_equal(vt_kacct_parse_guest_time("501 (CPU 0/KVM) S 1 2 3", &g), -1); /* cut short */
	assert_int_equal(vt_kacct_parse_guest_time("no parenthesis", &g), -1);
	assert_int_equal(vt_kacct_parse_guest_time("", &g), -1);
}

static void test_fake_tree(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char proc[600], debugfs[600], line[1024], path[1300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(debugfs, sizeof(debugfs), "%s/debug", root);
	/* 501: well formed; 502: garbage schedstat, no stat; 503: the largest numbers. */
	put(proc, "500/task/501/schedstat", "1000000 2000 30\n");
	stat_line(line, sizeof(line), "CPU 0/KVM", "250");
	put(proc, "500/task/501/stat", line);
	put(proc, "500/task/502/schedstat", "\x01\xff garbage\n");
	put(proc, "500/task/503/schedstat", "18446744073709551615 18446744073709551615 1\n");
	stat_line(line, sizeof(line), "CPU 2/KVM", "18446744073709551615");
	put(proc, "500/task/503/stat", line);
	/* The VM folder: counters, a signed value, a table, garbage, bad names. */
	put(debugfs, "kvm/500-11/exits", "123456\n");
	put(debugfs, "kvm/500-11/halt_wait_ns", "18446744073709551615\n");
	put(debugfs, "kvm/500-11/tsc-offset", "-5\n");
	put(debugfs, "kvm/500-11/mmu_rmaps_stat", "1 2 3\n4 5 6\n");
	put(debugfs, "kvm/500-11/Upper", "1\n");
	put(debugfs, "kvm/500-11/vcpu0/exits", "600\n");
	put(debugfs, "kvm/500-11/vcpu0/garbage", "abc\n");
	put(debugfs, "kvm/500-11/vcpu0/overflow", "99999999999999999999999999\n");
	/* More numeric files than the bound: the preferred ones stay. */
	for (int i = 0; i < 200; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "kvm/500-11/vcpu1/aaa_%03d", i);
		put(debugfs, rel, "1\n");
	}
	put(debugfs, "kvm/500-11/vcpu1/halt_exits", "77\n");
	/* A FIFO must not block the reader; a link must not be followed. */
	snprintf(path, sizeof(path), "%s/kvm/500-11/vcpu0/io_exits", debugfs);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/kvm/500-11/vcpu0/mmio_exits", debugfs);
	assert_int_equal(symlink("/proc/self/stat", path), 0);

	struct vt_agent_paths paths = {.proc = proc, .debugfs = debugfs};
	uint32_t vcpu[] = {0, 1, 2, 3};
	int32_t tid[] = {501, 502, 503, -1};
	struct vt_kacct_guest g;
	assert_int_equal(vt_kacct_read_guest(&paths, 500, vcpu, tid, 4, &g), 0);
	assert_int_equal(g.nthreads, 4);
	assert_true(g.clk_tck > 0);
	assert_true(g.mono_ns > 0);
	uint64_t v = 0;
	assert_int_equal(vt_kacct_get(&g.vm, "exits", &v), 0);
	assert_true(v == 123456);
	assert_int_equal(vt_kacct_get(&g.vm, "halt_wait_ns", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vt_kacct_get(&g.vm, "tsc-offset", &v), -1);
	assert_int_equal(vt_kacct_get(&g.vm, "mmu_rmaps_stat", &v), -1);
	assert_int_equal(vt_kacct_get(&g.vm, "Upper", &v), -1);

	const struct vt_kacct_thread *t = &g.threads[0];
	assert_true(t->has_sched && t->run_ns == 1000000 && t->wait_ns == 2000 && t->timeslices == 30);
	assert_true(t->has_guest_time && t->guest_ticks == 250);
	assert_true(t->mono_ns > 0);
	assert_int_equal(t->kvm.n, 1); /* exits only: the garbage, the overflow, the FIFO, the link left out */
	assert_int_equal(vt_kacct_get(&t->kvm, "exits", &v), 0);
	assert_true(v == 600);

	t = &g.threads[1];
	assert_false(t->has_sched);
	assert_false(t->has_guest_time);
	assert_int_equal(t->kvm.n, VT_KACCT_MAX_VCPU_COUNTERS);
	assert_true(t->kvm.cut);
	assert_int_equal(vt_kacct_get(&t->kvm, "halt_exits", &v), 0);
	assert_true(v == 77);

	t = &g.threads[2];
	assert_true(t->has_sched && t->run_ns == UINT64_MAX && t->wait_ns == UINT64_MAX);
	assert_true(t->has_guest_time && t->guest_ticks == UINT64_MAX);
	assert_int_equal(t->kvm.n, 0); /* no vcpu2 folder */

	t = &g.threads[3];
	assert_int_equal(t->tid, -1);
	assert_false(t->has_sched);
	assert_int_equal(t->mono_ns, 0);
	vt_kacct_guest_free(&g);

	/* A process without a KVM folder, nor a /proc entry: all unknown. */
	assert_int_equal(vt_kacct_read_guest(&paths, 999, vcpu, tid, 2, &g), 0);
	assert_false(g.threads[0].has_sched);
	assert_int_equal(g.vm.n, 0);
	assert_int_equal(g.mono_ns, 0);
	vt_kacct_guest_free(&g);
	/* No vCPU at all. */
	assert_int_equal(vt_kacct_read_guest(&paths, 500, NULL, NULL, 0, &g), 0);
	assert_int_equal(g.nthreads, 0);
	vt_kacct_guest_free(&g);
	vt_rmtree(root);
	free(root);
}

/* What a sink got, written as a trace_marker line and read back as a tracer's reader would. */
struct books_seen {
	struct vt_event ev[8];
	char line[8][512], buf[8][512];
	size_t n;
};

static void seen_line(struct books_seen *s, size_t len)
{
	assert_true(len > 0 && s->line[s->n][len - 1] == '\n');
	assert_int_equal(vt_marker_parse(s->line[s->n], &s->ev[s->n], s->buf[s->n], sizeof(s->buf[0])), 1);
	s->n++;
}

static void seen_vcpu(void *ctx, const struct vt_vcpu_books *b)
{
	struct books_seen *s = ctx;
	assert_true(s->n < 8);
	seen_line(s, vt_marker_format_vcpu_books(s->line[s->n], sizeof(s->line[0]), b));
}

static void seen_vm(void *ctx, const struct vt_vm_books *b)
{
	struct books_seen *s = ctx;
	assert_true(s->n < 8);
	seen_line(s, vt_marker_format_vm_books(s->line[s->n], sizeof(s->line[0]), b));
}

/* The agent's books events: only guests with KVM evidence, only threads it
 * could read, unknown values marked so through the marker line's round trip. */
static void test_emit_books(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char proc[600], debugfs[600], line[1024];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(debugfs, sizeof(debugfs), "%s/debug", root);
	put(proc, "500/task/501/schedstat", "1000000 2000 30\n");
	stat_line(line, sizeof(line), "CPU 0/KVM", "250");
	put(proc, "500/task/501/stat", line);
	stat_line(line, sizeof(line), "CPU 1/KVM", "7"); /* 502: guest_time, no schedstat */
	put(proc, "500/task/502/stat", line);
	put(proc, "600/task/601/schedstat", "1 2 3\n");
	put(debugfs, "kvm/500-11/exits", "123456\n");
	put(debugfs, "kvm/500-11/io_exits", "garbage\n");
	put(debugfs, "kvm/500-11/signal_exits", "18446744073709551614\n");
	struct vt_vcpu_info v500[3] = {{0, 501, 0, 0, 0, 0}, {1, 502, 0, 0, 0, 0}, {2, -1, 0, 0, 0, 0}};
	struct vt_vcpu_info v600[1] = {{0, 601, 0, 0, 0, 0}};
	struct vt_guest_info g[2] = {{.pid = 500, .kvm = VT_KVM_DEBUGFS, .vcpu = v500, .nvcpu = 3, .vcpus = 3},
				     {.pid = 600, .kvm = VT_KVM_NONE, .vcpu = v600, .nvcpu = 1, .vcpus = 1}};
	struct vt_guest_list list = {.guests = g, .n = 2};
	struct vt_agent_paths paths = {.proc = proc, .debugfs = debugfs};
	struct books_seen seen;
	memset(&seen, 0, sizeof(seen));
	struct vt_agent_sink sink = {.name = "test", .ctx = &seen, .vcpu_books = seen_vcpu, .vm_books = seen_vm};
	assert_int_equal(vt_agent_emit_books(&sink, 1, &paths, &list, 0xffffffff81234560ull), 2);
	assert_int_equal(seen.n, 3); /* threads 501 and 502, then the VM; nothing of 600 (no evidence) */

	const struct vt_vcpu_books *b = &seen.ev[0].u.vcpu_books;
	assert_int_equal(seen.ev[0].kind, VT_VCPU_BOOKS);
	assert_true(b->pid == 500 && b->vcpu == 0 && b->tid == 501);
	assert_true(b->run_ns == 1000000 && b->wait_ns == 2000 && b->timeslices == 30 && b->guest_ticks == 250);
	assert_true(b->clk_tck > 0 && b->age_ns < 10000000000ull);
	b = &seen.ev[1].u.vcpu_books;
	assert_true(b->vcpu == 1 && b->tid == 502);
	assert_true(b->run_ns == VT_BOOKS_UNKNOWN && b->wait_ns == VT_BOOKS_UNKNOWN && b->guest_ticks == 7);
	assert_null(strstr(seen.line[1], "run_ns=")); /* unknown: left out of the line */

	const struct vt_vm_books *m = &seen.ev[2].u.vm_books;
	assert_int_equal(seen.ev[2].kind, VT_VM_BOOKS);
	assert_true(m->pid == 500 && m->exits == 123456 && m->signal_exits == 18446744073709551614ull);
	assert_true(m->io_exits == VT_BOOKS_UNKNOWN && m->mmio_exits == VT_BOOKS_UNKNOWN);
	assert_true(m->tick_function == 0xffffffff81234560ull);

	/* Hostile lines: a value that is not a number, a tid beyond 32 bits. */
	struct vt_event ev;
	char buf[512];
	assert_int_equal(vt_marker_parse("vmtrace: vcpu_books pid=1 tid=x", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: vcpu_books pid=1 tid=99999999999", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: vm_books pid=1 exits=-3", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: vcpu_books pid=1 clk_tck=4294967296", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: vm_books pid=9 future_key=1", &ev, buf, sizeof(buf)), 1);
	assert_true(ev.u.vm_books.pid == 9 && ev.u.vm_books.exits == VT_BOOKS_UNKNOWN);
	vt_rmtree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_fake_tree),
		cmocka_unit_test(test_emit_books),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
