/* The statedump: every running guest, from debugfs and from /proc. */
#include "agent/agent.h"
#include "agent/debugfs.h"
#include "agent/guest.h"
#include "agent/util.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Candidate pids, from debugfs (with their folder) and from /proc. */
struct candidate {
	int64_t pid;
	char dir[512]; /* debugfs folder, "" when none */
};

struct pidset {
	struct candidate *c;
	size_t n, cap;
	int oom;
};

static void pidset_add(struct pidset *s, int64_t pid, const char *dir)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct candidate *c = realloc(s->c, cap * sizeof(*c));
		if (!c) {
			s->oom = 1;
			return;
		}
		s->c = c;
		s->cap = cap;
	}
	s->c[s->n].pid = pid;
	vt_strlcpy(s->c[s->n].dir, dir ? dir : "", sizeof(s->c[0].dir));
	s->n++;
}

static void add_debugfs(void *ctx, int64_t pid, const char *dir)
{
	pidset_add(ctx, pid, dir);
}

/* By pid; of one pid, the entry with a debugfs folder first. */
static int by_pid_dir(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return !x->dir[0] - !y->dir[0];
}

static void pidset_unique(struct pidset *s)
{
	if (s->n)
		qsort(s->c, s->n, sizeof(*s->c), by_pid_dir);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!k || s->c[k - 1].pid != s->c[i].pid)
			s->c[k++] = s->c[i];
	s->n = k;
}

/* QEMU processes, KVM or not: unprivileged users still see their own guests. */
static int add_qemu_processes(const struct vt_agent_paths *paths, struct pidset *s, struct vt_error *err)
{
	DIR *d = opendir(vt_agent_proc(paths));
	if (!d)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot list processes: %s", vt_agent_proc(paths), strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		uint64_t pid;
		if (vt_parse_decimal(e->d_name, strlen(e->d_name), INT32_MAX, &pid) < 0 || pid == 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%" PRIu64 "/cmdline", vt_agent_proc(paths), pid);
		/* argv[0] is enough to decide; read only its start. */
		char head[256];
		long n = vt_read_small(path, head, sizeof(head));
		if (n <= 0)
			continue;
		struct vt_qemu_cmdline q;
		vt_qemu_parse_cmdline(head, strnlen(head, (size_t)n), &q);
		if (q.is_qemu)
			pidset_add(s, (int64_t)pid, NULL);
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

static void list_free(struct vt_guest_list *l)
{
	for (size_t j = 0; j < l->n; j++)
		vt_guest_info_free(&l->guests[j]);
	free(l->guests);
	memset(l, 0, sizeof(*l));
}

/* Reads every candidate but for QMP; returns 0 or -1 with err. */
static int read_all(const struct vt_agent_paths *paths, const struct pidset *s, struct vt_guest_list *out,
		    struct vt_error *err)
{
	out->guests = calloc(s->n ? s->n : 1, sizeof(*out->guests));
	if (!out->guests)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "statedump of %zu processes: out of memory", s->n);
	for (size_t i = 0; i < s->n; i++) {
		struct vt_guest_info *g = &out->guests[out->n];
		char rel[600];
		/* Pass "/kvm/PID-FD" so the guest need not list debugfs again. */
		const char *k = strrchr(s->c[i].dir, '/');
		if (k)
			snprintf(rel, sizeof(rel), "/kvm%s", k);
		if (vt_guest_read_local(paths, s->c[i].pid, k ? rel : NULL, g, err) < 0) {
			vt_guest_info_free(g);
			return -1;
		}
		if (g->gone)
			vt_guest_info_free(g);
		else
			out->n++;
	}
	return 0;
}

/* Every guest without vCPU thread names asks its monitor, all at once. */
static int ask_qmp(const struct vt_agent_paths *paths, struct vt_guest_list *out, struct vt_error *err)
{
	struct vt_guest_info **ask = malloc((out->n ? out->n : 1) * sizeof(*ask));
	if (!ask)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "statedump: out of memory");
	size_t n = 0;
	for (size_t i = 0; i < out->n; i++)
		if (vt_guest_wants_qmp(&out->guests[i]))
			ask[n++] = &out->guests[i];
	if (n)
		vt_qmp_vcpu_tids(paths, ask, n, VT_QMP_TIMEOUT_MS);
	free(ask);
	return 0;
}

/* Guests that exited during the dump are left out. */
static void finish_all(const struct vt_agent_paths *paths, struct vt_guest_list *out)
{
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		vt_guest_finish(paths, &out->guests[i]);
		if (out->guests[i].gone) {
			vt_guest_info_free(&out->guests[i]);
			continue;
		}
		if (out->guests[i].kvm == VT_KVM_UNKNOWN)
			out->fds_ok = 0;
		out->guests[k++] = out->guests[i];
	}
	out->n = k;
}

int vt_agent_statedump(const struct vt_agent_paths *paths, struct vt_guest_list *out,
		       struct vt_error *err)
{
	memset(out, 0, sizeof(*out));
	struct pidset s = {0};
	out->debugfs_ok = vt_kvm_debugfs_each(paths, add_debugfs, &s) == 0;
	int errno_kvm = errno;
	if (add_qemu_processes(paths, &s, err) < 0) {
		free(s.c);
		return -1;
	}
	if (s.oom) {
		free(s.c);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "statedump: out of memory");
	}
	pidset_unique(&s);
	out->fds_ok = 1;
	int rc = read_all(paths, &s, out, err);
	free(s.c);
	if (rc < 0 || ask_qmp(paths, out, err) < 0) {
		list_free(out);
		return -1;
	}
	finish_all(paths, out);
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
	list_free(l);
}
