/* The vCPU state machine, fed with the host's events in reference time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmtrace/model.h"

const char *vt_thread_state_name(int s)
{
	if (s == VT_THREAD_RUNNABLE)
		return "RUNNABLE";
	if (s == VT_THREAD_SLEEPING)
		return "SLEEPING";
	return vt_vcpu_state_name((enum vt_vcpu_state)s);
}

const char *vt_userspace_exit_label(uint32_t slot, char *buf, size_t size)
{
	/* include/uapi/linux/kvm.h */
	static const char *const names[] = {
		"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN",
		"FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
		"INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
		"SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
		"DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
		"LOONGARCH_IOCSR", "MEMORY_FAULT"};
	if (slot + 1 < VT_USERSPACE_REASONS && slot < sizeof(names) / sizeof(names[0]))
		return names[slot];
	snprintf(buf, size, slot + 1 < VT_USERSPACE_REASONS ? "%u" : "%u+", slot);
	return buf;
}

const char *vt_vcpu_state_name(enum vt_vcpu_state s)
{
	static const char *const names[] = {"UNKNOWN", "IDLE", "GUEST", "HYPERVISOR", "PREEMPTED"};
	return (unsigned)s < VT_VCPU_STATE_COUNT ? names[s] : "?";
}

struct vt_model *vt_model_new(const struct vt_identify *id, const struct vt_machines *m, int host)
{
	struct vt_model *model = calloc(1, sizeof(*model));
	if (!model)
		return NULL;
	model->host = host;
	model->machines = m;
	model->guest_first = calloc(m->count ? m->count : 1, sizeof(*model->guest_first));
	model->guest_last = calloc(m->count ? m->count : 1, sizeof(*model->guest_last));
	model->host_traces = malloc(sizeof(size_t));
	if (!model->host_traces || !model->guest_first || !model->guest_last) {
		vt_model_free(model);
		return NULL;
	}
	if (host < 0)
		return model; /* the guests' own view only: their vCPUs come with their events */
	const struct vt_machine *h = &m->machines[host];
	size_t *ht = realloc(model->host_traces, (h->ntraces ? h->ntraces : 1) * sizeof(size_t));
	if (!ht) {
		vt_model_free(model);
		return NULL;
	}
	model->host_traces = ht;
	memcpy(model->host_traces, h->traces, h->ntraces * sizeof(size_t));
	model->nhost_traces = h->ntraces;
	struct vt_kvm_process *procs;
	size_t nprocs = vt_identify_kvm_processes(id, m, &procs);
	for (size_t i = 0; i < nprocs; i++) {
		if (m->trace_machine[procs[i].host_trace] != (size_t)host)
			continue;
		int guest = procs[i].guest;
		for (size_t v = 0; v < procs[i].nvcpus; v++) {
			struct vt_vcpu_model *vm = realloc(model->vcpus, (model->nvcpus + 1) * sizeof(*vm));
			if (!vm) {
				model->oom = 1;
				break;
			}
			model->vcpus = vm;
			vm = &model->vcpus[model->nvcpus++];
			memset(vm, 0, sizeof(*vm));
			vm->guest = guest;
			vm->qemu_pid = procs[i].pid > 0 ? procs[i].pid : -1;
			vm->vcpu = procs[i].vcpus[v].vcpu;
			vm->tid = procs[i].vcpus[v].tid;
			vm->wait_cpu = -1;
			vm->thread = -1;
			vm->on_cpu = -1;
		}
	}
	vt_kvm_processes_free(procs, nprocs);
	return model;
}

/* The live vCPU whose thread is tid. */
static struct vt_vcpu_model *vcpu_of(struct vt_model *model, int32_t tid)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == tid && !model->vcpus[i].exited)
			return &model->vcpus[i];
	return NULL;
}

static unsigned bucket_of(uint64_t ns)
{
	if (ns < 4)
		return (unsigned)ns;
	unsigned top = 63 - (unsigned)__builtin_clzll(ns);
	unsigned b = top * 4 + (unsigned)((ns >> (top - 2)) & 3);
	return b < VT_EXIT_HIST_BUCKETS ? b : VT_EXIT_HIST_BUCKETS - 1;
}

