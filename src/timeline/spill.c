/* Writing the spill (spill.h): records appended per trace into blocks, full
 * blocks written at the end of one unlinked temporary file. */
#include "timeline/spill.h"

#include "common/tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vt_spill *vt_spill_new(struct vt_error *err)
{
	struct vt_spill *s = calloc(1, sizeof(*s));
	if (!s) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->fd = vt_tmpfile("spill", NULL, 0);
	if (s->fd < 0) {
		char why[4400];
		vt_error_set_cause(err, VT_ERR_IO, "the temporary spill file: %s", vt_tmpdir_error(errno, why, sizeof(why)));
		free(s);
		return NULL;
	}
	return s;
}

static void fail(struct vt_spill *s, const char *why)
{
	if (!s->failed)
		snprintf(s->why, sizeof(s->why), "the temporary spill file: %s", why);
	s->failed = 1;
}

static uint32_t hash(const char *str)
{
	uint32_t h = 2166136261u;
	for (; *str; str++)
		h = (h ^ (uint8_t)*str) * 16777619u;
	return h;
}

static int grow_index(struct vt_spill *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 256;
	uint32_t *index = calloc(cap, sizeof(*index));
	if (!index)
		return -1;
	for (size_t id = 1; id < s->nstrings; id++) {
		size_t h = hash(s->strings[id]) & (cap - 1);
		while (index[h])
			h = (h + 1) & (cap - 1);
		index[h] = (uint32_t)id;
	}
	free(s->index);
	s->index = index;
	s->index_cap = cap;
	return 0;
}

/* The id of a comm (0: none); the same text, the same id. */
static uint32_t intern(struct vt_spill *s, const char *str)
{
	if (!str)
		return 0;
	if (!s->nstrings) {
		s->strings = malloc(16 * sizeof(*s->strings));
		if (!s->strings)
			goto oom;
		s->strings[0] = NULL;
		s->nstrings = 1;
		s->cap_strings = 16;
	}
	if (s->nstrings * 2 >= s->index_cap && grow_index(s))
		goto oom;
	size_t h = hash(str) & (s->index_cap - 1);
	while (s->index[h]) {
		if (!strcmp(s->strings[s->index[h]], str))
			return s->index[h];
		h = (h + 1) & (s->index_cap - 1);
	}
	if (s->nstrings == s->cap_strings) {
		char **bigger = realloc(s->strings, s->cap_strings * 2 * sizeof(*bigger));
		if (!bigger)
			goto oom;
		s->strings = bigger;
		s->cap_strings *= 2;
	}
	char *copy = strdup(str);
	if (!copy)
		goto oom;
	s->strings[s->nstrings] = copy;
	s->index[h] = (uint32_t)s->nstrings;
	return (uint32_t)s->nstrings++;
oom:
	fail(s, "out of memory");
	return 0;
}

static struct vt_spill_trace *trace_of(struct vt_spill *s, size_t trace)
{
	if (trace >= s->ntraces) {
		struct vt_spill_trace *t = realloc(s->traces, (trace + 1) * sizeof(*t));
		if (!t)
			return NULL;
		memset(t + s->ntraces, 0, (trace + 1 - s->ntraces) * sizeof(*t));
		s->traces = t;
		s->ntraces = trace + 1;
	}
	struct vt_spill_trace *t = &s->traces[trace];
	if (!t->block && !(t->block = malloc(VT_SPILL_BLOCK_RECORDS * sizeof(*t->block))))
		return NULL;
	return t;
}

static void flush(struct vt_spill *s, struct vt_spill_trace *t)
{
	if (!t->fill)
		return;
	if (t->nblocks == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct vt_spill_block *b = realloc(t->blocks, cap * sizeof(*b));
		if (!b) {
			fail(s, "out of memory");
			return;
		}
		t->blocks = b;
		t->cap = cap;
	}
	size_t size = t->fill * sizeof(*t->block);
	int e = vt_pwrite_all(s->fd, t->block, size, s->end);
	if (e) {
		char why[sizeof(s->why)];
		fail(s, vt_tmpdir_error(e, why, sizeof(why)));
		t->fill = 0;
		return;
	}
	t->blocks[t->nblocks++] = (struct vt_spill_block){s->end, (uint32_t)t->fill};
	s->end += size;
	t->fill = 0;
}

static void put(struct vt_spill *s, struct vt_spill_trace *t, const struct vt_spill_record *r)
{
	t->block[t->fill++] = *r;
	if (t->fill == VT_SPILL_BLOCK_RECORDS)
		flush(s, t);
}

