/* Reads one guest: its QEMU command line, KVM evidence, vCPU threads and
 * debugfs folder. All of it except debugfs is the process's own word. */
#include "agent/guest.h"
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

/* VM_FD if the process holds a VM fd, NONE if not, UNKNOWN when its fds cannot be listed. */
static enum vt_kvm_evidence fd_evidence(const struct vt_agent_paths *paths, struct vt_guest_info *g)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%" PRId64 "/fd", vt_agent_proc(paths), g->pid);
	DIR *d = opendir(dir);
	if (!d)
		return VT_KVM_UNKNOWN;
	enum vt_kvm_evidence e = VT_KVM_NONE;
	struct dirent *ent;
	size_t seen = 0, unreadable = 0;
	while (e == VT_KVM_NONE && (ent = readdir(d))) {
		char link[512], target[128];
		if (ent->d_name[0] == '.')
			continue;
		if (++seen > VT_AGENT_MAX_DIRENTS) {
			vt_note_add(g->note, sizeof(g->note), "more than %u fds: no VM fd among the first", VT_AGENT_MAX_DIRENTS);
			break;
		}
		snprintf(link, sizeof(link), "%s/%s", dir, ent->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n < 0) {
			/* Listed but not readable (CAP_DAC_READ_SEARCH without CAP_SYS_PTRACE): not "none". */
			unreadable += errno == EACCES || errno == EPERM;
			continue;
		}
		target[n] = '\0';
		if (!strcmp(target, "anon_inode:kvm-vm"))
			e = VT_KVM_VM_FD;
	}
	closedir(d);
	return e == VT_KVM_NONE && unreadable ? VT_KVM_UNKNOWN : e;
}

/* "CPU n/..." (QEMU's vCPU thread names): 1 with *idx, 0 when the name is
 * not one, -1 when n is refused (negative, too large, or cut). */
static int vcpu_thread_index(const char *comm, uint32_t bound, uint32_t *idx)
{
	if (strncmp(comm, "CPU ", 4))
		return 0;
	const char *p = comm + 4;
	size_t digits = strspn(p, "0123456789");
	uint64_t v;
	if (p[0] == '-' || p[0] == '+')
		return -1;
	if (!digits || (p[digits] != '/' && p[digits]))
		return 0;
	if (!p[digits] || vt_parse_decimal(p, digits, UINT32_MAX, &v) < 0 || v >= bound)
		return -1;
	*idx = (uint32_t)v;
	return 1;
}

/* Fills tids[bound] (set to -1 by the caller) from the threads' names;
 * returns the highest index found + 1, -1 when the folder cannot be read. */
static long vcpu_threads(const struct vt_agent_paths *paths, struct vt_guest_info *g, uint32_t bound, int32_t *tids)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%" PRId64 "/task", vt_agent_proc(paths), g->pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	uint32_t n = 0, refused = 0;
	size_t seen = 0;
	struct dirent *e;
	while ((e = readdir(d)) && seen++ < VT_AGENT_MAX_DIRENTS) {
		char path[800], comm[64];
		uint32_t idx;
		uint64_t tid;
		if (vt_parse_decimal(e->d_name, strlen(e->d_name), INT32_MAX, &tid) < 0 || tid == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		if (vt_read_small(path, comm, sizeof(comm)) < 0)
			continue;
		int r = vcpu_thread_index(comm, bound, &idx);
		if (r < 0 || (r > 0 && tids[idx] >= 0)) {
			refused++;
			continue;
		}
		if (r > 0) {
			tids[idx] = (int32_t)tid;
			n = idx + 1 > n ? idx + 1 : n;
		}
	}
	closedir(d);
	if (refused)
		vt_note_add(g->note, sizeof(g->note),
			    "%" PRIu32 " threads named \"CPU n/...\" ignored (n negative, repeated, or not below %" PRIu32 ")",
			    refused, bound);
	return (long)n;
}

static int alloc_vcpus(struct vt_guest_info *g, uint32_t n)
{
	free(g->vcpu);
	g->nvcpu = 0;
	g->vcpu = calloc(n ? n : 1, sizeof(*g->vcpu));
	if (!g->vcpu)
		return -1;
	g->nvcpu = n;
	for (uint32_t i = 0; i < n; i++) {
		g->vcpu[i].vcpu = i;
		g->vcpu[i].tid = -1;
	}
	return 0;
}

/* The command line: uuid (checked), name, QMP path, -smp (bounded). Returns 1
 * when read, 0 when the process is gone, -1 with err. */
