/* KVM's debugfs folders: DEBUGFS/kvm/PID-FD/vcpuN/tsc-offset and scaling. */
#ifndef VT_AGENT_DEBUGFS_H
#define VT_AGENT_DEBUGFS_H

#include "agent/agent.h"

/* The pid of a VM folder name "PID-FD" (decimal as the kernel writes it, 1 .. INT32_MAX); -1 when not one. */
int vt_kvm_vm_dir_pid(const char *name, int64_t *pid);

/* Is stats_path "/kvm/PID-FD" with that PID? (a uevent's STATS_PATH is joined to DEBUGFS) */
int vt_kvm_stats_path_valid(const char *stats_path, int64_t pid);

/* Calls fn for each PID-FD folder in DEBUGFS/kvm. Returns 0, or -1 (errno set)
 * when the folder cannot be listed. */
int vt_kvm_debugfs_each(const struct vt_agent_paths *paths,
			void (*fn)(void *ctx, int64_t pid, const char *dir), void *ctx);

/* Finds the folder of PID; returns 1 with dir set, 0 when none. */
int vt_kvm_debugfs_find(const struct vt_agent_paths *paths, int64_t pid, char *dir, size_t size);

/* Number of vcpuN folders below dir (highest N + 1, N below VT_AGENT_MAX_VCPUS). */
uint32_t vt_kvm_debugfs_vcpus(const char *dir);

/* Fills the TSC fields of v from dir/vcpuN. */
void vt_kvm_debugfs_tsc(const char *dir, struct vt_vcpu_info *v);

#endif
