/* The findings' model sink: per vCPU, within bounded memory, what the totals
 * cannot tell (when each holder preempted it, PAUSE exits while a sibling was
 * preempted, short halts and their wake-up latency), and the vCPUs wanting to
 * run over time. Every interval then goes on to the next sink. */
#include <stdlib.h>
#include <string.h>

#include "findings/internal.h"

void vt_fspan_add(struct vt_fspan *s, uint64_t start, uint64_t end)
{
	if (!s->last || start < s->first)
		s->first = start;
	if (end > s->last)
		s->last = end;
}

enum vt_fclass vt_findings_reason_class(uint32_t isa, uint64_t reason)
{
	if (vt_exit_is_interrupt(isa, reason))
		return FC_IRQ;
	if (isa == VT_ISA_SVM) {
		switch (reason) {
		case 0x04e: /* EXCP_PF: guest page faults are intercepted only with shadow paging */
		case 0x079: /* INVLPG */
		case 0x003: /* READ_CR3 */
		case 0x013: /* WRITE_CR3 */
			return FC_PAGING;
		case 0x07b: return FC_IO; /* IOIO */
		case 0x077: return FC_PAUSE;
		default: return FC_OTHER;
		}
	}
	switch (reason & 0xffff) { /* VMX basic exit reason */
	case 0:  /* EXCEPTION_NMI: page faults, without EPT */
	case 14: /* INVLPG */
	case 28: /* CR_ACCESS: CR3 loads, without EPT */
		return isa == VT_ISA_VMX ? FC_PAGING : FC_OTHER;
	case 30: /* IO_INSTRUCTION */
	case 49: /* EPT_MISCONFIG: MMIO */
		return FC_IO;
	case 40: return FC_PAUSE;
	default: return FC_OTHER;
	}
}

struct vt_findings_collector *vt_findings_collector_new(const struct vt_findings_config *cfg, struct vt_error *err)
{
	struct vt_findings_collector *c = calloc(1, sizeof(*c));
	if (!c) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "findings: out of memory");
		return NULL;
	}
	if (cfg)
		c->cfg = *cfg;
	else
		vt_findings_config_default(&c->cfg);
	c->width = 1000000; /* 1 ms bins to begin with, doubled as the trace goes on */
	return c;
}

void vt_findings_collector_free(struct vt_findings_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nv; i++)
		free(c->v[i].holders);
	free(c->v);
	free(c);
}

static struct vt_fvcpu *vcpu_of(struct vt_findings_collector *c, size_t i)
{
	if (i >= c->nv) {
		size_t n = i + 1 > 2 * c->nv ? i + 1 : 2 * c->nv;
		struct vt_fvcpu *v = realloc(c->v, n * sizeof(*v));
		if (!v) {
			c->oom = 1;
			return NULL;
		}
		memset(v + c->nv, 0, (n - c->nv) * sizeof(*v));
		c->v = v;
		c->nv = n;
	}
	return &c->v[i];
}

/* The vCPUs wanting to run, in VT_FBINS bins that double in width when the
 * trace outgrows them: the ratio over time in fixed memory. */
static void add_busy(struct vt_findings_collector *c, uint64_t start, uint64_t end)
{
	if (start < c->t0)
		start = c->t0;
	while (end > c->t0 + VT_FBINS * c->width) {
		for (int b = 0; b < VT_FBINS / 2; b++)
			c->busy[b] = c->busy[2 * b] + c->busy[2 * b + 1];
		memset(c->busy + VT_FBINS / 2, 0, sizeof(c->busy) / 2);
		c->width *= 2;
	}
	while (start < end) {
		size_t b = (size_t)((start - c->t0) / c->width);
		uint64_t bin_end = c->t0 + (b + 1) * c->width;
		uint64_t e = end < bin_end ? end : bin_end;
		c->busy[b] += e - start;
		start = e;
	}
}

static int overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Was a sibling of vCPU i (same QEMU) preempted during [s, e)? Its intervals
 * reach the sink late (joined, closed at the next change): look at those
 * passed, the one it holds, and its state now. */
static int sibling_preempted(const struct vt_findings_collector *c, const struct vt_model *model, size_t i, uint64_t s,
			     uint64_t e)
{
	for (size_t j = 0; j < model->nvcpus; j++) {
		const struct vt_vcpu_model *o = &model->vcpus[j];
		if (j == i || o->qemu_pid != model->vcpus[i].qemu_pid)
			continue;
		if (o->state == VT_VCPU_PREEMPTED && o->since < e)
			return 1;
		if (o->pending.state == VT_VCPU_PREEMPTED && overlaps(o->pending.start, o->pending.end, s, e))
			return 1;
		if (j >= c->nv)
			continue;
		for (unsigned k = 0; k < VT_FRING && k < c->v[j].npreempted; k++)
			if (overlaps(c->v[j].preempted[k].first, c->v[j].preempted[k].last, s, e))
				return 1;
	}
	return 0;
}

