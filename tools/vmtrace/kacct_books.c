/* The kernel's books as the host's agent wrote them into the trace
 * (vcpu_books, vm_books): pass 1 keeps each thread's and VM's first and last
 * reads; once the host and its clock are known, they become the rows that
 * record.json would have given (kacct_check.c), for the span between them.
 * Their times are the trace's own, so no clock needs to be CLOCK_MONOTONIC. */
#include "kacct_check.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* The read's time: the event's, less how long after the read it was written. */
static uint64_t read_time(const struct vt_event *ev, uint64_t age)
{
	return age < ev->ts_ns ? ev->ts_ns - age : 0;
}

/* The slot of a key in the open-addressed index (a power of two long). */
static size_t slot_of(const struct vt_kacct *k, size_t trace, int vm, int64_t pid, int32_t tid)
{
	uint64_t h = ((uint64_t)trace * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)pid * 0xff51afd7ed558ccdull) ^
		     ((uint64_t)(uint32_t)tid * 0xc4ceb9fe1a85ec53ull) ^ (uint64_t)vm;
	size_t mask = k->books_index_size - 1, i = (size_t)(h ^ (h >> 29)) & mask;
	for (;; i = (i + 1) & mask) {
		size_t at = k->books_index[i];
		if (!at)
			return i;
		const struct vt_kacct_books *b = &k->books[at - 1];
		if (b->trace == trace && b->vm == vm && b->pid == pid && b->tid == tid)
			return i;
	}
}

/* Doubles the index (kept at most half full); -1 when out of memory. */
static int grow_index(struct vt_kacct *k)
{
	size_t size = k->books_index_size ? k->books_index_size * 2 : 64;
	size_t *old = k->books_index, old_size = k->books_index_size;
	k->books_index = calloc(size, sizeof(*k->books_index));
	if (!k->books_index) {
		k->books_index = old;
		return -1;
	}
	k->books_index_size = size;
	for (size_t i = 0; i < old_size; i++)
		if (old[i]) {
			const struct vt_kacct_books *b = &k->books[old[i] - 1];
			k->books_index[slot_of(k, b->trace, b->vm, b->pid, b->tid)] = old[i];
		}
	free(old);
	return 0;
}

/* A thread's or VM's entry, made on first sight (NULL past the bound or out of memory). */
static struct vt_kacct_books *find(struct vt_kacct *k, size_t trace, int vm, int64_t pid, int32_t tid)
{
	if ((k->nbooks + 1) * 2 > k->books_index_size && grow_index(k) < 0) {
		k->books_cut = 1; /* a comparison the less, not a failed analysis */
		return NULL;
	}
	size_t i = slot_of(k, trace, vm, pid, tid);
	if (k->books_index[i])
		return &k->books[k->books_index[i] - 1];
	if (k->nbooks >= VT_KACCT_MAX_BOOKS) {
		k->books_cut = 1;
		return NULL;
	}
	struct vt_kacct_books *p = realloc(k->books, (k->nbooks + 1) * sizeof(*p));
	if (!p) {
		k->books_cut = 1;
		return NULL;
	}
	k->books = p;
	struct vt_kacct_books *b = &p[k->nbooks++];
	memset(b, 0, sizeof(*b));
	b->trace = trace;
	b->vm = vm;
	b->pid = pid;
	b->tid = tid;
	k->books_index[i] = k->nbooks;
	return b;
}

void vt_kacct_collect(void *ctx, size_t trace, const struct vt_event *ev)
{
	struct vt_kacct *k = ctx;
	if (ev->kind != VT_VCPU_BOOKS && ev->kind != VT_VM_BOOKS)
		return;
	int vm = ev->kind == VT_VM_BOOKS;
	int64_t pid = vm ? ev->u.vm_books.pid : ev->u.vcpu_books.pid;
	int32_t tid = vm ? 0 : ev->u.vcpu_books.tid;
	if (pid <= 0 || pid > INT32_MAX || (!vm && tid <= 0))
		return;
	struct vt_kacct_books *b = find(k, trace, vm, pid, tid);
	if (!b)
		return;
	uint64_t t = read_time(ev, vm ? ev->u.vm_books.age_ns : ev->u.vcpu_books.age_ns);
	if (!b->count || t < b->t0) {
		b->t0 = t;
		b->v0 = ev->u.vcpu_books;
		b->m0 = ev->u.vm_books;
	}
	if (!b->count || t >= b->t1) {
		b->t1 = t;
		b->v1 = ev->u.vcpu_books;
		b->m1 = ev->u.vm_books;
	}
	b->count++;
}

