/* vmtrace stage 5, model: what every vCPU was doing at every instant, from
 * the host's events in reference time: in guest mode, in the hypervisor (by
 * exit reason), preempted (by which host thread), idle. */
#ifndef VMTRACE_MODEL_H
#define VMTRACE_MODEL_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/event.h"
#include "vmtrace/identify.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vt_vcpu_state {
	VT_VCPU_UNKNOWN = 0, /* before the first event that tells */
	VT_VCPU_IDLE,        /* halted: the thread sleeps */
	VT_VCPU_GUEST,       /* between kvm_entry and kvm_exit */
	VT_VCPU_HYPERVISOR,  /* root mode on its thread: after an exit, and from being switched in to the entry */
	VT_VCPU_PREEMPTED,   /* runnable, not on a pCPU, not halted */
	VT_VCPU_STATE_COUNT
};
VT_API const char *vt_vcpu_state_name(enum vt_vcpu_state s);

struct vt_reason_time {
	uint64_t reason;
	uint64_t ns; /* HYPERVISOR state time charged to this reason */
};

/* Exits by reason, like `perf kvm stat`: each from kvm_exit to the next
 * kvm_entry on the vCPU thread (preemption meanwhile included). */
#define VT_EXIT_HIST_BUCKETS 256
struct vt_exit_stats {
	uint64_t reason;
	uint64_t count, total_ns, max_ns;
	uint32_t hist[VT_EXIT_HIST_BUCKETS]; /* 4 buckets per power of two of ns */
};

/* The q-quantile (0..1) of an exit histogram, within 1/8 of its value. */
VT_API uint64_t vt_exit_stats_quantile(const struct vt_exit_stats *e, double q);

struct vt_holder_time {
	int32_t tid; /* 0: the pCPU was idle */
	char comm[32];
	uint64_t ns;
};

struct vt_model;

/* KVM_EXIT_* codes of kvm_userspace_exit counted one by one (IO 2, MMIO 6, ...); the last slot
 * counts that code and every larger one. */
#define VT_USERSPACE_REASONS 40
/* The label of a userspace_by_reason slot: its KVM_EXIT_* name ("IO", "MMIO"...), else its code,
 * and "39+" for the last slot. Returns buf or a constant. */
VT_API const char *vt_userspace_exit_label(uint32_t slot, char *buf, size_t size);

/* One stretch of a vCPU's life (kept with vt_model.record_intervals, or passed
 * to a vt_model_sink). */
struct vt_vcpu_interval {
	uint64_t start, end;
	int64_t detail; /* exit reason (HYPERVISOR), holder tid (PREEMPTED), else -1 */
	enum vt_vcpu_state state;
};

/* A guest thread's stretch in one state (a vt_thread_state or vt_vcpu_state). */
struct vt_thread_interval {
	uint64_t start, end;
	int state;
	int vcpu; /* index in vt_model.vcpus while current, -1 */
};

/* A pCPU's stretch with one holder (the fused view). */
struct vt_cpu_interval {
	uint64_t start, end;
	int32_t tid;    /* 0: idle */
	int guest;      /* machine index when tid is a vCPU thread, else -1 */
	int guest_mode; /* 1: guest code on that vCPU, 0: hypervisor or host thread */
};

/* Receives every interval as it closes (consecutive stretches with the same
 * state and detail already joined), in time order per vCPU, thread or pCPU,
 * not across them. Lets exporters stream or aggregate without the model
 * keeping anything: memory stays flat however long the trace. The pointers
 * passed stay valid during the call only. */
struct vt_model_sink {
	void (*vcpu)(void *ctx, const struct vt_model *model, size_t vcpu, const struct vt_vcpu_interval *iv);
	void (*thread)(void *ctx, const struct vt_model *model, size_t thread, const struct vt_thread_interval *iv);
	void (*cpu)(void *ctx, const struct vt_model *model, size_t cpu, const struct vt_cpu_interval *iv);
	void *ctx;
};

/* A guest thread is in its vCPU's state while it is the vCPU's current thread,
 * else waiting in its run queue or sleeping. */
enum vt_thread_state {
	VT_THREAD_RUNNABLE = VT_VCPU_STATE_COUNT,
	VT_THREAD_SLEEPING,
	VT_THREAD_STATE_COUNT
};
VT_API const char *vt_thread_state_name(int s);

struct vt_thread_model {
	int guest; /* machine index */
	int32_t tid;
	char comm[32];
	int vcpu;    /* index in vt_model.vcpus while current, -1 otherwise */
	int mode;    /* VT_THREAD_RUNNABLE or VT_THREAD_SLEEPING when not current */
	uint64_t since, start_ns;
	uint64_t totals[VT_THREAD_STATE_COUNT]; /* add up to end - start_ns */
	struct vt_thread_interval pending;      /* for the sink */
};

