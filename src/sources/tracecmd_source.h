/* The trace-cmd back-end: trace.dat files read through libtracecmd.
 * Each CPU of each buffer (the top one and any instance) is a stream with its
 * own record order; source.c merges them with the CTF streams by timestamp.
 * Timestamps are what `trace-cmd report` prints: libtracecmd applies the
 * file's tsc2nsec conversion, --date/--ts-offset offsets and the guest time
 * shift of files recorded with `-A` or joined by `trace-cmd attach`. */
#ifndef VT_SOURCES_TRACECMD_SOURCE_H
#define VT_SOURCES_TRACECMD_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/sources.h"

struct vt_tc_set;

/* The first bytes of every trace.dat file. */
#define VT_TC_MAGIC "\027\010\104tracing"
#define VT_TC_MAGIC_LEN 10

/* Opens every file (paths are taken over, freed by vt_tc_close). Their traces
 * get indices first_trace.., their streams first_stream... Returns 0 or -1. */
int vt_tc_open(struct vt_tc_set **out, char **paths, size_t npaths, uint32_t first_trace,
	       uint32_t first_stream, struct vt_error *err);

size_t vt_tc_trace_count(const struct vt_tc_set *set);
struct vt_trace_info *vt_tc_trace_info(struct vt_tc_set *set, size_t index);
size_t vt_tc_stream_count(const struct vt_tc_set *set);

/* Moves stream k to its next record (releasing the one before).
 * Returns 1 (vt_tc_head_ts valid), 0 (ended), -1 (error). */
int vt_tc_advance(struct vt_tc_set *set, size_t k, struct vt_error *err);
uint64_t vt_tc_head_ts(const struct vt_tc_set *set, size_t k);
/* The trace (in the source's numbering) stream k belongs to. */
uint32_t vt_tc_stream_trace(const struct vt_tc_set *set, size_t k);

/* Decodes stream k's head record into ev (valid until the next advance of k). */
void vt_tc_decode_head(struct vt_tc_set *set, size_t k, struct vt_event *ev);

void vt_tc_close(struct vt_tc_set *set);

#endif
