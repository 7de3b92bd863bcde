/* vmtrace export --perfetto: a valid Trace Event Format document (every event
 * has ph/ts/pid/tid; complete events a non-negative dur; flow begin and end
 * pair up by id, each on a slice; ts and dur in µs with 3 decimals, so every
 * ns is kept), and per vCPU the time in each state equals analyze --json's
 * totals_ns. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exptest.h"
#include "testutil.h"

static char *dir, *text;
static json_t *trace, *analysis;

static int setup(void **state)
{
	(void)state;
	dir = vt_mkdtemp();
	exp_simulate("two-guests-ntp", dir, "");
	char out[4200];
	snprintf(out, sizeof(out), "%s/trace.json", dir);
	struct vt_run run;
	vt_run_shell(&run, "%s export --perfetto '%s' '%s'", vt_vmtrace_cmd(), out, dir);
	if (run.status != 0)
		fail_msg("export --perfetto: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	vt_run_shell(&run, "%s analyze --json '%s'", vt_vmtrace_cmd(), dir);
	if (run.status != 0)
		fail_msg("analyze --json: status %d: %s", run.status, run.err);
	analysis = json_loads(run.out, 0, NULL);
	vt_run_free(&run);
	text = exp_slurp(out, NULL);
	json_error_t jerr;
	trace = text ? json_loads(text, 0, &jerr) : NULL;
	if (text && !trace)
		fail_msg("not JSON: line %d: %s", jerr.line, jerr.text);
	return trace && analysis ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(trace);
	json_decref(analysis);
	free(text);
	vt_rmtree(dir);
	free(dir);
	return 0;
}

/* strstr without the sanitizers' strlen of the whole rest at each call (32 MB here). */
static const char *find(const char *p, const char *what)
{
	size_t n = strlen(what);
	for (; *p; p++)
		if (*p == *what && !strncmp(p, what, n))
			return p;
	return NULL;
}

/* Every "ts" and "dur" is written as digits '.' 3 digits (µs, ns kept). */
static void test_three_decimals(void **state)
{
	(void)state;
	const char *keys[] = {"\"ts\":", "\"dur\":"};
	for (int k = 0; k < 2; k++) {
		size_t n = 0;
		for (const char *p = text; (p = find(p, keys[k])); n++) {
			p += strlen(keys[k]);
			const char *q = p;
			if (*q == '-')
				q++;
			while (*q >= '0' && *q <= '9')
				q++;
			if (q == p || *q != '.' || strspn(q + 1, "0123456789") != 3 || (q[4] != ',' && q[4] != '}'))
				fail_msg("%s not in µs with 3 decimals: %.40s", keys[k], p);
		}
		assert_true(n > 1000);
	}
}

static long long ns_of(json_t *v)
{
	return llround(json_number_value(v) * 1000.0);
}

static void test_trace_event_rules(void **state)
{
	(void)state;
	json_t *events = json_object_get(trace, "traceEvents"), *e;
	assert_true(json_is_array(events) && json_array_size(events) > 1000);
	size_t i, nflow_s = 0, nflow_f = 0, nx = 0;
	/* flow ids: 1..n, each seen once as "s" and once as "f" */
	size_t cap = json_array_size(events);
	unsigned char *seen = calloc(cap + 1, 1);
	json_array_foreach(events, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		if (!ph || !json_is_number(json_object_get(e, "ts")) || !json_is_integer(json_object_get(e, "pid")) ||
		    !json_is_integer(json_object_get(e, "tid")))
			fail_msg("event %zu lacks ph, ts, pid or tid", i);
		if (!json_is_string(json_object_get(e, "name")))
			fail_msg("event %zu has no name", i);
		if (!strcmp(ph, "X")) {
			json_t *dur = json_object_get(e, "dur");
			if (!json_is_number(dur) || json_number_value(dur) < 0)
				fail_msg("complete event %zu: dur missing or negative", i);
			nx++;
		} else if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
			json_int_t id = json_integer_value(json_object_get(e, "id"));
			if (id <= 0 || (size_t)id > cap)
				fail_msg("flow event %zu: bad id", i);
			unsigned char bit = ph[0] == 's' ? 1 : 2;
			if (seen[id] & bit)
				fail_msg("flow %lld: two '%s' events", (long long)id, ph);
			seen[id] |= bit;
			if (ph[0] == 'f') {
				assert_string_equal(json_string_value(json_object_get(e, "bp")), "e");
				nflow_f++;
			} else {
				nflow_s++;
			}
		} else if (strcmp(ph, "M")) {
			fail_msg("event %zu: unexpected ph %s", i, ph);
		}
	}
	assert_true(nx > 1000);
	assert_true(nflow_s > 100);
	assert_int_equal(nflow_s, nflow_f);
	for (size_t id = 1; id <= nflow_s; id++)
		if (seen[id] != 3)
			fail_msg("flow %zu: begin and end do not pair", id);
	free(seen);
	/* each flow end sits on a slice of its track at its time */
	json_array_foreach(events, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		if (strcmp(ph, "s") && strcmp(ph, "f"))
			continue;
		json_t *slice = json_array_get(events, i - 1);
		if (strcmp(json_string_value(json_object_get(slice, "ph")), "X") ||
		    json_integer_value(json_object_get(slice, "pid")) != json_integer_value(json_object_get(e, "pid")) ||
		    json_integer_value(json_object_get(slice, "tid")) != json_integer_value(json_object_get(e, "tid")) ||
		    ns_of(json_object_get(slice, "ts")) != ns_of(json_object_get(e, "ts")))
			fail_msg("flow event %zu is not on a slice of its track", i);
	}
}

