/* The host's ftrace recorder for `vmtrace record --tracer ftrace`
 * (docs/record.md): a tracefs instance of our own (instances/vmtrace-PID, so
 * the top-level buffer and other users' instances are left alone), its
 * events, clock and buffer set, every online CPU's ring buffer streamed into
 * a capture folder (ftrace_capture.h) that ftrace_assemble.h turns into a
 * trace.dat. No trace-cmd needed (its `record` insists on
 * /proc/sys/kernel/ftrace_enabled, absent on kernels without function
 * tracing; its `extract` only gets what is left in the buffer at the end). */
#ifndef VT_RECORD_FTRACE_REC_H
#define VT_RECORD_FTRACE_REC_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

struct vt_ftrace_rec_options {
	const char *tracefs;        /* NULL: found, mounted at /sys/kernel/tracing when absent */
	const char *instance;       /* NULL: "vmtrace-<pid>" */
	const char *const *events;  /* "SYSTEM:EVENT"; absent ones skipped (vt_ftrace_rec_skipped) */
	size_t nevents;
	uint32_t buffer_kb;         /* per CPU; 0: the kernel's default */
	int overwrite;              /* flight recorder: nothing streamed, the newest kept;
				       vt_ftrace_rec_snapshot / _stop read the buffer */
	const char *clock;          /* NULL: "mono" when the kernel has it, else "local" */
	const char *capture_dir;    /* created, or an existing empty folder */
	unsigned period_ms;         /* streaming: longest wait between reads (0: 500) */
	int kallsyms;               /* also copy /proc/kallsyms (MBs) */
};

struct vt_ftrace_rec;

/* Sets up the instance and the capture folder and starts tracing (and, unless
 * overwrite, the streaming thread). Returns 0, or -1 with err; on failure the
 * instance is removed and what was made of the capture folder left. */
int vt_ftrace_rec_start(struct vt_ftrace_rec **rec, const struct vt_ftrace_rec_options *opts, struct vt_error *err);

/* What start found: the tracefs folder, whether it mounted it, the
 * clock, the instance's folder. (Strings owned by rec.) */
const char *vt_ftrace_rec_tracefs(const struct vt_ftrace_rec *rec, int *mounted);
const char *vt_ftrace_rec_clock(const struct vt_ftrace_rec *rec);
const char *vt_ftrace_rec_instance(const struct vt_ftrace_rec *rec);
/* The i-th event asked for that this kernel lacks (skipped), or NULL past
 * the last (a pointer into opts->events: keep those while rec lives). */
const char *vt_ftrace_rec_skipped(const struct vt_ftrace_rec *rec, size_t i);
/* CPUs recorded (online at start; their numbers kept). */
size_t vt_ftrace_rec_cpus(const struct vt_ftrace_rec *rec, const uint32_t **cpus);

/* The instance's trace_marker, open for writing (owned by rec: closed by stop).
 * One write() is one ftrace:print event in this recording. */
int vt_ftrace_rec_marker_fd(const struct vt_ftrace_rec *rec);

/* Live counts from per_cpu/cpuN/stats: events recorded (read + still in the
 * buffer) and lost (overwritten + dropped when full). Returns 0, or -1 with
 * err when streaming failed (a full disk: tracing is already off then). */
int vt_ftrace_rec_stats(struct vt_ftrace_rec *rec, uint64_t *events, uint64_t *lost, struct vt_error *err);

/* Overwrite mode: appends the whole pages the buffer holds now to the capture
 * (consumed: the next snapshot holds only newer events) while tracing goes
 * on. Streaming mode: nothing to do. Returns 0, or -1 with err. */
int vt_ftrace_rec_snapshot(struct vt_ftrace_rec *rec, struct vt_error *err);

/* Turns tracing off, reads everything left (partial last pages too), writes
 * cpuN.stats and saved_cmdlines, removes the instance and frees rec. Returns
 * 0, or -1 with err (the first problem: a failed write says the path and
 * the cause; the capture keeps every whole page written). */
int vt_ftrace_rec_stop(struct vt_ftrace_rec *rec, struct vt_error *err);

#endif