/* The middle of a bucket's range. */
static uint64_t bucket_value(unsigned b)
{
	if (b < 8) /* 4..7 stay empty: bucket_of skips them */
		return b < 4 ? b : 4;
	unsigned top = b / 4, sub = b % 4;
	uint64_t lo = (1ULL << top) | ((uint64_t)sub << (top - 2));
	return lo + (1ULL << (top - 2)) / 2;
}

uint64_t vt_exit_stats_quantile(const struct vt_exit_stats *e, double q)
{
	if (!e->count)
		return 0;
	uint64_t want = (uint64_t)(q * (double)(e->count - 1)) + 1, seen = 0;
	for (unsigned b = 0; b < VT_EXIT_HIST_BUCKETS; b++) {
		seen += e->hist[b];
		if (seen >= want) {
			uint64_t v = bucket_value(b);
			return v > e->max_ns ? e->max_ns : v;
		}
	}
	return e->max_ns;
}

static void add_exit(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns)
{
	struct vt_exit_stats *e = NULL;
	for (size_t i = 0; i < v->nexits && !e; i++)
		if (v->exits[i].reason == reason)
			e = &v->exits[i];
	if (!e) {
		struct vt_exit_stats *x = realloc(v->exits, (v->nexits + 1) * sizeof(*x));
		if (!x) {
			model->oom = 1;
			return;
		}
		v->exits = x;
		e = &v->exits[v->nexits++];
		memset(e, 0, sizeof(*e));
		e->reason = reason;
	}
	e->count++;
	e->total_ns += ns;
	if (ns > e->max_ns)
		e->max_ns = ns;
	e->hist[bucket_of(ns)]++;
}

static void add_reason(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns)
{
	for (size_t i = 0; i < v->nreasons; i++)
		if (v->by_reason[i].reason == reason) {
			v->by_reason[i].ns += ns;
			return;
		}
	struct vt_reason_time *r = realloc(v->by_reason, (v->nreasons + 1) * sizeof(*r));
	if (!r) {
		model->oom = 1;
		return;
	}
	v->by_reason = r;
	v->by_reason[v->nreasons++] = (struct vt_reason_time){reason, ns};
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

/* The pCPU's time since its last change, to whoever held it. */
static void account_cpu(struct vt_model *model, int32_t cpu, uint64_t ts)
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
	struct vt_vcpu_model *v = tid > 0 ? vcpu_of(model, tid) : NULL;
	int guest = v ? v->guest : -1, mode = v ? v->state == VT_VCPU_GUEST : 0;
	if (model->sink.cpu) {
		struct vt_cpu_interval *p = &c->pending;
		if (p->end > p->start && p->end == since && p->tid == tid && p->guest_mode == mode) {
			p->end = ts;
		} else {
			if (p->end > p->start)
				model->sink.cpu(model->sink.ctx, model, (size_t)cpu, p);
			*p = (struct vt_cpu_interval){since, ts, tid, guest, mode};
		}
	}
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
	sh->guest = v ? guest : -1;
	sh->guest_mode = mode;
	snprintf(sh->comm, sizeof(sh->comm), "%s", tid ? model->cpu_comm[cpu] : "swapper");
	sh->ns = ns;
}

