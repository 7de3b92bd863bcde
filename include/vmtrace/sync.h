/* vmtrace stage 3, sync: one clock transform per machine into the reference
 * (host) timebase, with its quality and bounds. Fed events during the first
 * pass, finished once identification has named the machines. */
#ifndef VMTRACE_SYNC_H
#define VMTRACE_SYNC_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/identify.h"
#include "vmtrace/sources.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As Trace Compass names them. */
enum vt_sync_quality {
	VT_SYNC_ABSENT = 0,  /* no message between the two machines */
	VT_SYNC_INCOMPLETE,  /* messages one way only: the offset is a bound */
	VT_SYNC_APPROXIMATE, /* both ways, too few to bound the slope on both sides */
	VT_SYNC_ACCURATE,    /* slope bounded on both sides */
	VT_SYNC_FAIL,        /* contradictory: no line separates the two directions */
};
VT_API const char *vt_sync_quality_name(enum vt_sync_quality q);

enum vt_sync_method {
	VT_SYNC_AUTO = 0,
	VT_SYNC_TRUSTED, /* the clocks are already one (ptp_kvm + chrony): verify only */
	VT_SYNC_HULL,    /* convex hull over TCP segments and vmsync hypercall pairs */
	VT_SYNC_CONTAINMENT, /* guest events inside their vCPU's guest-mode windows on the host */
	VT_SYNC_TSC,         /* TSC clocks related by the agent's per-vCPU tsc-offset */
	VT_SYNC_PING,        /* convex hull over the guest's pings alone (vmtraced --ping) */
};
VT_API const char *vt_sync_method_name(enum vt_sync_method m);
/* Parses "auto", "trusted", "hull", "containment", "tsc", "ping"; returns -1 when unknown. */
VT_API int vt_sync_method_parse(const char *name, enum vt_sync_method *out);

/* t_ref = y0 + slope * (t - x0): anchored near the trace's own times, so that
 * ns timestamps of the epoch (1e18) keep their precision. */
struct vt_transform {
	double slope;
	int64_t x0, y0;
};

VT_API int64_t vt_transform_apply(const struct vt_transform *t, int64_t ts);

/* Whether a trace clock counts TSC cycles (its name says "tsc"). */
VT_API int vt_clock_is_tsc(const struct vt_clock_info *c);
/* Guest trace time → host trace time for TSC clocks related by KVM's
 * guest_tsc = host_tsc * ratio / 2^frac_bits + tsc_offset (ratio 0: unscaled). */
VT_API int vt_tsc_transform(const struct vt_clock_info *guest, const struct vt_clock_info *host, int64_t tsc_offset,
		     uint64_t ratio, uint32_t frac_bits, struct vt_transform *out);
/* The same line as t_ref = slope * t + offset (offset loses precision at 1e18). */
VT_API double vt_transform_offset(const struct vt_transform *t);

/* Message latencies (receive - send, after the transforms) one way. */
struct vt_latency {
	size_t count;
	int64_t min, p50, p99, max;
	size_t negative; /* causality violations: received before sent */
};

struct vt_clock_sync {
	int reference;   /* machine index whose clock this is mapped to (the root) */
	int via;         /* the machine it was synchronized against (-1: root or none) */
	enum vt_sync_method method;
	enum vt_sync_quality quality;
	struct vt_transform to_ref;
	double slope_min, slope_max;   /* bounds of the hull (when quality allows) */
	int64_t accuracy_ns;           /* half width of the offset interval, -1 when unbounded */
	size_t matches_to_ref, matches_from_ref; /* message pairs with `via`, each way */
	struct vt_latency to_ref_latency, from_ref_latency; /* with `via`, after the transforms */
	size_t contained_events, contained_explained; /* containment: guest events tried, inside a window */
	/* When one line cannot fit (NTP wander over minutes): the hull per time
	 * window, as knots {t, t_ref} joined by lines; to_ref is then the overall
	 * line for reporting. NULL/0 when to_ref is exact. */
	int64_t (*knots)[2]; /* owned */
	size_t nknots;
	char *why; /* owned: one sentence, why this method and this quality */
};

