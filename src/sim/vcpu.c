/* A vCPU: its host thread enters guest mode, leaves it on exits (timer, HLT,
 * I/O, MSR, EPT, hypercall...), spends time in the hypervisor, and sleeps on
 * HLT until an interrupt. While in guest mode its guest scheduler runs guest
 * threads and emits the guest's events (never outside guest mode). */
#include "sim/emit.h"

static void rq_push(struct vcpu *v, struct gthread *gt)
{
	v->rq[(v->rq_head + v->rq_len++) % v->rq_cap] = gt;
}

static struct gthread *rq_pop(struct vcpu *v)
{
	if (!v->rq_len)
		return NULL;
	struct gthread *gt = v->rq[v->rq_head];
	v->rq_head = (v->rq_head + 1) % v->rq_cap;
	v->rq_len--;
	return gt;
}

/* The guest's idle balancing: a vCPU with nothing to run pulls the oldest
 * waiter of its guest's longest run queue (the thread migrates) unless that
 * thread is pinned. */
static struct gthread *pick_next(struct vcpu *v)
{
	struct gthread *gt = rq_pop(v);
	if (gt)
		return gt;
	struct guest *g = v->g;
	struct vcpu *busiest = NULL;
	for (uint32_t i = 0; i < g->sc->vcpus; i++) {
		struct vcpu *o = &g->vcpus[i];
		/* a thread pinned by the scenario stays where it is */
		if (o != v && o->rq_len && o->rq[o->rq_head]->spec->vcpu < 0 &&
		    (!busiest || o->rq_len > busiest->rq_len))
			busiest = o;
	}
	if (!busiest)
		return NULL;
	gt = rq_pop(busiest);
	gt->v = v;
	return gt;
}

static inline const uint8_t *gctx(const struct vcpu *v)
{
	return v->cur ? v->cur->ctx : v->swapper_ctx;
}

static inline struct cpu *vcpu_cpu(struct sim *s, const struct vcpu *v)
{
	return &s->cpus[v->th->cpu];
}

/* Hypervisor time per exit reason: a base cost, +-50%, and a rare long tail. */
static uint64_t hv_cost(struct sim *s, uint32_t reason)
{
	double base;
	switch (reason) {
	case VMX_EXTERNAL_INTERRUPT: base = 1200; break;
	case VMX_CPUID: base = 900; break;
	case VMX_HLT: base = 1500; break;
	case VMX_VMCALL: base = 2500; break;
	case VMX_IO: base = 22000; break; /* to QEMU in user space and back */
	case VMX_MSR_READ: base = 1100; break;
	case VMX_MSR_WRITE: base = 1400; break;
	case VMX_PAUSE: base = 800; break;
	case VMX_EPT_VIOLATION: base = 3500; break;
	case VMX_EPT_MISCONFIG: base = 6000; break; /* MMIO emulation */
	case VMX_APIC_WRITE: base = 900; break;
	case VMX_EXCEPTION_NMI: base = 4000; break; /* a shadow page-table fix-up */
	case VMX_INVLPG: base = 2000; break;
	case VMX_CR_ACCESS: base = 2500; break;     /* a CR3 load: shadow page tables switched */
	default: base = 2000; break;
	}
	uint64_t d = vt_sim_rng_around(&s->rng, base, 0.5);
	if ((vt_sim_rng_next(&s->rng) & 127) == 0)
		d *= 8;
	return d;
}

static const uint32_t kind_reason[SC_EXIT_KINDS] = {
	VMX_IO, VMX_EPT_MISCONFIG, VMX_MSR_READ, VMX_MSR_WRITE, VMX_EPT_VIOLATION,
	VMX_VMCALL, VMX_CPUID, VMX_APIC_WRITE, VMX_PAUSE, VMX_EXCEPTION_NMI, VMX_INVLPG, VMX_CR_ACCESS,
};

/* A sibling vCPU of v is preempted (runnable, off its pCPU): with lock_spin,
 * v's guest code then spins on the lock it most likely holds. */
static int spinning(const struct vcpu *v)
{
	if (!v->g->sc->lock_spin)
		return 0;
	for (uint32_t i = 0; i < v->g->sc->vcpus; i++)
		if (&v->g->vcpus[i] != v && v->g->vcpus[i].acct.state == VS_PREEMPTED)
			return 1;
	return 0;
}

