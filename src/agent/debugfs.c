#include "agent/debugfs.h"
#include "agent/util.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel writes numbers without leading zeros. */
static int canonical(const char *s, size_t n, uint64_t *v)
{
	return (n > 1 && s[0] == '0') ? -1 : vt_parse_decimal(s, n, INT32_MAX, v);
}

int vt_kvm_vm_dir_pid(const char *name, int64_t *pid)
{
	size_t dash = strcspn(name, "-");
	uint64_t p, fd;
	if (!name[dash] || canonical(name, dash, &p) < 0 || p == 0 ||
	    canonical(name + dash + 1, strlen(name + dash + 1), &fd) < 0)
		return -1;
	*pid = (int64_t)p;
	return 0;
}

int vt_kvm_stats_path_valid(const char *stats_path, int64_t pid)
{
	int64_t p;
	return !strncmp(stats_path, "/kvm/", 5) && vt_kvm_vm_dir_pid(stats_path + 5, &p) == 0 && p == pid;
}

int vt_kvm_debugfs_each(const struct vt_agent_paths *paths,
			void (*fn)(void *ctx, int64_t pid, const char *dir), void *ctx)
{
	char root[512];
	snprintf(root, sizeof(root), "%s/kvm", vt_agent_debugfs(paths));
	DIR *d = opendir(root);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		int64_t pid;
		/* VM folders are "PID-FD"; the rest are global statistics files. */
		if (vt_kvm_vm_dir_pid(e->d_name, &pid) < 0)
			continue;
		char dir[768];
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		fn(ctx, pid, dir);
	}
	closedir(d);
	return 0;
}

struct find_ctx {
	int64_t pid;
	char *dir;
	size_t size;
	int found;
};

static void find_one(void *ctx, int64_t pid, const char *dir)
{
	struct find_ctx *f = ctx;
	if (pid == f->pid && !f->found) {
		vt_strlcpy(f->dir, dir, f->size);
		f->found = 1;
	}
}

int vt_kvm_debugfs_find(const struct vt_agent_paths *paths, int64_t pid, char *dir, size_t size)
{
	struct find_ctx f = {pid, dir, size, 0};
	if (vt_kvm_debugfs_each(paths, find_one, &f) < 0)
		return 0;
	return f.found;
}

uint32_t vt_kvm_debugfs_vcpus(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	uint32_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		uint64_t idx;
		if (!strncmp(e->d_name, "vcpu", 4) &&
		    vt_parse_decimal(e->d_name + 4, strlen(e->d_name + 4), VT_AGENT_MAX_VCPUS - 1, &idx) == 0 &&
		    idx + 1 > n)
			n = (uint32_t)idx + 1;
	}
	closedir(d);
	return n;
}

void vt_kvm_debugfs_tsc(const char *dir, struct vt_vcpu_info *v)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/vcpu%" PRIu32 "/tsc-offset", dir, v->vcpu);
	v->has_tsc = vt_read_i64(path, &v->tsc_offset) == 0;
	/* Scaling files exist only where the hardware scales the TSC. */
	uint64_t ratio = 0, bits = 0;
	snprintf(path, sizeof(path), "%s/vcpu%" PRIu32 "/tsc-scaling-ratio", dir, v->vcpu);
	if (vt_read_u64(path, &ratio) == 0) {
		snprintf(path, sizeof(path), "%s/vcpu%" PRIu32 "/tsc-scaling-ratio-frac-bits", dir, v->vcpu);
		if (vt_read_u64(path, &bits) == 0) {
			v->tsc_scaling_ratio = ratio;
			v->tsc_scaling_frac_bits = (uint32_t)bits;
		}
	}
}
