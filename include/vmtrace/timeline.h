/* vmtrace stage 4, timeline: every machine's events merged in reference
 * time, each machine's clock mapped by its synchronization transform. */
#ifndef VMTRACE_TIMELINE_H
#define VMTRACE_TIMELINE_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/identify.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vt_timeline;

/* One source per machine over its trace folders (traces[i]->path, the
 * numbering of identification), merged by reference time. Returns the
 * timeline (owned: vt_timeline_close), or NULL with err. */
VT_API struct vt_timeline *vt_timeline_open(const struct vt_trace_info *const *traces, size_t ntraces,
					   const struct vt_machines *m, const struct vt_sync_result *clocks,
					   struct vt_error *err);

/* The next event in reference time: *ref_ns its time there, *trace its trace
 * in identification's numbering, *machine its machine. Returns 1, 0 at the
 * end, -1 with err. The event stays valid until the next call. */
VT_API int vt_timeline_next(struct vt_timeline *tl, const struct vt_event **ev, uint64_t *ref_ns, size_t *trace,
		     size_t *machine, struct vt_error *err);

VT_API void vt_timeline_close(struct vt_timeline *tl);

/* --- the spill: pass 2 without decoding the traces again --------------------
 * Pass 1 hands every event to vt_spill_add, which keeps, as 32-byte records in
 * one unlinked temporary file ($TMPDIR, else /tmp), the events the model reads
 * (sched_switch, sched_wakeup, kvm_entry, kvm_exit, kvm_userspace_exit, process fork and exit) plus each trace's first
 * event on every CPU and its last timestamp (as VT_OTHER), so that the model
 * sees every trace's whole span and every CPU. */
struct vt_spill;

/* NULL with err set when the temporary file cannot be made. */
VT_API struct vt_spill *vt_spill_new(struct vt_error *err);
/* trace: identification's numbering. A failure (disk full) is remembered. */
VT_API void vt_spill_add(struct vt_spill *s, size_t trace, const struct vt_event *ev);
/* After the last event of `trace` (last_ns: vt_trace_info.last_ns, 0 when it had none). */
VT_API void vt_spill_end(struct vt_spill *s, size_t trace, uint64_t last_ns);
/* Drops what was kept of traces >= first (a PATH that failed midway: its
 * numbers go to the next PATH's traces). */
VT_API void vt_spill_forget(struct vt_spill *s, size_t first);
/* 0 when every event was kept, else -1 with err saying why. */
VT_API int vt_spill_status(const struct vt_spill *s, struct vt_error *err);
VT_API void vt_spill_free(struct vt_spill *s);

/* Like vt_timeline_open, from the spill: one lane per trace, merged by
 * reference time; only the events the spill keeps come out. */
VT_API struct vt_timeline *vt_timeline_open_spill(const struct vt_spill *s, const struct vt_machines *m,
						 const struct vt_sync_result *clocks, struct vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
