/* Our figures against the kernel's books (issue 21). record.json holds, per
 * recorded guest and vCPU thread, schedstat, guest_time and KVM's counters
 * read right after tracing started and right before it stopped; their
 * differences cover [t0, t1] of CLOCK_MONOTONIC, a span inside the trace. We
 * clip every vCPU interval of the model to that span and count the host's
 * kvm_exit events in it, so both sides describe the same nanoseconds. */
#include "kacct_check.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "common/text.h"
#include "record_file.h"
#include "shown.h"
#include "vmtrace/analyses.h"
#include "vmtrace/report.h"

/* KVM_EXIT_* codes of the userspace exits KVM counts per kind (uapi/linux/kvm.h). */
static const char *const vm_counter[4] = {"exits", "io_exits", "mmio_exits", "signal_exits"};
static const uint32_t vm_userspace[4] = {0, 2 /* KVM_EXIT_IO */, 6 /* KVM_EXIT_MMIO */, 10 /* KVM_EXIT_INTR */};

/* A difference of two reads of one counter: unknown (0) when either read is
 * missing, negative, or the counter went back (another thread, a reset). */
static int delta(json_t *a, json_t *b, uint64_t *d)
{
	if (!json_is_integer(a) || !json_is_integer(b))
		return 0;
	json_int_t x = json_integer_value(a), y = json_integer_value(b);
	if (x < 0 || y < x)
		return 0;
	*d = (uint64_t)(y - x);
	return 1;
}

static int grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, (n + 1) * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

int vt_kacct_load(struct vt_kacct *k, const char *dir)
{
	json_t *doc = vt_record_file_load(dir);
	int added = 0;
	size_t i, j;
	json_t *g, *v;
	if (!doc)
		return 0;
	const char *clock = json_string_value(json_object_get(json_object_get(doc, "host"), "clock"));
	/* LTTng's "monotonic", ftrace's "mono": the counters' times are CLOCK_MONOTONIC. */
	k->clock_ok = clock && (!strcmp(clock, "monotonic") || !strcmp(clock, "mono"));
	if (!k->clock_ok)
		snprintf(k->clock_note, sizeof(k->clock_note), "the host's trace clock is %s, not CLOCK_MONOTONIC: "
			 "the counters' span cannot be placed in the trace", clock ? vt_shown(clock) : "unknown");
	const char *tick = json_string_value(json_object_get(json_object_get(doc, "host"), "tick_function"));
	char *end;
	if (tick && !strncmp(tick, "0x", 2)) {
		unsigned long long fn = strtoull(tick + 2, &end, 16);
		if (end != tick + 2 && !*end)
			k->tick_function = (uint64_t)fn;
	}
	json_int_t lost = json_integer_value(json_object_get(json_object_get(doc, "host"), "lost_events"));
	if (lost > 0 && (uint64_t)lost > k->lost)
		k->lost = (uint64_t)lost;
	json_array_foreach(json_object_get(doc, "guests"), i, g) {
		json_t *ka = json_object_get(g, "kernel_accounting");
		json_int_t pid = json_integer_value(json_object_get(g, "pid"));
		if (!json_is_object(ka) || pid <= 0)
			continue;
		json_int_t tck = json_integer_value(json_object_get(ka, "clk_tck"));
		json_t *vm = json_object_get(ka, "vm");
		json_int_t v0 = json_integer_value(json_object_get(vm, "start_mono_ns"));
		json_int_t v1 = json_integer_value(json_object_get(vm, "end_mono_ns"));
		if (v0 > 0 && v1 > v0) {
			if (grow((void **)&k->vms, k->nvms, sizeof(*k->vms)) < 0)
				goto oom;
			struct vt_kacct_vm *m = &k->vms[k->nvms++];
			memset(m, 0, sizeof(*m));
			m->pid = pid;
			m->r0 = (uint64_t)v0; /* monotonic until vt_kacct_sink places it */
			m->r1 = (uint64_t)v1;
			for (int c = 0; c < 4; c++)
				m->has[c] = delta(json_object_get(json_object_get(vm, "start"), vm_counter[c]),
						  json_object_get(json_object_get(vm, "end"), vm_counter[c]), &m->k[c]);
		}
		json_array_foreach(json_object_get(ka, "vcpus"), j, v) {
			json_t *s = json_object_get(v, "start"), *e = json_object_get(v, "end");
			json_int_t tid = json_integer_value(json_object_get(v, "tid"));
			json_int_t vc = json_integer_value(json_object_get(v, "vcpu"));
			json_int_t t0 = json_integer_value(json_object_get(s, "mono_ns"));
			json_int_t t1 = json_integer_value(json_object_get(e, "mono_ns"));
			if (tid <= 0 || tid > INT32_MAX || vc < 0 || vc > UINT32_MAX || t0 <= 0 || t1 <= t0)
				continue;
			if (grow((void **)&k->rows, k->nrows, sizeof(*k->rows)) < 0)
				goto oom;
			struct vt_kacct_row *r = &k->rows[k->nrows++];
			memset(r, 0, sizeof(*r));
			r->pid = pid;
			r->vcpu = (uint32_t)vc;
			r->tid = (int32_t)tid;
			r->t0 = t0;
			r->t1 = t1;
			r->clk_tck = tck > 0 && tck <= 1000000 ? (long)tck : 0;
			uint64_t w = 0;
			r->has_sched = delta(json_object_get(s, "run_ns"), json_object_get(e, "run_ns"), &r->k_run) &&
				       delta(json_object_get(s, "wait_ns"), json_object_get(e, "wait_ns"), &w);
			r->k_wait = w;
			r->has_gt = r->clk_tck && delta(json_object_get(s, "guest_time_ticks"),
							json_object_get(e, "guest_time_ticks"), &r->k_guest_ticks);
			r->has_exits = delta(json_object_get(json_object_get(s, "kvm"), "exits"),
					     json_object_get(json_object_get(e, "kvm"), "exits"), &r->k_exits);
			added++;
		}
	}
	json_decref(doc);
	return added;
oom:
	json_decref(doc);
	return -1;
}

