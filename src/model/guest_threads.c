/* Each guest's threads, from its own trace: in its vCPU's state while current
 * on it, else RUNNABLE (woken or preempted in the guest) or SLEEPING. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

const char *vt_thread_state_name(int s)
{
	if (s == VT_THREAD_RUNNABLE)
		return "RUNNABLE";
	if (s == VT_THREAD_SLEEPING)
		return "SLEEPING";
	return vt_vcpu_state_name((enum vt_vcpu_state)s);
}

static void sink_thread(struct vt_model *model, struct vt_thread_model *t, uint64_t start, uint64_t end, int state)
{
	struct vt_thread_interval *p = &t->pending;
	size_t i = (size_t)(t - model->threads);
	if (!vt_interval_join(model, VT_PART_THREAD, i, start, end, p->state == state && p->vcpu == t->vcpu))
		*p = (struct vt_thread_interval){start, end, state, t->vcpu};
}

/* A guest thread's time since its last change, in the state it mirrors. */
void vt_thread_account(struct vt_model *model, struct vt_thread_model *t, uint64_t ts)
{
	if (ts < t->since)
		ts = t->since;
	int state = t->vcpu >= 0 ? (int)model->vcpus[t->vcpu].state : t->mode;
	t->totals[state] += ts - t->since;
	if (model->sink.thread && ts > t->since)
		sink_thread(model, t, t->since, ts, state);
	t->since = ts;
}

/* The guest thread (guest, tid), created on first sight: the time before it
 * is charged to what its first event says it was doing. */
static struct vt_thread_model *thread_of(struct vt_model *model, int guest, int32_t tid, const char *comm, uint64_t ts,
					 int before)
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
	struct vt_vcpu_model *v = vt_vcpu_add(model, guest, (uint32_t)cpu, -1, -1);
	if (v)
		v->since = model->guest_first[guest] ? model->guest_first[guest] : ts;
	return v;
}

/* The first event on a vCPU ran in its current thread's context: that thread
 * has been current since before (no switch seen yet). */
static void first_on_vcpu(struct vt_model *model, struct vt_vcpu_model *on, int guest, uint64_t ts,
			  const struct vt_event *ev)
{
	on->guest_seen = 1;
	if (ev->tid <= 0 || ev->kind == VT_SCHED_SWITCH)
		return;
	struct vt_thread_model *t = thread_of(model, guest, ev->tid, ev->procname, ts, VT_VCPU_GUEST);
	if (t && t->vcpu < 0) {
		vt_thread_account(model, t, ts);
		t->vcpu = (int)(on - model->vcpus);
		on->thread = (int)(t - model->threads);
	}
}

static void on_wakeup(struct vt_model *model, int guest, uint64_t ts, const struct vt_sched_wakeup *w)
{
	if (w->tid <= 0)
		return;
	struct vt_thread_model *t = thread_of(model, guest, w->tid, w->comm, ts, VT_THREAD_SLEEPING);
	if (t && t->vcpu < 0 && t->mode == VT_THREAD_SLEEPING) {
		vt_thread_account(model, t, ts);
		t->mode = VT_THREAD_RUNNABLE;
	}
}

static void on_switch(struct vt_model *model, int guest, uint64_t ts, const struct vt_event *ev)
{
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
			vt_thread_account(model, p, ts);
			p->vcpu = -1;
			p->mode = sw->prev_state == 0 ? VT_THREAD_RUNNABLE : VT_THREAD_SLEEPING;
		}
	}
	v->thread = -1;
	if (sw->next_tid > 0) {
		struct vt_thread_model *n =
			thread_of(model, guest, sw->next_tid, sw->next_comm, ts, VT_THREAD_RUNNABLE);
		if (n) {
			vt_thread_account(model, n, ts);
			n->vcpu = vi;
			v->thread = (int)(n - model->threads);
		}
	}
}

void vt_threads_feed(struct vt_model *model, int guest, uint64_t ts, const struct vt_event *ev)
{
	if (!model->guest_first[guest])
		model->guest_first[guest] = ts;
	if (ts > model->guest_last[guest])
		model->guest_last[guest] = ts;
	struct vt_vcpu_model *on = ev->cpu >= 0 ? vcpu_of_guest(model, guest, ev->cpu) : NULL;
	if (!on && ev->cpu >= 0 && model->host < 0)
		on = hostless_vcpu(model, guest, ev->cpu, ts);
	if (on && !on->guest_seen)
		first_on_vcpu(model, on, guest, ts, ev);
	if (ev->kind == VT_SCHED_WAKEUP)
		on_wakeup(model, guest, ts, &ev->u.sched_wakeup);
	else if (ev->kind == VT_SCHED_SWITCH)
		on_switch(model, guest, ts, ev);
}

/* A guest's threads live as long as its vCPUs (its own trace may stop
 * earlier); with no vCPU known, up to its last event. */
void vt_thread_finish(struct vt_model *model, struct vt_thread_model *t)
{
	uint64_t end = 0;
	for (size_t k = 0; k < model->nvcpus; k++)
		if (model->vcpus[k].guest == t->guest && model->vcpus[k].end_ns > end)
			end = model->vcpus[k].end_ns;
	if (!end)
		end = model->guest_last[t->guest];
	vt_thread_account(model, t, end > t->since ? end : t->since);
}

void vt_thread_restart(struct vt_model *model, struct vt_thread_model *t, uint64_t ts)
{
	vt_thread_account(model, t, ts);
	memset(t->totals, 0, sizeof(t->totals));
	memset(&t->pending, 0, sizeof(t->pending));
	if (t->start_ns < ts)
		t->start_ns = ts;
}
