/* libvmtrace.so exports exactly the functions include/vmtrace/ declares VT_API:
 * nothing internal leaks into its dynamic symbol table, nothing public is missing. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define MAX_NAMES 1024

struct names {
	char *v[MAX_NAMES];
	size_t n;
};

static int has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	return 0;
}

static void add(struct names *s, const char *name, size_t len)
{
	assert_true(s->n < MAX_NAMES);
	s->v[s->n] = strndup(name, len);
	assert_non_null(s->v[s->n]);
	s->n++;
}

/* Every "VT_API ... vt_name(" of the public headers (declarations span lines). */
static void declared(struct names *out)
{
	struct vt_run run;
	vt_run_shell(&run, "cat '%s'/*.h", vt_source_path("include/vmtrace"));
	assert_int_equal(run.status, 0);
	regex_t re;
	assert_int_equal(regcomp(&re, "VT_API[^;(]*[^a-z_0-9](vt_[a-z_0-9]+)[ ]*\\(", REG_EXTENDED), 0);
	regmatch_t m[2];
	for (const char *p = run.out; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo)
		add(out, p + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	regfree(&re);
	vt_run_free(&run);
}

static void test_exports_match_headers(void **state)
{
	(void)state;
	struct names pub = {0}, exp = {0};
	declared(&pub);
	assert_true(pub.n > 100);
	struct vt_run run;
	vt_run_shell(&run, "nm -D --defined-only '%s' | awk '$2 ~ /^[TWiV]$/ {print $3}'", vt_build_path("libvmtrace.so"));
	assert_int_equal(run.status, 0);
	for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n"))
		add(&exp, line, strlen(line));
	vt_run_free(&run);
	size_t wrong = 0;
	for (size_t i = 0; i < exp.n; i++)
		if (!has(&pub, exp.v[i])) {
			printf("exported, not declared VT_API: %s\n", exp.v[i]);
			wrong++;
		}
	for (size_t i = 0; i < pub.n; i++)
		if (!has(&exp, pub.v[i])) {
			printf("declared VT_API, not exported: %s\n", pub.v[i]);
			wrong++;
		}
	printf("%zu functions exported\n", exp.n);
	assert_int_equal(wrong, 0);
	for (size_t i = 0; i < pub.n; i++)
		free(pub.v[i]);
	for (size_t i = 0; i < exp.n; i++)
		free(exp.v[i]);
}

/* The commands reach the data flow through the public headers only (plus the
 * internal libraries they link: src/agent, src/record, src/sim, and the shared
 * utilities of src/common); the library's stages never include the commands'
 * parts. */
static void test_include_boundary(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run,
		     "cd '%s' && grep -rhoE '#include \"[a-z_]+/[a-z_0-9]+\\.h\"' tools | "
		     "grep -vE '\"(vmtrace|common|agent|record|sim)/' ; "
		     "grep -rlE '#include \"(agent|record|sim)/' src/common src/sources src/identify src/sync src/timeline "
		     "src/model src/analyses src/findings src/exporters src/session include; true",
		     vt_source_path(""));
	assert_int_equal(run.status, 0);
	if (run.out[0])
		fail_msg("includes across the boundary:\n%s", run.out);
	vt_run_free(&run);
}

int main(void)
{
	if (VT_SANITIZED)
		vt_skip(VT_SKIP_BUILD_VARIANT, "a sanitized library carries the sanitizers' own exports");
	vt_require_program("nm");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exports_match_headers),
		cmocka_unit_test(test_include_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
