/* The policy. Auto: every method solves the machine into its own candidate
 * (a costly one only where no other placed it), and the best is kept. An
 * explicit method is honoured whatever its quality; where it does not apply,
 * its fallback in the table decides, and the why says both. */
#include <stdlib.h>

#include "sync/policy.h"

#define BIT(id) (1u << (unsigned)(id))

/* 3: the evidence bounds the line on both sides; 2: a bounded claim all the
 * same (containment with most events outside); 1: the clocks as they are
 * (whatever their messages' hull is); 0: a line nothing bounds (messages one
 * way, or contradictory), no better than the clocks as they are. */
static int tier(const struct vt_clock_sync *c)
{
	if (c->method == VT_SYNC_TRUSTED)
		return 1;
	if (c->quality == VT_SYNC_ACCURATE || c->quality == VT_SYNC_APPROXIMATE)
		return 3;
	return c->accuracy_ns >= 0 ? 2 : 0;
}

/* The method's place in the table: its evidence's precision. */
static size_t precision(enum vt_sync_method id)
{
	for (size_t i = 0; i < vt_sync_nmethods; i++)
		if (vt_sync_methods[i]->id == id)
			return i;
	return vt_sync_nmethods;
}

static int better(const struct vt_clock_sync *a, const struct vt_clock_sync *b)
{
	int ta = tier(a), tb = tier(b);
	if (ta != tb)
		return ta > tb;
	size_t pa = precision(a->method), pb = precision(b->method);
	if (pa != pb)
		return pa < pb;
	return a->accuracy_ns >= 0 && (b->accuracy_ns < 0 || a->accuracy_ns < b->accuracy_ns);
}

int vt_sync_pick(const struct vt_sync_candidate *cands, size_t n)
{
	int best = -1;
	for (size_t i = 0; i < n; i++)
		if (cands[i].solved && (best < 0 || better(&cands[i].clock, &cands[best].clock)))
			best = (int)i;
	return best;
}

/* A fit that places b against a over one that does not; between two that
 * do, the more precise method's (the earlier in the table); between two that
 * do not, the one with more messages. */
static int fit_better(const struct vt_link_fit *f, const struct vt_link_fit *g)
{
	if (vt_link_fit_places(f) != vt_link_fit_places(g))
		return vt_link_fit_places(f);
	return !vt_link_fit_places(f) && f->n > g->n;
}

static enum vt_pairs auto_link(const struct vt_link *l)
{
	enum vt_pairs best = VT_PAIRS_NONE;
	for (size_t i = 0; i < vt_sync_nmethods; i++) {
		enum vt_pairs kind = vt_sync_methods[i]->pairs;
		if (kind < 0 || kind >= VT_PAIRS_KINDS || !l->fit[kind].done)
			continue;
		if (best == VT_PAIRS_NONE || fit_better(&l->fit[kind], &l->fit[best]))
			best = kind;
	}
	return best;
}

enum vt_pairs vt_sync_link_pairs(const struct vt_sync_ctx *ctx, size_t a, size_t b)
{
	const struct vt_link *l = vt_link_of(&ctx->links, a, b);
	if (!l)
		return VT_PAIRS_NONE;
	const struct vt_sync_method_ops *ops = vt_sync_method_find(ctx->asked);
	for (size_t hop = 0; ops && hop < vt_sync_nmethods; hop++) {
		if (ops->pairs >= 0 && ops->pairs < VT_PAIRS_KINDS && l->fit[ops->pairs].done)
			return ops->pairs;
		if (ops->fallback == VT_SYNC_AUTO)
			break;
		ops = vt_sync_method_find(ops->fallback);
	}
	return auto_link(l);
}

/* *why becomes "first; second", or the one of them that is not NULL; either
 * may be *why itself. Returns 0, or -1 out of memory. */
static int join(char **why, const char *first, const char *second)
{
	if (!first || !second) {
		const char *one = first ? first : second;
		if (one == *why)
			return 0;
		char *copy = one ? vt_strdup_printf("%s", one) : NULL;
		if (one && !copy)
			return -1;
		free(*why);
		*why = copy;
		return 0;
	}
	char *both = vt_strdup_printf("%s; %s", first, second);
	if (!both)
		return -1;
	free(*why);
	*why = both;
	return 0;
}

static void take(struct vt_sync_candidate *to, struct vt_sync_candidate *from)
{
	*to = *from;
	*from = (struct vt_sync_candidate){0};
}

