/* The ping's messages (see ping.h). Host events come in each trace's order;
 * only hypercall exits, ping hypercalls and, while a ping awaits it, entries
 * touch the table, so the cost on the other events is one comparison. */
#include "sync/ping.h"

#include <stdlib.h>
#include <string.h>

struct vt_ping_thread {
	uint64_t key;    /* trace << 33 | tid-or-cpu << 1 | 1 (0: empty) */
	int64_t exit_ts; /* the last hypercall exit, -1 none */
	int awaiting;
	struct vt_ping ping;
};

/* A hostile trace naming millions of threads gets this many, no more. */
#define MAX_THREADS (1u << 20)
/* A hypercall further than this from its exit is not that exit's. */
#define EXIT_TO_CALL_NS 1000000

static uint64_t thread_key(size_t trace, const struct vt_event *ev)
{
	uint64_t who = ev->tid != VT_NO_TID ? (uint64_t)(uint32_t)ev->tid : (uint64_t)(uint32_t)ev->cpu | 1ull << 31;
	return (uint64_t)trace << 33 | who << 1 | 1;
}

static size_t slot_of(uint64_t key, size_t cap)
{
	key *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(key ^ key >> 32) & (cap - 1);
}

static int grow(struct vt_ping_feed *f)
{
	size_t cap = f->cap ? f->cap * 2 : 64;
	struct vt_ping_thread *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < f->cap; i++) {
		if (!f->slots[i].key)
			continue;
		size_t h = slot_of(f->slots[i].key, cap);
		while (slots[h].key)
			h = (h + 1) & (cap - 1);
		slots[h] = f->slots[i];
	}
	free(f->slots);
	f->slots = slots;
	f->cap = cap;
	return 0;
}

/* The thread's slot; with add, made when absent. NULL: absent, full or out of memory. */
static struct vt_ping_thread *find(struct vt_ping_feed *f, uint64_t key, int add)
{
	if (f->cap) {
		for (size_t h = slot_of(key, f->cap);; h = (h + 1) & (f->cap - 1)) {
			if (f->slots[h].key == key)
				return &f->slots[h];
			if (!f->slots[h].key)
				break;
		}
	}
	if (!add || f->count >= MAX_THREADS || ((f->count + 1) * 2 > f->cap && grow(f)))
		return NULL;
	size_t h = slot_of(key, f->cap);
	while (f->slots[h].key)
		h = (h + 1) & (f->cap - 1);
	f->slots[h] = (struct vt_ping_thread){key, -1, 0, {0, 0}};
	f->count++;
	return &f->slots[h];
}

static struct vt_msg_key key_of(const struct vt_ping *p, int host_to_guest)
{
	return (struct vt_msg_key){p->session, p->seq << 3 | (uint64_t)host_to_guest << 2 | VT_MSG_PING};
}

void vt_ping_feed(struct vt_ping_feed *f, struct vt_msg_store *msgs, size_t trace, const struct vt_event *ev)
{
	struct vt_ping_thread *t;
	struct vt_msg_key key;
	int64_t ts = (int64_t)ev->ts_ns;
	switch (ev->kind) {
	case VT_PING_OUT:
		key = key_of(&ev->u.ping, 0);
		vt_msg_store_put(msgs, &key, 1, trace, ev->tid, ts);
		f->pings_out++;
		break;
	case VT_PING_BACK:
		key = key_of(&ev->u.ping, 1);
		vt_msg_store_put(msgs, &key, 0, trace, ev->tid, ts);
		break;
	case VT_KVM_EXIT:
		if (vt_exit_is_hypercall(ev->u.kvm_exit.isa, ev->u.kvm_exit.exit_reason) &&
		    (t = find(f, thread_key(trace, ev), 1)))
			t->exit_ts = ts;
		break;
	case VT_KVM_HYPERCALL: {
		if (ev->u.hypercall.nr != VT_PING_HYPERCALL)
			break;
		struct vt_ping p = {ev->u.hypercall.a1, ev->u.hypercall.a0};
		f->pings_host++;
		t = find(f, thread_key(trace, ev), 1);
		/* received at the exit into it when that exit is known: the tighter bound */
		int64_t at = t && t->exit_ts >= 0 && t->exit_ts <= ts && ts - t->exit_ts < EXIT_TO_CALL_NS ? t->exit_ts : ts;
		key = key_of(&p, 0);
		vt_msg_store_put(msgs, &key, 0, trace, ev->tid, at);
		if (t) {
			t->exit_ts = -1;
			if (!t->awaiting)
				f->awaiting++;
			t->awaiting = 1;
			t->ping = p;
		}
		break;
	}
	case VT_KVM_ENTRY:
		if (!f->awaiting || !(t = find(f, thread_key(trace, ev), 0)) || !t->awaiting)
			break;
		key = key_of(&t->ping, 1);
		vt_msg_store_put(msgs, &key, 1, trace, ev->tid, ts);
		t->awaiting = 0;
		f->awaiting--;
		break;
	default:
		break;
	}
}

void vt_ping_feed_free(struct vt_ping_feed *f)
{
	free(f->slots);
	memset(f, 0, sizeof(*f));
}
