/* Helpers of the ftrace recording tests (record_util.h). */
#include "record_util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/ftrace_tracefs.h"
#include "testutil.h"

void rec_require_tracefs(void)
{
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "recording with ftrace needs root");
	char path[4096];
	int mounted;
	struct vt_error err;
	if (vt_ftrace_tracefs_find(NULL, path, sizeof(path), &mounted, &err))
		vt_skip(VT_SKIP_ENVIRONMENT, "no tracefs: %s", err.msg);
}

/* "COMM-PID [CPU] SEC.NSEC: NAME: REST" (COMM may hold spaces and '-'). */
static int parse_line(char *s, struct rline *l)
{
	char *br = strstr(s, " [");
	while (br && !(isdigit((unsigned char)br[2]) && strchr(br, ']')))
		br = strstr(br + 1, " [");
	if (!br)
		return -1;
	*br = '\0';
	char *dash = strrchr(s, '-');
	if (!dash)
		return -1;
	*dash = '\0';
	while (*s == ' ')
		s++;
	snprintf(l->comm, sizeof(l->comm), "%s", s);
	l->pid = atoi(dash + 1);
	unsigned long long sec, nsec;
	int used = 0;
	if (sscanf(br + 2, "%d] %llu.%llu: %n", &l->cpu, &sec, &nsec, &used) != 3 || !used)
		return -1;
	l->ts_ns = sec * 1000000000ull + nsec;
	char *name = br + 2 + used, *colon = strchr(name, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->rest = colon + 1;
	while (*l->rest == ' ')
		l->rest++;
	return 0;
}

void report_load(struct report *r, const char *dat)
{
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report -t '%s'", dat);
	if (run.status != 0)
		fail_msg("trace-cmd report %s: status %d: %s", dat, run.status, run.err);
	r->text = run.out;
	run.out = NULL;
	vt_run_free(&run);
	size_t cap = vt_count_lines(r->text) + 1;
	r->l = calloc(cap, sizeof(*r->l));
	r->n = 0;
	assert_non_null(r->l);
	char *save = NULL;
	for (char *line = strtok_r(r->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "cpus=", 5) && parse_line(line, &r->l[r->n]) == 0)
			r->n++;
}

void report_free(struct report *r)
{
	free(r->l);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

size_t report_count(const struct report *r, const char *name, int cpu, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += (!name || !strcmp(r->l[i].name, name)) && (cpu < 0 || r->l[i].cpu == cpu) &&
		     (!needle || strstr(r->l[i].rest, needle));
	return n;
}

static char self[4096]; /* this test program, run again as a workload */

static void workload(const char *comm, int cpu, int marker_fd, const char *tag, int n, unsigned sleep_us)
{
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			_exit(2);
	}
	char line[128];
	for (int i = 0; i < n; i++) {
		if (marker_fd >= 0) {
			int len = snprintf(line, sizeof(line), "%s %d\n", tag, i);
			if (write(marker_fd, line, (size_t)len) != len) {
			} /* a full (or stopped) buffer refuses it: the tests count what arrived */
		}
		if (sleep_us) {
			struct timespec ts = {0, (long)sleep_us * 1000};
			nanosleep(&ts, NULL);
		}
	}
	_exit(0);
}

void rec_init(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "--workload"))
		workload(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5], atoi(argv[6]), (unsigned)atoi(argv[7]));
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
}

/* The workload runs in a program of its own (this one, exec'd again): under
 * valgrind it runs natively, and leaves no copy of the parent's heap to
 * report as leaked. */
pid_t spawn_workload(const char *comm, int cpu, int marker_fd, const char *tag, int n, unsigned sleep_us)
{
	assert_true(self[0] != '\0');
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		enum { FD = 100 }; /* the marker's descriptor without its close-on-exec */
		if (marker_fd >= 0 && dup2(marker_fd, FD) != FD)
			_exit(4);
		char a[5][32];
		snprintf(a[0], sizeof(a[0]), "%d", cpu);
		snprintf(a[1], sizeof(a[1]), "%d", marker_fd >= 0 ? FD : -1);
		snprintf(a[2], sizeof(a[2]), "%d", n);
		snprintf(a[3], sizeof(a[3]), "%u", sleep_us);
		execl(self, self, "--workload", comm, a[0], a[1], tag ? tag : "-", a[2], a[3], (char *)NULL);
		_exit(5);
	}
	return pid;
}

void wait_child(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("workload %d: status 0x%x", (int)pid, st);
}

uint64_t capture_stat_sum(const char *capture, const char *key)
{
	DIR *d = opendir(capture);
	assert_non_null(d);
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 7 || strcmp(e->d_name + n - 6, ".stats"))
			continue;
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", capture, e->d_name);
		char *text = vt_read_file(path, NULL);
		assert_non_null(text);
		sum += vt_ftrace_stat_field(text, key);
		free(text);
	}
	closedir(d);
	return sum;
}

int raw_files_whole(const char *dir, unsigned page_size)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int whole = 1;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".raw"))
			continue;
		char path[4200];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(stat(path, &st), 0);
		if (st.st_size % page_size) {
			printf("%s: %lld bytes, not whole pages\n", path, (long long)st.st_size);
			whole = 0;
		}
	}
	closedir(d);
	return whole;
}

void rec_leftovers(const char *guest_capture, const char *const *instances, size_t n)
{
	char path[4400];
	if (guest_capture) {
		snprintf(path, sizeof(path), "%s/.pids", guest_capture);
		FILE *f = fopen(path, "r");
		for (int pid; f && fscanf(f, "%d", &pid) == 1;)
			if (pid > 1)
				kill(pid, SIGKILL);
		if (f)
			fclose(f);
	}
	for (int fd = 3; fd < 4096; fd++)
		close(fd);
	char tracefs[4096];
	int mounted;
	struct vt_error err;
	if (vt_ftrace_tracefs_find(NULL, tracefs, sizeof(tracefs), &mounted, &err))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!instances[i])
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", tracefs, instances[i]);
		if (access(path, F_OK) != 0)
			continue;
		printf("removing the instance %s left by a failure\n", path);
		snprintf(path, sizeof(path), "%s/instances/%s/tracing_on", tracefs, instances[i]);
		vt_ftrace_write_file(path, "0", NULL);
		snprintf(path, sizeof(path), "%s/instances/%s", tracefs, instances[i]);
		usleep(100000); /* a killed reader's dd lets go of its file */
		if (rmdir(path) != 0)
			printf("%s: %s\n", path, strerror(errno));
	}
}
