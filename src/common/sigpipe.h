/* Signals as bytes on a pipe: the handler only write()s the signal's number,
 * so a poll loop learns of it safely, whichever thread it hit (lttng-ust's
 * threads do not block signals). One pipe per process. */
#ifndef VT_COMMON_SIGPIPE_H
#define VT_COMMON_SIGPIPE_H

#include <stddef.h>

/* Catches these signals onto the pipe (SA_RESTART); more calls add signals
 * to the same pipe. Returns the pipe's read end (non-blocking), or -1 with
 * errno. */
int vt_sigpipe_catch(const int *sigs, size_t n);

#endif
