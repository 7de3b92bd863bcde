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

#include "common/marker.h"
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

/* ---- bounds: everything read from /proc, debugfs, uevents and QMP is hostile ---- */

/* The most vCPUs a guest can have: KVM_MAX_VCPUS, 4096 on x86 in current
 * kernels (1024 before Linux 5.15; 710 on arm64, 512 on s390). A larger vCPU
 * index, thread name "CPU n/..." or -smp is refused with a note. */
#define VT_AGENT_MAX_VCPUS 4096u

/* At most this much of /proc/PID/cmdline is read (QEMU's are a few KiB;
 * Linux allows 6 MiB); the rest is ignored with a note. */
#define VT_AGENT_MAX_CMDLINE (256u * 1024u)

/* At most this many entries of /proc/PID/task and /proc/PID/fd are looked at
 * per process (QEMU opens the VM fd among its first). */
#define VT_AGENT_MAX_DIRENTS 65536u

/* How long one statedump waits for all QMP answers together (they are asked
 * at once), and the longest answer line read. */
#define VT_QMP_TIMEOUT_MS 500
#define VT_QMP_MAX_ANSWER 65536u

/* RFC 4122 textual form: 8-4-4-4-12 hexadecimal digits. */
int vt_uuid_valid(const char *s);

/* ---- QEMU command line ---- */

struct vt_qemu_cmdline {
	char uuid[64];      /* -uuid, or -smbios type=1,uuid= ; "" when absent; NOT checked */
	char name[256];     /* -name guest=X or -name X ; "" when absent; any bytes */
	char qmp[512];      /* path of a -qmp unix: socket, or of a -chardev socket used by -mon mode=control */
	uint32_t smp;       /* vCPUs asked for by -smp, 1 when absent; UINT32_MAX when larger */
	uint32_t maxcpus;   /* -smp maxcpus=, 0 when absent */
	int is_qemu;        /* argv[0] looks like a QEMU system emulator (anyone can name a process so) */
};

/* Parses a NUL-separated /proc/PID/cmdline buffer (any bytes; allocates nothing). */
void vt_qemu_parse_cmdline(const char *buf, size_t len, struct vt_qemu_cmdline *out);

/* ---- statedump ---- */

struct vt_guest_list {
	struct vt_guest_info *guests; /* owned */
	size_t n;
	int debugfs_ok; /* DEBUGFS/kvm could be listed */
	int fds_ok;     /* every QEMU's /proc/PID/fd could be read */
	char note[512]; /* what was missing and what that costs, "" when all was there */
};

/* Reads one guest by pid (stats_path: the uevent's STATS_PATH, "/kvm/PID-FD",
 * or NULL to find it). Returns 0 with *out filled (out->gone set when the
 * process had already exited), -1 with err set (out of memory, or its
 * command line unreadable). Free with vt_guest_info_free. */
int vt_agent_read_guest(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *out, struct vt_error *err);
void vt_guest_info_free(struct vt_guest_info *g);

/* Finds every running guest (debugfs kvm folders, and QEMU processes in /proc),
 * sorted by pid. Guests that exit while read are left out. The QMP monitors
 * of all guests are asked at once: a dump waits at most VT_QMP_TIMEOUT_MS for them. */
int vt_agent_statedump(const struct vt_agent_paths *paths, struct vt_guest_list *out,
		       struct vt_error *err);
void vt_guest_list_free(struct vt_guest_list *l);

/* ---- QMP (query-cpus-fast) ---- */

/* Asks the QMP monitor (g->qmp) of each of the n guests for its vCPU thread
 * ids, all at once, within one deadline of timeout_ms: monitors that never
 * answer cost one timeout together, not one each. A monitor is asked only
 * when its socket file belongs to the QEMU process's user and the process
 * listening on it (SO_PEERCRED) is that QEMU; an answer's cpu-index must be
 * below g->nvcpu and its thread-id a thread of that QEMU (PROC/PID/task/TID).
 * Each g must have g->nvcpu entries (the bound); those that answered get
 * their tids and tids_from = 2, the others a note. Returns how many answered. */
size_t vt_qmp_vcpu_tids(const struct vt_agent_paths *paths, struct vt_guest_info *const *g, size_t n,
			int timeout_ms);

enum vt_qmp_msg { VT_QMP_BAD = 0, VT_QMP_GREETING, VT_QMP_RETURN, VT_QMP_ERROR, VT_QMP_EVENT };