static void record(struct vt_model *model, struct vt_vcpu_model *v, uint64_t end, int64_t detail)
{
	if (v->nintervals) { /* the same state and detail go on: extend it */
		struct vt_vcpu_interval *last = &v->intervals[v->nintervals - 1];
		if (last->end == v->since && last->state == v->state && last->detail == detail) {
			last->end = end;
			return;
		}
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

/* Passes the vCPU's stretch [v->since, end) on to the sink, joined with the
 * one before when it goes on in the same state. */
static void sink_vcpu(struct vt_model *model, struct vt_vcpu_model *v, uint64_t end, int64_t detail)
{
	struct vt_vcpu_interval *p = &v->pending;
	if (p->end > p->start && p->end == v->since && p->state == v->state && p->detail == detail) {
		p->end = end;
		return;
	}
	if (p->end > p->start)
		model->sink.vcpu(model->sink.ctx, model, (size_t)(v - model->vcpus), p);
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
		add_reason(model, v, v->reason, ns);
	else if (v->state == VT_VCPU_PREEMPTED) {
		int c = v->wait_cpu;
		int ok = c >= 0 && (size_t)c < model->ncpus;
		add_holder(model, v, ok ? model->cpu_tid[c] : -1, ok ? model->cpu_comm[c] : "unknown", ns);
	}
	v->since = ts;
}

static void sink_thread(struct vt_model *model, struct vt_thread_model *t, uint64_t start, uint64_t end, int state)
{
	struct vt_thread_interval *p = &t->pending;
	if (p->end > p->start && p->end == start && p->state == state && p->vcpu == t->vcpu) {
		p->end = end;
		return;
	}
	if (p->end > p->start)
		model->sink.thread(model->sink.ctx, model, (size_t)(t - model->threads), p);
	*p = (struct vt_thread_interval){start, end, state, t->vcpu};
}

/* A guest thread's time since its last change, in the state it mirrors. */
static void account_thread(struct vt_model *model, struct vt_thread_model *t, uint64_t ts)
{
	if (ts < t->since)
		ts = t->since;
	int state = t->vcpu >= 0 ? (int)model->vcpus[t->vcpu].state : t->mode;
	t->totals[state] += ts - t->since;
	if (model->sink.thread && ts > t->since)
		sink_thread(model, t, t->since, ts, state);
	t->since = ts;
}

static void set_state(struct vt_model *model, struct vt_vcpu_model *v, enum vt_vcpu_state s, uint64_t ts)
{
	if (v->on_cpu >= 0)
		account_cpu(model, v->on_cpu, ts);
	if (v->thread >= 0)
		account_thread(model, &model->threads[v->thread], ts);
	account(model, v, ts);
	v->state = s;
}

static int grow_cpus(struct vt_model *model, int32_t cpu)
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

/* The guest thread (guest, tid), created on first sight: the time before it
 * is charged to what its first event says it was doing. */
static struct vt_thread_model *thread_of(struct vt_model *model, int guest, int32_t tid, const char *comm,
					 uint64_t ts, int before)
{
	for (size_t i = 0; i < model->nthreads; i++)
		if (model->threads[i].guest == guest && model->threads[i].tid == tid) {
			if (!model->threads[i].comm[0] && comm)
				snprintf(model->threads[i].comm, sizeof(model->threads[i].comm), "%s", comm);
			return &model->threads[i];
		}
	struct vt_thread_model *t = realloc(model->threads, (model->nthreads + 1) * sizeof(*t));
	if (!t) {
		model->oom = 1;
		return NULL;
	}
	model->threads = t;
	t = &model->threads[model->nthreads++];
	memset(t, 0, sizeof(*t));
	t->guest = guest;
	t->tid = tid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
	t->vcpu = -1;
	t->start_ns = model->guest_first[guest];
	t->since = t->start_ns;
	t->totals[before] += ts > t->start_ns ? ts - t->start_ns : 0;
	if (model->sink.thread && ts > t->start_ns)
		sink_thread(model, t, t->start_ns, ts, before);
	t->since = ts > t->start_ns ? ts : t->start_ns;
	t->mode = VT_THREAD_SLEEPING;
	return t;
}

static struct vt_vcpu_model *vcpu_of_guest(struct vt_model *model, int guest, int32_t cpu)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].guest == guest && (int32_t)model->vcpus[i].vcpu == cpu)
			return &model->vcpus[i];
	return NULL;
}

/* Without a host, a guest's vCPU as its trace's CPU: no thread, no QEMU, its
 * state UNKNOWN throughout (only the host's trace could tell). */
static struct vt_vcpu_model *hostless_vcpu(struct vt_model *model, int guest, int32_t cpu, uint64_t ts)
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
	v->qemu_pid = -1;
	v->vcpu = (uint32_t)cpu;
	v->tid = -1;
	v->wait_cpu = -1;
	v->thread = -1;
	v->on_cpu = -1;
	v->since = model->guest_first[guest] ? model->guest_first[guest] : ts;
	return v;
}

