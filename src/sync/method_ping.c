/* The ping method: the convex hull over the guest's pings alone (vmtraced
 * --ping; ping.c turns them into messages): hypercall round trips bound a
 * guest's clock within microseconds where TCP's latencies are tens of them,
 * and no TCP pair matched wrong can narrow it falsely. */
#include "sync/method.h"

static void feed(struct vt_sync *s, size_t trace, const struct vt_event *ev)
{
	if (ev->kind == VT_KVM_EXIT || ev->kind == VT_KVM_ENTRY || ev->kind == VT_KVM_HYPERCALL ||
	    ev->kind == VT_PING_OUT || ev->kind == VT_PING_BACK)
		vt_ping_feed(&s->ping, &s->msgs, trace, ev);
}

static int prepare(struct vt_sync_ctx *ctx)
{
	return vt_links_fit(&ctx->links, VT_PAIRS_PINGS);
}

static int solve(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out)
{
	int via = ctx->via[ask->k];
	const struct vt_link *l = via < 0 ? NULL : vt_link_of(&ctx->links, ask->k, (size_t)via);
	if (l && !l->pings) {
		out->clock.why = vt_strdup_printf("no ping between them (run vmtraced --ping in the guest)");
		return out->clock.why ? 0 : -1;
	}
	return vt_sync_fit_candidate(ctx, ask, VT_PAIRS_PINGS, out);
}

const struct vt_sync_method_ops vt_method_ping = {
	.id = VT_SYNC_PING,
	.name = "ping",
	.pairs = VT_PAIRS_PINGS,
	.fallback = VT_SYNC_HULL, /* no ping with its via */
	.feed = feed,
	.prepare = prepare,
	.solve = solve,
};
