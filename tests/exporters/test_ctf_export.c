/* vmtrace export --ctf: every event of every exported trace equals the
 * original event (babeltrace2's text of it) with its timestamp mapped by the
 * sync transform vmtrace sync --json reports; babeltrace2 reads the export
 * folder with no option, and its merged order agrees with the simulator's
 * true order (truth.json) within the synchronization's accuracy, where the
 * originals merged by their own clocks do not. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exptest.h"
#include "testutil.h"
#include "vmtrace/sync.h"

static char *dir, *outdir, out[4200];
static json_t *sync_doc, *truth;

struct line {
	int64_t ts, orig;
	char *rest; /* "hostname event: fields" */
	int machine;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static int setup(void **state)
{
	(void)state;
	vt_require_program("babeltrace2");
	dir = vt_mkdtemp();
	exp_simulate("two-guests-ntp", dir, "");
	outdir = vt_mkdtemp(); /* apart: babeltrace2 and sync read everything below dir */
	snprintf(out, sizeof(out), "%s/export", outdir);
	struct vt_run run;
	vt_run_shell(&run, "%s export --ctf '%s' '%s'", vt_vmtrace_cmd(), out, dir);
	if (run.status != 0 || !strstr(run.err, "wrote 6 CTF traces"))
		fail_msg("export --ctf: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	vt_run_shell(&run, "%s sync --json '%s'", vt_vmtrace_cmd(), dir);
	sync_doc = json_loads(run.out, 0, NULL);
	vt_run_free(&run);
	char path[4300];
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	truth = json_load_file(path, 0, NULL);
	return sync_doc && truth ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(sync_doc);
	json_decref(truth);
	vt_rmtree(dir);
	vt_rmtree(outdir);
	free(dir);
	free(outdir);
	return 0;
}

/* babeltrace2 --clock-seconds --no-delta PATH, line by line. */
static void read_lines(const char *path, struct lines *ls, int machine)
{
	struct vt_run run;
	vt_run_shell(&run, "babeltrace2 --clock-seconds --no-delta '%s'", path);
	if (run.status != 0)
		fail_msg("babeltrace2 %s: status %d: %.500s", path, run.status, run.err);
	for (char *p = run.out, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		long long s, ns;
		int skip = 0;
		if (sscanf(p, "[%lld.%9lld] %n", &s, &ns, &skip) < 2 || !skip)
			fail_msg("%s: unexpected line: %.200s", path, p);
		if (ls->n == ls->cap) {
			ls->cap = ls->cap ? ls->cap * 2 : 65536;
			ls->v = realloc(ls->v, ls->cap * sizeof(*ls->v));
			assert_non_null(ls->v);
		}
		ls->v[ls->n++] = (struct line){s * 1000000000 + ns, 0, strdup(p + skip), machine};
	}
	vt_run_free(&run);
}

static void free_lines(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->v[i].rest);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return strcmp(x->rest, y->rest);
}

/* machine i's clock as vmtrace sync --json reports it. */
static void clock_of(json_t *doc, size_t i, struct vt_clock_sync *c)
{
	json_t *j = json_array_get(json_object_get(doc, "clocks"), i);
	json_t *anchor = json_object_get(j, "anchor"), *knots = json_object_get(j, "knots"), *k;
	memset(c, 0, sizeof(*c));
	c->to_ref.slope = json_number_value(json_object_get(j, "slope"));
	c->to_ref.x0 = json_integer_value(json_object_get(anchor, "x0_ns"));
	c->to_ref.y0 = json_integer_value(json_object_get(anchor, "y0_ns"));
	c->nknots = json_array_size(knots);
	c->knots = c->nknots ? calloc(c->nknots, sizeof(*c->knots)) : NULL;
	size_t n;
	json_array_foreach(knots, n, k)
	{
		c->knots[n][0] = json_integer_value(json_array_get(k, 0));
		c->knots[n][1] = json_integer_value(json_array_get(k, 1));
	}
}

/* A time of machine `hostname`'s clock → true host time (truth.json). */
static int64_t true_time(const char *hostname, int64_t t)
{
	json_t *ms = json_object_get(truth, "machines"), *m;
	size_t i;
	json_array_foreach(ms, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "hostname")), hostname))
			continue;
		json_t *k = json_object_get(m, "clock_knots");
		size_t n = json_array_size(k);
		if (n < 2)
			return t; /* the host: its clock is true time */
		size_t j = 0;
		while (j + 2 < n && json_integer_value(json_array_get(json_array_get(k, j + 1), 1)) < t)
			j++;
		double h0 = (double)json_integer_value(json_array_get(json_array_get(k, j), 0));
		double g0 = (double)json_integer_value(json_array_get(json_array_get(k, j), 1));
		double h1 = (double)json_integer_value(json_array_get(json_array_get(k, j + 1), 0));
		double g1 = (double)json_integer_value(json_array_get(json_array_get(k, j + 1), 1));
		int64_t base = json_integer_value(json_array_get(json_array_get(k, j), 0));
		return base + (int64_t)((double)(t - (int64_t)g0) * (h1 - h0) / (g1 - g0));
	}
	fail_msg("%s: not in truth.json", hostname);
	return 0;
}

