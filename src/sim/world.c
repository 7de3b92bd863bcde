/* The simulated world built from a scenario: machines, pCPUs, host threads,
 * guests with their vCPUs and threads, flows; and freeing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/emit.h"

static void *xcalloc(size_t n, size_t size, int *oom)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		*oom = 1;
	return p;
}

void vt_sim_random_uuid(struct sim *s, uint8_t out[16])
{
	uint64_t a = vt_sim_rng_next(&s->rng), b = vt_sim_rng_next(&s->rng);
	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
	out[6] = (out[6] & 0x0f) | 0x40;
	out[8] = (out[8] & 0x3f) | 0x80;
}

static void setup_machine(struct sim *s, struct machine *m, uint32_t index, const char *name,
			  const char *hostname, const char *uuid, uint32_t ncpus)
{
	m->index = index;
	m->ncpus = ncpus;
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->hostname, sizeof(m->hostname), "%s", hostname);
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	vt_sim_random_uuid(s, m->trace_uuid);
	uint8_t cu[16];
	vt_sim_random_uuid(s, cu);
	vt_uuid_format(cu, m->clock_uuid);
	m->wander_seed = vt_sim_rng_next(&s->rng);
}

static struct hthread *new_hthread(struct sim *s, enum hrole role, int32_t tid, int32_t pid,
				   const char *comm, int *oom)
{
	struct hthread *th = xcalloc(1, sizeof(*th), oom);
	if (!th)
		return NULL;
	th->index = s->nhthreads;
	th->role = role;
	th->tid = tid;
	th->pid = pid;
	if (snprintf(th->comm, sizeof(th->comm), "%s", comm) < 0) /* cut to the kernel's 16 bytes */
		th->comm[0] = '\0';
	vt_sim_ctx_make(th->ctx, tid, th->comm);
	th->state = HS_SLEEPING;
	th->state_since = s->t0;
	th->cpu = (uint32_t)(s->nhthreads % s->ncpus);
	s->hthreads[s->nhthreads++] = th;
	return th;
}

static uint32_t count_host_threads(const struct vt_sim_scenario *sc)
{
	uint32_t n = sc->nflows + sc->nguests + 1; /* senders, QEMU main threads, libvirtd */
	for (uint32_t i = 0; i < sc->nhost_threads; i++)
		n += sc->host_threads[i].count;
	for (uint32_t i = 0; i < sc->nguests; i++)
		n += sc->guests[i].vcpus;
	return n;
}

