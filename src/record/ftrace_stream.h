/* Per-CPU streaming of an ftrace instance's ring buffer into the capture
 * folder: CPU N's per_cpu/cpuN/trace_pipe_raw into CAPTURE/cpuN.raw.
 *
 * While tracing, only whole pages move, by splice() (the kernel hands over
 * full pages, no copy through us, no per-event work): that is how trace-cmd
 * records too. A read() of trace_pipe_raw instead returns the page being
 * written as soon as it holds one event, so a reader that wakes often writes
 * mostly empty pages. At the end, tracing off, the partial last pages come
 * by non-blocking read()s until EAGAIN (trace-cmd's flush does the same). */
#ifndef VT_RECORD_FTRACE_STREAM_H
#define VT_RECORD_FTRACE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

struct vt_ftrace_cpu {
	uint32_t cpu;
	int in;      /* trace_pipe_raw, O_NONBLOCK */
	int pipe[2]; /* splice's go-between */
	int out;     /* CAPTURE/cpuN.raw */
	int use_read; /* splice refused (a sub-buffer larger than a page): read() */
	uint64_t bytes; /* written to out */
	char path[4200]; /* of out, for messages */
};

/* Opens CPU cpu's files (CAPTURE/cpuN.raw created). Returns 0, or -1 with err. */
int vt_ftrace_cpu_open(struct vt_ftrace_cpu *c, const char *inst, const char *capture, uint32_t cpu,
		       struct vt_error *err);
void vt_ftrace_cpu_close(struct vt_ftrace_cpu *c);

/* Moves the whole pages the buffer holds now, at most max (0: no limit).
 * Returns the pages moved, or -1 with err (then the file is cut to whole
 * pages: what was written stays readable). */
long vt_ftrace_cpu_move_full(struct vt_ftrace_cpu *c, uint32_t page_size, uint64_t max, struct vt_error *err);

/* With tracing off: everything left, partial pages included. Returns 0, or -1 with err. */
int vt_ftrace_cpu_drain(struct vt_ftrace_cpu *c, uint32_t page_size, struct vt_error *err);

/* The streaming thread: waits in poll() on every CPU (the kernel wakes it
 * when a buffer is buffer_percent full) or period_ms at most, then moves
 * the whole pages of every CPU. On an error it turns tracing off through
 * tracing_on (a path) and stops; vt_ftrace_stream_stop gives the error. */
struct vt_ftrace_stream;
int vt_ftrace_stream_start(struct vt_ftrace_stream **s, struct vt_ftrace_cpu *cpus, size_t n, uint32_t page_size,
			   unsigned period_ms, const char *tracing_on, struct vt_error *err);
/* Copies the thread's error into err when it failed: returns -1 then, else 0. */
int vt_ftrace_stream_failed(struct vt_ftrace_stream *s, struct vt_error *err);
/* Stops and frees the thread. Returns 0, or -1 with its error. */
int vt_ftrace_stream_stop(struct vt_ftrace_stream *s, struct vt_error *err);

#endif
