/* The guest agent connection: who we connect to (the QEMU's own socket), the
 * sync that puts the stream in step, one call's send and bounded receive.
 * A libvirt guest's calls go through virsh instead (qga_virsh.c). */
#include "record/qga.h"

#include "record/qga_virsh.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct vt_qga {
	int fd;
	int64_t pid;               /* the QEMU the listener was checked to be */
	char name[640];            /* "guest agent of pid N (PATH)" */
	struct vt_qga_reader rd;
	unsigned pending;          /* calls sent whose answer was not read */
	int out_of_step;           /* a call failed: sync before the next one */
	int closed;                /* the agent's end closed: nothing more comes */
	struct vt_qga_virsh *virsh; /* libvirt's guest: each call a virsh process (fd -1) */
};

int64_t vt_qga_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *vt_qga_name(const struct vt_qga *q)
{
	return q->name;
}

int vt_qga_named(const struct vt_qga *q, struct vt_error *err)
{
	return err ? vt_error_set(err, "%s: %s", q->name, err->msg) : -1;
}

/* The uids (real, effective, saved, fs) of a process, from PROC/PID/status. */
static int process_uids(const struct vt_agent_paths *paths, int64_t pid, unsigned uids[4])
{
	char path[256], status[4096];
	snprintf(path, sizeof(path), "%s/%" PRId64 "/status", vt_agent_proc(paths), pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, status, sizeof(status) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	status[n] = '\0';
	const char *u = strstr(status, "\nUid:");
	return u && sscanf(u + 5, "%u %u %u %u", &uids[0], &uids[1], &uids[2], &uids[3]) == 4 ? 0 : -1;
}

/* The socket file, held open (O_PATH) so that the inode checked is the one
 * connected to; -1 with err when it is not the QEMU user's socket. */
static int open_socket_file(const struct vt_agent_paths *paths, int64_t pid, const char *path, struct vt_error *err)
{
	unsigned uids[4];
	if (process_uids(paths, pid, uids) < 0)
		return vt_error_set(err, "pid %" PRId64 ": its uid cannot be read (has it exited?)", pid);
	int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 || fstat(pfd, &st) < 0) {
		int e = errno;
		if (pfd >= 0)
			close(pfd);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(e));
	}
	int owned = st.st_uid == uids[0] || st.st_uid == uids[1] || st.st_uid == uids[2] || st.st_uid == uids[3];
	if (!S_ISSOCK(st.st_mode) || !owned) {
		close(pfd);
		if (!S_ISSOCK(st.st_mode))
			return vt_error_set(err, "%s: not a socket (a symlink is not followed): not connected", path);
		return vt_error_set(err, "%s: the socket belongs to uid %u, the QEMU (pid %" PRId64 ") runs as uid %u: "
				    "not connected", path, (unsigned)st.st_uid, pid, uids[1]);
	}
	return pfd;
}

/* Connects through /proc/self/fd/N: the very inode checked, whatever its path
 * became since (and a path longer than sun_path works too). */
static int connect_checked(int pfd, int64_t pid, const char *path, struct vt_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot connect: %s", path,
				    e == EAGAIN ? "its listener's queue is full (another client is served)" : strerror(e));
	}
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || clen != sizeof(cred) || cred.pid != pid) {
		close(fd);
		return vt_error_set(err, "%s: the socket is served by pid %d, not by the QEMU (pid %" PRId64 "): "
				    "not used", path, clen == sizeof(cred) ? (int)cred.pid : -1, pid);
	}
	return fd;
}