static int setup_guest(struct sim *s, uint32_t gi, int *oom)
{
	const struct sc_guest *sg = &s->sc->guests[gi];
	struct guest *g = &s->guests[gi];
	g->index = gi + 1;
	g->sc = sg;
	g->m = &s->machines[gi + 1];
	g->m->guest = g;
	g->pid = sg->qemu_pid ? sg->qemu_pid : (int32_t)(2205 + 37 * gi);
	g->vm_uid = vt_sim_rng_next(&s->rng) & 0x7fffffffffffffffull;
	g->vmsync_cnt = 2 * (uint32_t)(vt_sim_rng_next(&s->rng) & 0xffff);
	g->vmsync_next = s->t0 + (sg->vmsync_period_ns ? sg->vmsync_period_ns : 0);
	g->tick_period = 1000000000ull / sg->tick_hz;
	g->mean_exit_gap = sg->exit_rate_hz > 0 ? 1e9 / sg->exit_rate_hz : 0;
	g->startup_pending = 1;
	g->life = sg->start_ns ? G_UNBORN : G_RUNNING;
	g->start_t = s->t0 + sg->start_ns;
	g->stop_t = sg->stop_ns ? s->t0 + sg->stop_ns : UINT64_MAX;
	g->end_t = s->t_end;
	g->vcpus_alive = g->life == G_RUNNING ? sg->vcpus : 0;
	double sum = 0, acc = 0;
	for (int k = 0; k < SC_EXIT_KINDS; k++)
		sum += sg->mix[k];
	for (int k = 0; k < SC_EXIT_KINDS; k++) {
		acc += sg->mix[k];
		g->exit_cdf[k] = sum > 0 ? acc / sum : 1;
	}
	struct machine *m = g->m;
	m->offset_ns = sg->clock.offset_ns;
	m->drift = sg->clock.drift_ppm * 1e-6;
	m->jitter_ns = sg->clock.jitter_ns;
	m->wander_period = sg->clock.wander_period_ns;

	char comm[32];
	snprintf(comm, sizeof(comm), "qemu-system-x86");
	g->qemu = new_hthread(s, HR_QEMU, g->pid, g->pid, comm, oom);
	if (!g->qemu)
		return -1;
	g->qemu->guest = g;
	if (g->life == G_UNBORN)
		g->qemu->state = HS_ABSENT;
	for (uint32_t i = 0; i < sg->nthreads; i++)
		g->nthreads += sg->threads[i].count;
	g->threads = xcalloc(g->nthreads, sizeof(*g->threads), oom);
	g->vcpus = xcalloc(sg->vcpus, sizeof(*g->vcpus), oom);
	if (*oom)
		return -1;
	for (uint32_t i = 0; i < sg->vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		v->g = g;
		v->index = i;
		snprintf(comm, sizeof(comm), "CPU %u/KVM", i);
		v->th = new_hthread(s, HR_VCPU, g->pid + 20 + (int32_t)i, g->pid, comm, oom);
		if (!v->th)
			return -1;
		v->th->vcpu = v;
		if (g->life == G_UNBORN)
			v->th->state = HS_ABSENT;
		v->alive_start = v->alive_end = g->life == G_UNBORN ? s->t_end : s->t0;
		v->rq_cap = g->nthreads + 1;
		v->rq = xcalloc(v->rq_cap, sizeof(*v->rq), oom);
		v->wake = xcalloc(g->nthreads + 1, sizeof(*v->wake), oom);
		v->preempted_by = xcalloc(count_host_threads(s->sc) + 1, sizeof(uint64_t), oom);
		snprintf(comm, sizeof(comm), "swapper/%u", i);
		vt_sim_ctx_make(v->swapper_ctx, 0, comm);
		v->mode = VM_OFF;
		v->halted = 1;
		/* The trace starts mid-run: as if the vCPU had just taken an interrupt. */
		v->last_reason = VMX_EXTERNAL_INTERRUPT;
		v->spont_left = g->mean_exit_gap > 0 ? vt_sim_rng_exp(&s->rng, g->mean_exit_gap) : UINT64_MAX / 4;
		vt_sim_acct_init(&v->acct, VS_IDLE, s->t0);
		if (*oom)
			return -1;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < sg->nthreads; i++) {
		const struct sc_guest_thread *spec = &sg->threads[i];
		for (uint32_t j = 0; j < spec->count; j++, k++) {
			struct gthread *gt = &g->threads[k];
			gt->tid = 400 + (int32_t)k;
			if (spec->count > 1)
				snprintf(comm, sizeof(comm), "%.10s-%u", spec->name, j);
			else
				snprintf(comm, sizeof(comm), "%s", spec->name);
			snprintf(gt->comm, sizeof(gt->comm), "%.15s", comm);
			vt_sim_ctx_make(gt->ctx, gt->tid, gt->comm);
			gt->spec = spec;
			gt->v = &g->vcpus[spec->vcpu >= 0 ? (uint32_t)spec->vcpu : k % sg->vcpus];
			gt->work_left = vt_sim_rng_exp(&s->rng, (double)spec->burst_ns);
			vt_sim_acct_init(&gt->acct, VS_RUNNABLE, s->t0);
			struct vcpu *v = gt->v;
			v->rq[(v->rq_head + v->rq_len++) % v->rq_cap] = gt;
		}
	}
	return 0;
}

