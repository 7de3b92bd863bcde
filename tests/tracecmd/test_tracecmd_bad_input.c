/* Broken trace.dat files: one line on stderr naming the file, exit 1, no
 * crash and no sanitizer report, each kind of damage its own test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *tmp;
static char v6[4200];

static void expect_refusal(const char *path, const char *needle)
{
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), path);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, path) ||
	    (needle && !strstr(run.err, needle)))
		fail_msg("%s: status %d, stderr:\n%s", path, run.status, run.err);
	assert_null(strstr(run.err, "Sanitizer"));
	assert_null(strstr(run.out, "possibly truncated")); /* libtracecmd's own words stay off stdout */
	vt_run_free(&run);
}

static void make(const char *path, const char *fmt, const char *arg)
{
	struct vt_run run;
	char cmd[8800];
	snprintf(cmd, sizeof(cmd), fmt, arg, path);
	vt_run_shell(&run, "%s", cmd);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
}

static const char *file(const char *name)
{
	static char p[4200];
	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	return p;
}

static void test_empty(void **state)
{
	(void)state;
	make(file("empty.dat"), "true '%s'; : > '%s'", "");
	expect_refusal(file("empty.dat"), "not a trace-cmd file");
}

static void test_text_named_dat(void **state)
{
	(void)state;
	make(file("text.dat"), "echo '%s' > '%s'", "not a trace at all");
	expect_refusal(file("text.dat"), "not a trace-cmd file");
}

static void test_magic_then_garbage(void **state)
{
	(void)state;
	make(file("garbage.dat"), "{ printf '\\027\\010\\104tracing'; head -c 20000 /dev/urandom; } %s> '%s'", "");
	expect_refusal(file("garbage.dat"), "corrupt or truncated");
}

static void test_truncated_format7_headers(void **state)
{
	(void)state;
	make(file("t7.dat"), "head -c 3000 '%s' > '%s'", vt_source_path("tests/data/host-tcg.dat"));
	expect_refusal(file("t7.dat"), "corrupt or truncated");
}

static void test_truncated_format7_end(void **state)
{
	(void)state;
	make(file("t7end.dat"), "head -c -1000 '%s' > '%s'", vt_source_path("tests/data/host-tcg.dat"));
	expect_refusal(file("t7end.dat"), "corrupt or truncated");
}

/* Format 6 keeps the CPU data last: libtracecmd itself crashes on these. */
static void test_truncated_format6_data(void **state)
{
	(void)state;
	make(file("t6.dat"), "head -c 60000 '%s' > '%s'", v6);
	expect_refusal(file("t6.dat"), "truncated");
}

static void test_truncated_format6_last_bytes(void **state)
{
	(void)state;
	make(file("t6last.dat"), "head -c -100 '%s' > '%s'", v6);
	expect_refusal(file("t6last.dat"), "truncated");
}

/* The header page's size (bytes 30..37 of a format 6 file) made huge. */
static void test_corrupt_header_size(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run,
		     "cp '%s' '%s' && printf '\\377\\377\\377\\377\\377\\377\\377\\377' | "
		     "dd of='%s' bs=1 seek=30 conv=notrunc 2>/dev/null",
		     v6, file("header.dat"), file("header.dat"));
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	expect_refusal(file("header.dat"), "corrupt or truncated");
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = (unsigned char *)vt_read_file(path, len);
	assert_non_null(buf);
	return buf;
}

/* Pseudo-random bytes over ring-buffer pages (format 6 keeps them from byte
 * 32768 on here; some of these seeds crash libtraceevent's kbuffer). The format has
 * no checksum, so what libtracecmd still decodes is read (fewer or odd events)
 * or the file is refused in one line; never a crash or a sanitizer report. */
#define SEEDS 96

static void test_corrupt_pages(void **state)
{
	(void)state;
	size_t len;
	unsigned char *good = slurp(v6, &len), *bad = malloc(len);
	int refused = 0;
	const char *vg = getenv("VT_VALGRIND_CHILDREN");
	unsigned seeds = vg && *vg == '1' ? SEEDS / 8 : SEEDS; /* each run under valgrind takes seconds */
	for (unsigned seed = 1; seed <= seeds; seed++) {
		memcpy(bad, good, len);
		uint32_t x = seed * 2654435761u;
		size_t at = 32768 + (seed * 7919u) % (len - 32768 - 1024);
		for (size_t i = 0; i < 1024; i++) {
			x = x * 1664525u + 1013904223u;
			bad[at + i] = (unsigned char)(x >> 24);
		}
		FILE *f = fopen(file("pages.dat"), "wb");
		assert_int_equal(fwrite(bad, 1, len, f), len);
		fclose(f);
		struct vt_run run;
		vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), file("pages.dat"));
		if (!(run.status == 0 || (run.status == 1 && vt_count_lines(run.err) == 1 &&
					  strstr(run.err, file("pages.dat")))))
			fail_msg("seed %u: status %d, stderr:\n%s", seed, run.status, run.err);
		assert_null(strstr(run.err, "Sanitizer"));
		refused += run.status == 1;
		vt_run_free(&run);
	}
	printf("%d of %u damaged files refused, the others read\n", refused, seeds);
	free(good);
	free(bad);
}

int main(void)
{
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	snprintf(v6, sizeof(v6), "%s/v6.dat", tmp);
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd convert -i '%s' -o '%s' --file-version 6", vt_source_path("tests/data/host-tcg.dat"),
		     v6);
	if (run.status != 0) {
		fprintf(stderr, "trace-cmd convert failed: %s\n", run.err);
		return 1;
	}
	vt_run_free(&run);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_text_named_dat),
		cmocka_unit_test(test_magic_then_garbage),
		cmocka_unit_test(test_truncated_format7_headers),
		cmocka_unit_test(test_truncated_format7_end),
		cmocka_unit_test(test_truncated_format6_data),
		cmocka_unit_test(test_truncated_format6_last_bytes),
		cmocka_unit_test(test_corrupt_header_size),
		cmocka_unit_test(test_corrupt_pages),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
