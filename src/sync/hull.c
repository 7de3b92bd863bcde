/* Convex-hull clock synchronization of two machines (Duda et al.; the form
 * Trace Compass uses, after Jabbarifar and Dagenais).
 *
 * A message from M to R gives a point (t_m send, t_r receive) that the line
 * t_r = a·t_m + b must pass below; a message from R to M gives a point
 * (t_m receive, t_r send) the line must pass above. Only the lower hull of the
 * first set and the upper hull of the second constrain the line: the lines
 * between them have slopes in [a_min, a_max]; the estimate is the middle.
 * Coordinates are relative to the first message (exact int64), and orientation
 * tests use 128-bit products, so ns timestamps of the epoch lose nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "vmtrace/sync.h"

struct point {
	int64_t x, y;
};

struct point_set {
	struct point *p;
	size_t n, cap;
};

struct vt_hull {
	struct point_set above; /* M → R: the line passes below these */
	struct point_set below; /* R → M: the line passes above these */
	int has_base;
	int64_t base_x, base_y;
};

struct vt_hull *vt_hull_new(struct vt_error *err)
{
	struct vt_hull *h = calloc(1, sizeof(*h));
	if (!h)
		vt_error_set_cause(err, VT_ERR_NOMEM, "sync: out of memory");
	return h;
}

void vt_hull_free(struct vt_hull *h)
{
	if (!h)
		return;
	free(h->above.p);
	free(h->below.p);
	free(h);
}

static int push(struct point_set *s, struct point p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct point *q = realloc(s->p, cap * sizeof(*q));
		if (!q)
			return -1;
		s->p = q;
		s->cap = cap;
	}
	s->p[s->n++] = p;
	return 0;
}

int vt_hull_add(struct vt_hull *h, int from_ref, int64_t t_r, int64_t t_m)
{
	if (!h->has_base) {
		h->has_base = 1;
		h->base_x = t_m;
		h->base_y = t_r;
	}
	struct point p = {t_m - h->base_x, t_r - h->base_y};
	return push(from_ref ? &h->below : &h->above, p);
}

static __int128 cross(struct point o, struct point a, struct point b)
{
	return (__int128)(a.x - o.x) * (b.y - o.y) - (__int128)(a.y - o.y) * (b.x - o.x);
}

static int by_x(const void *a, const void *b)
{
	const struct point *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

/* Lower (sign = 1) or upper (sign = -1) hull of a copy of the points. */
static struct point *chain(const struct point_set *s, int sign, size_t *len)
{
	struct point *sorted = malloc((s->n ? s->n : 1) * sizeof(*sorted));
	struct point *h = malloc((s->n ? s->n : 1) * sizeof(*h));
	if (!sorted || !h) {
		free(sorted);
		free(h);
		*len = 0;
		return NULL;
	}
	if (s->n)
		memcpy(sorted, s->p, s->n * sizeof(*sorted));
	vt_qsort(sorted, s->n, sizeof(*sorted), by_x);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		while (k >= 2 && (sign > 0 ? cross(h[k - 2], h[k - 1], sorted[i]) <= 0
					   : cross(h[k - 2], h[k - 1], sorted[i]) >= 0))
			k--;
		h[k++] = sorted[i];
	}
	free(sorted);
	*len = k;
	return h;
}

static double slope_of(struct point a, struct point b)
{
	return (double)(b.y - a.y) / (double)(b.x - a.x);
}

/* The interval of b for slope a: [max over below of y - a x, min over above]. */
static void offset_range(const struct point *up, size_t nu, const struct point *lo, size_t nl, double a, double *bmin,
			 double *bmax)
{
	*bmin = -INFINITY;
	*bmax = INFINITY;
	for (size_t i = 0; i < nl; i++)
		*bmin = fmax(*bmin, (double)lo[i].y - a * (double)lo[i].x);
	for (size_t i = 0; i < nu; i++)
		*bmax = fmin(*bmax, (double)up[i].y - a * (double)up[i].x);
}

/* The highest (high) or lowest y at x of the lines the messages allow, slopes
 * in [a_min, a_max]: max over a of a·x + bmax(a) (concave, bmax the minimum
 * over the points above) peaks at an end of the range or where the point
 * that binds changes, at the slope of an edge of their hull; min of
 * a·x + bmin(a) likewise with the points below. */
static double envelope(const struct point *up, size_t nu, const struct point *lo, size_t nl, double a_min,
		       double a_max, double x, int high)
{
	const struct point *edge = high ? up : lo;
	size_t n = high ? nu : nl;
	double best = high ? -INFINITY : INFINITY;
	for (size_t i = 0; i + 1 <= n + 1; i++) {
		double a = i == 0 ? a_min : i == n ? a_max : slope_of(edge[i - 1], edge[i]);
		if (!(a >= a_min && a <= a_max))
			continue;
		double bmin, bmax;
		offset_range(up, nu, lo, nl, a, &bmin, &bmax);
		double y = a * x + (high ? bmax : bmin);
		best = high ? fmax(best, y) : fmin(best, y);
	}
	return best;
}

