/* The check of a decided clock against its messages. */
#ifndef VT_SYNC_MEASURE_H
#define VT_SYNC_MEASURE_H

#include "sync/method.h"

/* Machine k's matches and latencies with its via (both decided), over the
 * pairs of kind `checked_by`; a claim the messages contradict is widened and
 * downgraded. Returns 0, or -1 out of memory. */
int vt_sync_measure(const struct vt_sync_ctx *ctx, size_t k, enum vt_pairs checked_by);

#endif
