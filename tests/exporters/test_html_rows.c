/* The HTML report's rows: exact while few, then sub-bins; every ns fed
 * is accounted for per state either way, and a row's size stays within the
 * budget however many intervals arrive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporters/html_rows.h"
#include "testutil.h"

#define K 5

/* Sums per state what a row kept: exact durations plus sub-bin ns. */
static void row_sums(const struct vt_html_row *row, uint64_t sums[K], size_t *nx, size_t *na)
{
	memset(sums, 0, K * sizeof(*sums));
	*nx = *na = 0;
	const char *p = row->x.buf;
	while (p && *p) {
		char *e;
		strtoull(p, &e, 10);
		uint64_t d = strtoull(e + 1, &e, 10);
		long st = strtol(e + 1, &e, 10);
		strtoll(e + 1, &e, 10);
		assert_true(st >= 0 && st < K);
		sums[st] += d;
		(*nx)++;
		p = *e ? e + 1 : e;
	}
	p = row->a.buf;
	while (p && *p) {
		char *e;
		strtoull(p, &e, 10);
		uint64_t w = strtoull(e + 1, &e, 10), in_bin = 0;
		for (int s = 0; s < K; s++) {
			uint64_t v = strtoull(e + 1, &e, 10);
			sums[s] += v;
			in_bin += v;
		}
		assert_true(in_bin <= w);
		(*na)++;
		p = *e ? e + 1 : e;
	}
}

static void test_few_stay_exact(void **state)
{
	(void)state;
	struct vt_html_rows rs;
	vt_html_rows_init(&rs, 1000, 1000 + 1000000, NULL);
	uint64_t fed[K] = {0}, t = 1000;
	for (int i = 0; i < 10; i++) {
		uint64_t d = 1000 + (uint64_t)i * 7;
		vt_html_rows_add(&rs, VT_HTML_ROW_VCPU, 3, K, t, t + d, i % K, i);
		fed[i % K] += d;
		t += d;
	}
	vt_html_rows_finish(&rs);
	assert_false(rs.oom);
	assert_true(rs.n[VT_HTML_ROW_VCPU] > 3 && rs.rows[VT_HTML_ROW_VCPU][3].used);
	assert_false(rs.rows[VT_HTML_ROW_VCPU][0].used);
	uint64_t sums[K];
	size_t nx, na;
	row_sums(&rs.rows[VT_HTML_ROW_VCPU][3], sums, &nx, &na);
	assert_int_equal(nx, 10);
	assert_int_equal(na, 0);
	assert_memory_equal(sums, fed, sizeof(fed));
	/* the first interval exactly: start (from t0), duration, state, detail */
	assert_true(!strncmp(rs.rows[VT_HTML_ROW_VCPU][3].x.buf, "0,1000,0,0,", 11));
	vt_html_rows_free(&rs);
}

/* n intervals of pseudo-random lengths over the span, some very long. */
static void feed_many(struct vt_html_rows *rs, size_t n, uint64_t fed[K])
{
	uint64_t t = rs->t0, x = 12345;
	memset(fed, 0, K * sizeof(*fed));
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t d = 1 + (x >> 33) % 400;
		if (i % 50000 == 7)
			d = 30000000; /* spans many bins */
		int st = (int)((x >> 20) % K);
		vt_html_rows_add(rs, VT_HTML_ROW_CPU, 0, K, t, t + d, st, -1);
		fed[st] += d;
		t += d;
	}
}

static void test_many_within_budget(void **state)
{
	(void)state;
	size_t counts[] = {100000, 1000000};
	size_t mem[2];
	for (int r = 0; r < 2; r++) {
		struct vt_html_rows rs;
		struct vt_html_budget b = {256, 16, 16};
		/* a span that holds the intervals fed: ~200 ns each, plus the long ones */
		uint64_t span = counts[r] * 201 + (counts[r] / 50000 + 1) * 30000000;
		vt_html_rows_init(&rs, 5000, 5000 + span, &b);
		uint64_t fed[K], sums[K];
		feed_many(&rs, counts[r], fed);
		vt_html_rows_finish(&rs);
		assert_false(rs.oom);
		size_t nx, na;
		row_sums(&rs.rows[VT_HTML_ROW_CPU][0], sums, &nx, &na);
		/* nothing lost or doubled, per state */
		assert_memory_equal(sums, fed, sizeof(fed));
		/* at most bins x (exact + sub) items, plus one carried tail a bin */
		assert_true(nx + na <= 256 * (16 + 16 + 1));
		assert_true(na > 0);
		/* every busy bin (one with sub-bins) still shows its first 16 intervals exactly */
		size_t busy = 0;
		const struct vt_html_row *row = &rs.rows[VT_HTML_ROW_CPU][0];
		unsigned exact_in[256] = {0}, agg_in[256] = {0};
		for (const char *p = row->x.buf; p && *p;) {
			char *e;
			uint64_t st = strtoull(p, &e, 10);
			for (int f = 0; f < 3; f++)
				strtoll(e + 1, &e, 10);
			exact_in[st / rs.width]++;
			p = *e ? e + 1 : e;
		}
		for (const char *p = row->a.buf; p && *p;) {
			char *e;
			uint64_t st = strtoull(p, &e, 10);
			for (int f = 0; f < 1 + K; f++)
				strtoull(e + 1, &e, 10);
			agg_in[st / rs.width]++;
			p = *e ? e + 1 : e;
		}
		for (int bin = 0; bin < 256; bin++)
			if (agg_in[bin]) {
				busy++;
				if (exact_in[bin] < 16)
					fail_msg("busy bin %d keeps %u exact intervals", bin, exact_in[bin]);
			}
		assert_true(busy > 20);
		mem[r] = vt_html_rows_memory(&rs, NULL);
		vt_html_rows_free(&rs);
	}
	/* ten times the intervals, about the same memory */
	assert_true(mem[1] < mem[0] * 2);
	assert_true(mem[1] < 2 * 1024 * 1024);
}

/* Intervals outside the span are clipped, never out of range. */
static void test_clipped(void **state)
{
	(void)state;
	struct vt_html_rows rs;
	vt_html_rows_init(&rs, 1000000, 2000000, NULL);
	vt_html_rows_add(&rs, VT_HTML_ROW_THREAD, 0, 7, 10, 500, 1, -1);           /* before: dropped */
	vt_html_rows_add(&rs, VT_HTML_ROW_THREAD, 0, 7, 999000, 1001000, 2, -1);   /* clipped to 1000 ns */
	vt_html_rows_add(&rs, VT_HTML_ROW_THREAD, 0, 7, 1999000, 9000000, 3, -1); /* clipped at the end */
	vt_html_rows_add(&rs, VT_HTML_ROW_THREAD, 0, 7, 1, 2, 9, -1);              /* bad state: ignored */
	vt_html_rows_finish(&rs);
	assert_string_equal(rs.rows[VT_HTML_ROW_THREAD][0].x.buf, "0,1000,2,-1,999000,1001,3,-1");
	vt_html_rows_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_few_stay_exact),
		cmocka_unit_test(test_many_within_budget),
		cmocka_unit_test(test_clipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
