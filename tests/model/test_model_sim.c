/* vCPU states from the host's events against the simulator's truth: per vCPU,
 * the totals of GUEST, HYPERVISOR, PREEMPTED and IDLE within 0.1 % of the
 * traced time, adding up exactly, and each guest's top preempting thread. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testutil.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"
#include "vmtrace/session.h"
#include "vmtrace/timeline.h"

static char *tmp;

/* What a vt_model_sink received: per vCPU, thread and pCPU, the time in each
 * state and where the last interval ended (intervals must be contiguous). */
struct sink_check {
	uint64_t vcpu_ns[64][VT_VCPU_STATE_COUNT], vcpu_end[64];
	uint64_t thread_ns[512][VT_THREAD_STATE_COUNT], thread_end[512];
	uint64_t cpu_ns[64], cpu_end[64];
	size_t gaps, joins_missed;
	struct vt_vcpu_interval last_vcpu[64];
};

static void on_vcpu(void *ctx, const struct vt_model *model, size_t i, const struct vt_vcpu_interval *iv)
{
	(void)model;
	struct sink_check *c = ctx;
	assert_true(i < 64 && iv->end > iv->start);
	if (c->vcpu_end[i] && c->vcpu_end[i] != iv->start)
		c->gaps++;
	if (c->vcpu_end[i] && c->last_vcpu[i].state == iv->state && c->last_vcpu[i].detail == iv->detail)
		c->joins_missed++;
	c->vcpu_end[i] = iv->end;
	c->last_vcpu[i] = *iv;
	c->vcpu_ns[i][iv->state] += iv->end - iv->start;
}

static void on_thread(void *ctx, const struct vt_model *model, size_t i, const struct vt_thread_interval *iv)
{
	(void)model;
	struct sink_check *c = ctx;
	assert_true(i < 512 && iv->end > iv->start && iv->state < VT_THREAD_STATE_COUNT);
	if (c->thread_end[i] && c->thread_end[i] != iv->start)
		c->gaps++;
	c->thread_end[i] = iv->end;
	c->thread_ns[i][iv->state] += iv->end - iv->start;
}

static void on_cpu(void *ctx, const struct vt_model *model, size_t i, const struct vt_cpu_interval *iv)
{
	(void)model;
	struct sink_check *c = ctx;
	assert_true(i < 64 && iv->end > iv->start);
	if (c->cpu_end[i] && c->cpu_end[i] != iv->start)
		c->gaps++;
	c->cpu_end[i] = iv->end;
	c->cpu_ns[i] += iv->end - iv->start;
}

/* The sink saw exactly what the totals say. */
static void check_sink(const struct vt_model *model, const struct sink_check *c)
{
	assert_int_equal(c->gaps, 0);
	assert_int_equal(c->joins_missed, 0);
	for (size_t i = 0; i < model->nvcpus; i++)
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			assert_int_equal(c->vcpu_ns[i][s], model->vcpus[i].totals[s]);
	for (size_t i = 0; i < model->nthreads && i < 512; i++)
		for (int s = 0; s < VT_THREAD_STATE_COUNT; s++)
			assert_int_equal(c->thread_ns[i][s], model->threads[i].totals[s]);
	for (size_t k = 0; k < model->ncpus; k++) {
		uint64_t sum = 0;
		for (size_t j = 0; j < model->cpus[k].nshares; j++)
			sum += model->cpus[k].shares[j].ns;
		assert_int_equal(c->cpu_ns[k], sum);
	}
}

/* The host's events stay in reference time order. */
struct order {
	int host;
	uint64_t last_ref;
};

static void host_in_order(void *ctx, size_t machine, uint64_t ref, const struct vt_event *ev)
{
	(void)ev;
	struct order *o = ctx;
	if (machine != (size_t)o->host)
		return;
	assert_true(ref >= o->last_ref);
	o->last_ref = ref;
}

/* only: a folder of the output to read alone ("host": the host without its
 * guests' traces), or NULL for all. */
