/* Every decided clock checked against its messages: the latencies with its
 * via once both are mapped to the reference, and a claim they contradict
 * widened and downgraded, so that the printed accuracy is one the traces
 * support. */
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "sync/measure.h"
#include "sync/policy.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void latency_stats(int64_t *v, size_t n, struct vt_latency *out)
{
	memset(out, 0, sizeof(*out));
	out->count = n;
	if (!n)
		return;
	vt_qsort(v, n, sizeof(*v), cmp_i64);
	out->min = v[0];
	out->max = v[n - 1];
	out->p50 = v[n / 2];
	out->p99 = v[(size_t)((double)(n - 1) * 0.99)];
	for (size_t i = 0; i < n && v[i] < 0; i++)
		out->negative++;
}

/* A message received before it was sent by more than the claimed accuracy
 * proves the claim false: a guest clock that jumped (seen on the nested
 * testbed: 14 ms ahead for half a second) where knots joined by lines cannot
 * follow it. The accuracy then covers the worst contradiction, and a clock
 * that contradicts its messages is not ACCURATE. Returns -1 out of memory. */
static int honest(struct vt_clock_sync *c)
{
	size_t neg = c->to_ref_latency.negative + c->from_ref_latency.negative;
	int64_t worst = 0;
	if (c->to_ref_latency.count && c->to_ref_latency.min < worst)
		worst = c->to_ref_latency.min;
	if (c->from_ref_latency.count && c->from_ref_latency.min < worst)
		worst = c->from_ref_latency.min;
	if (!neg || c->accuracy_ns < 0 || -worst <= c->accuracy_ns)
		return 0;
	char *why = vt_strdup_printf("%s; but %zu messages arrive before they were sent, by up to %.3f ms: the clock "
				     "jumped where the transform cannot follow (accuracy widened to cover them)",
				     c->why ? c->why : "", neg, (double)-worst / 1e6);
	if (!why)
		return -1;
	free(c->why);
	c->why = why;
	c->accuracy_ns = -worst;
	if (c->quality == VT_SYNC_ACCURATE)
		c->quality = VT_SYNC_APPROXIMATE;
	return 0;
}

int vt_sync_measure(const struct vt_sync_ctx *ctx, size_t k, enum vt_pairs checked_by)
{
	struct vt_sync_result *r = ctx->res;
	struct vt_clock_sync *c = &r->machines[k];
	if (c->via < 0 || (size_t)c->via >= r->count)
		return 0;
	if (checked_by < 0 || checked_by >= VT_PAIRS_KINDS)
		checked_by = vt_sync_link_pairs(ctx, k, (size_t)c->via);
	const struct vt_link *l = vt_link_of(&ctx->links, k, (size_t)c->via);
	size_t n = l && checked_by >= 0 ? vt_link_count(l, checked_by) : 0;
	int64_t *to = malloc((n ? n : 1) * sizeof(*to)), *from = malloc((n ? n : 1) * sizeof(*from));
	if (!to || !from) {
		free(to);
		free(from);
		return -1;
	}
	size_t a = k < (size_t)c->via ? k : (size_t)c->via, b = k < (size_t)c->via ? (size_t)c->via : k;
	size_t nto = 0, nfrom = 0;
	for (size_t i = 0; n && i < l->n; i++) {
		const struct vt_pair *p = &l->p[i];
		if (!vt_pair_is(p, checked_by) || nto + nfrom >= n)
			continue;
		int64_t ra = vt_clock_to_ref(&r->machines[a], p->t_a);
		int64_t rb = vt_clock_to_ref(&r->machines[b], p->t_b);
		int k_sent = (p->a_sent && k == a) || (!p->a_sent && k == b);
		int64_t lat = p->a_sent ? rb - ra : ra - rb;
		if (k_sent)
			to[nto++] = lat;
		else
			from[nfrom++] = lat;
	}
	c->matches_to_ref = nto;
	c->matches_from_ref = nfrom;
	latency_stats(to, nto, &c->to_ref_latency);
	latency_stats(from, nfrom, &c->from_ref_latency);
	free(to);
	free(from);
	return honest(c);
}
