/* The ftrace capture folder (docs/record.md): what the host recorder and the
 * guest script write and ftrace_assemble.c turns into a trace.dat.
 *   header_page, header_event   tracefs events/header_page, events/header_event
 *   formats/SYSTEM/EVENT/format every recorded event's format, and all of
 *                               events/ftrace/ (print is what markers need)
 *   cpuN.raw                    CPU N's ring-buffer pages, whole pages
 *   cpuN.stats                  per_cpu/cpuN/stats at the end
 *   saved_cmdlines, trace_clock, uname ("SYSNAME NODENAME RELEASE MACHINE"),
 *   page_size (decimal), and optional printk_formats, kallsyms,
 *   skipped_events (one SYSTEM:EVENT a line: asked for, absent here). */
#ifndef VT_RECORD_FTRACE_CAPTURE_H
#define VT_RECORD_FTRACE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

/* Largest sizes the assembler accepts (and the recorder copies). */
#define VT_CAP_MAX_HEADER (64u << 10)     /* header_page, header_event, one format */
#define VT_CAP_MAX_SMALL (4u << 10)       /* stats, trace_clock, uname, page_size */
#define VT_CAP_MAX_TEXT (16u << 20)       /* saved_cmdlines, printk_formats, all formats */
#define VT_CAP_MAX_KALLSYMS (256u << 20)
#define VT_CAP_MAX_FORMATS 8192u
#define VT_CAP_MAX_CPUS 4096u

/* Creates the folder (an existing empty one is taken). Returns 0, or -1 with err. */
int vt_ftrace_capture_create(const char *dir, struct vt_error *err);

/* Writes DIR/NAME whole (replaced). Returns 0, or -1 with err ("PATH: cannot
 * write: No space left on device"). */
int vt_ftrace_capture_put(const char *dir, const char *name, const void *data, size_t n, struct vt_error *err);

/* The files known at the start: header_page, header_event, the formats of
 * the events with ok[i] and of the ftrace system, trace_clock, uname,
 * page_size, printk_formats (+ kallsyms when asked), skipped_events.
 * Returns 0, or -1 with err. */
struct vt_ftrace_capture_start {
	const char *dir, *tracefs, *inst;
	const char *const *events;
	const int *ok;
	size_t nevents;
	uint32_t page_size;
	int kallsyms;
};
int vt_ftrace_capture_begin(const struct vt_ftrace_capture_start *c, struct vt_error *err);

/* The files of the end: cpuN.stats of each CPU, saved_cmdlines. */
int vt_ftrace_capture_end(const char *dir, const char *tracefs, const char *inst, const uint32_t *cpus,
			  size_t ncpus, struct vt_error *err);

#endif
