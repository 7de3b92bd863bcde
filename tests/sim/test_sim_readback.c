/* The written traces, read back with the library's own CTF source, hold
 * exactly the events the simulator emitted: same machine, stream, timestamp
 * (own clock), kind and thread; and the invariants hold on them, guest
 * timestamps mapped to true time with the truth's clock knots. */
#include <math.h>
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

/* True host time of a timestamp of machine mi, from the truth's clock knots
 * (the host's clock is true time). */
static uint64_t true_time(json_t *truth, size_t mi, uint64_t ts)
{
	json_t *knots = json_object_get(json_array_get(json_object_get(truth, "machines"), mi), "clock_knots");
	if (!knots)
		return ts;
	size_t k = 1;
	while (k + 1 < json_array_size(knots) &&
	       (uint64_t)json_integer_value(json_array_get(json_array_get(knots, k), 1)) < ts)
		k++;
	json_t *a = json_array_get(knots, k - 1), *b = json_array_get(knots, k);
	int64_t ha = json_integer_value(json_array_get(a, 0)), ga = json_integer_value(json_array_get(a, 1));
	int64_t hb = json_integer_value(json_array_get(b, 0)), gb = json_integer_value(json_array_get(b, 1));
	return (uint64_t)(ha + (int64_t)llround((double)(hb - ha) * (double)((int64_t)ts - ga) / (double)(gb - ga)));
}

struct ordered {
	struct simrec r;
	size_t index; /* reading order: keeps each stream's order among equal times */
};

static int by_true_time(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->r.t != y->r.t)
		return x->r.t < y->r.t ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
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

		struct vt_error err = {0};
		struct vt_source *src;
		const char *paths[] = {dir};
		if (!(src = vt_source_open(paths, 1, &err)))
			fail_msg("%s", err.msg);
		struct key *got = calloc(log.n + 1, sizeof(*got));
		struct ordered *rb = calloc(log.n + 1, sizeof(*rb));
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
			/* the same event for the invariant checks, in true time */
			struct simrec *r = &rb[n - 1].r;
			rb[n - 1].index = n - 1;
			r->t = true_time(truth, k->machine, ev->ts_ns);
			r->ts = ev->ts_ns;
			r->trace = k->machine;
			r->cpu = ev->cpu;
			r->tid = ev->tid;
			r->kind = ev->kind;
			r->ust = k->ust;
			if (ev->kind == VT_SCHED_SWITCH) {
				r->prev_tid = ev->u.sched_switch.prev_tid;
				r->next_tid = ev->u.sched_switch.next_tid;
			} else if (ev->kind == VT_NET_SEND || ev->kind == VT_NET_RECV) {
				r->seq = ev->u.net.key.seq;
				r->ack = ev->u.net.key.ack_seq;
				r->flags = ev->u.net.key.flags;
			} else if (ev->kind >= VT_VMSYNC_GH_GUEST && ev->kind <= VT_VMSYNC_HG_HOST) {
				r->seq = (uint32_t)ev->u.vmsync.cnt;
				r->vm_uid = ev->u.vmsync.vm_uid;
			}
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
		/* the simulator's invariants, on what the traces say */
		qsort(rb, n, sizeof(*rb), by_true_time);
		struct simlog back = {0};
		back.r = calloc(n + 1, sizeof(*back.r));
		back.n = back.cap = n;
		for (size_t i = 0; i < n; i++)
			back.r[i] = rb[i].r;
		check_guest_mode_containment(&back, truth);
		check_messages(&back, 20000);
		check_one_pcpu(&back);
		size_t pairs = check_vmsync(&back, truth);
		if (!strcmp(*name, "vmsync"))
			assert_true(pairs > 20);
		simlog_free(&back);
		free(rb);
		printf("%s: %zu events read back, invariants hold\n", *name, n);
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
