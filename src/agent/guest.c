/* Reads one guest: its QEMU command line, vCPU threads and debugfs folder. */
#include "vmtrace/agent.h"
#include "agent/debugfs.h"
#include "agent/util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int proc_alive(const struct vt_agent_paths *paths, int64_t pid)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%" PRId64, vt_agent_proc(paths), pid);
	return stat(path, &st) == 0;
}

/* KVM if the process holds a VM fd; UNKNOWN when its fds cannot be listed. */
static enum vt_accel fd_accel(const struct vt_agent_paths *paths, int64_t pid)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%" PRId64 "/fd", vt_agent_proc(paths), pid);
	DIR *d = opendir(dir);
	if (!d)
		return VT_ACCEL_UNKNOWN;
	enum vt_accel a = VT_ACCEL_NONE;
	struct dirent *e;
	while ((e = readdir(d)) && a != VT_ACCEL_KVM) {
		char link[512], target[128];
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, "anon_inode:kvm-vm"))
			a = VT_ACCEL_KVM;
	}
	closedir(d);
	return a;
}

struct vcpu_tid {
	uint32_t vcpu;
	int32_t tid;
};

/* vCPU threads are named "CPU n/KVM" (or /TCG) under -name ...,debug-threads=on. */
static size_t vcpu_threads(const struct vt_agent_paths *paths, int64_t pid, struct vcpu_tid **out)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%" PRId64 "/task", vt_agent_proc(paths), pid);
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[800], comm[64];
		unsigned idx;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		if (vt_read_small(path, comm, sizeof(comm)) < 0)
			continue;
		if (sscanf(comm, "CPU %u/", &idx) != 1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = realloc(*out, cap * sizeof(**out));
		}
		(*out)[n].vcpu = idx;
		(*out)[n].tid = (int32_t)strtol(e->d_name, NULL, 10);
		n++;
	}
	closedir(d);
	return n;
}

static void alloc_vcpus(struct vt_guest_info *g, uint32_t n)
{
	free(g->vcpu);
	g->vcpu = calloc(n ? n : 1, sizeof(*g->vcpu));
	g->nvcpu = n;
	for (uint32_t i = 0; i < n; i++) {
		g->vcpu[i].vcpu = i;
		g->vcpu[i].tid = -1;
	}
}

int vt_agent_read_guest(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *g, struct vt_error *err)
{
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	char path[512];
	snprintf(path, sizeof(path), "%s/%" PRId64 "/cmdline", vt_agent_proc(paths), pid);
	size_t len = 0;
	char *cmd = vt_read_all(path, &len);
	if (!cmd) {
		if (errno == ENOENT || errno == ESRCH) {
			g->gone = 1;
			return 0;
		}
		return vt_error_set(err, "%s: %s", path, strerror(errno));
	}
	if (len == 0) { /* a zombie: exited, not yet reaped */
		free(cmd);
		g->gone = 1;
		return 0;
	}
	struct vt_qemu_cmdline q;
	vt_qemu_parse_cmdline(cmd, len, &q);
	free(cmd);
	vt_strlcpy(g->uuid, q.uuid, sizeof(g->uuid));
	vt_strlcpy(g->name, q.name, sizeof(g->name));
	vt_strlcpy(g->qmp, q.qmp, sizeof(g->qmp));

	if (stats_path && stats_path[0]) {
		char dir[768];
		struct stat st;
		snprintf(dir, sizeof(dir), "%s%s", vt_agent_debugfs(paths), stats_path);
		if (stat(dir, &st) == 0)
			vt_strlcpy(g->debugfs, dir, sizeof(g->debugfs));
	} else {
		vt_kvm_debugfs_find(paths, pid, g->debugfs, sizeof(g->debugfs));
	}
	g->accel = g->debugfs[0] ? VT_ACCEL_KVM : fd_accel(paths, pid);

	struct vcpu_tid *t;
	size_t nt = vcpu_threads(paths, pid, &t);
	uint32_t n = 0;
	for (size_t i = 0; i < nt; i++)
		if (t[i].vcpu + 1 > n)
			n = t[i].vcpu + 1;
	uint32_t ndebug = g->debugfs[0] ? vt_kvm_debugfs_vcpus(g->debugfs) : 0;
	if (!n)
		n = ndebug;
	if (!n && !g->qmp[0])
		n = q.smp;
	alloc_vcpus(g, n);
	for (size_t i = 0; i < nt; i++) {
		g->vcpu[t[i].vcpu].tid = t[i].tid;
		g->tids_from = 1;
	}
	free(t);
	if (!nt && g->qmp[0]) {
		/* No thread names: ask QEMU. A busy or absent monitor only costs the tids. */
		struct vt_error qerr;
		if (vt_qmp_vcpu_tids(g->qmp, 500, g, &qerr) == 0)
			g->tids_from = 2;
		else if (!g->nvcpu)
			alloc_vcpus(g, q.smp);
	}
	g->vcpus = (uint32_t)g->nvcpu;
	if (g->debugfs[0])
		for (size_t i = 0; i < g->nvcpu; i++)
			vt_kvm_debugfs_tsc(g->debugfs, &g->vcpu[i]);
	/* Everything above may have raced with the process exiting. */
	if (!proc_alive(paths, pid))
		g->gone = 1;
	return 0;
}

void vt_guest_info_free(struct vt_guest_info *g)
{
	free(g->vcpu);
	g->vcpu = NULL;
	g->nvcpu = 0;
}
