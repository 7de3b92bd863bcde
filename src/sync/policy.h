/* The policy: which method's candidate becomes a machine's clock. Auto asks
 * every method and picks; an explicit method is honoured, and where it does
 * not apply its fallback (the table's) says what instead. */
#ifndef VT_SYNC_POLICY_H
#define VT_SYNC_POLICY_H

#include "sync/method.h"

/* Which of the fits of the link between machines a and b the request trusts:
 * the tree's worth of a link, and the messages that check a method fitting
 * none. NONE when the link has no pair. */
enum vt_pairs vt_sync_link_pairs(const struct vt_sync_ctx *ctx, size_t a, size_t b);
/* Machine k's clock, as the request wants it, into *out (zeroed by the
 * caller; the caller owns it after). Returns 0, or -1 out of memory. */
int vt_sync_decide(struct vt_sync_ctx *ctx, size_t k, struct vt_sync_candidate *out);
/* Auto's choice among cands[0..n) in table order (some not solved): the
 * index, or -1 when none is solved. First the candidates that place the
 * machine, the most precise method first; then a bounded claim; then the
 * clocks as they are; then a line nothing bounds. */
int vt_sync_pick(const struct vt_sync_candidate *cands, size_t n);

#endif
