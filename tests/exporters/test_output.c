/* Result files: a regular file is replaced only by a whole new one; a
 * device is written in place and stays a device; a folder is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
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
	struct vt_error err = {0};
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
	struct vt_error err = {0};
	assert_int_equal(vt_output_open(&o, "/dev/null", &err), 0);
	fputs("nothing", o.f);
	assert_int_equal(vt_output_close(&o, 1, &err), 0);
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode)); /* not renamed over */
	assert_int_equal(vt_output_open(&o, tmp, &err), -1);
	assert_non_null(strstr(err.msg, "is a folder"));
}

/* A full device: the close says so, with the cause. */
static void test_full_device(void **state)
{
	(void)state;
	struct vt_output o;
	struct vt_error err = {0};
	assert_int_equal(vt_output_open(&o, "/dev/full", &err), 0);
	for (int i = 0; i < 10000; i++)
		fputs("a line of a report that does not fit\n", o.f);
	assert_int_equal(vt_output_close(&o, 1, &err), -1);
	assert_string_equal(err.msg, "/dev/full: cannot write: No space left on device");
}

/* A tree of folders and files, as a CTF export writes. */
static void make_tree(const char *root)
{
	char path[4400];
	assert_int_equal(mkdir(root, 0755), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/m%d", root, i);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/m%d/kernel", root, i);
		assert_int_equal(mkdir(path, 0755), 0);
		for (int f = 0; f < 200; f++) { /* more entries than one getdents64 buffer */
			snprintf(path, sizeof(path), "%s/m%d/kernel/channel0_%d", root, i, f);
			int fd = open(path, O_WRONLY | O_CREAT, 0644);
			assert_true(fd >= 0);
			close(fd);
		}
	}
	snprintf(path, sizeof(path), "%s/m0/link", root);
	assert_int_equal(symlink(tmp, path), 0); /* removed as a link, never followed */
}

static void test_remove_tree(void **state)
{
	(void)state;
	char root[4300];
	snprintf(root, sizeof(root), "%s/tree", tmp);
	make_tree(root);
	assert_int_equal(vt_remove_tree(root), 0);
	assert_int_equal(access(root, F_OK), -1);
	assert_int_equal(access(tmp, F_OK), 0);
	assert_int_equal(vt_remove_tree(root), 0); /* absent is fine */
}

/* A process that registered a file and a folder tree, then is sent SIGTERM
 * or SIGINT: both removed, and it died of that signal. */
static void test_signal_removes(void **state)
{
	(void)state;
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char root[4300], file[4300];
		snprintf(root, sizeof(root), "%s/out.tmp-XXXXXX", tmp);
		snprintf(file, sizeof(file), "%s/report.tmp-XXXXXX", tmp);
		int pipefd[2];
		assert_int_equal(pipe(pipefd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			signal(sigs[i], SIG_DFL);
			vt_cleanup_on_signals("test");
			int h1, h2;
			if (!vt_cleanup_mkdtemp(root, &h1) || vt_cleanup_mkstemp(file, &h2) < 0)
				_exit(2);
			rmdir(root);
			make_tree(root);
			if (write(pipefd[1], "r", 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
		close(pipefd[1]);
		char c;
		assert_int_equal(read(pipefd[0], &c, 1), 1); /* its outputs exist */
		close(pipefd[0]);
		kill(pid, sigs[i]);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sigs[i]);
		struct vt_run run;
		vt_run_shell(&run, "ls -A '%s' | grep -c tmp-", tmp);
		assert_int_equal(atoi(run.out), 0);
		vt_run_free(&run);
	}
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_device_and_folder),
		cmocka_unit_test(test_full_device),
		cmocka_unit_test(test_remove_tree),
		cmocka_unit_test(test_signal_removes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