static void sink_vcpu(void *ctx, const struct vt_model *model, size_t vcpu, const struct vt_vcpu_interval *iv)
{
	struct vt_kacct *k = ctx;
	int32_t tid = model->vcpus[vcpu].tid;
	for (size_t i = 0; i < k->nrows; i++) {
		struct vt_kacct_row *r = &k->rows[i];
		if (r->tid != tid)
			continue;
		uint64_t a = iv->start > r->r0 ? iv->start : r->r0, b = iv->end < r->r1 ? iv->end : r->r1;
		if (b > a && iv->state < VT_VCPU_STATE_COUNT)
			r->ours[iv->state] += b - a;
	}
	if (k->next.vcpu)
		k->next.vcpu(k->next.ctx, model, vcpu, iv);
}

static void sink_thread(void *ctx, const struct vt_model *model, size_t t, const struct vt_thread_interval *iv)
{
	struct vt_kacct *k = ctx;
	if (k->next.thread)
		k->next.thread(k->next.ctx, model, t, iv);
}

static void sink_cpu(void *ctx, const struct vt_model *model, size_t c, const struct vt_cpu_interval *iv)
{
	struct vt_kacct *k = ctx;
	if (k->next.cpu)
		k->next.cpu(k->next.ctx, model, c, iv);
}

struct vt_model_sink vt_kacct_sink(struct vt_kacct *k, const struct vt_analysis *a, const struct vt_model_sink *next)
{
	k->next = next ? *next : (struct vt_model_sink){0};
	/* The host trace's timestamps are its clock plus the offset its metadata
	 * gives (LTTng: to the epoch); ftrace's mono clock carries none. */
	int64_t off = 0;
	int found = 0;
	uint64_t discarded = 0;
	for (size_t t = 0; t < a->in.ntraces && a->host >= 0; t++) {
		if (a->m->trace_machine[t] != (size_t)a->host)
			continue;
		const struct vt_clock_info *c = &a->in.traces[t]->clock;
		if (!found) {
			off = c->offset_s * 1000000000LL;
			if (c->freq)
				off += (int64_t)((double)c->offset_cycles * 1e9 / (double)c->freq);
			found = 1;
		}
		discarded += a->in.traces[t]->discarded_events;
	}
	/* record.json's count and the traces' own are the same losses seen twice. */
	if (discarded > k->lost)
		k->lost = discarded;
	if (a->host < 0 && (k->clock_ok || k->nbooks)) {
		k->clock_ok = 0;
		snprintf(k->clock_note, sizeof(k->clock_note), "no host trace: nothing to compare");
	}
	if (!k->clock_ok) /* record.json's reads cannot be placed: the trace's own books may still be */
		k->nrows = k->nvms = 0;
	k->offset_ns = off;
	/* Unsigned: a hostile time wraps instead of overflowing; a span that
	 * wrapped is then empty (nothing clipped into it). */
	for (size_t i = 0; i < k->nrows; i++) {
		struct vt_kacct_row *r = &k->rows[i];
		r->r0 = (uint64_t)r->t0 + (uint64_t)off;
		r->r1 = (uint64_t)r->t1 + (uint64_t)off;
		if (r->r1 < r->r0)
			r->r0 = r->r1 = 0;
	}
	for (size_t i = 0; i < k->nvms; i++) {
		k->vms[i].r0 += (uint64_t)off;
		k->vms[i].r1 += (uint64_t)off;
		if (k->vms[i].r1 < k->vms[i].r0)
			k->vms[i].r0 = k->vms[i].r1 = 0;
	}
	if (vt_kacct_books_rows(k, a) < 0)
		fprintf(stderr, "vmtrace: out of memory: the agent's kernel books are not compared\n");
	return (struct vt_model_sink){sink_vcpu, sink_thread, sink_cpu, k};
}

/* The HZ a kernel may have (100, 250, 300, 1000) as tick periods. */
static const uint64_t hz_period_ns[4] = {10000000, 4000000, 3333333, 1000000};

