/* The convex hull on hand-made message sequences: every quality, the
 * transitions between them, and the estimate on known clocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

/* M's clock: t_r = SLOPE * t_m + OFFSET; messages take LAT ns each way. */
#define BASE 1795648751000000000LL
static const double SLOPE = 1.00002;
static const int64_t OFFSET = -3600000000000LL; /* M is an hour ahead */

static int64_t r_of_m(int64_t t_m)
{
	return BASE + (int64_t)llround(SLOPE * (double)(t_m - BASE)) + OFFSET;
}

/* A message M→R sent at t_m, received after lat ns of R's time. */
static void m_to_r(struct vt_hull *h, int64_t t_m, int64_t lat)
{
	assert_int_equal(vt_hull_add(h, 0, r_of_m(t_m) + lat, t_m), 0);
}

/* A message R→M sent at R's time of t_m, received lat ns later on M. */
static void r_to_m(struct vt_hull *h, int64_t t_m, int64_t lat)
{
	assert_int_equal(vt_hull_add(h, 1, r_of_m(t_m), t_m + lat), 0);
}

static enum vt_sync_quality quality(const struct vt_hull *h)
{
	struct vt_hull_result r;
	vt_hull_compute(h, &r);
	return r.quality;
}

static void test_absent(void **state)
{
	(void)state;
	struct vt_hull *h = vt_hull_new(NULL);
	struct vt_hull_result r;
	vt_hull_compute(h, &r);
	assert_int_equal(r.quality, VT_SYNC_ABSENT);
	assert_int_equal(r.to_ref_count + r.from_ref_count, 0);
	vt_hull_free(h);
}

static void test_transitions_to_accurate(void **state)
{
	(void)state;
	struct vt_hull *h = vt_hull_new(NULL);
	assert_int_equal(quality(h), VT_SYNC_ABSENT);
	m_to_r(h, BASE + 1000000, 50000);
	assert_int_equal(quality(h), VT_SYNC_INCOMPLETE);
	m_to_r(h, BASE + 9000000, 50000);
	assert_int_equal(quality(h), VT_SYNC_INCOMPLETE);
	/* One message back, later than both: bounds the slope from one side only. */
	r_to_m(h, BASE + 20000000, 50000);
	assert_int_equal(quality(h), VT_SYNC_APPROXIMATE);
	/* One back before the first: now both sides. */
	r_to_m(h, BASE, 50000);
	assert_int_equal(quality(h), VT_SYNC_ACCURATE);
	vt_hull_free(h);
}

static void test_accurate_estimate(void **state)
{
	(void)state;
	struct vt_hull *h = vt_hull_new(NULL);
	/* 200 messages each way over 10 s, latencies 20..120 µs, equal minimums. */
	for (int i = 0; i < 200; i++) {
		int64_t t = BASE + (int64_t)i * 50000000;
		m_to_r(h, t, 20000 + (i * 7919) % 100000);
		r_to_m(h, t + 25000000, 20000 + (i * 104729) % 100000);
	}
	struct vt_hull_result r;
	vt_hull_compute(h, &r);
	assert_int_equal(r.quality, VT_SYNC_ACCURATE);
	assert_int_equal(r.to_ref_count, 200);
	assert_int_equal(r.from_ref_count, 200);
	assert_true(r.has_slope_min && r.has_slope_max);
	assert_true(r.slope_min <= SLOPE && SLOPE <= r.slope_max);
	/* Symmetric minimum latencies: the middle line is the true one, within a µs. */
	for (int i = 0; i <= 10; i++) {
		int64_t t = BASE + (int64_t)i * 1000000000;
		int64_t err = vt_transform_apply(&r.to_ref, t) - r_of_m(t);
		if (llabs(err) > 1000)
			fail_msg("error %lld ns at %d s", (long long)err, i);
	}
	/* The claim: how far any line the messages allow gets from the estimate
	 * over their span. At the estimate's slope the offsets span the 20 us
	 * minimum latency each way; the slopes the hull allows reach farther at
	 * the ends of the 10 s (26 us here), never twice as far. */
	printf("accuracy +/- %lld ns\n", (long long)r.accuracy_ns);
	assert_true(r.accuracy_ns >= 20000 && r.accuracy_ns <= 40000);
	/* and it holds: the extreme allowed slopes, through the points that bound them, stay inside it */
	for (int s = 0; s < 2; s++) {
		double a = s ? r.slope_max : r.slope_min;
		for (int i = 0; i <= 10; i += 10) {
			int64_t t = BASE + (int64_t)i * 1000000000;
			double mid = (double)vt_transform_apply(&r.to_ref, BASE + 5000000000LL);
			double y = mid + a * (double)(t - BASE - 5000000000LL);
			assert_true(fabs(y - (double)vt_transform_apply(&r.to_ref, t)) <= (double)r.accuracy_ns);
		}
	}
	vt_hull_free(h);
}

