/* The agent's tests and benchmark as the nested testbed ran them on its emulated host's real KVM
 * (tools/testbed/init-l1-agent, docs/testbed.md): each test ran with real KVM guests and kernel
 * uevents, and passed all its cases; the benchmark's figures are all there and make sense.
 * Reads $VT_TESTBED_OUT/agent-tests, else out/testbed/agent-tests in the source tree; skips when
 * there is none or the emulated host could not run them. */
#include "testbed_manifest.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;

/* The whole of dir/NAME, or NULL. */
static char *slurp(const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return vt_read_file(path, NULL);
}

/* NAME's exit status and seconds from summary.tsv; -1 when it is not there. */
static int summary_status(const char *name, int *seconds)
{
	char *s = slurp("summary.tsv");
	assert_non_null(s);
	int status = -1;
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		char n[64];
		int st, secs;
		if (sscanf(line, "%63[^\t]\t%d\t%d", n, &st, &secs) == 3 && !strcmp(n, name)) {
			status = st;
			*seconds = secs;
		}
	}
	free(s);
	return status;
}

static void check_test(const char *name, int min_cases)
{
	int secs = 0;
	int status = summary_status(name, &secs);
	char log[128];
	snprintf(log, sizeof(log), "%s.log", name);
	char *out = slurp(log);
	assert_non_null(out);
	printf("%s: exit status %d after %d s\n", name, status, secs);
	if (status != 0)
		printf("--- %s ---\n%s\n---\n", log, out);
	assert_int_equal(status, 0);
	/* Real KVM, not the TCG fallback with injected uevents; nothing skipped. */
	assert_non_null(strstr(out, "NOTE: /dev/kvm works: real KVM guests, real kernel uevents"));
	assert_null(strstr(out, "SKIP"));
	int run = 0, passed = 0;
	/* cmocka's last "[==========]" line says how many ran. */
	const char *p = NULL;
	for (const char *x = out; (x = strstr(x, "[==========] ")); x++)
		p = x;
	const char *q = strstr(out, "[  PASSED  ] ");
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(sscanf(p, "[==========] %d test(s) run.", &run), 1);
	assert_int_equal(sscanf(q, "[  PASSED  ] %d test(s).", &passed), 1);
	assert_int_equal(passed, run);
	assert_true(run >= min_cases);
	free(out);
}

static void test_guests(void **state)
{
	(void)state;
	check_test("test_agent_guests", 4); /* root, nobody, QMP, gone */
}

static void test_lttng(void **state)
{
	(void)state;
	check_test("test_agent_lttng", 2);
}

static void test_cycles(void **state)
{
	(void)state;
	check_test("test_agent_cycles", 1);
	char *out = slurp("test_agent_cycles.log");
	assert_non_null(strstr(out, "100 cycles + 10 burst in "));
	free(out);
}

/* One "what n=N p50 X us p99 Y us max Z us" line of agent_bench. */
static void check_percentiles(const char *text, const char *what, int n_want)
{
	const char *p = strstr(text, what);
	assert_non_null(p);
	p += strlen(what);
	int n;
	double p50, p99, max;
	assert_int_equal(sscanf(p, " n=%d p50 %lf us p99 %lf us max %lf us", &n, &p50, &p99, &max), 4);
	assert_int_equal(n, n_want);
	assert_true(p50 > 0 && p50 <= p99 && p99 <= max);
}

/* "idle LABEL S s: CPU X ms, W wake-ups (R/s)": the CPU ms and wake-ups. */
static void idle_line(const char *text, const char *label, double *cpu_ms, long *wakeups)
{
	char needle[128];
	snprintf(needle, sizeof(needle), "idle %s", label);
	const char *p = strstr(text, needle);
	assert_non_null(p);
	p = strchr(p, ':');
	assert_non_null(p);
	assert_int_equal(sscanf(p, ": CPU %lf ms, %ld wake-ups", cpu_ms, wakeups), 2);
}

static void test_bench(void **state)
{
	(void)state;
	int secs = 0;
	int status = summary_status("bench-agent", &secs);
	char *b = slurp("bench-agent.txt");
	assert_non_null(b);
	printf("bench-agent: exit status %d after %d s\n%s", status, secs, b);
	assert_int_equal(status, 0);
	assert_non_null(strstr(b, "agent_bench: KVM guests (kernel uevents), 100 cycles"));
	check_percentiles(b, "uevent -> guest_created", 100);
	check_percentiles(b, "uevent -> guest_destroyed", 100);
	const char *sd = strstr(b, "statedump, ");
	assert_non_null(sd);
	int guests = 0;
	assert_int_equal(sscanf(sd, "statedump, %d guests x 2 vCPUs", &guests), 1);
	assert_int_equal(guests, 8);
	check_percentiles(b, "statedump, 8 guests x 2 vCPUs", 50);
	check_percentiles(b, "`vmtrace guests --json` (process)", 20);
	double cpu;
	long wake;
	/* `vmtrace watch` blocks on the uevent socket: no wake-up at all while nothing happens. */
	idle_line(b, "vmtrace watch", &cpu, &wake);
	assert_int_equal(wake, 0);
	/* vmtraced polls lttng_ust_tracepoint_enabled() every 100 ms: about 10 wake-ups a second. */
	idle_line(b, "vmtraced --check-ms 100 (default)", &cpu, &wake);
	assert_true(wake >= 50 && wake <= 150);
	idle_line(b, "vmtraced --check-ms 0", &cpu, &wake);
	assert_true(wake <= 2);
	free(b);
}

int main(void)
{
	const char *env = getenv("VT_TESTBED_OUT");
	const char *out = env && *env ? env : vt_source_path("out/testbed");
	char path[4200];
	snprintf(path, sizeof(path), "%s/agent-tests", out);
	dir = strdup(path);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	struct stat st;
	if (stat(path, &st) != 0)
		vt_skip(VT_SKIP_NO_TESTBED, "no agent tests in %s (run `make testbed`, or set VT_TESTBED_OUT)", dir);
	json_t *m = json_load_file(path, 0, NULL);
	const char *status = m ? json_string_value(json_object_get(m, "status")) : NULL;
	if (!status) {
		printf("FAIL: %s is not a testbed manifest\n", path);
		return 1;
	}
	if (strcmp(status, "skipped") == 0)
		vt_skip(vt_testbed_skip_reason(m), "the agent tests were skipped: %s",
			json_string_value(json_object_get(m, "reason")));
	if (strcmp(status, "ok") != 0) {
		printf("FAIL: the agent tests were %s: %s\n", status, json_string_value(json_object_get(m, "reason")));
		json_decref(m);
		free(dir);
		return 1;
	}
	printf("agent tests in %s, run %s on kernel %s\n", dir, json_string_value(json_object_get(m, "date")),
	       json_string_value(json_object_get(m, "kernel")));
	json_decref(m);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guests),
		cmocka_unit_test(test_lttng),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_bench),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(dir);
	return rc;
}
