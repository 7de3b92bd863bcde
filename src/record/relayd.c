/* lttng-relayd for `vmtrace record --relay` (relayd.h). */
#include "record/relayd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/text.h"
#include "record/proc_run.h"

static int port_value(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int vt_relayd_parse(struct vt_relayd *r, const char *spec, struct vt_error *err)
{
	char shown[300];
	memset(r, 0, sizeof(*r));
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t alen = c1 ? (size_t)(c1 - spec) : strlen(spec);
	if ((c1 && (!c2 || strchr(c2 + 1, ':'))) || alen == 0 || alen >= 254 ||
	    strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != alen || spec[0] == '-')
		return vt_error_set(err, "--relay: an IPv4 address or host name, optionally :CONTROL_PORT:DATA_PORT, "
					 "not '%s'", vt_text_safe(spec, shown, sizeof(shown)));
	memcpy(r->addr, spec, alen);
	r->addr[alen] = '\0';
	if (c1 && (port_value(c1 + 1, (size_t)(c2 - c1 - 1), &r->ctrl) < 0 ||
		   port_value(c2 + 1, strlen(c2 + 1), &r->data) < 0 || r->ctrl == r->data))
		return vt_error_set(err, "--relay %s: two different ports from 1 to 65535 after the address",
				    vt_text_safe(spec, shown, sizeof(shown)));
	return 0;
}

/* addr:port as an IPv4 socket address; -1 with err when it does not resolve. */
static int resolve(const char *addr, unsigned port, struct sockaddr_in *sa, struct vt_error *err)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(addr, NULL, &hints, &res);
	if (rc != 0 || !res)
		return vt_error_set_cause(err, VT_ERR_IO, "--relay %s: %s", addr, rc ? gai_strerror(rc) : "no IPv4 address");
	memcpy(sa, res->ai_addr, sizeof(*sa));
	sa->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

/* Binds a socket to addr:port to learn whether lttng-relayd could: returns
 * the port bound (the system's choice when port is 0), 0 when it is taken,
 * -1 with err when the address is not this host's. */
static int try_port(const char *addr, unsigned port, struct vt_error *err)
{
	struct sockaddr_in sa;
	if (resolve(addr, port, &sa, err) < 0)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int rc;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		socklen_t len = sizeof(sa);
		rc = getsockname(fd, (struct sockaddr *)&sa, &len) == 0 ? ntohs(sa.sin_port) : 0;
	} else if (errno == EADDRINUSE) {
		rc = 0;
	} else {
		rc = vt_error_set_cause(err, VT_ERR_IO, "--relay %s: cannot listen there: %s (an address of this host the guests reach)",
				  addr, strerror(errno));
	}
	close(fd);
	return rc;
}

/* The ports: those given (which must be free), else 5342/5343, else free ones. */
static int choose_ports(struct vt_relayd *r, unsigned *live, struct vt_error *err)
{
	if (r->ctrl) {
		int a = try_port(r->addr, r->ctrl, err), b = a > 0 ? try_port(r->addr, r->data, err) : a;
		if (a < 0 || b < 0)
			return -1;
		if (!a || !b)
			return vt_error_set(err, "--relay %s: port %u or %u is taken (another lttng-relayd?)", r->addr,
					    r->ctrl, r->data);
	} else {
		int a = try_port(r->addr, 5342, err), b = a >= 0 ? try_port(r->addr, 5343, err) : -1;
		if (a < 0 || b < 0)
			return -1;
		if (a && b) {
			r->ctrl = 5342, r->data = 5343;
		} else {
			a = try_port(r->addr, 0, err);
			b = a > 0 ? try_port(r->addr, 0, err) : a;
			if (a <= 0 || b <= 0 || a == b)
				return a < 0 || b < 0 ? -1 : vt_error_set(err, "--relay %s: no free port", r->addr);
			r->ctrl = (unsigned)a, r->data = (unsigned)b;
		}
	}
	int l = try_port("127.0.0.1", 0, err);
	if (l <= 0)
		return l < 0 ? -1 : vt_error_set(err, "--relay: no free port on 127.0.0.1 for its live port");
	*live = (unsigned)l;
	return 0;
}

