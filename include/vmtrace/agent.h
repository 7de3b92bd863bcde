/* vmtrace agent: what vmtraced and `vmtrace guests|watch|clock-check` know of
 * the machine they run on. Host side: a statedump of the running guests (QEMU
 * processes, their uuid, name, vCPU threads and TSC offsets) and the kernel's
 * KVM create/destroy uevents. Guest side: the machine identity and a check of
 * the ptp_kvm + chrony clock setup. Sinks turn these into trace events; the
 * LTTng-UST sink lives in vmtraced only, so this library never loads lttng-ust. */
#ifndef VMTRACE_AGENT_H
#define VMTRACE_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmtrace/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the agent looks; NULL members mean the real system paths. Tests point
 * them at fake trees. */
struct vt_agent_paths {
	const char *proc;    /* "/proc" */
	const char *debugfs; /* "/sys/kernel/debug" */
	const char *sys;     /* "/sys" */
	const char *etc;     /* "/etc" */
};

const char *vt_agent_proc(const struct vt_agent_paths *p);
const char *vt_agent_debugfs(const struct vt_agent_paths *p);
const char *vt_agent_sys(const struct vt_agent_paths *p);
const char *vt_agent_etc(const struct vt_agent_paths *p);

/* ---- QEMU command line ---- */

struct vt_qemu_cmdline {
	char uuid[64];      /* -uuid, or -smbios type=1,uuid= ; "" when absent */
	char name[256];     /* -name guest=X or -name X ; "" when absent */
	char qmp[512];      /* path of a -qmp unix: socket, or of a -chardev socket used by -mon mode=control */
	uint32_t smp;       /* vCPUs asked for by -smp, 1 when absent */
	int is_qemu;        /* argv[0] looks like a QEMU system emulator */
};

/* Parses a NUL-separated /proc/PID/cmdline buffer. */
void vt_qemu_parse_cmdline(const char *buf, size_t len, struct vt_qemu_cmdline *out);

/* ---- statedump ---- */

struct vt_vcpu_info {
	uint32_t vcpu;
	int32_t tid;                    /* -1 when unknown */
	int64_t tsc_offset;             /* valid when has_tsc */
	uint64_t tsc_scaling_ratio;     /* 0 when the hardware does not scale */
	uint32_t tsc_scaling_frac_bits;
	int has_tsc;
};

enum vt_accel { VT_ACCEL_UNKNOWN = 0, VT_ACCEL_KVM, VT_ACCEL_NONE };

struct vt_guest_info {
	int64_t pid;
	char uuid[64];
	char name[256];
	char debugfs[512]; /* /sys/kernel/debug/kvm/PID-FD, "" when not readable */
	char qmp[512];
	uint32_t vcpus;    /* count of vCPUs known (threads, debugfs or -smp) */
	enum vt_accel accel;
	int gone;          /* the process exited while it was read */
	int tids_from;     /* 0 none, 1 thread names, 2 QMP */
	struct vt_vcpu_info *vcpu; /* nvcpu entries, by vCPU index */
	size_t nvcpu;
};

struct vt_guest_list {
	struct vt_guest_info *guests;
	size_t n;
	int debugfs_ok; /* DEBUGFS/kvm could be listed */
	int fds_ok;     /* every QEMU's /proc/PID/fd could be read */
	char note[512]; /* what was missing and what that costs, "" when all was there */
};

/* Reads one guest by pid (stats_path: the uevent's STATS_PATH, "/kvm/PID-FD",
 * or NULL to find it). Returns 0 with *out filled (out->gone set when the
 * process had already exited), -1 with err set. Free with vt_guest_info_free. */
int vt_agent_read_guest(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *out, struct vt_error *err);
void vt_guest_info_free(struct vt_guest_info *g);

/* Finds every running guest (debugfs kvm folders, and QEMU processes in /proc),
 * sorted by pid. Guests that exit while read are left out. */
int vt_agent_statedump(const struct vt_agent_paths *paths, struct vt_guest_list *out,
		       struct vt_error *err);
void vt_guest_list_free(struct vt_guest_list *l);

