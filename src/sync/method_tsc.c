/* The TSC method: a guest of the reference host whose traces and its host's
 * count TSC cycles, with the agent's tsc-offset of its vCPUs: related exactly
 * by KVM's own arithmetic (tsc.c). */
#include "sync/method.h"

/* Guest k's clock onto its host's through vCPU 0's tsc-offset, into *t.
 * Returns NULL, or why the relation is unknown. */
static const char *relate(const struct vt_sync_ctx *ctx, size_t k, struct vt_transform *t)
{
	const struct vt_machine *g = &ctx->m->machines[k];
	if (g->role != VT_ROLE_GUEST || g->host != ctx->root || !ctx->traces || !g->ntraces)
		return "not a guest of the reference host";
	if (!g->nvcpus || !g->vcpus[0].has_tsc)
		return "no tsc-offset from the agent (run vmtraced on the host)";
	const struct vt_machine *h = &ctx->m->machines[g->host];
	const struct vt_trace_info *gt = vt_sync_trace(ctx, g->traces[0]);
	const struct vt_trace_info *ht = h->ntraces ? vt_sync_trace(ctx, h->traces[0]) : NULL;
	if (!gt || !ht || !vt_clock_is_tsc(&gt->clock) || !vt_clock_is_tsc(&ht->clock))
		return "the traces do not use TSC clocks";
	const struct vt_vcpu_map *v = &g->vcpus[0];
	if (vt_tsc_transform(&gt->clock, &ht->clock, v->tsc_offset, v->tsc_ratio, v->tsc_frac_bits, t))
		return "the clocks' frequencies or the vCPU's TSC scaling are unusable";
	return NULL;
}

static int solve(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out)
{
	struct vt_clock_sync *c = &out->clock;
	struct vt_transform t;
	const char *why_not = relate(ctx, ask->k, &t);
	if (why_not) {
		c->why = vt_strdup_printf("tsc impossible (%s)", why_not);
		return c->why ? 0 : -1;
	}
	const struct vt_machine *g = &ctx->m->machines[ask->k];
	c->method = VT_SYNC_TSC;
	c->quality = VT_SYNC_ACCURATE;
	c->reference = ctx->root;
	c->via = g->host;
	c->to_ref = t; /* the host is the reference: its clock is the reference's */
	c->accuracy_ns = 0;
	c->why = vt_strdup_printf("TSC clocks: the agent's tsc-offset %lld of vCPU %u relates them exactly",
				  (long long)g->vcpus[0].tsc_offset, g->vcpus[0].vcpu);
	out->solved = 1;
	out->checked_by = VT_PAIRS_NONE;
	return c->why ? 0 : -1;
}

const struct vt_sync_method_ops vt_method_tsc = {
	.id = VT_SYNC_TSC,
	.name = "tsc",
	.pairs = VT_PAIRS_NONE,
	.fallback = VT_SYNC_AUTO, /* as auto does where the TSC relation is unknown */
	.solve = solve,
};
