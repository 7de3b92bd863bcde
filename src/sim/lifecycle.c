/* Guests that start or stop during the trace: libvirtd forks QEMU, QEMU
 * creates its vCPU threads (sched_process_fork) and the agent reports the VM
 * created; at shutdown the vCPU threads leave guest mode for good and exit,
 * then QEMU exits and the agent reports the VM destroyed. */
#include "sim/emit.h"

int vt_sim_guest_alive(const struct guest *g)
{
	return g->life == G_RUNNING;
}

void vt_sim_guest_on_start(struct sim *s, struct guest *g)
{
	vt_sim_msgq_push(s, &s->spawner->queue, g->index - 1);
	vt_sim_host_wake(s, s->spawner, s->now);
}

/* libvirtd got the pCPU: it forks QEMU for each guest asked for. */
void vt_sim_spawner_run(struct sim *s, struct hthread *th, uint64_t t)
{
	struct machine *host = &s->machines[0];
	uint32_t n = th->queue.len;
	for (uint32_t i = 0; i < n; i++) {
		struct guest *g = &s->guests[th->queue.v[i]];
		vt_sim_emit_fork(s, host, th->cpu, t, th->ctx, th->ctx, th->pid, g->qemu->ctx, g->pid);
		vt_sim_host_set_state(g->qemu, HS_SLEEPING, t);
		g->spawn_pending = 1;
		vt_sim_host_wake(s, g->qemu, t);
	}
	th->queue.len = 0;
	th->work_left = SERVICE_NS * (n ? n : 1);
	vt_sim_queue_push(&s->q, t + th->work_left, Q_HT_DONE, th, th->gen);
}

/* QEMU's first run: the VM exists (the agent hears of it) and its vCPU threads start. */
void vt_sim_qemu_spawn_vcpus(struct sim *s, struct guest *g, uint64_t t)
{
	struct machine *host = &s->machines[0];
	g->spawn_pending = 0;
	vt_sim_emit_ust_guest_created(s, t, g);
	g->life = G_RUNNING;
	g->vcpus_alive = g->sc->vcpus;
	for (uint32_t k = 0; k < g->nthreads; k++)
		vt_sim_acct_init(&g->threads[k].acct, VS_RUNNABLE, t);
	for (uint32_t i = 0; i < g->sc->vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		vt_sim_emit_fork(s, host, g->qemu->cpu, t, g->qemu->ctx, g->qemu->ctx, g->pid, v->th->ctx, g->pid);
		vt_sim_host_set_state(v->th, HS_SLEEPING, t);
		v->alive_start = t;
		vt_sim_acct_init(&v->acct, VS_IDLE, t);
		v->halted = 0;
		vt_sim_host_wake(s, v->th, t);
	}
	if (g->sc->vmsync_period_ns) {
		g->vmsync_next = t + g->sc->vmsync_period_ns;
		vt_sim_queue_push(&s->q, g->vmsync_next, Q_VMSYNC_TIMER, g, 0);
	}
}

void vt_sim_guest_on_stop(struct sim *s, struct guest *g)
{
	if (g->life != G_RUNNING)
		return;
	uint64_t t = s->now;
	g->life = G_STOPPING;
	/* The guest's own threads end with it; its vCPUs run no more guest code. */
	for (uint32_t k = 0; k < g->nthreads; k++)
		vt_sim_acct_close(s, &g->threads[k].acct, t);
	for (uint32_t i = 0; i < g->sc->vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		v->cur = NULL;
		v->dying = 1;
		vt_sim_vcpu_interrupt(s, v, t);
	}
}

/* Called on the vCPU thread, in root mode, instead of entering the guest. */
void vt_sim_vcpu_exit_thread(struct sim *s, struct vcpu *v, uint64_t t)
{
	struct guest *g = v->g;
	struct cpu *c = &s->cpus[v->th->cpu];
	vt_sim_emit_exit(s, &s->machines[0], c->index, t, v->th->ctx);
	vt_sim_vcpu_close(s, v, t);
	v->alive_end = t;
	v->gone = 1;
	v->mode = VM_OFF;
	vt_sim_host_exit_thread(s, c, t);
	if (--g->vcpus_alive == 0)
		vt_sim_host_wake(s, g->qemu, t); /* QEMU exits once its vCPU threads are gone */
}