static uint32_t draw_reason(struct sim *s, const struct vcpu *v)
{
	const struct guest *g = v->g;
	if (spinning(v))
		return VMX_PAUSE; /* pause-loop exiting: the spin outlasted the PLE window */
	double u = vt_sim_rng_unit(&s->rng);
	for (int i = 0; i < SC_EXIT_KINDS - 1; i++)
		if (u < g->exit_cdf[i])
			return kind_reason[i];
	return kind_reason[SC_EXIT_KINDS - 1];
}

static uint64_t draw_gap(struct sim *s, const struct vcpu *v)
{
	const struct guest *g = v->g;
	if (spinning(v) && g->mean_exit_gap > 0)
		return vt_sim_rng_exp(&s->rng, g->mean_exit_gap / 20); /* a PLE exit every few microseconds */
	return g->mean_exit_gap > 0 ? vt_sim_rng_exp(&s->rng, g->mean_exit_gap) : UINT64_MAX / 4;
}

int vt_sim_vcpu_has_pending(const struct sim *s, const struct vcpu *v, uint64_t t)
{
	(void)s;
	const struct guest *g = v->g;
	return v->wake_len || v->recv.len || v->send.len || v->vmsync_guest_hg || v->tick_resched ||
	       (g->sc->vmsync_period_ns && v->index == 0 && t >= g->vmsync_next);
}

/* Guest-mode time passes for the running guest thread. */
static void advance(struct vcpu *v, uint64_t t)
{
	if (t > v->progress_t && v->cur) {
		uint64_t d = t - v->progress_t;
		v->cur->work_left -= d < v->cur->work_left ? d : v->cur->work_left;
		v->spont_left -= d < v->spont_left ? d : v->spont_left;
	}
	v->progress_t = t;
}

static void push_step(struct sim *s, struct vcpu *v, uint64_t t)
{
	if (t < v->entry_t + GUEST_STEP_NS)
		t = v->entry_t + GUEST_STEP_NS;
	v->gen++;
	vt_sim_queue_push(&s->q, t, Q_VCPU_STEP, v, v->gen);
}

/* Nothing to do before the next of: burst end, spontaneous exit, tick, vmsync.
 * When the spontaneous exit comes first, it is queued directly (no guest step
 * needed); anything earlier (an interrupt, a kick) supersedes it. */
static void plan_next(struct sim *s, struct vcpu *v, uint64_t t)
{
	uint64_t next = t + (v->cur && v->cur->work_left < v->spont_left ? v->cur->work_left : v->spont_left);
	if (v->next_tick < next)
		next = v->next_tick;
	const struct guest *g = v->g;
	if (g->sc->vmsync_period_ns && v->index == 0 && g->vmsync_next < next)
		next = g->vmsync_next;
	uint64_t spont = t + v->spont_left;
	if (v->cur && spont < next + 1 && spont < t + v->cur->work_left &&
	    spont >= v->last_gev_t + EXIT_MARGIN_NS && spont >= v->entry_t + EXIT_MARGIN_NS) {
		v->exit_reason = draw_reason(s, v);
		v->gen++;
		vt_sim_queue_push(&s->q, spont, Q_VCPU_EXIT, v, v->gen);
		return;
	}
	push_step(s, v, next);
}

void vt_sim_vcpu_request_exit(struct sim *s, struct vcpu *v, uint64_t t, uint32_t reason)
{
	if (v->mode != VM_GUEST || v->exiting)
		return;
	if (t < v->last_gev_t + EXIT_MARGIN_NS)
		t = v->last_gev_t + EXIT_MARGIN_NS;
	if (t < v->entry_t + EXIT_MARGIN_NS)
		t = v->entry_t + EXIT_MARGIN_NS;
	v->exiting = 1;
	v->exit_reason = reason;
	v->gen++;
	vt_sim_queue_push(&s->q, t, Q_VCPU_EXIT, v, v->gen);
}

