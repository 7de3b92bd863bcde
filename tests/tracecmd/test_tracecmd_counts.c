/* The trace.dat source against `trace-cmd report` on the same real recording
 * (tests/data/host-tcg.dat, file format 7 with zstd, and its conversion to
 * format 6 made here): every record once, at the same time on the same CPU,
 * with the same pids, and per-kind counts equal to those of the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_report.h"
#include "testutil.h"
#include "vmtrace/sources.h"

#define MAX_KEYS 200000

static char *tmp;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int field(const char *rest, const char *key)
{
	const char *p = strstr(rest, key);
	return p ? atoi(p + strlen(key)) : -1;
}

/* "ts cpu name [fields]": what both sides must agree on. */
static char *key(uint64_t ts, int cpu, const char *name, enum vt_kind kind, int a, int b)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%llu %d %s %s %d %d", (unsigned long long)ts, cpu, name, vt_kind_name(kind), a,
		 b);
	return strdup(buf);
}

static size_t report_keys(const char *file, char **keys, uint64_t per_kind[VT_KIND_COUNT])
{
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report -t -R '%s' 2>/dev/null", file);
	assert_int_equal(run.status, 0);
	size_t count = 0;
	for (char *line = run.out, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* " comm-pid [CPU]  SECS.NSECS: name:   fields" (comm may hold
		 * brackets); raw clocks (x86-tsc) print "[CPU]CYCLES: name:". */
		int cpu = -1, skip = 0, n = 0;
		unsigned long long ts = 0, frac;
		char name[128];
		const char *rest = NULL;
		for (const char *p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
			if (sscanf(p, "[%d]%llu%n", &cpu, &ts, &n) != 2)
				continue;
			const char *q = p + n;
			if (*q == '.') {
				if (sscanf(q + 1, "%llu%n", &frac, &n) != 1)
					continue;
				ts = ts * 1000000000ull + frac;
				q += 1 + n;
			}
			if (sscanf(q, ": %127[^:]:%n", name, &skip) == 1 && skip) {
				rest = q + skip;
				break;
			}
		}
		if (!rest)
			continue; /* "cpus=2" and the like */
		enum vt_kind kind = vt_tc_report_kind(name, rest);
		int a = -1, b = -1;
		if (kind == VT_SCHED_SWITCH) {
			a = field(rest, "prev_pid=");
			b = field(rest, "next_pid=");
		} else if (kind == VT_SCHED_WAKEUP) {
			a = field(rest, " pid=");
			b = field(rest, "target_cpu=");
		} else if (kind == VT_NET_SEND || kind == VT_NET_RECV) {
			a = field(rest, " len=");
		}
		assert_true(count < MAX_KEYS);
		keys[count++] = key(ts, cpu, name, kind, a, b);
		per_kind[kind]++;
	}
	vt_run_free(&run);
	return count;
}

/* Events the kernel lost, as the file's cpustats say (trace-cmd dump --options). */
static uint64_t dump_lost(const char *file)
{
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd dump --options '%s' 2>/dev/null", file);
	assert_int_equal(run.status, 0);
	uint64_t lost = 0;
	for (const char *p = run.out; (p = strstr(p, "\n")); p++) {
		unsigned long long n;
		if (sscanf(p + 1, "overrun: %llu", &n) == 1 || sscanf(p + 1, "dropped events: %llu", &n) == 1)
			lost += n;
	}
	vt_run_free(&run);
	return lost;
}

static size_t source_keys(const char *file, char **keys, const struct vt_trace_info **info_out,
			  struct vt_source **src_out)
{
	struct vt_source *src;
	struct vt_error err;
	if (!(src = vt_source_open(&file, 1, &err)))
		fail_msg("%s", err.msg);
	assert_int_equal(vt_source_trace_count(src), 1);
	const struct vt_event *ev;
	size_t n = 0;
	uint64_t last = 0;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		assert_true(ev->ts_ns >= last); /* merged in time order */
		last = ev->ts_ns;
		int a = -1, b = -1;
		if (ev->kind == VT_SCHED_SWITCH) {
			a = ev->u.sched_switch.prev_tid;
			b = ev->u.sched_switch.next_tid;
		} else if (ev->kind == VT_SCHED_WAKEUP) {
			a = ev->u.sched_wakeup.tid;
			b = ev->u.sched_wakeup.target_cpu;
		} else if (ev->kind == VT_NET_SEND || ev->kind == VT_NET_RECV) {
			a = (int)ev->u.net.len;
			assert_string_equal(ev->u.net.ifname, "lo");
		}
		assert_true(n < MAX_KEYS);
		keys[n++] = key(ev->ts_ns, ev->cpu, ev->name, ev->kind, a, b);
	}
	assert_int_equal(rc, 0);
	*info_out = vt_source_trace(src, 0);
	*src_out = src;
	return n;
}

