/* LSD radix sort of edges. Each edge becomes one 64-bit key, its distance
 * from the least edge with the close bit below it, when the edges span less
 * than 2^62 ns (always, short of a clock centuries off); else 16-byte edges
 * sorted by byte. An offset search spans a few ms: three 11-bit passes. */
#include "sync/edges.h"

#include <stdlib.h>
#include <string.h>

#define DIGIT 11
#define BUCKETS (1u << DIGIT)

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

/* Sorts k[0..n) (tmp: n more) below 2^bits; returns where the result is. */
static uint64_t *sort_keys(uint64_t *k, uint64_t *tmp, size_t n, int bits)
{
	int passes = (bits + DIGIT - 1) / DIGIT;
	for (int p = 0; p < passes; p++) {
		int shift = p * DIGIT;
		size_t count[BUCKETS] = {0};
		for (size_t i = 0; i < n; i++)
			count[(k[i] >> shift) & (BUCKETS - 1)]++;
		size_t sum = 0;
		for (size_t d = 0; d < BUCKETS; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(k[i] >> shift) & (BUCKETS - 1)]++] = k[i];
		uint64_t *t = k;
		k = tmp;
		tmp = t;
	}
	return k;
}

static int packed(struct vt_edge *e, size_t n, int64_t min, uint64_t span)
{
	uint64_t *k = malloc(2 * n * sizeof(*k));
	if (!k)
		return -1;
	for (size_t i = 0; i < n; i++) /* opens first at one time: their bit is 0 */
		k[i] = ((uint64_t)e[i].at - (uint64_t)min) << 1 | (e[i].delta < 0);
	int bits = 1;
	while (bits < 64 && (span << 1 | 1) >> bits)
		bits++;
	const uint64_t *s = sort_keys(k, k + n, n, bits);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct vt_edge){(int64_t)((uint64_t)min + (s[i] >> 1)), s[i] & 1 ? -1 : +1};
	free(k);
	return 0;
}

/* Edges too far apart for a key: stable byte passes over at - min, after a
 * stable partition that puts the opens first. */
static int wide(struct vt_edge *e, size_t n, int64_t min)
{
	struct vt_edge *tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (e[i].delta > 0)
			tmp[k++] = e[i];
	for (size_t i = 0; i < n; i++)
		if (e[i].delta <= 0)
			tmp[k++] = e[i];
	struct vt_edge *src = tmp, *dst = e;
	for (int b = 0; b < 8; b++) {
		size_t pos[256] = {0}, sum = 0;
		for (size_t i = 0; i < n; i++)
			pos[(((uint64_t)src[i].at - (uint64_t)min) >> (8 * b)) & 0xff]++;
		for (int d = 0; d < 256; d++) {
			size_t c = pos[d];
			pos[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[pos[(((uint64_t)src[i].at - (uint64_t)min) >> (8 * b)) & 0xff]++] = src[i];
		struct vt_edge *t = src;
		src = dst;
		dst = t;
	}
	memcpy(e, src, n * sizeof(*e)); /* eight passes from tmp: the result is in tmp */
	free(tmp);
	return 0;
}

int vt_edges_sort(struct vt_edge *e, size_t n)
{
	if (n < 64) {
		insertion(e, n);
		return 0;
	}
	int64_t min = e[0].at, max = e[0].at;
	for (size_t i = 1; i < n; i++) {
		if (e[i].at < min)
			min = e[i].at;
		if (e[i].at > max)
			max = e[i].at;
	}
	uint64_t span = (uint64_t)max - (uint64_t)min; /* unsigned: no overflow */
	return span < (UINT64_C(1) << 62) ? packed(e, n, min, span) : wide(e, n, min);
}
