/* vt_sync_finish: every machine's clock onto the root (the host). The
 * methods prepare (the hull and ping methods fit every link), the tree says
 * which machine each is synchronized against, the policy decides each
 * machine from its methods' candidates (policy.c), and every decided clock is
 * checked against its messages. */
#include <stdlib.h>
#include <string.h>

#include "sync/measure.h"
#include "sync/policy.h"
#include "sync/tree.h"

static int pick_root(const struct vt_machines *m)
{
	for (size_t k = 0; k < m->count; k++)
		if (m->machines[k].role == VT_ROLE_HOST)
			return (int)k;
	return 0;
}

static int set_root(struct vt_sync_ctx *ctx)
{
	struct vt_clock_sync *c = &ctx->res->machines[ctx->root];
	c->method = ctx->asked == VT_SYNC_TRUSTED ? VT_SYNC_TRUSTED : VT_SYNC_HULL;
	c->quality = VT_SYNC_ACCURATE;
	c->accuracy_ns = 0;
	c->why = strdup("the reference: every other clock is mapped to this one");
	return c->why ? 0 : -1;
}

/* Machine k decided by the policy: its clock, and the messages that check it. */
static int decide(struct vt_sync_ctx *ctx, size_t k, int *decided, enum vt_pairs *checked_by)
{
	struct vt_sync_candidate cand = {0};
	if (vt_sync_decide(ctx, k, &cand))
		return -1;
	ctx->res->machines[k] = cand.clock; /* its why and knots now the result's */
	checked_by[k] = cand.checked_by;
	decided[k] = 1;
	return 0;
}

static int finish(struct vt_sync_ctx *ctx, int *via, int *decided, size_t *order, enum vt_pairs *checked_by)
{
	size_t n = ctx->m->count;
	if (vt_links_collect(&ctx->links, ctx->s, ctx->m))
		return -1;
	for (size_t i = 0; i < vt_sync_nmethods; i++)
		if (vt_sync_methods[i]->prepare && vt_sync_methods[i]->prepare(ctx))
			return -1;
	for (size_t k = 0; k < n; k++) {
		ctx->res->machines[k].reference = ctx->root;
		ctx->res->machines[k].via = -1;
		ctx->res->machines[k].to_ref = (struct vt_transform){1, 0, 0};
		ctx->res->machines[k].accuracy_ns = -1;
	}
	if (!n)
		return 0;
	if (vt_sync_tree(ctx, via, order) || set_root(ctx))
		return -1;
	decided[ctx->root] = 1;
	checked_by[ctx->root] = VT_PAIRS_NONE;
	for (size_t i = 0; i < n; i++)
		if (order[i] != (size_t)ctx->root && decide(ctx, order[i], decided, checked_by))
			return -1;
	for (size_t k = 0; k < n; k++)
		if (vt_sync_measure(ctx, k, checked_by[k]))
			return -1;
	return 0;
}

int vt_sync_finish(struct vt_sync *s, const struct vt_machines *m, const struct vt_trace_info *const *traces,
		   enum vt_sync_method method, struct vt_sync_result **out, struct vt_error *err)
{
	*out = NULL;
	const char *why = vt_msg_store_error(&s->msgs);
	if (why)
		return vt_error_set(err, "synchronization: the temporary file of messages: %s", why);
	size_t n = m->count;
	struct vt_sync_result *r = calloc(1, sizeof(*r));
	int *via = calloc(n ? n : 1, sizeof(*via)), *decided = calloc(n ? n : 1, sizeof(*decided));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	enum vt_pairs *checked_by = calloc(n ? n : 1, sizeof(*checked_by));
	struct vt_sync_ctx ctx = {.s = s,
				  .m = m,
				  .traces = traces,
				  .asked = method,
				  .root = n ? pick_root(m) : -1,
				  .via = via,
				  .decided = decided,
				  .res = r};
	int rc = -1;
	if (r && via && decided && order && checked_by && !s->msgs.mem.oom) {
		r->count = n;
		r->root = ctx.root;
		r->machines = calloc(n ? n : 1, sizeof(*r->machines));
		rc = r->machines ? finish(&ctx, via, decided, order, checked_by) : -1;
	}
	vt_links_free(&ctx.links);
	free(via);
	free(decided);
	free(order);
	free(checked_by);
	if (rc) {
		vt_sync_result_free(r);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "synchronization: out of memory");
	}
	*out = r;
	return 0;
}

void vt_sync_result_free(struct vt_sync_result *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->count && r->machines; k++) {
		free(r->machines[k].why);
		free(r->machines[k].knots);
	}
	free(r->machines);
	free(r);
}