struct vt_vcpu_model {
	int guest;        /* machine index of the guest, -1 when its trace is not among the inputs */
	int64_t qemu_pid; /* -1 when unknown (no statedump, fork or pid context) */
	uint32_t vcpu;
	int32_t tid;
	uint64_t start_ns, end_ns; /* observed, reference time: the trace's span, or the thread's life within it */
	uint64_t totals[VT_VCPU_STATE_COUNT]; /* add up to end_ns - start_ns */
	struct vt_reason_time *by_reason; /* owned: HYPERVISOR time per exit reason */
	size_t nreasons;
	struct vt_holder_time *by_holder; /* owned: PREEMPTED time per host thread holding the pCPU */
	size_t nholders;
	/* the state machine */
	enum vt_vcpu_state state;
	uint64_t since;
	uint64_t reason;
	int32_t wait_cpu;
	int seen;
	int thread; /* index in vt_model.threads of the guest's current thread, -1 */
	struct vt_exit_stats *exits; /* owned */
	size_t nexits;
	uint64_t exit_ts; /* of the exit not yet re-entered, 0 when none */
	/* Host code ran on its thread in guest mode: the guest left before its
	 * kvm_exit, which this kernel traces after the interrupts pending at the
	 * exit (SVM before Linux 6.x): HYPERVISOR from that moment. */
	int early_exit;
	int32_t on_cpu;   /* the pCPU it runs on, -1 when switched out */
	int forked;       /* its thread was created during the trace (start_ns is then its fork) */
	int start_idle;   /* IDLE since the trace began, from a wakeup: undone if a fork follows */
	int guest_seen;   /* an event of its guest's trace on this vCPU was seen */
	uint32_t isa;     /* of its exits (enum vt_isa): how to name their reasons */
	uint64_t userspace_exits; /* kvm_userspace_exit on its thread: exits QEMU itself handled */
	uint64_t userspace_by_reason[VT_USERSPACE_REASONS]; /* by KVM_EXIT_* code; the last slot: any larger code */
	int exited;       /* its thread exited (end_ns): later events of the tid are another thread's */
	struct vt_vcpu_interval *intervals; /* owned */
	size_t nintervals, cap_intervals;
	struct vt_vcpu_interval pending; /* the open interval for the sink, not yet passed on */
};

/* The fused per-pCPU view: who held each pCPU, a host thread or a guest (in
 * guest mode, or in the hypervisor on its behalf). */
struct vt_cpu_share {
	int32_t tid;   /* host thread; for guests, its vCPU thread */
	int guest;     /* machine index of the guest when tid is a vCPU thread, -1 for host threads */
	int guest_mode; /* 1: guest code, 0: hypervisor (root mode on the vCPU thread) */
	char comm[32];
	uint64_t ns;
};

struct vt_cpu_model {
	struct vt_cpu_share *shares; /* owned */
	size_t nshares;
	uint64_t since;
	struct vt_cpu_interval pending; /* for the sink */
	int switched; /* a sched_switch was seen: its holder is known */
};

struct vt_model {
	struct vt_vcpu_model *vcpus; /* owned, like every pointer here but machines: vt_model_free */
	size_t nvcpus;
	int host;            /* machine index of the host modelled */
	size_t *host_traces; /* its traces (caller's numbering) */
	size_t nhost_traces;
	int32_t *cpu_tid;    /* per pCPU: the thread running */
	char (*cpu_comm)[32];
	struct vt_cpu_model *cpus; /* per pCPU: the fused view */
	size_t ncpus;
	uint64_t first_ns, last_ns;
	const struct vt_machines *machines; /* weak: the caller's, must outlive the model */
	struct vt_thread_model *threads;
	size_t nthreads;
	uint64_t *guest_first; /* per machine: reference time of its first event */
	uint64_t *guest_last;  /* and of its last: its threads end there */
	int record_intervals;  /* keep every vCPU interval (memory grows with the trace) */
	struct vt_model_sink sink; /* optional: every interval as it closes */
	int oom;
};

/* The vCPUs of every QEMU process of the host machine `host` (m->processes;
 * -1: no host, the guests' own view); m must outlive the model. Returns the
 * model (owned: vt_model_free), or NULL with err set. */
VT_API struct vt_model *vt_model_new(const struct vt_machines *m, int host, struct vt_error *err);
/* Feeds one event of trace `trace` at reference time ts (events of other
 * machines are ignored); events must come in reference time order. */
VT_API void vt_model_feed(struct vt_model *model, size_t trace, uint64_t ts, const struct vt_event *ev);
/* Closes every vCPU's last state at the last event seen. */
VT_API void vt_model_finish(struct vt_model *model);
/* A window [a, b] of the trace: fed every event before a (the states at a
 * come from them), vt_model_restart(a) forgets what was accounted so far;
 * after the events up to b (when later ones exist), vt_model_finish_at(b)
 * closes everything at b. */
VT_API void vt_model_restart(struct vt_model *model, uint64_t ts);
VT_API void vt_model_finish_at(struct vt_model *model, uint64_t ts);
VT_API void vt_model_free(struct vt_model *model);

#ifdef __cplusplus
}
#endif
#endif