static int read_cmdline(const struct vt_agent_paths *paths, struct vt_guest_info *g, struct vt_error *err)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%" PRId64 "/cmdline", vt_agent_proc(paths), g->pid);
	size_t len = 0;
	int cut = 0;
	char *cmd = vt_read_bounded(path, VT_AGENT_MAX_CMDLINE, &len, &cut);
	if (!cmd && (errno == ENOENT || errno == ESRCH))
		return 0;
	if (!cmd)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(errno));
	if (len == 0) { /* a zombie: exited, not yet reaped */
		free(cmd);
		return 0;
	}
	struct vt_qemu_cmdline q;
	vt_qemu_parse_cmdline(cmd, len, &q);
	free(cmd);
	if (cut)
		vt_note_add(g->note, sizeof(g->note), "command line longer than %u bytes: the rest ignored",
			    VT_AGENT_MAX_CMDLINE);
	char quoted[300];
	if (q.uuid[0] && !vt_uuid_valid(q.uuid))
		vt_note_add(g->note, sizeof(g->note), "uuid \"%s\" is not a uuid (8-4-4-4-12 hex digits): left empty",
			    vt_note_quote(q.uuid, quoted, sizeof(quoted)));
	else
		vt_strlcpy(g->uuid, q.uuid, sizeof(g->uuid));
	vt_strlcpy(g->name, q.name, sizeof(g->name));
	vt_strlcpy(g->qmp, q.qmp, sizeof(g->qmp));
	uint32_t smp = q.maxcpus > q.smp ? q.maxcpus : q.smp;
	if (smp > VT_AGENT_MAX_VCPUS)
		vt_note_add(g->note, sizeof(g->note), "-smp %" PRIu32 "%s: more vCPUs than KVM allows (%u): ignored",
			    smp, smp == UINT32_MAX ? " or more" : "", VT_AGENT_MAX_VCPUS);
	else
		g->smp = smp;
	return 1;
}

/* The kernel's word first (its debugfs folder for this pid), then the fds. */
static void find_evidence(const struct vt_agent_paths *paths, const char *stats_path, struct vt_guest_info *g)
{
	if (stats_path && stats_path[0]) {
		char dir[768];
		struct stat st;
		snprintf(dir, sizeof(dir), "%s%s", vt_agent_debugfs(paths), stats_path);
		if (vt_kvm_stats_path_valid(stats_path, g->pid) && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			vt_strlcpy(g->debugfs, dir, sizeof(g->debugfs));
	} else {
		vt_kvm_debugfs_find(paths, g->pid, g->debugfs, sizeof(g->debugfs));
	}
	g->kvm = g->debugfs[0] ? VT_KVM_DEBUGFS : fd_evidence(paths, g);
	g->accel = vt_guest_is_kvm(g) ? VT_ACCEL_KVM : g->kvm == VT_KVM_NONE ? VT_ACCEL_NONE : VT_ACCEL_UNKNOWN;
}

/* vCPUs from thread names (index below debugfs's count, else KVM's maximum);
 * without names: debugfs's count, else -smp. */
static int find_vcpus(const struct vt_agent_paths *paths, struct vt_guest_info *g, struct vt_error *err)
{
	uint32_t ndebug = g->debugfs[0] ? vt_kvm_debugfs_vcpus(g->debugfs) : 0;
	uint32_t bound = ndebug ? ndebug : VT_AGENT_MAX_VCPUS;
	int32_t *tids = malloc(bound * sizeof(*tids));
	if (!tids)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "pid %" PRId64 ": out of memory", g->pid);
	for (uint32_t i = 0; i < bound; i++)
		tids[i] = -1;
	long found = vcpu_threads(paths, g, bound, tids);
	/* Without names, also the bound QMP answers must stay below. */
	uint32_t n = found > 0 ? (uint32_t)found : ndebug ? ndebug : g->smp;
	if (alloc_vcpus(g, n) < 0) {
		free(tids);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "pid %" PRId64 ": out of memory", g->pid);
	}
	for (uint32_t i = 0; found > 0 && i < n; i++)
		if (tids[i] >= 0) {
			g->vcpu[i].tid = tids[i];
			g->tids_from = 1;
		}
	free(tids);
	return 0;
}

int vt_guest_read_local(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *g, struct vt_error *err)
{
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	g->kvm = VT_KVM_UNKNOWN;
	int r = read_cmdline(paths, g, err);
	if (r <= 0) {
		g->gone = r == 0;
		return r;
	}
	find_evidence(paths, stats_path, g);
	return find_vcpus(paths, g, err);
}

int vt_guest_wants_qmp(const struct vt_guest_info *g)
{
	return !g->gone && !g->tids_from && g->qmp[0] && g->nvcpu;
}

void vt_guest_finish(const struct vt_agent_paths *paths, struct vt_guest_info *g)
{
	if (g->gone)
		return;
	g->vcpus = (uint32_t)g->nvcpu;
	if (g->debugfs[0])
		for (size_t i = 0; i < g->nvcpu; i++)
			vt_kvm_debugfs_tsc(g->debugfs, &g->vcpu[i]);
	/* Everything above may have raced with the process exiting. */
	if (!proc_alive(paths, g->pid))
		g->gone = 1;
}

int vt_agent_read_guest(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *g, struct vt_error *err)
{
	if (vt_guest_read_local(paths, pid, stats_path, g, err) < 0) {
		vt_guest_info_free(g);
		return -1;
	}
	if (vt_guest_wants_qmp(g)) {
		struct vt_guest_info *one = g;
		vt_qmp_vcpu_tids(paths, &one, 1, VT_QMP_TIMEOUT_MS);
	}
	vt_guest_finish(paths, g);
	return 0;
}

void vt_guest_info_free(struct vt_guest_info *g)
{
	free(g->vcpu);
	g->vcpu = NULL;
	g->nvcpu = 0;
}
