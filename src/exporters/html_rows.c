/* The HTML report's timeline rows, filled by the model's sink within a fixed
 * budget per row (docs/reports.md): the reference span is cut into equal
 * bins; a quiet bin keeps its intervals exactly, a busy one its first
 * intervals exactly and the rest as sub-bins of time per state. Rows are encoded as JavaScript arrays as each bin closes, so
 * nothing but the encoded text and one bin's worth of work is held. */
#include "exporters/html_rows.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BINS 512
#define DEFAULT_EXACT 16
#define DEFAULT_SUB 16

static int row_init(struct vt_html_rows *rs, struct vt_html_row *row, int nstates)
{
	row->used = 1;
	row->nstates = nstates;
	row->pend = calloc(rs->exact + 1, sizeof(*row->pend));
	row->sums = calloc((size_t)rs->sub * (size_t)nstates, sizeof(*row->sums));
	if (!row->pend || !row->sums) {
		rs->oom = 1;
		return -1;
	}
	return 0;
}

static void row_free(struct vt_html_row *row)
{
	free(row->pend);
	free(row->sums);
	vt_ctf_text_free(&row->x);
	vt_ctf_text_free(&row->a);
}

void vt_html_rows_init(struct vt_html_rows *rs, uint64_t first, uint64_t last, const struct vt_html_budget *b)
{
	memset(rs, 0, sizeof(*rs));
	rs->bins = b && b->bins ? b->bins : DEFAULT_BINS;
	rs->exact = b && b->exact ? b->exact : DEFAULT_EXACT;
	rs->sub = b && b->sub ? b->sub : DEFAULT_SUB;
	if (last < first)
		last = first;
	rs->t0 = first;
	rs->t1 = last;
	/* bin width: the span over the bins, rounded up to whole sub-bins of >= 1 ns */
	uint64_t span = last - first + 1;
	uint64_t w = (span + rs->bins - 1) / rs->bins;
	w = (w + rs->sub - 1) / rs->sub * rs->sub;
	rs->width = w ? w : rs->sub;
}

void vt_html_rows_free(struct vt_html_rows *rs)
{
	for (int k = 0; k < VT_HTML_ROW_KINDS; k++) {
		for (size_t i = 0; i < rs->n[k]; i++)
			if (rs->rows[k][i].used)
				row_free(&rs->rows[k][i]);
		free(rs->rows[k]);
	}
	memset(rs, 0, sizeof(*rs));
}

static struct vt_html_row *row_get(struct vt_html_rows *rs, int kind, size_t index, int nstates)
{
	if (index >= rs->n[kind]) {
		size_t n = rs->n[kind] ? rs->n[kind] : 8;
		while (n <= index)
			n *= 2;
		struct vt_html_row *rows = realloc(rs->rows[kind], n * sizeof(*rows));
		if (!rows) {
			rs->oom = 1;
			return NULL;
		}
		memset(rows + rs->n[kind], 0, (n - rs->n[kind]) * sizeof(*rows));
		rs->rows[kind] = rows;
		rs->n[kind] = n;
	}
	struct vt_html_row *row = &rs->rows[kind][index];
	if (!row->used && row_init(rs, row, nstates))
		return NULL;
	return row->pend ? row : NULL;
}

static void emit_exact(struct vt_html_rows *rs, struct vt_html_row *row, const struct pending *p)
{
	vt_ctf_text_append(&row->x, "%s%llu,%llu,%d,%lld", row->nx ? "," : "", (unsigned long long)(p->s - rs->t0),
			   (unsigned long long)(p->e - p->s), p->state, (long long)p->detail);
	row->nx++;
}

/* Adds [s, e) of one state to the sub-bins of the current bin; s, e inside it. */
static void add_sums(struct vt_html_rows *rs, struct vt_html_row *row, uint64_t s, uint64_t e, int state)
{
	uint64_t bs = rs->t0 + (uint64_t)row->bin * rs->width, sw = rs->width / rs->sub;
	while (s < e) {
		uint64_t k = (s - bs) / sw;
		uint64_t end = bs + (k + 1) * sw;
		if (end > e)
			end = e;
		row->sums[k * (uint64_t)row->nstates + (uint64_t)state] += end - s;
		s = end;
	}
}

/* Into the current bin (in aggregate mode): the part beyond its end is kept
 * as the tail, to start the next bin. */