static int accepts(const struct vt_relayd *r)
{
	struct sockaddr_in sa;
	struct vt_error e;
	if (resolve(r->addr, r->ctrl, &sa, &e) < 0)
		return 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void log_tail(const char *log, char *buf, size_t size)
{
	char *text = NULL;
	FILE *f = fopen(log, "r");
	if (f) {
		text = calloc(1, 4097);
		if (text && fseek(f, -4096, SEEK_END) != 0)
			rewind(f);
		if (text)
			text[fread(text, 1, 4096, f)] = '\0';
		fclose(f);
	}
	vt_proc_last_line(text ? text : "", buf, size);
	free(text);
}

int vt_relayd_start(struct vt_relayd *r, const char *outdir, struct vt_error *err)
{
	unsigned live = 0;
	char log[4300], ctrl[320], data[320], lv[64];
	if (snprintf(r->dir, sizeof(r->dir), "%s/.relay", outdir) >= (int)sizeof(r->dir) ||
	    snprintf(log, sizeof(log), "%s/relayd.log", r->dir) >= (int)sizeof(log))
		return vt_error_set(err, "%s: path too long", outdir);
	if (choose_ports(r, &live, err) < 0)
		return -1;
	if (mkdir(r->dir, 0700) < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", r->dir, strerror(errno));
	snprintf(ctrl, sizeof(ctrl), "tcp://%s:%u", r->addr, r->ctrl);
	snprintf(data, sizeof(data), "tcp://%s:%u", r->addr, r->data);
	snprintf(lv, sizeof(lv), "tcp://127.0.0.1:%u", live);
	snprintf(r->url, sizeof(r->url), "net://%s:%u:%u", r->addr, r->ctrl, r->data);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", log, strerror(errno));
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return vt_error_set_cause(err, VT_ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* Its own group (a Ctrl-C reaches vmtrace alone), and gone with us. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execlp("lttng-relayd", "lttng-relayd", "-o", r->dir, "-C", ctrl, "-D", data, "-L", lv, (char *)NULL);
		dprintf(2, "lttng-relayd: %s\n", errno == ENOENT ? "not found (lttng-tools)" : strerror(errno));
		_exit(127);
	}
	close(fd);
	r->pid = pid;
	for (int i = 0; i < 100; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			char why[300];
			r->pid = 0;
			log_tail(log, why, sizeof(why));
			return vt_error_set(err, "lttng-relayd ended at once: %s", why[0] ? why : "(no message)");
		}
		if (accepts(r))
			return 0;
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	vt_relayd_stop(r);
	return vt_error_set(err, "lttng-relayd does not accept connections on %s:%u after 5 s", r->addr, r->ctrl);
}

void vt_relayd_stop(struct vt_relayd *r)
{
	if (r->pid > 0)
		vt_proc_stop(r->pid, 5000);
	r->pid = 0;
}

/* "SESSION-YYYYMMDD-HHMMSS" exactly. */
static int is_session_folder(const char *name, const char *session)
{
	size_t n = strlen(session);
	if (strncmp(name, session, n) || name[n] != '-' || strlen(name + n + 1) != 15 || name[n + 9] != '-')
		return 0;
	for (size_t i = n + 1; name[i]; i++)
		if (i != n + 9 && (name[i] < '0' || name[i] > '9'))
			return 0;
	return 1;
}

/* Entries of dir that are folders (never a symbolic link), one at a time. */
static int subdir(DIR *d, char *name, size_t size)
{
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (snprintf(name, size, "%s", e->d_name) < (int)size)
			return 1;
	}
	return 0;
}

int vt_relayd_collect(const struct vt_relayd *r, const char *session, const char *dest, struct vt_error *err)
{
	DIR *top = opendir(r->dir);
	if (!top)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", r->dir, strerror(errno));
	char host[256], found[4800] = "", name[256];
	int count = 0;
	while (subdir(top, host, sizeof(host))) {
		char path[4500];
		snprintf(path, sizeof(path), "%s/%s", r->dir, host);
		DIR *d = opendir(path);
		while (d && subdir(d, name, sizeof(name)))
			if (is_session_folder(name, session) && count++ == 0)
				snprintf(found, sizeof(found), "%s/%s", path, name);
		if (d)
			closedir(d);
	}
	closedir(top);
	if (count == 0)
		return vt_error_set(err, "the relay daemon received nothing of session %s", session);
	if (count > 1)
		return vt_error_set(err, "the relay daemon holds %d folders of session %s: kept in %s", count, session,
				    r->dir);
	if (rename(found, dest) < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot move it to %s: %s", found, dest, strerror(errno));
	return 0;
}

int vt_relayd_finish(struct vt_relayd *r, struct vt_error *err)
{
	DIR *top = opendir(r->dir);
	if (!top)
		return errno == ENOENT ? 0 : vt_error_set_cause(err, VT_ERR_IO, "%s: %s", r->dir, strerror(errno));
	int left = 0;
	struct dirent *e;
	while ((e = readdir(top))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "relayd.log"))
			continue;
		/* A HOSTNAME folder goes when empty: what another machine sent stays. */
		if (unlinkat(dirfd(top), e->d_name, AT_REMOVEDIR) < 0)
			left++;
	}
	closedir(top);
	if (left)
		return vt_error_set(err, "%s: kept: it holds what the relay daemon received and no guest claimed "
					 "(its log: relayd.log)", r->dir);
	char log[4500];
	snprintf(log, sizeof(log), "%s/relayd.log", r->dir);
	unlink(log);
	if (rmdir(r->dir) < 0 && errno != ENOENT)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", r->dir, strerror(errno));
	return 0;
}
