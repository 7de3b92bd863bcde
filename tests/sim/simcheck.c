#include "simcheck.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

const char *const test_scenarios[] = {"two-guests-ntp", "two-guests-ptp", "two-guests-free", "vmsync", "host-only",
				     "guest-lifecycle", "kernel-ticks", "kernel-ticks-svm", NULL};

void simlog_record(void *arg, uint64_t true_ns, const struct vt_event *ev)
{
	struct simlog *log = arg;
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 65536;
		log->r = realloc(log->r, log->cap * sizeof(*log->r));
		assert_non_null(log->r);
	}
	if (log->n && true_ns < log->r[log->n - 1].t)
		log->out_of_order = 1;
	struct simrec *r = &log->r[log->n++];
	memset(r, 0, sizeof(*r));
	r->t = true_ns;
	r->ts = ev->ts_ns;
	r->trace = ev->trace;
	r->cpu = ev->cpu;
	r->tid = ev->tid;
	r->kind = ev->kind;
	r->ust = strncmp(ev->name, "vmtrace:", 8) == 0;
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

void simlog_free(struct simlog *log)
{
	free(log->r);
	memset(log, 0, sizeof(*log));
}

const char *scenario_path(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s", vt_source_path("scenarios"));
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%s.json", name);
	return buf;
}

void run_scenario(const char *name, const char *outdir, uint64_t duration_ms, uint64_t seed,
		  struct simlog *log)
{
	struct vt_error err = {0};
	struct vt_sim_scenario *sc = NULL;
	if (vt_sim_scenario_load(&sc, scenario_path(name), &err))
		fail_msg("%s", err.msg);
	struct vt_sim_options opt = {
		.outdir = outdir,
		.seed = seed,
		.has_seed = seed != 0,
		.duration_ns = duration_ms * 1000000ull,
		.on_event = log ? simlog_record : NULL,
		.on_event_arg = log,
	};
	struct vt_sim_stats st;
	int rc = vt_sim_run(sc, &opt, &st, &err);
	vt_sim_scenario_free(sc);
	if (rc)
		fail_msg("%s", err.msg);
	if (log)
		assert_false(log->out_of_order);
}

json_t *load_truth(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	json_error_t je;
	json_t *t = json_load_file(path, 0, &je);
	if (!t)
		fail_msg("%s: line %d: %s", path, je.line, je.text);
	return t;
}

/* Guest-mode windows of one vCPU thread, from the host's entries and exits. */
struct window {
	uint64_t entry, exit;
};

void check_guest_mode_containment(const struct simlog *log, json_t *truth)
{
	json_t *guests = json_object_get(truth, "guests");
	size_t gi;
	json_t *g;
	size_t checked = 0;
	json_array_foreach(guests, gi, g) {
		uint32_t machine = (uint32_t)json_integer_value(json_object_get(g, "machine"));
		size_t vi;
		json_t *v;
		json_array_foreach(json_object_get(g, "vcpus"), vi, v) {
			int32_t tid = (int32_t)json_integer_value(json_object_get(v, "tid"));
			struct window *w = calloc(log->n / 2 + 2, sizeof(*w));
			size_t nw = 0;
			int open = 0;
			for (size_t i = 0; i < log->n; i++) {
				const struct simrec *r = &log->r[i];
				if (r->trace != 0 || r->tid != tid)
					continue;
				if (r->kind == VT_KVM_ENTRY) {
					if (open)
						fail_msg("vCPU tid %d: two entries without an exit at %llu", tid,
							 (unsigned long long)r->t);
					w[nw].entry = r->t;
					w[nw].exit = UINT64_MAX;
					open = 1;
				} else if (r->kind == VT_KVM_EXIT) {
					if (!open)
						fail_msg("vCPU tid %d: exit without entry at %llu", tid,
							 (unsigned long long)r->t);
					w[nw++].exit = r->t;
					open = 0;
				}
			}
			if (open)
				nw++;
			size_t k = 0;
			for (size_t i = 0; i < log->n; i++) {
				const struct simrec *r = &log->r[i];
				if (r->trace != machine || r->cpu != (int32_t)vi)
					continue;
				while (k < nw && w[k].exit <= r->t)
					k++;
				if (k == nw || !(w[k].entry < r->t && r->t < w[k].exit))
					fail_msg("guest %u vCPU %zu: event kind %u at %llu outside guest mode", machine,
						 vi, r->kind, (unsigned long long)r->t);
				checked++;
			}
			free(w);
		}
	}
	/* Every guest event belongs to some vCPU checked above. */
	size_t guest_events = 0;
	for (size_t i = 0; i < log->n; i++)
		guest_events += log->r[i].trace != 0;
	assert_int_equal(checked, guest_events);
}

static int key_cmp(const void *a, const void *b)
{
	const struct simrec *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->ack != y->ack)
		return x->ack < y->ack ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	return 0;
}

