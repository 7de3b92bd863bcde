/* What identification keeps from the first pass: only the few events that
 * name machines, guests and vCPU threads, deduplicated, so memory follows the
 * number of threads and guests, not the trace length. */
#ifndef VT_IDENTIFY_COLLECT_H
#define VT_IDENTIFY_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/identify.h"

struct vt_seen_guest { /* GUEST_DUMP / GUEST_CREATED on a host trace */
	size_t trace;
	int64_t pid;
	char *uuid, *name; /* uuid NULL when the agent said nothing shows the process runs KVM */
	int destroyed;     /* a GUEST_DESTROYED of that pid followed on that trace */
};

struct vt_seen_vcpu { /* GUEST_VCPU from the agent */
	size_t trace;
	int64_t pid;
	uint32_t vcpu;
	int32_t tid;
	int64_t tsc_offset;
	uint64_t tsc_ratio;
	uint32_t tsc_frac_bits;
};

struct vt_seen_exit { /* a KVM_EXIT's (tid, vcpu_id), once per pair */
	size_t trace;
	int32_t tid;
	uint32_t vcpu;
	char *procname;
};

struct vt_seen_thread { /* tid → pid from statedump, fork or event context */
	size_t trace;
	int32_t tid, pid;
};

struct vt_seen_vmsync { /* a vm_uid seen on a trace; tid for the host side */
	size_t trace;
	uint64_t vm_uid;
	int32_t tid;
	int host_side;
};

struct vt_trace_ids { /* per trace */
	char *machine_uuid; /* from the agent's MACHINE_ID event */
	char *machine_hostname;
};

#define VT_VEC(type) struct { type *v; size_t n, cap; }

struct vt_identify {
	size_t ntraces;
	struct vt_trace_ids *traces;
	VT_VEC(struct vt_seen_guest) guests;
	VT_VEC(struct vt_seen_vcpu) vcpus;
	VT_VEC(struct vt_seen_exit) exits;
	VT_VEC(struct vt_seen_thread) threads;
	VT_VEC(struct vt_seen_vmsync) vmsyncs;
	VT_VEC(struct vt_guest_hint) hints;
	/* Until canonicalization: (trace, tid) → 1 + its index in threads, open
	 * addressing (a trace of 10,000 threads must not scan them per event). */
	size_t *thread_slots;
	size_t nthread_slots; /* a power of two, or 0 */
	/* After vt_identify_finish: trace -> the first trace of its machine.
	 * What was seen on one trace of a machine (a rotated session's chunk,
	 * its kernel or UST trace) holds for all: tids are the machine's. */
	size_t *canon;
	size_t ncanon;
	int oom;
};

/* Grows a VT_VEC by one zeroed slot; NULL when out of memory. */
void *vt_vec_push(void *vec, size_t elem);
#define VT_PUSH(vec) ((__typeof__((vec).v))vt_vec_push(&(vec), sizeof(*(vec).v)))

/* The per-trace record of trace number `trace`, grown on demand; NULL when out of memory. */
struct vt_trace_ids *vt_collect_trace(struct vt_identify *id, size_t trace);

int32_t vt_collect_pid_of(const struct vt_identify *id, size_t trace, int32_t tid);

/* Drops the (trace, tid) index of threads: canonicalization renumbers their traces. */
void vt_collect_threads_unindex(struct vt_identify *id);

/* The machine's first trace (vt_identify.canon), trace itself before finish. */
size_t vt_collect_canon(const struct vt_identify *id, size_t trace);

#endif
