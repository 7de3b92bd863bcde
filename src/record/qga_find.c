/* The guest agent's socket of a QEMU process: from its command line, and for
 * a chardev passed as fd=N (libvirt) from /proc/PID/fd and /proc/PID/net/unix.
 * The command line and /proc/net/unix are another user's strings: any bytes. */
#include "record/qga_find.h"

#include "agent/qemu_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Arguments longer than this are never the ones we look for: skipped whole. */
#define MAX_ARG 4096

/* Walks NUL-separated arguments; the last need not end with a NUL. */
struct args {
	const char *buf;
	size_t len, pos;
};

/* The next argument into arg; *fits is 0 when it was longer than MAX_ARG - 1. */
static int next_arg(struct args *a, char arg[MAX_ARG], int *fits)
{
	if (a->pos >= a->len)
		return 0;
	const char *s = a->buf + a->pos;
	size_t n = strnlen(s, a->len - a->pos);
	*fits = n < MAX_ARG;
	size_t keep = *fits ? n : 0;
	memcpy(arg, s, keep);
	arg[keep] = '\0';
	a->pos += n + 1;
	return 1;
}

/* "-opt" and "--opt" are the same to QEMU. */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-')
		return "";
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

/* Calls fn(ctx, option, value) for each argument starting with '-' and the one
 * after it, as QEMU pairs them. */
static void each_option(const char *buf, size_t len, void (*fn)(void *ctx, const char *o, const char *v),
			void *ctx)
{
	char arg[MAX_ARG];
	char pending[32] = "";
	struct args a = {buf, len, 0};
	int fits;
	if (!next_arg(&a, arg, &fits)) /* argv[0] */
		return;
	while (next_arg(&a, arg, &fits)) {
		if (pending[0] && fits)
			fn(ctx, pending, arg);
		const char *o = opt_name(arg);
		snprintf(pending, sizeof(pending), "%s", strlen(o) < sizeof(pending) ? o : "");
	}
}

static void copy_json_str(json_t *obj, const char *key, char *out, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(out, size, "%s", s ? s : "");
}

/* -device virtserialport,chardev=ID,name=org.qemu.guest_agent.0, or its
 * JSON form {"driver":"virtserialport",...} (libvirt with QEMU >= 6.0). */
static void on_device(void *ctx, const char *o, const char *v)
{
	struct vt_qga_spec *spec = ctx;
	char driver[64] = "", name[64] = "", chardev[128] = "";
	if (strcmp(o, "device") || spec->chardev[0])
		return;
	if (v[0] == '{') {
		json_t *j = json_loads(v, JSON_REJECT_DUPLICATES, NULL);
		copy_json_str(j, "driver", driver, sizeof(driver));
		copy_json_str(j, "name", name, sizeof(name));
		copy_json_str(j, "chardev", chardev, sizeof(chardev));
		json_decref(j);
	} else {
		vt_qemu_opt_get(v, "driver", "driver", driver, sizeof(driver));
		vt_qemu_opt_get(v, "name", NULL, name, sizeof(name));
		vt_qemu_opt_get(v, "chardev", NULL, chardev, sizeof(chardev));
	}
	if (!strcmp(driver, "virtserialport") && !strcmp(name, VT_QGA_PORT_NAME) && chardev[0])
		snprintf(spec->chardev, sizeof(spec->chardev), "%s", chardev);
}

