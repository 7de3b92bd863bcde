/* The untar of guest archives: real archives of GNU tar (ustar, gnu, pax,
 * long names) come out as tar made them (diff -r), whole or fed a byte at a
 * time; hostile ones (.., absolute names, links, devices, FIFOs, setuid,
 * lying sizes, too many entries, bad checksums, truncation, a symlink in the
 * way) are refused or skipped with a note, and nothing appears outside the
 * destination. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/untar.h"
#include "tarw.h"
#include "testutil.h"

static char *base;     /* the test's folder: holds dest/ and nothing else */
static char dest[512]; /* where archives go */
static char outside[512];

static int setup(void **state)
{
	(void)state;
	base = vt_mkdtemp();
	snprintf(dest, sizeof(dest), "%s/dest", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(base);
	free(base);
	return 0;
}

/* base holds nothing but dest (and what the test put there on purpose). */
static void assert_nothing_outside(const char *also)
{
	struct vt_run r;
	vt_run_shell(&r, "cd '%s' && ls -A | grep -v -x -e dest %s%s%s", base, also ? "-e '" : "", also ? also : "",
		     also ? "'" : "");
	if (r.out_len)
		fail_msg("written outside the destination: %s", r.out);
	vt_run_free(&r);
}

static int extract(struct tarw *t, const struct vt_untar_limits *lim, struct vt_untar_stats *st, struct vt_error *err)
{
	vt_rmtree(dest);
	return vt_untar_buffer(dest, t->buf, t->len, lim, st, err);
}

static void expect_refused(struct tarw *t, const struct vt_untar_limits *lim, const char *why)
{
	struct vt_error err = {0};
	assert_int_equal(extract(t, lim, NULL, &err), -1);
	printf("refused: %s\n", err.msg);
	if (!strstr(err.msg, why))
		fail_msg("expected '%s' in: %s", why, err.msg);
	assert_non_null(strstr(err.msg, dest));
	assert_nothing_outside(NULL);
}

/* Real tar in its three formats, names longer than 100 bytes, empty files. */
static void test_real_tar(void **state)
{
	(void)state;
	vt_require_program("tar");
	const char *formats[] = {"ustar", "gnu", "pax"};
	char src[600];
	snprintf(src, sizeof(src), "%s/src", base);
	struct vt_run r;
	/* Names past ustar's 100 bytes: split into prefix/name by ustar, a long
	 * name record by gnu, a path record by pax. */
	char deep[200];
	snprintf(deep, sizeof(deep), "%0*d/%0*d", 60, 1, 60, 2);
	vt_run_shell(&r, "set -e; mkdir -p '%s/a/b' '%s/empty' '%s/%s'; head -c 300000 /dev/urandom >'%s/a/b/big';"
		     " : >'%s/a/zero'; echo top >'%s/top'; chmod 755 '%s/top'; echo deep >'%s/%s/f'",
		     src, src, src, deep, src, src, src, src, src, deep);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	for (size_t i = 0; i < 3; i++) {
		char tarfile[700];
		snprintf(tarfile, sizeof(tarfile), "%s/%s.tar", base, formats[i]);
		vt_run_shell(&r, "tar -C '%s' --format=%s -cf '%s' .", src, formats[i], tarfile);
		assert_int_equal(r.status, 0);
		vt_run_free(&r);
		size_t len;
		char *data = vt_read_file(tarfile, &len);
		assert_non_null(data);
		struct vt_untar_stats st;
		struct vt_error err = {0};
		vt_rmtree(dest);
		if (vt_untar_buffer(dest, (uint8_t *)data, len, NULL, &st, &err) < 0)
			fail_msg("%s: %s", formats[i], err.msg);
		assert_int_equal(st.files, 4);
		assert_int_equal(st.skipped, 0);
		vt_run_shell(&r, "diff -r '%s' '%s' && stat -c %%a '%s/top'", src, dest, dest);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, "755\n");
		vt_run_free(&r);
		/* The same archive a byte at a time. */
		vt_rmtree(dest);
		struct vt_untar *u = vt_untar_begin(dest, NULL, &err);
		assert_non_null(u);
		for (size_t k = 0; k < len; k++)
			assert_int_equal(vt_untar_feed(u, (uint8_t *)data + k, 1, &err), 0);
		assert_int_equal(vt_untar_end(u, &st, &err), 0);
		vt_run_shell(&r, "diff -r '%s' '%s'", src, dest);
		assert_int_equal(r.status, 0);
		vt_run_free(&r);
		free(data);
		unlink(tarfile);
	}
	vt_rmtree(src);
	assert_nothing_outside(NULL);
}

