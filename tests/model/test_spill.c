/* Pass 2 from the spill gives exactly the model that decoding the traces
 * again gives: every total, reason, holder, exit histogram, guest thread and
 * pCPU share equal. A spill that cannot be written says so, and the CLI then
 * reads the traces again with the same result. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "testutil.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"
#include "vmtrace/session.h"
#include "vmtrace/timeline.h"

static char *tmp;

static void simulate(const char *scenario, const char *out, const char *extra)
{
	struct vt_run run;
	vt_run_shell(&run, "rm -rf '%s'; '%s' '%s/%s.json' -o '%s' %s", out, vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios"), scenario, out, extra);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
}

static void count_event(void *ctx, size_t machine, uint64_t ref, const struct vt_event *ev)
{
	(void)machine, (void)ref, (void)ev;
	++*(size_t *)ctx;
}

static void no_warning(void *ctx, const char *line)
{
	(void)ctx;
	fail_msg("unexpected warning: %s", line);
}

/* A session over dir, the model's pass from the spill or from the traces
 * decoded again (a session without a spill). */
static struct vt_session *run_model(const char *dir, int from_spill)
{
	struct vt_error err = {0};
	struct vt_session_options opt = {.spill = from_spill, .warn = no_warning};
	struct vt_session *s = vt_session_new(&opt, &err);
	assert_non_null(s);
	if (vt_session_read(s, dir, &err) || vt_session_sync(s, &err))
		fail_msg("%s", err.msg);
	int root = vt_session_clocks(s)->root; /* the host, or the one machine of host-only */
	assert_true(root >= 0);
	size_t n = 0;
	struct vt_session_model_options mopt = {.host = root, .record_intervals = 1,
						.each_event = count_event, .each_event_ctx = &n};
	if (vt_session_model(s, &mopt, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(vt_session_model_result(s)->oom, 0);
	printf("%s: %zu events through the model\n", from_spill ? "spill " : "traces", n);
	return s;
}

static void same_model(const struct vt_model *a, const struct vt_model *b)
{
	assert_int_equal(a->first_ns, b->first_ns);
	assert_int_equal(a->last_ns, b->last_ns);
	assert_int_equal(a->nvcpus, b->nvcpus);
	for (size_t i = 0; i < a->nvcpus; i++) {
		const struct vt_vcpu_model *x = &a->vcpus[i], *y = &b->vcpus[i];
		assert_int_equal(x->tid, y->tid);
		assert_memory_equal(x->totals, y->totals, sizeof(x->totals));
		assert_int_equal(x->nreasons, y->nreasons);
		assert_memory_equal(x->by_reason, y->by_reason, x->nreasons * sizeof(*x->by_reason));
		assert_int_equal(x->nholders, y->nholders);
		for (size_t h = 0; h < x->nholders; h++) {
			assert_int_equal(x->by_holder[h].tid, y->by_holder[h].tid);
			assert_int_equal(x->by_holder[h].ns, y->by_holder[h].ns);
			assert_string_equal(x->by_holder[h].comm, y->by_holder[h].comm);
		}
		assert_int_equal(x->userspace_exits, y->userspace_exits);
		assert_memory_equal(x->userspace_by_reason, y->userspace_by_reason, sizeof(x->userspace_by_reason));
		assert_int_equal(x->isa, y->isa);
		assert_int_equal(x->nexits, y->nexits);
		assert_memory_equal(x->exits, y->exits, x->nexits * sizeof(*x->exits));
		assert_int_equal(x->nintervals, y->nintervals);
		for (size_t k = 0; k < x->nintervals; k++) { /* field by field: the struct has padding */
			assert_int_equal(x->intervals[k].start, y->intervals[k].start);
			assert_int_equal(x->intervals[k].end, y->intervals[k].end);
			assert_int_equal(x->intervals[k].state, y->intervals[k].state);
			assert_int_equal(x->intervals[k].detail, y->intervals[k].detail);
		}
	}
	assert_int_equal(a->nthreads, b->nthreads);
	for (size_t i = 0; i < a->nthreads; i++) {
		assert_int_equal(a->threads[i].tid, b->threads[i].tid);
		assert_string_equal(a->threads[i].comm, b->threads[i].comm);
		assert_memory_equal(a->threads[i].totals, b->threads[i].totals, sizeof(a->threads[i].totals));
	}
	assert_int_equal(a->ncpus, b->ncpus);
	for (size_t c = 0; c < a->ncpus; c++) {
		assert_int_equal(a->cpus[c].nshares, b->cpus[c].nshares);
		for (size_t k = 0; k < a->cpus[c].nshares; k++) {
			assert_int_equal(a->cpus[c].shares[k].tid, b->cpus[c].shares[k].tid);
			assert_int_equal(a->cpus[c].shares[k].ns, b->cpus[c].shares[k].ns);
			assert_string_equal(a->cpus[c].shares[k].comm, b->cpus[c].shares[k].comm);
		}
	}
}

static void check(const char *scenario, const char *extra)
{
	char out[4200];
	snprintf(out, sizeof(out), "%s/%s", tmp, scenario);
	simulate(scenario, out, extra);
	struct vt_session *a = run_model(out, 0), *b = run_model(out, 1);
	same_model(vt_session_model_result(a), vt_session_model_result(b));
	vt_session_free(a);
	vt_session_free(b);
}

static void test_two_guests(void **state)
{
	(void)state;
	check("two-guests-ntp", "-d 1500");
}

static void test_guest_lifecycle(void **state)
{
	(void)state;
	check("guest-lifecycle", "");
}

/* Host ticks inside guest mode (kvm_exit traced late): the model ends guest
 * mode at them, from the spill as from the traces. */
static void test_late_exits(void **state)
{
	(void)state;
	check("kernel-ticks-svm", "-d 1000");
}

static void test_host_only(void **state)
{
	(void)state;
	check("host-only", "-d 1000"); /* no guests: pCPUs only */
}

/* A file-size limit makes the spill's writes fail: it says so. */
static void test_write_failure(void **state)
{
	(void)state;
	char out[4200];
	snprintf(out, sizeof(out), "%s/limited", tmp);
	simulate("two-guests-ntp", out, "-d 500");
	struct rlimit old, small;
	getrlimit(RLIMIT_FSIZE, &old);
	small = (struct rlimit){64 * 1024, old.rlim_max}; /* the soft limit only: it can be put back */
	signal(SIGXFSZ, SIG_IGN);
	struct vt_error err = {0};
	struct vt_spill *s = vt_spill_new(&err);
	assert_non_null(s);
	setrlimit(RLIMIT_FSIZE, &small);
	const char *dir = out;
	struct vt_source *src;
	assert_non_null(src = vt_source_open(&dir, 1, &err));
	const struct vt_event *ev;
	while (vt_source_next(src, &ev, &err) > 0)
		vt_spill_add(s, ev->trace, ev);
	for (size_t i = 0; i < vt_source_trace_count(src); i++)
		vt_spill_end(s, i, vt_source_trace(src, i)->last_ns);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(vt_spill_status(s, &err), -1);
	printf("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "spill"));
	struct vt_timeline *tl;
	assert_null(tl = vt_timeline_open_spill(s, NULL, NULL, &err));
	vt_spill_free(s);
	vt_source_close(src);

	/* The CLI: the same JSON with the spill refused (no such TMPDIR) and with it. */
	struct vt_run a, b;
	vt_run_shell(&a, "%s analyze --json '%s' | sha256sum", vt_vmtrace_cmd(), out);
	vt_run_shell(&b, "TMPDIR=/nonexistent-vmtrace %s analyze --json '%s' 2>&1 >/dev/null; "
			 "TMPDIR=/nonexistent-vmtrace %s analyze --json '%s' 2>/dev/null | sha256sum",
		     vt_vmtrace_cmd(), out, vt_vmtrace_cmd(), out);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	printf("%s%s---\n%s", a.out, a.err, b.out);
	assert_non_null(strstr(b.out, "TMPDIR /nonexistent-vmtrace: No such file or directory; set TMPDIR to"));
	assert_non_null(strstr(b.out, a.out)); /* same digest */
	vt_run_free(&a);
	vt_run_free(&b);
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_guests),
		cmocka_unit_test(test_guest_lifecycle),
		cmocka_unit_test(test_late_exits),
		cmocka_unit_test(test_host_only),
		cmocka_unit_test(test_write_failure),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	return rc;
}
