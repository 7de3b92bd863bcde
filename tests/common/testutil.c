#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

static const struct {
	const char *name;
	int ci_ok;
} skip_reasons[] = {
	[VT_SKIP_EMULATOR] = {"emulator", 1},
	[VT_SKIP_NO_KVM_IN_L1] = {"no-kvm-in-l1", 1},
	[VT_SKIP_BUILD_VARIANT] = {"build-variant", 1},
	[VT_SKIP_NO_ROOT] = {"no-root", 0},
	[VT_SKIP_NO_KVM] = {"no-kvm", 0},
	[VT_SKIP_NO_TESTDATA] = {"no-testdata", 0},
	[VT_SKIP_NO_PROGRAM] = {"no-program", 0},
	[VT_SKIP_NO_TESTBED] = {"no-testbed", 0},
	[VT_SKIP_ENVIRONMENT] = {"environment", 0},
	[VT_SKIP_EXTERNAL_DATA] = {"external-data", 1},
};

const char *vt_skip_reason_name(enum vt_skip_reason why)
{
	return skip_reasons[why].name;
}

int vt_skip_allowed_in_ci(enum vt_skip_reason why)
{
	return skip_reasons[why].ci_ok;
}

static int in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/* One line in $VT_SKIP_LOG; a single O_APPEND write, so tests running in
 * parallel never interleave their lines. */
static void log_skip(const char *kind, enum vt_skip_reason why, const char *msg)
{
	const char *log = getenv("VT_SKIP_LOG");
	if (!log || !*log)
		return;
	char line[1200];
	int n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\n", program_invocation_short_name, kind,
			 vt_skip_reason_name(why), msg);
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (write(fd, line, len) < 0)
		fprintf(stderr, "%s: %s\n", log, strerror(errno));
	close(fd);
}

/* Prints and logs one skip; returns 1 when it may skip, 0 when CI forbids it. */
static int skip_says(const char *kind, enum vt_skip_reason why, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	int ok = !in_ci() || vt_skip_allowed_in_ci(why);
	if (ok)
		printf("SKIP%s: %s [%s]\n", *kind == 'p' ? " part" : "", msg, vt_skip_reason_name(why));
	else
		printf("FAIL: CI=true, and CI may not skip for this reason [%s]: %s\n", vt_skip_reason_name(why), msg);
	fflush(stdout);
	log_skip(ok ? kind : "ci-failed", why, msg);
	return ok;
}

void vt_skip(enum vt_skip_reason why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ok = skip_says("test", why, fmt, ap);
	va_end(ap);
	exit(ok ? VT_SKIP_CODE : 1);
}

void vt_skip_part(enum vt_skip_reason why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ok = skip_says("part", why, fmt, ap);
	va_end(ap);
	if (!ok)
		exit(1);
}

void vt_require_testdata(const char *relative)
{
	if (!vt_testdata(relative))
		vt_skip(VT_SKIP_NO_TESTDATA, "%s/testdata/%s is absent (needs ../shared beside the clone)",
			getenv("VT_SHARED_DIR") ? getenv("VT_SHARED_DIR") : VT_SHARED_DIR, relative);
}

void vt_require_program(const char *program)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", program);
	if (system(cmd) != 0)
		vt_skip(VT_SKIP_NO_PROGRAM, "program '%s' is not installed", program);
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
			 "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "
			 "--child-silent-after-fork=yes "
			 "--suppressions='%s/tests/valgrind.supp' '%s/vmtrace'",
			 VT_SOURCE_DIR, VT_BUILD_DIR);
	else
		snprintf(cmd, sizeof(cmd), "'%s/vmtrace'", VT_BUILD_DIR);
	return cmd;
}

size_t vt_each_scenario(void (*fn)(const char *relative, void *ctx), void *ctx)
{
	static const char *const dirs[] = {"scenarios", "scenarios/findings"};
	size_t done = 0;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dp = opendir(vt_source_path(dirs[d]));
		assert_non_null(dp);
		struct dirent *de;
		while ((de = readdir(dp))) {
			size_t len = strlen(de->d_name);
			if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
				continue;
			char relative[600];
			snprintf(relative, sizeof(relative), "%s/%s", dirs[d], de->d_name);
			fn(relative, ctx);
			done++;
		}
		closedir(dp);
	}
	return done;
}
