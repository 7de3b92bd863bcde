/* vmtrace exporters for people and other tools (docs/reports.md):
 *
 * - the HTML report: one self-contained file, a summary per guest and a
 *   zoomable timeline of every pCPU, vCPU and guest thread, fed by a model
 *   sink that keeps a fixed budget per row however long the trace;
 * - the Perfetto / Chrome trace-event JSON, streamed as intervals close;
 * - helpers both use (guest names, the reference time range). */
#ifndef VMTRACE_REPORT_H
#define VMTRACE_REPORT_H

#include "vmtrace/api.h"

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/findings.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A machine's display name: its -name, else hostname, else its key. */
VT_API const char *vt_report_machine_name(const struct vt_machines *m, int machine);

/* The span of every trace in reference time (first and last events mapped
 * through their machine's clock). Returns 0, or -1 when no trace has events. */
VT_API int vt_report_time_range(const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
			 const struct vt_sync_result *r, uint64_t *first, uint64_t *last);

/* --- the HTML report ---------------------------------------------------------- */

/* The budget per timeline row: the span [first, last] is cut into `bins`
 * equal bins; a bin keeps its first `exact` intervals exactly, and the time of
 * any further ones as `sub` sub-bins per state. A row thus holds at most
 * bins * (exact + sub + 1) items. 0 fields take the defaults (512, 16, 16). */
struct vt_html_budget {
	uint32_t bins, exact, sub;
};

struct vt_html_report;

/* The rows are created as the model's sink first hands them an interval. */
VT_API struct vt_html_report *vt_html_report_new(uint64_t first, uint64_t last, const struct vt_html_budget *budget,
						 struct vt_error *err);
/* The sink to give the model (ctx is the report). */
VT_API struct vt_model_sink vt_html_report_sink(struct vt_html_report *r);
/* The findings to show first, each linking to its time range on the timeline
 * (weak: they must outlive vt_html_report_write; NULL shows none). */
VT_API void vt_html_report_set_findings(struct vt_html_report *r, const struct vt_findings *findings);
/* A plain table written below the report as HTML (no script needed): cells
 * holds (nrows + 1) x ncols strings, the header row first; any bytes, escaped
 * when written. Weak: it must outlive vt_html_report_write. One table; a
 * second call replaces it. */
struct vt_html_table {
	const char *title, *note;
	size_t ncols, nrows;
	const char *const *cells;
};
VT_API void vt_html_report_set_table(struct vt_html_report *r, const struct vt_html_table *t);
/* After vt_model_finish: writes the document to path (through a temporary
 * file renamed at the end: an existing file is replaced only by a whole
 * report). title goes in the page's heading. Returns 0, or -1 with err. */
VT_API int vt_html_report_write(struct vt_html_report *r, const struct vt_model *model, const struct vt_machines *m,
			 const char *title, const char *path, struct vt_error *err);
/* Bytes held for the rows (the budget at work), and items (exact intervals
 * plus sub-bins) kept. */
VT_API size_t vt_html_report_memory(const struct vt_html_report *r, size_t *items);
VT_API void vt_html_report_free(struct vt_html_report *r);

/* --- Perfetto / Chrome trace-event JSON --------------------------------------- */

struct vt_perfetto;

/* Writes the document's head to out; base_ns is time 0 of the document
 * (timestamps are µs from it, with 3 decimals: ns kept). */
VT_API struct vt_perfetto *vt_perfetto_new(FILE *out, const struct vt_machines *m, uint64_t base_ns, struct vt_error *err);
/* The sink streaming every interval as a complete event ("ph":"X"). */
VT_API struct vt_model_sink vt_perfetto_sink(struct vt_perfetto *p);
/* One message: a flow from its send (machine, tid, reference time) to its
 * receive; both ends get a 1 ns slice on their machine's "messages" track. */
VT_API void vt_perfetto_flow(struct vt_perfetto *p, int from_machine, int32_t from_tid, uint64_t send_ns, int to_machine,
		      int32_t to_tid, uint64_t recv_ns, const char *what);
/* Track names (after vt_model_finish) and the document's tail. Returns 0, or
 * -1 when writing failed. */
VT_API int vt_perfetto_finish(struct vt_perfetto *p, const struct vt_model *model);
VT_API void vt_perfetto_free(struct vt_perfetto *p);

/* --- synchronized CTF ----------------------------------------------------------- */

/* Rewrites every CTF trace among traces (trace.dat files are counted in
 * *skipped) into outdir/<its path below the traces' common folder>, each
 * event's timestamp mapped to the host's time by its machine's clock
 * (vt_clock_to_ref), everything else as it was. Written into a temporary
 * folder renamed to outdir at the end; outdir must not exist, or be empty.
 * Returns 0, or -1 with err (nothing left behind). */
VT_API int vt_ctf_export(const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
		  const struct vt_sync_result *r, const char *outdir, size_t *exported, size_t *skipped,
		  uint64_t *events, struct vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
