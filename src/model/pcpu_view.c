/* The fused per-pCPU view: who held each pCPU, a host thread or a guest (in
 * guest mode, or in the hypervisor on its vCPU thread), and for how long. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

/* Makes room for pCPU `cpu`: its time starts with the host's first event. */
int vt_pcpu_grow(struct vt_model *model, int32_t cpu)
{
	if (cpu < 0 || (size_t)cpu < model->ncpus)
		return 0;
	size_t n = (size_t)cpu + 1;
	int32_t *t = realloc(model->cpu_tid, n * sizeof(*t));
	if (!t)
		return -1;
	model->cpu_tid = t;
	char(*c)[32] = realloc(model->cpu_comm, n * sizeof(*c));
	if (!c)
		return -1;
	model->cpu_comm = c;
	struct vt_cpu_model *cm = realloc(model->cpus, n * sizeof(*cm));
	if (!cm)
		return -1;
	model->cpus = cm;
	for (size_t i = model->ncpus; i < n; i++) {
		model->cpu_tid[i] = 0;
		model->cpu_comm[i][0] = '\0';
		memset(&model->cpus[i], 0, sizeof(model->cpus[i]));
		model->cpus[i].since = model->first_ns;
	}
	model->ncpus = n;
	return 0;
}

void vt_pcpu_set_holder(struct vt_model *model, int32_t cpu, int32_t tid, const char *comm)
{
	model->cpu_tid[cpu] = tid;
	snprintf(model->cpu_comm[cpu], sizeof(model->cpu_comm[0]), "%s", comm ? comm : "");
}

/* The holder's share of its pCPU (one per thread and mode), found or added. */
static void add_share(struct vt_model *model, struct vt_cpu_model *c, int32_t cpu, int guest, int mode, uint64_t ns)
{
	int32_t tid = model->cpu_tid[cpu];
	for (size_t i = 0; i < c->nshares; i++)
		if (c->shares[i].tid == tid && c->shares[i].guest_mode == mode) {
			c->shares[i].ns += ns;
			return;
		}
	struct vt_cpu_share *sh = realloc(c->shares, (c->nshares + 1) * sizeof(*sh));
	if (!sh) {
		model->oom = 1;
		return;
	}
	c->shares = sh;
	sh = &c->shares[c->nshares++];
	sh->tid = tid;
	sh->guest = guest;
	sh->guest_mode = mode;
	snprintf(sh->comm, sizeof(sh->comm), "%s", tid ? model->cpu_comm[cpu] : "swapper");
	sh->ns = ns;
}

/* The pCPU's time since its last change, to whoever held it. */
void vt_pcpu_account(struct vt_model *model, int32_t cpu, uint64_t ts)
{
	if (cpu < 0 || (size_t)cpu >= model->ncpus)
		return;
	struct vt_cpu_model *c = &model->cpus[cpu];
	if (ts < c->since)
		ts = c->since;
	uint64_t ns = ts - c->since, since = c->since;
	c->since = ts;
	if (!ns)
		return;
	int32_t tid = model->cpu_tid[cpu];
	struct vt_vcpu_model *v = tid > 0 ? vt_vcpu_of(model, tid) : NULL;
	int guest = v ? v->guest : -1, mode = v ? v->state == VT_VCPU_GUEST : 0;
	struct vt_cpu_interval *p = &c->pending;
	if (model->sink.cpu &&
	    !vt_interval_join(model, VT_PART_CPU, (size_t)cpu, since, ts, p->tid == tid && p->guest_mode == mode))
		*p = (struct vt_cpu_interval){since, ts, tid, guest, mode};
	add_share(model, c, cpu, guest, mode, ns);
}

/* A window restarts: its shares start from nothing, its holder stays. */
void vt_pcpu_restart(struct vt_model *model, size_t cpu, uint64_t ts)
{
	vt_pcpu_account(model, (int32_t)cpu, ts);
	model->cpus[cpu].nshares = 0;
	memset(&model->cpus[cpu].pending, 0, sizeof(model->cpus[cpu].pending));
}
