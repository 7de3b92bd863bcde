/* The spanning tree: each machine synchronized against the placed machine it
 * shares the best link with (Prim's algorithm from the reference), and the
 * order in which the policy decides them. */
#include <stdlib.h>

#include "sync/policy.h"
#include "sync/tree.h"

/* A link's worth: 4 a line bounded on both sides (or per window), 3 on one
 * side, 2 messages one way, 0 nothing to build on. */
static int worth(const struct vt_sync_ctx *ctx, size_t k, size_t v, size_t *count)
{
	enum vt_pairs kind = vt_sync_link_pairs(ctx, k, v);
	*count = 0;
	if (kind < 0 || kind >= VT_PAIRS_KINDS)
		return 0;
	const struct vt_link_fit *f = &vt_link_of(&ctx->links, k, v)->fit[kind];
	*count = f->n;
	if (f->nknots >= 2)
		return 4;
	switch (f->hull.quality) {
	case VT_SYNC_ACCURATE:
		return 4;
	case VT_SYNC_APPROXIMATE:
		return 3;
	case VT_SYNC_INCOMPLETE:
		return 2;
	default: /* FAIL without knots, ABSENT */
		return 0;
	}
}

/* Prim's order into prim[], via[] set. */
static void prim_tree(const struct vt_sync_ctx *ctx, int *placed, int *via, size_t *prim)
{
	size_t n = ctx->m->count, np = 0;
	placed[ctx->root] = 1;
	prim[np++] = (size_t)ctx->root;
	for (;;) {
		int best = -1, best_via = -1, best_rank = -1;
		size_t best_n = 0;
		for (size_t k = 0; k < n; k++) {
			if (placed[k])
				continue;
			for (size_t v = 0; v < n; v++) {
				size_t count;
				int rk = placed[v] ? worth(ctx, k, v, &count) : -1;
				if (placed[v] && (rk > best_rank || (rk == best_rank && count > best_n))) {
					best = (int)k;
					best_via = (int)v;
					best_rank = rk;
					best_n = count;
				}
			}
		}
		if (best < 0 || np >= n)
			break;
		placed[best] = 1;
		prim[np++] = (size_t)best;
		via[best] = best_rank > 0 ? best_via : -1; /* no message with any placed machine */
	}
}

/* Whether machine k can be decided once the machines in done[] are: its via
 * and its host first (containment and tsc map through the host's clock). */
static int ready(const struct vt_sync_ctx *ctx, const int *via, const int *done, size_t k)
{
	int host = ctx->m->machines[k].host;
	int host_ok = host < 0 || (size_t)host >= ctx->m->count || (size_t)host == k || done[host];
	return (via[k] < 0 || done[via[k]]) && host_ok;
}

/* Prim's order, each machine moved after its host where the host comes later;
 * a loop of the two (a nested guest's host placed through it) keeps Prim's. */
static void decision_order(const struct vt_sync_ctx *ctx, const int *via, const size_t *prim, int *done, size_t *order)
{
	size_t n = ctx->m->count, out = 0;
	for (size_t k = 0; k < n; k++)
		done[k] = 0;
	while (out < n) {
		int progressed = 0;
		for (size_t i = 0; i < n; i++)
			if (!done[prim[i]] && ready(ctx, via, done, prim[i])) {
				done[prim[i]] = 1;
				order[out++] = prim[i];
				progressed = 1;
			}
		for (size_t i = 0; i < n && !progressed; i++)
			if (!done[prim[i]]) {
				done[prim[i]] = 1;
				order[out++] = prim[i];
				progressed = 1;
			}
	}
}

int vt_sync_tree(const struct vt_sync_ctx *ctx, int *via, size_t *order)
{
	size_t n = ctx->m->count;
	for (size_t k = 0; k < n; k++)
		via[k] = -1;
	if (!n)
		return 0;
	int *placed = calloc(n, sizeof(*placed));
	size_t *prim = calloc(n, sizeof(*prim));
	if (!placed || !prim) {
		free(placed);
		free(prim);
		return -1;
	}
	prim_tree(ctx, placed, via, prim);
	decision_order(ctx, via, prim, placed, order);
	free(placed);
	free(prim);
	return 0;
}