/* What one QMP line (len bytes, any bytes) is; malformed JSON is VT_QMP_BAD. */
enum vt_qmp_msg vt_qmp_message(const char *line, size_t len);

/* Reads one query-cpus-fast answer line. An entry counts when its cpu-index
 * is below nvcpu (and VT_AGENT_MAX_VCPUS), no earlier entry named that index,
 * and is_thread(ctx, tid) says its thread-id is a thread of the QEMU; then
 * tids[cpu-index] = thread-id (tids: nvcpu entries, the caller sets them to
 * -1). *refused counts the entries left out. Returns the highest index set + 1 (0: none), or -1 when
 * the line is not a successful answer holding an array. */
int vt_qmp_parse_cpus(const char *line, size_t len, uint32_t nvcpu, int (*is_thread)(void *ctx, int64_t tid),
		      void *ctx, int32_t *tids, uint32_t *refused);

/* ---- uevents ---- */

enum vt_uevent_action { VT_UEVENT_CREATE = 1, VT_UEVENT_DESTROY = 2 };

struct vt_uevent {
	enum vt_uevent_action action;
	int64_t pid;          /* 1 .. INT32_MAX */
	char stats_path[256]; /* "/kvm/PID-FD" with PID the pid above, "" when absent or malformed */
	uint64_t seqnum;      /* 0 when absent */
};

/* Parses one NETLINK_KOBJECT_UEVENT datagram (any bytes). Returns 1 for a
 * KVM create or destroy with *out set, 0 for any other uevent. */
int vt_uevent_parse(const char *buf, size_t len, struct vt_uevent *out);

/* Opens a blocking netlink socket on the kernel's uevent group. Returns the fd or -1. */
int vt_uevent_open(struct vt_error *err);

/* Receives one datagram (blocking unless the fd is non-blocking). Returns 1 for
 * a KVM event, 0 for something else (or EAGAIN), -1 with err set, and -2 when
 * the kernel dropped messages (ENOBUFS): the caller should resynchronize.
 * trust_root: also accept uevents sent by root processes (tests), not only the kernel. */
int vt_uevent_recv(int fd, int trust_root, struct vt_uevent *out, struct vt_error *err);

/* ---- guest side ---- */

void vt_machine_read(const struct vt_agent_paths *paths, struct vt_machine_info *out);

/* ---- sinks ---- */

struct vt_vcpu_books; /* vmtrace/event.h */
struct vt_vm_books;
struct vt_ping;

/* Every string a sink gets may hold any bytes (guest names come from users'
 * command lines): each sink escapes them for its format. */
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
	/* NULL, or: what the sink could not write ("standard output: cannot
	 * write: CAUSE"), NULL while all was written. A failed sink writes no more. */
	const char *(*write_error)(void *ctx);
	/* The kernel's books on a guest's vCPU threads and VM (host agents;
	 * NULL: not written). Numbers only: nothing to escape. */
	void (*vcpu_books)(void *ctx, const struct vt_vcpu_books *b);
	void (*vm_books)(void *ctx, const struct vt_vm_books *b);
	/* The guest's clock ping around its hypercall (vt_agent_ping; NULL: not
	 * written): back = 0 just before it, 1 just after. */
	void (*ping)(void *ctx, int back, const struct vt_ping *p);
};

/* One statedump to every sink: only guests with KVM evidence (vt_guest_is_kvm);
 * returns how many guests were left out for want of it. */
size_t vt_agent_emit_statedump(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_list *l);
void vt_agent_emit_vcpus(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g);
/* guest_created for a kernel uevent: with uuid, name and vcpus only when g
 * has KVM evidence, else pid and evidence alone. Returns 1 when its vCPUs
 * may follow (the guest has evidence and is still there). */
int vt_agent_emit_created(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g);

/* Reads the kernel's books on every guest of l with KVM evidence (each vCPU
 * thread's schedstat and guest_time, the VM's KVM counters) and writes them to
 * every sink, each right after its read (age_ns says how long after).
 * tick_function: the host's tick_sched_timer (vt_agent_tick_function), 0 when
 * unknown. Returns how many vCPU threads were written, -1 when out of memory. */
int vt_agent_emit_books(const struct vt_agent_sink *sinks, size_t n, const struct vt_agent_paths *paths,
			const struct vt_guest_list *l, uint64_t tick_function);
