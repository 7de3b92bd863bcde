/* Shared by the agent tests: QEMU guests they start (and always kill), uevents
 * injected when the machine has no KVM, a private LTTng session daemon. */
#ifndef VT_AGENT_HELPERS_H
#define VT_AGENT_HELPERS_H

#include <stdint.h>
#include <sys/types.h>

/* How much slower than a normal machine this one is (VT_TEST_SLOW, default 1):
 * every wait of these helpers is that many times longer. The nested testbed's
 * emulated host sets it. */
int vt_h_slow(void);

/* 1 when /dev/kvm works (real KVM guests and uevents), 0 when the tests fall
 * back to TCG guests and uevents injected by root. Prints which, once. */
int vt_h_kvm_mode(void);

/* Skips the test (exit 77, reason printed) without qemu-system-x86_64. */
void vt_h_require_qemu(void);

/* Mounts debugfs and tracefs when absent; returns 0 when both are there. */
int vt_h_mount_debugfs(void);

/* Starts a paused QEMU (-S, no disk) with this uuid, -name NAME,debug-threads=on
 * and vcpus vCPUs; returns its pid once its vCPU threads exist. In TCG mode it
 * also injects the create uevent the kernel would have sent. */
pid_t vt_h_qemu_start(const char *name, const char *uuid, int vcpus);

/* In TCG mode the helpers also make, for each guest they start, the debugfs
 * folder KVM would have made (DIR/kvm/PID-99/vcpuN, readable by anyone) and
 * remove it when they kill the guest: the agent writes a process into traces
 * only with such evidence. "--debugfs DIR " for vmtraced and `vmtrace guests`
 * in TCG mode, "" with real KVM (the kernel's own folders). */
const char *vt_h_debugfs_opt(void);

/* Kills and reaps it (and injects the destroy uevent in TCG mode). */
void vt_h_qemu_kill(pid_t pid);

/* Kills every QEMU and child process these helpers started (atexit too). */
void vt_h_cleanup(void);

/* Sends a KVM uevent as the kernel would (root only): action "create"/"destroy". */
int vt_h_inject_uevent(const char *action, pid_t pid);

/* Starts a background command with stdout/stderr to files; returns its pid. */
pid_t vt_h_spawn(const char *cmd, const char *out_path, const char *err_path);
int vt_h_stop(pid_t pid); /* SIGTERM, wait (SIGKILL after 5 s); its exit status, 128+sig when killed */

/* Waits until FILE contains NEEDLE (count times); returns 0, -1 after timeout_ms x vt_h_slow(). */
int vt_h_wait_for(const char *file, const char *needle, int count, int timeout_ms);
int vt_h_count(const char *file, const char *needle);

/* A private LTTng session daemon: new mount namespace with its own
 * /var/run/lttng (root) so it never meets another one. Returns 0 or -1. */
int vt_h_sessiond_start(const char *home);
void vt_h_sessiond_stop(void);

uint64_t vt_h_now_ns(void);

#endif