static void enter(struct sim *s, struct vcpu *v, uint64_t t)
{
	struct guest *g = v->g;
	uint32_t cpu = v->th->cpu;
	if (v->vmsync_host_hg) {
		if (!g->sc->ping) /* a ping's host side is the entry itself */
			vt_sim_emit_vmsync(s, &s->machines[0], cpu, t, v->th->ctx, EVID_VMSYNC_HG_HOST,
					   v->vmsync_host_hg, g->vm_uid);
		v->vmsync_guest_hg = v->vmsync_host_hg;
		v->vmsync_host_hg = 0;
	}
	/* Kernels >= 6.1 with lttng-modules 2.13 record a garbage vcpu_id here. */
	uint32_t vcpu_id = s->sc->entry_vcpu_garbage ? 3213368400u + (uint32_t)(v->th->tid & 0xfff) * 64
						     : v->index;
	/* an interrupt is pending: KVM injects it on this entry */
	if (v->recv.len)
		vt_sim_emit_inj_virq(s, cpu, t, v->th->ctx, 34 /* virtio-net */);
	else if (v->wake_len || v->tick_resched)
		vt_sim_emit_inj_virq(s, cpu, t, v->th->ctx, 236 /* local timer */);
	vt_sim_emit_kvm_entry(s, cpu, t, v->th->ctx, vcpu_id);
	v->mode = VM_GUEST;
	v->entry_t = v->progress_t = v->last_gev_t = t;
	vt_sim_vcpu_set_state(s, v, VS_GUEST, 0, t);
	if (v->next_tick <= t)
		v->next_tick = t + g->tick_period - (t - s->t0) % g->tick_period;
	if (vt_sim_vcpu_has_pending(s, v, t) || !v->cur)
		push_step(s, v, t);
	else
		plan_next(s, v, t);
}

void vt_sim_vcpu_switched_in(struct sim *s, struct vcpu *v, uint64_t t)
{
	v->mode = VM_ROOT;
	v->halted = 0;
	vt_sim_vcpu_set_state(s, v, VS_HYPERVISOR, v->last_reason, t);
	v->gen++;
	vt_sim_queue_push(&s->q, t + vt_sim_rng_around(&s->rng, RESUME_NS, 0.3), Q_VCPU_RESUME, v, v->gen);
}

void vt_sim_vcpu_on_resume(struct sim *s, struct vcpu *v, uint32_t gen)
{
	if (gen != v->gen || v->mode != VM_ROOT)
		return;
	uint64_t t = s->now;
	struct cpu *c = vcpu_cpu(s, v);
	if (v->dying) {
		vt_sim_vcpu_exit_thread(s, v, t);
		return;
	}
	if (v->hlt_wait && !vt_sim_vcpu_has_pending(s, v, t)) {
		v->halted = 1;
		v->mode = VM_OFF;
		vt_sim_vcpu_set_state(s, v, VS_IDLE, 0, t);
		vt_sim_host_block(s, c, t);
		return;
	}
	v->hlt_wait = 0;
	if (c->need_resched && c->rq_len) {
		v->mode = VM_OFF;
		vt_sim_host_preempt(s, c, t);
		return;
	}
	c->need_resched = 0;
	enter(s, v, t);
}

