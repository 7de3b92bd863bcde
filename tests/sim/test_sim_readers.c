/* Every shipped scenario's traces open in babeltrace2 and babeltrace (1.x)
 * without an error or warning, and each reader counts, per event name, what
 * truth.json says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simcheck.h"
#include "testutil.h"

/* "N name" lines of `reader PATH | awk '{print $4}' | sort | uniq -c` against
 * the truth's counts. */
static void compare_counts(const char *reader, const char *path, json_t *counts, const char *tally)
{
	size_t got_names = 0;
	const char *line = tally;
	while (*line) {
		unsigned long long n;
		char name[128];
		if (sscanf(line, " %llu %127s", &n, name) != 2)
			fail_msg("%s %s: unreadable tally line: %s", reader, path, line);
		size_t len = strlen(name);
		if (len && name[len - 1] == ':') /* "name:" as the readers print it */
			name[len - 1] = '\0';
		json_t *want = json_object_get(counts, name);
		if (!want || (unsigned long long)json_integer_value(want) != n)
			fail_msg("%s %s: %llu %s events, truth says %lld", reader, path, n, name,
				 want ? (long long)json_integer_value(want) : 0LL);
		got_names++;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	assert_int_equal(got_names, json_object_size(counts));
}

static void read_all(const char *reader, const char *dir, json_t *truth)
{
	size_t mi, ti;
	json_t *m, *tr;
	json_array_foreach(json_object_get(truth, "machines"), mi, m) {
		json_array_foreach(json_object_get(m, "traces"), ti, tr) {
			const char *path = json_string_value(json_object_get(tr, "path"));
			struct vt_run r;
			vt_run_shell(&r, "%s '%s/%s' | awk '{print $4}' | sort | uniq -c", reader, dir, path);
			if (r.status != 0 || r.err_len != 0)
				fail_msg("%s %s/%s: status %d: %s", reader, dir, path, r.status, r.err);
			compare_counts(reader, path, json_object_get(tr, "event_counts"), r.out);
			vt_run_free(&r);
			/* the exit status of the reader itself (the pipe above hides it) */
			vt_run_shell(&r, "%s '%s/%s' > /dev/null", reader, dir, path);
			if (r.status != 0 || r.err_len != 0)
				fail_msg("%s %s/%s: status %d: %s", reader, dir, path, r.status, r.err);
			vt_run_free(&r);
		}
	}
}

static void readers(void **state)
{
	(void)state;
	vt_require_program("babeltrace2");
	vt_require_program("babeltrace");
	for (const char *const *name = test_scenarios; *name; name++) {
		char *dir = vt_mkdtemp();
		struct vt_run r;
		vt_run_shell(&r, "'%s' '%s' -o '%s' --duration-ms 300", vt_build_path("vmtrace-sim"),
			     scenario_path(*name), dir);
		if (r.status != 0)
			fail_msg("vmtrace-sim %s: %s", *name, r.err);
		vt_run_free(&r);
		json_t *truth = load_truth(dir);
		read_all("babeltrace2", dir, truth);
		read_all("babeltrace", dir, truth);
		json_decref(truth);
		vt_rmtree(dir);
		free(dir);
	}
}

/* Small packets and a long quiet stretch: many packet switches and extended
 * headers, still read the same by both readers. */
static void small_packets(void **state)
{
	(void)state;
	vt_require_program("babeltrace2");
	vt_require_program("babeltrace");
	char *dir = vt_mkdtemp();
	char scen[4200];
	snprintf(scen, sizeof(scen), "%s/scenario.json", dir);
	FILE *f = fopen(scen, "w");
	assert_non_null(f);
	fputs("{\"packet_size_kib\": 8, \"duration_ms\": 400, \"host\": {\"cpus\": 2, \"agent\": true,"
	      " \"threads\": [{\"name\": \"rare\", \"kind\": \"periodic\", \"period_us\": 300000, \"burst_us\": 10}]},"
	      " \"guests\": [{\"name\": \"g\", \"vcpus\": 1, \"threads\": [{\"name\": \"w\", \"burst_us\": 50, \"sleep_us\": 150000}]}]}",
	      f);
	fclose(f);
	char *out = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s'", vt_build_path("vmtrace-sim"), scen, out);
	if (r.status != 0)
		fail_msg("vmtrace-sim: %s", r.err);
	vt_run_free(&r);
	json_t *truth = load_truth(out);
	read_all("babeltrace2", out, truth);
	read_all("babeltrace", out, truth);
	json_decref(truth);
	vt_rmtree(dir);
	vt_rmtree(out);
	free(dir);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readers),
		cmocka_unit_test(small_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
