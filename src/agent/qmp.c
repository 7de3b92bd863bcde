/* vCPU thread ids over QMP, for QEMUs whose threads carry no names: every
 * monitor asked at once, under one deadline. The socket path comes from the
 * process's own command line, so root only connects to a socket file of that
 * process's user, and talks only when the listener is that very process. */
#include "agent/agent.h"
#include "agent/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_PARALLEL 64 /* monitors talked to at once (fds) */

enum step { GREETING, CAPABILITIES, CPUS };

struct job {
	const struct vt_agent_paths *paths;
	struct vt_guest_info *g; /* weak */
	int fd;                  /* -1 when not (or no longer) connected */
	enum step step;
	int answered;
	char *buf; /* VT_QMP_MAX_ANSWER bytes (owned) */
	size_t len;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void note(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct job *j, const char *fmt, ...)
{
	char why[256], quoted[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vt_note_add(j->g->note, sizeof(j->g->note), "QMP %s: %s", vt_note_quote(j->g->qmp, quoted, sizeof(quoted)), why);
}

static void finish(struct job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	free(j->buf);
	j->buf = NULL;
}

/* The uids (real, effective, saved, fs) of a process, from PROC/PID/status. */
static int process_uids(const struct vt_agent_paths *paths, int64_t pid, unsigned uids[4])
{
	char path[256], status[4096];
	snprintf(path, sizeof(path), "%s/%" PRId64 "/status", vt_agent_proc(paths), pid);
	if (vt_read_small(path, status, sizeof(status)) < 0)
		return -1;
	const char *u = strstr(status, "\nUid:");
	return u && sscanf(u + 5, "%u %u %u %u", &uids[0], &uids[1], &uids[2], &uids[3]) == 4 ? 0 : -1;
}

/* The socket file, held open (O_PATH) so the inode checked is the one
 * connected to; -1 with a note when it is not the QEMU user's socket. */
static int open_socket_file(struct job *j)
{
	unsigned uids[4];
	if (process_uids(j->paths, j->g->pid, uids) < 0) {
		note(j, "the process's uid cannot be read: not asked");
		return -1;
	}
	int pfd = open(j->g->qmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 || fstat(pfd, &st) < 0) {
		note(j, "%s", strerror(errno));
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode) ||
	    (st.st_uid != uids[0] && st.st_uid != uids[1] && st.st_uid != uids[2] && st.st_uid != uids[3])) {
		note(j, S_ISSOCK(st.st_mode) ? "the socket belongs to uid %u, the QEMU runs as uid %u: not asked"
					     : "not a socket (uid %u, QEMU uid %u): not asked",
		     (unsigned)st.st_uid, uids[1]);
		close(pfd);
		return -1;
	}
	return pfd;
}

static int send_line(struct job *j, const char *cmd)
{
	size_t n = strlen(cmd);
	if (send(j->fd, cmd, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n)
		return 0;
	note(j, "cannot send: %s", strerror(errno));
	finish(j);
	return -1;
}

/* Connects, then checks the listener is the QEMU itself (SO_PEERCRED). */
static void start(struct job *j)
{
	j->fd = -1;
	int pfd = open_socket_file(j);
	if (pfd < 0)
		return;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		note(j, "cannot connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		close(pfd);
		return;
	}
	close(pfd);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.pid != j->g->pid) {
		note(j, "the socket is served by pid %d, not by the QEMU (pid %" PRId64 "): not asked",
		     clen == sizeof(cred) ? (int)cred.pid : -1, j->g->pid);
		close(fd);
		return;
	}
	j->buf = malloc(VT_QMP_MAX_ANSWER);
	if (!j->buf) {
		note(j, "out of memory");
		close(fd);
		return;
	}
	j->fd = fd;
	j->step = GREETING;
	j->len = 0;
}

static int is_thread_of(void *ctx, int64_t tid)
{
	const struct job *j = ctx;
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%" PRId64 "/task/%" PRId64, vt_agent_proc(j->paths), j->g->pid, tid);
	return stat(path, &st) == 0;
}

static void take_cpus(struct job *j, const char *line, size_t len)
{
	struct vt_guest_info *g = j->g;
	int32_t *tids = malloc(g->nvcpu * sizeof(*tids));
	uint32_t refused = 0;
	if (!tids) {
		note(j, "out of memory");
		finish(j);
		return;
	}
	for (size_t i = 0; i < g->nvcpu; i++)
		tids[i] = -1;
	int top = vt_qmp_parse_cpus(line, len, (uint32_t)g->nvcpu, is_thread_of, j, tids, &refused);
	if (refused)
		note(j, "%" PRIu32 " answers refused (cpu-index not below %zu, repeated, or thread-id not a thread "
			"of pid %" PRId64 ")", refused, g->nvcpu, g->pid);
	if (top > 0) {
		for (int i = 0; i < top; i++)
			g->vcpu[i].tid = tids[i];
		g->nvcpu = (size_t)top;
		g->tids_from = 2;
		j->answered = 1;
	} else {
		note(j, "query-cpus-fast gave no usable answer");
	}
	free(tids);
	finish(j);
}

/* One line from the monitor: malformed lines and events are passed over. */
static void on_line(struct job *j, const char *line, size_t len)
{
	enum vt_qmp_msg m = vt_qmp_message(line, len);
	if (m == VT_QMP_BAD || m == VT_QMP_EVENT)
		return;
	if (j->step == GREETING && m == VT_QMP_GREETING) {
		if (send_line(j, "{\"execute\":\"qmp_capabilities\"}\n") == 0)
			j->step = CAPABILITIES;
	} else if (j->step == CAPABILITIES && m == VT_QMP_RETURN) {
		if (send_line(j, "{\"execute\":\"query-cpus-fast\"}\n") == 0)
			j->step = CPUS;
	} else if (j->step == CPUS && m == VT_QMP_RETURN) {
		take_cpus(j, line, len);
	} else if (m == VT_QMP_ERROR && j->step != GREETING) {
		note(j, "%s failed", j->step == CAPABILITIES ? "qmp_capabilities" : "query-cpus-fast");
		finish(j);
	}
}

static void on_readable(struct job *j)
{
	ssize_t got = read(j->fd, j->buf + j->len, VT_QMP_MAX_ANSWER - j->len);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		if (got < 0)
			note(j, "%s", strerror(errno));
		else
			note(j, "the monitor closed the connection");
		finish(j);
		return;
	}
	j->len += (size_t)got;
	char *nl;
	while (j->fd >= 0 && (nl = memchr(j->buf, '\n', j->len))) {
		size_t used = (size_t)(nl - j->buf) + 1;
		on_line(j, j->buf, used - 1);
		if (j->fd < 0)
			return;
		memmove(j->buf, j->buf + used, j->len - used);
		j->len -= used;
	}
	if (j->len == VT_QMP_MAX_ANSWER) {
		note(j, "an answer longer than %u bytes", VT_QMP_MAX_ANSWER);
		finish(j);
	}
}

