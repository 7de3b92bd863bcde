/* The simulator's promises, checked on its own event stream (true time) and
 * its truth.json, for every shipped scenario but the large one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simcheck.h"
#include "testutil.h"

/* The smallest latency the scenario's flows allow (30 us when unset). */
static uint64_t min_latency_ns(const char *name)
{
	json_t *sc = json_load_file(scenario_path(name), 0, NULL);
	assert_non_null(sc);
	uint64_t min = UINT64_MAX;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(sc, "network"), i, f) {
		json_t *l = json_object_get(f, "latency_us");
		uint64_t ns = l ? (uint64_t)(json_number_value(l) * 1000) : 30000;
		if (ns < min)
			min = ns;
	}
	json_decref(sc);
	return min == UINT64_MAX ? 0 : min;
}

static void invariants(void **state)
{
	(void)state;
	for (const char *const *name = test_scenarios; *name; name++) {
		char *dir = vt_mkdtemp();
		struct simlog log = {0};
		run_scenario(*name, dir, 400, 0, &log);
		json_t *truth = load_truth(dir);
		printf("%s: %zu events\n", *name, log.n);
		assert_true(log.n > 1000);
		check_counts(&log, truth);
		check_guest_mode_containment(&log, truth);
		check_messages(&log, min_latency_ns(*name));
		check_totals(truth);
		check_one_pcpu(&log);
		size_t pairs = check_vmsync(&log, truth);
		if (!strcmp(*name, "vmsync"))
			assert_true(pairs > 50); /* every 5 ms for 400 ms, vCPU 0 permitting */
		json_decref(truth);
		simlog_free(&log);
		vt_rmtree(dir);
		free(dir);
	}
}

/* The truth's clock transform maps guest timestamps back to true time within
 * the stated wander. */
static void clock_transform(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	struct simlog log = {0};
	run_scenario("two-guests-ntp", dir, 300, 0, &log);
	json_t *truth = load_truth(dir);
	json_t *machines = json_object_get(truth, "machines");
	size_t checked = 0;
	for (size_t i = 0; i < log.n; i++) {
		const struct simrec *r = &log.r[i];
		json_t *th = json_object_get(json_array_get(machines, r->trace), "to_host");
		double slope = json_number_value(json_object_get(th, "slope"));
		int64_t g0 = json_integer_value(json_object_get(th, "guest_ref_ns"));
		int64_t h0 = json_integer_value(json_object_get(th, "host_ref_ns"));
		double wander = json_number_value(json_object_get(th, "max_wander_ns"));
		double host = (double)h0 + slope * (double)((int64_t)r->ts - g0);
		double err = host - (double)r->t;
		if (err < -wander - 2 || err > wander + 2)
			fail_msg("machine %u: transform misses by %.0f ns (wander %.0f)", r->trace, err, wander);
		/* the knots give the exact clock */
		json_t *knots = json_object_get(json_array_get(machines, r->trace), "clock_knots");
		if (knots) {
			size_t k = 1;
			while (k + 1 < json_array_size(knots) &&
			       (uint64_t)json_integer_value(json_array_get(json_array_get(knots, k), 1)) < r->ts)
				k++;
			json_t *a = json_array_get(knots, k - 1), *b = json_array_get(knots, k);
			/* differences first: epoch ns do not fit a double's mantissa */
			int64_t ha = json_integer_value(json_array_get(a, 0)), ga = json_integer_value(json_array_get(a, 1));
			int64_t hb = json_integer_value(json_array_get(b, 0)), gb = json_integer_value(json_array_get(b, 1));
			double miss = (double)(ha - (int64_t)r->t) +
				      (double)(hb - ha) * (double)((int64_t)r->ts - ga) / (double)(gb - ga);
			if (miss < -3 || miss > 3)
				fail_msg("machine %u: knots miss by %.1f ns", r->trace, miss);
		}
		checked++;
	}
	assert_true(checked > 0);
	json_decref(truth);
	simlog_free(&log);
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(invariants),
		cmocka_unit_test(clock_transform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