static void test_dotdot_and_absolute(void **state)
{
	(void)state;
	char abs_name[256];
	snprintf(abs_name, sizeof(abs_name), "%s/absolute", base);
	const char *names[] = {"../outside", "./a/../../outside", "a/..", abs_name, "/etc/vmtrace-untar-test"};
	const char *whys[] = {"'..'", "'..'", "'..'", "absolute", "absolute"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tarw t = {0};
		tarw_file(&t, "./ok", "fine\n");
		tarw_file(&t, names[i], "escape\n");
		tarw_end(&t);
		expect_refused(&t, NULL, whys[i]);
		tarw_free(&t);
		assert_int_equal(access(abs_name, F_OK), -1);
		assert_int_equal(access("/etc/vmtrace-untar-test", F_OK), -1);
	}
	/* The same names through a pax path record and a GNU long name. */
	struct tarw t = {0};
	const char *rec[] = {"path=../outside"};
	tarw_pax(&t, rec, 1);
	tarw_file(&t, "innocent", "escape\n");
	tarw_end(&t);
	expect_refused(&t, NULL, "'..'");
	tarw_free(&t);
	tarw_header(&t, "././@LongLink", 'L', strlen(abs_name) + 1, 0644, NULL, 1);
	tarw_data(&t, abs_name, strlen(abs_name) + 1);
	tarw_file(&t, "innocent", "escape\n");
	tarw_end(&t);
	expect_refused(&t, NULL, "absolute");
	tarw_free(&t);
	assert_int_equal(access(abs_name, F_OK), -1);
}

/* Links, devices and FIFOs are skipped and said; a file "through" a skipped
 * symlink lands in a real folder inside the destination. */
static void test_links_devices_skipped(void **state)
{
	(void)state;
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s'", outside);
	vt_run_free(&r);
	struct tarw t = {0};
	tarw_header(&t, "link", '2', 0, 0777, outside, 0);
	tarw_file(&t, "link/x", "through\n");
	tarw_header(&t, "hard", '1', 0, 0644, "/etc/passwd", 0);
	tarw_header(&t, "tty", '3', 0, 0666, NULL, 0);
	tarw_header(&t, "disk", '4', 0, 0666, NULL, 0);
	tarw_header(&t, "fifo", '6', 0, 0666, NULL, 0);
	tarw_file(&t, "kept", "kept\n");
	tarw_end(&t);
	struct vt_untar_stats st;
	struct vt_error err = {0};
	assert_int_equal(extract(&t, NULL, &st, &err), 0);
	assert_int_equal(st.skipped, 5);
	assert_int_equal(st.files, 2);
	printf("note: %s\n", st.note);
	assert_non_null(strstr(st.note, "'link' (a symbolic link)"));
	assert_non_null(strstr(st.note, "'hard' (a hard link)"));
	char p[700];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/link", dest);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	snprintf(p, sizeof(p), "%s/x", outside);
	assert_int_equal(access(p, F_OK), -1);
	for (const char *const *n = (const char *const[]){"hard", "tty", "disk", "fifo", NULL}; *n; n++) {
		snprintf(p, sizeof(p), "%s/%s", dest, *n);
		assert_int_equal(lstat(p, &sb), -1);
	}
	assert_nothing_outside("outside");
	vt_rmtree(outside);
	tarw_free(&t);
}

/* A symlink already in the destination's way is never followed, and a file
 * where a folder should be stops the archive. */
