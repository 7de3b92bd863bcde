/* Message pairs per pair of machines, and the hulls that fit them: one line,
 * or one line per time window when a wandering clock contradicts one line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "sync/links.h"

struct vt_link *vt_link_of(const struct vt_links *ls, size_t x, size_t y)
{
	if (x == y || x >= ls->count || y >= ls->count)
		return NULL;
	size_t a = x < y ? x : y, b = x < y ? y : x;
	return &ls->l[a * ls->count + b];
}

size_t vt_link_count(const struct vt_link *l, enum vt_pairs kind)
{
	return kind == VT_PAIRS_ALL ? l->n : kind == VT_PAIRS_PINGS ? l->pings : 0;
}

int vt_link_fit_places(const struct vt_link_fit *f)
{
	return f->done &&
	       (f->nknots >= 2 || f->hull.quality == VT_SYNC_ACCURATE || f->hull.quality == VT_SYNC_APPROXIMATE);
}

static int add_pair(struct vt_link *l, const struct vt_pair *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct vt_pair *q = realloc(l->p, cap * sizeof(*q));
		if (!q)
			return -1;
		l->p = q;
		l->cap = cap;
	}
	l->p[l->n++] = *p;
	l->pings += p->ping != 0;
	return 0;
}

struct linking {
	const struct vt_machines *m;
	struct vt_links *ls;
	int oom;
};

static void link_one(void *ctx, const struct vt_msg *msg)
{
	struct linking *c = ctx;
	for (uint8_t x = 0; x < msg->nsend && x < VT_MSG_ENDS; x++)
		for (uint8_t y = 0; y < msg->nrecv && y < VT_MSG_ENDS; y++) {
			if (msg->send[x].trace >= c->m->ntraces || msg->recv[y].trace >= c->m->ntraces)
				continue;
			size_t ms = c->m->trace_machine[msg->send[x].trace];
			size_t mr = c->m->trace_machine[msg->recv[y].trace];
			struct vt_link *l = vt_link_of(c->ls, ms, mr);
			if (!l)
				continue; /* within one machine: says nothing of clocks */
			int64_t ts = msg->send[x].ts, tr = msg->recv[y].ts;
			struct vt_pair p = {ms < mr, (msg->key.b & 3) == VT_MSG_PING, ms < mr ? ts : tr,
					    ms < mr ? tr : ts};
			if (!c->oom && add_pair(l, &p))
				c->oom = 1;
		}
}

int vt_links_collect(struct vt_links *ls, const struct vt_sync *s, const struct vt_machines *m)
{
	size_t n = m->count;
	ls->count = n;
	ls->l = calloc(n ? n * n : 1, sizeof(*ls->l));
	if (!ls->l)
		return -1;
	struct linking c = {m, ls, 0};
	return vt_msg_store_each(&s->msgs, link_one, &c) || c.oom ? -1 : 0;
}

void vt_links_free(struct vt_links *ls)
{
	for (size_t i = 0; ls->l && i < ls->count * ls->count; i++) {
		free(ls->l[i].p);
		for (int k = 0; k < VT_PAIRS_KINDS; k++) {
			free(ls->l[i].fit[k].knots);
			free(ls->l[i].fit[k].knot_slopes);
		}
	}
	free(ls->l);
	ls->l = NULL;
}

static int hull_of(const struct vt_pair *p, size_t n, struct vt_hull_result *out)
{
	struct vt_hull *h = vt_hull_new(NULL);
	if (!h)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (vt_hull_add(h, p[i].a_sent, p[i].t_a, p[i].t_b)) {
			vt_hull_free(h);
			return -1;
		}
	vt_hull_compute(h, out);
	vt_hull_free(h);
	return 0;
}

/* A total order, so that the hull's anchor (its first pair) does not depend
 * on the order the traces were read in. */
static int by_times(const void *x, const void *y)
{
	const struct vt_pair *p = x, *q = y;
	if (p->t_b != q->t_b)
		return (p->t_b > q->t_b) - (p->t_b < q->t_b);
	if (p->t_a != q->t_a)
		return (p->t_a > q->t_a) - (p->t_a < q->t_a);
	return (p->a_sent > q->a_sent) - (p->a_sent < q->a_sent);
}

/* Messages each way a window needs before it is worth a line of its own. */
#define MIN_WINDOW_MESSAGES 16
#define MAX_DEPTH 12
#define SPLIT_ABOVE 256

