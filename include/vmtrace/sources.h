/* vmtrace stage 1, sources: find traces below paths, read them, and yield
 * normalized events of every trace merged in timestamp order. */
#ifndef VMTRACE_SOURCES_H
#define VMTRACE_SOURCES_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vt_clock_info {
	const char *name; /* NULL when the trace has no clock */
	const char *uuid; /* NULL when the clock has none */
	uint64_t freq;    /* Hz */
	int64_t offset_s;
	uint64_t offset_cycles;
};

/* What a source knows of one trace; counts grow while events are read and are
 * final once vt_source_next() has returned 0. Its strings (and those of its
 * clock) are weak: the source's, valid until vt_source_close. */
struct vt_trace_info {
	const char *path;   /* the trace folder */
	const char *format; /* "ctf" */
	const char *reader; /* static: what decoded it: "native", "babeltrace2" (CTF), "libtracecmd" (trace.dat) */
	const char *hostname, *domain, *tracer_name, *kernel_release; /* NULL when absent */
	const char *product_uuid; /* NULL when absent */
	const char *trace_uuid;   /* NULL when absent */
	int64_t tracer_major, tracer_minor, tracer_patchlevel; /* -1 when absent */
	struct vt_clock_info clock;
	uint32_t streams;
	uint64_t first_ns, last_ns; /* ns from the epoch; valid when events > 0 */
	uint64_t events;
	uint64_t per_kind[VT_KIND_COUNT];
	uint64_t discarded_events; /* lost by the tracer, as its packets report */
	uint64_t discarded_packets;
	uint64_t backward_steps; /* events older than their stream's previous one */
};

struct vt_source;

/* Which decoder reads CTF traces (trace.dat files always go through libtracecmd). */
enum vt_reader {
	VT_READER_DEFAULT,     /* the environment's VMTRACE_READER when set, else native */
	VT_READER_NATIVE,      /* vmtrace's own: CTF 1.8 and CTF 2 */
	VT_READER_BABELTRACE2, /* libbabeltrace2: CTF 1.8 only */
};

/* "native" or "babeltrace2" into *out. Returns 0, or -1 for any other name. */
VT_API int vt_reader_parse(const char *name, enum vt_reader *out);

/* Finds every trace in each path (a trace folder, or any folder holding traces
 * below it) and opens them all with the default reader. Returns the source
 * (owned: vt_source_close), or NULL with err set. */
VT_API struct vt_source *vt_source_open(const char *const *paths, size_t npaths, struct vt_error *err);

/* Like vt_source_open, with the CTF traces read by the given reader. A bad
 * VMTRACE_READER is an error (VT_ERR_USAGE) only when reader is the default. */
VT_API struct vt_source *vt_source_open_with(const char *const *paths, size_t npaths, enum vt_reader reader,
					    struct vt_error *err);

/* What finding the traces left out, as one line to show the user (a folder
 * reached again through a symlink or a bind mount is walked once), or NULL.
 * Valid until vt_source_close. */
VT_API const char *vt_source_note(const struct vt_source *src);

VT_API size_t vt_source_trace_count(const struct vt_source *src);
VT_API const struct vt_trace_info *vt_source_trace(const struct vt_source *src, size_t index);

/* Next event of all traces in timestamp order; each stream keeps its own order
 * even where its timestamps step backwards. The event stays valid until the next
 * call. Returns 1 with *out set, 0 at the end, -1 with err set. */
VT_API int vt_source_next(struct vt_source *src, const struct vt_event **out, struct vt_error *err);

/* Only the events of [begin, end] (ns of each trace's own clock; end 0: no
 * end); with *_rel, from the first event the source returns (the earliest).
 * The trace descriptions then count those events only. Set before the first
 * vt_source_next. */
struct vt_source_window {
	uint64_t begin, end;
	int begin_rel, end_rel;
};
VT_API void vt_source_set_window(struct vt_source *src, const struct vt_source_window *w);

/* From now on, trace by trace: all of the first trace's events (its streams
 * merged by time), then the next trace's, in the source's numbering, instead
 * of all traces merged. Far fewer cache misses when a source holds many
 * traces (a decoder works on one trace's data at a time); for whoever needs
 * each trace in order but not the traces merged. A relative window still
 * counts from the earliest event of all; an event past its end ends only its
 * trace. Call before the first vt_source_next (later: no effect). Returns 0,
 * or -1 with err (out of memory). */
VT_API int vt_source_by_trace(struct vt_source *src, struct vt_error *err);

/* Done reading: frees what decoding holds (babeltrace2's graph, its file
 * mappings); the trace descriptions stay valid until vt_source_close. Any
 * vt_source_next after it returns 0. */
VT_API void vt_source_release(struct vt_source *src);

VT_API void vt_source_close(struct vt_source *src);

#ifdef __cplusplus
}
#endif
#endif
