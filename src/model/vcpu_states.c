/* The vCPU state machine, fed with the host's events in reference time: each
 * vCPU thread's time in GUEST, HYPERVISOR (by exit reason), PREEMPTED (by the
 * thread holding the pCPU it waits for) and IDLE, kept and passed to the sink
 * as intervals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

const char *vt_vcpu_state_name(enum vt_vcpu_state s)
{
	static const char *const names[] = {"UNKNOWN", "IDLE", "GUEST", "HYPERVISOR", "PREEMPTED"};
	return (unsigned)s < VT_VCPU_STATE_COUNT ? names[s] : "?";
}

/* A vCPU of `guest` on thread tid (-1: none known), in state UNKNOWN. */
struct vt_vcpu_model *vt_vcpu_add(struct vt_model *model, int guest, uint32_t vcpu, int32_t tid, int64_t qemu_pid)
{
	struct vt_vcpu_model *v = realloc(model->vcpus, (model->nvcpus + 1) * sizeof(*v));
	if (!v) {
		model->oom = 1;
		return NULL;
	}
	model->vcpus = v;
	v = &model->vcpus[model->nvcpus++];
	memset(v, 0, sizeof(*v));
	v->guest = guest;
	v->qemu_pid = qemu_pid;
	v->vcpu = vcpu;
	v->tid = tid;
	v->wait_cpu = -1;
	v->thread = -1;
	v->on_cpu = -1;
	return v;
}

/* The live vCPU whose thread is tid. */
struct vt_vcpu_model *vt_vcpu_of(struct vt_model *model, int32_t tid)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == tid && !model->vcpus[i].exited)
			return &model->vcpus[i];
	return NULL;
}

static void add_holder(struct vt_model *model, struct vt_vcpu_model *v, int32_t tid, const char *comm, uint64_t ns)
{
	for (size_t i = 0; i < v->nholders; i++)
		if (v->by_holder[i].tid == tid) {
			v->by_holder[i].ns += ns;
			return;
		}
	struct vt_holder_time *h = realloc(v->by_holder, (v->nholders + 1) * sizeof(*h));
	if (!h) {
		model->oom = 1;
		return;
	}
	v->by_holder = h;
	h = &v->by_holder[v->nholders++];
	h->tid = tid;
	snprintf(h->comm, sizeof(h->comm), "%s", comm && *comm ? comm : (tid ? "?" : "swapper"));
	h->ns = ns;
}

/* Keeps the vCPU's stretch [v->since, end) (record_intervals), joined as the
 * sink's are. */
static void record(struct vt_model *model, struct vt_vcpu_model *v, uint64_t end, int64_t detail)
{
	struct vt_vcpu_interval *last = v->nintervals ? &v->intervals[v->nintervals - 1] : NULL;
	if (last && vt_interval_continues(last->start, last->end, v->since,
					  last->state == v->state && last->detail == detail)) {
		last->end = end;
		return;
	}
	if (v->nintervals == v->cap_intervals) {
		size_t cap = v->cap_intervals ? v->cap_intervals * 2 : 1024;
		struct vt_vcpu_interval *iv = realloc(v->intervals, cap * sizeof(*iv));
		if (!iv) {
			model->oom = 1;
			return;
		}
		v->intervals = iv;
		v->cap_intervals = cap;
	}
	v->intervals[v->nintervals++] = (struct vt_vcpu_interval){v->since, end, detail, v->state};
}

/* Passes the vCPU's stretch [v->since, end) on to the sink. */
static void sink_vcpu(struct vt_model *model, struct vt_vcpu_model *v, uint64_t end, int64_t detail)
{
	struct vt_vcpu_interval *p = &v->pending;
	size_t i = (size_t)(v - model->vcpus);
	if (!vt_interval_join(model, VT_PART_VCPU, i, v->since, end, p->state == v->state && p->detail == detail))
		*p = (struct vt_vcpu_interval){v->since, end, detail, v->state};
}

