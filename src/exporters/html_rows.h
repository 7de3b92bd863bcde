/* The HTML report's timeline rows within a fixed budget (html_rows.c). */
#ifndef VT_EXPORTERS_HTML_ROWS_H
#define VT_EXPORTERS_HTML_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/exporters.h"
#include "vmtrace/report.h"

enum { VT_HTML_ROW_CPU = 0, VT_HTML_ROW_VCPU, VT_HTML_ROW_THREAD, VT_HTML_ROW_KINDS };

struct vt_html_row {
	int used, nstates;
	uint32_t bin; /* the open bin */
	int agg;      /* the open bin is kept as sub-bins */
	struct pending *pend; /* its exact intervals (at most exact + 1) */
	size_t npend;
	uint64_t *sums; /* sub x nstates ns */
	struct pending {
		uint64_t s, e;
		int64_t detail;
		int state;
	} tail; /* an aggregated bin's last interval beyond its end */
	int has_tail;
	struct vt_ctf_text x, a; /* encoded: exact [start, dur, state, detail]..., sub-bins [start, width, ns per state]... */
	size_t nx, na;
};

struct vt_html_rows {
	uint64_t t0, t1, width;
	uint32_t bins, exact, sub;
	struct vt_html_row *rows[VT_HTML_ROW_KINDS];
	size_t n[VT_HTML_ROW_KINDS];
	int oom;
};

void vt_html_rows_init(struct vt_html_rows *rs, uint64_t first, uint64_t last, const struct vt_html_budget *b);
/* One interval [s, e) of row (kind, index), in time order per row. */
void vt_html_rows_add(struct vt_html_rows *rs, int kind, size_t index, int nstates, uint64_t s, uint64_t e,
		      int state, int64_t detail);
/* Closes every row's open bin. */
void vt_html_rows_finish(struct vt_html_rows *rs);
size_t vt_html_rows_memory(const struct vt_html_rows *rs, size_t *items);
void vt_html_rows_free(struct vt_html_rows *rs);

#endif
