/* Containment's radix sort of edges against qsort with the comparator it
 * replaced: the same sequence, on random edges close together (the packed
 * keys), far apart (the byte passes) and few (the insertion sort). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/edges.h"
#include "testutil.h"

static int edge_cmp(const void *a, const void *b)
{
	const struct vt_edge *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return y->delta - x->delta;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* n edges at times around `mid`, spread over `range` (0: any int64). */
static void check(size_t n, int64_t mid, uint64_t range)
{
	struct vt_edge *e = malloc(n * sizeof(*e)), *want = malloc(n * sizeof(*want));
	assert_non_null(e);
	assert_non_null(want);
	for (size_t i = 0; i < n; i++) {
		int64_t off = range ? (int64_t)(next() % range) - (int64_t)(range / 2) : (int64_t)next();
		if (i % 5 == 1) /* ties: an open and a close at one time */
			off = e[i - 1].at - mid;
		e[i] = (struct vt_edge){mid + off, next() & 1 ? +1 : -1};
	}
	memcpy(want, e, n * sizeof(*e));
	qsort(want, n, sizeof(*want), edge_cmp);
	assert_int_equal(vt_edges_sort(e, n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(e[i].at == want[i].at);
		assert_int_equal(e[i].delta, want[i].delta);
	}
	free(e);
	free(want);
}

static void test_close(void **state)
{
	(void)state;
	check(100000, 0, 20000000);
	check(100000, -5000000, 2000);
	check(70000, INT64_C(1795648751000000000), UINT64_C(1) << 40);
}

static void test_far(void **state)
{
	(void)state;
	check(50000, 0, 0);
}

static void test_few(void **state)
{
	(void)state;
	check(0, 0, 1000);
	check(1, 0, 1000);
	check(63, 0, 1000);
	check(64, 0, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_far),
		cmocka_unit_test(test_few),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
