/* Same scenario and seed: byte-identical traces and truth. Another seed: not. */
#include <stdlib.h>

#include "simcheck.h"
#include "testutil.h"

static void same_seed_same_bytes(void **state)
{
	(void)state;
	for (const char *const *name = test_scenarios; *name; name++) {
		char *a = vt_mkdtemp(), *b = vt_mkdtemp(), *c = vt_mkdtemp();
		run_scenario(*name, a, 200, 0, NULL);
		run_scenario(*name, b, 200, 0, NULL);
		run_scenario(*name, c, 200, 12345, NULL);
		struct vt_run r;
		vt_run_shell(&r, "diff -r '%s' '%s'", a, b);
		if (r.status != 0)
			fail_msg("%s: two runs differ: %s", *name, r.out);
		vt_run_free(&r);
		vt_run_shell(&r, "cmp -s '%s/host/kernel/chan_0' '%s/host/kernel/chan_0'", a, c);
		assert_int_not_equal(r.status, 0);
		vt_run_free(&r);
		vt_rmtree(a);
		vt_rmtree(b);
		vt_rmtree(c);
		free(a);
		free(b);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(same_seed_same_bytes)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