static void check_scenario_opts(const char *name, const char *only, const char *sim_options)
{
	char out[4300], dir[4400];
	snprintf(out, sizeof(out), "%s/%s", tmp, name);
	snprintf(dir, sizeof(dir), "%s%s%s", out, only ? "/" : "", only ? only : "");
	struct vt_run run;
	vt_run_shell(&run, "rm -rf '%s'; '%s' '%s/%s.json' -o '%s' %s", out, vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios"), name, out, sim_options);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	char tpath[4400];
	snprintf(tpath, sizeof(tpath), "%s/truth.json", out);
	json_t *truth = json_load_file(tpath, 0, NULL);
	assert_non_null(truth);

	/* Pass 1: who is who; their clocks. */
	struct vt_error err = {0};
	struct vt_session *session = vt_session_new(NULL, &err);
	assert_non_null(session);
	if (vt_session_read(session, dir, &err) || vt_session_sync(session, &err))
		fail_msg("%s", err.msg);
	const struct vt_machines *m = vt_session_machines(session);
	const struct vt_sync_result *clocks = vt_session_clocks(session);
	int host = -1;
	for (size_t k = 0; k < m->count; k++)
		if (m->machines[k].role == VT_ROLE_HOST)
			host = (int)k;
	assert_true(host >= 0);

	/* Pass 2: every machine's events in reference time, through the model. */
	struct sink_check *sc = calloc(1, sizeof(*sc));
	struct vt_model_sink sink = {on_vcpu, on_thread, on_cpu, sc};
	struct order order = {host, 0};
	struct vt_session_model_options mopt = {.host = host, .record_intervals = 1, .sink = &sink,
						.each_event = host_in_order, .each_event_ctx = &order};
	if (vt_session_model(session, &mopt, &err))
		fail_msg("%s", err.msg);
	struct vt_model *model = vt_session_model_result(session);
	assert_int_equal(model->oom, 0);
	assert_true(model->nvcpus <= 64 && model->ncpus <= 64);
	check_sink(model, sc);
	free(sc);

	int64_t duration = json_integer_value(json_object_get(truth, "duration_ns"));
	size_t checked = 0;
	json_t *g, *v;
	size_t gi, vi;
	json_array_foreach(json_object_get(truth, "guests"), gi, g)
	{
		int64_t top_tid = -1, top_ns = -1;
		json_t *sums = json_object();
		json_array_foreach(json_object_get(g, "vcpus"), vi, v)
		{
			int32_t tid = (int32_t)json_integer_value(json_object_get(v, "tid"));
			const struct vt_vcpu_model *vm = NULL;
			for (size_t i = 0; i < model->nvcpus; i++)
				if (model->vcpus[i].tid == tid)
					vm = &model->vcpus[i];
			if (!vm)
				fail_msg("%s: vCPU thread %d not modelled", name, tid);
			uint64_t sum = 0;
			for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
				sum += vm->totals[s];
			assert_int_equal(sum, vm->end_ns - vm->start_ns); /* adds up exactly */
			json_t *tot = json_object_get(v, "totals");
			for (int s = VT_VCPU_IDLE; s < VT_VCPU_STATE_COUNT; s++) {
				int64_t want = json_integer_value(json_object_get(tot, vt_vcpu_state_name((enum vt_vcpu_state)s)));
				int64_t got = (int64_t)vm->totals[s];
				printf("%s %s vcpu%u %-10s truth %12lld ours %12lld diff %.4f%%\n", name,
				       json_string_value(json_object_get(g, "name")), vm->vcpu,
				       vt_vcpu_state_name((enum vt_vcpu_state)s), (long long)want, (long long)got,
				       100.0 * (double)(got - want) / (double)duration);
				if (llabs(got - want) * 1000 > duration)
					fail_msg("%s: vCPU %d %s off by more than 0.1%%", name, tid,
						 vt_vcpu_state_name((enum vt_vcpu_state)s));
			}
			for (size_t h = 0; h < vm->nholders; h++) {
				char key[16];
				snprintf(key, sizeof(key), "%d", vm->by_holder[h].tid);
				json_t *cur = json_object_get(sums, key);
				json_object_set_new(sums, key,
						    json_integer((cur ? json_integer_value(cur) : 0) + (json_int_t)vm->by_holder[h].ns));
			}
			/* Interval by interval against the truth's: the time both say the same
			 * state is at least 99.9 % of the observed time. */
			json_t *want_iv = json_object_get(v, "intervals");
			if (want_iv && !json_integer_value(json_object_get(v, "intervals_dropped"))) {
				uint64_t agree = 0;
				size_t a = 0, b = 0, nb = json_array_size(want_iv);
				while (a < vm->nintervals && b < nb) {
					json_t *w = json_array_get(want_iv, b);
					uint64_t ws = (uint64_t)json_integer_value(json_array_get(w, 0));
					uint64_t we = (uint64_t)json_integer_value(json_array_get(w, 1));
					const struct vt_vcpu_interval *iv = &vm->intervals[a];
					uint64_t lo = iv->start > ws ? iv->start : ws, hi = iv->end < we ? iv->end : we;
					if (hi > lo && !strcmp(vt_vcpu_state_name(iv->state), json_string_value(json_array_get(w, 2))))
						agree += hi - lo;
					if (iv->end < we)
						a++;
					else
						b++;
				}
				uint64_t span = vm->end_ns - vm->start_ns;
				printf("%s vCPU %d: states agree with the truth %.4f%% of the time\n", name, tid,
				       100.0 * (double)agree / (double)span);
				assert_true(agree * 1000 >= span * 999);
			}
			checked++;
		}
		/* The top preemptor, ours and the truth's (summed over the guest's vCPUs). */
		const char *key;
		json_t *val;
		json_object_foreach(sums, key, val)
		if (json_integer_value(val) > top_ns) {
			top_ns = json_integer_value(val);
			top_tid = atoll(key);
		}
		json_t *want_sums = json_object();
		json_array_foreach(json_object_get(g, "vcpus"), vi, v)
		{
			json_t *p;
			size_t pi;
			json_array_foreach(json_object_get(v, "preempted_by"), pi, p)
			{
				char k[16];
				snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(p, "tid")));
				json_t *cur = json_object_get(want_sums, k);
				json_object_set_new(want_sums, k,
						    json_integer((cur ? json_integer_value(cur) : 0) +
								 json_integer_value(json_object_get(p, "ns"))));
			}
		}
		int64_t want_tid = -1, want_ns = -1;
		json_object_foreach(want_sums, key, val)
		if (json_integer_value(val) > want_ns) {
			want_ns = json_integer_value(val);
			want_tid = atoll(key);
		}
		if (want_ns > 0)
			assert_int_equal(top_tid, want_tid);
		json_decref(sums);
		json_decref(want_sums);
	}
	assert_true(checked > 0);
	/* The fused per-pCPU view: each pCPU's shares add up to the observed time,
	 * and a vCPU's guest-mode shares over the pCPUs are its GUEST total. */
	for (size_t c = 0; c < model->ncpus; c++) {
		uint64_t sum = 0;
		for (size_t k = 0; k < model->cpus[c].nshares; k++)
			sum += model->cpus[c].shares[k].ns;
		assert_int_equal(sum, model->last_ns - model->first_ns);
	}
	for (size_t i = 0; i < model->nvcpus; i++) {
		uint64_t guest_mode = 0;
		for (size_t c = 0; c < model->ncpus; c++)
			for (size_t k = 0; k < model->cpus[c].nshares; k++)
				if (model->cpus[c].shares[k].tid == model->vcpus[i].tid && model->cpus[c].shares[k].guest_mode)
					guest_mode += model->cpus[c].shares[k].ns;
		assert_int_equal(guest_mode, model->vcpus[i].totals[VT_VCPU_GUEST]);
	}
	/* Exit statistics: every exit re-entered is counted once, quantiles ordered. */
	uint64_t exits = 0;
	for (size_t i = 0; i < model->nvcpus; i++)
		for (size_t e = 0; e < model->vcpus[i].nexits; e++) {
			const struct vt_exit_stats *x = &model->vcpus[i].exits[e];
			exits += x->count;
			uint64_t p50 = vt_exit_stats_quantile(x, 0.5), p99 = vt_exit_stats_quantile(x, 0.99);
			assert_true(p50 <= p99 && p99 <= x->max_ns);
			assert_true(x->max_ns <= x->total_ns);
		}
	json_int_t want_exits = json_integer_value(json_object_get(
		json_object_get(json_array_get(json_object_get(truth, "machines"), 0), "kind_counts"), "KVM_EXIT"));
	assert_true((json_int_t)exits <= want_exits && (json_int_t)(exits + model->nvcpus) >= want_exits);
	/* Every kvm_userspace_exit is a vCPU's, counted once. */
	uint64_t uexits = 0;
	for (size_t i = 0; i < model->nvcpus; i++) {
		uint64_t by = 0;
		for (int r = 0; r < VT_USERSPACE_REASONS; r++)
			by += model->vcpus[i].userspace_by_reason[r];
		assert_int_equal(by, model->vcpus[i].userspace_exits);
		uexits += model->vcpus[i].userspace_exits;
	}
	assert_int_equal((json_int_t)uexits,
			 json_integer_value(json_object_get(json_object_get(json_array_get(json_object_get(truth, "machines"), 0),
									    "kind_counts"),
							    "KVM_USERSPACE_EXIT")));
	/* Guest threads, when the guests' traces are read too. */
	size_t threads_checked = 0;
	json_array_foreach(json_object_get(truth, "guests"), gi, g)
	{
		json_t *t;
		size_t ti;
		json_array_foreach(json_object_get(g, "threads"), ti, t)
		{
			int32_t tid = (int32_t)json_integer_value(json_object_get(t, "tid"));
			const struct vt_thread_model *tm = NULL;
			for (size_t i = 0; i < model->nthreads; i++)
				if (model->threads[i].tid == tid &&
				    !strcasecmp(m->machines[model->threads[i].guest].product_uuid,
						json_string_value(json_object_get(g, "uuid"))))
					tm = &model->threads[i];
			if (!tm)
				continue; /* only the host's trace was read */
			enum vt_sync_quality q = clocks->machines[tm->guest].quality;
			if (q != VT_SYNC_ACCURATE && q != VT_SYNC_APPROXIMATE) {
				/* No network, no agent TSC, a free clock (large's batch guest):
				 * nothing places it, and the report says its threads are unsure. */
				printf("%s %s: its guest's clock is not placed (%s): thread not checked\n", name, tm->comm,
				       clocks->machines[tm->guest].why);
				continue;
			}
			json_t *tot = json_object_get(t, "totals");
			for (int st = VT_VCPU_IDLE; st < VT_THREAD_STATE_COUNT; st++) {
				int64_t want = json_integer_value(json_object_get(tot, vt_thread_state_name(st)));
				int64_t got = (int64_t)tm->totals[st];
				printf("%s %s %-10s truth %12lld ours %12lld diff %.4f%%\n", name, tm->comm,
				       vt_thread_state_name(st), (long long)want, (long long)got,
				       100.0 * (double)(got - want) / (double)duration);
				if (llabs(got - want) * 1000 > duration)
					fail_msg("%s: thread %d %s off by more than 0.1%%", name, tid, vt_thread_state_name(st));
			}
			threads_checked++;
		}
	}
	if (!only)
		assert_true(threads_checked > 0);
	vt_session_free(session);
	json_decref(truth);
}

