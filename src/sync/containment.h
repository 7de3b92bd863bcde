/* Containment: a guest runs only while one of its vCPU threads is in guest
 * mode on the host, so every guest event on vCPU n happened inside one of that
 * thread's [kvm_entry, kvm_exit] windows. Each event bounds the guest clock's
 * offset; many events pin it, with no network and no hypercall module. */
#ifndef VT_SYNC_CONTAINMENT_H
#define VT_SYNC_CONTAINMENT_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/event.h"
#include "vmtrace/sync.h"

struct vt_window {
	int64_t start, end; /* host time: entry, exit */
};

struct vt_vcpu_windows { /* one host thread's guest-mode windows, in time order */
	size_t trace;
	int32_t tid;
	int64_t open; /* time of an entry not yet closed, -1 when none */
	struct vt_window *w; /* in memory once loaded (see vt_window_log) */
	size_t n, cap;
	int loaded; /* its logged windows are in w (or it was never logged) */
};

/* The windows wait in an unlinked temporary file until a solve needs them
 * (a guest with no agent and no network): memory stays flat otherwise. */
struct vt_window_log;

struct vt_guest_sample {
	int64_t ts;
	int32_t cpu;
};

struct vt_trace_samples { /* a deterministic subsample of one trace's events */
	size_t trace;
	struct vt_guest_sample *s;
	size_t n, cap;
	uint64_t seen, stride;
};

struct vt_containment {
	struct vt_vcpu_windows *threads;
	size_t nthreads, cap;
	size_t last; /* index of the thread last used: entries and exits come in runs */
	struct vt_trace_samples *traces;
	size_t ntraces;
	struct vt_window_log *log; /* NULL: windows kept in memory (no temporary file) */
	int no_log;
	int oom;
};

void vt_containment_feed(struct vt_containment *c, size_t trace, const struct vt_event *ev);
void vt_containment_free(struct vt_containment *c);
/* Why the temporary file of windows failed (naming TMPDIR), in buf; or NULL. */
const char *vt_containment_error(const struct vt_containment *c, char *buf, size_t size);

struct vt_containment_result {
	struct vt_transform to_host;
	size_t events;    /* guest events tried */
	size_t explained; /* of them, inside a window of their vCPU with to_host */
	size_t chance;    /* inside with to_host shifted by ms, where it is wrong */
	/* half the width of the offset interval the events leave; -1 when
	 * explained is not well above chance (half the way from it to all) */
	int64_t accuracy_ns;
};

/* Finds the transform of a guest (its traces, its vCPU → host thread map on
 * host trace(s) `host_traces`) that puts the most guest events inside their
 * vCPU's windows, searching around `start`. With wide, when that leaves most
 * events outside, also from the offset found at any distance the traces'
 * spans allow (vt_containment_wide_shift), keeping the better. Returns 0, or
 * -1 when there is nothing to work with (no windows or no events). */
int vt_containment_solve(const struct vt_containment *c, const size_t *guest_traces, size_t nguest,
			 const size_t *host_traces, size_t nhost, const struct vt_vcpu_map *vcpus, size_t nvcpus,
			 const struct vt_transform *start, int wide, struct vt_containment_result *out);

/* One guest event and its vCPU's windows on the host. */
struct vt_containment_probe {
	int64_t guest_ts;
	const struct vt_vcpu_windows *windows;
};

/* containment_wide.c: the shift (ns, added to start's host times) that puts
 * the most of the n events (sorted by time) on their vCPUs' guest-mode time,
 * searched over every offset at which the guest's span meets its windows',
 * coarse to fine down to bins of 10 ms: for clocks seconds or hours apart
 * (ftrace's mono clocks count from each machine's boot). *within: how far
 * the true shift may be from it. Returns 0, or -1 when out of memory or there
 * is nothing to compare. */
int vt_containment_wide_shift(const struct vt_containment_probe *p, size_t n, const struct vt_transform *start,
			      int64_t *shift, int64_t *within);

#endif
