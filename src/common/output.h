/* Writing a result file so that nothing already there is lost: a regular
 * file (or a new one) is written under a temporary name beside it and
 * renamed over it only when whole; anything else (a terminal, a pipe,
 * /dev/null, "-" for stdout) is written as it is. */
#ifndef VT_COMMON_OUTPUT_H
#define VT_COMMON_OUTPUT_H

#include <stdio.h>

#include "vmtrace/error.h"

struct vt_output {
	FILE *f;
	char path[4096];
	char tmp[4200]; /* "" when written in place */
	int cleanup;    /* tmp's handle in cleanup.h's registry, or -1 */
};

/* Opens path for writing (mode 0644 for a new file). Returns 0, or -1 with err. */
int vt_output_open(struct vt_output *o, const char *path, struct vt_error *err);
/* Closes; when ok, puts the file in place. Returns 0, or -1 with err (the
 * temporary file removed, the old file untouched). */
int vt_output_close(struct vt_output *o, int ok, struct vt_error *err);

/* Flushes and closes standard output. A write or close that failed (a full
 * disk, /dev/full, a closed pipe) gives -1 with err "standard output: CAUSE":
 * a command must not exit 0 when what it printed was lost. Call it last. */
int vt_stdout_close(struct vt_error *err);

#endif
