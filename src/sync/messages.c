#include "sync/messages.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x;
}

static size_t slot_of(const struct vt_msg_table *t, const struct vt_msg_key *k)
{
	return (size_t)(mix(k->a ^ mix(k->b)) & (t->cap - 1));
}

static int grow(struct vt_msg_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	uint32_t *index = calloc(cap, sizeof(*index));
	if (!index)
		return -1;
	struct vt_msg_table bigger = *t;
	bigger.index = index;
	bigger.cap = cap;
	for (size_t i = 0; i < t->count; i++) {
		size_t h = slot_of(&bigger, &t->slots[i].key);
		while (index[h])
			h = (h + 1) & (cap - 1);
		index[h] = (uint32_t)(i + 1);
	}
	free(t->index);
	*t = bigger;
	return 0;
}

static struct vt_msg *lookup(struct vt_msg_table *t, const struct vt_msg_key *k)
{
	if ((t->count + 1) * 2 > t->cap && grow(t)) {
		t->oom = 1;
		return NULL;
	}
	size_t h = slot_of(t, k);
	while (t->index[h]) {
		struct vt_msg *m = &t->slots[t->index[h] - 1];
		if (m->key.a == k->a && m->key.b == k->b)
			return m;
		h = (h + 1) & (t->cap - 1);
	}
	if (t->count == t->room) {
		size_t room = t->room ? t->room * 2 : 4096;
		struct vt_msg *slots = realloc(t->slots, room * sizeof(*slots));
		if (!slots || room > UINT32_MAX) {
			free(slots == t->slots ? NULL : slots);
			t->oom = 1;
			return NULL;
		}
		t->slots = slots;
		t->room = room;
	}
	struct vt_msg *m = &t->slots[t->count];
	memset(m, 0, sizeof(*m));
	m->used = 1;
	m->key = *k;
	t->index[h] = (uint32_t)(++t->count);
	return m;
}

static void add_end(struct vt_msg_end *ends, uint8_t *n, size_t trace, int32_t tid, int64_t ts)
{
	for (uint8_t i = 0; i < *n; i++)
		if (ends[i].trace == trace)
			return; /* first occurrence on a trace counts (retransmits, bridges) */
	if (*n < VT_MSG_ENDS)
		ends[(*n)++] = (struct vt_msg_end){(uint32_t)trace, tid, ts};
}

enum { KEY_TCP = 0, KEY_VMSYNC_GH = 1, KEY_VMSYNC_HG = 2 };

void vt_msg_table_feed(struct vt_msg_table *t, size_t trace, const struct vt_event *ev)
{
	struct vt_msg_key key;
	int is_send;
	switch (ev->kind) {
	case VT_NET_SEND:
	case VT_NET_RECV:
		if (!ev->u.net.has_key)
			return;
		key.a = (uint64_t)ev->u.net.key.seq << 32 | ev->u.net.key.ack_seq;
		key.b = (uint64_t)ev->u.net.key.flags << 2 | KEY_TCP;
		is_send = ev->kind == VT_NET_SEND;
		break;
	/* guest → host: the guest's event before the hypercall, the host's on it */
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_GH_HOST:
		key.a = ev->u.vmsync.vm_uid;
		key.b = ev->u.vmsync.cnt << 2 | KEY_VMSYNC_GH;
		is_send = ev->kind == VT_VMSYNC_GH_GUEST;
		break;
	/* host → guest: the host's event at the next entry, the guest's after it */
	case VT_VMSYNC_HG_HOST:
	case VT_VMSYNC_HG_GUEST:
		key.a = ev->u.vmsync.vm_uid;
		key.b = ev->u.vmsync.cnt << 2 | KEY_VMSYNC_HG;
		is_send = ev->kind == VT_VMSYNC_HG_HOST;
		break;
	default:
		return;
	}
	struct vt_msg *m = lookup(t, &key);
	if (!m)
		return;
	if (is_send)
		add_end(m->send, &m->nsend, trace, ev->tid, (int64_t)ev->ts_ns);
	else
		add_end(m->recv, &m->nrecv, trace, ev->tid, (int64_t)ev->ts_ns);
}

void vt_msg_table_free(struct vt_msg_table *t)
{
	free(t->slots);
	free(t->index);
	memset(t, 0, sizeof(*t));
}
