/* Prim's tree over the links: which machine each is synchronized against. */
#ifndef VT_SYNC_TREE_H
#define VT_SYNC_TREE_H

#include "sync/method.h"

/* The best links from ctx->root, worth as the policy sees them (a placing
 * fit over one that does not, then more messages): via[k] per machine (-1:
 * no link worth anything), and in order[] the machines in the order to decide
 * them: each after its via and its host where the two allow. Returns 0, or -1
 * out of memory. */
int vt_sync_tree(const struct vt_sync_ctx *ctx, int *via, size_t *order);

#endif