/* Strict decimal fd number; -1 when not one. */
static int parse_fd(const char *s)
{
	if (!s[0] || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
		return -1;
	return atoi(s);
}

static void on_chardev(void *ctx, const char *o, const char *v)
{
	struct vt_qga_spec *spec = ctx;
	char id[128], fd[16] = "", host[8] = "", port[8] = "";
	if (strcmp(o, "chardev") || !vt_qemu_opt_get(v, "id", NULL, id, sizeof(id)) || strcmp(id, spec->chardev))
		return;
	vt_qemu_opt_get(v, "backend", "backend", spec->backend, sizeof(spec->backend));
	if (!vt_qemu_opt_get(v, "path", NULL, spec->path, sizeof(spec->path)))
		spec->path[0] = '\0';
	spec->fd = vt_qemu_opt_get(v, "fd", NULL, fd, sizeof(fd)) ? parse_fd(fd) : -1;
	spec->server = vt_qemu_opt_bool(v, "server", 0);
	spec->tcp = vt_qemu_opt_get(v, "host", NULL, host, sizeof(host)) ||
		    vt_qemu_opt_get(v, "port", NULL, port, sizeof(port));
}

int vt_qga_parse_cmdline(const char *buf, size_t len, struct vt_qga_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	each_option(buf, len, on_device, out);
	if (!out->chardev[0])
		return 0;
	each_option(buf, len, on_chardev, out);
	return out->backend[0] != '\0';
}

/* ---- /proc ---- */

/* Up to max bytes of a /proc file into a new buffer (NUL-terminated). */
static char *read_bounded(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf && n < max) {
		if (n == cap) {
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		n += (size_t)got;
	}
	int e = errno;
	close(fd);
	errno = e;
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

int vt_qga_net_unix_line(const char *line, size_t len, uint64_t *inode, unsigned *state, char *path, size_t size)
{
	/* "0000000000000000: 00000002 00000000 00010000 0001 01 12345 /path" */
	char head[128];
	size_t n = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
	memcpy(head, line, n);
	head[n] = '\0';
	unsigned long long ino;
	unsigned refs, proto, flags, type, st;
	int used = 0;
	char num[32];
	if (sscanf(head, "%31[0-9a-fA-F]: %8x %8x %8x %4x %2x %llu%n", num, &refs, &proto, &flags, &type, &st,
		   &ino, &used) != 7 ||
	    strlen(num) < 8)
		return 0;
	*inode = ino;
	*state = st;
	const char *p = line + used;
	size_t rest = len - (size_t)used;
	if (rest > 0 && *p != ' ')
		return 0;
	if (rest > 0) {
		p++;
		rest--;
	}
	if (rest >= size || memchr(p, '\0', rest))
		return 0;
	memcpy(path, p, rest);
	path[rest] = '\0';
	return 1;
}

/* Calls fn for each well-formed line of PROC/PID/net/unix (the QEMU's network
 * namespace); returns -1 with err when it cannot be read. */
static int each_unix_socket(const struct vt_agent_paths *paths, int64_t pid,
			    void (*fn)(void *ctx, uint64_t inode, unsigned state, const char *path), void *ctx,
			    struct vt_error *err)
{
	char file[256];
	snprintf(file, sizeof(file), "%s/%" PRId64 "/net/unix", vt_agent_proc(paths), pid);
	size_t len = 0;
	char *buf = read_bounded(file, VT_QGA_MAX_NET_UNIX, &len);
	if (!buf)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", file, strerror(errno));
	char path[512];
	for (char *line = buf; line < buf + len;) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);
		uint64_t inode;
		unsigned state;
		if (vt_qga_net_unix_line(line, n, &inode, &state, path, sizeof(path)))
			fn(ctx, inode, state, path);
		line += n + 1;
	}
	free(buf);
	return 0;
}

struct by_inode {
	uint64_t inode;
	char path[512];
	int found; /* lines naming that inode: more than one is a forged line */
};

static void on_inode(void *ctx, uint64_t inode, unsigned state, const char *path)
{
	struct by_inode *b = ctx;
	(void)state;
	if (inode != b->inode)
		return;
	b->found++;
	snprintf(b->path, sizeof(b->path), "%s", path);
}

