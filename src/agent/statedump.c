/* The statedump: every running guest, from debugfs and from /proc. */
#include "vmtrace/agent.h"
#include "agent/debugfs.h"
#include "agent/util.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pidset {
	int64_t *pid;
	char (*dir)[512];
	size_t n, cap;
};

static void pidset_add(struct pidset *s, int64_t pid, const char *dir)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pid[i] == pid)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->pid = realloc(s->pid, s->cap * sizeof(*s->pid));
		s->dir = realloc(s->dir, s->cap * sizeof(*s->dir));
	}
	s->pid[s->n] = pid;
	vt_strlcpy(s->dir[s->n], dir ? dir : "", sizeof(s->dir[0]));
	s->n++;
}

static void add_debugfs(void *ctx, int64_t pid, const char *dir)
{
	pidset_add(ctx, pid, dir);
}

/* QEMU processes, KVM or not: unprivileged users still see their own guests. */
static int add_qemu_processes(const struct vt_agent_paths *paths, struct pidset *s, struct vt_error *err)
{
	DIR *d = opendir(vt_agent_proc(paths));
	if (!d)
		return vt_error_set(err, "%s: cannot list processes: %s", vt_agent_proc(paths), strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long long pid = strtoll(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%lld/cmdline", vt_agent_proc(paths), pid);
		/* argv[0] is enough to decide; read only its start. */
		char head[256];
		long n = vt_read_small(path, head, sizeof(head));
		if (n <= 0)
			continue;
		struct vt_qemu_cmdline q;
		vt_qemu_parse_cmdline(head, strnlen(head, (size_t)n), &q);
		if (q.is_qemu)
			pidset_add(s, pid, NULL);
	}
	closedir(d);
	return 0;
}

/* Why DEBUGFS/kvm could not be listed, in the words a user can act on. */
static const char *debugfs_problem(const struct vt_agent_paths *paths, int e)
{
	if (e == EACCES || e == EPERM)
		return "not readable (needs root)";
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/tracing", vt_agent_debugfs(paths));
	DIR *d = opendir(vt_agent_debugfs(paths));
	int empty = 1;
	struct dirent *ent;
	while (d && (ent = readdir(d)))
		if (ent->d_name[0] != '.')
			empty = 0;
	if (d)
		closedir(d);
	if (!d && (errno == EACCES || errno == EPERM))
		return "not readable (needs root)";
	if (empty)
		return "debugfs not mounted (mount -t debugfs none /sys/kernel/debug)";
	if (stat("/dev/kvm", &st) != 0)
		return "absent: KVM is not available on this machine (no /dev/kvm)";
	return "absent (no VM has been created since KVM was loaded?)";
}

static int by_pid(const void *a, const void *b)
{
	const struct vt_guest_info *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

int vt_agent_statedump(const struct vt_agent_paths *paths, struct vt_guest_list *out,
		       struct vt_error *err)
{
	memset(out, 0, sizeof(*out));
	struct pidset s = {0};
	out->debugfs_ok = vt_kvm_debugfs_each(paths, add_debugfs, &s) == 0;
	int errno_kvm = errno;
	if (add_qemu_processes(paths, &s, err) < 0) {
		free(s.pid);
		free(s.dir);
		return -1;
	}
	out->fds_ok = 1;
	out->guests = calloc(s.n ? s.n : 1, sizeof(*out->guests));
	for (size_t i = 0; i < s.n; i++) {
		struct vt_guest_info *g = &out->guests[out->n];
		const char *stats = NULL;
		char rel[512];
		if (s.dir[i][0]) {
			/* Pass "/kvm/PID-FD" so read_guest need not list debugfs again. */
			const char *k = strrchr(s.dir[i], '/');
			snprintf(rel, sizeof(rel), "/kvm%s", k);
			stats = rel;
		}
		if (vt_agent_read_guest(paths, s.pid[i], stats, g, err) < 0) {
			for (size_t j = 0; j < out->n; j++)
				vt_guest_info_free(&out->guests[j]);
			free(out->guests);
			free(s.pid);
			free(s.dir);
			memset(out, 0, sizeof(*out));
			return -1;
		}
		if (g->gone) {
			vt_guest_info_free(g);
			continue;
		}
		if (g->accel == VT_ACCEL_UNKNOWN)
			out->fds_ok = 0;
		out->n++;
	}
	free(s.pid);
	free(s.dir);
	qsort(out->guests, out->n, sizeof(*out->guests), by_pid);
	if (!out->debugfs_ok)
		snprintf(out->note, sizeof(out->note),
			 "%s/kvm: %s: guests come from /proc only (QEMU processes), without "
			 "tsc-offset or scaling", vt_agent_debugfs(paths), debugfs_problem(paths, errno_kvm));
	else if (!out->fds_ok)
		snprintf(out->note, sizeof(out->note),
			 "some QEMU processes' /proc/PID/fd are not readable: whether they use KVM is unknown");
	return 0;
}

void vt_guest_list_free(struct vt_guest_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		vt_guest_info_free(&l->guests[i]);
	free(l->guests);
	memset(l, 0, sizeof(*l));
}