/* Solves every method not in `skip` into cands[] (table order); a costly one
 * only when no candidate so far places the machine, from the best so far.
 * Returns the best's index, -1 out of memory. */
static int solve_all(struct vt_sync_ctx *ctx, size_t k, unsigned skip, struct vt_sync_candidate *cands, size_t n)
{
	int best = -1;
	for (int costly = 0; costly <= 1; costly++)
		for (size_t i = 0; i < n; i++) {
			const struct vt_sync_method_ops *ops = vt_sync_methods[i];
			if (!ops->costly != !costly || (skip & BIT(ops->id)))
				continue;
			if (costly && best >= 0 && tier(&cands[best].clock) == 3)
				continue; /* it could not win */
			struct vt_sync_ask ask = {k, 1, best >= 0 ? &cands[best].clock : NULL};
			if (ops->solve(ctx, &ask, &cands[i]))
				return -1;
			best = vt_sync_pick(cands, n);
		}
	return best; /* never -1 here: trusted always applies */
}

/* Auto, leaving out the methods in `skip` (asked for, and not applying).
 * On failure *out is left cleared. */
static int decide_auto(struct vt_sync_ctx *ctx, size_t k, unsigned skip, struct vt_sync_candidate *out)
{
	struct vt_sync_candidate cands[VT_SYNC_MAX_METHODS] = {0};
	size_t n = vt_sync_nmethods < VT_SYNC_MAX_METHODS ? vt_sync_nmethods : VT_SYNC_MAX_METHODS;
	int best = solve_all(ctx, k, skip, cands, n), rc = best < 0 ? -1 : 0;
	if (!rc)
		take(out, &cands[best]);
	/* A method whose evidence could not be read says so, whatever was picked;
	 * so does a costly one that ran and could not place the machine (why the
	 * clocks stay as they are). */
	for (size_t i = 0; i < n && !rc; i++) {
		int failed = vt_sync_methods[i]->costly && cands[i].solved && cands[i].clock.quality == VT_SYNC_FAIL;
		if ((cands[i].broken || failed) && cands[i].clock.why)
			rc = join(&out->clock.why, out->clock.why, cands[i].clock.why);
	}
	for (size_t i = 0; i < n; i++)
		vt_sync_candidate_clear(&cands[i]);
	if (rc)
		vt_sync_candidate_clear(out);
	return rc;
}

static int decide_asked(struct vt_sync_ctx *ctx, size_t k, const struct vt_sync_method_ops *ops, unsigned skip,
			struct vt_sync_candidate *out);

/* What ops's fallback decides, ops (and those tried before it) left out. */
static int decide_fallback(struct vt_sync_ctx *ctx, size_t k, const struct vt_sync_method_ops *ops, unsigned skip,
			   struct vt_sync_candidate *out)
{
	skip |= BIT(ops->id);
	const struct vt_sync_method_ops *next = vt_sync_method_find(ops->fallback);
	if (!next || (skip & BIT(next->id)))
		return decide_auto(ctx, k, skip, out);
	return decide_asked(ctx, k, next, skip, out);
}

/* The method asked for, whatever its quality; a costly one searches from what
 * its fallback gives. On failure *out is left cleared. */
static int decide_asked(struct vt_sync_ctx *ctx, size_t k, const struct vt_sync_method_ops *ops, unsigned skip,
			struct vt_sync_candidate *out)
{
	struct vt_sync_candidate fb = {0};
	int rc = ops->costly ? decide_fallback(ctx, k, ops, skip, &fb) : 0;
	struct vt_sync_ask ask = {k, 0, fb.solved ? &fb.clock : NULL};
	if (!rc)
		rc = ops->solve(ctx, &ask, out);
	if (!rc && !out->solved) {
		struct vt_sync_candidate declined = *out; /* its why: why it does not apply */
		*out = (struct vt_sync_candidate){0};
		if (!fb.solved)
			rc = decide_fallback(ctx, k, ops, skip, &fb);
		if (!rc) {
			take(out, &fb);
			rc = join(&out->clock.why, declined.clock.why, out->clock.why);
		}
		vt_sync_candidate_clear(&declined);
	}
	vt_sync_candidate_clear(&fb);
	if (rc)
		vt_sync_candidate_clear(out);
	return rc;
}

int vt_sync_decide(struct vt_sync_ctx *ctx, size_t k, struct vt_sync_candidate *out)
{
	const struct vt_sync_method_ops *ops = vt_sync_method_find(ctx->asked);
	return ops ? decide_asked(ctx, k, ops, 0, out) : decide_auto(ctx, k, 0, out);
}
