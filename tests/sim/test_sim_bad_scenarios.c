/* Bad scenario files: one line naming the file, the key and the problem; exit != 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct bad {
	const char *text;
	const char *key;  /* must appear in the message */
	const char *word; /* and this, saying what is wrong */
};

static const struct bad cases[] = {
	{"{\"host\": {\"cpus\": 2}", "line", "end of file"},
	{"{\"host\": {\"cpus\": 2}, \"colour\": 1}", "colour", "unknown key"},
	{"{\"host\": {\"cpus\": 0}}", "host.cpus", "out of range"},
	{"{\"host\": {\"cpus\": 2}, \"duration_ms\": -5}", "duration_ms", "out of range"},
	{"{\"host\": {\"cpus\": \"four\"}}", "host.cpus", "number"},
	{"{\"duration_ms\": 10}", "host", "missing"},
	{"{\"host\": {}, \"guests\": [{\"vcpus\": 0}]}", "guests[0].vcpus", "out of range"},
	{"{\"host\": {}, \"guests\": [{\"clock\": {\"mode\": \"gps\"}}]}", "guests[0].clock.mode", "gps"},
	{"{\"host\": {}, \"guests\": [{\"threads\": [{\"name\": \"a\", \"vcpu\": 3}]}]}", "guests[0].threads[0].vcpu", "out of range"},
	{"{\"host\": {}, \"network\": [{\"from\": \"host\", \"to\": \"nobody\"}]}", "network[0].to", "nobody"},
	{"{\"host\": {}, \"guests\": [{\"name\": \"g\"}], \"network\": [{\"from\": \"host\", \"to\": \"g\", \"from_ms\": 50, \"until_ms\": 20}]}",
	 "network[0].until_ms", "after"},
	{"{\"host\": {\"threads\": [{\"kind\": \"lazy\"}]}}", "host.threads[0].kind", "lazy"},
	{"{\"host\": {}, \"guests\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "guests[1].name", "twice"},
	{"{\"host\": {\"uuid\": \"not-a-uuid\"}}", "host.uuid", "uuid"},
	{"[1, 2]", "(top)", "object"},
	{"{\"host\": {}, \"guests\": [{\"start_ms\": 50, \"stop_ms\": 20}]}", "guests[0].stop_ms", "later than start_ms"},
};

static void bad_files(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/bad%zu.json", dir, i);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		struct vt_run r;
		vt_run_shell(&r, "'%s' '%s' -o '%s/out'", vt_build_path("vmtrace-sim"), path, dir);
		if (r.status == 0 || vt_count_lines(r.err) != 1 || !strstr(r.err, path) ||
		    !strstr(r.err, cases[i].key) || !strstr(r.err, cases[i].word))
			fail_msg("case %zu (%s): status %d, stderr: %s", i, cases[i].text, r.status, r.err);
		vt_run_free(&r);
	}
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s/absent.json' -o '%s/out'", vt_build_path("vmtrace-sim"), dir, dir);
	assert_int_not_equal(r.status, 0);
	assert_int_equal(vt_count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "absent.json"));
	vt_run_free(&r);
	vt_run_shell(&r, "'%s' --help", vt_build_path("vmtrace-sim"));
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Usage: vmtrace-sim"));
	vt_run_free(&r);
	vt_run_shell(&r, "'%s' '%s/absent.json'", vt_build_path("vmtrace-sim"), dir);
	assert_int_equal(r.status, 2);
	vt_run_free(&r);
	vt_rmtree(dir);
	free(dir);
}

/* The output folder: a stranger's files are refused; an earlier run's traces
 * are replaced, none left behind. */
static void output_folder(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "touch '%s/precious' && '%s' '%s' -o '%s' --duration-ms 50", dir,
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios/vmsync.json"), dir);
	assert_int_equal(r.status, 1);
	assert_int_equal(vt_count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "not empty"));
	vt_run_free(&r);
	vt_run_shell(&r, "rm '%s/precious' && '%s' '%s' -o '%s' --duration-ms 50 && '%s' '%s' -o '%s' --duration-ms 50 && ls '%s'",
		     dir, vt_build_path("vmtrace-sim"), vt_source_path("scenarios/two-guests-ntp.json"), dir,
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios/vmsync.json"), dir, dir);
	if (r.status != 0)
		fail_msg("%s", r.err);
	assert_string_equal(r.out, "host\ntruth.json\nvm1\n");
	vt_run_free(&r);
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(bad_files), cmocka_unit_test(output_folder)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