/* Accounts the time since the last change to the current state. */
static void account(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts)
{
	if (ts < v->since)
		ts = v->since; /* never negative: totals must add up */
	uint64_t ns = ts - v->since;
	if ((model->record_intervals || model->sink.vcpu) && ns) {
		int64_t detail = -1;
		if (v->state == VT_VCPU_HYPERVISOR)
			detail = (int64_t)v->reason;
		else if (v->state == VT_VCPU_PREEMPTED && v->wait_cpu >= 0 && (size_t)v->wait_cpu < model->ncpus)
			detail = model->cpu_tid[v->wait_cpu];
		if (model->record_intervals)
			record(model, v, ts, detail);
		if (model->sink.vcpu)
			sink_vcpu(model, v, ts, detail);
	}
	v->totals[v->state] += ns;
	if (v->state == VT_VCPU_HYPERVISOR)
		vt_exits_charge(model, v, v->reason, ns);
	else if (v->state == VT_VCPU_PREEMPTED) {
		int c = v->wait_cpu;
		int ok = c >= 0 && (size_t)c < model->ncpus;
		add_holder(model, v, ok ? model->cpu_tid[c] : -1, ok ? model->cpu_comm[c] : "unknown", ns);
	}
	v->since = ts;
}

static void set_state(struct vt_model *model, struct vt_vcpu_model *v, enum vt_vcpu_state s, uint64_t ts)
{
	if (v->on_cpu >= 0)
		vt_pcpu_account(model, v->on_cpu, ts);
	if (v->thread >= 0)
		vt_thread_account(model, &model->threads[v->thread], ts);
	account(model, v, ts);
	v->state = s;
}

/* A vCPU still UNKNOWN since the trace began (a snapshot, a cut trace: its
 * thread already ran) takes, back to that start, the state its first event
 * proves it had: woken, it slept (IDLE); switched in, it waited (PREEMPTED);
 * kvm_exit, it was in guest mode; kvm_entry or switched out, it ran in root
 * mode (a thread in guest mode leaves it by an exit first). Running, it held
 * its pCPU too, if no switch there said otherwise. */
static void resolve_start(struct vt_model *model, struct vt_vcpu_model *v, enum vt_vcpu_state was, int32_t cpu,
			  const char *comm)
{
	if (v->state != VT_VCPU_UNKNOWN || v->forked || v->exited || v->nintervals || v->totals[VT_VCPU_UNKNOWN])
		return; /* only the very start is reconstructed */
	v->state = was;
	v->start_idle = was == VT_VCPU_IDLE;
	if (cpu < 0 || (size_t)cpu >= model->ncpus)
		return;
	if (was == VT_VCPU_PREEMPTED) {
		v->wait_cpu = cpu;
	} else if (was != VT_VCPU_IDLE && !model->cpus[cpu].switched && v->on_cpu < 0) {
		vt_pcpu_set_holder(model, cpu, v->tid, comm);
		v->on_cpu = cpu;
	}
}

static void on_switch(struct vt_model *model, uint64_t ts, const struct vt_event *ev)
{
	const struct vt_sched_switch *sw = &ev->u.sched_switch;
	int32_t cpu = ev->cpu;
	struct vt_vcpu_model *prev = vt_vcpu_of(model, sw->prev_tid), *next = vt_vcpu_of(model, sw->next_tid);
	if (prev)
		resolve_start(model, prev, VT_VCPU_HYPERVISOR, cpu, sw->prev_comm);
	if (next)
		resolve_start(model, next, VT_VCPU_PREEMPTED, cpu, NULL);
	if (cpu >= 0) {
		vt_pcpu_account(model, cpu, ts);
		model->cpus[cpu].switched = 1;
		/* Whoever waits for this pCPU waited on the old holder until now. */
		for (size_t i = 0; i < model->nvcpus; i++)
			if (model->vcpus[i].state == VT_VCPU_PREEMPTED && model->vcpus[i].wait_cpu == cpu)
				account(model, &model->vcpus[i], ts);
		vt_pcpu_set_holder(model, cpu, sw->next_tid, sw->next_comm);
	}
	if (prev) {
		/* Still runnable (state 0): preempted; else it sleeps: halted. */
		prev->on_cpu = -1;
		set_state(model, prev, sw->prev_state == 0 ? VT_VCPU_PREEMPTED : VT_VCPU_IDLE, ts);
		prev->wait_cpu = cpu;
	}
	if (next) {
		set_state(model, next, VT_VCPU_HYPERVISOR, ts);
		next->on_cpu = cpu;
	}
}