/* The path the listening socket QEMU holds as fd N was bound to. */
static int path_of_fd(const struct vt_agent_paths *paths, int64_t pid, int fd, char *out, size_t size,
		      struct vt_error *err)
{
	char link[256], target[128];
	snprintf(link, sizeof(link), "%s/%" PRId64 "/fd/%d", vt_agent_proc(paths), pid, fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", link, strerror(errno));
	target[n] = '\0';
	struct by_inode b = {0};
	if (sscanf(target, "socket:[%" SCNu64 "]", &b.inode) != 1)
		return vt_error_set(err, "%s: the guest agent's chardev fd is not a socket", link);
	if (each_unix_socket(paths, pid, on_inode, &b, err) < 0)
		return -1;
	if (b.found != 1)
		return vt_error_set(err, "%s: socket inode %" PRIu64 " %s in /proc/%" PRId64 "/net/unix", link,
				    b.inode, b.found ? "named more than once" : "not found", pid);
	if (!b.path[0] || b.path[0] == '@')
		return vt_error_set(err, "%s: the guest agent's socket has no file name (abstract or unnamed)", link);
	snprintf(out, size, "%s", b.path);
	return 0;
}

struct peers {
	const char *path;
	int connected;
};

/* An accepted connection carries the listener's path and state 03 (SS_CONNECTED). */
static void on_peer(void *ctx, uint64_t inode, unsigned state, const char *path)
{
	struct peers *p = ctx;
	(void)inode;
	if (state == 3 && !strcmp(path, p->path))
		p->connected++;
}

static int is_libvirt_path(const char *path)
{
	return !strncmp(path, "/var/lib/libvirt/", 17) || !strncmp(path, "/run/libvirt/", 13) ||
	       !strncmp(path, "/var/run/libvirt/", 17) || strstr(path, "/.config/libvirt/") ||
	       strstr(path, "/libvirt/qemu/");
}

static int spec_usable(const struct vt_qga_spec *s, int64_t pid, struct vt_error *err)
{
	if (strcmp(s->backend, "socket"))
		return vt_error_set(err, "pid %" PRId64 ": the guest agent's chardev '%s' is a '%s' chardev, not a socket",
				    pid, s->chardev, s->backend);
	if (s->tcp)
		return vt_error_set(err, "pid %" PRId64 ": the guest agent's chardev '%s' is a TCP socket: only unix "
				    "sockets are used", pid, s->chardev);
	if (!s->path[0] && s->fd < 0)
		return vt_error_set(err, "pid %" PRId64 ": the guest agent's chardev '%s' has neither path= nor fd=",
				    pid, s->chardev);
	if (!s->server)
		return vt_error_set(err, "pid %" PRId64 ": the guest agent's chardev '%s' is a client socket (no "
				    "server=on): QEMU connects out to %s, whose listener talks to the agent",
				    pid, s->chardev, s->path[0] ? s->path : "its peer");
	return 0;
}

int vt_qga_find(const struct vt_agent_paths *paths, int64_t pid, struct vt_qga_endpoint *out, struct vt_error *err)
{
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	char file[256];
	snprintf(file, sizeof(file), "%s/%" PRId64 "/cmdline", vt_agent_proc(paths), pid);
	size_t len = 0;
	char *cmd = read_bounded(file, VT_QGA_MAX_CMDLINE, &len);
	if (!cmd)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", file, errno == ENOENT ? "no such process" : strerror(errno));
	struct vt_qga_spec spec;
	int found = vt_qga_parse_cmdline(cmd, len, &spec);
	free(cmd);
	if (!found && spec.chardev[0])
		return vt_error_set(err, "pid %" PRId64 ": the guest agent's port names chardev '%s', which no "
				    "-chardev defines", pid, spec.chardev);
	if (!found)
		return vt_error_set(err, "pid %" PRId64 ": no guest agent channel on its command line (-chardev "
				    "socket,...,server=on + -device virtserialport,name=" VT_QGA_PORT_NAME ")", pid);
	if (spec_usable(&spec, pid, err) < 0)
		return -1;
	out->from_fd = spec.fd >= 0;
	if (out->from_fd && path_of_fd(paths, pid, spec.fd, out->path, sizeof(out->path), err) < 0)
		return -1;
	if (!out->from_fd)
		snprintf(out->path, sizeof(out->path), "%s", spec.path);
	out->libvirt = out->from_fd || is_libvirt_path(out->path);
	struct peers p = {out->path, 0};
	if (each_unix_socket(paths, pid, on_peer, &p, NULL) == 0)
		out->busy = p.connected > 0;
	return 0;
}

int vt_qga_endpoint_is_libvirt(const struct vt_qga_endpoint *ep)
{
	/* libvirtd holds its channel's one connection; even when it does not yet, taking it would lock libvirt out. */
	return ep->libvirt && (ep->busy || ep->from_fd);
}

int vt_qga_endpoint_usable(const struct vt_qga_endpoint *ep, struct vt_error *err)
{
	if (vt_qga_endpoint_is_libvirt(ep))
		return vt_error_set(err, "pid %" PRId64 ": libvirt owns the guest agent channel (%s): reached "
				    "through `virsh qemu-agent-command`, never connected to", ep->pid, ep->path);
	if (ep->busy)
		return vt_error_set(err, "%s: another client is connected to pid %" PRId64 "'s guest agent socket "
				    "(QEMU serves one at a time)", ep->path, ep->pid);
	return 0;
}
