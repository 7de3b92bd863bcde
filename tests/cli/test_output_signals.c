/* SIGINT and SIGTERM in the middle of a run that writes a result: the
 * command dies of that signal (as shells expect), no temporary file or folder
 * is left, the earlier result is untouched, and vmtrace-sim runs again into
 * the same folder. The signal is sent once the temporary output exists. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clitest.h"
#include "testutil.h"

static char *tmp, big[4200];

/* Does dir hold an entry whose name starts with prefix? */
static int has_entry(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return found;
}

static pid_t start(char *const argv[])
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGINT, SIG_DFL); /* a runner may have them ignored */
		signal(SIGTERM, SIG_DFL);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Starts argv, waits until `dir` holds an entry named prefix..., sends sig,
 * and checks that the command died of it. */
static void interrupt(char *const argv[], const char *dir, const char *prefix, int sig)
{
	pid_t pid = start(argv);
	int status;
	while (!has_entry(dir, prefix)) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			fail_msg("%s finished (status %d) before its temporary output appeared", argv[1], status);
		usleep(1000);
	}
	assert_int_equal(kill(pid, sig), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	printf("%s %s: %s %d\n", argv[1], argv[2], WIFSIGNALED(status) ? "killed by signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
}

static void test_export_ctf(void **state)
{
	(void)state;
	static const int sigs[] = {SIGINT, SIGTERM};
	for (size_t i = 0; i < 2; i++) {
		char out[4300];
		snprintf(out, sizeof(out), "%s/ctf%zu", tmp, i);
		mkdir(out, 0755); /* the result: an empty folder, still one after */
		char *argv[] = {(char *)vt_build_path("vmtrace"), "export", "--ctf", out, big, NULL};
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "ctf%zu.tmp-", i);
		interrupt(argv, tmp, prefix, sigs[i]);
		assert_int_equal(cli_leftovers(tmp), 0);
		assert_int_equal(cli_entries(out), 0);
	}
}

static void test_export_perfetto(void **state)
{
	(void)state;
	static const int sigs[] = {SIGINT, SIGTERM};
	for (size_t i = 0; i < 2; i++) {
		char out[4300];
		snprintf(out, sizeof(out), "%s/trace%zu.json", tmp, i);
		cli_write(out, "earlier trace");
		char *argv[] = {(char *)vt_build_path("vmtrace"), "export", "--perfetto", out, big, NULL};
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "trace%zu.json.tmp-", i);
		interrupt(argv, tmp, prefix, sigs[i]);
		assert_int_equal(cli_leftovers(tmp), 0);
		assert_true(cli_holds(out, "earlier trace"));
	}
}

static void rerun_sim(const char *out)
{
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 100", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/host-only.json"), out);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
}

static void test_simulator(void **state)
{
	(void)state;
	char out[4300], truth[4400], *before;
	/* into an earlier output: its temporary folder is inside, the earlier run stays */
	snprintf(out, sizeof(out), "%s/simout", tmp);
	cli_simulate("host-only", out, "-d 100");
	snprintf(truth, sizeof(truth), "%s/truth.json", out);
	before = vt_read_file(truth, NULL);
	assert_non_null(before);
	char *argv[] = {(char *)vt_build_path("vmtrace-sim"), (char *)vt_source_path("scenarios/large.json"), "-o", out,
			"-d", "60000", NULL};
	interrupt(argv, out, ".vmtrace-sim.tmp-", SIGINT);
	assert_int_equal(cli_leftovers(tmp), 0);
	assert_true(cli_holds(truth, before));
	free(before);
	rerun_sim(out);
	/* into a new folder: its temporary folder is beside, and nothing stays */
	snprintf(out, sizeof(out), "%s/newsim", tmp);
	argv[3] = out;
	interrupt(argv, tmp, "newsim.tmp-", SIGTERM);
	assert_int_equal(cli_leftovers(tmp), 0);
	assert_int_equal(access(out, F_OK), -1);
	rerun_sim(out);
}

int main(void)
{
	tmp = vt_mkdtemp();
	snprintf(big, sizeof(big), "%s/big", tmp);
	/* big enough that every command runs for seconds after its temporary output appears */
	cli_simulate("large", big, "-d 1000");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_ctf),
		cmocka_unit_test(test_export_perfetto),
		cmocka_unit_test(test_simulator),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