void check_messages(const struct simlog *log, uint64_t min_latency_ns)
{
	size_t ns = 0, nr = 0;
	for (size_t i = 0; i < log->n; i++) {
		ns += log->r[i].kind == VT_NET_SEND;
		nr += log->r[i].kind == VT_NET_RECV;
	}
	struct simrec *sends = calloc(ns + 1, sizeof(*sends)), *recvs = calloc(nr + 1, sizeof(*recvs));
	ns = nr = 0;
	for (size_t i = 0; i < log->n; i++) {
		if (log->r[i].kind == VT_NET_SEND)
			sends[ns++] = log->r[i];
		else if (log->r[i].kind == VT_NET_RECV)
			recvs[nr++] = log->r[i];
	}
	qsort(sends, ns, sizeof(*sends), key_cmp);
	qsort(recvs, nr, sizeof(*recvs), key_cmp);
	for (size_t i = 1; i < ns; i++)
		if (!key_cmp(&sends[i - 1], &sends[i]))
			fail_msg("two messages sent with key %u/%u/%u", sends[i].seq, sends[i].ack, sends[i].flags);
	for (size_t i = 1; i < nr; i++)
		if (!key_cmp(&recvs[i - 1], &recvs[i]))
			fail_msg("a message received twice: key %u/%u/%u", recvs[i].seq, recvs[i].ack, recvs[i].flags);
	for (size_t i = 0; i < nr; i++) {
		const struct simrec *s = bsearch(&recvs[i], sends, ns, sizeof(*sends), key_cmp);
		if (!s)
			fail_msg("message %u/%u/%u received, never sent", recvs[i].seq, recvs[i].ack, recvs[i].flags);
		if (recvs[i].t < s->t + min_latency_ns)
			fail_msg("message %u received %lld ns after its send (min %llu)", recvs[i].seq,
				 (long long)(recvs[i].t - s->t), (unsigned long long)min_latency_ns);
		if (s->trace == recvs[i].trace)
			fail_msg("message %u received by its sender", recvs[i].seq);
	}
	free(sends);
	free(recvs);
}

static void check_entity_totals(json_t *e, uint64_t duration, uint64_t start, const char *what)
{
	/* vCPUs and guest threads of guests that start or stop count their own lifetime */
	if (json_object_get(e, "start_ns")) {
		start = (uint64_t)json_integer_value(json_object_get(e, "start_ns"));
		duration = (uint64_t)json_integer_value(json_object_get(e, "end_ns")) - start;
	}
	json_t *totals = json_object_get(e, "totals");
	uint64_t sum = 0;
	const char *key;
	json_t *v;
	json_object_foreach(totals, key, v) sum += (uint64_t)json_integer_value(v);
	if (sum != duration)
		fail_msg("%s tid %lld: state totals add up to %llu, not %llu", what,
			 (long long)json_integer_value(json_object_get(e, "tid")), (unsigned long long)sum,
			 (unsigned long long)duration);
	json_t *iv = json_object_get(e, "intervals");
	if (!iv || json_integer_value(json_object_get(e, "intervals_dropped")))
		return;
	uint64_t at = start;
	size_t i;
	json_t *x;
	json_array_foreach(iv, i, x) {
		uint64_t s = (uint64_t)json_integer_value(json_array_get(x, 0));
		uint64_t en = (uint64_t)json_integer_value(json_array_get(x, 1));
		if (s != at || en <= s)
			fail_msg("%s: intervals not contiguous at %llu", what, (unsigned long long)s);
		at = en;
	}
	if (at != start + duration)
		fail_msg("%s: intervals end at %llu", what, (unsigned long long)at);
}

void check_totals(json_t *truth)
{
	uint64_t duration = (uint64_t)json_integer_value(json_object_get(truth, "duration_ns"));
	uint64_t start = (uint64_t)json_integer_value(json_object_get(truth, "start_ns"));
	assert_true(duration > 0);
	size_t gi, i;
	json_t *g, *e;
	json_array_foreach(json_object_get(truth, "guests"), gi, g) {
		json_array_foreach(json_object_get(g, "vcpus"), i, e) {
			check_entity_totals(e, duration, start, "vCPU");
			/* hypervisor time by reason and preempted time by holder add up too */
			json_t *totals = json_object_get(e, "totals");
			uint64_t hv = 0, pre = 0;
			const char *key;
			json_t *v;
			json_object_foreach(json_object_get(e, "hypervisor_by_reason"), key, v) hv += (uint64_t)json_integer_value(v);
			size_t k;
			json_array_foreach(json_object_get(e, "preempted_by"), k, v) pre += (uint64_t)json_integer_value(json_object_get(v, "ns"));
			assert_int_equal(hv, json_integer_value(json_object_get(totals, "HYPERVISOR")));
			assert_int_equal(pre, json_integer_value(json_object_get(totals, "PREEMPTED")));
		}
		json_array_foreach(json_object_get(g, "threads"), i, e)
			check_entity_totals(e, duration, start, "guest thread");
	}
	json_array_foreach(json_object_get(truth, "host_threads"), i, e)
		check_entity_totals(e, duration, start, "host thread");
}

