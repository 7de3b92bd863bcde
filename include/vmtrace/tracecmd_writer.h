/* vmtrace stage: exporters (see docs/architecture.md, docs/tracecmd.md).
 *
 * The trace.dat writer: one trace-cmd file (format version 6, uncompressed,
 * as `trace-cmd convert --file-version 6` writes it) from normalized events.
 * Headers and event formats are those of a real kernel's tracefs (Linux 6.18,
 * x86-64); each CPU's events go into ring-buffer pages as the kernel fills them
 * (page header {u64 timestamp, local_t commit}, 32-bit event headers with
 * type_len and a 27-bit time delta, TIME_EXTEND for longer deltas). Pages are
 * streamed to one unlinked temporary file per CPU beside the output, so memory
 * stays one page per CPU plus the saved command lines, whatever the length.
 *
 * What becomes what: KVM, sched, irq, softirq and net kinds become their
 * ftrace events (kvm:kvm_entry, kvm:kvm_exit with vcpu_id, ..., net:net_dev_queue,
 * net:netif_receive_skb: no TCP header, ftrace has none); vmsync kinds become
 * vmsync:vmsync_* events (the lttng-modules addon's fields, as an ftrace module
 * would declare them); the agent's kinds (MACHINE_ID, STATEDUMP_BEGIN/END,
 * GUEST_*) become ftrace:print lines in vmtraced's trace_marker format
 * (docs/agent.md); OTHER events named kvm_x86_pio / kvm_x86_msr /
 * kvm_x86_inj_virq (or their ftrace names) become kvm:kvm_pio, kvm:kvm_msr,
 * kvm:kvm_inj_virq with the fields vt_event does not carry left 0.
 * STATEDUMP_PROCESS has no ftrace event: only its tid → name goes into the
 * saved command lines. Anything else is not written. */
#ifndef VMTRACE_TRACECMD_WRITER_H
#define VMTRACE_TRACECMD_WRITER_H

#include "vmtrace/api.h"

#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vt_tc_writer;

struct vt_tc_writer_options {
	/* Every string here is weak: read during vt_tc_writer_open only. */
	const char *path;           /* the file to write (replaced) */
	uint32_t cpus;              /* 1 .. 4096; events name their CPU in ev->cpu */
	const char *hostname;       /* the uname option: "Linux HOSTNAME RELEASE x86_64" */
	const char *kernel_release;
	const char *clock;          /* trace_clock: "local", "mono", "x86-tsc", ... */
	/* With x86-tsc: trace-cmd's tsc2nsec option (ns = cycles * mult >> shift),
	 * as `trace-cmd record --tsc2nsec` writes it; mult 0: raw cycles. */
	uint32_t tsc2nsec_mult, tsc2nsec_shift;
	/* trace-cmd's date option (`record --date`): readers add it, in µs. */
	int has_date;
	int64_t date_offset_us;
};

/* Creates the file's per-CPU temporary files (the file itself is written by
 * close). Returns the writer, or NULL with err naming the path. */
VT_API struct vt_tc_writer *vt_tc_writer_open(const struct vt_tc_writer_options *opt, struct vt_error *err);

/* Writes one event at ts, a value of the trace clock (ns, or cycles for
 * x86-tsc), on CPU ev->cpu with common_pid ev->tid (0 when absent). A CPU's
 * timestamps must not go backwards (an older one is raised to the previous,
 * as the ring buffer would). ev->procname, the comms of sched events and
 * statedump names go into the saved command lines (the last name of a tid).
 * Returns 1 when written, 0 when the event has no ftrace form (see above),
 * -1 on an I/O error (then close fails too). */
VT_API int vt_tc_writer_event(struct vt_tc_writer *w, uint64_t ts, const struct vt_event *ev);

/* Events written, and events without an ftrace form (not written). */
VT_API uint64_t vt_tc_writer_written(const struct vt_tc_writer *w);
VT_API uint64_t vt_tc_writer_skipped(const struct vt_tc_writer *w);

/* Writes the file (headers, formats, command lines, options, then every CPU's
 * pages), removes the temporary files and frees the writer. Returns 0, or -1
 * with err (also for any earlier write error); the file is removed then. */
VT_API int vt_tc_writer_close(struct vt_tc_writer *w, struct vt_error *err);

/* Frees a writer and its temporary files without writing the file. */
VT_API void vt_tc_writer_abort(struct vt_tc_writer *w);

#ifdef __cplusplus
}
#endif
#endif