static void test_symlink_in_the_way(void **state)
{
	(void)state;
	struct vt_error err = {0};
	struct tarw t = {0};
	tarw_file(&t, "a", "a file\n");
	tarw_file(&t, "a/b", "under a file\n");
	tarw_end(&t);
	expect_refused(&t, NULL, "Not a directory");
	tarw_free(&t);
	tarw_file(&t, "dup", "one\n");
	tarw_file(&t, "dup", "two\n");
	tarw_end(&t);
	expect_refused(&t, NULL, "duplicate");
	tarw_free(&t);
	/* A destination that exists and is not empty, or is a symlink: refused. */
	vt_rmtree(dest);
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s' && touch '%s/old'", dest, dest);
	vt_run_free(&r);
	tarw_file(&t, "x", "x\n");
	tarw_end(&t);
	assert_int_equal(vt_untar_buffer(dest, t.buf, t.len, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "not empty"));
	vt_rmtree(dest);
	vt_run_shell(&r, "mkdir -p '%s' && ln -s '%s' '%s'", outside, outside, dest);
	vt_run_free(&r);
	assert_int_equal(vt_untar_buffer(dest, t.buf, t.len, NULL, NULL, &err), -1);
	printf("symlink destination: %s\n", err.msg);
	char p[700];
	snprintf(p, sizeof(p), "%s/x", outside);
	assert_int_equal(access(p, F_OK), -1);
	unlink(dest);
	vt_rmtree(outside);
	tarw_free(&t);
}

static void test_modes_masked(void **state)
{
	(void)state;
	struct tarw t = {0};
	tarw_header(&t, "suid", '0', 2, 07777, NULL, 0);
	tarw_data(&t, "x\n", 2);
	tarw_header(&t, "dir", '5', 0, 07777, NULL, 0);
	tarw_header(&t, "noperm", '0', 2, 0, NULL, 0);
	tarw_data(&t, "y\n", 2);
	tarw_end(&t);
	struct vt_error err = {0};
	assert_int_equal(extract(&t, NULL, NULL, &err), 0);
	struct stat sb;
	char p[700];
	snprintf(p, sizeof(p), "%s/suid", dest);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	snprintf(p, sizeof(p), "%s/dir", dest);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	snprintf(p, sizeof(p), "%s/noperm", dest);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_uid, getuid());
	tarw_free(&t);
}

