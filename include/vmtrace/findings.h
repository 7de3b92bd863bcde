/* vmtrace stage 7, findings: what the model's and the analyses' figures mean.
 * Rules look at the results (per guest, per vCPU, the sync quality, the traces'
 * losses) and say, with the figures that decided, why a guest is slow and what
 * to try: a host thread taking its pCPUs, vCPU overcommit, shadow paging,
 * emulated I/O, interrupt pressure, lock-holder preemption, halt polling, and
 * whether the trace itself can be trusted (docs/findings.md). */
#ifndef VMTRACE_FINDINGS_H
#define VMTRACE_FINDINGS_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- thresholds ------------------------------------------------------------- */

enum vt_threshold {
	VT_TH_NOISY_PCT,          /* a host thread's share of a guest's vCPU time (PREEMPTED by it), % */
	VT_TH_OVERCOMMIT_PCT,     /* a guest's PREEMPTED share of its vCPU time, % */
	VT_TH_OVERCOMMIT_VCPU_PCT, /* share of that preemption by vCPU threads, % */
	VT_TH_PAGING_PCT,         /* shadow-paging exits' share of HYPERVISOR time, % */
	VT_TH_PAGING_HV_PCT,      /* HYPERVISOR share of the guest's busy vCPU time, % */
	VT_TH_IO_RATE,            /* exits to QEMU per second of busy vCPU time */
	VT_TH_IO_PCT,             /* I/O exits' HYPERVISOR time, % of busy vCPU time */
	VT_TH_IRQ_RATE,           /* external-interrupt exits per second of busy vCPU time */
	VT_TH_PAUSE_RATE,         /* PAUSE exits per second of busy vCPU time */
	VT_TH_LHP_PCT,            /* share of PAUSE exits while a sibling vCPU was preempted, % */
	VT_TH_HALT_SHORT_US,      /* an idle (halt) shorter than this is short, µs */
	VT_TH_HALT_RATE,          /* short halts per second of vCPU time */
	VT_TH_HALT_WAKE_PCT,      /* their wake-up latency, % of vCPU time */
	VT_TH_MIN_EXITS,          /* fewer exits of a kind than this say nothing */
	VT_TH_LOST_EVENTS,        /* events a trace may lose before it is a finding */
	VT_TH_SYNC_BOUND_PCT,     /* sync accuracy x guest context switches, % of its vCPU time */
	VT_TH_COUNT
};

struct vt_findings_config {
	double v[VT_TH_COUNT];
};

/* Every threshold at its default. */
VT_API void vt_findings_config_default(struct vt_findings_config *cfg);
/* "NAME=VALUE" (a name of vt_threshold_name). Returns 0, or -1 with err. */
VT_API int vt_findings_config_set(struct vt_findings_config *cfg, const char *assignment, struct vt_error *err);
/* The threshold's option name ("noisy_neighbour_pct"), default and one line of meaning. */
VT_API const char *vt_threshold_name(enum vt_threshold t);
VT_API double vt_threshold_default(enum vt_threshold t);
VT_API const char *vt_threshold_doc(enum vt_threshold t);

/* --- the collector: what the totals alone cannot tell ---------------------- */

/* A model sink that keeps, within bounded memory, what the rules need beyond
 * the totals: when each holder preempted each vCPU, PAUSE exits while a
 * sibling vCPU was preempted, short halts and their wake-up latency, the
 * vCPUs wanting to run over time. Chain it before another sink with next. */
struct vt_findings_collector;
VT_API struct vt_findings_collector *vt_findings_collector_new(const struct vt_findings_config *cfg, struct vt_error *err);
/* The sink to give the model; every interval is passed on to next (may be NULL) after. */
VT_API struct vt_model_sink vt_findings_collector_sink(struct vt_findings_collector *c, const struct vt_model_sink *next);
VT_API void vt_findings_collector_free(struct vt_findings_collector *c);

/* --- findings ------------------------------------------------------------------ */

enum vt_severity { VT_SEVERITY_INFO, VT_SEVERITY_WARNING, VT_SEVERITY_CRITICAL };
VT_API const char *vt_severity_name(enum vt_severity s);

#define VT_FINDING_FIGURES 10
#define VT_FINDING_THRESHOLDS 4

/* One figure of evidence: "holder_ns" 5283391208 (ns), "share_pct" 13.0 (%). */
struct vt_finding_figure {
	const char *key; /* static */
	double value;
	int integer;     /* a count or ns: written without decimals */
};

struct vt_finding {
	const char *id;  /* static: "host-noisy-neighbour", "vcpu-overcommit", "no-nested-paging", "emulated-io",
			  * "interrupt-pressure", "lock-holder-preemption", "halt-polling", "trace-quality" */
	enum vt_severity severity;
	int guest;        /* machine index of the guest, -1: not traced or not about one guest */
	int64_t qemu_pid; /* its QEMU process, -1 */
	int vcpu;         /* the vCPU number when about one, -1: the guest's vCPUs together */
	int32_t tid;      /* the host thread it names (the noisy neighbour), -1 */
	char comm[32];    /* that thread's name, from the trace: escape before showing */
	int32_t cpus[16]; /* the pCPUs that thread held (noisy neighbour), most held first */
	size_t ncpus;
	int trace;        /* trace-quality: the trace (inputs' numbering), -1 */
	uint64_t start_ns, end_ns; /* the time range of the evidence, reference time */
	/* One line each, with figures; they may hold names from the traces: escape them. */
	char summary[256];
	char meaning[512];
	char advice[512];
	struct vt_finding_figure figures[VT_FINDING_FIGURES];
	size_t nfigures;
	struct {
		enum vt_threshold which;
		double value;
	} thresholds[VT_FINDING_THRESHOLDS]; /* those that decided, at their values in this run */
	size_t nthresholds;
};

struct vt_findings {
	struct vt_finding *items; /* owned (vt_findings_free): most severe first, then largest figure first */
	size_t count;
};

struct vt_findings_input {
	/* All weak: read during vt_findings_run only. */
	const struct vt_model *model;          /* after vt_model_finish */
	const struct vt_machines *machines;
	const struct vt_sync_result *sync;     /* may be NULL */
	const struct vt_trace_info *const *traces; /* may be NULL */
	size_t ntraces;
	const struct vt_findings_collector *collector; /* may be NULL: time ranges then span the vCPUs' lives */
};

/* Runs every rule. Returns 0, or -1 when out of memory (with err). */
VT_API int vt_findings_run(const struct vt_findings_input *in, const struct vt_findings_config *cfg, struct vt_findings *out,
		    struct vt_error *err);
VT_API void vt_findings_free(struct vt_findings *f);

#ifdef __cplusplus
}
#endif
#endif
