/* Reading a trace.dat file in a child process first. */
#ifndef VT_SOURCES_TRACECMD_PROBE_H
#define VT_SOURCES_TRACECMD_PROBE_H

#include "vmtrace/error.h"

/* libtracecmd trusts the sizes and offsets a file states, and libtraceevent's
 * kbuffer the contents of ring-buffer pages: a truncated or corrupt file can
 * make them crash. A child opens the file and reads every record first
 * (undecoded: about as fast as reading the file); if the child dies, the file
 * is refused with a one-line message naming it and this process lives on.
 * Returns 0 (fine, or cannot tell) or -1 with err set. */
int vt_tc_probe(const char *path, struct vt_error *err);

#endif
