/* The timeline's lanes: each yields one machine's (or one trace's) events in
 * its own clock's order, which the machine's monotonic transform keeps. */
#ifndef VT_TIMELINE_LANE_H
#define VT_TIMELINE_LANE_H

#include "timeline/spill.h"
#include "vmtrace/timeline.h"

struct lane {
	/* a source over a machine's traces (vt_timeline_open) ... */
	struct vt_source *src;
	size_t *global; /* the lane source's trace index → identification's numbering */
	/* ... or one trace of the spill (vt_timeline_open_spill) */
	const struct vt_spill *spill;
	size_t trace;
	struct vt_spill_record *buf;
	size_t block, pos;
	long nbuf;
	struct vt_event event;

	size_t machine;
	const struct vt_clock_sync *clock;
	const struct vt_event *head;
	uint64_t head_ref;
	int done;
};

struct vt_timeline {
	struct lane *lanes;
	size_t nlanes;
	struct lane *current; /* whose head was returned last: advance it next */
};

/* Moves a lane to its next event; 1, 0 at its end, -1 with err. */
int vt_lane_advance(struct lane *l, struct vt_error *err);
int vt_spill_lane_next(struct lane *l, struct vt_error *err);

#endif
