/* The table of sync methods and the policy: every method listed once under
 * its name, every fallback chain ending; auto's choice among hand-made
 * candidates; and on the simulator's ping scenario, auto keeping the pings
 * while each method asked for explicitly is honoured (or falls back as the
 * table says, and the why says so). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/policy.h"
#include "testutil.h"

static char *tmp;

static void test_table(void **state)
{
	(void)state;
	const enum vt_sync_method all[] = {VT_SYNC_TRUSTED, VT_SYNC_HULL, VT_SYNC_CONTAINMENT, VT_SYNC_TSC,
					   VT_SYNC_PING};
	assert_int_equal(vt_sync_nmethods, sizeof(all) / sizeof(all[0]));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct vt_sync_method_ops *ops = vt_sync_method_find(all[i]);
		assert_non_null(ops);
		assert_non_null(ops->solve);
		enum vt_sync_method parsed = VT_SYNC_AUTO;
		assert_int_equal(vt_sync_method_parse(ops->name, &parsed), 0);
		assert_int_equal(parsed, all[i]);
		assert_string_equal(vt_sync_method_name(all[i]), ops->name);
		/* Each chain of fallbacks ends: at auto, or at trusted (which always applies). */
		size_t hops = 0;
		while (ops && ops->id != VT_SYNC_TRUSTED && ops->fallback != VT_SYNC_AUTO && hops <= vt_sync_nmethods) {
			ops = vt_sync_method_find(ops->fallback);
			hops++;
		}
		assert_non_null(ops);
		assert_true(hops < vt_sync_nmethods);
	}
	enum vt_sync_method m;
	assert_int_equal(vt_sync_method_parse("auto", &m), 0);
	assert_int_equal(m, VT_SYNC_AUTO);
	assert_int_equal(vt_sync_method_parse("ntp", &m), -1);
	assert_null(vt_sync_method_find(VT_SYNC_AUTO));
}

/* One candidate per method, in table order; solved ones as given. */
struct given {
	enum vt_sync_method method;
	enum vt_sync_quality quality;
	int64_t accuracy_ns;
};

static int pick(const struct given *g, size_t n)
{
	struct vt_sync_candidate cands[VT_SYNC_MAX_METHODS];
	memset(cands, 0, sizeof(cands));
	for (size_t i = 0; i < n; i++) {
		size_t t = 0;
		while (t < vt_sync_nmethods && vt_sync_methods[t]->id != g[i].method)
			t++;
		assert_true(t < vt_sync_nmethods);
		cands[t].solved = 1;
		cands[t].clock.method = g[i].method;
		cands[t].clock.quality = g[i].quality;
		cands[t].clock.accuracy_ns = g[i].accuracy_ns;
	}
	int best = vt_sync_pick(cands, vt_sync_nmethods);
	return best < 0 ? VT_SYNC_AUTO : (int)cands[best].clock.method;
}

