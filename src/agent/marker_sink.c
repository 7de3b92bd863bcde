/* The agent's trace_marker sink: one write() of a marker line
 * (common/marker_format.c) is one ftrace event. */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vt_marker_sink_open(struct vt_marker_sink *m, const struct vt_agent_paths *paths,
			struct vt_error *err)
{
	char a[512], b[512];
	snprintf(a, sizeof(a), "%s/kernel/tracing/trace_marker", vt_agent_sys(paths));
	snprintf(b, sizeof(b), "%s/tracing/trace_marker", vt_agent_debugfs(paths));
	m->fd = open(a, O_WRONLY | O_CLOEXEC);
	if (m->fd >= 0)
		return 0;
	int e = errno;
	m->fd = open(b, O_WRONLY | O_CLOEXEC);
	if (m->fd >= 0)
		return 0;
	return vt_error_set_cause(err, VT_ERR_IO, "%s: %s (tracefs not mounted, or not root?)", a, strerror(e));
}

int vt_marker_sink_open_path(struct vt_marker_sink *m, const char *path, struct vt_error *err)
{
	m->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (m->fd >= 0)
		return 0;
	return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(errno));
}

static void put(struct vt_marker_sink *m, const char *buf, size_t n)
{
	/* A full or disabled buffer only loses the marker; the agent goes on. */
	if (write(m->fd, buf, n) < 0) {
	}
}

static void m_machine(void *ctx, const struct vt_machine_info *mi)
{
	char buf[1024];
	put(ctx, buf, vt_marker_format_machine(buf, sizeof(buf), mi));
}

static void m_begin(void *ctx)
{
	char buf[64];
	put(ctx, buf, vt_marker_format_simple(buf, sizeof(buf), "statedump_begin", -1));
}

static void m_end(void *ctx)
{
	char buf[64];
	put(ctx, buf, vt_marker_format_simple(buf, sizeof(buf), "statedump_end", -1));
}

static void m_guest(void *ctx, const struct vt_guest_info *g)
{
	char buf[2048];
	put(ctx, buf, vt_marker_format_guest(buf, sizeof(buf), "guest", g));
}

static void m_vcpu(void *ctx, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	char buf[512];
	put(ctx, buf, vt_marker_format_vcpu(buf, sizeof(buf), g, v));
}

static void m_created(void *ctx, const struct vt_guest_info *g)
{
	char buf[2048];
	put(ctx, buf, vt_marker_format_guest(buf, sizeof(buf), "guest_created", g));
}

static void m_destroyed(void *ctx, int64_t pid)
{
	char buf[128];
	put(ctx, buf, vt_marker_format_simple(buf, sizeof(buf), "guest_destroyed", pid));
}

static void m_vcpu_books(void *ctx, const struct vt_vcpu_books *b)
{
	char buf[512];
	put(ctx, buf, vt_marker_format_vcpu_books(buf, sizeof(buf), b));
}

static void m_vm_books(void *ctx, const struct vt_vm_books *b)
{
	char buf[512];
	put(ctx, buf, vt_marker_format_vm_books(buf, sizeof(buf), b));
}

static void m_ping(void *ctx, int back, const struct vt_ping *p)
{
	char buf[128];
	put(ctx, buf, vt_marker_format_ping(buf, sizeof(buf), back, p));
}

void vt_marker_sink_init(struct vt_agent_sink *s, struct vt_marker_sink *m)
{
	*s = (struct vt_agent_sink){"ftrace", m, m_machine, m_begin, m_guest, m_vcpu,
				    m_end, m_created, m_destroyed, NULL, m_vcpu_books, m_vm_books, m_ping};
}

void vt_marker_sink_close(struct vt_marker_sink *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}