static void on_guest_event(struct vt_model *model, int guest, uint64_t ts, const struct vt_event *ev)
{
	if (!model->guest_first[guest])
		model->guest_first[guest] = ts;
	if (ts > model->guest_last[guest])
		model->guest_last[guest] = ts;
	struct vt_vcpu_model *on = ev->cpu >= 0 ? vcpu_of_guest(model, guest, ev->cpu) : NULL;
	if (!on && ev->cpu >= 0 && model->host < 0)
		on = hostless_vcpu(model, guest, ev->cpu, ts);
	if (on && !on->guest_seen) {
		/* The first event on this vCPU ran in its current thread's context:
		 * that thread has been current since before (no switch seen yet). */
		on->guest_seen = 1;
		if (ev->tid > 0 && ev->kind != VT_SCHED_SWITCH) {
			struct vt_thread_model *t = thread_of(model, guest, ev->tid, ev->procname, ts, VT_VCPU_GUEST);
			if (t && t->vcpu < 0) {
				account_thread(model, t, ts);
				t->vcpu = (int)(on - model->vcpus);
				on->thread = (int)(t - model->threads);
			}
		}
	}
	if (ev->kind == VT_SCHED_WAKEUP) {
		if (ev->u.sched_wakeup.tid <= 0)
			return;
		struct vt_thread_model *t = thread_of(model, guest, ev->u.sched_wakeup.tid, ev->u.sched_wakeup.comm, ts,
						      VT_THREAD_SLEEPING);
		if (t && t->vcpu < 0 && t->mode == VT_THREAD_SLEEPING) {
			account_thread(model, t, ts);
			t->mode = VT_THREAD_RUNNABLE;
		}
		return;
	}
	if (ev->kind != VT_SCHED_SWITCH)
		return;
	struct vt_vcpu_model *v = vcpu_of_guest(model, guest, ev->cpu);
	if (!v)
		return;
	int vi = (int)(v - model->vcpus);
	const struct vt_sched_switch *sw = &ev->u.sched_switch;
	if (sw->prev_tid > 0) {
		struct vt_thread_model *p = thread_of(model, guest, sw->prev_tid, sw->prev_comm, ts, VT_VCPU_GUEST);
		if (p) {
			if (p->vcpu < 0) { /* first seen, or missed its switch in: it ran here */
				p->vcpu = vi;
			}
			account_thread(model, p, ts);
			p->vcpu = -1;
			p->mode = sw->prev_state == 0 ? VT_THREAD_RUNNABLE : VT_THREAD_SLEEPING;
		}
	}
	v->thread = -1;
	if (sw->next_tid > 0) {
		struct vt_thread_model *n = thread_of(model, guest, sw->next_tid, sw->next_comm, ts, VT_THREAD_RUNNABLE);
		if (n) {
			account_thread(model, n, ts);
			n->vcpu = vi;
			v->thread = (int)(n - model->threads);
		}
	}
}

static int is_host_trace(const struct vt_model *model, size_t trace)
{
	for (size_t i = 0; i < model->nhost_traces; i++)
		if (model->host_traces[i] == trace)
			return 1;
	return 0;
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
		model->cpu_tid[cpu] = v->tid;
		snprintf(model->cpu_comm[cpu], sizeof(model->cpu_comm[0]), "%s", comm ? comm : "");
		v->on_cpu = cpu;
	}
}