static void compare(const char *file, const char *clock, uint64_t freq)
{
	char **want = calloc(MAX_KEYS, sizeof(char *)), **got = calloc(MAX_KEYS, sizeof(char *));
	uint64_t per_kind[VT_KIND_COUNT] = {0};
	size_t nwant = report_keys(file, want, per_kind);
	const struct vt_trace_info *info;
	struct vt_source *src;
	size_t ngot = source_keys(file, got, &info, &src);
	printf("%s: %zu records in the report, %zu events read\n", file, nwant, ngot);
	assert_true(nwant > 1000);
	assert_int_equal(ngot, nwant);
	assert_int_equal(info->events, nwant);
	for (int k = 0; k < VT_KIND_COUNT; k++) {
		if (info->per_kind[k] != per_kind[k])
			fail_msg("%s: %s: %llu events, the report has %llu", file, vt_kind_name(k),
				 (unsigned long long)info->per_kind[k], (unsigned long long)per_kind[k]);
	}
	qsort(want, nwant, sizeof(char *), cmp_str);
	qsort(got, ngot, sizeof(char *), cmp_str);
	for (size_t i = 0; i < nwant; i++)
		if (strcmp(want[i], got[i]))
			fail_msg("%s: first difference: report '%s', vmtrace '%s'", file, want[i], got[i]);
	/* What the recording holds (see tests/data/record-tracecmd.sh). */
	assert_true(info->per_kind[VT_SCHED_SWITCH] > 100);
	assert_true(info->per_kind[VT_SCHED_WAKEUP] > 10);
	assert_true(info->per_kind[VT_PROCESS_FORK] > 0 && info->per_kind[VT_PROCESS_EXEC] > 0 &&
		    info->per_kind[VT_PROCESS_EXIT] > 0);
	assert_true(info->per_kind[VT_SOFTIRQ_ENTRY] > 0);
	assert_true(info->per_kind[VT_NET_SEND] > 0 && info->per_kind[VT_NET_RECV] > 0);
	assert_int_equal(info->per_kind[VT_GUEST_DUMP], 1);
	assert_int_equal(info->per_kind[VT_GUEST_VCPU], 2);
	assert_int_equal(info->per_kind[VT_MACHINE_ID], 1);
	assert_int_equal(info->streams, 2);
	assert_string_equal(info->clock.name, clock);
	assert_int_equal(info->clock.freq, freq);
	/* The small ring buffer overwrote its oldest events: the file says how many. */
	uint64_t lost = dump_lost(file);
	assert_true(lost > 0);
	assert_int_equal(info->discarded_events, lost);
	assert_int_equal(info->first_ns, strtoull(want[0], NULL, 10)); /* sorted: the earliest */
	for (size_t i = 0; i < nwant; i++) {
		free(want[i]);
		free(got[i]);
	}
	free(want);
	free(got);
	vt_source_close(src);
}

static void test_format7(void **state)
{
	(void)state;
	compare(vt_source_path("tests/data/host-tcg.dat"), "local", 1000000000);
}

/* The same recording made on the x86-tsc clock: raw cycles, as the report prints them. */
static void test_x86_tsc(void **state)
{
	(void)state;
	compare(vt_source_path("tests/data/host-tsc.dat"), "x86-tsc", 0);
}

static void test_format6(void **state)
{
	(void)state;
	char v6[4200];
	snprintf(v6, sizeof(v6), "%s/v6.dat", tmp);
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd convert -i '%s' -o '%s' --file-version 6", vt_source_path("tests/data/host-tcg.dat"),
		     v6);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	compare(v6, "local", 1000000000);
}

int main(void)
{
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format7),
		cmocka_unit_test(test_format6),
		cmocka_unit_test(test_x86_tsc),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