static int in_guest(const struct vt_kacct_row *r)
{
	return r->moment == VT_KACCT_IN_GUEST || r->moment == VT_KACCT_IN_GUEST_HOST_SEEN;
}

/* Per-CPU state for host CPU cpu (< 4096): 0, or -1 when out of memory. */
static int grow_cpus(struct vt_kacct *k, size_t cpu)
{
	if (cpu < k->ncpus)
		return 0;
	uint64_t *p = realloc(k->last_tick, (cpu + 1) * sizeof(*p));
	if (!p)
		return -1;
	k->last_tick = p;
	uint8_t *q = realloc(k->in_softirq, cpu + 1);
	if (!q)
		return -1;
	k->in_softirq = q;
	uint8_t *depth = realloc(k->irq_depth, cpu + 1);
	if (!depth)
		return -1;
	k->irq_depth = depth;
	uint64_t *since = realloc(k->irq_since, (cpu + 1) * sizeof(*since));
	if (!since)
		return -1;
	k->irq_since = since;
	int32_t *cur = realloc(k->cur_tid, (cpu + 1) * sizeof(*cur));
	if (!cur)
		return -1;
	k->cur_tid = cur;
	memset(p + k->ncpus, 0, (cpu + 1 - k->ncpus) * sizeof(*p));
	memset(q + k->ncpus, 0, cpu + 1 - k->ncpus);
	memset(depth + k->ncpus, 0, cpu + 1 - k->ncpus);
	memset(since + k->ncpus, 0, (cpu + 1 - k->ncpus) * sizeof(*since));
	for (size_t c = k->ncpus; c <= cpu; c++)
		cur[c] = -1;
	k->ncpus = cpu + 1;
	return 0;
}

/* A tick of the host: counted on the thread it interrupted, and its
 * distance to the CPU's previous tick votes for a tick period. */
static void tick_event(struct vt_kacct *k, uint64_t ref, const struct vt_event *ev)
{
	k->ticks++;
	int softirq = 0;
	if (ev->cpu >= 0 && ev->cpu < 4096) {
		size_t cpu = (size_t)ev->cpu;
		if (grow_cpus(k, cpu) == 0) {
			softirq = k->in_softirq[cpu];
			uint64_t d = k->last_tick[cpu] && ref > k->last_tick[cpu] ? ref - k->last_tick[cpu] : 0;
			for (int i = 0; i < 4 && d; i++)
				if (d > hz_period_ns[i] - hz_period_ns[i] / 50 && d < hz_period_ns[i] + hz_period_ns[i] / 50)
					k->period_votes[i]++;
			k->last_tick[cpu] = ref;
		}
	}
	for (size_t i = 0; i < k->nrows; i++) {
		struct vt_kacct_row *r = &k->rows[i];
		if (r->tid != ev->tid || ref < r->r0 || ref > r->r1)
			continue;
		r->thread_ticks++;
		/* A tick that interrupts a softirq is system time, guest accounting or not. */
		if (softirq) {
			r->moment = in_guest(r) ? VT_KACCT_IN_GUEST_HOST_SEEN : VT_KACCT_NO_EXIT;
			continue;
		}
		/* Where the kernel traces kvm_exit decides where the tick shows.
		 * Before the interrupts left pending at the exit (VMX, later SVM), the
		 * tick follows the exit: an interrupt exit is the tick's own; after
		 * another exit only a tick pending at it counts. After them (SVM on
		 * Linux 6.1: in the exit handler), the tick lies between the entry and
		 * the exit. KVM takes the interrupts pending at the exit while still in
		 * guest accounting, and the ones after once it has left it: only the
		 * first host code after the entry, before an interrupt's exit, is
		 * surely the former; any other tick there may be either (the upper
		 * bound counts it). */
		if (in_guest(r)) {
			r->pending_first += r->moment == VT_KACCT_IN_GUEST;
			r->pending_ticks++;
			r->moment = VT_KACCT_IN_GUEST_HOST_SEEN;
			continue;
		}
		int sure = r->moment == VT_KACCT_AFTER_INTERRUPT_EXIT ||
			   (r->moment == VT_KACCT_AFTER_EXIT && ref - r->exit_ref <= VT_KACCT_IRQ_WINDOW_NS);
		r->guest_ticks += sure;
		r->guest_ticks_max += sure;
		r->moment = VT_KACCT_NO_EXIT;
	}
}