/* A vCPU thread created now: its life starts here, runnable; the time before
 * (UNKNOWN: the thread did not exist) is no part of it. Its wakeup may come
 * before the fork at the same instant, so the state may have moved on. */
static void born(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts, int32_t cpu)
{
	if (v->start_idle) { /* the wakeup was its creation's, not the end of a sleep */
		int ran = 0;
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			ran |= s != VT_VCPU_IDLE && s != VT_VCPU_PREEMPTED && s != VT_VCPU_UNKNOWN && v->totals[s];
		if (!ran) {
			v->totals[VT_VCPU_UNKNOWN] += v->totals[VT_VCPU_IDLE];
			v->totals[VT_VCPU_IDLE] = 0;
			if (v->nintervals && v->intervals[0].state == VT_VCPU_IDLE)
				v->intervals[0].state = VT_VCPU_UNKNOWN;
			if (v->pending.state == VT_VCPU_IDLE)
				v->pending.state = VT_VCPU_UNKNOWN;
		}
		v->start_idle = 0;
	}
	if (v->state == VT_VCPU_UNKNOWN)
		set_state(model, v, VT_VCPU_PREEMPTED, ts);
	else
		account(model, v, ts);
	for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
		if (s != VT_VCPU_PREEMPTED && s != VT_VCPU_UNKNOWN && v->totals[s])
			return; /* it ran before: not its creation (a reused tid) */
	v->forked = 1;
	v->start_ns = ts;
	v->totals[VT_VCPU_UNKNOWN] = 0;
	if (v->nintervals && v->intervals[0].state == VT_VCPU_UNKNOWN)
		memmove(v->intervals, v->intervals + 1, --v->nintervals * sizeof(*v->intervals));
	if (v->pending.state == VT_VCPU_UNKNOWN)
		memset(&v->pending, 0, sizeof(v->pending));
	if (v->wait_cpu < 0)
		v->wait_cpu = cpu;
}

static void on_wakeup(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts, const struct vt_event *ev)
{
	resolve_start(model, v, VT_VCPU_IDLE, -1, NULL);
	if (v->state != VT_VCPU_IDLE && v->state != VT_VCPU_UNKNOWN)
		return;
	set_state(model, v, VT_VCPU_PREEMPTED, ts);
	v->wait_cpu = ev->u.sched_wakeup.target_cpu >= 0 ? ev->u.sched_wakeup.target_cpu : ev->cpu;
	if (vt_pcpu_grow(model, v->wait_cpu))
		model->oom = 1;
}

static void on_kvm_entry(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts, const struct vt_event *ev)
{
	resolve_start(model, v, VT_VCPU_HYPERVISOR, ev->cpu, ev->procname);
	if (v->exit_ts)
		vt_exits_count(model, v, v->reason, ts - v->exit_ts);
	v->exit_ts = 0;
	set_state(model, v, VT_VCPU_GUEST, ts);
}

static void on_kvm_exit(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts, const struct vt_event *ev)
{
	resolve_start(model, v, VT_VCPU_GUEST, ev->cpu, ev->procname);
	/* Out of guest mode since the host's first event: that time is this exit's. */
	if (v->early_exit)
		v->reason = ev->u.kvm_exit.exit_reason;
	set_state(model, v, VT_VCPU_HYPERVISOR, ts);
	v->reason = ev->u.kvm_exit.exit_reason;
	if (!v->early_exit || !v->exit_ts)
		v->exit_ts = ts ? ts : 1;
	v->early_exit = 0;
	if (ev->u.kvm_exit.isa)
		v->isa = ev->u.kvm_exit.isa;
}

