/* Containment's search at any distance (containment.h): when a guest's clock
 * is seconds or hours from the host's (ftrace's mono clocks count from each
 * machine's boot; a nested testbed's ftrace guests were 10-15 s off), the
 * first search, a few ms around the clocks as they are, finds nothing. Here
 * the guest's events, binned by their predicted host time, slide along their
 * vCPUs' guest-mode occupancy of the same bins; the shift that lays the most
 * events on guest-mode time wins, and is refined with bins ten times finer
 * around it, down to 10 ms, where the exact count (containment.c) takes over. */
#include "sync/containment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* vCPU threads compared at most (more are rare; the first ones decide). */
#define MAX_GROUPS 64
/* Multiply-adds the first, widest stage may cost. */
#define FIRST_STAGE_BUDGET 2e8
/* Finer bins than this alias: a guest's 4 ms tick against the host's 3 ms
 * timeslices gave a nested-testbed-like simulation a peak 9 ms off at 1 ms
 * bins. The caller's exact count takes over from here. */
#define MIN_BIN_NS 10000000
/* Bins of the host's span at the finest stage, at most. */
#define MAX_BINS 200000

struct group {
	const struct vt_vcpu_windows *w;
	double *occ;   /* guest-mode ns per host bin */
	double *count; /* events per predicted-time bin */
};

struct span {
	int64_t p0, p1; /* events' predicted host times */
	int64_t h0, h1; /* windows' host times */
};

static size_t group_of(struct group *g, size_t *ng, const struct vt_vcpu_windows *w)
{
	for (size_t i = 0; i < *ng; i++)
		if (g[i].w == w)
			return i;
	if (*ng == MAX_GROUPS)
		return MAX_GROUPS;
	g[*ng] = (struct group){w, NULL, NULL};
	return (*ng)++;
}

/* The best shift in [dlo, dhi] at bin width bin; -1 out of memory. */
static int stage(size_t n, const int64_t *pred, const uint8_t *gi,
		 struct group *g, size_t ng, const struct span *sp, int64_t bin, int64_t dlo, int64_t dhi,
		 int64_t *best_shift)
{
	size_t nh = (size_t)((sp->h1 - sp->h0) / bin) + 1, ne = (size_t)((sp->p1 - sp->p0) / bin) + 1;
	int rc = -1;
	for (size_t k = 0; k < ng; k++) {
		g[k].occ = calloc(nh, sizeof(double));
		g[k].count = calloc(ne, sizeof(double));
		if (!g[k].occ || !g[k].count)
			goto out;
		const struct vt_vcpu_windows *w = g[k].w;
		for (size_t i = 0; i < w->n; i++) {
			int64_t a = w->w[i].start, b = w->w[i].end;
			for (int64_t x = a; x < b;) {
				size_t hb = (size_t)((x - sp->h0) / bin);
				int64_t edge = sp->h0 + (int64_t)(hb + 1) * bin, to = b < edge ? b : edge;
				if (hb < nh)
					g[k].occ[hb] += (double)(to - x);
				x = to;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (gi[i] < ng)
			g[gi[i]].count[(size_t)((pred[i] - sp->p0) / bin)] += 1;
	/* event bin b lands on host bin b + lag when the shift is h0 + lag * bin - p0 */
	int64_t lag_lo = (int64_t)floor((double)(sp->p0 + dlo - sp->h0) / (double)bin);
	int64_t lag_hi = (int64_t)floor((double)(sp->p0 + dhi - sp->h0) / (double)bin);
	double best = -1;
	for (int64_t lag = lag_lo; lag <= lag_hi; lag++) {
		double score = 0;
		int64_t b0 = lag < 0 ? -lag : 0, b1 = (int64_t)nh - lag < (int64_t)ne ? (int64_t)nh - lag : (int64_t)ne;
		for (size_t k = 0; k < ng; k++)
			for (int64_t b = b0; b < b1; b++)
				score += g[k].count[b] * g[k].occ[b + lag];
		if (score > best) {
			best = score;
			*best_shift = sp->h0 + lag * bin - sp->p0;
		}
	}
	rc = best > 0 ? 0 : -1;
out:
	for (size_t k = 0; k < ng; k++) {
		free(g[k].occ);
		free(g[k].count);
		g[k].occ = g[k].count = NULL;
	}
	return rc;
}

int vt_containment_wide_shift(const struct vt_containment_probe *p, size_t n, const struct vt_transform *start,
			      int64_t *shift, int64_t *within)
{
	struct group g[MAX_GROUPS];
	size_t ng = 0;
	int64_t *pred = malloc((n ? n : 1) * sizeof(*pred));
	uint8_t *gi = malloc(n ? n : 1);
	int rc = -1;
	if (!pred || !gi || !n)
		goto out;
	struct span sp = {INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < n; i++) {
		size_t k = group_of(g, &ng, p[i].windows);
		gi[i] = (uint8_t)(k < MAX_GROUPS ? k : MAX_GROUPS);
		pred[i] = vt_transform_apply(start, p[i].guest_ts);
		sp.p0 = pred[i] < sp.p0 ? pred[i] : sp.p0;
		sp.p1 = pred[i] > sp.p1 ? pred[i] : sp.p1;
	}
	for (size_t k = 0; k < ng; k++) {
		const struct vt_vcpu_windows *w = g[k].w;
		if (!w->n)
			continue;
		sp.h0 = w->w[0].start < sp.h0 ? w->w[0].start : sp.h0;
		sp.h1 = w->w[w->n - 1].end > sp.h1 ? w->w[w->n - 1].end : sp.h1;
	}
	if (sp.h1 <= sp.h0)
		goto out;
	/* every shift at which the events' span meets the windows' */
	int64_t dlo = sp.h0 - sp.p1, dhi = sp.h1 - sp.p0;
	double range = (double)(dhi - dlo) + 1;
	int64_t finest = (sp.h1 - sp.h0) / MAX_BINS > MIN_BIN_NS ? (sp.h1 - sp.h0) / MAX_BINS : MIN_BIN_NS;
	int64_t bin = (int64_t)ceil(range * sqrt((double)ng / FIRST_STAGE_BUDGET));
	bin = bin > MIN_BIN_NS ? bin : MIN_BIN_NS;
	if (bin < finest)
		bin = finest;
	int64_t best = 0;
	for (;;) {
		if (stage(n, pred, gi, g, ng, &sp, bin, dlo, dhi, &best))
			goto out;

		if (bin <= finest)
			break;
		dlo = best - 3 * bin;
		dhi = best + 3 * bin;
		bin = bin / 10 > finest ? bin / 10 : finest;
	}
	*shift = best;
	*within = 2 * bin;
	rc = 0;
out:
	free(pred);
	free(gi);
	return rc;
}