static void test_auto_pick(void **state)
{
	(void)state;
	/* exact beats everything that places */
	struct given a[] = {{VT_SYNC_TSC, VT_SYNC_ACCURATE, 0},
			    {VT_SYNC_PING, VT_SYNC_ACCURATE, 300},
			    {VT_SYNC_HULL, VT_SYNC_ACCURATE, 50},
			    {VT_SYNC_TRUSTED, VT_SYNC_ACCURATE, -1}};
	assert_int_equal(pick(a, 4), VT_SYNC_TSC);
	/* pings over the hull that contains them, though it claims tighter */
	assert_int_equal(pick(a + 1, 3), VT_SYNC_PING);
	struct given b[] = {{VT_SYNC_PING, VT_SYNC_APPROXIMATE, 900}, {VT_SYNC_HULL, VT_SYNC_ACCURATE, 50}};
	assert_int_equal(pick(b, 2), VT_SYNC_PING);
	/* a hull that does not place: the clocks as they are */
	struct given c[] = {{VT_SYNC_HULL, VT_SYNC_INCOMPLETE, -1}, {VT_SYNC_TRUSTED, VT_SYNC_INCOMPLETE, -1}};
	assert_int_equal(pick(c, 2), VT_SYNC_TRUSTED);
	/* containment that places, or only bounds, over the clocks as they are */
	struct given d[] = {{VT_SYNC_HULL, VT_SYNC_FAIL, -1},
			    {VT_SYNC_CONTAINMENT, VT_SYNC_FAIL, 5000},
			    {VT_SYNC_TRUSTED, VT_SYNC_FAIL, -1}};
	assert_int_equal(pick(d, 3), VT_SYNC_CONTAINMENT);
	d[1].quality = VT_SYNC_APPROXIMATE;
	assert_int_equal(pick(d, 3), VT_SYNC_CONTAINMENT);
	/* the hull that places over containment */
	struct given e[] = {{VT_SYNC_HULL, VT_SYNC_APPROXIMATE, 90000}, {VT_SYNC_CONTAINMENT, VT_SYNC_ACCURATE, 300}};
	assert_int_equal(pick(e, 2), VT_SYNC_HULL);
	assert_int_equal(pick(NULL, 0), VT_SYNC_AUTO); /* nothing solved */
}

static json_t *sync_json(const char *dir, const char *method)
{
	struct vt_run run;
	vt_run_shell(&run, "%s sync --json --method %s '%s'", vt_vmtrace_cmd(), method, dir);
	if (run.status != 0)
		fail_msg("sync --method %s: status %d: %s", method, run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	vt_run_free(&run);
	return doc;
}

/* Every guest's clock in doc: its method, quality, messages and why as asked. */
static void check_guests(json_t *doc, const char *asked, const char *method, const char *why_starts, size_t min_matches,
			 size_t max_matches)
{
	json_t *c;
	size_t i, guests = 0;
	json_array_foreach(json_object_get(doc, "clocks"), i, c) {
		if ((json_int_t)i == json_integer_value(json_object_get(doc, "root")))
			continue;
		const char *why = json_string_value(json_object_get(c, "why"));
		json_t *matches = json_object_get(c, "matches");
		size_t n = (size_t)json_integer_value(json_object_get(matches, "to_reference"));
		printf("asked %s: %s %s, %zu to the host: %s\n", asked, json_string_value(json_object_get(c, "method")),
		       json_string_value(json_object_get(c, "quality")), n, why);
		assert_string_equal(json_string_value(json_object_get(c, "method")), method);
		assert_string_equal(json_string_value(json_object_get(c, "quality")), "ACCURATE");
		assert_true(n >= min_matches && n <= max_matches);
		assert_true(!strncmp(why, why_starts, strlen(why_starts)));
		guests++;
	}
	assert_int_equal(guests, 2);
}

static void test_asked_and_auto(void **state)
{
	(void)state;
	char dir[4300];
	snprintf(dir, sizeof(dir), "%s/ping.out", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s'", vt_build_path("vmtrace-sim"), vt_source_path("scenarios/ping.json"),
		     dir);
	if (run.status != 0)
		fail_msg("vmtrace-sim: %s", run.err);
	vt_run_free(&run);
	/* ~100 pings each way in 2 s; several hundred TCP segments besides */
	static const struct {
		const char *asked, *method, *why;
		size_t min, max;
	} cases[] = {
		{"auto", "ping", "convex hull over", 90, 120},
		{"ping", "ping", "convex hull over", 90, 120},
		{"hull", "hull", "convex hull over", 300, 100000},
		{"trusted", "trusted", "trusted clocks, as asked", 300, 100000},
		{"containment", "containment", "containment: ", 300, 100000},
		{"tsc", "ping", "tsc impossible (the traces do not use TSC clocks); convex hull", 90, 120},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = sync_json(dir, cases[i].asked);
		check_guests(doc, cases[i].asked, cases[i].method, cases[i].why, cases[i].min, cases[i].max);
		json_decref(doc);
	}
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_auto_pick),
		cmocka_unit_test(test_asked_and_auto),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