/* One event of row r's thread (not a tick): what moment it leaves, the exits. */
static void row_event(struct vt_kacct_row *r, uint64_t ref, const struct vt_event *ev)
{
	switch (ev->kind) {
	case VT_SCHED_SWITCH: /* anything else the thread does ends the moment after its exit */
		r->moment = VT_KACCT_NO_EXIT;
		break;
	case VT_KVM_ENTRY:
		r->moment = VT_KACCT_IN_GUEST;
		r->pending_ticks = r->pending_first = 0; /* no exit seen for them */
		break;
	case VT_KVM_EXIT:
		if (ref >= r->r0 && ref <= r->r1)
			r->our_exits++;
		r->moment = vt_exit_is_interrupt(ev->u.kvm_exit.isa, ev->u.kvm_exit.exit_reason)
				    ? VT_KACCT_AFTER_INTERRUPT_EXIT
				    : VT_KACCT_AFTER_EXIT;
		r->exit_ref = ref;
		r->guest_ticks += r->moment == VT_KACCT_AFTER_INTERRUPT_EXIT ? r->pending_first : 0;
		r->guest_ticks_max += r->pending_ticks;
		r->pending_ticks = r->pending_first = 0;
		break;
	case VT_KVM_USERSPACE_EXIT:
		r->moment = VT_KACCT_NO_EXIT;
		break;
	default: /* host code between entry and exit: an interrupt the exit came with, or a later one */
		if (r->moment == VT_KACCT_IN_GUEST)
			r->moment = VT_KACCT_IN_GUEST_HOST_SEEN;
		break;
	}
}

/* Interrupt time on a CPU, charged to the rows of the thread it interrupted. */
static void irq_event(struct vt_kacct *k, uint64_t ref, const struct vt_event *ev)
{
	size_t cpu = (size_t)ev->cpu;
	int entry = ev->kind == VT_IRQ_ENTRY || ev->kind == VT_SOFTIRQ_ENTRY;
	if (entry) {
		if (k->irq_depth[cpu] == 0)
			k->irq_since[cpu] = ref;
		if (k->irq_depth[cpu] < UINT8_MAX)
			k->irq_depth[cpu]++;
		return;
	}
	if (k->irq_depth[cpu] == 0 || --k->irq_depth[cpu] > 0)
		return; /* an exit without its entry (the trace began inside), or a nested one */
	int32_t tid = k->cur_tid[cpu] >= 0 ? k->cur_tid[cpu] : ev->tid;
	for (size_t i = 0; i < k->nrows && tid > 0; i++) {
		struct vt_kacct_row *r = &k->rows[i];
		if (r->tid != tid)
			continue;
		uint64_t a = k->irq_since[cpu] > r->r0 ? k->irq_since[cpu] : r->r0, b = ref < r->r1 ? ref : r->r1;
		r->irq_ns += b > a ? b - a : 0;
	}
}

void vt_kacct_event(struct vt_kacct *k, uint64_t ref, const struct vt_event *ev)
{
	if (ev->kind == VT_TIMER_EXPIRE && k->tick_function && ev->u.timer.function == k->tick_function) {
		tick_event(k, ref, ev);
		return;
	}
	int on_cpu = ev->cpu >= 0 && ev->cpu < 4096 && grow_cpus(k, (size_t)ev->cpu) == 0;
	if ((ev->kind == VT_SOFTIRQ_ENTRY || ev->kind == VT_SOFTIRQ_EXIT) && on_cpu)
		k->in_softirq[ev->cpu] = ev->kind == VT_SOFTIRQ_ENTRY;
	if ((ev->kind == VT_SOFTIRQ_ENTRY || ev->kind == VT_SOFTIRQ_EXIT || ev->kind == VT_IRQ_ENTRY ||
	     ev->kind == VT_IRQ_EXIT) && on_cpu)
		irq_event(k, ref, ev);
	if (ev->kind == VT_SCHED_SWITCH && on_cpu)
		k->cur_tid[ev->cpu] = ev->u.sched_switch.next_tid;
	int32_t tid = ev->kind == VT_SCHED_SWITCH ? ev->u.sched_switch.prev_tid : ev->tid;
	int64_t pid = -1;
	for (size_t i = 0; i < k->nrows; i++)
		if (k->rows[i].tid == tid) {
			row_event(&k->rows[i], ref, ev);
			pid = k->rows[i].pid;
		}
	/* KVM's VM counters: each exit of one of its vCPU threads, once. */
	if (pid < 0 || (ev->kind != VT_KVM_EXIT && ev->kind != VT_KVM_USERSPACE_EXIT))
		return;
	for (size_t m = 0; m < k->nvms; m++) {
		struct vt_kacct_vm *vm = &k->vms[m];
		if (vm->pid != pid || ref < vm->r0 || ref > vm->r1)
			continue;
		if (ev->kind == VT_KVM_EXIT)
			vm->ours[0]++;
		else
			for (int c = 1; c < 4; c++)
				vm->ours[c] += ev->u.userspace_exit.reason == vm_userspace[c];
	}
}

void vt_kacct_finish(struct vt_kacct *k, const struct vt_model *model)
{
	/* Ticks whose late exit the trace ended before: guest or not, unknown. */
	for (size_t i = 0; i < k->nrows; i++) {
		k->rows[i].guest_ticks_max += k->rows[i].pending_ticks;
		k->rows[i].pending_ticks = k->rows[i].pending_first = 0;
	}
	/* The period most consecutive ticks show; a few hundred make it sure. */
	uint64_t best = 0;
	for (int i = 0; i < 4; i++)
		if (k->period_votes[i] > best && k->period_votes[i] >= 16) {
			best = k->period_votes[i];
			k->tick_ns = hz_period_ns[i];
		}
	for (size_t i = 0; i < k->nrows; i++) {
		struct vt_kacct_row *r = &k->rows[i];
		const struct vt_vcpu_model *v = vt_model_vcpu_by_tid(model, r->tid);
		r->in_model = v != NULL;
		r->partial_life = v && (v->start_ns > r->r0 || (v->exited && v->end_ns < r->r1));
	}
}