/* The exit as the trace shows it: kvm_exit and what KVM traces with it. */
static void trace_exit(struct sim *s, struct vcpu *v, uint64_t t)
{
	struct guest *g = v->g;
	uint32_t reason = v->late.reason, intr_info = v->late.intr_info, cpu = v->th->cpu;
	uint64_t rip = v->late.rip, info1 = v->late.info1, info2 = v->late.info2, h = v->late.h;
	vt_sim_emit_kvm_exit(s, cpu, t, v->th->ctx, reason, rip, info1, info2, intr_info, v->index);
	v->exits++;
	if (v->tick_at_exit) { /* handled as soon as interrupts are on again */
		vt_sim_emit_tick(s, cpu, t, v->th->ctx);
		v->tick_at_exit = 0;
	}
	if (reason == VMX_IO) { /* port I/O is emulated by QEMU: KVM_RUN returns to user space */
		vt_sim_emit_pio(s, cpu, t, v->th->ctx, (uint32_t)(h >> 25) & 1, (uint32_t)(info1 >> 16), 1);
		vt_sim_emit_userspace_exit(s, cpu, t, v->th->ctx, 2 /* KVM_EXIT_IO */);
	} else if (reason == VMX_MSR_READ || reason == VMX_MSR_WRITE) {
		vt_sim_emit_msr(s, cpu, t, v->th->ctx, reason == VMX_MSR_WRITE, 0x6e0, t & 0xffffffffffull);
	}
	if (reason == VMX_VMCALL) {
		if (v->exit_info1 && g->sc->ping) { /* a ping: a0 = seq, a1 = session */
			uint32_t cnt = (uint32_t)v->exit_info1;
			vt_sim_emit_hypercall(s, cpu, t, v->th->ctx, VT_PING_HYPERCALL, cnt, g->vm_uid);
			v->vmsync_host_hg = cnt + 1;
			v->exit_info1 = 0;
		} else if (v->exit_info1) { /* a vmsync hypercall: a0 = cnt, a1 = vm_uid */
			uint32_t cnt = (uint32_t)v->exit_info1;
			vt_sim_emit_hypercall(s, cpu, t, v->th->ctx, 5, cnt, g->vm_uid);
			vt_sim_emit_vmsync(s, &s->machines[0], cpu, t, v->th->ctx, EVID_VMSYNC_GH_HOST, cnt, g->vm_uid);
			v->vmsync_host_hg = cnt + 1;
			v->exit_info1 = 0;
		} else {
			vt_sim_emit_hypercall(s, cpu, t, v->th->ctx, 11 /* KVM_HC_SEND_IPI */, h & 0xff, 0);
		}
	}
}

void vt_sim_vcpu_on_exit(struct sim *s, struct vcpu *v, uint32_t gen)
{
	if (gen != v->gen || v->mode != VM_GUEST)
		return;
	uint64_t t = s->now;
	advance(v, t);
	if (v->spont_left == 0)
		v->spont_left = draw_gap(s, v);
	uint32_t reason = v->exit_reason, cpu = v->th->cpu;
	uint64_t h = vt_sim_hash(s->events ^ ((uint64_t)v->th->tid << 32));
	uint64_t rip = 0xffffffff81000000ull + ((h & 0x3fffff) & ~7ull), info1 = 0, info2 = 0;
	uint32_t intr_info = 0;
	switch (reason) {
	case VMX_EXTERNAL_INTERRUPT: intr_info = 0x800000ecu; break; /* valid, vector 0xec */
	case VMX_IO: info1 = ((h >> 24) & 1 ? 0xc000ull : 0x60ull) << 16 | 0x8; break;
	case VMX_EPT_VIOLATION:
	case VMX_EPT_MISCONFIG: info2 = 0xfe000000ull + ((h >> 20) & 0xfff000); break;
	case VMX_EXCEPTION_NMI: intr_info = 0x80000b0eu; info1 = 0x7f0000000000ull + ((h >> 8) & 0xfff000); break; /* #PF, CR2 */
	case VMX_INVLPG: info1 = 0x7f0000000000ull + ((h >> 8) & 0xfff000); break;
	case VMX_CR_ACCESS: info1 = 0x3 << 8 | 3; break; /* mov to CR3 */
	case VMX_MSR_READ:
	case VMX_MSR_WRITE: info1 = 0x6e0; break; /* IA32_TSC_DEADLINE */
	default: break;
	}
	v->exit_t = t;
	/* A kernel that traces kvm_exit after the interrupts pending at the exit
	 * shows them first: the tick now, kvm_exit once it is handled (the
	 * simulated host traces no other interrupt: the others take no time). */
	int late = s->sc->exit_traced_late && v->tick_at_exit;
	if (late && v->tick_at_exit) {
		vt_sim_emit_tick(s, cpu, t, v->th->ctx);
		v->tick_at_exit = 0;
	}
	v->late.reason = reason;
	v->late.intr_info = intr_info;
	v->late.rip = rip;
	v->late.info1 = info1;
	v->late.info2 = info2;
	v->late.h = h;
	if (!late)
		trace_exit(s, v, t);
	v->exiting = 0;
	v->mode = VM_ROOT;
	v->last_reason = reason;
	v->hlt_wait = reason == VMX_HLT;
	vt_sim_vcpu_set_state(s, v, VS_HYPERVISOR, reason, t);
	v->gen++;
	if (late) {
		vt_sim_queue_push(&s->q, t + SIM_LATE_EXIT_NS, Q_VCPU_EXIT_TRACE, v, v->gen);
		return;
	}
	vt_sim_queue_push(&s->q, t + hv_cost(s, reason), Q_VCPU_RESUME, v, v->gen);
}

