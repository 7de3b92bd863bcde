/* The trusted method: the clocks are already one (ptp_kvm + chrony), or
 * nothing better is known. Timestamps are used as they are; the messages with
 * the machine's via only check them (quality as their hull says). */
#include "sync/method.h"

static int solve(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out)
{
	struct vt_clock_sync *c = &out->clock;
	int via = ctx->via[ask->k];
	c->method = VT_SYNC_TRUSTED;
	c->reference = ctx->root;
	c->via = via;
	c->to_ref = (struct vt_transform){1, 0, 0};
	c->accuracy_ns = -1;
	out->solved = 1;
	out->checked_by = VT_PAIRS_ALL;
	const struct vt_link *l = via < 0 ? NULL : vt_link_of(&ctx->links, ask->k, (size_t)via);
	if (!l) {
		c->quality = VT_SYNC_ABSENT;
		c->why = vt_strdup_printf("no message matched with any other machine: clocks taken as they are, "
					  "unverified (trace TCP traffic with the host, or use vmsync)");
		return c->why ? 0 : -1;
	}
	const struct vt_link_fit *f = &l->fit[VT_PAIRS_ALL];
	c->quality = f->hull.quality;
	if (!ask->auto_pick)
		c->why = vt_strdup_printf("trusted clocks, as asked: timestamps used as they are, checked against %zu "
					  "messages",
					  f->n);
	else
		c->why = vt_strdup_printf("the hull is %s with %zu messages: clocks taken as they are",
					  vt_sync_quality_name(f->hull.quality), f->n);
	return c->why ? 0 : -1;
}

/* Its quality is the hull's over every pair: fitted here too, so that it
 * needs no other method. */
static int prepare(struct vt_sync_ctx *ctx)
{
	return vt_links_fit(&ctx->links, VT_PAIRS_ALL);
}

const struct vt_sync_method_ops vt_method_trusted = {
	.id = VT_SYNC_TRUSTED,
	.name = "trusted",
	.pairs = VT_PAIRS_ALL,
	.fallback = VT_SYNC_AUTO, /* it always applies */
	.prepare = prepare,
	.solve = solve,
};