/* Whether cpu's first event of the trace is still to come (and now marked). */
static int first_on_cpu(struct vt_spill_trace *t, int32_t cpu)
{
	if (cpu < 0 || cpu >= (1 << 23))
		return 0;
	size_t byte = (size_t)cpu / 8;
	if (byte >= t->ncpu_bytes) {
		uint8_t *b = realloc(t->cpu_seen, byte + 1);
		if (!b)
			return 0;
		memset(b + t->ncpu_bytes, 0, byte + 1 - t->ncpu_bytes);
		t->cpu_seen = b;
		t->ncpu_bytes = byte + 1;
	}
	uint8_t bit = (uint8_t)(1u << (cpu % 8));
	if (t->cpu_seen[byte] & bit)
		return 0;
	t->cpu_seen[byte] |= bit;
	return 1;
}

static uint32_t kind_cpu(enum vt_kind kind, int flag, int32_t cpu)
{
	uint32_t c = cpu >= 0 && cpu < (1 << 23) ? (uint32_t)cpu + 1 : 0;
	return (uint32_t)kind | (flag ? 0x80u : 0) | c << 8;
}

void vt_spill_add(struct vt_spill *s, size_t trace, const struct vt_event *ev)
{
	if (s->failed)
		return;
	struct vt_spill_trace *t = trace_of(s, trace);
	if (!t) {
		fail(s, "out of memory");
		return;
	}
	int first = !t->started || first_on_cpu(t, ev->cpu);
	t->started = 1;
	struct vt_spill_record r = {.ts = ev->ts_ns, .tid = ev->tid};
	switch (ev->kind) { /* what vt_model_feed reads of each */
	case VT_SCHED_SWITCH:
		r.kind_cpu = kind_cpu(ev->kind, ev->u.sched_switch.prev_state != 0, ev->cpu);
		r.a = ev->u.sched_switch.prev_tid;
		r.b = ev->u.sched_switch.next_tid;
		r.c = intern(s, ev->u.sched_switch.prev_comm);
		r.d = intern(s, ev->u.sched_switch.next_comm);
		break;
	case VT_SCHED_WAKEUP:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = ev->u.sched_wakeup.tid;
		r.b = ev->u.sched_wakeup.target_cpu;
		r.c = intern(s, ev->u.sched_wakeup.comm);
		break;
	case VT_KVM_ENTRY:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = (int32_t)ev->u.kvm_entry.vcpu_id;
		break;
	case VT_KVM_EXIT:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = (int32_t)ev->u.kvm_exit.vcpu_id;
		r.b = (int32_t)ev->u.kvm_exit.isa;
		r.c = (uint32_t)ev->u.kvm_exit.exit_reason;
		r.d = (uint32_t)(ev->u.kvm_exit.exit_reason >> 32);
		break;
	case VT_KVM_USERSPACE_EXIT:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = (int32_t)ev->u.userspace_exit.reason;
		r.b = ev->u.userspace_exit.err;
		break;
	case VT_PROCESS_FORK:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = ev->u.fork.child_tid;
		r.b = ev->u.fork.child_pid;
		r.c = intern(s, ev->u.fork.child_comm);
		break;
	case VT_PROCESS_EXIT:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = ev->u.exit.tid;
		r.c = intern(s, ev->u.exit.comm);
		break;
	case VT_SOFTIRQ_ENTRY: /* a tick inside a softirq is not guest time */
	case VT_SOFTIRQ_EXIT:
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = (int32_t)ev->u.softirq.vec;
		break;
	case VT_IRQ_ENTRY: /* host code on a vCPU thread: the guest has left */
	case VT_IRQ_EXIT:  /* with the entry: interrupt time, which the kernel may not charge to the thread */
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = ev->u.irq.irq;
		break;
	case VT_TIMER_EXPIRE: /* the host's ticks, for the kernel-accounting check */
		r.kind_cpu = kind_cpu(ev->kind, 0, ev->cpu);
		r.a = (int32_t)(uint32_t)ev->u.timer.timer;
		r.b = (int32_t)(uint32_t)(ev->u.timer.timer >> 32);
		r.c = (uint32_t)ev->u.timer.function;
		r.d = (uint32_t)(ev->u.timer.function >> 32);
		break;
	default:
		if (!first)
			return;
		r.kind_cpu = kind_cpu(VT_OTHER, 0, ev->cpu);
		break;
	}
	put(s, t, &r);
}

