/* Lines between clocks, composed: a machine's clock reaches the reference
 * through the machine it was synchronized against. */
#ifndef VT_SYNC_TRANSFORM_H
#define VT_SYNC_TRANSFORM_H

#include "vmtrace/sync.h"

struct vt_transform vt_transform_inverse(const struct vt_transform *t);
/* outer(inner(t)), anchored at inner's x0. */
struct vt_transform vt_transform_compose(const struct vt_transform *outer, const struct vt_transform *inner);

#endif
