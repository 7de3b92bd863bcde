/* Errors carry a cause with their one-line message, so that callers tell
 * running out of memory, a file they cannot read, bad data and a call out of
 * order apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "vmtrace/error.h"
#include "vmtrace/session.h"
#include "vmtrace/sources.h"

static void test_set(void **state)
{
	(void)state;
	struct vt_error err = {0};
	assert_int_equal(vt_error_set(&err, "%s: truncated", "f"), -1);
	assert_int_equal(err.cause, VT_ERR_DATA);
	assert_string_equal(err.msg, "f: truncated");
	assert_int_equal(vt_error_set_cause(&err, VT_ERR_NOMEM, "out of memory"), -1);
	assert_int_equal(err.cause, VT_ERR_NOMEM);
	assert_int_equal(vt_error_set_cause(NULL, VT_ERR_IO, "x"), -1);
	assert_string_equal(vt_error_cause_name(VT_ERR_IO), "I/O");
	assert_string_equal(vt_error_cause_name(VT_ERR_DATA), "bad data");
	assert_string_equal(vt_error_cause_name((enum vt_error_cause)99), "none");
}

static int open_one(const char *path, struct vt_error *err)
{
	struct vt_source *src;
	if (!(src = vt_source_open(&path, 1, err)))
		return -1;
	const struct vt_event *ev;
	int rc;
	while ((rc = vt_source_next(src, &ev, err)) > 0)
		;
	vt_source_close(src);
	return rc;
}

static void test_sources(void **state)
{
	(void)state;
	struct vt_error err = {0};
	char *dir = vt_mkdtemp();
	char path[4200];
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(open_one(path, &err), -1);
	assert_int_equal(err.cause, VT_ERR_IO);
	assert_non_null(strstr(err.msg, path));
	/* A trace folder whose metadata is not CTF. */
	snprintf(path, sizeof(path), "%s/t", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/t/metadata", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/t", dir);
	assert_int_equal(open_one(path, &err), -1);
	assert_int_equal(err.cause, VT_ERR_DATA);
	vt_rmtree(dir);
	free(dir);
}

/* The session's steps in their order only. */
static void test_session_order(void **state)
{
	(void)state;
	struct vt_error err = {0};
	struct vt_session *s = vt_session_new(NULL, &err);
	assert_non_null(s);
	assert_int_equal(vt_session_identify(s, &err), -1); /* nothing read */
	assert_int_equal(err.cause, VT_ERR_USAGE);
	const char *trace = vt_source_path("examples/ust-hello/trace");
	assert_int_equal(vt_session_read(s, trace, &err), 0);
	assert_int_equal(vt_session_identify(s, &err), 0);
	assert_int_equal(vt_session_read(s, trace, &err), -1);
	assert_int_equal(err.cause, VT_ERR_USAGE);
	struct vt_guest_hint hint = {"00000000-0000-0000-0000-000000000001", 42};
	assert_int_equal(vt_session_add_hint(s, &hint, &err), -1);
	assert_int_equal(err.cause, VT_ERR_USAGE);
	vt_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_session_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