static int64_t sdiff(uint64_t ours, uint64_t theirs)
{
	return ours >= theirs ? (int64_t)(ours - theirs) : -(int64_t)(theirs - ours);
}

static double rel(uint64_t ours, uint64_t theirs)
{
	return theirs ? (double)sdiff(ours, theirs) / (double)theirs : (ours ? INFINITY : 0);
}

struct cmp {
	const char *what;
	int has, ns; /* ns: times; else counts */
	uint64_t ours, kernel, limit;
	int explained; /* a known cause covers a large difference (below) */
	uint64_t ours_max; /* ours is a range [ours, ours_max] (guest_ticks); else ours */
};

#define NCMP 5

static int large(const struct cmp *c);

/* How far the kernel's figure lies outside ours (a range or a value). */
static uint64_t outside(const struct cmp *c)
{
	if (c->kernel < c->ours)
		return c->ours - c->kernel;
	return c->kernel > c->ours_max ? c->kernel - c->ours_max : 0;
}

/* What may cause a large difference on this row, most likely first. */
static void causes(const struct vt_kacct *k, const struct vt_kacct_row *r, const struct cmp *c, char *buf,
		   size_t size)
{
	uint64_t covered = 0, span = r->r1 > r->r0 ? r->r1 - r->r0 : 1;
	size_t n = 0;
	for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
		covered += s == VT_VCPU_UNKNOWN ? 0 : r->ours[s];
	buf[0] = '\0';
	if (k->lost)
		n += (size_t)snprintf(buf + n, size - n, "%s%" PRIu64 " events lost by the host's tracer", n ? "; " : "", k->lost);
	if (n < size && covered + span / 100 < span)
		n += (size_t)snprintf(buf + n, size - n, "%sthe trace knows this vCPU's state for %.1f%% of the counters' span "
				      "(a trace window shorter than it, or unknown states)", n ? "; " : "",
				      100.0 * (double)covered / (double)span);
	if (n < size && (!r->in_model || r->partial_life))
		n += (size_t)snprintf(buf + n, size - n, "%sthread %d was %s during the counters' span (it migrated in "
				      "or out, or exited)", n ? "; " : "", r->tid,
				      r->in_model ? "a vCPU thread for part of the time only" : "never seen as a vCPU thread");
	if (n < size && large(&c[2]) && !c[3].has)
		n += (size_t)snprintf(buf + n, size - n, "%sguest_time is the kernel's sample of guest mode at its ticks, "
				      "biased when guest runs keep in step with them (the host's ticks not recorded: "
				      "no check at the same ticks)", n ? "; " : "");
	if (n < size && !n)
		snprintf(buf, size, "none of lost events, a short trace or a migrating thread: a clock offset between "
			 "the trace and CLOCK_MONOTONIC, or a fault in the model");
}


/* The comparisons of a row. guest_time is the kernel's count of ticks that
 * found the thread in guest mode: against our continuous guest time it
 * differs by the sampling's bias (guest runs that begin and end between
 * ticks, a workload in step with the tick); against our count of the same
 * ticks it must agree to its resolution: one USER_HZ unit at each read (the
 * kernel rounds guest_time down to 1/USER_HZ) and one tick at each end of
 * the span, plus 1 % for ticks that came with another exit. */
