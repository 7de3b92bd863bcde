/* The first pass of identification: keep the events that name things. */
#include "identify/collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct raw_vec {
	void *v;
	size_t n, cap;
};

void *vt_vec_push(void *vec, size_t elem)
{
	struct raw_vec *r = vec;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		void *p = realloc(r->v, cap * elem);
		if (!p)
			return NULL;
		r->v = p;
		r->cap = cap;
	}
	void *slot = (char *)r->v + r->n++ * elem;
	memset(slot, 0, elem);
	return slot;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

struct vt_identify *vt_identify_new(struct vt_error *err)
{
	struct vt_identify *id = calloc(1, sizeof(*id));
	if (!id)
		vt_error_set_cause(err, VT_ERR_NOMEM, "identification: out of memory");
	return id;
}

struct vt_trace_ids *vt_collect_trace(struct vt_identify *id, size_t trace)
{
	if (trace >= id->ntraces) {
		size_t n = trace + 1 > 2 * id->ntraces ? trace + 1 : 2 * id->ntraces;
		struct vt_trace_ids *t = realloc(id->traces, n * sizeof(*t));
		if (!t)
			return NULL;
		memset(t + id->ntraces, 0, (n - id->ntraces) * sizeof(*t));
		id->traces = t;
		id->ntraces = n;
	}
	return &id->traces[trace];
}

int vt_identify_add_hint(struct vt_identify *id, const struct vt_guest_hint *hint)
{
	struct vt_guest_hint *h = VT_PUSH(id->hints);
	if (!h)
		return -1;
	*h = *hint;
	return 0;
}

size_t vt_collect_canon(const struct vt_identify *id, size_t trace)
{
	return trace < id->ncanon ? id->canon[trace] : trace;
}

int32_t vt_collect_pid_of(const struct vt_identify *id, size_t trace, int32_t tid)
{
	trace = vt_collect_canon(id, trace);
	for (size_t i = 0; i < id->threads.n; i++)
		if (id->threads.v[i].trace == trace && id->threads.v[i].tid == tid)
			return id->threads.v[i].pid;
	return VT_NO_TID;
}

