/* Identification from what a window holds: the real KVM recording cut with
 * babeltrace2 after its statedumps (what a flight-recorder snapshot keeps), so
 * no statedump, no fork of a vCPU thread and no agent event is left. Judged
 * against the recording's manifest and against the uncut trace. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/session.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"
#include "vmtrace/timeline.h"

struct run {
	struct vt_session *session;
	const struct vt_trace_info *const *infos; /* the session's */
	const struct vt_machines *m;
	const struct vt_sync_result *clocks;
	const struct vt_model *model;
};

static void analyze(struct run *r, const char *dir)
{
	struct vt_error err = {0};
	memset(r, 0, sizeof(*r));
	r->session = vt_session_new(NULL, &err);
	assert_non_null(r->session);
	if (vt_session_read(r->session, dir, &err) || vt_session_sync(r->session, &err))
		fail_msg("%s", err.msg);
	r->clocks = vt_session_clocks(r->session);
	assert_true(r->clocks->root >= 0);
	struct vt_session_model_options opt = {.host = r->clocks->root, .record_intervals = 1};
	if (vt_session_model(r->session, &opt, &err))
		fail_msg("%s", err.msg);
	r->infos = vt_session_traces(r->session);
	r->m = vt_session_machines(r->session);
	r->model = vt_session_model_result(r->session);
}

static void run_free(struct run *r)
{
	vt_session_free(r->session);
}

static int machine_of_uuid(const struct vt_machines *m, const char *uuid)
{
	for (size_t k = 0; k < m->count; k++)
		if (m->machines[k].product_uuid && !strcmp(m->machines[k].product_uuid, uuid))
			return (int)k;
	return -1;
}

/* Cuts one trace of the recording at a wall-clock time of its own clock. */
static void cut(const char *rec, const char *tmp, const char *machine, const char *begin)
{
	struct vt_run run;
	vt_run_shell(&run, "babeltrace2 '%s/%s' --begin=%s -c sink.ctf.fs -p 'path=\"%s/%s\"'", rec, machine, begin, tmp,
		     machine);
	if (run.status)
		fail_msg("babeltrace2 cutting %s: %s", machine, run.err);
	vt_run_free(&run);
}

static const struct vt_vcpu_model *vcpu_by_tid(const struct vt_model *model, int32_t tid)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == tid)
			return &model->vcpus[i];
	return NULL;
}

/* The uncut trace's states of one vCPU over [a, b). */
static void totals_over(const struct vt_vcpu_model *v, uint64_t a, uint64_t b, uint64_t out[VT_VCPU_STATE_COUNT])
{
	memset(out, 0, sizeof(uint64_t) * VT_VCPU_STATE_COUNT);
	for (size_t i = 0; i < v->nintervals; i++) {
		const struct vt_vcpu_interval *iv = &v->intervals[i];
		uint64_t s = iv->start > a ? iv->start : a, e = iv->end < b ? iv->end : b;
		if (e > s)
			out[iv->state] += e - s;
	}
}

