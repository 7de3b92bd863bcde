/* The host scheduler: per-pCPU FIFO run queues with a time slice, wake-up
 * placement on an idle pCPU (migration), CFS-like wake-up preemption (a
 * sleeper that got much less CPU than the running thread takes the pCPU), and
 * idle pCPUs pulling work from the busiest queue. */
#include "sim/emit.h"

#define WAKEUP_GRANULARITY_NS 1000000 /* sched_wakeup_granularity_ns */
#define SLEEPER_CREDIT_NS 3000000     /* half of sched_latency_ns */

static inline const uint8_t *cur_ctx(const struct cpu *c)
{
	return c->cur ? c->cur->ctx : c->swapper_ctx;
}

static void rq_push(struct cpu *c, struct hthread *th)
{
	c->rq[(c->rq_head + c->rq_len++) % c->rq_cap] = th;
}

static struct hthread *rq_pop(struct cpu *c)
{
	if (!c->rq_len)
		return NULL;
	struct hthread *th = c->rq[c->rq_head];
	c->rq_head = (c->rq_head + 1) % c->rq_cap;
	c->rq_len--;
	return th;
}

/* Who holds the pCPU is who preempts the vCPU threads waiting for it. */
static void set_current(struct sim *s, struct cpu *c, struct hthread *th, uint64_t t)
{
	c->cur = th;
	uint32_t holder = th ? th->index : NO_HOLDER;
	for (uint32_t i = 0; i < c->rq_len; i++) {
		struct hthread *w = c->rq[(c->rq_head + i) % c->rq_cap];
		if (w->role == HR_VCPU)
			vt_sim_vcpu_set_state(s, w->vcpu, VS_PREEMPTED, holder, t);
	}
}

static void arm_tick(struct sim *s, struct cpu *c, uint64_t t)
{
	c->tick_gen++;
	vt_sim_queue_push(&s->q, t + s->sc->timeslice_ns, Q_CPU_TICK, c, c->tick_gen);
}

void vt_sim_host_set_state(struct hthread *th, enum hstate state, uint64_t t)
{
	th->total[th->state] += t - th->state_since;
	th->state = state;
	th->state_since = t;
}

/* The thread leaves its pCPU: it is charged the CPU time it got. */
static void charge(struct cpu *c, struct hthread *th, uint64_t t)
{
	th->vruntime += t - th->run_since;
	if (th->vruntime > c->min_vruntime)
		c->min_vruntime = th->vruntime;
}

static void run_thread(struct sim *s, struct cpu *c, struct hthread *th, uint64_t t)
{
	vt_sim_host_set_state(th, HS_RUNNING, t);
	th->cpu = c->index;
	th->run_since = t;
	th->gen++;
	c->need_resched = 0;
	arm_tick(s, c, t);
	switch (th->role) {
	case HR_HOG:
	case HR_PERIODIC:
	case HR_IO:
		/* A hog never finishes: nothing to queue. */
		if (th->role != HR_HOG)
			vt_sim_queue_push(&s->q, t + th->work_left, Q_HT_DONE, th, th->gen);
		break;
	case HR_VCPU:
		vt_sim_vcpu_switched_in(s, th->vcpu, t);
		break;
	case HR_QEMU:
	case HR_NETD:
		vt_sim_net_service_run(s, th, t);
		break;
	case HR_SPAWNER:
		vt_sim_spawner_run(s, th, t);
		break;
	}
}

/* An idle pCPU takes the oldest waiter of the longest other queue. */
static struct hthread *steal(struct sim *s, struct cpu *c)
{
	struct cpu *busiest = NULL;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct cpu *o = &s->cpus[i];
		if (o != c && o->rq_len && (!busiest || o->rq_len > busiest->rq_len))
			busiest = o;
	}
	return busiest ? rq_pop(busiest) : NULL;
}

static void switch_to_next(struct sim *s, struct cpu *c, struct hthread *prev, int64_t prev_state,
			   uint64_t t)
{
	struct hthread *next = rq_pop(c);
	if (!next)
		next = steal(s, c);
	vt_sim_emit_switch(s, &s->machines[0], c->index, t, prev->ctx, prev->ctx, prev_state,
		    next ? next->ctx : c->swapper_ctx);
	set_current(s, c, next, t);
	if (next)
		run_thread(s, c, next, t);
	else
		c->tick_gen++; /* no tick on an idle pCPU */
}

