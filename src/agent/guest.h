/* Reading one guest in two halves, so that a statedump can ask every QMP
 * monitor at once between them. */
#ifndef VT_AGENT_GUEST_H
#define VT_AGENT_GUEST_H

#include "agent/agent.h"

/* Everything but QMP: command line, KVM evidence, vCPU threads. Returns 0
 * (g->gone when the process had exited), -1 with err. */
int vt_guest_read_local(const struct vt_agent_paths *paths, int64_t pid, const char *stats_path,
			struct vt_guest_info *g, struct vt_error *err);

/* Whether the vCPU thread ids are still to be asked over QMP (then g->nvcpu
 * holds the bound QMP answers must stay below). */
int vt_guest_wants_qmp(const struct vt_guest_info *g);

/* After QMP: the vCPU count, TSC offsets from debugfs, whether it is still alive. */
void vt_guest_finish(const struct vt_agent_paths *paths, struct vt_guest_info *g);

#endif
