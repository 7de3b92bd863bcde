/* Too little address space (ulimit -v): a command fails with a line that
 * says "out of memory", never babeltrace2's "Cannot handle state", and
 * leaves no temporary output. The limits swept go from where the commands
 * cannot start reading to where they succeed; at least one must hit it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clitest.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define VT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VT_ASAN 1
#endif
#endif

static char *tmp, sim[4200];

static void test_ulimit_v(void **state)
{
	(void)state;
	static const char *const cmds[] = {"info '%s' >/dev/null", "analyze '%s' >/dev/null", "export --ctf '%s/ctf' '%s'"};
	size_t oom = 0;
	for (unsigned kib = 16000; kib <= 64000; kib += 4000)
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			char args[9000];
			snprintf(args, sizeof(args), cmds[c], c == 2 ? tmp : sim, sim);
			struct vt_run run;
			vt_run_shell(&run, "ulimit -v %u; exec '%s' %s", kib, vt_build_path("vmtrace"), args);
			printf("ulimit -v %u, vmtrace %s: status %d: %s", kib, cmds[c], run.status, run.err);
			if (run.status == 127) { /* the loader itself could not map the program */
				vt_run_free(&run);
				continue;
			}
			assert_null(strstr(run.err, "Cannot handle state"));
			if (run.status != 0) {
				assert_non_null(strstr(run.err, "out of memory"));
				oom++;
			}
			vt_run_free(&run);
			char ctf[4300];
			snprintf(ctf, sizeof(ctf), "%s/ctf", tmp);
			vt_rmtree(ctf);
			assert_int_equal(cli_leftovers(tmp), 0);
		}
	assert_true(oom > 0);
}

int main(void)
{
#ifdef VT_ASAN
	vt_skip(VT_SKIP_BUILD_VARIANT, "AddressSanitizer's shadow memory needs a large address space (ulimit -v)");
#endif
	tmp = vt_mkdtemp();
	snprintf(sim, sizeof(sim), "%s/sim", tmp);
	cli_simulate("two-guests-ntp", sim, "-d 500");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ulimit_v),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
