/* Peak memory flat with trace length (issue 15): `vmtrace info` and
 * `vmtrace analyze` on 1 s and on 4 s of the large scenario (4 guests, 12
 * pCPUs; 4x the events) must peak within an eighth of each other plus 4 MB.
 * What grew before: the containment search's edges (analyze at 10 s peaked
 * at 202 MB, 73 MB at 2 s). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char *work;

static int setup(void **state)
{
	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	vt_skip(VT_SKIP_BUILD_VARIANT, "AddressSanitizer keeps freed memory in quarantine: its peak is not the program's");
#endif
	work = vt_mkdtemp();
	for (int s = 1; s <= 4; s += 3) {
		struct vt_run r;
		vt_run_shell(&r, "'%s' '%s' -d %d -o '%s/sim-%d'", vt_build_path("vmtrace-sim"),
			     vt_source_path("scenarios/large.json"), s * 1000, work, s);
		if (r.status)
			fail_msg("vmtrace-sim: %s", r.err);
		vt_run_free(&r);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(work);
	free(work);
	return 0;
}

/* Peak RSS in KB of `vmtrace CMD TRACE`, its output discarded; fails unless it exits 0. */
static long peak_kb(const char *cmd, const char *trace)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(vt_build_path("vmtrace"), "vmtrace", cmd, trace, (char *)NULL);
		_exit(127);
	}
	int status;
	struct rusage ru;
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("vmtrace %s %s: status %d", cmd, trace, status);
	return ru.ru_maxrss;
}

static void check_flat(const char *cmd)
{
	char one[4200], four[4200];
	snprintf(one, sizeof(one), "%s/sim-1", work);
	snprintf(four, sizeof(four), "%s/sim-4", work);
	long a = peak_kb(cmd, one), b = peak_kb(cmd, four);
	printf("vmtrace %s: peak %ld KB on 1 s, %ld KB on 4 s\n", cmd, a, b);
	if (b > a + a / 8 + 4096)
		fail_msg("vmtrace %s: the peak grew with the trace: %ld KB on 1 s, %ld KB on 4 s", cmd, a, b);
}

static void test_info_flat(void **state)
{
	(void)state;
	check_flat("info");
}

static void test_analyze_flat(void **state)
{
	(void)state;
	check_flat("analyze");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_flat),
		cmocka_unit_test(test_analyze_flat),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