/* A timestamp of machine c's clock in the reference time: through the knots
 * when there are, else the line. */
VT_API int64_t vt_clock_to_ref(const struct vt_clock_sync *c, int64_t t);

struct vt_sync_result {
	struct vt_clock_sync *machines; /* owned (vt_sync_result_free): per machine index */
	size_t count;
	int root;
};

struct vt_sync;

/* NULL with err set when out of memory (owned: vt_sync_free). */
VT_API struct vt_sync *vt_sync_new(struct vt_error *err);
/* Keep only the messages (identification's TCP evidence), not what the
 * containment method needs: much less memory on long traces. */
VT_API void vt_sync_skip_containment(struct vt_sync *s);
/* Leave the guests' pings out (to measure the other methods against them). */
VT_API void vt_sync_ignore_pings(struct vt_sync *s);
/* PING_OUT events seen on guests, ping hypercalls seen on hosts. */
VT_API void vt_sync_ping_counts(const struct vt_sync *s, uint64_t *guest_pings, uint64_t *host_pings);
/* Looks at one event of trace number `trace` (same numbering as identification). */
VT_API void vt_sync_feed(struct vt_sync *s, size_t trace, const struct vt_event *ev);
/* Host threads that received messages sent by machine `guest` (TCP from a
 * guest reaches its host through its QEMU's threads): on the first host trace
 * that received any. *tids is malloc'ed. Returns their count (0: none). */
VT_API size_t vt_sync_receiving_threads(const struct vt_sync *s, const struct vt_machines *m, size_t guest,
				 size_t *host_trace, int32_t **tids);

/* How well the containment method places the traces of machine `guest` in
 * the guest-mode windows of the given vCPU threads of a host trace, starting
 * from the clocks as they are: *explained of *events guest events fall inside.
 * Returns 0, or -1 when there is nothing to measure. */
VT_API int vt_sync_containment_score(const struct vt_sync *s, const struct vt_machines *m, size_t guest,
			      size_t host_trace, const struct vt_vcpu_map *vcpus, size_t nvcpus, size_t *explained,
			      size_t *events);

/* traces: the trace infos, numbered as fed (for the TSC method's clocks). */
VT_API int vt_sync_finish(struct vt_sync *s, const struct vt_machines *m, const struct vt_trace_info *const *traces,
		   enum vt_sync_method method, struct vt_sync_result **out, struct vt_error *err);
VT_API void vt_sync_free(struct vt_sync *s);
VT_API void vt_sync_result_free(struct vt_sync_result *r);

/* The convex-hull synchronization of one pair of machines, usable alone:
 * messages between a reference R and another machine M. */
struct vt_hull;
struct vt_hull_result {
	enum vt_sync_quality quality;
	struct vt_transform to_ref; /* M's time → R's time */
	double slope_min, slope_max; /* valid for ACCURATE (and one side for APPROXIMATE) */
	int has_slope_min, has_slope_max;
	int64_t accuracy_ns; /* -1 when unbounded */
	size_t to_ref_count, from_ref_count; /* messages each way */
};
/* NULL with err set when out of memory (owned: vt_hull_free). */
VT_API struct vt_hull *vt_hull_new(struct vt_error *err);
/* A message from M (sent at t_m) received by R (at t_r): from_ref = 0;
 * from R (sent at t_r) received by M (at t_m): from_ref = 1. */
VT_API int vt_hull_add(struct vt_hull *h, int from_ref, int64_t t_r, int64_t t_m);
VT_API void vt_hull_compute(const struct vt_hull *h, struct vt_hull_result *out);
VT_API void vt_hull_free(struct vt_hull *h);

#ifdef __cplusplus
}
#endif
#endif