static void test_limits(void **state)
{
	(void)state;
	struct vt_untar_limits lim = {.max_bytes = 1000, .max_entries = 4, .max_name = 64, .max_depth = 4};
	struct tarw t = {0};
	/* A declared size past the limit: refused before a byte is written. */
	tarw_header(&t, "huge", '0', 1ull << 40, 0644, NULL, 0);
	tarw_data(&t, "x", 1);
	expect_refused(&t, &lim, "more bytes than the limit");
	char p[700];
	snprintf(p, sizeof(p), "%s/huge", dest);
	assert_int_equal(access(p, F_OK), -1);
	tarw_free(&t);
	/* Sizes that add up past it. */
	char k[600];
	memset(k, 'k', sizeof(k) - 1);
	k[sizeof(k) - 1] = '\0';
	tarw_file(&t, "one", k);
	tarw_file(&t, "two", k);
	tarw_end(&t);
	expect_refused(&t, &lim, "more bytes than the limit");
	tarw_free(&t);
	for (int i = 0; i < 6; i++) {
		char n[16];
		snprintf(n, sizeof(n), "f%d", i);
		tarw_file(&t, n, "x");
	}
	tarw_end(&t);
	expect_refused(&t, &lim, "more entries than the limit");
	tarw_free(&t);
	tarw_file(&t, "a/b/c/d/e/too-deep", "x");
	tarw_end(&t);
	expect_refused(&t, &lim, "deeper than the limit");
	tarw_free(&t);
	const char *rec[] = {"path=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	tarw_pax(&t, rec, 1);
	tarw_file(&t, "short", "x");
	tarw_end(&t);
	expect_refused(&t, &lim, "longer than the limit");
	tarw_free(&t);
	/* A pax size that lies past the limit. */
	const char *big[] = {"size=99999999999999"};
	tarw_pax(&t, big, 1);
	tarw_file(&t, "liar", "x");
	tarw_end(&t);
	expect_refused(&t, &lim, "more bytes than the limit");
	tarw_free(&t);
	/* GNU base-256 size field. */
	tarw_header(&t, "b256", '0', 1ull << 36, 0644, NULL, 1);
	expect_refused(&t, &lim, "more bytes than the limit");
	tarw_free(&t);
}

static void test_malformed(void **state)
{
	(void)state;
	struct tarw t = {0};
	size_t off = tarw_header(&t, "bad-sum", '0', 1, 0644, NULL, 0);
	tarw_data(&t, "x", 1);
	tarw_end(&t);
	t.buf[off + 150] ^= 1;
	expect_refused(&t, NULL, "bad checksum");
	tarw_free(&t);
	off = tarw_header(&t, "no-magic", '0', 1, 0644, NULL, 0);
	memcpy(t.buf + off + 257, "xxxxx", 5);
	tarw_checksum(&t, off);
	tarw_end(&t);
	expect_refused(&t, NULL, "not a ustar header");
	tarw_free(&t);
	off = tarw_header(&t, "sparse", 'S', 1, 0644, NULL, 1);
	tarw_end(&t);
	expect_refused(&t, NULL, "type 'S'");
	tarw_free(&t);
	tarw_file(&t, "ctl\nname", "x");
	tarw_end(&t);
	expect_refused(&t, NULL, "control character");
	tarw_free(&t);
	const char *bad[] = {"path"};
	tarw_pax(&t, bad, 1);
	tarw_end(&t);
	expect_refused(&t, NULL, "without '='");
	tarw_free(&t);
	/* Truncated in a file's data, and with no end-of-archive block. */
	tarw_file(&t, "cut", "0123456789");
	struct vt_error err = {0};
	vt_rmtree(dest);
	assert_int_equal(vt_untar_buffer(dest, t.buf, 512 + 5, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	vt_rmtree(dest);
	assert_int_equal(vt_untar_buffer(dest, t.buf, t.len, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	/* One zero block at the very end is enough (the second one missing). */
	vt_rmtree(dest);
	uint8_t zero[512] = {0};
	tarw_data(&t, zero, sizeof(zero));
	assert_int_equal(vt_untar_buffer(dest, t.buf, t.len, NULL, NULL, &err), 0);
	tarw_free(&t);
	assert_nothing_outside(NULL);
}

static void test_clean_name(void **state)
{
	(void)state;
	char out[256];
	const char *why = NULL;
	assert_int_equal(vt_untar_clean_name("./a//b/./c/", 11, 100, 8, out, sizeof(out), &why), 0);
	assert_string_equal(out, "a/b/c");
	assert_int_equal(vt_untar_clean_name("./", 2, 100, 8, out, sizeof(out), &why), 0);
	assert_string_equal(out, "");
	assert_int_equal(vt_untar_clean_name("a/../b", 6, 100, 8, out, sizeof(out), &why), -1);
	assert_int_equal(vt_untar_clean_name("..", 2, 100, 8, out, sizeof(out), &why), -1);
	assert_int_equal(vt_untar_clean_name("...", 3, 100, 8, out, sizeof(out), &why), 0);
	assert_int_equal(vt_untar_clean_name("//etc", 5, 100, 8, out, sizeof(out), &why), -1);
	assert_int_equal(vt_untar_clean_name("", 0, 100, 8, out, sizeof(out), &why), -1);
	assert_int_equal(vt_untar_clean_name("a\x7f", 2, 100, 8, out, sizeof(out), &why), -1);
	/* A NUL ends the name, as in a tar field. */
	assert_int_equal(vt_untar_clean_name("ok\0/../../x", 11, 100, 8, out, sizeof(out), &why), 0);
	assert_string_equal(out, "ok");
	char longc[300];
	memset(longc, 'c', sizeof(longc));
	assert_int_equal(vt_untar_clean_name(longc, 256, 4000, 8, out, sizeof(out), &why), -1);
	assert_non_null(strstr(why, "255"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_name),
		cmocka_unit_test(test_real_tar),
		cmocka_unit_test(test_dotdot_and_absolute),
		cmocka_unit_test(test_links_devices_skipped),
		cmocka_unit_test(test_symlink_in_the_way),
		cmocka_unit_test(test_modes_masked),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
