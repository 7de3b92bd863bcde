/* LTTng's packet index files (ctf_index.h), as the native reader takes them:
 * a good index is the file's packet table (checked against the packets'
 * own sizes); a bad, short or stale one is left aside, never trusted, and
 * the trace reads the same events as with no index at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/ctf_index.h"
#include "testutil.h"
#include "vmtrace/sources.h"

#define EXAMPLE "examples/ust-hello/trace/ust/uid/0/64-bit"

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Loads path's index, which must be taken, its packets covering the file. */
static size_t good(const char *path)
{
	struct vt_ctf_index idx;
	uint64_t size = file_size(path);
	assert_int_equal(vt_ctf_index_load(&idx, path, size), 1);
	assert_true(idx.n > 0);
	uint64_t end = 0;
	for (size_t i = 0; i < idx.n; i++) {
		assert_int_equal(idx.pkt[i].offset, end);
		end += idx.pkt[i].total_bits / 8;
	}
	assert_int_equal(end, size);
	size_t n = idx.n;
	vt_ctf_index_free(&idx);
	return n;
}

static void test_good(void **state)
{
	(void)state;
	char path[4200];
	snprintf(path, sizeof(path), "%s/channel0_0", vt_source_path(EXAMPLE));
	good(path);
	const char *many = vt_testdata("ctf/many-threads");
	if (!many || access(many, R_OK)) {
		vt_skip_part(VT_SKIP_NO_TESTDATA, "../shared/testdata/ctf/many-threads is absent");
		return;
	}
	snprintf(path, sizeof(path), "%s/channel0_0", many);
	assert_true(good(path) > 1);
}

/* Events of the trace at dir, read natively, and per kind. */
static uint64_t count(const char *dir, uint64_t per_kind[VT_KIND_COUNT])
{
	struct vt_error err = {0};
	setenv("VMTRACE_READER", "native", 1);
	struct vt_source *src = vt_source_open(&dir, 1, &err);
	unsetenv("VMTRACE_READER");
	if (!src)
		fail_msg("%s: %s", dir, err.msg);
	const struct vt_event *ev;
	uint64_t n = 0;
	int rc;
	memset(per_kind, 0, VT_KIND_COUNT * sizeof(*per_kind));
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		n++;
		per_kind[ev->kind]++;
	}
	if (rc < 0)
		fail_msg("%s: %s", dir, err.msg);
	vt_source_close(src);
	return n;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Writes len bytes as dir's index of channel0_0 (len 0: removes it). */
static void write_index(const char *dir, const uint8_t *bytes, size_t len)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/index/channel0_0.idx", dir);
	unlink(path);
	if (!len)
		return;
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Bad indexes of the example's channel0_0 (one packet of `size` bytes): each
 * refused by the loader, each giving the events the good one gives. */
static void test_bad(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "cp -r '%s'/* '%s'/ && chmod -R u+w '%s'", vt_source_path(EXAMPLE), dir, dir);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	char stream[4200];
	snprintf(stream, sizeof(stream), "%s/channel0_0", dir);
	uint64_t size = file_size(stream), want[VT_KIND_COUNT], got[VT_KIND_COUNT];
	good(stream);
	uint64_t events = count(dir, want);
	/* a header and two 64-byte entries: packets of size/2 bytes, which the packet's context contradicts */
	uint8_t idx[16 + 2 * 64] = {0};
	put_be(idx, 0xC1F1DCC1u, 4);
	put_be(idx + 4, 1, 4);
	put_be(idx + 8, 1, 4);
	put_be(idx + 12, 64, 4);
	for (int i = 0; i < 2; i++) {
		put_be(idx + 16 + 64 * i, (uint64_t)i * (size / 2), 8);
		put_be(idx + 24 + 64 * i, 8 * (size / 2), 8);
		put_be(idx + 32 + 64 * i, 8 * (size / 2), 8);
	}
	struct {
		size_t at, n;
		uint64_t value;
		size_t len; /* of the index written */
		int stale;  /* consistent with the file, not with its packets */
	} cases[] = {
		{0, 4, 0xC1FC1FC1u, sizeof(idx), 0},  /* bad magic */
		{4, 4, 2, sizeof(idx), 0},            /* major 2 */
		{12, 4, 8, sizeof(idx), 0},           /* entries too short */
		{12, 4, 1u << 20, sizeof(idx), 0},    /* entries longer than the file */
		{0, 0, 0, sizeof(idx) - 5, 0},        /* a truncated entry */
		{0, 0, 0, 16, 0},                     /* no entry */
		{0, 0, 0, 10, 0},                     /* a truncated header */
		{80, 8, 8, sizeof(idx), 0},           /* a gap between packets */
		{88, 8, UINT64_MAX - 7, sizeof(idx), 0}, /* a packet past the file */
		{24, 8, 8 * (size / 2) + 3, sizeof(idx), 0}, /* not whole bytes */
		{32, 8, 8 * size, sizeof(idx), 0},    /* content larger than the packet */
		{24, 8, 0, sizeof(idx), 0},           /* a packet of no size */
		{0, 0, 0, sizeof(idx), 1},            /* consistent, but not the packets' sizes */
		{0, 0, 0, 0, 0},                      /* no index file */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t bytes[sizeof(idx)];
		memcpy(bytes, idx, sizeof(idx));
		if (cases[c].n)
			put_be(bytes + cases[c].at, cases[c].value, (int)cases[c].n);
		write_index(dir, bytes, cases[c].len);
		struct vt_ctf_index loaded;
		int taken = vt_ctf_index_load(&loaded, stream, size);
		if (taken != cases[c].stale)
			fail_msg("case %zu: index %s", c, taken ? "taken" : "refused");
		assert_true(taken || (!loaded.n && !loaded.pkt));
		vt_ctf_index_free(&loaded);
		if (count(dir, got) != events || memcmp(got, want, sizeof(want)))
			fail_msg("case %zu: other events than with the good index", c);
	}
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