void vt_sim_vcpu_on_exit_trace(struct sim *s, struct vcpu *v, uint32_t gen)
{
	if (gen != v->gen || v->mode != VM_ROOT)
		return;
	uint64_t t = s->now;
	trace_exit(s, v, t);
	v->gen++;
	vt_sim_queue_push(&s->q, t + hv_cost(s, v->late.reason), Q_VCPU_RESUME, v, v->gen);
}

static void set_current(struct sim *s, struct vcpu *v, struct gthread *next, uint64_t t)
{
	v->cur = next;
	if (next)
		vt_sim_acct_set(s, &next->acct, v->acct.state, v->acct.detail, t);
}

/* Guest work: pending interrupts first, then the guest scheduler, then what
 * ends this stretch of guest mode. */
void vt_sim_vcpu_on_step(struct sim *s, struct vcpu *v, uint32_t gen)
{
	if (gen != v->gen || v->mode != VM_GUEST || v->exiting)
		return;
	uint64_t t = s->now;
	struct guest *g = v->g;
	struct machine *gm = g->m;
	if (v->dying) { /* the guest shuts down: its last exit (the ACPI port) */
		vt_sim_vcpu_request_exit(s, v, t, VMX_IO);
		return;
	}
	advance(v, t);
	v->last_gev_t = t;
	if (g->startup_pending && v->index == 0)
		vt_sim_startup_guest(s, g, t);

	for (uint32_t i = 0; i < v->wake_len; i++) {
		struct gthread *gt = v->wake[i];
		vt_sim_emit_wakeup(s, gm, v->index, t, gctx(v), gt->ctx, (int32_t)v->index);
		vt_sim_acct_set(s, &gt->acct, VS_RUNNABLE, 0, t);
		rq_push(v, gt);
	}
	v->wake_len = 0;
	for (uint32_t i = 0; i < v->recv.len; i++) {
		uint32_t id = v->recv.v[i];
		vt_sim_emit_irq(s, gm, v->index, t, gctx(v), 1, 27, "virtio0-input.0");
		vt_sim_emit_irq(s, gm, v->index, t, gctx(v), 0, 27, NULL);
		vt_sim_emit_softirq(s, gm, v->index, t, gctx(v), EVID_SOFTIRQ_ENTRY, 3 /* NET_RX */);
		vt_sim_emit_net(s, gm, v->index, t, gctx(v), EVID_NET_RX, &s->msgs[id], "eth0", 0);
		vt_sim_emit_softirq(s, gm, v->index, t, gctx(v), EVID_SOFTIRQ_EXIT, 3);
		s->msgs[id].next_free = s->free_msg;
		s->free_msg = id;
		s->delivered++;
	}
	v->recv.len = 0;
	for (uint32_t i = 0; i < v->send.len; i++)
		vt_sim_net_emit_send(s, gm, v->index, gctx(v), v->send.v[i], t);
	v->send.len = 0;
	if (v->vmsync_guest_hg && g->sc->ping) {
		vt_sim_emit_ust_ping(s, gm, t, 1, g->vm_uid, v->vmsync_guest_hg - 1);
		v->vmsync_guest_hg = 0;
	} else if (v->vmsync_guest_hg) {
		vt_sim_emit_vmsync(s, gm, v->index, t, gctx(v), EVID_VMSYNC_HG_GUEST, v->vmsync_guest_hg, g->vm_uid);
		v->vmsync_guest_hg = 0;
	}

	struct gthread *cur = v->cur, *next;
	if (cur && cur->work_left == 0) {
		next = pick_next(v);
		vt_sim_emit_switch(s, gm, v->index, t, cur->ctx, cur->ctx, 1, next ? next->ctx : v->swapper_ctx);
		vt_sim_acct_set(s, &cur->acct, VS_SLEEPING, 0, t);
		cur->gen++;
		vt_sim_queue_push(&s->q, t + vt_sim_rng_exp(&s->rng, (double)cur->spec->sleep_ns), Q_GT_WAKE, cur,
			   cur->gen);
		set_current(s, v, next, t);
	} else if (!cur && (next = pick_next(v)) != NULL) {
		vt_sim_emit_switch(s, gm, v->index, t, v->swapper_ctx, v->swapper_ctx, 0, next->ctx);
		set_current(s, v, next, t);
	} else if (cur && v->tick_resched && v->rq_len) {
		next = rq_pop(v);
		vt_sim_emit_switch(s, gm, v->index, t, cur->ctx, cur->ctx, 0, next->ctx);
		vt_sim_acct_set(s, &cur->acct, VS_RUNNABLE, 0, t);
		rq_push(v, cur);
		set_current(s, v, next, t);
	}
	v->tick_resched = 0;

	if (g->sc->vmsync_period_ns && v->index == 0 && t >= g->vmsync_next) {
		uint32_t cnt = g->vmsync_cnt;
		g->vmsync_cnt += 2;
		while (g->vmsync_next <= t)
			g->vmsync_next += g->sc->vmsync_period_ns;
		if (g->sc->ping)
			vt_sim_emit_ust_ping(s, gm, t, 0, g->vm_uid, cnt);
		else
			vt_sim_emit_vmsync(s, gm, v->index, t, gctx(v), EVID_VMSYNC_GH_GUEST, cnt, g->vm_uid);
		v->exit_info1 = cnt;
		vt_sim_vcpu_request_exit(s, v, t + GUEST_STEP_NS, VMX_VMCALL);
		return;
	}
	if (!v->cur) {
		vt_sim_vcpu_request_exit(s, v, t + IDLE_TO_HLT_NS, VMX_HLT);
		return;
	}
	if (v->spont_left == 0) {
		vt_sim_vcpu_request_exit(s, v, t, draw_reason(s, v));
		return;
	}
	if (t >= v->next_tick) {
		while (v->next_tick <= t)
			v->next_tick += g->tick_period;
		v->tick_resched = 1;
		vt_sim_vcpu_request_exit(s, v, t, VMX_EXTERNAL_INTERRUPT);
		return;
	}
	if (v->cur->work_left == 0) {
		push_step(s, v, t + GUEST_STEP_NS);
		return;
	}
	plan_next(s, v, t);
}