void vt_spill_end(struct vt_spill *s, size_t trace, uint64_t last_ns)
{
	if (s->failed)
		return;
	struct vt_spill_trace *t = trace_of(s, trace);
	if (!t) {
		fail(s, "out of memory");
		return;
	}
	if (t->started) {
		struct vt_spill_record r = {.ts = last_ns, .kind_cpu = kind_cpu(VT_OTHER, 0, -1), .tid = -1};
		put(s, t, &r);
	}
	flush(s, t);
	free(t->block); /* written: no more memory for it */
	t->block = NULL;
	free(t->cpu_seen);
	t->cpu_seen = NULL;
	t->ncpu_bytes = 0;
}

void vt_spill_forget(struct vt_spill *s, size_t first)
{
	for (size_t i = first; i < s->ntraces; i++) {
		struct vt_spill_trace *t = &s->traces[i];
		free(t->block);
		free(t->blocks);
		free(t->cpu_seen);
		memset(t, 0, sizeof(*t)); /* its blocks stay in the file, unread */
	}
}

int vt_spill_status(const struct vt_spill *s, struct vt_error *err)
{
	if (!s->failed)
		return 0;
	return vt_error_set(err, "%s", s->why);
}

void vt_spill_decode(const struct vt_spill *s, size_t trace, const struct vt_spill_record *r, struct vt_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = r->ts;
	ev->trace = (uint32_t)trace;
	ev->kind = (enum vt_kind)(r->kind_cpu & 0x7f);
	ev->cpu = (int32_t)(r->kind_cpu >> 8) - 1;
	ev->tid = r->tid;
	ev->pid = VT_NO_TID;
	const char *c = r->c < s->nstrings ? s->strings[r->c] : NULL;
	const char *d = r->d < s->nstrings ? s->strings[r->d] : NULL;
	switch (ev->kind) {
	case VT_SCHED_SWITCH:
		ev->u.sched_switch.prev_tid = r->a;
		ev->u.sched_switch.next_tid = r->b;
		ev->u.sched_switch.prev_state = (r->kind_cpu & 0x80) ? 1 : 0;
		ev->u.sched_switch.prev_comm = c;
		ev->u.sched_switch.next_comm = d;
		break;
	case VT_SCHED_WAKEUP:
		ev->u.sched_wakeup.tid = r->a;
		ev->u.sched_wakeup.target_cpu = r->b;
		ev->u.sched_wakeup.comm = c;
		break;
	case VT_KVM_ENTRY:
		ev->u.kvm_entry.vcpu_id = (uint32_t)r->a;
		break;
	case VT_KVM_USERSPACE_EXIT:
		ev->u.userspace_exit.reason = (uint32_t)r->a;
		ev->u.userspace_exit.err = r->b;
		break;
	case VT_PROCESS_FORK:
		ev->u.fork.child_tid = r->a;
		ev->u.fork.child_pid = r->b;
		ev->u.fork.child_comm = c;
		break;
	case VT_PROCESS_EXIT:
		ev->u.exit.tid = r->a;
		ev->u.exit.comm = c;
		break;
	case VT_KVM_EXIT:
		ev->u.kvm_exit.vcpu_id = (uint32_t)r->a;
		ev->u.kvm_exit.isa = (uint32_t)r->b;
		ev->u.kvm_exit.exit_reason = (uint64_t)r->c | (uint64_t)r->d << 32;
		break;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		ev->u.softirq.vec = (uint32_t)r->a;
		break;
	case VT_IRQ_ENTRY:
	case VT_IRQ_EXIT:
		ev->u.irq.irq = r->a;
		break;
	case VT_TIMER_EXPIRE:
		ev->u.timer.timer = (uint64_t)(uint32_t)r->a | (uint64_t)(uint32_t)r->b << 32;
		ev->u.timer.function = (uint64_t)r->c | (uint64_t)r->d << 32;
		break;
	default:
		break;
	}
}

long vt_spill_read_block(const struct vt_spill *s, size_t t, size_t b, struct vt_spill_record *buf)
{
	const struct vt_spill_block *blk = &s->traces[t].blocks[b];
	size_t size = blk->records * sizeof(*buf);
	char *p = (char *)buf;
	for (size_t done = 0; done < size;) {
		ssize_t r = pread(s->fd, p + done, size - done, (off_t)(blk->offset + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return (long)blk->records;
}

void vt_spill_free(struct vt_spill *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntraces; i++) {
		free(s->traces[i].block);
		free(s->traces[i].blocks);
		free(s->traces[i].cpu_seen);
	}
	free(s->traces);
	for (size_t i = 1; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->index);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
