/* The hull method: the convex hull over every message pair (TCP segments,
 * vmsync hypercalls, pings) between a machine and its via (hull.c), per time
 * window where one line cannot fit. */
#include "sync/method.h"

static int prepare(struct vt_sync_ctx *ctx)
{
	return vt_links_fit(&ctx->links, VT_PAIRS_ALL);
}

static int solve(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out)
{
	return vt_sync_fit_candidate(ctx, ask, VT_PAIRS_ALL, out);
}

const struct vt_sync_method_ops vt_method_hull = {
	.id = VT_SYNC_HULL,
	.name = "hull",
	.pairs = VT_PAIRS_ALL,
	.fallback = VT_SYNC_TRUSTED, /* no message with a placed machine */
	.prepare = prepare,
	.solve = solve,
};