/* vCPU thread ids over QMP query-cpus-fast (timeout in ms). Fills g->vcpu. */
int vt_qmp_vcpu_tids(const char *socket_path, int timeout_ms, struct vt_guest_info *g,
		     struct vt_error *err);

/* ---- uevents ---- */

enum vt_uevent_action { VT_UEVENT_CREATE = 1, VT_UEVENT_DESTROY = 2 };

struct vt_uevent {
	enum vt_uevent_action action;
	int64_t pid;
	char stats_path[256]; /* "/kvm/PID-FD", "" when absent */
	uint64_t seqnum;      /* 0 when absent */
};

/* Parses one NETLINK_KOBJECT_UEVENT datagram. Returns 1 for a KVM create or
 * destroy with *out set, 0 for any other uevent. */
int vt_uevent_parse(const char *buf, size_t len, struct vt_uevent *out);

/* Opens a blocking netlink socket on the kernel's uevent group. Returns the fd or -1. */
int vt_uevent_open(struct vt_error *err);

/* Receives one datagram (blocking unless the fd is non-blocking). Returns 1 for
 * a KVM event, 0 for something else (or EAGAIN), -1 with err set, and -2 when
 * the kernel dropped messages (ENOBUFS): the caller should resynchronize.
 * trust_root: also accept uevents sent by root processes (tests), not only the kernel. */
int vt_uevent_recv(int fd, int trust_root, struct vt_uevent *out, struct vt_error *err);

/* ---- guest side ---- */

struct vt_machine_info {
	char product_uuid[64]; /* "" when not readable (root only) */
	char machine_id[64];
	char boot_id[64];
	char hostname[256];
	char note[256];        /* what could not be read */
};

void vt_machine_read(const struct vt_agent_paths *paths, struct vt_machine_info *out);

/* ---- sinks ---- */

struct vt_agent_sink {
	const char *name;
	void *ctx;
	void (*machine)(void *ctx, const struct vt_machine_info *m);
	void (*statedump_begin)(void *ctx);
	void (*guest)(void *ctx, const struct vt_guest_info *g);
	void (*guest_vcpu)(void *ctx, const struct vt_guest_info *g, const struct vt_vcpu_info *v);
	void (*statedump_end)(void *ctx);
	void (*guest_created)(void *ctx, const struct vt_guest_info *g);
	void (*guest_destroyed)(void *ctx, int64_t pid);
};

void vt_agent_emit_statedump(const struct vt_agent_sink *sinks, size_t n,
			     const struct vt_guest_list *l);
void vt_agent_emit_vcpus(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g);

/* JSON lines, one event an object, on a FILE (flushed after each line). */
void vt_json_sink_init(struct vt_agent_sink *s, FILE *out);

/* ftrace trace_marker lines; see docs/agent.md for the format. */
struct vt_marker_sink {
	int fd;
};
/* Opens TRACEFS/trace_marker (tracefs, then debugfs/tracing). Returns 0 or -1. */
int vt_marker_sink_open(struct vt_marker_sink *m, const struct vt_agent_paths *paths,
			struct vt_error *err);
void vt_marker_sink_init(struct vt_agent_sink *s, struct vt_marker_sink *m);
void vt_marker_sink_close(struct vt_marker_sink *m);

/* Formats one marker line (with its newline) into buf; returns its length. */
size_t vt_marker_format_guest(char *buf, size_t size, const char *event, const struct vt_guest_info *g);
size_t vt_marker_format_vcpu(char *buf, size_t size, const struct vt_guest_info *g,
			     const struct vt_vcpu_info *v);
size_t vt_marker_format_machine(char *buf, size_t size, const struct vt_machine_info *m);
size_t vt_marker_format_simple(char *buf, size_t size, const char *event, int64_t pid);

/* Parses one marker line ("... vmtrace: EVENT key=value ...", as trace_marker
 * writes it or trace-cmd prints it), undoing the %XX encoding. Fills ev->kind
 * (VT_MACHINE_ID, VT_STATEDUMP_BEGIN/END, VT_GUEST_DUMP, VT_GUEST_VCPU,
 * VT_GUEST_CREATED, VT_GUEST_DESTROYED) and ev->u, with strings pointing into
 * buf. Returns 1, 0 when the line is not a vmtrace line, -1 when malformed. */
