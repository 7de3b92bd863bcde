/* The findings stage: runs every rule over the results, then orders what they
 * found (most severe, then largest figure, first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "findings/internal.h"

const char *vt_severity_name(enum vt_severity s)
{
	static const char *const names[] = {"info", "warning", "critical"};
	return (unsigned)s <= VT_SEVERITY_CRITICAL ? names[s] : "?";
}

double vt_findings_pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

uint64_t vt_findings_busy(const uint64_t totals[VT_VCPU_STATE_COUNT])
{
	return totals[VT_VCPU_GUEST] + totals[VT_VCPU_HYPERVISOR] + totals[VT_VCPU_PREEMPTED];
}

const char *vt_findings_guest_name(const struct vt_fctx *ctx, int guest)
{
	const struct vt_machines *m = ctx->in->machines;
	if (!m || guest < 0 || (size_t)guest >= m->count)
		return "(guest not traced)";
	const struct vt_machine *g = &m->machines[guest];
	return g->name ? g->name : g->hostname ? g->hostname : g->key;
}

struct vt_fspan vt_findings_guest_range(const struct vt_fctx *ctx, int64_t qemu_pid, int which)
{
	struct vt_fspan s = {0, 0}, life = {0, 0};
	const struct vt_model *model = ctx->in->model;
	const struct vt_findings_collector *c = ctx->in->collector;
	for (size_t i = 0; i < model->nvcpus; i++) {
		if (model->vcpus[i].qemu_pid != qemu_pid)
			continue;
		vt_fspan_add(&life, model->vcpus[i].start_ns, model->vcpus[i].end_ns);
		if (c && which >= 0 && i < c->nv && c->v[i].ranges[which].last)
			vt_fspan_add(&s, c->v[i].ranges[which].first, c->v[i].ranges[which].last);
	}
	return s.last ? s : life;
}

struct vt_finding *vt_finding_new(struct vt_fctx *ctx, const char *id, enum vt_severity sev)
{
	struct vt_findings *out = ctx->out;
	struct vt_finding *items = realloc(out->items, (out->count + 1) * sizeof(*items));
	if (!items) {
		ctx->oom = 1;
		return NULL;
	}
	out->items = items;
	struct vt_finding *f = &items[out->count++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	f->guest = -1;
	f->qemu_pid = -1;
	f->vcpu = -1;
	f->tid = -1;
	f->trace = -1;
	return f;
}

void vt_finding_guest(struct vt_finding *f, const struct vt_fctx *ctx, const struct vt_guest_summary *g)
{
	(void)ctx;
	f->guest = g->guest;
	f->qemu_pid = g->qemu_pid;
}

void vt_finding_figure(struct vt_finding *f, const char *key, double value, int integer)
{
	if (f->nfigures < VT_FINDING_FIGURES)
		f->figures[f->nfigures++] = (struct vt_finding_figure){key, value, integer};
}

void vt_finding_threshold(struct vt_finding *f, const struct vt_fctx *ctx, enum vt_threshold t)
{
	if (f->nthresholds < VT_FINDING_THRESHOLDS) {
		f->thresholds[f->nthresholds].which = t;
		f->thresholds[f->nthresholds].value = ctx->cfg->v[t];
		f->nthresholds++;
	}
}

void vt_finding_text(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap); /* a long name cuts the line: the figures keep the numbers */
	va_end(ap);
}

enum vt_severity vt_finding_severity(double value, double threshold)
{
	return value >= 3 * threshold ? VT_SEVERITY_CRITICAL : VT_SEVERITY_WARNING;
}

/* The first figure is each rule's main one, as a share of its threshold. */
static double weight(const struct vt_finding *f)
{
	double th = f->nthresholds ? f->thresholds[0].value : 0;
	double v = f->nfigures ? f->figures[0].value : 0;
	return th > 0 ? v / th : v;
}

static int by_severity(const void *a, const void *b)
{
	const struct vt_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	double wx = weight(x), wy = weight(y);
	if (wx != wy)
		return wx < wy ? 1 : -1;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	if (x->qemu_pid != y->qemu_pid)
		return x->qemu_pid < y->qemu_pid ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

typedef void (*vt_rule_fn)(struct vt_fctx *ctx);

/* The rules, in the order the issue lists them; each is one file. */
static const vt_rule_fn rules[] = {
	vt_rule_noisy_neighbour, vt_rule_overcommit,  vt_rule_paging,       vt_rule_emulated_io,
	vt_rule_interrupts,      vt_rule_lock_holder, vt_rule_halt_polling, vt_rule_trace_quality,
};

int vt_findings_run(const struct vt_findings_input *in, const struct vt_findings_config *cfg, struct vt_findings *out,
		    struct vt_error *err)
{
	memset(out, 0, sizeof(*out));
	struct vt_findings_config defaults;
	if (!cfg) {
		vt_findings_config_default(&defaults);
		cfg = &defaults;
	}
	struct vt_fctx ctx = {.in = in, .cfg = cfg, .out = out};
	struct vt_guest_summary *gs = NULL;
	if (in->model && in->model->host >= 0 && in->model->nvcpus) {
		ctx.nguests = vt_guest_summaries(in->model, &gs);
		if (!ctx.nguests)
			return vt_error_set_cause(err, VT_ERR_NOMEM, "findings: out of memory");
	}
	ctx.guests = gs;
	if (in->collector && in->collector->oom)
		ctx.oom = 1;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]) && !ctx.oom; r++)
		if (in->model && (in->model->host >= 0 || rules[r] == vt_rule_trace_quality))
			rules[r](&ctx);
	vt_guest_summaries_free(gs, ctx.nguests);
	if (ctx.oom) {
		vt_findings_free(out);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "findings: out of memory");
	}
	vt_qsort(out->items, out->count, sizeof(*out->items), by_severity);
	return 0;
}

void vt_findings_free(struct vt_findings *f)
{
	if (!f)
		return;
	free(f->items);
	f->items = NULL;
	f->count = 0;
}