static size_t thread_slot(const struct vt_identify *id, size_t trace, int32_t tid)
{
	size_t mask = id->nthread_slots - 1, i = ((size_t)(uint32_t)tid * 2654435761u ^ trace * 40503u) & mask;
	while (id->thread_slots[i]) {
		const struct vt_seen_thread *t = &id->threads.v[id->thread_slots[i] - 1];
		if (t->trace == trace && t->tid == tid)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Room for one more thread in the index (kept under half full). Returns -1
 * out of memory. */
static int thread_index_grow(struct vt_identify *id)
{
	if (2 * (id->threads.n + 1) <= id->nthread_slots)
		return 0;
	size_t n = id->nthread_slots ? 2 * id->nthread_slots : 1024;
	size_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	free(id->thread_slots);
	id->thread_slots = slots;
	id->nthread_slots = n;
	for (size_t k = 0; k < id->threads.n; k++)
		slots[thread_slot(id, id->threads.v[k].trace, id->threads.v[k].tid)] = k + 1;
	return 0;
}

void vt_collect_threads_unindex(struct vt_identify *id)
{
	free(id->thread_slots);
	id->thread_slots = NULL;
	id->nthread_slots = 0;
}

static void note_thread(struct vt_identify *id, size_t trace, int32_t tid, int32_t pid)
{
	if (tid <= 0 || pid <= 0)
		return;
	if (thread_index_grow(id)) {
		id->oom = 1;
		return;
	}
	size_t slot = thread_slot(id, trace, tid);
	if (id->thread_slots[slot]) {
		id->threads.v[id->thread_slots[slot] - 1].pid = pid; /* tids are reused: the latest wins */
		return;
	}
	struct vt_seen_thread *t = VT_PUSH(id->threads);
	if (!t) {
		id->oom = 1;
		return;
	}
	t->trace = trace;
	t->tid = tid;
	t->pid = pid;
	id->thread_slots[slot] = id->threads.n;
}

static void note_exit(struct vt_identify *id, size_t trace, const struct vt_event *ev)
{
	uint32_t vcpu = ev->u.kvm_exit.vcpu_id;
	unsigned named;
	char tail[2];
	/* No vcpu_id field (older tracers): QEMU's "CPU n/KVM" thread name says it. */
	if (vcpu == VT_NO_VCPU && ev->procname && sscanf(ev->procname, "CPU %u/KV%1[M]", &named, tail) == 2)
		vcpu = named;
	if (vcpu == VT_NO_VCPU || ev->tid <= 0)
		return;
	for (size_t i = id->exits.n; i-- > 0;)
		if (id->exits.v[i].trace == trace && id->exits.v[i].tid == ev->tid && id->exits.v[i].vcpu == vcpu)
			return;
	struct vt_seen_exit *x = VT_PUSH(id->exits);
	if (!x) {
		id->oom = 1;
		return;
	}
	x->trace = trace;
	x->tid = ev->tid;
	x->vcpu = vcpu;
	x->procname = dup_or_null(ev->procname);
}

/* Traces before the agent said its evidence (kvm NULL) are believed as they were. */
static int claims_kvm(const struct vt_event *ev)
{
	const char *k = ev->u.guest.kvm;
	return !k || !strcmp(k, "debugfs") || !strcmp(k, "vm-fd");
}

static void note_guest(struct vt_identify *id, size_t trace, const struct vt_event *ev)
{
	const char *uuid = claims_kvm(ev) ? ev->u.guest.uuid : NULL;
	for (size_t i = 0; i < id->guests.n; i++) {
		struct vt_seen_guest *g = &id->guests.v[i];
		if (g->trace == trace && g->pid == ev->u.guest.pid) {
			/* The same guest dumped again (or the pid running a new one): fill what was missing. */
			g->destroyed = 0;
			if (!g->uuid)
				g->uuid = dup_or_null(uuid);
			if (!g->name)
				g->name = dup_or_null(ev->u.guest.name);
			return;
		}
	}
	struct vt_seen_guest *g = VT_PUSH(id->guests);
	if (!g) {
		id->oom = 1;
		return;
	}
	g->trace = trace;
	g->pid = ev->u.guest.pid;
	g->uuid = dup_or_null(uuid);
	g->name = dup_or_null(ev->u.guest.name);
}

static void note_destroyed(struct vt_identify *id, size_t trace, const struct vt_event *ev)
{
	for (size_t i = 0; i < id->guests.n; i++)
		if (id->guests.v[i].trace == trace && id->guests.v[i].pid == ev->u.guest.pid)
			id->guests.v[i].destroyed = 1;
}

static void note_vcpu(struct vt_identify *id, size_t trace, const struct vt_event *ev)
{
	const struct vt_guest_vcpu *v = &ev->u.guest_vcpu;
	for (size_t i = 0; i < id->vcpus.n; i++) {
		struct vt_seen_vcpu *s = &id->vcpus.v[i];
		if (s->trace == trace && s->pid == v->pid && s->vcpu == v->vcpu) {
			s->tid = v->tid;
			s->tsc_offset = v->tsc_offset;
			s->tsc_ratio = v->tsc_scaling_ratio;
			s->tsc_frac_bits = v->tsc_scaling_frac_bits;
			return;
		}
	}
	struct vt_seen_vcpu *s = VT_PUSH(id->vcpus);
	if (!s) {
		id->oom = 1;
		return;
	}
	s->trace = trace;
	s->pid = v->pid;
	s->vcpu = v->vcpu;
	s->tid = v->tid;
	s->tsc_offset = v->tsc_offset;
	s->tsc_ratio = v->tsc_scaling_ratio;
	s->tsc_frac_bits = v->tsc_scaling_frac_bits;
}

static void note_vmsync(struct vt_identify *id, size_t trace, const struct vt_event *ev, int host_side)
{
	for (size_t i = 0; i < id->vmsyncs.n; i++) {
		struct vt_seen_vmsync *s = &id->vmsyncs.v[i];
		if (s->trace == trace && s->vm_uid == ev->u.vmsync.vm_uid && s->tid == ev->tid)
			return;
	}
	struct vt_seen_vmsync *s = VT_PUSH(id->vmsyncs);
	if (!s) {
		id->oom = 1;
		return;
	}
	s->trace = trace;
	s->vm_uid = ev->u.vmsync.vm_uid;
	s->tid = ev->tid;
	s->host_side = host_side;
}

void vt_identify_feed(struct vt_identify *id, size_t trace, const struct vt_event *ev)
{
	if (trace >= id->ntraces && !vt_collect_trace(id, trace)) {
		id->oom = 1;
		return;
	}
	if (ev->tid > 0 && ev->pid > 0)
		note_thread(id, trace, ev->tid, ev->pid);
	switch (ev->kind) {
	case VT_KVM_EXIT:
		note_exit(id, trace, ev);
		break;
	case VT_STATEDUMP_PROCESS:
		note_thread(id, trace, ev->u.statedump_process.tid, ev->u.statedump_process.pid);
		break;
	case VT_PROCESS_FORK:
		note_thread(id, trace, ev->u.fork.child_tid, ev->u.fork.child_pid);
		break;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
		note_guest(id, trace, ev);
		break;
	case VT_GUEST_DESTROYED:
		note_destroyed(id, trace, ev);
		break;
	case VT_GUEST_VCPU:
		note_vcpu(id, trace, ev);
		/* ftrace gives no thread → process link: the agent's line does */
		note_thread(id, trace, ev->u.guest_vcpu.tid, (int32_t)ev->u.guest_vcpu.pid);
		break;
	case VT_MACHINE_ID: {
		struct vt_trace_ids *t = &id->traces[trace];
		if (!t->machine_uuid)
			t->machine_uuid = dup_or_null(ev->u.machine.product_uuid);
		if (!t->machine_hostname)
			t->machine_hostname = dup_or_null(ev->u.machine.hostname);
		break;
	}
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_HG_GUEST:
		note_vmsync(id, trace, ev, 0);
		break;
	case VT_VMSYNC_GH_HOST:
	case VT_VMSYNC_HG_HOST:
		note_vmsync(id, trace, ev, 1);
		break;
	default:
		break;
	}
}

void vt_identify_free(struct vt_identify *id)
{
	if (!id)
		return;
	for (size_t i = 0; i < id->ntraces; i++) {
		free(id->traces[i].machine_uuid);
		free(id->traces[i].machine_hostname);
	}
	free(id->traces);
	for (size_t i = 0; i < id->guests.n; i++) {
		free(id->guests.v[i].uuid);
		free(id->guests.v[i].name);
	}
	free(id->guests.v);
	free(id->vcpus.v);
	for (size_t i = 0; i < id->exits.n; i++)
		free(id->exits.v[i].procname);
	free(id->exits.v);
	free(id->threads.v);
	vt_collect_threads_unindex(id);
	free(id->vmsyncs.v);
	free(id->hints.v);
	free(id->canon);
	free(id);
}
