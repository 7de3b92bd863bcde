/* What the hull and ping methods share: a link's fit (b's time → a's time)
 * turned into machine k's clock, composed through its via's clock. */
#include <math.h>
#include <stdlib.h>

#include "sync/method.h"
#include "sync/transform.h"

/* How far machine k's traces reach before lo (*before) and after hi (*after), 0 when not. */
static void overhang(const struct vt_sync_ctx *ctx, size_t k, int64_t lo, int64_t hi, int64_t *before, int64_t *after)
{
	*before = *after = 0;
	const struct vt_machine *mk = &ctx->m->machines[k];
	for (size_t i = 0; i < mk->ntraces; i++) {
		const struct vt_trace_info *t = vt_sync_trace(ctx, mk->traces[i]);
		if (!t || !t->events)
			continue;
		if ((int64_t)t->first_ns < lo && lo - (int64_t)t->first_ns > *before)
			*before = lo - (int64_t)t->first_ns;
		if ((int64_t)t->last_ns > hi && (int64_t)t->last_ns - hi > *after)
			*after = (int64_t)t->last_ns - hi;
	}
}

/* The hull's claim holds over its messages' span; where machine k's traces
 * go on past it, a line the slope bounds allow drifts farther from the
 * estimate by the slope's uncertainty times the distance (a testbed guest's
 * trace ran 4 s past its last TCP segment: its hull was 1.38 ms off the
 * pings where it claimed +/- 1.32 ms). k_is_b: k's times are the pairs' t_b. */
static void beyond_messages(struct vt_clock_sync *c, const struct vt_link *l, enum vt_pairs kind, int k_is_b,
			    const struct vt_sync_ctx *ctx, size_t k)
{
	if (c->quality != VT_SYNC_ACCURATE || c->accuracy_ns < 0 || !ctx->traces || !vt_link_count(l, kind))
		return;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < l->n; i++) {
		if (!vt_pair_is(&l->p[i], kind))
			continue;
		int64_t t = k_is_b ? l->p[i].t_b : l->p[i].t_a;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	int64_t before, after;
	overhang(ctx, k, lo, hi, &before, &after);
	int64_t out = before > after ? before : after;
	double tilt = fmax(c->slope_max - c->to_ref.slope, c->to_ref.slope - c->slope_min);
	if (out > 0 && tilt > 0)
		c->accuracy_ns += (int64_t)ceil(tilt * (double)out);
}

/* The wandering clock: the knots, each mapped through the via's clock; the
 * line from the first to the last for reporting. */
static int through_knots(struct vt_clock_sync *c, const struct vt_link_fit *f, int k_is_b,
			 const struct vt_clock_sync *via)
{
	c->knots = malloc(f->nknots * sizeof(*c->knots));
	if (!c->knots)
		return -1;
	for (size_t i = 0; i < f->nknots; i++) {
		c->knots[i][0] = k_is_b ? f->knots[i][0] : f->knots[i][1];
		c->knots[i][1] = vt_clock_to_ref(via, k_is_b ? f->knots[i][1] : f->knots[i][0]);
	}
	c->nknots = f->nknots;
	size_t last = f->nknots - 1;
	c->to_ref.x0 = c->knots[0][0];
	c->to_ref.y0 = c->knots[0][1];
	c->to_ref.slope = (double)(c->knots[last][1] - c->knots[0][1]) / (double)(c->knots[last][0] - c->knots[0][0]);
	c->quality = VT_SYNC_ACCURATE;
	c->accuracy_ns = f->knot_accuracy;
	return 0;
}

/* Past the first and the last knot, the knots' line goes on with the end
 * segment's slope, where the clock may run at any slope its end window's
 * hull allows: the claim grows by the difference times the distance to the
 * ends of machine k's traces (a testbed guest's TCP segments spanned 13 s of
 * its trace: 3 knots, claimed +/- 9.8 ms, 14 ms off its pings at the end).
 * A window with a side unbounded widens by the side it has. */
