/* The edges of containment's intervals of offsets, and their sort: a radix
 * sort, as the wide search's exact pass sorts about a million of them per
 * guest and a comparison sort spent a second there. */
#ifndef VT_SYNC_EDGES_H
#define VT_SYNC_EDGES_H

#include <stddef.h>
#include <stdint.h>

struct vt_edge {
	int64_t at;
	int delta; /* +1 an interval opens, -1 it closes: no other value */
};

/* Sorts e by at, opens before closes at one time (touching intervals
 * overlap). Returns 0, or -1 out of memory (e unchanged). */
int vt_edges_sort(struct vt_edge *e, size_t n);

#endif
