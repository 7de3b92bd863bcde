/* Helper programs run with a deadline and bounded output (proc_run.h). */
#include "record/proc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's side of a fork: its own process group, default signals, the
 * given descriptors as stdin/stdout/stderr, then exec. Never returns. */
static void exec_child(const char *const argv[], int in, int out, int errfd)
{
	setpgid(0, 0);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	execvp(argv[0], (char *const *)argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* fork with every signal held, so no handler of ours runs in the child. */
static pid_t fork_quiet(void)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

struct sink {
	char *buf;
	size_t len, cap, max;
	int *truncated;
};

static int sink_read(int fd, struct sink *s)
{
	char tmp[8192];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	size_t keep = (size_t)n;
	if (s->len + keep > s->max) {
		keep = s->max > s->len ? s->max - s->len : 0;
		*s->truncated = 1;
	}
	if (s->len + keep + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + keep + 1)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b) {
			*s->truncated = 1;
			return 1;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, tmp, keep);
	s->len += keep;
	s->buf[s->len] = '\0';
	return 1;
}

static char *or_empty(char *s)
{
	return s ? s : calloc(1, 1);
}

/* Reads both pipes until they close or the deadline passes; 0, or -1 on
 * timeout; 1 when stdout passed its bound and excess ends the read. */
static int drain(int fds[2], struct sink sinks[2], long long deadline, int excess_ends)
{
	int open_fds = 2;
	while (open_fds) {
		if (excess_ends && *sinks[0].truncated)
			return 1;
		struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
		long long left = deadline ? deadline - now_ms() : -1;
		if (deadline && left <= 0)
			return -1;
		int n = poll(p, 2, deadline ? (int)(left > 60000 ? 60000 : left) : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0 && p[i].revents && !sink_read(fds[i], &sinks[i])) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
			}
	}
	return 0;
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int vt_proc_start(const char *const argv[], struct vt_proc *p, struct vt_error *err)
{
	int kill_on_excess = p->kill_on_excess;
	*p = (struct vt_proc){-1, -1, -1, kill_on_excess};
	int po[2], pe[2];
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(po, O_CLOEXEC) < 0) {
		if (devnull >= 0)
			close(devnull);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start: %s", argv[0], strerror(errno));
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		int e = errno;
		close(devnull), close(po[0]), close(po[1]);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start: %s", argv[0], strerror(e));
	}
	pid_t pid = fork_quiet();
	if (pid == 0)
		exec_child(argv, devnull, po[1], pe[1]);
	int e = errno;
	close(devnull), close(po[1]), close(pe[1]);
	if (pid < 0) {
		close(po[0]), close(pe[0]);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start: %s", argv[0], strerror(e));
	}
	p->pid = pid;
	p->out = po[0];
	p->err = pe[0];
	return 0;
}

int vt_proc_collect(struct vt_proc *p, const char *name, long long deadline_ms, size_t max_out,
		    struct vt_proc_result *r, struct vt_error *err)
{
	memset(r, 0, sizeof(*r));
	if (p->pid < 0)
		return vt_error_set(err, "%s: not running", name);
	struct sink sinks[2] = {{NULL, 0, 0, max_out, &r->truncated}, {NULL, 0, 0, max_out, &r->truncated}};
	int fds[2] = {p->out, p->err};
	int ended = drain(fds, sinks, deadline_ms, p->kill_on_excess);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (ended != 0)
		kill(-p->pid, SIGKILL), kill(p->pid, SIGKILL);
	int st = wait_status(p->pid);
	*p = (struct vt_proc){-1, -1, -1, p->kill_on_excess};
	r->status = ended < 0 ? -1 : st;
	r->out = or_empty(sinks[0].buf);
	r->err = or_empty(sinks[1].buf);
	r->out_len = sinks[0].len;
	r->err_len = sinks[1].len;
	if (!r->out || !r->err) {
		vt_proc_result_free(r);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", name);
	}
	if (st == 127) {
		vt_proc_result_free(r);
		return vt_error_set(err, "%s: not found (not installed?)", name);
	}
	return 0;
}

void vt_proc_abandon(struct vt_proc *p)
{
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL), kill(p->pid, SIGKILL);
		wait_status(p->pid);
	}
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	*p = (struct vt_proc){-1, -1, -1, p->kill_on_excess};
}

int vt_proc_run(const char *const argv[], int timeout_ms, size_t max_out, struct vt_proc_result *r,
		struct vt_error *err)
{
	memset(r, 0, sizeof(*r));
	struct vt_proc p = {0};
	if (vt_proc_start(argv, &p, err) < 0)
		return -1;
	return vt_proc_collect(&p, argv[0], timeout_ms > 0 ? now_ms() + timeout_ms : 0, max_out, r, err);
}

void vt_proc_result_free(struct vt_proc_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

pid_t vt_proc_spawn(const char *const argv[], const char *out_path, const char *err_path, struct vt_error *err)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ef = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid_t pid = -1;
	int e = 0;
	if (in >= 0 && out >= 0 && ef >= 0) {
		pid = fork_quiet();
		if (pid == 0)
			exec_child(argv, in, out, ef);
		e = errno;
	} else {
		e = errno;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ef >= 0)
		close(ef);
	if (pid < 0)
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start: %s", argv[0], strerror(e));
	return pid;
}

int vt_proc_stop(pid_t pid, int grace_ms)
{
	kill(pid, SIGTERM);
	long long until = now_ms() + grace_ms;
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= until)
			break;
		struct timespec ts = {0, 20 * 1000000};
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL), kill(pid, SIGKILL);
	return wait_status(pid);
}

const char *vt_proc_last_line(const char *text, char *buf, size_t size)
{
	if (!size)
		return buf;
	buf[0] = '\0';
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > text && start[-1] != '\n')
		start--;
	size_t n = (size_t)(end - start) < size - 1 ? (size_t)(end - start) : size - 1;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return buf;
}
