/* vmtrace stage 6, analyses: what the model's per-vCPU figures say per guest
 * (a guest's vCPUs together): where its vCPU time went, its exits like
 * `perf kvm stat`, and who took its pCPUs. */
#ifndef VMTRACE_ANALYSES_H
#define VMTRACE_ANALYSES_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One guest as the model saw it: a QEMU process on the host (guest is its
 * machine index, -1 when its trace is not among the inputs). */
struct vt_guest_summary {
	int guest;
	int64_t qemu_pid;
	size_t nvcpus;
	uint64_t observed_ns;                 /* its vCPUs' observed time, summed */
	uint64_t totals[VT_VCPU_STATE_COUNT]; /* summed over its vCPUs */
	struct vt_holder_time *preemptors;    /* owned: PREEMPTED time per holder, largest first */
	size_t npreemptors;
	struct vt_exit_stats *exits;          /* owned: per exit reason, largest total first (exit to next entry) */
	size_t nexits;
	struct vt_reason_time *reasons;       /* owned: HYPERVISOR time per exit reason, largest first */
	size_t nreasons;
	uint32_t isa;                         /* of its exits, to name the reasons (vt_exit_reason_name) */
	uint64_t userspace_exits;             /* exits QEMU handled (kvm_userspace_exit), summed */
	uint64_t userspace_by_reason[VT_USERSPACE_REASONS];
};

/* Every guest of the model, in QEMU pid order. Returns the count (0 when out of memory);
 * *out and what its entries point to are owned by the caller: vt_guest_summaries_free. */
VT_API size_t vt_guest_summaries(const struct vt_model *model, struct vt_guest_summary **out);
VT_API void vt_guest_summaries_free(struct vt_guest_summary *s, size_t n);

/* The live or past vCPU whose host thread is tid (a holder that is a vCPU), or NULL. */
VT_API const struct vt_vcpu_model *vt_model_vcpu_by_tid(const struct vt_model *model, int32_t tid);

#ifdef __cplusplus
}
#endif
#endif