/* The host kernel's tick_sched_timer address (PROC/kallsyms, root only), 0
 * when hidden or absent: read once, the agent puts it in its VM books. */
uint64_t vt_agent_tick_function(const struct vt_agent_paths *paths);

/* The guest's clock ping (docs/sync.md): a hypercall of number
 * VT_PING_HYPERCALL made from user space, which KVM traces and refuses. */
struct vt_pinger {
	uint64_t session, seq;
	int amd; /* vmmcall, else vmcall */
	long (*call)(void *ctx, uint64_t nr, uint64_t a0, uint64_t a1);
	void *call_ctx;
	long last_ret; /* what the hypercall returned: -1 (-KVM_EPERM, = -EPERM) from KVM */
};
/* Checks that this is an x86-64 KVM guest (CPUID) and draws a random
 * session. Returns 0, or -1 with err saying why there can be no ping. */
int vt_pinger_open(struct vt_pinger *p, struct vt_error *err);
/* A pinger whose "hypercall" is call (tests). */
void vt_pinger_fake(struct vt_pinger *p, long (*call)(void *ctx, uint64_t nr, uint64_t a0, uint64_t a1), void *ctx);
/* One ping: ping_out to every sink, the hypercall (a0 = seq, a1 = session),
 * ping_back to every sink. */
void vt_agent_ping(struct vt_pinger *p, const struct vt_agent_sink *sinks, size_t n);

/* JSON lines, one event an object, on a FILE (flushed after each line). A
 * write that fails is remembered (write_error) and nothing more is written. */
struct vt_json_sink {
	FILE *out;
	const char *what; /* how errors name out: "standard output" */
	char error[256];  /* "" while every write succeeded */
};
void vt_json_sink_init(struct vt_agent_sink *s, struct vt_json_sink *j, FILE *out, const char *what);

/* ftrace trace_marker lines; see docs/agent.md for the format. */
struct vt_marker_sink {
	int fd;
};
/* Opens TRACEFS/trace_marker (tracefs, then debugfs/tracing). Returns 0 or -1. */
int vt_marker_sink_open(struct vt_marker_sink *m, const struct vt_agent_paths *paths,
			struct vt_error *err);
/* Opens this trace_marker file instead (a tracefs instance's). Returns 0 or -1. */
int vt_marker_sink_open_path(struct vt_marker_sink *m, const char *path, struct vt_error *err);
void vt_marker_sink_init(struct vt_agent_sink *s, struct vt_marker_sink *m);
void vt_marker_sink_close(struct vt_marker_sink *m);

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
	/* A statedump at least this often (0: never): a flight-recorder snapshot
	 * keeps only its last seconds, so each must hold one. Any dump restarts it. */
	int64_t dump_every_ms;
	/* Each statedump also writes the kernel's books on the guests
	 * (vt_agent_emit_books), and vt_agent_loop_run once more as it stops:
	 * the first and last in a trace bound the span they describe. */
	int books;
	uint64_t tick_function; /* internal: read at the first dump with books */
	int tick_read;
	/* A clock ping (vt_agent_ping) about every ping_ms (0: none), each
	 * period drawn within +/- 10 % so that it does not beat with the host's
	 * tick; the first one right away. */
	struct vt_pinger *ping;
	int ping_ms;
	uint64_t pings; /* counter */
	FILE *log;            /* one-line notes (NULL: stderr) */
	/* A sink that cannot write (write_error) stops the loop with an error when
	 * set; else it is noted once and the other sinks go on. */
	int stop_on_sink_error;
	/* counters, for tests and the final log line */
	uint64_t created, destroyed, statedumps, resyncs, gone;
	unsigned noted_sinks; /* internal: sinks whose failure was logged */
};

/* Catches SIGINT, SIGTERM, SIGUSR1 and SIGHUP for the loop (a handler writes
 * them to a pipe, so they are safe whichever thread gets them: lttng-ust's
 * threads do not block them). Call it before telling anyone the agent is ready. */
int vt_agent_catch_signals(struct vt_error *err);

/* Runs until SIGINT or SIGTERM (SIGUSR1 or SIGHUP: a statedump now). The
 * caller runs the first statedump. Returns 0, or -1 with err set. */
int vt_agent_loop_run(struct vt_agent_loop *l, struct vt_error *err);

/* One statedump to every sink; notes what is missing to l->log once.
 * Returns -1 with err also when a sink failed and stop_on_sink_error is set. */
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