struct vt_event;
int vt_marker_parse(const char *line, struct vt_event *ev, char *buf, size_t size);

/* JSON document of a statedump (what `vmtrace guests --json` prints); caller frees. */
char *vt_guest_list_json(const struct vt_guest_list *l);

/* ---- the watch loop (vmtraced, vmtrace watch) ---- */

/* Blocks on the uevent socket and a signalfd; wakes only for events, signals,
 * follow-up reads of new guests' vCPU threads, and the optional tick. */
struct vt_agent_loop {
	const struct vt_agent_paths *paths;
	const struct vt_agent_sink *sinks;
	size_t nsinks;
	int trust_root;       /* accept uevents from root senders (tests) */
	int uevent_fd;        /* from vt_uevent_open */
	/* Called every tick_ms (0: never); a nonzero return runs a statedump. */
	int (*tick)(void *ctx);
	void *tick_ctx;
	int tick_ms;
	int vcpu_wait_ms;     /* how long to wait for a new guest's vCPU threads (default 5000) */
	FILE *log;            /* one-line notes (NULL: stderr) */
	/* counters, for tests and the final log line */
	uint64_t created, destroyed, statedumps, resyncs, gone;
};

/* Catches SIGINT, SIGTERM, SIGUSR1 and SIGHUP for the loop (a handler writes
 * them to a pipe, so they are safe whichever thread gets them: lttng-ust's
 * threads do not block them). Call it before telling anyone the agent is ready. */
int vt_agent_catch_signals(struct vt_error *err);

/* Runs until SIGINT or SIGTERM (SIGUSR1 or SIGHUP: a statedump now). The
 * caller runs the first statedump. Returns 0, or -1 with err set. */
int vt_agent_loop_run(struct vt_agent_loop *l, struct vt_error *err);

/* One statedump to every sink; notes what is missing to l->log once. */
int vt_agent_loop_statedump(struct vt_agent_loop *l, struct vt_error *err);

/* ---- clock check (guest) ---- */

enum vt_check_state { VT_CHECK_OK = 0, VT_CHECK_WARN, VT_CHECK_FAIL, VT_CHECK_UNKNOWN };

struct vt_clock_check {
	enum vt_check_state ptp_kvm_module;  /* /sys/module/ptp_kvm */
	enum vt_check_state ptp_clock;       /* a "KVM virtual PTP" in /sys/class/ptp */
	char ptp_dev[64];                    /* "/dev/ptp0" */
	enum vt_check_state chrony_config;   /* a refclock PHC line naming that device */
	char chrony_conf[256];               /* config file read, "" when none */
	char refclock_line[512];             /* the line found */
	enum vt_check_state chrony_running;  /* chronyc answered */
	int chronyc_missing;                 /* chronyc is not installed */
	int chrony_uses_phc;                 /* chronyc sources lists a PHC refclock */
	int chrony_phc_selected;             /* ... and it is the selected source ('*') */
	double offset_s;                     /* last offset from chronyc tracking */
	double rms_offset_s;
	int has_offset;
	char ref_name[64];                   /* tracking's reference name */
};

/* Looks at the system (sysfs, /etc/chrony*), and runs `chronyc -c` when run_chronyc. */
void vt_clock_check_run(const struct vt_agent_paths *paths, int run_chronyc, struct vt_clock_check *c);

/* Parses `chronyc -c tracking` output (one CSV line). Returns 0 or -1. */
int vt_chronyc_parse_tracking(const char *csv, struct vt_clock_check *c);
/* Parses `chronyc -c sources` output; sets chrony_uses_phc / chrony_phc_selected. */
void vt_chronyc_parse_sources(const char *csv, struct vt_clock_check *c);

/* Writes the human report with the exact lines to add; returns 0 when all is set up. */
int vt_clock_check_print(const struct vt_clock_check *c, FILE *out);
char *vt_clock_check_json(const struct vt_clock_check *c);

#ifdef __cplusplus
}
#endif
#endif