static void beyond_knots(struct vt_clock_sync *c, const struct vt_link_fit *f, int k_is_b,
			 const struct vt_sync_ctx *ctx, size_t k)
{
	if (!ctx->traces || f->nknots < 2 || !f->knot_slopes || c->accuracy_ns < 0)
		return;
	int64_t before, after;
	overhang(ctx, k, c->knots[0][0], c->knots[f->nknots - 1][0], &before, &after);
	double widen = 0;
	for (int end = 0; end < 2; end++) {
		size_t seg = end ? f->nknots - 2 : 0, w = end ? f->nknots - 1 : 0;
		int64_t dist = end ? after : before;
		double slope = (double)(f->knots[seg + 1][1] - f->knots[seg][1]) /
			       (double)(f->knots[seg + 1][0] - f->knots[seg][0]);
		double lo = f->knot_slopes[w][0], hi = f->knot_slopes[w][1];
		if (!k_is_b) { /* k's time is a: the inverse line's slope and bounds */
			double inv_lo = 1.0 / hi, inv_hi = 1.0 / lo;
			slope = 1.0 / slope;
			lo = inv_lo;
			hi = inv_hi;
		}
		double tilt = 0;
		if (isfinite(lo)) /* NAN or infinite: that side unbounded */
			tilt = fmax(tilt, fabs(slope - lo));
		if (isfinite(hi))
			tilt = fmax(tilt, fabs(hi - slope));
		if (dist > 0 && tilt * (double)dist > widen)
			widen = tilt * (double)dist;
	}
	c->accuracy_ns += (int64_t)ceil(widen);
}

/* One line, mapped through the via's clock; slope bounds turned with it. */
static void through_line(struct vt_clock_sync *c, const struct vt_hull_result *h, int k_is_b,
			 const struct vt_clock_sync *via)
{
	struct vt_transform k_to_via = k_is_b ? h->to_ref : vt_transform_inverse(&h->to_ref);
	c->to_ref = vt_transform_compose(&via->to_ref, &k_to_via);
	c->slope_min = h->slope_min;
	c->slope_max = h->slope_max;
	if (!k_is_b && h->has_slope_min && h->has_slope_max) { /* bounds of the inverse line */
		c->slope_min = 1.0 / h->slope_max;
		c->slope_max = 1.0 / h->slope_min;
	}
	c->quality = h->quality;
	c->accuracy_ns = h->accuracy_ns;
}

int vt_sync_fit_candidate(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, enum vt_pairs kind,
			  struct vt_sync_candidate *out)
{
	size_t k = ask->k;
	int via = ctx->via[k];
	const struct vt_link *l = via < 0 ? NULL : vt_link_of(&ctx->links, k, (size_t)via);
	if (!l || kind < 0 || kind >= VT_PAIRS_KINDS || !l->fit[kind].done || !ctx->decided[via])
		return 0; /* not solved: no message with a placed machine */
	const struct vt_link_fit *f = &l->fit[kind];
	const struct vt_clock_sync *v = &ctx->res->machines[via];
	struct vt_clock_sync *c = &out->clock;
	int k_is_b = k > (size_t)via;
	/* A hull over pings alone is the ping method's result, whoever asked. */
	int pings = kind == VT_PAIRS_PINGS || l->pings == l->n;
	const char *what = pings ? "guest pings (hypercall round trips)" : "messages";
	size_t mine = k_is_b ? f->hull.to_ref_count : f->hull.from_ref_count;
	size_t theirs = k_is_b ? f->hull.from_ref_count : f->hull.to_ref_count;
	c->method = pings ? VT_SYNC_PING : VT_SYNC_HULL;
	c->reference = ctx->root;
	c->via = via;
	out->checked_by = kind;
	out->solved = 1;
	if (f->nknots >= 2) {
		if (through_knots(c, f, k_is_b, v))
			return -1;
		beyond_knots(c, f, k_is_b, ctx, k);
		c->why = vt_strdup_printf("no single line fits the %zu + %zu %s exchanged with machine %d (the clock "
					  "wanders): convex hull per time window, %zu knots",
					  mine, theirs, what, via, f->nknots);
		return c->why ? 0 : -1;
	}
	through_line(c, &f->hull, k_is_b, v);
	beyond_messages(c, l, kind, k_is_b, ctx, k);
	c->why = vt_strdup_printf("convex hull over %zu + %zu %s exchanged with machine %d: %s", mine, theirs, what,
				  via, vt_sync_quality_name(f->hull.quality));
	return c->why ? 0 : -1;
}
