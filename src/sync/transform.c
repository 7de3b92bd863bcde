/* Applying and composing clock transforms (vmtrace/sync.h, sync/transform.h). */
#include <math.h>

#include "sync/transform.h"

int64_t vt_transform_apply(const struct vt_transform *t, int64_t ts)
{
	/* A slope of exactly 1 (the reference, trusted clocks) stays exact in
	 * integers: a double holds ns of the epoch only to 256 ns. */
	if (t->slope == 1.0)
		return t->y0 + (ts - t->x0);
	return t->y0 + (int64_t)llround(t->slope * (double)(ts - t->x0));
}

double vt_transform_offset(const struct vt_transform *t)
{
	return (double)t->y0 - t->slope * (double)t->x0;
}

struct vt_transform vt_transform_inverse(const struct vt_transform *t)
{
	return (struct vt_transform){1.0 / t->slope, t->y0, t->x0};
}

struct vt_transform vt_transform_compose(const struct vt_transform *outer, const struct vt_transform *inner)
{
	struct vt_transform r;
	r.slope = outer->slope * inner->slope;
	r.x0 = inner->x0;
	r.y0 = outer->y0 + (int64_t)llround(outer->slope * (double)(inner->y0 - outer->x0));
	return r;
}

int64_t vt_clock_to_ref(const struct vt_clock_sync *c, int64_t t)
{
	if (c->nknots < 2)
		return vt_transform_apply(&c->to_ref, t);
	size_t lo = 0, hi = c->nknots - 1;
	if (t <= c->knots[0][0])
		hi = 1;
	else if (t >= c->knots[hi][0])
		lo = hi - 1;
	else
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (c->knots[mid][0] <= t)
				lo = mid;
			else
				hi = mid;
		}
	hi = lo + 1;
	double slope = (double)(c->knots[hi][1] - c->knots[lo][1]) / (double)(c->knots[hi][0] - c->knots[lo][0]);
	return c->knots[lo][1] + (int64_t)llround(slope * (double)(t - c->knots[lo][0]));
}
