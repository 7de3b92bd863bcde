/* Checks of a CTF metadata file that babeltrace2 2.0 does not make itself. */
#ifndef VT_SOURCES_METADATA_CHECK_H
#define VT_SOURCES_METADATA_CHECK_H

#include "vmtrace/error.h"

/* Refuses, with a one-line reason, metadata on which babeltrace2 2.0.4 hangs or
 * crashes: packets that do not fit the file (a truncated copy, a session killed
 * while writing: it loops forever) and clocks without a frequency (SIGFPE).
 * Everything else is left to babeltrace2's parser. Returns 0 or -1. */
int vt_ctf_check_metadata(const char *path, struct vt_error *err);

#endif
