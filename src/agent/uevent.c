/* The kernel's KVM uevents: change@/devices/virtual/misc/kvm with EVENT=create|destroy. */
#include "agent/agent.h"
#include "agent/debugfs.h"
#include "agent/util.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KVM_DEVPATH "/devices/virtual/misc/kvm"

/* "KEY=" at the start of kv: the value after it, else NULL. */
static const char *value_of(const char *kv, const char *key)
{
	size_t n = strlen(key);
	return !strncmp(kv, key, n) ? kv + n : NULL;
}

int vt_uevent_parse(const char *buf, size_t len, struct vt_uevent *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = -1;
	int devpath_ok = 0, action = 0;
	char stats[256] = "";
	/* "ACTION@DEVPATH\0KEY=VALUE\0...": the header line is not a key. */
	size_t i = 0;
	while (i < len) {
		const char *s = buf + i, *v;
		size_t n = strnlen(s, len - i);
		char kv[512];
		vt_strlcpy(kv, "", sizeof(kv));
		if (n < sizeof(kv)) { /* longer ones are none of ours */
			memcpy(kv, s, n);
			kv[n] = '\0';
		}
		uint64_t x;
		if (!strcmp(kv, "DEVPATH=" KVM_DEVPATH))
			devpath_ok = 1;
		else if (!strcmp(kv, "EVENT=create"))
			action = VT_UEVENT_CREATE;
		else if (!strcmp(kv, "EVENT=destroy"))
			action = VT_UEVENT_DESTROY;
		else if ((v = value_of(kv, "PID=")))
			out->pid = vt_parse_decimal(v, strlen(v), INT32_MAX, &x) == 0 && x > 0 ? (int64_t)x : -1;
		else if ((v = value_of(kv, "STATS_PATH=")))
			vt_strlcpy(stats, v, sizeof(stats));
		else if ((v = value_of(kv, "SEQNUM=")))
			out->seqnum = vt_parse_decimal(v, strlen(v), UINT64_MAX, &x) == 0 ? x : 0;
		i += n + 1;
	}
	if (!devpath_ok || !action || out->pid <= 0)
		return 0;
	/* It is joined to the debugfs path: only the kernel's own form. */
	if (vt_kvm_stats_path_valid(stats, out->pid))
		vt_strlcpy(out->stats_path, stats, sizeof(out->stats_path));
	out->action = (enum vt_uevent_action)action;
	return 1;
}

int vt_uevent_open(struct vt_error *err)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "netlink uevent socket: %s", strerror(errno));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return vt_error_set_cause(err, VT_ERR_IO, "netlink uevent group 1: bind: %s", strerror(e));
	}
	/* Bursts of VM churn must not overflow the queue; FORCE needs CAP_NET_ADMIN. */
	int size = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	return fd;
}

int vt_uevent_recv(int fd, int trust_root, struct vt_uevent *out, struct vt_error *err)
{
	char buf[8192];
	char ctrl[CMSG_SPACE(sizeof(struct ucred))];
	struct sockaddr_nl from;
	struct iovec iov = {buf, sizeof(buf) - 1};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
	ssize_t n = recvmsg(fd, &msg, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENOBUFS)
			return -2;
		return vt_error_set_cause(err, VT_ERR_IO, "netlink uevent socket: recv: %s", strerror(errno));
	}
	buf[n] = '\0';
	/* Only the kernel (port 0) speaks for KVM; root senders only when trusted. */
	if (from.nl_pid != 0) {
		if (!trust_root)
			return 0;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS)
			return 0;
		struct ucred cred;
		memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		if (cred.uid != 0)
			return 0;
	}
	return vt_uevent_parse(buf, (size_t)n, out);
}