void vt_sim_host_block(struct sim *s, struct cpu *c, uint64_t t)
{
	struct hthread *th = c->cur;
	charge(c, th, t);
	vt_sim_host_set_state(th, HS_SLEEPING, t);
	th->gen++;
	switch_to_next(s, c, th, 1 /* TASK_INTERRUPTIBLE */, t);
}

/* The running thread exits (TASK_DEAD) and is never seen again. */
void vt_sim_host_exit_thread(struct sim *s, struct cpu *c, uint64_t t)
{
	struct hthread *th = c->cur;
	charge(c, th, t);
	vt_sim_host_set_state(th, HS_ABSENT, t);
	th->gen++;
	switch_to_next(s, c, th, 128 /* TASK_DEAD */, t);
}

void vt_sim_host_preempt(struct sim *s, struct cpu *c, uint64_t t)
{
	struct hthread *th = c->cur;
	if (th->role == HR_HOG || th->role == HR_PERIODIC || th->role == HR_IO) {
		uint64_t ran = t - th->run_since;
		th->work_left -= ran < th->work_left ? ran : th->work_left - 1;
	}
	th->gen++;
	charge(c, th, t);
	vt_sim_host_set_state(th, HS_RUNNABLE, t);
	rq_push(c, th);
	switch_to_next(s, c, th, 0 /* TASK_RUNNING */, t);
}

/* Take the pCPU from its current thread now (vCPU threads first leave guest mode). */
static void preempt_now(struct sim *s, struct cpu *c, uint64_t t)
{
	struct hthread *cur = c->cur;
	if (cur->role == HR_VCPU) {
		c->need_resched = 1;
		vt_sim_vcpu_request_exit(s, cur->vcpu, t, VMX_EXTERNAL_INTERRUPT);
	} else {
		vt_sim_host_preempt(s, c, t);
	}
}

void vt_sim_host_wake(struct sim *s, struct hthread *th, uint64_t t)
{
	if (th->state != HS_SLEEPING)
		return;
	/* The previous pCPU if idle, else an idle one, else the shortest queue. */
	struct cpu *target = &s->cpus[th->cpu];
	if (target->cur) {
		for (uint32_t i = 1; i < s->ncpus; i++) {
			struct cpu *o = &s->cpus[(th->cpu + i) % s->ncpus];
			if (!o->cur && !o->rq_len) {
				target = o;
				break;
			}
			if (o->rq_len < target->rq_len)
				target = o;
		}
	}
	vt_sim_emit_wakeup(s, &s->machines[0], target->index, t, cur_ctx(target), th->ctx,
		    (int32_t)target->index);
	vt_sim_host_set_state(th, HS_RUNNABLE, t);
	th->cpu = target->index;
	/* A sleeper is placed a little before the queue's clock (CFS's credit). */
	if (target->min_vruntime > SLEEPER_CREDIT_NS && th->vruntime < target->min_vruntime - SLEEPER_CREDIT_NS)
		th->vruntime = target->min_vruntime - SLEEPER_CREDIT_NS;
	if (!target->cur && !target->rq_len) {
		vt_sim_emit_switch(s, &s->machines[0], target->index, t, target->swapper_ctx,
			    target->swapper_ctx, 0, th->ctx);
		set_current(s, target, th, t);
		run_thread(s, target, th, t);
		return;
	}
	rq_push(target, th);
	if (th->role == HR_VCPU)
		vt_sim_vcpu_set_state(s, th->vcpu, VS_PREEMPTED, target->cur ? target->cur->index : NO_HOLDER, t);
	struct hthread *cur = target->cur;
	if (cur && !target->need_resched &&
	    cur->vruntime + (t - cur->run_since) > th->vruntime + WAKEUP_GRANULARITY_NS)
		preempt_now(s, target, t);
}

