/* Shared by the findings stage's files: the collector's per-vCPU state, the
 * exit-reason classes the rules use, and the helpers that fill a finding. */
#ifndef VT_FINDINGS_INTERNAL_H
#define VT_FINDINGS_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>

#include "vmtrace/analyses.h"
#include "vmtrace/findings.h"

/* Exit-reason classes (VMX basic reasons, SVM exit codes). */
enum vt_fclass { FC_OTHER, FC_PAGING, FC_IO, FC_IRQ, FC_PAUSE };
enum vt_fclass vt_findings_reason_class(uint32_t isa, uint64_t reason);

/* First and last instants of some evidence (0, 0: none seen). */
struct vt_fspan {
	uint64_t first, last;
};
void vt_fspan_add(struct vt_fspan *s, uint64_t start, uint64_t end);

struct vt_fholder {
	int32_t tid;
	struct vt_fspan span;
};

#define VT_FRING 8 /* a vCPU's last PREEMPTED intervals, for a sibling's PAUSE exits arriving late */
#define VT_FBINS 64 /* vCPUs wanting to run over time */

enum { FR_PAGING, FR_IO, FR_IRQ, FR_LHP, FR_HALT, FR_BY_VCPU, FR_COUNT };

struct vt_fvcpu {
	struct vt_fholder *holders; /* owned */
	size_t nholders;
	struct vt_fspan ranges[FR_COUNT];
	uint64_t pause, pause_lhp;      /* PAUSE exits (intervals); those while a sibling was preempted */
	uint64_t short_halts, wakes, wake_ns;
	uint64_t wake_from;             /* a short halt ended here: the latency runs until guest code */
	int waking;
	struct vt_fspan preempted[VT_FRING];
	unsigned npreempted;
};

struct vt_findings_collector {
	struct vt_findings_config cfg;
	struct vt_fvcpu *v; /* per model vCPU index, owned */
	size_t nv;
	uint64_t t0, width;       /* bin i covers [t0 + i*width, t0 + (i+1)*width) */
	uint64_t busy[VT_FBINS];  /* ns of vCPUs in GUEST, HYPERVISOR or PREEMPTED */
	struct vt_model_sink next;
	int oom;
};

/* What a rule sees. */
struct vt_fctx {
	const struct vt_findings_input *in;
	const struct vt_findings_config *cfg;
	const struct vt_guest_summary *guests; /* vt_guest_summaries */
	size_t nguests;
	struct vt_findings *out;
	int oom;
};

/* A new finding appended to ctx->out (zeroed, no guest, no thread), or NULL
 * when out of memory (ctx->oom set). */
struct vt_finding *vt_finding_new(struct vt_fctx *ctx, const char *id, enum vt_severity sev);
void vt_finding_guest(struct vt_finding *f, const struct vt_fctx *ctx, const struct vt_guest_summary *g);
void vt_finding_figure(struct vt_finding *f, const char *key, double value, int integer);
void vt_finding_threshold(struct vt_finding *f, const struct vt_fctx *ctx, enum vt_threshold t);
void vt_finding_text(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* WARNING, or CRITICAL when value reaches 3x the threshold. */
enum vt_severity vt_finding_severity(double value, double threshold);

/* A guest's display name, its vCPUs' busy time (GUEST + HYPERVISOR + PREEMPTED), the union of
 * a collector range over its vCPUs (the vCPUs' lives when none). */
const char *vt_findings_guest_name(const struct vt_fctx *ctx, int guest);
uint64_t vt_findings_busy(const uint64_t totals[VT_VCPU_STATE_COUNT]);
struct vt_fspan vt_findings_guest_range(const struct vt_fctx *ctx, int64_t qemu_pid, int which);
double vt_findings_pct(double part, double whole);

/* The rules, one per file. Each appends its findings to ctx->out. */
void vt_rule_noisy_neighbour(struct vt_fctx *ctx);
void vt_rule_overcommit(struct vt_fctx *ctx);
void vt_rule_paging(struct vt_fctx *ctx);
void vt_rule_emulated_io(struct vt_fctx *ctx);
void vt_rule_interrupts(struct vt_fctx *ctx);
void vt_rule_lock_holder(struct vt_fctx *ctx);
void vt_rule_halt_polling(struct vt_fctx *ctx);
void vt_rule_trace_quality(struct vt_fctx *ctx);

#endif
