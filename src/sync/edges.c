/* LSD radix sort of edges: opens first, then stable passes over the bytes of
 * at - min that are not all alike (an offset search spans a few ms: 3 or 4). */
#include "sync/edges.h"

#include <stdlib.h>
#include <string.h>

static int before(const struct vt_edge *x, const struct vt_edge *y)
{
	return x->at < y->at || (x->at == y->at && x->delta > y->delta);
}

/* Few edges: insertion sort beats the histograms. */
static void insertion(struct vt_edge *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct vt_edge x = e[i];
		size_t j = i;
		for (; j > 0 && before(&x, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* Stable: opens, then closes, from src into dst. */
static void opens_first(const struct vt_edge *src, struct vt_edge *dst, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (src[i].delta > 0)
			dst[k++] = src[i];
	for (size_t i = 0; i < n; i++)
		if (src[i].delta <= 0)
			dst[k++] = src[i];
}

int vt_edges_sort(struct vt_edge *e, size_t n)
{
	if (n < 64) {
		insertion(e, n);
		return 0;
	}
	struct vt_edge *tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	int64_t min = e[0].at;
	for (size_t i = 1; i < n; i++)
		if (e[i].at < min)
			min = e[i].at;
	/* Unsigned distance from the least: no overflow, and the high bytes zero. */
	size_t count[8][256] = {{0}};
	for (size_t i = 0; i < n; i++) {
		uint64_t u = (uint64_t)e[i].at - (uint64_t)min;
		for (int b = 0; b < 8; b++)
			count[b][(u >> (8 * b)) & 0xff]++;
	}
	struct vt_edge *src = tmp, *dst = e;
	opens_first(e, tmp, n);
	for (int b = 0; b < 8; b++) {
		if (count[b][(((uint64_t)src[0].at - (uint64_t)min) >> (8 * b)) & 0xff] == n)
			continue; /* one value in this byte: the pass would not move anything */
		size_t pos[256], sum = 0;
		for (int d = 0; d < 256; d++) {
			pos[d] = sum;
			sum += count[b][d];
		}
		for (size_t i = 0; i < n; i++)
			dst[pos[(((uint64_t)src[i].at - (uint64_t)min) >> (8 * b)) & 0xff]++] = src[i];
		struct vt_edge *t = src;
		src = dst;
		dst = t;
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
	free(tmp);
	return 0;
}