static void add_holder(struct vt_findings_collector *c, struct vt_fvcpu *fv, int32_t tid, uint64_t s, uint64_t e)
{
	for (size_t k = 0; k < fv->nholders; k++)
		if (fv->holders[k].tid == tid) {
			vt_fspan_add(&fv->holders[k].span, s, e);
			return;
		}
	struct vt_fholder *h = realloc(fv->holders, (fv->nholders + 1) * sizeof(*h));
	if (!h) {
		c->oom = 1;
		return;
	}
	fv->holders = h;
	h[fv->nholders] = (struct vt_fholder){tid, {s, e}};
	fv->nholders++;
}

static void on_hypervisor(struct vt_findings_collector *c, const struct vt_model *model, size_t i, struct vt_fvcpu *fv,
			  const struct vt_vcpu_interval *iv)
{
	enum vt_fclass k = vt_findings_reason_class(model->vcpus[i].isa, (uint64_t)iv->detail);
	if (k == FC_PAGING)
		vt_fspan_add(&fv->ranges[FR_PAGING], iv->start, iv->end);
	else if (k == FC_IO)
		vt_fspan_add(&fv->ranges[FR_IO], iv->start, iv->end);
	else if (k == FC_IRQ)
		vt_fspan_add(&fv->ranges[FR_IRQ], iv->start, iv->end);
	else if (k == FC_PAUSE) {
		fv->pause++;
		if (sibling_preempted(c, model, i, iv->start, iv->end)) {
			fv->pause_lhp++;
			vt_fspan_add(&fv->ranges[FR_LHP], iv->start, iv->end);
		}
	}
}

static void on_vcpu(void *ctx, const struct vt_model *model, size_t i, const struct vt_vcpu_interval *iv)
{
	struct vt_findings_collector *c = ctx;
	struct vt_fvcpu *fv = vcpu_of(c, i);
	if (fv && i < model->nvcpus) {
		if (!c->t0)
			c->t0 = model->first_ns;
		if (iv->state == VT_VCPU_GUEST || iv->state == VT_VCPU_HYPERVISOR || iv->state == VT_VCPU_PREEMPTED)
			add_busy(c, iv->start, iv->end);
		if (iv->state == VT_VCPU_HYPERVISOR)
			on_hypervisor(c, model, i, fv, iv);
		else if (iv->state == VT_VCPU_PREEMPTED) {
			fv->preempted[fv->npreempted++ % VT_FRING] = (struct vt_fspan){iv->start, iv->end};
			if (iv->detail > 0) {
				add_holder(c, fv, (int32_t)iv->detail, iv->start, iv->end);
				if (vt_model_vcpu_by_tid(model, (int32_t)iv->detail))
					vt_fspan_add(&fv->ranges[FR_BY_VCPU], iv->start, iv->end);
			}
		} else if (iv->state == VT_VCPU_IDLE) {
			fv->waking = iv->end - iv->start < (uint64_t)(c->cfg.v[VT_TH_HALT_SHORT_US] * 1e3);
			if (fv->waking) {
				fv->short_halts++;
				fv->wake_from = iv->end;
				vt_fspan_add(&fv->ranges[FR_HALT], iv->start, iv->end);
			}
		} else if (iv->state == VT_VCPU_GUEST && fv->waking) {
			fv->waking = 0;
			if (iv->start >= fv->wake_from) {
				fv->wakes++;
				fv->wake_ns += iv->start - fv->wake_from;
			}
		}
	}
	if (c->next.vcpu)
		c->next.vcpu(c->next.ctx, model, i, iv);
}

static void on_thread(void *ctx, const struct vt_model *model, size_t i, const struct vt_thread_interval *iv)
{
	struct vt_findings_collector *c = ctx;
	if (c->next.thread)
		c->next.thread(c->next.ctx, model, i, iv);
}

static void on_cpu(void *ctx, const struct vt_model *model, size_t i, const struct vt_cpu_interval *iv)
{
	struct vt_findings_collector *c = ctx;
	if (c->next.cpu)
		c->next.cpu(c->next.ctx, model, i, iv);
}

struct vt_model_sink vt_findings_collector_sink(struct vt_findings_collector *c, const struct vt_model_sink *next)
{
	if (next)
		c->next = *next;
	/* thread and pCPU intervals only pass through: the model skips what no sink wants */
	return (struct vt_model_sink){on_vcpu, c->next.thread ? on_thread : NULL, c->next.cpu ? on_cpu : NULL, c};
}