/* The vCPU tracks' time per state equals analyze --json's totals_ns. */
static void test_vcpu_totals(void **state)
{
	(void)state;
	json_t *events = json_object_get(trace, "traceEvents"), *e, *v;
	json_t *vcpus = json_object_get(analysis, "vcpus");
	size_t i, j;
	assert_int_equal(json_array_size(vcpus), 4);
	json_array_foreach(vcpus, j, v)
	{
		long long qemu = json_integer_value(json_object_get(v, "qemu_pid"));
		long long n = json_integer_value(json_object_get(v, "vcpu"));
		char want[96];
		snprintf(want, sizeof(want), "vCPU %lld (QEMU %lld,", n, qemu);
		json_int_t pid = -1, tid = -1;
		json_array_foreach(events, i, e)
		{
			const char *name = json_string_value(json_object_get(json_object_get(e, "args"), "name"));
			if (!strcmp(json_string_value(json_object_get(e, "ph")), "M") && name && !strncmp(name, want, strlen(want))) {
				pid = json_integer_value(json_object_get(e, "pid"));
				tid = json_integer_value(json_object_get(e, "tid"));
			}
		}
		if (pid < 0)
			fail_msg("no track named %s...", want);
		json_t *tot = json_object_get(v, "totals_ns"), *x;
		const char *key;
		json_object_foreach(tot, key, x)
		{
			long long sum = 0;
			json_array_foreach(events, i, e)
			{
				if (json_integer_value(json_object_get(e, "pid")) != pid ||
				    json_integer_value(json_object_get(e, "tid")) != tid ||
				    strcmp(json_string_value(json_object_get(e, "ph")), "X") ||
				    strcmp(json_string_value(json_object_get(e, "name")), key))
					continue;
				sum += ns_of(json_object_get(e, "dur"));
			}
			if (sum != json_integer_value(x))
				fail_msg("%s %s: %lld ns in the trace, %lld in analyze --json", want, key, sum,
					 (long long)json_integer_value(x));
		}
	}
}

static void test_usage(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s export --help", vt_vmtrace_cmd());
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "--perfetto FILE"));
	assert_non_null(strstr(run.out, "--ctf OUTDIR"));
	vt_run_free(&run);
	vt_run_shell(&run, "%s export '%s'", vt_vmtrace_cmd(), dir);
	assert_int_equal(run.status, 2);
	assert_non_null(strstr(run.err, "nothing to export"));
	vt_run_free(&run);
	/* an unwritable destination: one line naming it, nothing left behind */
	vt_run_shell(&run, "%s export --perfetto '%s/nope/t.json' '%s'", vt_vmtrace_cmd(), dir, dir);
	if (run.status != 1 || !strstr(run.err, "nope/t.json") || vt_count_lines(run.err) != 1)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_decimals),
		cmocka_unit_test(test_trace_event_rules),
		cmocka_unit_test(test_vcpu_totals),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