/* Periodic balancing: pull a waiter from a queue longer than ours by two. */
static void balance(struct sim *s, struct cpu *c, uint64_t t)
{
	struct cpu *busiest = NULL;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct cpu *o = &s->cpus[i];
		if (o != c && o->rq_len >= c->rq_len + 2 && (!busiest || o->rq_len > busiest->rq_len))
			busiest = o;
	}
	if (!busiest)
		return;
	struct hthread *th = rq_pop(busiest);
	th->cpu = c->index;
	rq_push(c, th);
	if (th->role == HR_VCPU)
		vt_sim_vcpu_set_state(s, th->vcpu, VS_PREEMPTED, c->cur ? c->cur->index : NO_HOLDER, t);
}

/* The tick's event, and the kernel's books: a tick that finds a vCPU thread
 * in guest mode (or in the moment after an exit, interrupts still off) is
 * guest time; its event comes once the exit it causes is traced. */
static void tick_event(struct sim *s, struct cpu *c, uint64_t t)
{
	struct hthread *cur = c->cur;
	struct vcpu *v = cur->role == HR_VCPU ? cur->vcpu : NULL;
	if (v && v->mode == VM_GUEST) {
		v->ticks_in_guest += t >= s->t_snap;
		v->tick_at_exit = 1;
		/* An exit already on its way (within EXIT_MARGIN_NS) comes after the
		 * interrupt: the exit is the interrupt's (a vmsync hypercall aside). */
		if (v->exiting && !(v->exit_reason == VMX_VMCALL && v->exit_info1))
			v->exit_reason = VMX_EXTERNAL_INTERRUPT;
		return;
	}
	/* Port I/O leaves for QEMU at once (kvm_userspace_exit): out of guest accounting. */
	if (v && v->mode == VM_ROOT && v->exit_t && t - v->exit_t <= SIM_EXIT_IRQ_WINDOW_NS &&
	    v->last_reason != VMX_IO && t >= s->t_snap)
		v->ticks_in_guest++;
	vt_sim_emit_tick(s, c->index, t, cur->ctx);
}

void vt_sim_host_on_tick(struct sim *s, struct cpu *c, uint32_t gen)
{
	if (gen != c->tick_gen || !c->cur)
		return;
	uint64_t t = s->now;
	balance(s, c, t);
	if (s->sc->tick_events)
		tick_event(s, c, t);
	if (c->cur->role == HR_VCPU) {
		/* The host tick interrupts guest mode whether or not anyone waits. */
		c->need_resched = c->rq_len > 0;
		vt_sim_vcpu_request_exit(s, c->cur->vcpu, t, VMX_EXTERNAL_INTERRUPT);
	} else if (c->rq_len) {
		vt_sim_host_preempt(s, c, t);
		return;
	}
	arm_tick(s, c, t);
}

void vt_sim_host_on_done(struct sim *s, struct hthread *th, uint32_t gen)
{
	if (gen != th->gen || th->state != HS_RUNNING)
		return;
	uint64_t t = s->now;
	struct cpu *c = &s->cpus[th->cpu];
	const struct sc_host_thread *sp = th->spec;
	switch (th->role) {
	case HR_HOG:
		return;
	case HR_PERIODIC:
		while (th->next_period <= t)
			th->next_period += sp->period_ns;
		th->work_left = vt_sim_rng_around(&s->rng, (double)sp->burst_ns, 0.2);
		vt_sim_queue_push(&s->q, th->next_period, Q_HT_WAKE, th, 0);
		break;
	case HR_IO:
		th->work_left = vt_sim_rng_exp(&s->rng, (double)sp->burst_ns);
		vt_sim_queue_push(&s->q, t + vt_sim_rng_exp(&s->rng, (double)sp->sleep_ns), Q_HT_WAKE, th, 0);
		break;
	case HR_QEMU:
	case HR_NETD:
		if (th->queue.len || (th->guest && th->guest->life == G_STOPPING && !th->guest->vcpus_alive)) {
			vt_sim_net_service_run(s, th, t);
			return;
		}
		break;
	case HR_SPAWNER:
		if (th->queue.len) {
			vt_sim_spawner_run(s, th, t);
			return;
		}
		break;
	case HR_VCPU:
		return;
	}
	vt_sim_host_block(s, c, t);
}