/* The guest runs no host code: an interrupt handled on its vCPU thread means
 * the guest left, whatever the trace says yet. */
static void on_host_code(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts, int32_t cpu)
{
	if (v->state != VT_VCPU_GUEST || cpu < 0 || cpu != v->on_cpu)
		return;
	set_state(model, v, VT_VCPU_HYPERVISOR, ts);
	v->early_exit = 1;
	v->exit_ts = ts ? ts : 1;
}

/* Its life ends here; the tid may come back as another thread. */
static void on_thread_exit(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts)
{
	set_state(model, v, v->state, ts); /* accounts everything up to now */
	v->end_ns = ts;
	v->exited = 1;
	v->thread = -1;
}

void vt_vcpu_feed(struct vt_model *model, uint64_t ts, const struct vt_event *ev)
{
	struct vt_vcpu_model *v;
	switch (ev->kind) {
	case VT_SCHED_SWITCH:
		on_switch(model, ts, ev);
		break;
	case VT_SCHED_WAKEUP:
		if ((v = vt_vcpu_of(model, ev->u.sched_wakeup.tid)))
			on_wakeup(model, v, ts, ev);
		break;
	case VT_KVM_ENTRY:
		if ((v = vt_vcpu_of(model, ev->tid)))
			on_kvm_entry(model, v, ts, ev);
		break;
	case VT_KVM_EXIT:
		if ((v = vt_vcpu_of(model, ev->tid)))
			on_kvm_exit(model, v, ts, ev);
		break;
	case VT_IRQ_ENTRY:
	case VT_SOFTIRQ_ENTRY:
	case VT_TIMER_EXPIRE:
		if ((v = vt_vcpu_of(model, ev->tid)))
			on_host_code(model, v, ts, ev->cpu);
		break;
	case VT_KVM_USERSPACE_EXIT:
		if ((v = vt_vcpu_of(model, ev->tid)))
			vt_exits_userspace(v, ev->u.userspace_exit.reason);
		break;
	case VT_PROCESS_FORK:
		if ((v = vt_vcpu_of(model, ev->u.fork.child_tid)) && !v->forked)
			born(model, v, ts, ev->cpu);
		break;
	case VT_PROCESS_EXIT:
		if ((v = vt_vcpu_of(model, ev->u.exit.tid)))
			on_thread_exit(model, v, ts);
		break;
	default:
		break;
	}
}

/* Closes the vCPU's last state: at its guest's last event without a host,
 * else at the host's (or at its thread's exit). */
void vt_vcpu_finish(struct vt_model *model, struct vt_vcpu_model *v)
{
	if (model->host < 0) { /* the guest's own span */
		v->start_ns = model->guest_first[v->guest];
		v->end_ns = model->guest_last[v->guest];
		account(model, v, v->end_ns);
		return;
	}
	if (!v->forked)
		v->start_ns = model->first_ns;
	if (v->exited)
		return; /* accounted up to its exit */
	account(model, v, model->last_ns);
	v->end_ns = model->last_ns;
}

/* What was accounted before ts is forgotten, the states reached are kept: a
 * window's figures start from the states its first instant really had. */
void vt_vcpu_restart(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts)
{
	if (!v->exited)
		account(model, v, ts);
	memset(v->totals, 0, sizeof(v->totals));
	v->nholders = v->nintervals = 0;
	vt_exits_forget(v);
	memset(&v->pending, 0, sizeof(v->pending));
	if (v->exited) /* gone before the window: nothing observed */
		v->start_ns = v->end_ns = ts;
	else if (v->forked && v->start_ns < ts)
		v->start_ns = ts;
}
