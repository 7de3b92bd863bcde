/* Result files: a regular file is replaced only by a whole new one; a
 * device is written in place and stays a device; a folder is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/output.h"
#include "testutil.h"

static char *tmp;

static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_regular_file(void **state)
{
	(void)state;
	char path[4200], buf[64];
	snprintf(path, sizeof(path), "%s/report", tmp);
	FILE *f = fopen(path, "w");
	fputs("old", f);
	fclose(f);
	struct vt_output o;
	struct vt_error err = {{0}};
	assert_int_equal(vt_output_open(&o, path, &err), 0);
	fputs("half", o.f);
	assert_int_equal(vt_output_close(&o, 0, &err), -1); /* failed midway: the old one stays */
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "old");
	assert_int_equal(vt_output_open(&o, path, &err), 0);
	fputs("new", o.f);
	assert_int_equal(vt_output_close(&o, 1, &err), 0);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "new");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	struct vt_run run; /* no temporary file left beside it */
	vt_run_shell(&run, "ls '%s' | wc -l", tmp);
	assert_int_equal(atoi(run.out), 1);
	vt_run_free(&run);
}

static void test_device_and_folder(void **state)
{
	(void)state;
	struct vt_output o;
	struct vt_error err = {{0}};
	assert_int_equal(vt_output_open(&o, "/dev/null", &err), 0);
	fputs("nothing", o.f);
	assert_int_equal(vt_output_close(&o, 1, &err), 0);
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode)); /* not renamed over */
	assert_int_equal(vt_output_open(&o, tmp, &err), -1);
	assert_non_null(strstr(err.msg, "is a folder"));
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_device_and_folder),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