static void row_cmps(const struct vt_kacct *k, const struct vt_kacct_row *r, struct cmp c[NCMP])
{
	uint64_t unit_ns = r->clk_tck ? 1000000000ull / (uint64_t)r->clk_tck : 0;
	uint64_t run = r->ours[VT_VCPU_GUEST] + r->ours[VT_VCPU_HYPERVISOR];
	uint64_t irq = r->irq_ns < run ? r->irq_ns : run;
	c[0] = (struct cmp){"run", r->has_sched, 1, run - irq, r->k_run, 0, 0, run};
	c[1] = (struct cmp){"wait", r->has_sched, 1, r->ours[VT_VCPU_PREEMPTED], r->k_wait, 0, 0, 0};
	/* A tick count whose ns would not fit is unknown, not wrapped. */
	int gt_ok = r->has_gt && unit_ns && r->k_guest_ticks <= UINT64_MAX / unit_ns;
	uint64_t k_guest = gt_ok ? r->k_guest_ticks * unit_ns : 0;
	c[2] = (struct cmp){"guest_time", gt_ok, 1, r->ours[VT_VCPU_GUEST], k_guest, 0, 0, 0};
	int at_ticks = gt_ok && k->tick_ns && r->thread_ticks && r->guest_ticks_max <= UINT64_MAX / k->tick_ns;
	c[3] = (struct cmp){"guest_ticks", at_ticks, 1, at_ticks ? r->guest_ticks * k->tick_ns : 0, k_guest, 0, 0,
			    at_ticks ? r->guest_ticks_max * k->tick_ns : 0};
	c[4] = (struct cmp){"exits", r->has_exits, 0, r->our_exits, r->k_exits, 0, 0, 0};
	for (int i = 1; i < NCMP; i++)
		if (i != 3)
			c[i].ours_max = c[i].ours;
	for (int i = 0; i < NCMP; i++) {
		uint64_t floor = !c[i].ns ? VT_KACCT_WARN_EXITS
			       : i == 2   ? VT_KACCT_WARN_NS + 3 * unit_ns
			       : i == 3   ? 2 * unit_ns + 2 * k->tick_ns
					  : VT_KACCT_WARN_NS;
		double relative = i == 3 ? 0.01 : VT_KACCT_WARN_REL;
		uint64_t relv = (uint64_t)(relative * (double)c[i].kernel);
		c[i].limit = floor > relv ? floor : relv;
	}
	/* Our ticks agree with the kernel's: the continuous figure's difference
	 * is the sampling's, not a fault of either side. */
	c[2].explained = c[3].has && outside(&c[3]) <= c[3].limit;
}

static int large(const struct cmp *c)
{
	return c->has && outside(c) > c->limit && !c->explained;
}

static const char *guest_name(const struct vt_analysis *a, int64_t pid)
{
	for (size_t i = 0; a->model && i < a->model->nvcpus; i++)
		if (a->model->vcpus[i].qemu_pid == pid && a->model->vcpus[i].guest >= 0)
			return vt_analysis_guest_name(a->m, a->model->vcpus[i].guest);
	return "guest";
}

/* Why the tick-sampled comparison is missing, for the text report. */
static const char *ticks_unknown(const struct vt_kacct *k, const struct vt_kacct_row *r)
{
	if (!r->has_gt)
		return "kernel: unknown";
	if (!k->tick_function)
		return "unknown: record.json has no tick_function (tick_sched_timer's address, read by vmtrace record)";
	if (!k->ticks)
		return "unknown: no tick in the host trace (its hrtimer_expire_entry events not recorded)";
	if (!k->tick_ns)
		return "unknown: the host's ticks show no period of 1/HZ";
	return "unknown: no tick on this thread in the span";
}

static const char *source_name(enum vt_kacct_source s)
{
	return s == VT_KACCT_TRACE ? "trace" : "record.json";
}

static int compared(const struct vt_kacct *k)
{
	return k->nrows || k->nvms;
}

void vt_kacct_print(const struct vt_kacct *k, const struct vt_analysis *a, FILE *out)
{
	if (!compared(k) && !k->clock_note[0])
		return;
	fprintf(out, "\nkernel accounting: ours against the kernel's books between two reads (record.json's, or "
		     "the agent's first and last in the trace)\n");
	if (!compared(k)) {
		fprintf(out, "  not compared: %s\n", k->clock_note);
		return;
	}
	for (size_t i = 0; i < k->nrows; i++) {
		const struct vt_kacct_row *r = &k->rows[i];
		struct cmp c[NCMP];
		row_cmps(k, r, c);
		fprintf(out, "  %s (QEMU %" PRId64 ") vCPU %u (tid %d), %.3f s, books from %s\n",
			vt_shown(guest_name(a, r->pid)), r->pid, r->vcpu, r->tid, (double)(r->t1 - r->t0) / 1e9,
			source_name(r->source));
		int warn = 0;
		for (int j = 0; j < NCMP; j++) {
			const char *label = j == 3 ? "at ticks" : c[j].what;
			if (!c[j].has) {
				fprintf(out, "    %-10s %s\n", label, j != 3 ? "kernel: unknown" : ticks_unknown(k, r));
				continue;
			}
			if (c[j].ns && c[j].ours_max > c[j].ours)
				fprintf(out, "    %-10s ours %.6f to %.6f s, kernel %.6f s: %s%s\n", label, (double)c[j].ours / 1e9,
					(double)c[j].ours_max / 1e9, (double)c[j].kernel / 1e9,
					outside(&c[j]) ? "outside" : "inside", large(&c[j]) ? "  LARGE" : "");
			else if (c[j].ns)
				fprintf(out, "    %-10s ours %.6f s, kernel %.6f s, difference %+.6f s (%+.2f%%)%s\n", label,
					(double)c[j].ours / 1e9, (double)c[j].kernel / 1e9,
					(double)sdiff(c[j].ours, c[j].kernel) / 1e9, 100 * rel(c[j].ours, c[j].kernel),
					large(&c[j]) ? "  LARGE" : "");
			else
				fprintf(out, "    %-10s ours %" PRIu64 ", kernel %" PRIu64 ", difference %+" PRId64 " (%+.2f%%)%s\n",
					label, c[j].ours, c[j].kernel, sdiff(c[j].ours, c[j].kernel),
					100 * rel(c[j].ours, c[j].kernel), large(&c[j]) ? "  LARGE" : "");
			if (j == 0 && c[j].ours_max > c[j].ours)
				fprintf(out, "    %-10s the lower end leaves out the %.6f s of interrupt handlers on the thread, "
					"which a kernel with CONFIG_IRQ_TIME_ACCOUNTING does not charge to it\n", "",
					(double)(c[j].ours_max - c[j].ours) / 1e9);
			if (j == 3 && c[j].ours_max > c[j].ours)
				fprintf(out, "    %-10s the upper end counts the %" PRIu64 " ticks between an entry and its late-traced "
					"exit that may have come after KVM left guest accounting\n", "",
					r->guest_ticks_max - r->guest_ticks);
			if (j == 3)
				fprintf(out, "    %-10s %" PRIu64 " of the %" PRIu64 " ticks on the thread found it in guest mode "
					"(%.3f ms a tick): the kernel's guest_time is that sample%s\n", "", r->guest_ticks,
					r->thread_ticks, (double)k->tick_ns / 1e6,
					c[2].explained && c[2].ours != c[2].kernel ? ", the continuous figure's difference its bias" : "");
			warn |= large(&c[j]);
		}
		if (warn) {
			char why[768];
			causes(k, r, c, why, sizeof(why));
			fprintf(out, "    warning: large difference; may be caused by: %s\n", why);
		}
	}
	for (size_t i = 0; i < k->nvms; i++) {
		const struct vt_kacct_vm *vm = &k->vms[i];
		fprintf(out, "  %s (QEMU %" PRId64 ") all vCPUs, KVM's VM counters (%s, %.3f s):",
			vt_shown(guest_name(a, vm->pid)), vm->pid, source_name(vm->source),
			(double)(vm->r1 - vm->r0) / 1e9);
		int any = 0;
		for (int c = 0; c < 4; c++)
			if (vm->has[c])
				fprintf(out, "%s %s ours %" PRIu64 " kernel %" PRIu64 " (%+" PRId64 ")", any++ ? "," : "", vm_counter[c],
					vm->ours[c], vm->k[c], sdiff(vm->ours[c], vm->k[c]));
		fprintf(out, "%s\n", any ? "" : " none");
	}
}

