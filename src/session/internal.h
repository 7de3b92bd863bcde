/* The session's state, shared by its files (session.c, read.c, place.c,
 * replay.c); not for the rest of vmtrace. */
#ifndef VT_SESSION_INTERNAL_H
#define VT_SESSION_INTERNAL_H

#include "vmtrace/session.h"
#include "vmtrace/timeline.h"

/* How far the session has gone: each step needs the one before it. */
enum vt_session_step { VT_STEP_READING = 0, VT_STEP_IDENTIFIED, VT_STEP_SYNCED, VT_STEP_MODELLED };

struct vt_session {
	struct vt_session_options opt; /* the callbacks; pointers into it are not kept */
	struct vt_source_window window;
	int windowed;
	enum vt_session_step step;
	struct vt_source **sources; /* one per PATH read (owned) */
	size_t nsources;
	const struct vt_trace_info **traces; /* weak, into the sources */
	size_t ntraces;
	struct vt_identify *id;     /* owned */
	struct vt_sync *sync;       /* owned */
	struct vt_spill *spill;     /* owned; NULL when not asked or not made */
	char **hint_uuids;          /* owned copies of the hints' uuids */
	size_t nhint_uuids;
	struct vt_machines *machines;   /* owned */
	struct vt_sync_result *clocks;  /* owned */
	int host;
	struct vt_model *model;         /* owned */
	struct vt_findings findings;    /* owned */
};

/* Between identification and sync: matches the machines no agent named, by
 * the QEMU threads that carried their TCP, else by the QEMU whose vCPUs'
 * guest-mode windows hold their events, else vCPU by vCPU (refine.c): sync's
 * evidence, identification's decisions. Returns 0, or -1 out of memory. */
int vt_session_refine(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m);

void vt_session_warn(const struct vt_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vt_session_progress(const struct vt_session *s, const char *what, uint64_t events, int done);

#endif