static void on_switch(struct vt_model *model, uint64_t ts, const struct vt_event *ev)
{
	const struct vt_sched_switch *sw = &ev->u.sched_switch;
	int32_t cpu = ev->cpu;
	struct vt_vcpu_model *prev = vcpu_of(model, sw->prev_tid), *next = vcpu_of(model, sw->next_tid);
	if (prev)
		resolve_start(model, prev, VT_VCPU_HYPERVISOR, cpu, sw->prev_comm);
	if (next)
		resolve_start(model, next, VT_VCPU_PREEMPTED, cpu, NULL);
	if (cpu >= 0) {
		account_cpu(model, cpu, ts);
		model->cpus[cpu].switched = 1;
		/* Whoever waits for this pCPU waited on the old holder until now. */
		for (size_t i = 0; i < model->nvcpus; i++)
			if (model->vcpus[i].state == VT_VCPU_PREEMPTED && model->vcpus[i].wait_cpu == cpu)
				account(model, &model->vcpus[i], ts);
		model->cpu_tid[cpu] = sw->next_tid;
		snprintf(model->cpu_comm[cpu], sizeof(model->cpu_comm[0]), "%s", sw->next_comm ? sw->next_comm : "");
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

void vt_model_feed(struct vt_model *model, size_t trace, uint64_t ts, const struct vt_event *ev)
{
	if (!is_host_trace(model, trace)) {
		size_t g = trace < model->machines->ntraces ? model->machines->trace_machine[trace] : (size_t)-1;
		if (g >= model->machines->count)
			return;
		const struct vt_machine *mm = &model->machines->machines[g];
		if (model->host < 0 ? mm->role != VT_ROLE_HOST : mm->role == VT_ROLE_GUEST && mm->host == model->host) {
			if (model->host < 0) { /* the span observed is the guests' */
				if (!model->first_ns || ts < model->first_ns)
					model->first_ns = ts;
				if (ts > model->last_ns)
					model->last_ns = ts;
			}
			on_guest_event(model, (int)g, ts, ev);
		}
		return;
	}
	if (!model->first_ns || ts < model->first_ns) {
		if (!model->first_ns)
			for (size_t i = 0; i < model->nvcpus; i++)
				model->vcpus[i].since = ts; /* UNKNOWN from the first event on */
		model->first_ns = ts;
	}
	if (ts > model->last_ns)
		model->last_ns = ts;
	if (grow_cpus(model, ev->cpu)) {
		model->oom = 1;
		return;
	}
	struct vt_vcpu_model *v;
	switch (ev->kind) {
	case VT_SCHED_SWITCH:
		on_switch(model, ts, ev);
		break;
	case VT_SCHED_WAKEUP:
		v = vcpu_of(model, ev->u.sched_wakeup.tid);
		if (v)
			resolve_start(model, v, VT_VCPU_IDLE, -1, NULL);
		if (v && (v->state == VT_VCPU_IDLE || v->state == VT_VCPU_UNKNOWN)) {
			set_state(model, v, VT_VCPU_PREEMPTED, ts);
			v->wait_cpu = ev->u.sched_wakeup.target_cpu >= 0 ? ev->u.sched_wakeup.target_cpu : ev->cpu;
			if (grow_cpus(model, v->wait_cpu))
				model->oom = 1;
		}
		break;
	case VT_KVM_ENTRY:
		if ((v = vcpu_of(model, ev->tid))) {
			resolve_start(model, v, VT_VCPU_HYPERVISOR, ev->cpu, ev->procname);
			if (v->exit_ts)
				add_exit(model, v, v->reason, ts - v->exit_ts);
			v->exit_ts = 0;
			set_state(model, v, VT_VCPU_GUEST, ts);
		}
		break;
	case VT_KVM_EXIT:
		if ((v = vcpu_of(model, ev->tid))) {
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
		break;
	case VT_IRQ_ENTRY:
	case VT_SOFTIRQ_ENTRY:
	case VT_TIMER_EXPIRE:
		/* The guest runs no host code: an interrupt handled on its vCPU
		 * thread means the guest left, whatever the trace says yet. */
		if ((v = vcpu_of(model, ev->tid)) && v->state == VT_VCPU_GUEST && ev->cpu >= 0 && ev->cpu == v->on_cpu) {
			set_state(model, v, VT_VCPU_HYPERVISOR, ts);
			v->early_exit = 1;
			v->exit_ts = ts ? ts : 1;
		}
		break;
	case VT_KVM_USERSPACE_EXIT:
		if ((v = vcpu_of(model, ev->tid))) {
			uint32_t r = ev->u.userspace_exit.reason;
			v->userspace_exits++;
			v->userspace_by_reason[r < VT_USERSPACE_REASONS ? r : VT_USERSPACE_REASONS - 1]++;
		}
		break;
	case VT_PROCESS_FORK:
		if ((v = vcpu_of(model, ev->u.fork.child_tid)) && !v->forked)
			born(model, v, ts, ev->cpu);
		break;
	case VT_PROCESS_EXIT:
		/* Its life ends here; the tid may come back as another thread. */
		if ((v = vcpu_of(model, ev->u.exit.tid))) {
			set_state(model, v, v->state, ts); /* accounts everything up to now */
			v->end_ns = ts;
			v->exited = 1;
			v->thread = -1;
		}
		break;
	default:
		break;
	}
}

void vt_model_finish(struct vt_model *model)
{
	for (size_t c = 0; c < model->ncpus; c++)
		account_cpu(model, (int32_t)c, model->last_ns);
	for (size_t i = 0; i < model->nvcpus; i++) {
		struct vt_vcpu_model *v = &model->vcpus[i];
		if (model->host < 0) { /* the guest's own span */
			v->start_ns = model->guest_first[v->guest];
			v->end_ns = model->guest_last[v->guest];
			account(model, v, v->end_ns);
			continue;
		}
		if (!v->forked)
			v->start_ns = model->first_ns;
		if (v->exited)
			continue; /* accounted up to its exit */
		account(model, v, model->last_ns);
		v->end_ns = model->last_ns;
	}
	/* A guest's threads live as long as its vCPUs (its own trace may stop
	 * earlier); with no vCPU known, up to its last event. */
	for (size_t i = 0; i < model->nthreads; i++) {
		struct vt_thread_model *t = &model->threads[i];
		uint64_t end = 0;
		for (size_t k = 0; k < model->nvcpus; k++)
			if (model->vcpus[k].guest == t->guest && model->vcpus[k].end_ns > end)
				end = model->vcpus[k].end_ns;
		if (!end)
			end = model->guest_last[t->guest];
		account_thread(model, t, end > t->since ? end : t->since);
	}
	/* The intervals still open go to the sink. */
	for (size_t c = 0; c < model->ncpus && model->sink.cpu; c++)
		if (model->cpus[c].pending.end > model->cpus[c].pending.start)
			model->sink.cpu(model->sink.ctx, model, c, &model->cpus[c].pending);
	for (size_t i = 0; i < model->nthreads && model->sink.thread; i++)
		if (model->threads[i].pending.end > model->threads[i].pending.start)
			model->sink.thread(model->sink.ctx, model, i, &model->threads[i].pending);
	for (size_t i = 0; i < model->nvcpus && model->sink.vcpu; i++)
		if (model->vcpus[i].pending.end > model->vcpus[i].pending.start)
			model->sink.vcpu(model->sink.ctx, model, i, &model->vcpus[i].pending);
}

/* What was accounted before ts is forgotten, the states reached are kept: a
 * window's figures start from the states its first instant really had. */
static void restart_vcpu(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts)
{
	if (!v->exited)
		account(model, v, ts);
	memset(v->totals, 0, sizeof(v->totals));
	v->nreasons = v->nholders = v->nexits = v->nintervals = 0;
	v->userspace_exits = 0;
	memset(v->userspace_by_reason, 0, sizeof(v->userspace_by_reason));
	memset(&v->pending, 0, sizeof(v->pending));
	if (v->exited) /* gone before the window: nothing observed */
		v->start_ns = v->end_ns = ts;
	else if (v->forked && v->start_ns < ts)
		v->start_ns = ts;
}

void vt_model_restart(struct vt_model *model, uint64_t ts)
{
	for (size_t c = 0; c < model->ncpus; c++) {
		account_cpu(model, (int32_t)c, ts);
		model->cpus[c].nshares = 0;
		memset(&model->cpus[c].pending, 0, sizeof(model->cpus[c].pending));
	}
	for (size_t i = 0; i < model->nvcpus; i++)
		restart_vcpu(model, &model->vcpus[i], ts);
	for (size_t i = 0; i < model->nthreads; i++) {
		struct vt_thread_model *t = &model->threads[i];
		account_thread(model, t, ts);
		memset(t->totals, 0, sizeof(t->totals));
		memset(&t->pending, 0, sizeof(t->pending));
		if (t->start_ns < ts)
			t->start_ns = ts;
	}
	for (size_t g = 0; g < model->machines->count; g++)
		if (model->guest_first[g] && model->guest_first[g] < ts)
			model->guest_first[g] = ts;
	if (model->first_ns && model->first_ns < ts)
		model->first_ns = ts;
}

void vt_model_finish_at(struct vt_model *model, uint64_t ts)
{
	if (model->first_ns) /* the states reached go on up to the window's end */
		model->last_ns = ts;
	for (size_t g = 0; g < model->machines->count; g++)
		if (model->guest_last[g] > ts)
			model->guest_last[g] = ts;
	vt_model_finish(model);
}

void vt_model_free(struct vt_model *model)
{
	if (!model)
		return;
	for (size_t i = 0; i < model->nvcpus; i++) {
		free(model->vcpus[i].by_reason);
		free(model->vcpus[i].by_holder);
		free(model->vcpus[i].exits);
		free(model->vcpus[i].intervals);
	}
	free(model->vcpus);
	free(model->threads);
	free(model->guest_first);
	free(model->guest_last);
	free(model->host_traces);
	for (size_t c = 0; c < model->ncpus; c++)
		free(model->cpus[c].shares);
	free(model->cpus);
	free(model->cpu_tid);
	free(model->cpu_comm);
	free(model);
}
