/* The simulator's agenda: a binary min-heap of future happenings ordered by
 * time, ties by insertion order, so they resolve the same way on every run.
 * Both live in one 64-bit key (time since the start in the high 42 bits: runs
 * up to ~73 minutes; insertion order in the low 22 bits, which only has to
 * order happenings queued for the same nanosecond), one compare per step. */
#ifndef VT_SIM_QUEUE_H
#define VT_SIM_QUEUE_H

#include <stdint.h>

#define QUEUE_SEQ_BITS 22

struct qitem {
	uint64_t key;
	void *obj;
	uint32_t type;
	uint32_t gen; /* the object's generation when queued: stale items are skipped */
};

struct queue {
	struct qitem *heap;
	uint32_t len, cap;
	uint64_t seq;
	uint64_t t0; /* times are stored relative to this */
	int oom; /* a push (or any other allocation of the run) failed */
};

void vt_sim_queue_push(struct queue *q, uint64_t t, uint32_t type, void *obj, uint32_t gen);
/* Removes the earliest item into *out and its time into *t; returns 0 when empty. */
int vt_sim_queue_pop(struct queue *q, struct qitem *out, uint64_t *t);
void vt_sim_queue_free(struct queue *q);

#endif
