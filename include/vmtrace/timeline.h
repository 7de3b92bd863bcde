/* vmtrace stage 4, timeline: every machine's events merged in reference
 * time, each machine's clock mapped by its synchronization transform. */
#ifndef VMTRACE_TIMELINE_H
#define VMTRACE_TIMELINE_H

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
 * numbering of identification), merged by reference time. */
int vt_timeline_open(struct vt_timeline **out, const struct vt_trace_info *const *traces, size_t ntraces,
		     const struct vt_machines *m, const struct vt_sync_result *clocks, struct vt_error *err);

/* The next event in reference time: *ref_ns its time there, *trace its trace
 * in identification's numbering, *machine its machine. Returns 1, 0 at the
 * end, -1 with err. The event stays valid until the next call. */
int vt_timeline_next(struct vt_timeline *tl, const struct vt_event **ev, uint64_t *ref_ns, size_t *trace,
		     size_t *machine, struct vt_error *err);

void vt_timeline_close(struct vt_timeline *tl);

#ifdef __cplusplus
}
#endif
#endif
