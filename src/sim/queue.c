/* Binary min-heap keyed by (t, seq). */
#include "sim/queue.h"

#include <stdlib.h>

static inline int before(const struct qitem *a, const struct qitem *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void queue_push(struct queue *q, uint64_t t, uint32_t type, void *obj, uint32_t gen)
{
	if (q->len == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 1024;
		struct qitem *h = realloc(q->heap, cap * sizeof(*h));
		if (!h) {
			q->oom = 1;
			return;
		}
		q->heap = h;
		q->cap = cap;
	}
	struct qitem it = {t, q->seq++, obj, type, gen};
	uint32_t i = q->len++;
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(&it, &q->heap[p]))
			break;
		q->heap[i] = q->heap[p];
		i = p;
	}
	q->heap[i] = it;
}

int queue_pop(struct queue *q, struct qitem *out)
{
	if (!q->len)
		return 0;
	*out = q->heap[0];
	struct qitem last = q->heap[--q->len];
	uint32_t i = 0, n = q->len;
	for (;;) {
		uint32_t l = 2 * i + 1;
		if (l >= n)
			break;
		uint32_t m = l + 1 < n && before(&q->heap[l + 1], &q->heap[l]) ? l + 1 : l;
		if (!before(&q->heap[m], &last))
			break;
		q->heap[i] = q->heap[m];
		i = m;
	}
	if (n)
		q->heap[i] = last;
	return 1;
}

void queue_free(struct queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}
