/* The trace.dat writer's state, shared by its files: tracecmd_writer.c (the
 * file), tracecmd_events.c (events → records), tracecmd_pages.c (pages). */
#ifndef VT_EXPORTERS_TRACECMD_INTERNAL_H
#define VT_EXPORTERS_TRACECMD_INTERNAL_H

#include "exporters/tracecmd_pages.h"
#include "common/marker.h"
#include "vmtrace/tracecmd_writer.h"

/* A record being built: fixed part, then its __data_loc strings. */
struct vt_tc_rec {
	uint8_t buf[4096];
	size_t len;
};

#define VT_TC_MAX_TID (1 << 22) /* pid_max's limit: larger tids get no saved comm */

struct vt_tc_writer {
	struct vt_tc_writer_options opt;
	char *path, *hostname, *release, *clock;
	struct vt_tc_pages *cpu;
	char (*comm)[16]; /* saved command lines by tid, "" when none */
	size_t ncomm;
	uint64_t written, skipped;
	int failed; /* out of memory or a write error */
	struct vt_tc_rec rec;        /* scratch of the event being encoded */
	struct vt_guest_info guest;  /* scratch of an agent line */
};

/* Remembers tid's name for the saved command lines. */
void vt_tc_note_comm(struct vt_tc_writer *w, int32_t tid, const char *comm);

/* Encodes one event into its CPU's pages: 1 written, 0 no ftrace form, -1 error. */
int vt_tc_encode(struct vt_tc_writer *w, uint64_t ts, const struct vt_event *ev);

#endif