static void check_scenario(const char *name, const char *only)
{
	check_scenario_opts(name, only, "");
}

static void test_two_guests(void **state)
{
	(void)state;
	check_scenario("two-guests-ntp", NULL);
}

static void test_two_guests_ptp(void **state)
{
	(void)state;
	check_scenario("two-guests-ptp", NULL);
}

static void test_two_guests_free(void **state)
{
	(void)state;
	check_scenario("two-guests-free", NULL);
}

static void test_vmsync(void **state)
{
	(void)state;
	check_scenario("vmsync", NULL);
}

/* Guests created and destroyed while the host is traced. */
static void test_guest_lifecycle(void **state)
{
	(void)state;
	check_scenario("guest-lifecycle", NULL);
}

/* The large scenario (4 guests, 12 pCPUs), its first 300 ms. */
static void test_large(void **state)
{
	(void)state;
	check_scenario_opts("large", NULL, "-d 300");
}

/* The host's trace alone: the vCPU states need no guest trace. */
static void test_host_trace_alone(void **state)
{
	(void)state;
	check_scenario("two-guests-ptp", "host");
}


int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_guests),
		cmocka_unit_test(test_host_trace_alone),
		cmocka_unit_test(test_two_guests_ptp),
		cmocka_unit_test(test_two_guests_free),
		cmocka_unit_test(test_vmsync),
		cmocka_unit_test(test_guest_lifecycle),
		cmocka_unit_test(test_large),
	};
	/* Under valgrind, the first two (every code path) are enough: the others
	 * only add scenarios, at 20 times the time. */
	size_t ntests = getenv("VT_VALGRIND_CHILDREN") ? 2 : sizeof(tests) / sizeof(tests[0]);
	int rc = _cmocka_run_group_tests("test_model_sim", tests, ntests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
