/* The message pairs between each two machines, and the convex hulls that fit
 * them: one over all of them, one over the guest's pings alone. The hull and
 * ping methods fit them once (their prepare); the tree, the trusted method and
 * the latencies read them. */
#ifndef VT_SYNC_LINKS_H
#define VT_SYNC_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "sync/evidence.h"
#include "vmtrace/identify.h"
#include "vmtrace/sync.h"

/* Which of a link's pairs. */
enum vt_pairs {
	VT_PAIRS_NONE = -1, /* a method that fits no message */
	VT_PAIRS_ALL = 0,   /* TCP segments, vmsync hypercalls and pings */
	VT_PAIRS_PINGS,     /* the guest's pings alone (vmtraced --ping) */
	VT_PAIRS_KINDS
};

/* One message pair between machines a < b: who sent, both times. */
struct vt_pair {
	int a_sent, ping;
	int64_t t_a, t_b;
};

struct vt_link_fit {
	int done;                   /* fitted (else: no pair of its kind) */
	size_t n;                   /* pairs fitted */
	struct vt_hull_result hull; /* b's time → a's time */
	int64_t (*knots)[2];        /* owned: piecewise b → a when one line FAILs; NULL when it fits */
	double (*knot_slopes)[2];   /* owned: each knot's window's slope bounds (b → a), NAN when unbounded */
	size_t nknots;
	int64_t knot_accuracy; /* the worst window's accuracy */
};

struct vt_link {
	struct vt_pair *p; /* owned, in the order the messages came */
	size_t n, cap, pings;
	struct vt_link_fit fit[VT_PAIRS_KINDS];
};

struct vt_links {
	struct vt_link *l; /* owned: count * count, link (a, b) at a * count + b, a < b */
	size_t count;
};

/* Every message pair between two machines, from the first pass's messages.
 * Returns 0, or -1 out of memory (or the messages' temporary file failed). */
int vt_links_collect(struct vt_links *ls, const struct vt_sync *s, const struct vt_machines *m);
void vt_links_free(struct vt_links *ls);
/* The link between machines x and y in either order; NULL when x == y or out of range. */
struct vt_link *vt_link_of(const struct vt_links *ls, size_t x, size_t y);
static inline int vt_pair_is(const struct vt_pair *p, enum vt_pairs kind)
{
	return kind == VT_PAIRS_ALL || (kind == VT_PAIRS_PINGS && p->ping);
}
size_t vt_link_count(const struct vt_link *l, enum vt_pairs kind);
/* Fits every link's pairs of that kind. Returns 0, or -1 out of memory. */
int vt_links_fit(struct vt_links *ls, enum vt_pairs kind);
/* Whether a fit places b against a: its line is bounded on both sides, or
 * per time window (knots). */
int vt_link_fit_places(const struct vt_link_fit *f);

#endif
