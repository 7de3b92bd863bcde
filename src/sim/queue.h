/* The simulator's agenda: a binary min-heap of future happenings ordered by
 * (time, insertion order), so ties resolve the same way on every run. */
#ifndef VT_SIM_QUEUE_H
#define VT_SIM_QUEUE_H

#include <stdint.h>

struct qitem {
	uint64_t t;
	uint64_t seq;
	void *obj;
	uint32_t type;
	uint32_t gen; /* the object's generation when queued: stale items are skipped */
};

struct queue {
	struct qitem *heap;
	uint32_t len, cap;
	uint64_t seq;
	int oom;
};

void queue_push(struct queue *q, uint64_t t, uint32_t type, void *obj, uint32_t gen);
/* Removes the earliest item into *out; returns 0 when empty. */
int queue_pop(struct queue *q, struct qitem *out);
void queue_free(struct queue *q);

#endif
