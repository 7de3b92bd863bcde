/* Every input a fuzzer once broke vmtrace with (the corpus folder VT_FUZZ_CORPUS,
 * relative to the source tree) runs through that fuzz target again, each in a child with a time limit: a crash
 * or a hang fails the test. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* Under valgrind (make test-valgrind) the input runs in this process, so
	 * that valgrind checks it; a crash then fails the whole test. */
	const char *vg = getenv("VT_VALGRIND_CHILDREN");
	if (vg && *vg == '1') {
		alarm(600);
		LLVMFuzzerTestOneInput(buf, n);
		alarm(0);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);
		LLVMFuzzerTestOneInput(buf, n);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: %s %d", path, WIFSIGNALED(status) ? "killed by signal" : "exit",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static void test_corpus(void **state)
{
	(void)state;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", vt_source_path(VT_FUZZ_CORPUS));
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int count = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		printf("input %s\n", e->d_name);
		run_one(path);
		count++;
	}
	closedir(d);
	assert_true(count >= 3);
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