/* A knot (b, a) and its window's slope bounds r. */
static int push_knot(struct vt_link_fit *f, int64_t b, int64_t a, const struct vt_hull_result *r)
{
	int64_t(*k)[2] = realloc(f->knots, (f->nknots + 1) * sizeof(*k));
	if (!k)
		return -1;
	f->knots = k;
	double(*sl)[2] = realloc(f->knot_slopes, (f->nknots + 1) * sizeof(*sl));
	if (!sl)
		return -1;
	f->knot_slopes = sl;
	f->knots[f->nknots][0] = b;
	f->knots[f->nknots][1] = a;
	f->knot_slopes[f->nknots][0] = r->has_slope_min ? r->slope_min : NAN;
	f->knot_slopes[f->nknots][1] = r->has_slope_max ? r->slope_max : NAN;
	f->nknots++;
	return 0;
}

/* The hull over pairs p[from, to) (sorted by b's time): ACCURATE gives a knot
 * at the window's middle; FAIL splits the window in two, down to windows too
 * small to bound the slope. Returns -1 out of memory. */
static int piecewise(struct vt_link_fit *f, const struct vt_pair *p, size_t from, size_t to, int depth)
{
	size_t each[2] = {0, 0};
	for (size_t i = from; i < to; i++)
		each[p[i].a_sent != 0]++;
	struct vt_hull_result r;
	if (hull_of(p + from, to - from, &r))
		return -1;
	int small = each[0] < 2 * MIN_WINDOW_MESSAGES || each[1] < 2 * MIN_WINDOW_MESSAGES;
	/* A wandering clock fits a line only piece by piece: split the windows
	 * that contradict one line, and the ones with messages to spare, so that
	 * the knots follow the wander. */
	int plenty = each[0] >= SPLIT_ABOVE && each[1] >= SPLIT_ABOVE;
	if ((r.quality == VT_SYNC_FAIL || plenty) && !small && depth < MAX_DEPTH) {
		size_t mid = from + (to - from) / 2;
		return piecewise(f, p, from, mid, depth + 1) || piecewise(f, p, mid, to, depth + 1) ? -1 : 0;
	}
	if (r.quality != VT_SYNC_ACCURATE && r.quality != VT_SYNC_APPROXIMATE)
		return 0; /* this window says nothing reliable: its neighbours' knots span it */
	int64_t mid_b = p[from + (to - from) / 2].t_b;
	if (r.accuracy_ns > f->knot_accuracy)
		f->knot_accuracy = r.accuracy_ns;
	return push_knot(f, mid_b, vt_transform_apply(&r.to_ref, mid_b), &r);
}

/* Knots must rise in both coordinates to be a clock; drop the ones that do not. */
static void keep_monotonic(struct vt_link_fit *f)
{
	size_t w = 0;
	for (size_t i = 0; i < f->nknots; i++)
		if (!w || (f->knots[i][0] > f->knots[w - 1][0] && f->knots[i][1] > f->knots[w - 1][1])) {
			f->knots[w][0] = f->knots[i][0];
			f->knots[w][1] = f->knots[i][1];
			f->knot_slopes[w][0] = f->knot_slopes[i][0];
			f->knot_slopes[w][1] = f->knot_slopes[i][1];
			w++;
		}
	f->nknots = w;
}

static int try_piecewise(struct vt_link_fit *f, struct vt_pair *p, size_t n)
{
	/* p is in time order already (fit_one) */
	if (piecewise(f, p, 0, n, 0))
		return -1;
	keep_monotonic(f);
	if (f->nknots < 2) {
		free(f->knots);
		free(f->knot_slopes);
		f->knots = NULL;
		f->knot_slopes = NULL;
		f->nknots = 0;
	}
	return 0;
}

/* The pairs of that kind, copied and in time order (the hull anchors at the
 * first). */
static int fit_one(struct vt_link *l, enum vt_pairs kind)
{
	struct vt_link_fit *f = &l->fit[kind];
	size_t n = vt_link_count(l, kind);
	if (f->done || !n)
		return 0;
	struct vt_pair *p = malloc(n * sizeof(*p));
	if (!p)
		return -1;
	size_t w = 0;
	for (size_t i = 0; i < l->n && w < n; i++)
		if (vt_pair_is(&l->p[i], kind))
			p[w++] = l->p[i];
	vt_qsort(p, w, sizeof(*p), by_times);
	int rc = hull_of(p, w, &f->hull);
	if (!rc && f->hull.quality == VT_SYNC_FAIL)
		rc = try_piecewise(f, p, w);
	free(p);
	f->n = w;
	f->done = !rc;
	return rc;
}

int vt_links_fit(struct vt_links *ls, enum vt_pairs kind)
{
	if (kind < 0 || kind >= VT_PAIRS_KINDS)
		return 0;
	for (size_t a = 0; a < ls->count; a++)
		for (size_t b = a + 1; b < ls->count; b++)
			if (fit_one(&ls->l[a * ls->count + b], kind))
				return -1;
	return 0;
}