static void aggregate(struct vt_html_rows *rs, struct vt_html_row *row, const struct pending *p)
{
	uint64_t be = rs->t0 + ((uint64_t)row->bin + 1) * rs->width;
	uint64_t e = p->e < be ? p->e : be;
	if (p->s < e)
		add_sums(rs, row, p->s, e, p->state);
	if (p->e > be) {
		row->tail = *p;
		row->tail.s = be;
		row->has_tail = 1;
	}
}

/* Closes the current bin: its exact intervals, or its sub-bins; the next bin
 * starts with the tail of an aggregated one. */
static void flush(struct vt_html_rows *rs, struct vt_html_row *row)
{
	for (size_t i = 0; i < row->npend; i++)
		emit_exact(rs, row, &row->pend[i]);
	if (row->agg) {
		uint64_t bs = rs->t0 + (uint64_t)row->bin * rs->width, sw = rs->width / rs->sub;
		for (uint32_t k = 0; k < rs->sub; k++) {
			uint64_t *sums = &row->sums[(size_t)k * (size_t)row->nstates];
			uint64_t any = 0;
			for (int s = 0; s < row->nstates; s++)
				any |= sums[s];
			if (!any)
				continue;
			vt_ctf_text_append(&row->a, "%s%llu,%llu", row->na ? "," : "",
					   (unsigned long long)(bs + k * sw - rs->t0), (unsigned long long)sw);
			for (int s = 0; s < row->nstates; s++)
				vt_ctf_text_append(&row->a, ",%llu", (unsigned long long)sums[s]);
			row->na++;
			memset(sums, 0, (size_t)row->nstates * sizeof(*sums));
		}
	}
	row->npend = 0;
	row->agg = 0;
	row->bin++;
	if (row->has_tail) {
		row->has_tail = 0;
		row->pend[row->npend++] = row->tail;
	}
}

void vt_html_rows_add(struct vt_html_rows *rs, int kind, size_t index, int nstates, uint64_t s, uint64_t e,
		      int state, int64_t detail)
{
	if (rs->oom || state < 0 || state >= nstates)
		return;
	if (s < rs->t0)
		s = rs->t0;
	if (e > rs->t1 + 1)
		e = rs->t1 + 1;
	if (e <= s)
		return;
	struct vt_html_row *row = row_get(rs, kind, index, nstates);
	if (!row)
		return;
	uint64_t b = (s - rs->t0) / rs->width;
	if (b >= rs->bins)
		b = rs->bins - 1;
	while (row->bin < b) {
		if (!row->npend && !row->agg && !row->has_tail) {
			row->bin = (uint32_t)b; /* nothing open: skip the empty bins */
			break;
		}
		flush(rs, row);
	}
	struct pending p = {s, e, detail, state};
	if (row->agg) {
		aggregate(rs, row, &p);
		return;
	}
	if (row->npend == rs->exact) {
		/* too busy to keep exactly: the rest of this bin goes to sub-bins,
		 * its first intervals stay exact (detail at every bin when zoomed) */
		row->agg = 1;
		aggregate(rs, row, &p);
		return;
	}
	row->pend[row->npend++] = p;
}

void vt_html_rows_finish(struct vt_html_rows *rs)
{
	for (int k = 0; k < VT_HTML_ROW_KINDS; k++)
		for (size_t i = 0; i < rs->n[k]; i++) {
			struct vt_html_row *row = &rs->rows[k][i];
			while (row->used && (row->npend || row->agg || row->has_tail))
				flush(rs, row);
		}
}

size_t vt_html_rows_memory(const struct vt_html_rows *rs, size_t *items)
{
	size_t bytes = 0, n = 0;
	for (int k = 0; k < VT_HTML_ROW_KINDS; k++) {
		bytes += rs->n[k] * sizeof(struct vt_html_row);
		for (size_t i = 0; i < rs->n[k]; i++) {
			const struct vt_html_row *row = &rs->rows[k][i];
			if (!row->used)
				continue;
			bytes += row->x.cap + row->a.cap + (rs->exact + 1) * sizeof(struct pending) +
				 (size_t)rs->sub * (size_t)row->nstates * sizeof(uint64_t);
			n += row->nx + row->na;
		}
	}
	if (items)
		*items = n;
	return bytes;
}
