/* Guests' uuids as host agents claimed them: one uuid claimed by several
 * QEMU processes alive at once on one host names no process for sure. */
#ifndef VT_IDENTIFY_CLAIMS_H
#define VT_IDENTIFY_CLAIMS_H

#include "identify/collect.h"

/* Fills m->conflicts from id's guest claims (m->trace_machine set). Returns 0, -1 out of memory. */
int vt_claims_find_conflicts(const struct vt_identify *id, struct vt_machines *m);

/* The conflict on uuid at host, or NULL. */
const struct vt_uuid_conflict *vt_claims_conflict(const struct vt_machines *m, int host, const char *uuid);

void vt_claims_free(struct vt_machines *m);

#endif