struct vt_qga *vt_qga_connect(const struct vt_agent_paths *paths, int64_t pid, const char *path, int64_t deadline,
			      struct vt_error *err)
{
	int pfd = open_socket_file(paths, pid, path, err);
	if (pfd < 0)
		return NULL;
	int fd = connect_checked(pfd, pid, path, err);
	close(pfd);
	if (fd < 0)
		return NULL;
	struct vt_qga *q = calloc(1, sizeof(*q));
	if (!q || vt_qga_reader_init(&q->rd, VT_QGA_MAX_LINE) < 0) {
		free(q);
		close(fd);
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	q->fd = fd;
	q->pid = pid;
	snprintf(q->name, sizeof(q->name), "guest agent of pid %" PRId64 " (%s)", pid, path);
	if (vt_qga_sync(q, deadline, err) < 0) {
		vt_qga_close(q);
		return NULL;
	}
	return q;
}

struct vt_qga *vt_qga_connect_libvirt(const struct vt_qga_libvirt *lv, int64_t pid, const char *uuid,
				      int64_t deadline, struct vt_error *err)
{
	char dom[300];
	struct vt_qga_virsh *v = vt_qga_virsh_open(lv, pid, uuid, deadline, dom, sizeof(dom), err);
	if (!v)
		return NULL;
	struct vt_qga *q = calloc(1, sizeof(*q));
	if (!q) {
		vt_qga_virsh_close(v);
		vt_error_set_cause(err, VT_ERR_NOMEM, "pid %" PRId64 ": out of memory", pid);
		return NULL;
	}
	q->fd = -1;
	q->pid = pid;
	q->virsh = v;
	snprintf(q->name, sizeof(q->name), "guest agent of pid %" PRId64 " (libvirt domain %s, through virsh)", pid,
		 dom);
	return q;
}

int vt_qga_is_libvirt(const struct vt_qga *q)
{
	return q->virsh != NULL;
}

void vt_qga_close(struct vt_qga *q)
{
	if (!q)
		return;
	vt_qga_virsh_close(q->virsh);
	if (q->fd >= 0)
		close(q->fd);
	vt_qga_reader_free(&q->rd);
	free(q);
}

/* Writes all of buf by the deadline (the agent may be slow to read). */
static int write_all(struct vt_qga *q, const char *buf, size_t len, int64_t deadline, struct vt_error *err)
{
	while (len > 0) {
		ssize_t n = send(q->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot send: %s", q->name, strerror(errno));
		int64_t left = deadline - vt_qga_now_ms();
		if (left <= 0)
			return vt_error_set(err, "%s: the agent takes no input (sending timed out)", q->name);
		struct pollfd p = {q->fd, POLLOUT, 0};
		if (poll(&p, 1, (int)(left > 60000 ? 60000 : left)) < 0 && errno != EINTR)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", q->name, strerror(errno));
	}
	return 0;
}

/* Reads what arrived into the reader, waiting for it at most until the deadline. */
static int read_some(struct vt_qga *q, int64_t deadline, struct vt_error *err)
{
	for (;;) {
		/* Past the deadline, what has already arrived is still taken. */
		int64_t left = deadline - vt_qga_now_ms();
		struct pollfd p = {q->fd, POLLIN, 0};
		int r = poll(&p, 1, left <= 0 ? 0 : (int)(left > 60000 ? 60000 : left));
		if (r < 0 && errno != EINTR)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", q->name, strerror(errno));
		if (r == 0 && left <= 0)
			return vt_error_set(err, "%s: no answer in time", q->name);
		if (r <= 0)
			continue;
		size_t room;
		char *at = vt_qga_reader_space(&q->rd, &room);
		ssize_t n = recv(q->fd, at, room, MSG_DONTWAIT);
		if (n > 0) {
			vt_qga_reader_commit(&q->rd, (size_t)n);
			return 0;
		}
		if (n == 0) {
			q->closed = 1;
			return vt_error_set(err, "%s: the connection was closed", q->name);
		}
		if (errno != EAGAIN && errno != EINTR)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", q->name, strerror(errno));
	}
}

/* The next answer line by the deadline. */
static int next_line(struct vt_qga *q, int64_t deadline, const char **line, size_t *len, struct vt_error *err)
{
	for (;;) {
		switch (vt_qga_reader_next(&q->rd, line, len)) {
		case VT_QGA_LINE:
			return 0;
		case VT_QGA_TOO_LONG:
			vt_qga_reader_resync(&q->rd);
			return vt_error_set(err, "%s: an answer longer than %zu bytes", q->name, q->rd.max_line);
		case VT_QGA_MORE:
			if (read_some(q, deadline, err) < 0)
				return -1;
		}
	}
}

static int64_t random_id(void)
{
	uint64_t x = 0;
	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint64_t)vt_qga_now_ms() * 2654435761u ^ (uint64_t)getpid();
	x &= (1ull << 52) - 1; /* exact in any JSON reader */
	return (int64_t)(x ? x : 1);
}

/* Is this line the answer to our sync? A sentinel inside a line starts the
 * answer over (the agent's earlier output may end without a line break). */
static int is_our_sync(const char *line, size_t len, int64_t id)
{
	const char *s = memrchr(line, VT_QGA_SENTINEL, len);
	if (s) {
		len -= (size_t)(s + 1 - line);
		line = s + 1;
	}
	json_t *ret;
	int is_error;
	if (vt_qga_reply_parse(line, len, &ret, &is_error, NULL) < 0)
		return 0;
	int ours = json_is_integer(ret) && json_integer_value(ret) == id;
	json_decref(ret);
	return ours;
}

int vt_qga_sync(struct vt_qga *q, int64_t deadline, struct vt_error *err)
{
	if (q->virsh) /* libvirt syncs its own connection before each call */
		return 0;
	int64_t id = random_id();
	char cmd[160];
	/* The leading sentinel resets the agent's JSON parser, whatever it held. */
	int n = snprintf(cmd, sizeof(cmd), "%c{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%" PRId64 "}}\n",
			 VT_QGA_SENTINEL, id);
	vt_qga_reader_reserve(&q->rd, VT_QGA_MAX_LINE);
	vt_qga_reader_resync(&q->rd);
	q->out_of_step = 1;
	if (write_all(q, cmd, (size_t)n, deadline, err) < 0)
		return -1;
	for (;;) {
		const char *line;
		size_t len;
		struct vt_error e;
		if (next_line(q, deadline, &line, &len, &e) < 0) {
			/* e names the connection too: say it once. */
			size_t nl = strlen(q->name);
			const char *why = !strncmp(e.msg, q->name, nl) && e.msg[nl] == ':' ? e.msg + nl + 2 : e.msg;
			return vt_error_set(err, "%s: no sync answer (is qemu-ga running in the guest?): %s", q->name, why);
		}
		if (is_our_sync(line, len, id)) {
			q->out_of_step = 0;
			q->pending = 0;
			return 0;
		}
	}
}

int vt_qga_send(struct vt_qga *q, const char *command, json_t *args, int64_t deadline, struct vt_error *err)
{
	json_t *cmd = json_pack("{s:s}", "execute", command);
	if (cmd && args)
		json_object_set_new(cmd, "arguments", args);
	else
		json_decref(args);
	char *text = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	json_decref(cmd);
	if (!text)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: %s: out of memory", q->name, command);
	int rc = -1;
	if (q->virsh) {
		if (vt_qga_virsh_send(q->virsh, text, deadline, err) == 0)
			rc = 0;
		else
			vt_qga_named(q, err);
	} else if (q->closed)
		vt_error_set(err, "%s: the connection was closed", q->name);
	else if ((q->out_of_step || q->pending) && vt_qga_sync(q, deadline, err) < 0)
		q->out_of_step = 1;
	else if (write_all(q, text, strlen(text), deadline, err) == 0 && write_all(q, "\n", 1, deadline, err) == 0)
		rc = 0;
	if (rc < 0)
		q->out_of_step = 1;
	else
		q->pending++;
	free(text);
	return rc;
}

/* One virsh call's answer: what it prints is the agent's answer line, checked the same way. */
static int recv_virsh(struct vt_qga *q, size_t max_line, int64_t deadline, json_t **ret, struct vt_error *err)
{
	char *out;
	size_t len;
	int is_error;
	q->pending--;
	if (vt_qga_virsh_recv(q->virsh, max_line, deadline, &out, &len, err) < 0)
		return vt_qga_named(q, err);
	int rc = vt_qga_reply_parse(out, len, ret, &is_error, err);
	free(out);
	return rc < 0 ? vt_qga_named(q, err) : 0;
}

int vt_qga_recv(struct vt_qga *q, size_t max_line, int64_t deadline, json_t **ret, struct vt_error *err)
{
	*ret = NULL;
	if (!q->pending)
		return vt_error_set(err, "%s: no call waits for an answer", q->name);
	if (q->virsh)
		return recv_virsh(q, max_line, deadline, ret, err);
	if (vt_qga_reader_reserve(&q->rd, max_line) < 0)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory for an answer of %zu bytes", q->name, max_line);
	const char *line;
	size_t len;
	int is_error = 0;
	if (next_line(q, deadline, &line, &len, err) < 0) {
		q->out_of_step = 1;
		return -1;
	}
	if (vt_qga_reply_parse(line, len, ret, &is_error, err) < 0) {
		/* The agent's own error keeps the stream in step; anything else may not. */
		if (is_error)
			q->pending--;
		else
			q->out_of_step = 1;
		return vt_qga_named(q, err);
	}
	q->pending--;
	return 0;
}

int vt_qga_call(struct vt_qga *q, const char *command, json_t *args, size_t max_line, int64_t deadline,
		json_t **ret, struct vt_error *err)
{
	*ret = NULL;
	if (vt_qga_send(q, command, args, deadline, err) < 0)
		return -1;
	return vt_qga_recv(q, max_line, deadline, ret, err);
}