static void test_incomplete_estimate_is_a_bound(void **state)
{
	(void)state;
	struct vt_hull *h = vt_hull_new(NULL);
	for (int i = 0; i < 10; i++)
		m_to_r(h, BASE + (int64_t)i * 1000000, 30000 + i * 1000);
	struct vt_hull_result r;
	vt_hull_compute(h, &r);
	assert_int_equal(r.quality, VT_SYNC_INCOMPLETE);
	assert_int_equal(r.accuracy_ns, -1);
	/* Receives can never come before sends with the estimate. */
	int64_t t = BASE;
	assert_true(vt_transform_apply(&r.to_ref, t) <= r_of_m(t) + 30000 + 1);
	vt_hull_free(h);
}

static void test_fail_on_contradiction(void **state)
{
	(void)state;
	struct vt_hull *h = vt_hull_new(NULL);
	for (int i = 0; i < 20; i++) {
		int64_t t = BASE + (int64_t)i * 1000000;
		m_to_r(h, t, 40000);
		r_to_m(h, t + 500000, 40000);
	}
	assert_int_equal(quality(h), VT_SYNC_ACCURATE);
	/* A message that arrives 1 ms before it was sent: no line separates them. */
	m_to_r(h, BASE + 7000000, -1000000);
	assert_int_equal(quality(h), VT_SYNC_FAIL);
	vt_hull_free(h);
}

static void test_transform_helpers(void **state)
{
	(void)state;
	struct vt_transform t = {1.0000001, 1795648751000000000LL, 1795648751000000500LL};
	assert_int_equal(vt_transform_apply(&t, t.x0), t.y0);
	assert_int_equal(vt_transform_apply(&t, t.x0 + 1000000000), t.y0 + 1000000100);
	enum vt_sync_method m;
	assert_int_equal(vt_sync_method_parse("hull", &m), 0);
	assert_int_equal(m, VT_SYNC_HULL);
	assert_int_equal(vt_sync_method_parse("nope", &m), -1);
	assert_string_equal(vt_sync_quality_name(VT_SYNC_APPROXIMATE), "APPROXIMATE");
}

/* TSC: a guest TSC 1e9 cycles ahead of the host's (offset), 2.5 GHz clocks
 * whose epoch offsets differ: guest time maps exactly onto host time. */
static void test_tsc_transform(void **state)
{
	(void)state;
	struct vt_clock_info host = {"x86-tsc", NULL, 2500000000ULL, 1700000000, 0};
	struct vt_clock_info guest = {"x86-tsc", NULL, 2500000000ULL, 1700000100, 500000000};
	assert_true(vt_clock_is_tsc(&host));
	struct vt_clock_info mono = {"monotonic", NULL, 1000000000ULL, 0, 0};
	assert_false(vt_clock_is_tsc(&mono));
	struct vt_transform t;
	int64_t offset = 1000000000LL; /* guest_tsc = host_tsc + 1e9 cycles */
	assert_int_equal(vt_tsc_transform(&guest, &host, offset, 0, 0, &t), 0);
	/* host TSC value c_h; guest TSC c_g = c_h + offset; each clock's ns from the epoch */
	for (uint64_t c_h = 1000000000000ULL; c_h < 1000000000000ULL + 5 * 2500000000ULL; c_h += 2500000000ULL) {
		uint64_t c_g = c_h + (uint64_t)offset;
		int64_t t_h = 1700000000LL * 1000000000LL + (int64_t)(c_h * 2 / 5); /* 1e9/2.5e9 = 0.4 */
		int64_t t_g = 1700000100LL * 1000000000LL + 200000000LL + (int64_t)(c_g * 2 / 5);
		int64_t err = vt_transform_apply(&t, t_g) - t_h;
		if (llabs(err) > 1)
			fail_msg("tsc transform off by %lld ns", (long long)err);
	}
	/* Scaled: guest_tsc = host_tsc * 1.5 (ratio 3 << 47 over 2^48) + offset. */
	guest.freq = 3750000000ULL;
	assert_int_equal(vt_tsc_transform(&guest, &host, offset, 3ULL << 47, 48, &t), 0);
	uint64_t c_h = 4000000000000ULL, c_g = c_h + c_h / 2 + (uint64_t)offset;
	int64_t t_h = 1700000000LL * 1000000000LL + (int64_t)(c_h * 2 / 5);
	int64_t t_g = 1700000100LL * 1000000000LL + (int64_t)(500000000ULL * 1000000000ULL / 3750000000ULL) +
		      (int64_t)((long double)c_g * 1e9L / 3750000000.0L);
	assert_true(llabs(vt_transform_apply(&t, t_g) - t_h) <= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_transitions_to_accurate),
		cmocka_unit_test(test_accurate_estimate),
		cmocka_unit_test(test_incomplete_estimate_is_a_bound),
		cmocka_unit_test(test_fail_on_contradiction),
		cmocka_unit_test(test_transform_helpers),
		cmocka_unit_test(test_tsc_transform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