static json_t *cmp_json(const struct cmp *c)
{
	if (!c->has)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "ours", json_integer((json_int_t)c->ours));
	json_object_set_new(o, "kernel", json_integer((json_int_t)c->kernel));
	json_object_set_new(o, "difference", json_integer(sdiff(c->ours, c->kernel)));
	double rl = rel(c->ours, c->kernel);
	json_object_set_new(o, "relative", isfinite(rl) ? json_real(rl) : json_null());
	json_object_set_new(o, "large", json_boolean(large(c)));
	json_object_set_new(o, "explained", json_boolean(c->explained));
	json_object_set_new(o, "ours_max", json_integer((json_int_t)c->ours_max));
	json_object_set_new(o, "outside", json_integer((json_int_t)outside(c)));
	return o;
}

json_t *vt_kacct_json(const struct vt_kacct *k, const struct vt_analysis *a)
{
	if (!compared(k) && !k->clock_note[0])
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "compared", json_boolean(compared(k)));
	json_object_set_new(o, "why_not", vt_json_str(compared(k) ? "" : k->clock_note));
	json_object_set_new(o, "note", vt_json_str(compared(k) ? k->clock_note : ""));
	json_object_set_new(o, "lost_events", json_integer((json_int_t)k->lost));
	json_t *rows = json_array();
	for (size_t i = 0; i < k->nrows; i++) {
		const struct vt_kacct_row *r = &k->rows[i];
		struct cmp c[NCMP];
		row_cmps(k, r, c);
		json_t *x = json_object();
		json_object_set_new(x, "source", json_string(source_name(r->source)));
		json_object_set_new(x, "guest", vt_json_str(guest_name(a, r->pid)));
		json_object_set_new(x, "qemu_pid", json_integer(r->pid));
		json_object_set_new(x, "vcpu", json_integer(r->vcpu));
		json_object_set_new(x, "tid", json_integer(r->tid));
		json_object_set_new(x, "span_ns", json_integer(r->t1 - r->t0));
		json_object_set_new(x, "clk_tck", r->clk_tck ? json_integer(r->clk_tck) : json_null());
		json_object_set_new(x, "tick_ns", k->tick_ns ? json_integer((json_int_t)k->tick_ns) : json_null());
		json_object_set_new(x, "ticks_on_thread", json_integer((json_int_t)r->thread_ticks));
		json_object_set_new(x, "ticks_in_guest", json_integer((json_int_t)r->guest_ticks));
		json_object_set_new(x, "ticks_in_guest_max", json_integer((json_int_t)r->guest_ticks_max));
		json_object_set_new(x, "irq_ns", json_integer((json_int_t)r->irq_ns));
		int warn = 0;
		for (int j = 0; j < NCMP; j++) {
			json_object_set_new(x, c[j].what, cmp_json(&c[j]));
			warn |= large(&c[j]);
		}
		char why[768];
		if (warn)
			causes(k, r, c, why, sizeof(why));
		json_object_set_new(x, "warning", warn ? vt_json_str(why) : json_null());
		json_array_append_new(rows, x);
	}
	json_object_set_new(o, "vcpus", rows);
	json_t *vms = json_array();
	for (size_t i = 0; i < k->nvms; i++) {
		const struct vt_kacct_vm *vm = &k->vms[i];
		json_t *x = json_object();
		json_object_set_new(x, "source", json_string(source_name(vm->source)));
		json_object_set_new(x, "span_ns", json_integer((json_int_t)(vm->r1 - vm->r0)));
		json_object_set_new(x, "guest", vt_json_str(guest_name(a, vm->pid)));
		json_object_set_new(x, "qemu_pid", json_integer(vm->pid));
		for (int c = 0; c < 4; c++) {
			struct cmp cc = {vm_counter[c], vm->has[c], 0, vm->ours[c], vm->k[c], VT_KACCT_WARN_EXITS, 0, vm->ours[c]};
			json_object_set_new(x, vm_counter[c], cmp_json(&cc));
		}
		json_array_append_new(vms, x);
	}
	json_object_set_new(o, "vms", vms);
	return o;
}

