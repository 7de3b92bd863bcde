/* The guest session's state, shared by its files (guest_session.c,
 * guest_fetch.c); not for the rest of vmtrace. */
#ifndef VT_RECORD_GUEST_INTERNAL_H
#define VT_RECORD_GUEST_INTERNAL_H

#include "record/guest_session.h"

struct vt_guest {
	struct vt_qga *qga;        /* owned */
	struct vt_guest_limits lim;
	struct vt_guest_report rep;
	int64_t begun_ms;          /* when the running script was sent */
	int running;               /* a script was begun and not ended */
};

/* Keeps e as the report's error when it holds none yet; returns -1. */
int vt_guest_failed(struct vt_guest *g, const struct vt_error *e);

#endif
