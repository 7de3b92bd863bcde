/* Every public function has its section-3 page, and the pages in man/ are what
 * scripts/gen-man3 makes of the headers now (a header changed without its
 * page fails here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_pages_current(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "python3 '%s' '%s' && for f in '%s'/*.3; do cmp \"$f\" '%s'/$(basename \"$f\") || exit 1; done",
		     vt_source_path("scripts/gen-man3"), dir, dir, vt_source_path("man"));
	if (run.status != 0)
		fail_msg("man/*.3 differ from scripts/gen-man3's output: run it (%s%s)", run.out, run.err);
	vt_run_free(&run);
	vt_rmtree(dir);
	free(dir);
}

static void test_every_function_documented(void **state)
{
	(void)state;
	struct vt_run run;
	/* Each VT_API name must be a .B NAME() entry of some page. */
	vt_run_shell(&run,
		     "cat '%s'/*.h | tr '\\n' ' ' | grep -o 'VT_API[^;(]*(' | grep -o 'vt_[a-z_0-9]*[ ]*($' | tr -d ' (' | sort -u > /tmp/vt_api_$$ && "
		     "n=0; while read f; do grep -q \"^\\.B $f()\" '%s'/vmtrace-*.3 || { echo \"undocumented: $f\"; n=$((n+1)); }; done < /tmp/vt_api_$$; "
		     "wc -l < /tmp/vt_api_$$; rm -f /tmp/vt_api_$$; exit $n",
		     vt_source_path("include/vmtrace"), vt_source_path("man"));
	if (run.status != 0)
		fail_msg("%s%s", run.out, run.err);
	assert_true(atoi(run.out) > 100);
	vt_run_free(&run);
	/* man renders them without warnings. */
	vt_run_shell(&run, "for f in '%s'/*.3; do MANWIDTH=100 man --warnings -l \"$f\" 2>&1 >/dev/null; done",
		     vt_source_path("man"));
	assert_int_equal(run.status, 0);
	assert_string_equal(run.out, "");
	vt_run_free(&run);
}

int main(void)
{
	vt_require_program("python3");
	vt_require_program("man");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_current),
		cmocka_unit_test(test_every_function_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