/* Waits once for any of the open monitors; returns -1 when poll fails. */
static int poll_open(struct job *jobs, size_t upto, int64_t left)
{
	struct pollfd p[QMP_PARALLEL];
	struct job *who[QMP_PARALLEL];
	size_t k = 0;
	for (size_t i = 0; i < upto && k < QMP_PARALLEL; i++)
		if (jobs[i].fd >= 0) {
			p[k] = (struct pollfd){jobs[i].fd, POLLIN, 0};
			who[k++] = &jobs[i];
		}
	int r = poll(p, (nfds_t)k, (int)left);
	if (r < 0 && errno != EINTR)
		return -1;
	for (size_t i = 0; r > 0 && i < k; i++)
		if (p[i].revents)
			on_readable(who[i]);
	return 0;
}

static size_t open_count(const struct job *jobs, size_t upto)
{
	size_t n = 0;
	for (size_t i = 0; i < upto; i++)
		n += jobs[i].fd >= 0;
	return n;
}

size_t vt_qmp_vcpu_tids(const struct vt_agent_paths *paths, struct vt_guest_info *const *g, size_t n,
			int timeout_ms)
{
	struct job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (!jobs) {
		for (size_t i = 0; i < n; i++)
			vt_note_add(g[i]->note, sizeof(g[i]->note), "QMP not asked: out of memory");
		return 0;
	}
	int64_t deadline = now_ms() + timeout_ms;
	size_t started = 0;
	for (;;) {
		size_t open = open_count(jobs, started);
		for (; open < QMP_PARALLEL && started < n && now_ms() < deadline; started++) {
			jobs[started] = (struct job){.paths = paths, .g = g[started], .fd = -1};
			start(&jobs[started]);
			open += jobs[started].fd >= 0;
		}
		int64_t left = deadline - now_ms();
		if (!open || left <= 0 || poll_open(jobs, started, left) < 0)
			break;
	}
	size_t answered = 0;
	for (size_t i = 0; i < n; i++) {
		if (i >= started)
			vt_note_add(g[i]->note, sizeof(g[i]->note), "QMP not asked: the %d ms for all monitors were used up",
				    timeout_ms);
		else if (jobs[i].fd >= 0)
			note(&jobs[i], "no answer within %d ms (monitor busy?)", timeout_ms);
		if (i < started) {
			answered += jobs[i].answered;
			finish(&jobs[i]);
		}
	}
	free(jobs);
	return answered;
}
