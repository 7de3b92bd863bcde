#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char path_buf[8][4096];
static int path_next;

static const char *remember(const char *fmt, const char *a, const char *b)
{
	char *buf = path_buf[path_next++ % 8];
	snprintf(buf, sizeof(path_buf[0]), fmt, a, b);
	return buf;
}

const char *vt_testdata(const char *relative)
{
	const char *shared = getenv("VT_SHARED_DIR");
	if (!shared)
		shared = VT_SHARED_DIR;
	const char *p = remember("%s/testdata/%s", shared, relative);
	struct stat st;
	return stat(p, &st) == 0 ? p : NULL;
}

void vt_require_testdata(const char *relative)
{
	if (!vt_testdata(relative)) {
		printf("SKIP: %s/testdata/%s is absent (needs ../shared beside the clone)\n",
		       getenv("VT_SHARED_DIR") ? getenv("VT_SHARED_DIR") : VT_SHARED_DIR, relative);
		exit(VT_SKIP_CODE);
	}
}

void vt_require_program(const char *program)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", program);
	if (system(cmd) != 0) {
		printf("SKIP: program '%s' is not installed\n", program);
		exit(VT_SKIP_CODE);
	}
}

const char *vt_build_path(const char *relative)
{
	return remember("%s/%s", VT_BUILD_DIR, relative);
}

const char *vt_source_path(const char *relative)
{
	return remember("%s/%s", VT_SOURCE_DIR, relative);
}

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	rewind(f);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

void vt_run_shell(struct vt_run *run, const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);

	FILE *out = tmpfile(), *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	fflush(stdout);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	run->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	run->out = slurp(out, &run->out_len);
	run->err = slurp(err, &run->err_len);
	fclose(out);
	fclose(err);
}

void vt_run_free(struct vt_run *run)
{
	free(run->out);
	free(run->err);
	run->out = run->err = NULL;
}

size_t vt_count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

char *vt_mkdtemp(void)
{
	char *p = strdup("/tmp/vmtrace-test-XXXXXX");
	assert_non_null(mkdtemp(p));
	chmod(p, 0755);
	return p;
}

char *vt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	long n = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (n >= 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n + 1))) {
		size_t got = fread(buf, 1, (size_t)n, f);
		buf[got] = '\0';
		if (len)
			*len = got;
		if (got != (size_t)n) { /* a short read: not the whole file */
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

void vt_rmtree(const char *path)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", path);
}

const char *vt_vmtrace_cmd(void)
{
	static char cmd[4600];
	const char *v = getenv("VT_VALGRIND_CHILDREN");
	if (v && *v == '1')
		snprintf(cmd, sizeof(cmd),
			 "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes "
			 "--suppressions='%s/tests/valgrind.supp' '%s/vmtrace'",
			 VT_SOURCE_DIR, VT_BUILD_DIR);
	else
		snprintf(cmd, sizeof(cmd), "'%s/vmtrace'", VT_BUILD_DIR);
	return cmd;
}
