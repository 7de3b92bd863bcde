/* Sync methods behind one interface, listed in one table (methods.c), the way
 * trace-cmd registers its time-sync protocols (lib/trace-cmd/trace-timesync.c):
 * each method solves one machine into a candidate of its own, and the policy
 * (policy.c) picks among the candidates. No method sees another's result
 * except as the `prior` a search may start from. */
#ifndef VT_SYNC_METHOD_H
#define VT_SYNC_METHOD_H

#include <stddef.h>

#include "sync/evidence.h"
#include "sync/links.h"
#include "vmtrace/identify.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

/* What the methods share while vt_sync_finish runs. */
struct vt_sync_ctx {
	struct vt_sync *s; /* weak: the first pass's evidence */
	const struct vt_machines *m;
	const struct vt_trace_info *const *traces; /* weak, numbered as fed; may be NULL */
	struct vt_links links;                     /* owned by vt_sync_finish */
	enum vt_sync_method asked;                 /* the request: AUTO, or one method */
	int root;                                  /* the reference machine */
	const int *via;             /* per machine: the machine the tree synchronizes it against, -1 none */
	const int *decided;         /* per machine: 1 once res->machines[k] is final */
	struct vt_sync_result *res; /* the machines decided so far: a method composes through them */
};

/* Trace i's info, or NULL (none given, out of range). */
static inline const struct vt_trace_info *vt_sync_trace(const struct vt_sync_ctx *ctx, size_t i)
{
	return ctx->traces && i < ctx->m->ntraces ? ctx->traces[i] : NULL;
}

/* How the policy asks a method for machine k. */
struct vt_sync_ask {
	size_t k;
	int auto_pick;                     /* 1: the policy chooses; 0: this method was asked for */
	const struct vt_clock_sync *prior; /* weak: the best of the methods solved before; NULL: none */
};

struct vt_sync_candidate {
	struct vt_clock_sync clock; /* owned: clock.why, clock.knots (vt_sync_candidate_clear) */
	int solved;                 /* 1: clock holds a transform; 0: the method does not apply, clock.why
				       says why (or is NULL: nothing worth saying) */
	int broken;                 /* does not apply because its evidence could not be read: said even
				       when another method is picked */
	enum vt_pairs checked_by;   /* the messages with clock.via its latencies are measured over;
				       NONE: the ones the policy trusts on that link */
};

struct vt_sync_method_ops {
	enum vt_sync_method id;
	const char *name;             /* as vt_sync_method_parse reads it */
	enum vt_pairs pairs;          /* the message pairs it fits, NONE for none */
	enum vt_sync_method fallback; /* asked for but not applying: this one instead (AUTO: the policy's
					 pick among the rest) */
	int costly;                   /* solved last, and by auto only when no other candidate places the machine */
	/* Optional: one event of the first pass, for evidence of the method's own. */
	void (*feed)(struct vt_sync *s, size_t trace, const struct vt_event *ev);
	/* Optional: once per vt_sync_finish, before the tree. Returns 0, or -1 out of memory. */
	int (*prepare)(struct vt_sync_ctx *ctx);
	/* Fills *out (zeroed by the caller) for machine ask->k, never the root.
	 * Returns 0 (solved or not), or -1 out of memory. */
	int (*solve)(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, struct vt_sync_candidate *out);
};

/* The table, from the most precise evidence to the least: the order in which
 * auto prefers the candidates that place a machine (methods.c). */
#define VT_SYNC_MAX_METHODS 8
extern const struct vt_sync_method_ops *const vt_sync_methods[];
extern const size_t vt_sync_nmethods;
/* The method of that id, or NULL (AUTO, unknown). */
const struct vt_sync_method_ops *vt_sync_method_find(enum vt_sync_method id);

extern const struct vt_sync_method_ops vt_method_tsc, vt_method_ping, vt_method_hull, vt_method_containment,
	vt_method_trusted;

void vt_sync_candidate_clear(struct vt_sync_candidate *c);
/* Hull and ping: the fit of a link's pairs of `kind` with ask->k's via,
 * placed onto the reference through the via's clock. */
int vt_sync_fit_candidate(struct vt_sync_ctx *ctx, const struct vt_sync_ask *ask, enum vt_pairs kind,
			  struct vt_sync_candidate *out);

#endif