int vt_kacct_any(const struct vt_kacct *k)
{
	return k->nrows || k->nvms || k->nbooks;
}

/* A difference of two reads: unknown (0) when either is, or it went back. */
static int delta(uint64_t a, uint64_t b, uint64_t *d)
{
	if (a == VT_BOOKS_UNKNOWN || b == VT_BOOKS_UNKNOWN || b < a)
		return 0;
	*d = b - a;
	return 1;
}

static int has_row(const struct vt_kacct *k, int32_t tid)
{
	for (size_t i = 0; i < k->nrows; i++)
		if (k->rows[i].tid == tid)
			return 1;
	return 0;
}

static int has_vm(const struct vt_kacct *k, int64_t pid)
{
	for (size_t i = 0; i < k->nvms; i++)
		if (k->vms[i].pid == pid)
			return 1;
	return 0;
}

static int add_row(struct vt_kacct *k, const struct vt_kacct_books *b, uint64_t r0, uint64_t r1)
{
	struct vt_kacct_row *p = realloc(k->rows, (k->nrows + 1) * sizeof(*p));
	if (!p)
		return -1;
	k->rows = p;
	struct vt_kacct_row *r = &p[k->nrows++];
	memset(r, 0, sizeof(*r));
	r->source = VT_KACCT_TRACE;
	r->pid = b->pid;
	r->vcpu = b->v1.vcpu;
	r->tid = b->tid;
	r->r0 = r0;
	r->r1 = r1;
	r->t0 = (int64_t)(r0 & INT64_MAX);
	r->t1 = (int64_t)(r1 & INT64_MAX);
	uint32_t tck = b->v1.clk_tck == b->v0.clk_tck ? b->v1.clk_tck : 0;
	r->clk_tck = tck && tck <= 1000000 ? (long)tck : 0;
	r->has_sched = delta(b->v0.run_ns, b->v1.run_ns, &r->k_run) && delta(b->v0.wait_ns, b->v1.wait_ns, &r->k_wait);
	r->has_gt = r->clk_tck && delta(b->v0.guest_ticks, b->v1.guest_ticks, &r->k_guest_ticks);
	return 0; /* KVM keeps no exit count per vCPU in debugfs: the VM's is compared */
}

static int add_vm(struct vt_kacct *k, const struct vt_kacct_books *b, uint64_t r0, uint64_t r1)
{
	struct vt_kacct_vm *p = realloc(k->vms, (k->nvms + 1) * sizeof(*p));
	if (!p)
		return -1;
	k->vms = p;
	struct vt_kacct_vm *m = &p[k->nvms++];
	memset(m, 0, sizeof(*m));
	m->source = VT_KACCT_TRACE;
	m->pid = b->pid;
	m->r0 = r0;
	m->r1 = r1;
	const uint64_t a[4] = {b->m0.exits, b->m0.io_exits, b->m0.mmio_exits, b->m0.signal_exits};
	const uint64_t z[4] = {b->m1.exits, b->m1.io_exits, b->m1.mmio_exits, b->m1.signal_exits};
	for (int c = 0; c < 4; c++)
		m->has[c] = delta(a[c], z[c], &m->k[c]);
	return 0;
}

int vt_kacct_books_rows(struct vt_kacct *k, const struct vt_analysis *a)
{
	if (a->host < 0 || !a->r || (size_t)a->host >= a->r->count)
		return 0;
	const struct vt_clock_sync *clock = &a->r->machines[a->host];
	for (size_t i = 0; i < k->nbooks; i++) {
		const struct vt_kacct_books *b = &k->books[i];
		if (b->trace >= a->in.ntraces || a->m->trace_machine[b->trace] != (size_t)a->host)
			continue;
		if (b->vm && b->m1.tick_function && !k->tick_function)
			k->tick_function = b->m1.tick_function;
		/* One read opens a span, a later one closes it. */
		if (b->count < 2 || b->t1 <= b->t0 || b->t1 > INT64_MAX)
			continue;
		uint64_t r0 = (uint64_t)vt_clock_to_ref(clock, (int64_t)b->t0);
		uint64_t r1 = (uint64_t)vt_clock_to_ref(clock, (int64_t)b->t1);
		if (r1 <= r0)
			continue;
		if (b->vm ? has_vm(k, b->pid) : has_row(k, b->tid))
			continue; /* record.json's reads of it bracket the whole recording */
		if ((b->vm ? add_vm(k, b, r0, r1) : add_row(k, b, r0, r1)) < 0)
			return -1;
	}
	return 0;
}
