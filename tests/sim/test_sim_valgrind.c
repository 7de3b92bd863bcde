/* vmtrace-sim under valgrind: no invalid access, no uninitialised byte written
 * to a trace, no leak. */
#include <stdlib.h>

#include "testutil.h"

static void clean_under_valgrind(void **state)
{
	(void)state;
	vt_require_program("valgrind");
	char *dir = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "valgrind -q --error-exitcode=9 --leak-check=full '%s' '%s' -o '%s/out' --duration-ms 100",
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios/guest-lifecycle.json"), dir);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	vt_run_free(&r);
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(clean_under_valgrind)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
