/* Per guest: its vCPUs' totals, preemptors and exits merged (analyses.h). */
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "vmtrace/analyses.h"

const struct vt_vcpu_model *vt_model_vcpu_by_tid(const struct vt_model *model, int32_t tid)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == tid && tid > 0)
			return &model->vcpus[i];
	return NULL;
}

static int by_holder_ns(const void *a, const void *b)
{
	const struct vt_holder_time *x = a, *y = b;
	return (x->ns < y->ns) - (x->ns > y->ns);
}

static int by_exit_total(const void *a, const void *b)
{
	const struct vt_exit_stats *x = a, *y = b;
	return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

static int by_pid(const void *a, const void *b)
{
	const struct vt_guest_summary *x = a, *y = b;
	if (x->qemu_pid != y->qemu_pid)
		return (x->qemu_pid > y->qemu_pid) - (x->qemu_pid < y->qemu_pid);
	return (x->guest > y->guest) - (x->guest < y->guest); /* pids unknown: by machine */
}

static int add_holder(struct vt_guest_summary *g, const struct vt_holder_time *h)
{
	for (size_t i = 0; i < g->npreemptors; i++)
		if (g->preemptors[i].tid == h->tid) {
			g->preemptors[i].ns += h->ns;
			return 0;
		}
	struct vt_holder_time *p = realloc(g->preemptors, (g->npreemptors + 1) * sizeof(*p));
	if (!p)
		return -1;
	g->preemptors = p;
	g->preemptors[g->npreemptors++] = *h;
	return 0;
}

static int add_reason(struct vt_guest_summary *g, const struct vt_reason_time *r)
{
	for (size_t i = 0; i < g->nreasons; i++)
		if (g->reasons[i].reason == r->reason) {
			g->reasons[i].ns += r->ns;
			return 0;
		}
	struct vt_reason_time *x = realloc(g->reasons, (g->nreasons + 1) * sizeof(*x));
	if (!x)
		return -1;
	g->reasons = x;
	g->reasons[g->nreasons++] = *r;
	return 0;
}

static int by_reason_ns(const void *a, const void *b)
{
	const struct vt_reason_time *x = a, *y = b;
	return (x->ns < y->ns) - (x->ns > y->ns);
}

static int add_exits(struct vt_guest_summary *g, const struct vt_exit_stats *e)
{
	for (size_t i = 0; i < g->nexits; i++) {
		struct vt_exit_stats *x = &g->exits[i];
		if (x->reason != e->reason)
			continue;
		x->count += e->count;
		x->total_ns += e->total_ns;
		if (e->max_ns > x->max_ns)
			x->max_ns = e->max_ns;
		for (unsigned b = 0; b < VT_EXIT_HIST_BUCKETS; b++)
			x->hist[b] += e->hist[b];
		return 0;
	}
	struct vt_exit_stats *x = realloc(g->exits, (g->nexits + 1) * sizeof(*x));
	if (!x)
		return -1;
	g->exits = x;
	g->exits[g->nexits++] = *e;
	return 0;
}

size_t vt_guest_summaries(const struct vt_model *model, struct vt_guest_summary **out)
{
	struct vt_guest_summary *s = NULL;
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		size_t k;
		for (k = 0; k < n && !(s[k].qemu_pid == v->qemu_pid && s[k].guest == v->guest); k++)
			;
		if (k == n) {
			struct vt_guest_summary *t = realloc(s, (n + 1) * sizeof(*t));
			if (!t)
				goto oom;
			s = t;
			memset(&s[n], 0, sizeof(s[n]));
			s[n].guest = v->guest;
			s[n].qemu_pid = v->qemu_pid;
			n++;
		}
		struct vt_guest_summary *g = &s[k];
		g->nvcpus++;
		g->userspace_exits += v->userspace_exits;
		for (int r = 0; r < VT_USERSPACE_REASONS; r++)
			g->userspace_by_reason[r] += v->userspace_by_reason[r];
		if (v->isa)
			g->isa = v->isa;
		g->observed_ns += v->end_ns - v->start_ns;
		for (int st = 0; st < VT_VCPU_STATE_COUNT; st++)
			g->totals[st] += v->totals[st];
		for (size_t h = 0; h < v->nholders; h++)
			if (add_holder(g, &v->by_holder[h]))
				goto oom;
		for (size_t e = 0; e < v->nexits; e++)
			if (add_exits(g, &v->exits[e]))
				goto oom;
		for (size_t r = 0; r < v->nreasons; r++)
			if (add_reason(g, &v->by_reason[r]))
				goto oom;
	}
	for (size_t k = 0; k < n; k++) {
		vt_qsort(s[k].preemptors, s[k].npreemptors, sizeof(*s[k].preemptors), by_holder_ns);
		vt_qsort(s[k].exits, s[k].nexits, sizeof(*s[k].exits), by_exit_total);
		vt_qsort(s[k].reasons, s[k].nreasons, sizeof(*s[k].reasons), by_reason_ns);
	}
	vt_qsort(s, n, sizeof(*s), by_pid);
	*out = s;
	return n;
oom:
	vt_guest_summaries_free(s, n);
	return 0;
}

void vt_guest_summaries_free(struct vt_guest_summary *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(s[k].preemptors);
		free(s[k].exits);
		free(s[k].reasons);
	}
	free(s);
}