void check_one_pcpu(const struct simlog *log)
{
	enum { MAXTID = 1 << 16 };
	int32_t *on = malloc(MAXTID * sizeof(*on));
	for (int i = 0; i < MAXTID; i++)
		on[i] = -1;
	for (size_t i = 0; i < log->n; i++) {
		const struct simrec *r = &log->r[i];
		if (r->trace != 0 || r->ust)
			continue;
		assert_true(r->tid >= 0 && r->tid < MAXTID);
		if (r->kind == VT_SCHED_SWITCH) {
			if (r->prev_tid) {
				if (on[r->prev_tid] != r->cpu)
					fail_msg("tid %d switched out of pCPU %d while on %d at %llu", r->prev_tid, r->cpu,
						 on[r->prev_tid], (unsigned long long)r->t);
				on[r->prev_tid] = -1;
			}
			if (r->next_tid) {
				if (on[r->next_tid] != -1)
					fail_msg("tid %d switched in on pCPU %d while on pCPU %d at %llu", r->next_tid,
						 r->cpu, on[r->next_tid], (unsigned long long)r->t);
				on[r->next_tid] = r->cpu;
			}
		} else if (r->kind == VT_KVM_ENTRY || r->kind == VT_KVM_EXIT) {
			if (on[r->tid] != r->cpu)
				fail_msg("tid %d: KVM event on pCPU %d while on %d", r->tid, r->cpu, on[r->tid]);
		}
	}
	free(on);
}

void check_counts(const struct simlog *log, json_t *truth)
{
	size_t mi, ti;
	json_t *m, *tr;
	uint64_t total = 0;
	json_array_foreach(json_object_get(truth, "machines"), mi, m) {
		json_array_foreach(json_object_get(m, "traces"), ti, tr) {
			int ust = !strcmp(json_string_value(json_object_get(tr, "domain")), "ust");
			uint64_t want = (uint64_t)json_integer_value(json_object_get(tr, "events")), got = 0;
			for (size_t i = 0; i < log->n; i++)
				got += log->r[i].trace == mi && log->r[i].ust == ust;
			if (got != want)
				fail_msg("%s: truth says %llu events, the simulator emitted %llu",
					 json_string_value(json_object_get(tr, "path")), (unsigned long long)want,
					 (unsigned long long)got);
			total += want;
		}
	}
	assert_int_equal(total, log->n);
	assert_int_equal(total, json_integer_value(json_object_get(truth, "events")));
}

/* The record of kind KIND with (vm_uid, cnt) after index FROM, or NULL. */
static const struct simrec *find_vmsync(const struct simlog *log, size_t from, uint32_t kind,
					uint64_t vm_uid, uint32_t cnt)
{
	for (size_t i = from; i < log->n && i < from + 100000; i++)
		if (log->r[i].kind == kind && log->r[i].vm_uid == vm_uid && log->r[i].seq == cnt)
			return &log->r[i];
	return NULL;
}

size_t check_vmsync(const struct simlog *log, json_t *truth)
{
	size_t pairs = 0;
	for (size_t i = 0; i < log->n; i++) {
		const struct simrec *r = &log->r[i];
		if (r->kind != VT_VMSYNC_GH_GUEST)
			continue;
		const struct simrec *gh_host = find_vmsync(log, i + 1, VT_VMSYNC_GH_HOST, r->vm_uid, r->seq);
		if (!gh_host) {
			/* a hypercall cut by the end of the run is fine */
			if (log->n - i > 1000)
				fail_msg("vmsync cnt %u: no vmsync_gh_host after vmsync_gh_guest", r->seq);
			continue;
		}
		assert_true(gh_host->t > r->t && gh_host->trace == 0);
		/* the host side runs on the vCPU thread of that guest */
		json_t *vcpu = json_array_get(json_object_get(json_array_get(json_object_get(truth, "guests"), r->trace - 1), "vcpus"), (size_t)r->cpu);
		assert_int_equal(gh_host->tid, json_integer_value(json_object_get(vcpu, "tid")));
		const struct simrec *hg_host = find_vmsync(log, (size_t)(gh_host - log->r) + 1, VT_VMSYNC_HG_HOST, r->vm_uid, r->seq + 1);
		if (!hg_host)
			continue;
		const struct simrec *hg_guest = find_vmsync(log, (size_t)(hg_host - log->r) + 1, VT_VMSYNC_HG_GUEST, r->vm_uid, r->seq + 1);
		if (!hg_guest)
			continue;
		assert_true(hg_host->t > gh_host->t && hg_guest->t > hg_host->t);
		pairs++;
	}
	return pairs;
}
