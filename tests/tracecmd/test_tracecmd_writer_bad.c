/* The writer's output, damaged: truncated anywhere (in the headers, the
 * formats, the options, the CPU table, the pages) or with a lying size
 * (a page's commit, a CPU's offset, header_page's size), `vmtrace info`
 * refuses it in one line naming the file, exit status 1, no crash.
 * (Damage the format cannot show, such as a garbled event format text, is
 * read as trace-cmd report reads it: docs/tracecmd.md, Damaged files.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *tmp;
static unsigned char *good;
static size_t good_len;

static void expect_refusal(const char *path)
{
	struct vt_run run;
	vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), path);
	if (run.status != 1 || vt_count_lines(run.err) != 1 || !strstr(run.err, path) ||
	    !strstr(run.err, "corrupt or truncated"))
		fail_msg("%s: status %d, stderr:\n%s", path, run.status, run.err);
	assert_null(strstr(run.err, "Sanitizer"));
	vt_run_free(&run);
}

static const char *write_variant(const char *name, const unsigned char *data, size_t len)
{
	static char path[4200];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static size_t find(const char *needle, size_t len)
{
	for (size_t i = 0; i + len <= good_len; i++)
		if (!memcmp(good + i, needle, len))
			return i;
	fail_msg("'%s' not in the file", needle);
	return 0;
}

static void test_truncated(void **state)
{
	(void)state;
	size_t fly = find("flyrecord", 10);
	size_t cuts[] = {11, 100, find("header_event", 13) + 20, find("name: kvm_exit", 14), find("options  ", 10) + 30,
			 fly + 12, fly + 10 + 16 + 4, good_len / 2, good_len - 4096 - 100, good_len - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "cut-%zu.dat", cuts[i]);
		printf("truncated at %zu of %zu\n", cuts[i], good_len);
		expect_refusal(write_variant(name, good, cuts[i]));
	}
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void test_lying_sizes(void **state)
{
	(void)state;
	unsigned char *bad = malloc(good_len);
	assert_non_null(bad);
	size_t fly = find("flyrecord", 10) + 10;
	uint64_t first_page;
	memcpy(&first_page, good + fly, 8);
	/* a page's commit larger than the page */
	memcpy(bad, good, good_len);
	put64(bad + first_page + 8, 0xfffff);
	expect_refusal(write_variant("commit.dat", bad, good_len));
	/* CPU 0's pages past the end of the file */
	memcpy(bad, good, good_len);
	put64(bad + fly, 1ull << 40);
	expect_refusal(write_variant("offset.dat", bad, good_len));
	/* header_page's size */
	memcpy(bad, good, good_len);
	put64(bad + find("header_page", 12) + 12, 1ull << 40);
	expect_refusal(write_variant("header.dat", bad, good_len));
	free(bad);
}

int main(void)
{
	tmp = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s/sim' --format dat --duration-ms 50", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/vmsync.json"), tmp);
	if (run.status) {
		fprintf(stderr, "vmtrace-sim: %s", run.err);
		return 1;
	}
	vt_run_free(&run);
	char path[4200];
	snprintf(path, sizeof(path), "%s/sim/vm1.dat", tmp);
	if (!(good = (unsigned char *)vt_read_file(path, &good_len)) || good_len < 8192) {
		fprintf(stderr, "%s: missing or too small\n", path);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_lying_sizes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(good);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
