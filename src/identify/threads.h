/* vCPU threads whose process is unknown (no statedump, fork or pid context):
 * tied to guests by what happened on them. */
#ifndef VT_IDENTIFY_THREADS_H
#define VT_IDENTIFY_THREADS_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/identify.h"

/* Whether tid ran kvm_exit on trace (a vCPU thread), and its vCPU index. */
int vt_threads_vcpu_of(const struct vt_identify *id, size_t trace, int32_t tid, uint32_t *vcpu);

/* The guest machine whose vCPU map holds tid on that host trace, -1 when none. */
int vt_threads_owner(const struct vt_machines *m, size_t host_trace, int32_t tid);

/* Ties guest to the vCPU threads that carried its messages or hypercalls
 * (tids with repeats, one per message; reordered): when nearly all of them
 * ran on vCPU threads no guest has, of one process or none known, one
 * thread per vCPU index; a thread counts with `floor` of them (0: 1 %, at
 * least 2). `what` starts the evidence. Returns 1 when tied, 0
 * when the evidence does not decide, -1 out of memory. */
int vt_threads_tie_guest(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			 int32_t *tids, size_t ntids, size_t floor, const char *what);

#endif