/* How far the line a·x + b may be from the true one over the messages' span:
 * the farthest the allowed lines reach from it, at either end of the span
 * (the distance to a family of lines is convex in x). The half width of the
 * offsets at slope a alone, claimed before, held only where the messages
 * pin the line: on the nested testbed a hull claiming +/- 469 us was 574 us
 * off the guest's pings at the trace's end. */
static double span_accuracy(const struct point *up, size_t nu, const struct point *lo, size_t nl, double a_min,
			    double a_max, double a, double b)
{
	double ends[2] = {fmin((double)up[0].x, (double)lo[0].x), fmax((double)up[nu - 1].x, (double)lo[nl - 1].x)};
	double worst = 0;
	for (int e = 0; e < 2; e++) {
		double mine = a * ends[e] + b;
		worst = fmax(worst, envelope(up, nu, lo, nl, a_min, a_max, ends[e], 1) - mine);
		worst = fmax(worst, mine - envelope(up, nu, lo, nl, a_min, a_max, ends[e], 0));
	}
	return worst;
}

static void set_line(const struct vt_hull *h, double a, double b, struct vt_hull_result *out)
{
	out->to_ref.slope = a;
	out->to_ref.x0 = h->base_x;
	out->to_ref.y0 = h->base_y + (int64_t)llround(b);
}

void vt_hull_compute(const struct vt_hull *h, struct vt_hull_result *out)
{
	memset(out, 0, sizeof(*out));
	out->to_ref = (struct vt_transform){1, 0, 0};
	out->accuracy_ns = -1;
	out->to_ref_count = h->above.n;
	out->from_ref_count = h->below.n;
	if (!h->above.n && !h->below.n) {
		out->quality = VT_SYNC_ABSENT;
		return;
	}
	size_t nu = 0, nl = 0;
	struct point *up = chain(&h->above, 1, &nu);  /* lower hull of the points above the line */
	struct point *lo = chain(&h->below, -1, &nl); /* upper hull of the points below it */
	double bmin, bmax;
	if (!nu || !nl) {
		/* One way only: with the slope taken as 1, the offset is only bounded
		 * on one side; take the bound (zero minimum latency). */
		out->quality = VT_SYNC_INCOMPLETE;
		offset_range(up, nu, lo, nl, 1.0, &bmin, &bmax);
		set_line(h, 1.0, nu ? bmax : bmin, out);
		goto done;
	}
	int has_max = 0, has_min = 0, contradiction = 0;
	double a_max = INFINITY, a_min = -INFINITY;
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nu; j++) {
			if (up[j].x > lo[i].x) {
				a_max = fmin(a_max, slope_of(lo[i], up[j]));
				has_max = 1;
			} else if (up[j].x < lo[i].x) {
				a_min = fmax(a_min, slope_of(up[j], lo[i]));
				has_min = 1;
			} else if (lo[i].y > up[j].y) {
				contradiction = 1;
			}
		}
	out->has_slope_min = has_min;
	out->has_slope_max = has_max;
	out->slope_min = has_min ? a_min : 0;
	out->slope_max = has_max ? a_max : 0;
	double a;
	if (contradiction || (has_min && has_max && a_min > a_max)) {
		out->quality = VT_SYNC_FAIL;
		a = has_min && has_max ? (a_min + a_max) / 2 : 1.0;
	} else if (has_min && has_max) {
		out->quality = VT_SYNC_ACCURATE;
		a = (a_min + a_max) / 2;
	} else {
		out->quality = VT_SYNC_APPROXIMATE;
		a = has_min ? fmax(1.0, a_min) : fmin(1.0, a_max);
	}
	offset_range(up, nu, lo, nl, a, &bmin, &bmax);
	if (out->quality == VT_SYNC_FAIL || bmin > bmax) {
		if (out->quality != VT_SYNC_FAIL)
			out->quality = VT_SYNC_FAIL;
		set_line(h, a, (bmin + bmax) / 2, out);
		goto done;
	}
	set_line(h, a, (bmin + bmax) / 2, out);
	out->accuracy_ns = (int64_t)llround((bmax - bmin) / 2);
	if (out->quality == VT_SYNC_ACCURATE)
		out->accuracy_ns = (int64_t)ceil(span_accuracy(up, nu, lo, nl, a_min, a_max, a, (bmin + bmax) / 2));
done:
	free(up);
	free(lo);
}