static struct lines all; /* every exported event, with its original time */

/* The export of one trace holds its events, each at its original time mapped
 * by clock c; with keep, they go to `all` for the order test. */
static void compare_trace(const char *path, const char *exported, const struct vt_clock_sync *c, int machine,
			  int keep)
{
	struct lines o = {0}, e = {0};
	read_lines(path, &o, machine);
	read_lines(exported, &e, machine);
	if (o.n != e.n || o.n == 0)
		fail_msg("%s: %zu events, its export %zu", path, o.n, e.n);
	for (size_t k = 0; k < o.n; k++) {
		o.v[k].orig = o.v[k].ts;
		o.v[k].ts = vt_clock_to_ref(c, o.v[k].ts);
	}
	qsort(o.v, o.n, sizeof(*o.v), cmp_line);
	qsort(e.v, e.n, sizeof(*e.v), cmp_line);
	for (size_t k = 0; k < o.n; k++)
		if (o.v[k].ts != e.v[k].ts || strcmp(o.v[k].rest, e.v[k].rest))
			fail_msg("%s event %zu: expected [%lld] %.150s\ngot [%lld] %.150s", path, k, (long long)o.v[k].ts,
				 o.v[k].rest, (long long)e.v[k].ts, e.v[k].rest);
	for (size_t k = 0; keep && k < o.n; k++) {
		if (all.n == all.cap) {
			all.cap = all.cap ? all.cap * 2 : 65536;
			all.v = realloc(all.v, all.cap * sizeof(*all.v));
			assert_non_null(all.v);
		}
		all.v[all.n++] = o.v[k];
		o.v[k].rest = NULL;
	}
	free_lines(&o);
	free_lines(&e);
}

static void test_events_equal_transformed(void **state)
{
	(void)state;
	json_t *machines = json_object_get(sync_doc, "machines"), *m, *t;
	size_t i, j, traces = 0;
	size_t prefix = strlen(dir) + 1;
	json_array_foreach(machines, i, m)
	{
		struct vt_clock_sync c;
		clock_of(sync_doc, i, &c);
		json_array_foreach(json_object_get(m, "traces"), j, t)
		{
			const char *path = json_string_value(t);
			assert_true(strlen(path) > prefix && !strncmp(path, dir, prefix - 1));
			char exported[8600];
			snprintf(exported, sizeof(exported), "%s/%s", out, path + prefix);
			compare_trace(path, exported, &c, (int)i, 1);
			traces++;
		}
		free(c.knots);
	}
	assert_int_equal(traces, 6);
	qsort(all.v, all.n, sizeof(*all.v), cmp_line);
}

/* A 10 s run, where NTP wander makes sync give knots: the events of a guest
 * trace are mapped through them (piecewise), not through one line. */
static void test_piecewise_clock(void **state)
{
	(void)state;
	char *d = vt_mkdtemp(), *o = vt_mkdtemp(), exp[4300], path[4400], exported[4400];
	exp_simulate("two-guests-ntp", d, "-d 10000");
	snprintf(exp, sizeof(exp), "%s/export", o);
	struct vt_run run;
	vt_run_shell(&run, "%s export --ctf '%s' '%s'", vt_vmtrace_cmd(), exp, d);
	if (run.status != 0)
		fail_msg("export --ctf: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	vt_run_shell(&run, "%s sync --json '%s'", vt_vmtrace_cmd(), d);
	json_t *doc = json_loads(run.out, 0, NULL);
	vt_run_free(&run);
	assert_non_null(doc);
	json_t *ms = json_object_get(doc, "machines"), *m;
	size_t i;
	int found = 0;
	json_array_foreach(ms, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "hostname")), "guest1"))
			continue;
		struct vt_clock_sync c;
		clock_of(doc, i, &c);
		if (c.nknots < 2)
			fail_msg("guest1's clock has %zu knots: the case is not piecewise", c.nknots);
		snprintf(path, sizeof(path), "%s/guest1/kernel", d);
		snprintf(exported, sizeof(exported), "%s/guest1/kernel", exp);
		compare_trace(path, exported, &c, (int)i, 0);
		printf("guest1/kernel of a 10 s run: every event mapped through %zu knots\n", c.nknots);
		free(c.knots);
		found = 1;
	}
	assert_true(found);
	json_decref(doc);
	vt_rmtree(d);
	vt_rmtree(o);
	free(d);
	free(o);
}