static const char *const table_head[] = {"guest", "vCPU (tid)", "span s", "run: ours / kernel (diff)",
					 "preempted / runqueue wait", "guest / guest_time", "guest at ticks / guest_time",
					 "exits: ours / KVM",
					 "warning"};
#define TABLE_COLS (sizeof(table_head) / sizeof(table_head[0]))

static char *cell_cmp(const struct cmp *c)
{
	char buf[128];
	if (!c->has)
		snprintf(buf, sizeof(buf), "kernel: unknown");
	else if (c->ns && c->ours_max > c->ours)
		snprintf(buf, sizeof(buf), "%.6f to %.6f / %.6f s (%s)", (double)c->ours / 1e9, (double)c->ours_max / 1e9,
			 (double)c->kernel / 1e9, outside(c) ? "outside" : "inside");
	else if (c->ns)
		snprintf(buf, sizeof(buf), "%.6f / %.6f s (%+.2f%%)", (double)c->ours / 1e9, (double)c->kernel / 1e9,
			 100 * rel(c->ours, c->kernel));
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 " / %" PRIu64 " (%+" PRId64 ")", c->ours, c->kernel,
			 sdiff(c->ours, c->kernel));
	return strdup(buf);
}

int vt_kacct_table(const struct vt_kacct *k, const struct vt_analysis *a, struct vt_html_table *t, char ***cells)
{
	*cells = NULL;
	if (!k->nrows)
		return 1;
	size_t n = (k->nrows + 1) * TABLE_COLS;
	char **c = calloc(n, sizeof(*c));
	if (!c)
		return -1;
	*t = (struct vt_html_table){"Kernel accounting",
				    "Ours against the kernel's own books (schedstat, guest_time, KVM's exits) over the "
				    "span between two reads: record.json's, or the agent's first and last in the trace.",
				    TABLE_COLS, k->nrows, (const char *const *)c};
	*cells = c;
	for (size_t j = 0; j < TABLE_COLS; j++)
		if (!(c[j] = strdup(table_head[j])))
			return -1;
	for (size_t i = 0; i < k->nrows; i++) {
		const struct vt_kacct_row *r = &k->rows[i];
		char **row = c + (i + 1) * TABLE_COLS, buf[768];
		struct cmp m[NCMP];
		row_cmps(k, r, m);
		row[0] = strdup(guest_name(a, r->pid));
		snprintf(buf, sizeof(buf), "%u (%d)", r->vcpu, r->tid);
		row[1] = strdup(buf);
		snprintf(buf, sizeof(buf), "%.3f", (double)(r->t1 - r->t0) / 1e9);
		row[2] = strdup(buf);
		int warn = 0;
		for (int j = 0; j < NCMP; j++) {
			row[3 + j] = cell_cmp(&m[j]);
			warn |= large(&m[j]);
		}
		if (warn)
			causes(k, r, m, buf, sizeof(buf));
		row[3 + NCMP] = strdup(warn ? buf : "");
		for (size_t j = 0; j < TABLE_COLS; j++)
			if (!row[j])
				return -1;
	}
	return 0;
}

void vt_kacct_table_free(char **cells, const struct vt_html_table *t)
{
	for (size_t i = 0; cells && i < (t->nrows + 1) * t->ncols; i++)
		free(cells[i]);
	free(cells);
}

void vt_kacct_free(struct vt_kacct *k)
{
	free(k->last_tick);
	free(k->in_softirq);
	free(k->irq_depth);
	free(k->irq_since);
	free(k->cur_tid);
	free(k->rows);
	free(k->vms);
	free(k->books);
	free(k->books_index);
	memset(k, 0, sizeof(*k));
}