static void check_guest(const struct run *cut_run, const struct run *whole, json_t *g)
{
	const char *uuid = json_string_value(json_object_get(g, "product_uuid"));
	const struct vt_machines *m = cut_run->m;
	int k = machine_of_uuid(m, uuid);
	assert_true(k >= 0);
	const struct vt_machine *mm = &m->machines[k];
	printf("%s: %s\n", json_string_value(json_object_get(g, "name")), mm->evidence ? mm->evidence : "(none)");
	assert_int_equal(mm->role, VT_ROLE_GUEST);
	assert_int_equal(mm->host, cut_run->clocks->root);
	assert_int_equal(mm->qemu_pid, -1); /* no event of the window names the process */
	/* Exactly its vCPU threads, as the manifest says. */
	json_t *vcpus = json_object_get(g, "vcpus"), *v;
	size_t i;
	assert_int_equal(mm->nvcpus, json_array_size(vcpus));
	json_array_foreach(vcpus, i, v)
	{
		int found = 0;
		for (size_t j = 0; j < mm->nvcpus; j++)
			found |= mm->vcpus[j].vcpu == json_integer_value(json_object_get(v, "id")) &&
				 mm->vcpus[j].tid == json_integer_value(json_object_get(v, "tid"));
		assert_true(found);
	}
	/* Synchronized inside the bounds its TCP allows: no message received
	 * before it was sent, and the uncut trace's line within both accuracies. */
	const struct vt_clock_sync *c = &cut_run->clocks->machines[k];
	int wk = machine_of_uuid(whole->m, uuid);
	const struct vt_clock_sync *w = &whole->clocks->machines[wk];
	assert_int_equal(c->quality, VT_SYNC_ACCURATE);
	assert_int_equal(c->to_ref_latency.negative, 0);
	assert_int_equal(c->from_ref_latency.negative, 0);
	const struct vt_trace_info *info = cut_run->infos[mm->traces[0]];
	for (int end = 0; end < 2; end++) {
		int64_t t = (int64_t)(end ? info->last_ns : info->first_ns);
		int64_t d = vt_clock_to_ref(c, t) - vt_clock_to_ref(w, t);
		printf("  clock at its window's %s: %+lld ns from the uncut trace's (accuracies %lld, %lld ns)\n",
		       end ? "end" : "start", (long long)d, (long long)c->accuracy_ns, (long long)w->accuracy_ns);
		assert_true(c->accuracy_ns >= 0 && w->accuracy_ns >= 0);
		assert_true(llabs(d) <= c->accuracy_ns + w->accuracy_ns);
	}
	/* vCPU totals over the same window as the uncut trace's, within 1 %. */
	json_array_foreach(vcpus, i, v)
	{
		int32_t tid = (int32_t)json_integer_value(json_object_get(v, "tid"));
		const struct vt_vcpu_model *cv = vcpu_by_tid(cut_run->model, tid), *wv = vcpu_by_tid(whole->model, tid);
		assert_non_null(cv);
		assert_non_null(wv);
		assert_int_equal(cv->guest, k);
		uint64_t ref[VT_VCPU_STATE_COUNT], span = cv->end_ns - cv->start_ns;
		totals_over(wv, cv->start_ns, cv->end_ns, ref);
		assert_true(span > 10000000000ULL);
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++) {
			double diff = 100.0 * ((double)cv->totals[s] - (double)ref[s]) / (double)span;
			printf("  vCPU %lld %-10s cut %6.2f %%  uncut %6.2f %%  (%+.3f points)\n",
			       (long long)json_integer_value(json_object_get(v, "id")), vt_vcpu_state_name((enum vt_vcpu_state)s),
			       100.0 * (double)cv->totals[s] / (double)span, 100.0 * (double)ref[s] / (double)span, diff);
			assert_true(diff < 1.0 && diff > -1.0);
		}
	}
}

static void test_cut_after_statedump(void **state)
{
	(void)state;
	vt_require_testdata("real-kvm/run1");
	vt_require_program("babeltrace2");
	const char *rec = vt_testdata("real-kvm/run1");
	char *tmp = vt_mkdtemp();
	/* Each trace's statedump ends within its first second; cut 5 s later on the
	 * host, once the guests' first downloads run in the guests. */
	cut(rec, tmp, "host", "23:23:15");
	cut(rec, tmp, "guest1", "23:23:20");
	cut(rec, tmp, "guest2", "23:23:20");
	struct vt_run run;
	vt_run_shell(&run, "babeltrace2 '%s' | grep -c -E 'statedump|vmtrace:|child_tid = 22(05|06|33|34|35),'", tmp);
	assert_string_equal(run.out, "0\n");
	vt_run_free(&run);

	char path[4096];
	snprintf(path, sizeof(path), "%s/manifest.json", rec);
	json_t *manifest = json_load_file(path, 0, NULL);
	assert_non_null(manifest);
	struct run whole, part;
	analyze(&whole, rec);
	analyze(&part, tmp);
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(manifest, "guests"), i, g)
		check_guest(&part, &whole, g);
	run_free(&part);
	run_free(&whole);
	json_decref(manifest);

	/* The report says what is unknown and why. */
	vt_run_shell(&run, "%s analyze '%s'", vt_vmtrace_cmd(), tmp);
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "guest1 (QEMU pid unknown, 2 vCPUs)"));
	assert_non_null(strstr(run.out, "no statedump, fork, pid context or agent event names the process"));
	vt_run_free(&run);
	vt_rmtree(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_after_statedump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