int vt_sim_world_build(struct sim *s, int *oom)
{
	const struct vt_sim_scenario *sc = s->sc;
	s->ncpus = sc->cpus;
	s->nguests = sc->nguests;
	s->nflows = sc->nflows;
	s->nmachines = sc->nguests + 1;
	s->free_msg = UINT32_MAX;
	s->machines = xcalloc(s->nmachines, sizeof(*s->machines), oom);
	s->cpus = xcalloc(s->ncpus, sizeof(*s->cpus), oom);
	s->guests = xcalloc(s->nguests, sizeof(*s->guests), oom);
	s->flows = xcalloc(s->nflows, sizeof(*s->flows), oom);
	uint32_t nthreads = count_host_threads(sc);
	s->hthreads = xcalloc(nthreads, sizeof(*s->hthreads), oom);
	s->swapper_index = nthreads;
	if (*oom)
		return -1;
	setup_machine(s, &s->machines[0], 0, "host", sc->hostname, sc->host_uuid, sc->cpus);
	for (uint32_t i = 0; i < sc->nguests; i++)
		setup_machine(s, &s->machines[i + 1], i + 1, sc->guests[i].name, sc->guests[i].hostname,
			      sc->guests[i].uuid, sc->guests[i].vcpus);
	/* Clock values count from boot: the host booted ~20 min before, guests later. */
	s->machines[0].clock_offset_ns = s->t0 - 1200000000000ull - (vt_sim_rng_next(&s->rng) % 1000000000000ull);
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct cpu *c = &s->cpus[i];
		c->index = i;
		c->rq_cap = nthreads + 1;
		c->rq = xcalloc(c->rq_cap, sizeof(*c->rq), oom);
		char comm[32];
		snprintf(comm, sizeof(comm), "swapper/%u", i);
		vt_sim_ctx_make(c->swapper_ctx, 0, comm);
	}
	s->spawner = new_hthread(s, HR_SPAWNER, 780, 780, "libvirtd", oom);
	if (!s->spawner)
		return -1;
	int32_t tid = 1100;
	for (uint32_t i = 0; i < sc->nhost_threads; i++) {
		const struct sc_host_thread *spec = &sc->host_threads[i];
		for (uint32_t j = 0; j < spec->count; j++) {
			char comm[32];
			if (spec->count > 1)
				snprintf(comm, sizeof(comm), "%.10s-%u", spec->name, j);
			else
				snprintf(comm, sizeof(comm), "%s", spec->name);
			enum hrole role = spec->kind == SC_HOG ? HR_HOG : spec->kind == SC_PERIODIC ? HR_PERIODIC : HR_IO;
			struct hthread *th = new_hthread(s, role, tid, tid, comm, oom);
			tid += 3;
			if (!th)
				return -1;
			th->spec = spec;
			th->work_left = role == HR_HOG ? UINT64_MAX / 4
					: vt_sim_rng_exp(&s->rng, (double)spec->burst_ns);
			th->next_period = s->t0 + vt_sim_rng_next(&s->rng) % spec->period_ns;
		}
	}
	for (uint32_t i = 0; i < sc->nguests; i++) {
		if (setup_guest(s, i, oom))
			return -1;
		struct machine *m = &s->machines[i + 1];
		uint64_t uptime = 300000000000ull + (vt_sim_rng_next(&s->rng) % 600000000000ull);
		m->clock_offset_ns = vt_sim_machine_epoch_ns(s, m, s->t0) - uptime;
	}
	for (uint32_t i = 0; i < sc->nflows; i++) {
		struct flow *f = &s->flows[i];
		f->sc = &sc->flows[i];
		f->index = i;
		f->isn = (uint32_t)vt_sim_rng_next(&s->rng);
		f->ack_isn = (uint32_t)vt_sim_rng_next(&s->rng);
		if (f->sc->from == 0) {
			f->netd = new_hthread(s, HR_NETD, 900 + (int32_t)i, 900 + (int32_t)i, "iperf3", oom);
			if (!f->netd)
				return -1;
		}
	}
	return *oom ? -1 : 0;
}

void vt_sim_world_free(struct sim *s)
{
	for (uint32_t i = 0; s->guests && i < s->nguests; i++) {
		struct guest *g = &s->guests[i];
		for (uint32_t v = 0; g->vcpus && v < g->sc->vcpus; v++) {
			struct vcpu *vc = &g->vcpus[v];
			free(vc->rq);
			free(vc->wake);
			free(vc->recv.v);
			free(vc->send.v);
			free(vc->preempted_by);
			free(vc->acct.iv);
		}
		for (uint32_t k = 0; g->threads && k < g->nthreads; k++)
			free(g->threads[k].acct.iv);
		free(g->vcpus);
		free(g->threads);
	}
	for (uint32_t i = 0; s->hthreads && i < s->nhthreads; i++) {
		free(s->hthreads[i]->queue.v);
		free(s->hthreads[i]);
	}
	for (uint32_t i = 0; s->machines && i < s->nmachines; i++) {
		vt_ctf_writer_abort(s->machines[i].writer);
		vt_ctf_writer_abort(s->machines[i].ust);
		free(s->machines[i].streams);
	}
	for (uint32_t i = 0; s->cpus && i < s->ncpus; i++)
		free(s->cpus[i].rq);
	free(s->machines);
	free(s->cpus);
	free(s->guests);
	free(s->flows);
	free(s->hthreads);
	free(s->msgs);
	vt_sim_queue_free(&s->q);
}
