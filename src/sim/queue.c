/* A 4-ary min-heap of 64-bit keys (time, insertion order). Slots past the end
 * hold the largest key, so a parent compares its four children without bound
 * checks, and the minimum is found with conditional moves rather than
 * mispredicted branches: the agenda is the simulator's hottest code. */
#include "sim/queue.h"

#include <stdlib.h>

#define ARITY 4
#define EMPTY_KEY UINT64_MAX

static int grow(struct queue *q)
{
	uint32_t cap = q->cap ? q->cap * 2 : 1024;
	struct qitem *h = realloc(q->heap, cap * sizeof(*h));
	if (!h) {
		q->oom = 1;
		return -1;
	}
	for (uint32_t i = q->cap; i < cap; i++)
		h[i].key = EMPTY_KEY;
	q->heap = h;
	q->cap = cap;
	return 0;
}

void vt_sim_queue_push(struct queue *q, uint64_t t, uint32_t type, void *obj, uint32_t gen)
{
	/* Room for the children of every slot in use. */
	if (ARITY * (q->len + 1) + 1 >= q->cap && grow(q))
		return;
	uint64_t rel = t - q->t0;
	if (rel >> (64 - QUEUE_SEQ_BITS)) /* beyond the horizon: never reached */
		rel = (UINT64_C(1) << (64 - QUEUE_SEQ_BITS)) - 2;
	struct qitem it = {rel << QUEUE_SEQ_BITS | (q->seq++ & ((1u << QUEUE_SEQ_BITS) - 1)), obj, type,
			   gen};
	uint32_t i = q->len++;
	while (i > 0) {
		uint32_t p = (i - 1) / ARITY;
		if (q->heap[p].key <= it.key)
			break;
		q->heap[i] = q->heap[p];
		i = p;
	}
	q->heap[i] = it;
}

int vt_sim_queue_pop(struct queue *q, struct qitem *out, uint64_t *t)
{
	if (!q->len)
		return 0;
	struct qitem *h = q->heap;
	*out = h[0];
	*t = q->t0 + (out->key >> QUEUE_SEQ_BITS);
	uint32_t n = --q->len;
	struct qitem last = h[n];
	h[n].key = EMPTY_KEY;
	if (!n)
		return 1;
	uint32_t i = 0;
	for (;;) {
		uint32_t c = ARITY * i + 1;
		uint32_t m = c;
		uint64_t k = h[c].key;
		m = h[c + 1].key < k ? c + 1 : m;
		k = h[c + 1].key < k ? h[c + 1].key : k;
		m = h[c + 2].key < k ? c + 2 : m;
		k = h[c + 2].key < k ? h[c + 2].key : k;
		m = h[c + 3].key < k ? c + 3 : m;
		k = h[c + 3].key < k ? h[c + 3].key : k;
		if (k >= last.key)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = last;
	return 1;
}

void vt_sim_queue_free(struct queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}