/* An interrupt for this vCPU: leave guest mode to take it, or wake the halted thread. */
void vt_sim_vcpu_interrupt(struct sim *s, struct vcpu *v, uint64_t t)
{
	if (v->gone || v->g->life == G_UNBORN)
		return;
	if (v->mode == VM_GUEST) {
		vt_sim_vcpu_request_exit(s, v, t, VMX_EXTERNAL_INTERRUPT);
	} else if (v->mode == VM_OFF && v->halted) {
		v->halted = 0;
		v->hlt_wait = 0;
		vt_sim_host_wake(s, v->th, t);
	}
}

/* Guest work that needs no interrupt when the guest is running (its own send). */
void vt_sim_vcpu_kick(struct sim *s, struct vcpu *v, uint64_t t)
{
	if (v->mode == VM_GUEST && !v->exiting)
		push_step(s, v, t);
	else
		vt_sim_vcpu_interrupt(s, v, t);
}

void vt_sim_vcpu_on_thread_wake(struct sim *s, struct gthread *gt, uint32_t gen)
{
	if (gen != gt->gen || !vt_sim_guest_alive(gt->v->g))
		return;
	struct vcpu *v = gt->v;
	gt->work_left = vt_sim_rng_exp(&s->rng, (double)gt->spec->burst_ns);
	v->wake[v->wake_len++] = gt;
	vt_sim_vcpu_interrupt(s, v, s->now);
}

void vt_sim_vcpu_on_vmsync_timer(struct sim *s, struct guest *g)
{
	struct vcpu *v = &g->vcpus[0];
	uint64_t t = s->now;
	if (!vt_sim_guest_alive(g))
		return;
	if (t >= g->vmsync_next)
		vt_sim_vcpu_interrupt(s, v, t);
	uint64_t next = g->vmsync_next > t ? g->vmsync_next : t + g->sc->vmsync_period_ns;
	vt_sim_queue_push(&s->q, next, Q_VMSYNC_TIMER, g, 0);
}