/* Largest backward step of true time along a merged order (running max). */
static int64_t worst_step(struct lines *merged, int exported, size_t *checked)
{
	int64_t worst = 0, max = INT64_MIN;
	*checked = 0;
	for (size_t k = 0; k < merged->n; k++) {
		struct line *l = &merged->v[k];
		int64_t orig = l->ts;
		if (exported) {
			struct line *hit = bsearch(l, all.v, all.n, sizeof(*all.v), cmp_line);
			if (!hit)
				fail_msg("merged export line not among the traces' exports: %.200s", l->rest);
			orig = hit->orig;
		}
		char host[64];
		sscanf(l->rest, "%63s", host);
		int64_t tt = true_time(host, orig);
		if (max != INT64_MIN && max - tt > worst)
			worst = max - tt;
		if (tt > max)
			max = tt;
		(*checked)++;
	}
	return worst;
}

static void test_merged_order_is_true_order(void **state)
{
	(void)state;
	assert_true(all.n > 10000);
	/* the synchronization's accuracy: the bound the order can be trusted to */
	int64_t acc = 0;
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(sync_doc, "clocks"), i, c)
	{
		int64_t a = json_integer_value(json_object_get(c, "accuracy_ns"));
		if (a > acc)
			acc = a;
	}
	assert_true(acc > 0 && acc < 1000000);
	struct lines merged = {0}, orig = {0};
	read_lines(out, &merged, -1); /* no option: the clocks are correlatable */
	assert_int_equal(merged.n, all.n);
	size_t n;
	int64_t worst = worst_step(&merged, 1, &n);
	printf("export merged by babeltrace2: %zu events, true time steps back at most %lld ns (accuracy %lld ns)\n", n,
	       (long long)worst, (long long)acc);
	if (worst > 2 * acc)
		fail_msg("merged export out of true order by %lld ns (> 2 x accuracy %lld ns)", (long long)worst,
			 (long long)acc);
	/* the originals, merged by their own clocks, are not in true order: the
	 * export is what makes it right */
	read_lines(dir, &orig, -1);
	int64_t worst_orig = worst_step(&orig, 0, &n);
	printf("originals merged by babeltrace2: true time steps back at most %lld ns\n", (long long)worst_orig);
	assert_true(worst_orig > 2 * acc);
	free_lines(&merged);
	free_lines(&orig);
	free_lines(&all);
}

/* vmtrace reads its own export, and finds its clocks already one: every
 * machine's transform is the identity within the synchronization's accuracy. */
static void test_resync_is_identity(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s sync --json '%s'", vt_vmtrace_cmd(), out);
	json_t *doc = json_loads(run.out, 0, NULL);
	if (run.status != 0 || !doc)
		fail_msg("sync of the export: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	json_t *clocks = json_object_get(doc, "clocks"), *c;
	size_t i;
	assert_int_equal(json_array_size(clocks), 3);
	json_array_foreach(clocks, i, c)
	{
		struct vt_clock_sync cs;
		clock_of(doc, i, &cs);
		int64_t acc = json_integer_value(json_object_get(c, "accuracy_ns"));
		int64_t t = cs.to_ref.x0; /* a time of the trace itself */
		int64_t d = vt_clock_to_ref(&cs, t) - t, d2 = vt_clock_to_ref(&cs, t + 1000000000) - (t + 1000000000);
		if (d < -acc - 1000 || d > acc + 1000 || d2 < -acc - 1000 || d2 > acc + 1000)
			fail_msg("clock %zu of the export is not the host's: off by %lld / %lld ns (accuracy %lld)", i,
				 (long long)d, (long long)d2, (long long)acc);
		free(cs.knots);
	}
	json_decref(doc);
}

static void test_refuses_non_empty(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s export --ctf '%s' '%s'", vt_vmtrace_cmd(), out, dir);
	if (run.status != 1 || !strstr(run.err, "not empty") || vt_count_lines(run.err) != 1)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
	/* only trace.dat inputs: nothing to rewrite, nothing written */
	char fresh[4300];
	snprintf(fresh, sizeof(fresh), "%s/from-dat", outdir);
	vt_run_shell(&run, "%s export --ctf '%s' '%s'", vt_vmtrace_cmd(), fresh, vt_source_path("tests/data/host-tcg.dat"));
	if (run.status != 1 || !strstr(run.err, "no CTF trace") || vt_count_lines(run.err) != 1)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
	vt_run_shell(&run, "ls -d '%s' 2>/dev/null | wc -l", fresh);
	assert_int_equal(atoi(run.out), 0);
	vt_run_free(&run);
	/* nothing left beside it */
	vt_run_shell(&run, "ls -d '%s'.tmp-* 2>/dev/null | wc -l", out);
	assert_int_equal(atoi(run.out), 0);
	vt_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_equal_transformed),
		cmocka_unit_test(test_merged_order_is_true_order),
		cmocka_unit_test(test_resync_is_identity),
		cmocka_unit_test(test_refuses_non_empty),
		cmocka_unit_test(test_piecewise_clock),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
