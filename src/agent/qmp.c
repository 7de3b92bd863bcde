/* vCPU thread ids over QMP, for QEMUs whose threads carry no names. */
#include "vmtrace/agent.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct qmp {
	int fd;
	char buf[65536];
	size_t len;
	int64_t deadline_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Next JSON object that is not an asynchronous event; NULL on timeout/error. */
static json_t *qmp_read(struct qmp *q)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			*nl = '\0';
			json_t *j = json_loads(q->buf, 0, NULL);
			size_t used = (size_t)(nl - q->buf) + 1;
			memmove(q->buf, nl + 1, q->len - used);
			q->len -= used;
			if (j && !json_object_get(j, "event"))
				return j;
			json_decref(j);
			continue;
		}
		int64_t left = q->deadline_ms - now_ms();
		if (left <= 0 || q->len + 1 >= sizeof(q->buf))
			return NULL;
		struct pollfd p = {q->fd, POLLIN, 0};
		if (poll(&p, 1, (int)left) <= 0)
			return NULL;
		ssize_t n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n <= 0)
			return NULL;
		q->len += (size_t)n;
	}
}

static int qmp_send(struct qmp *q, const char *cmd)
{
	size_t n = strlen(cmd);
	return send(q->fd, cmd, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

int vt_qmp_vcpu_tids(const char *socket_path, int timeout_ms, struct vt_guest_info *g,
		     struct vt_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return vt_error_set(err, "%s: socket path too long", socket_path);
	strcpy(sa.sun_path, socket_path);
	struct qmp *q = calloc(1, sizeof(*q));
	q->deadline_ms = now_ms() + timeout_ms;
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (q->fd >= 0)
			close(q->fd);
		free(q);
		return vt_error_set(err, "%s: cannot connect to QMP: %s", socket_path, strerror(e));
	}
	int rc = -1;
	json_t *greet = qmp_read(q), *caps = NULL, *reply = NULL;
	if (!greet || qmp_send(q, "{\"execute\":\"qmp_capabilities\"}\n") < 0 ||
	    !(caps = qmp_read(q)) ||
	    qmp_send(q, "{\"execute\":\"query-cpus-fast\"}\n") < 0 || !(reply = qmp_read(q))) {
		vt_error_set(err, "%s: no QMP answer within %d ms (monitor busy?)", socket_path, timeout_ms);
		goto out;
	}
	json_t *ret = json_object_get(reply, "return");
	if (!json_is_array(ret)) {
		vt_error_set(err, "%s: query-cpus-fast failed", socket_path);
		goto out;
	}
	size_t n = json_array_size(ret);
	uint32_t max = 0;
	for (size_t i = 0; i < n; i++) {
		json_int_t idx = json_integer_value(json_object_get(json_array_get(ret, i), "cpu-index"));
		if (idx >= 0 && (uint32_t)idx + 1 > max)
			max = (uint32_t)idx + 1;
	}
	free(g->vcpu);
	g->vcpu = calloc(max ? max : 1, sizeof(*g->vcpu));
	g->nvcpu = max;
	for (uint32_t i = 0; i < max; i++) {
		g->vcpu[i].vcpu = i;
		g->vcpu[i].tid = -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(ret, i);
		json_int_t idx = json_integer_value(json_object_get(c, "cpu-index"));
		if (idx >= 0 && (uint32_t)idx < max)
			g->vcpu[idx].tid = (int32_t)json_integer_value(json_object_get(c, "thread-id"));
	}
	rc = 0;
out:
	json_decref(greet);
	json_decref(caps);
	json_decref(reply);
	close(q->fd);
	free(q);
	return rc;
}
