/* The written traces, read back with the library's own CTF source, hold
 * exactly the events the simulator emitted: same machine, stream, timestamp
 * (own clock), kind and thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simcheck.h"
#include "testutil.h"
#include "vmtrace/sources.h"

struct key {
	uint64_t ts;
	uint32_t machine;
	int32_t ust, cpu, tid;
	uint32_t kind;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
#define CMP(f)                          \
	if (x->f != y->f)               \
		return x->f < y->f ? -1 : 1;
	CMP(machine)
	CMP(ust)
	CMP(cpu)
	CMP(ts)
	CMP(kind)
	CMP(tid)
#undef CMP
	return 0;
}

/* The machine index and domain of a trace folder, from the truth's paths. */
static int trace_machine(json_t *truth, const char *dir, const char *path, uint32_t *machine, int32_t *ust)
{
	size_t mi, ti;
	json_t *m, *tr;
	json_array_foreach(json_object_get(truth, "machines"), mi, m) {
		json_array_foreach(json_object_get(m, "traces"), ti, tr) {
			char want[4200];
			snprintf(want, sizeof(want), "%s/%s", dir, json_string_value(json_object_get(tr, "path")));
			if (!strcmp(want, path)) {
				*machine = (uint32_t)mi;
				*ust = !strcmp(json_string_value(json_object_get(tr, "domain")), "ust");
				return 0;
			}
		}
	}
	return -1;
}

static void readback(void **state)
{
	(void)state;
	for (const char *const *name = test_scenarios; *name; name++) {
		char *dir = vt_mkdtemp();
		struct simlog log = {0};
		run_scenario(*name, dir, 200, 0, &log);
		json_t *truth = load_truth(dir);

		struct key *want = calloc(log.n + 1, sizeof(*want));
		for (size_t i = 0; i < log.n; i++)
			want[i] = (struct key){log.r[i].ts, log.r[i].trace, log.r[i].ust, log.r[i].cpu,
					       log.r[i].ust ? -1 : log.r[i].tid, log.r[i].kind};
		qsort(want, log.n, sizeof(*want), key_cmp);

		struct vt_error err = {{0}};
		struct vt_source *src;
		const char *paths[] = {dir};
		if (vt_source_open(&src, paths, 1, &err))
			fail_msg("%s", err.msg);
		struct key *got = calloc(log.n + 1, sizeof(*got));
		size_t n = 0;
		const struct vt_event *ev;
		int rc;
		while ((rc = vt_source_next(src, &ev, &err)) == 1) {
			if (n == log.n)
				fail_msg("%s: the reader returns more events than were written", *name);
			const struct vt_trace_info *info = vt_source_trace(src, ev->trace);
			struct key *k = &got[n++];
			if (trace_machine(truth, dir, info->path, &k->machine, &k->ust))
				fail_msg("%s: unknown trace %s", *name, info->path);
			k->ts = ev->ts_ns;
			k->cpu = ev->cpu;
			k->tid = k->ust ? -1 : ev->tid;
			k->kind = ev->kind;
		}
		if (rc < 0)
			fail_msg("%s", err.msg);
		vt_source_close(src);
		if (n != log.n)
			fail_msg("%s: read %zu events, wrote %zu", *name, n, log.n);
		qsort(got, n, sizeof(*got), key_cmp);
		for (size_t i = 0; i < n; i++)
			if (key_cmp(&got[i], &want[i]))
				fail_msg("%s: event %zu differs: read m%u/%s cpu %d ts %llu kind %u tid %d, "
					 "wrote m%u cpu %d ts %llu kind %u tid %d",
					 *name, i, got[i].machine, got[i].ust ? "ust" : "kernel", got[i].cpu,
					 (unsigned long long)got[i].ts, got[i].kind, got[i].tid, want[i].machine,
					 want[i].cpu, (unsigned long long)want[i].ts, want[i].kind, want[i].tid);
		/* per machine and normalized kind, as truth.json's kind_counts */
		size_t mi;
		json_t *m;
		json_array_foreach(json_object_get(truth, "machines"), mi, m) {
			json_t *kc = json_object_get(m, "kind_counts");
			for (int k = 0; k < VT_KIND_COUNT; k++) {
				uint64_t c = 0;
				for (size_t i = 0; i < n; i++)
					c += got[i].machine == mi && got[i].kind == (uint32_t)k;
				json_t *want_c = json_object_get(kc, vt_kind_name((enum vt_kind)k));
				if ((uint64_t)(want_c ? json_integer_value(want_c) : 0) != c)
					fail_msg("%s machine %zu: %llu %s events read, truth says %lld", *name, mi,
						 (unsigned long long)c, vt_kind_name((enum vt_kind)k),
						 want_c ? (long long)json_integer_value(want_c) : 0LL);
			}
		}
		printf("%s: %zu events read back\n", *name, n);
		free(got);
		free(want);
		json_decref(truth);
		simlog_free(&log);
		vt_rmtree(dir);
		free(dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(readback)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
