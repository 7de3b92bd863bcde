/* The containment method: a guest's events fall inside its vCPU threads'
 * guest-mode windows on its host (containment.c): no network needed. Costly
 * (the windows wait on disk), so auto asks for it only where no message
 * placed the guest. */
#include <stdlib.h>

#include "sync/method.h"
#include "sync/transform.h"

static void feed(struct vt_sync *s, size_t trace, const struct vt_event *ev)
{
	vt_containment_feed(&s->windows, trace, ev);
}

/* Clock jitter leaves some events just outside their window whatever the
 * transform: a clear majority inside is the signature of the right one. */
static enum vt_sync_quality quality_of(double share)
{
	return share >= 95.0 ? VT_SYNC_ACCURATE : share >= 60.0 ? VT_SYNC_APPROXIMATE : VT_SYNC_FAIL;
}

/* Returns 0 with out->clock.why said, or -1 out of memory. */
static int impossible(const struct vt_sync_ctx *ctx, struct vt_sync_candidate *out)
{
	char tmp[700];
	const char *failed = vt_containment_error(&ctx->s->windows, tmp, sizeof(tmp));
	out->broken = failed != NULL;
	out->clock.why = failed ? vt_strdup_printf("containment: its temporary file: %s", failed)
				: vt_strdup_printf("containment impossible: no guest-mode windows of its vCPU "
						   "threads, or too few guest events on its vCPUs");
	return out->clock.why ? 0 : -1;
}

/* The search starts from the prior (what the cheaper methods gave), or from
 * the clocks as they are. */
static int solve(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out)
{
	const struct vt_machine *g = &ctx->m->machines[ask->k];
	struct vt_clock_sync *c = &out->clock;
	if (g->role != VT_ROLE_GUEST || g->host < 0 || (size_t)g->host >= ctx->m->count || !g->nvcpus ||
	    !ctx->decided[g->host]) {
		c->why = vt_strdup_printf("containment impossible (not a guest with vCPUs on a placed host)");
		return c->why ? 0 : -1;
	}
	const struct vt_machine *h = &ctx->m->machines[g->host];
	const struct vt_transform *host_to_ref = &ctx->res->machines[g->host].to_ref;
	struct vt_transform ref_to_host = vt_transform_inverse(host_to_ref);
	struct vt_transform as_they_are = {1, 0, 0};
	struct vt_transform start = vt_transform_compose(&ref_to_host, ask->prior ? &ask->prior->to_ref : &as_they_are);
	struct vt_containment_result res;
	if (vt_containment_solve(&ctx->s->windows, g->traces, g->ntraces, h->traces, h->ntraces, g->vcpus, g->nvcpus,
				 &start, 1, &res))
		return impossible(ctx, out);
	double share = res.events ? 100.0 * (double)res.explained / (double)res.events : 0;
	c->method = VT_SYNC_CONTAINMENT;
	c->quality = res.accuracy_ns < 0 ? VT_SYNC_FAIL : quality_of(share);
	c->reference = ctx->root;
	c->via = g->host;
	c->to_ref = vt_transform_compose(host_to_ref, &res.to_host); /* one line: it fits the whole trace */
	c->accuracy_ns = res.accuracy_ns;
	c->contained_events = res.events;
	c->contained_explained = res.explained;
	if (res.accuracy_ns < 0)
		c->why = vt_strdup_printf("containment: %zu of %zu guest events fall inside their vCPU's guest-mode windows "
					  "on the host, no better than chance (%zu with the offset milliseconds off): its "
					  "vCPUs were nearly always in guest mode, which leaves the offset unknown%s",
					  res.explained, res.events, res.chance,
					  ask->auto_pick ? " (no message placed this guest well)" : "");
	else
		c->why = vt_strdup_printf("containment: %zu of %zu guest events (%.2f%%) fall inside their vCPU's "
					  "guest-mode windows on the host (%zu by chance)%s",
					  res.explained, res.events, share, res.chance,
					  ask->auto_pick ? " (no message placed this guest well)" : "");
	out->solved = 1;
	out->checked_by = VT_PAIRS_NONE;
	return c->why ? 0 : -1;
}

const struct vt_sync_method_ops vt_method_containment = {
	.id = VT_SYNC_CONTAINMENT,
	.name = "containment",
	.pairs = VT_PAIRS_NONE,
	.fallback = VT_SYNC_HULL, /* not a guest on a traced host, or nothing to contain */
	.costly = 1,
	.feed = feed,
	.solve = solve,
};
