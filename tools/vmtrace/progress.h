/* A one-line progress indicator on stderr, only when stderr is a terminal. */
#ifndef VMTRACE_CLI_PROGRESS_H
#define VMTRACE_CLI_PROGRESS_H

#include <stdint.h>

struct vt_progress {
	int enabled;
	const char *label;
	uint64_t last_ms;
};

void vt_progress_start(struct vt_progress *p, const char *label);
/* Cheap to call per event: it redraws at most ten times a second. */
void vt_progress_update(struct vt_progress *p, uint64_t done);
void vt_progress_end(struct vt_progress *p);

#endif
