#include "sync/messages.h"
#include "common/tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A key seen again on one trace within this is the same packet passing a
 * bridge (tap, then br0); later, it is another packet with the same key (a
 * retransmit, a window update repeating seq, ack and flags): which of the
 * other side's ends belongs to which is unknown, so the message is dropped. */
#define VT_MSG_SAME_PACKET_NS 1000000

/* Returns 0, or -1 when the key is ambiguous on this trace. */
static int add_end(struct vt_msg_end *ends, uint8_t *n, size_t trace, int32_t tid, int64_t ts)
{
	for (uint8_t i = 0; i < *n; i++)
		if (ends[i].trace == trace) /* the first occurrence on a trace counts (bridges) */
			return ts - ends[i].ts > VT_MSG_SAME_PACKET_NS ? -1 : 0;
	if (*n < VT_MSG_ENDS)
		ends[(*n)++] = (struct vt_msg_end){(uint32_t)trace, tid, ts};
	return 0;
}


/* The message key of an event, and whether it is the send; 0 when the event
 * is no end of a message. */
static int key_of(const struct vt_event *ev, struct vt_msg_key *out, int *send)
{
	struct vt_msg_key key;
	int is_send;
	switch (ev->kind) {
	case VT_NET_SEND:
	case VT_NET_RECV:
		if (!ev->u.net.has_key)
			return 0;
		key.a = (uint64_t)ev->u.net.key.seq << 32 | ev->u.net.key.ack_seq;
		key.b = (uint64_t)ev->u.net.key.flags << 2 | VT_MSG_TCP;
		is_send = ev->kind == VT_NET_SEND;
		break;
	/* guest → host: the guest's event before the hypercall, the host's on it */
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_GH_HOST:
		key.a = ev->u.vmsync.vm_uid;
		key.b = ev->u.vmsync.cnt << 2 | VT_MSG_VMSYNC_GH;
		is_send = ev->kind == VT_VMSYNC_GH_GUEST;
		break;
	/* host → guest: the host's event at the next entry, the guest's after it */
	case VT_VMSYNC_HG_HOST:
	case VT_VMSYNC_HG_GUEST:
		key.a = ev->u.vmsync.vm_uid;
		key.b = ev->u.vmsync.cnt << 2 | VT_MSG_VMSYNC_HG;
		is_send = ev->kind == VT_VMSYNC_HG_HOST;
		break;
	default:
		return 0;
	}
	*out = key;
	*send = is_send;
	return 1;
}

static void add(struct vt_msg_table *t, const struct vt_msg_key *key, int is_send, size_t trace, int32_t tid,
		int64_t ts)
{
	struct vt_msg *m = lookup(t, key);
	if (!m)
		return;
	if (add_end(is_send ? m->send : m->recv, is_send ? &m->nsend : &m->nrecv, trace, tid, ts) < 0)
		m->used = 2; /* ambiguous: kept (its key stays taken) but never matched */
}

void vt_msg_table_feed(struct vt_msg_table *t, size_t trace, const struct vt_event *ev)
{
	struct vt_msg_key key;
	int is_send = 0;
	if (key_of(ev, &key, &is_send))
		add(t, &key, is_send, trace, ev->tid, (int64_t)ev->ts_ns);
}

void vt_msg_table_free(struct vt_msg_table *t)
{
	free(t->slots);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

/* --- the store: ends logged to a file, matched by partitions ---------------- */

/* Messages a partition may hold: a few MB whatever the traces' length. */
#define PARTITION_MESSAGES 40000
#define LOG_RECORDS 4096

struct end_record {
	struct vt_msg_key key;
	uint32_t trace;
	int32_t tid;
	int64_t ts;
	uint64_t send;
};

struct vt_msg_log {
	int fd;
	uint64_t records; /* written or buffered */
	uint64_t size;    /* bytes written */
	struct end_record buf[LOG_RECORDS];
	size_t fill;
	int failed; /* an errno */
	char why[600];
};

static struct vt_msg_log *log_new(void)
{
	struct vt_msg_log *log = calloc(1, sizeof(*log));
	if (!log)
		return NULL;
	log->fd = vt_tmpfile("messages", NULL, 0);
	if (log->fd < 0) {
		free(log);
		return NULL;
	}
	return log;
}

static void log_flush(struct vt_msg_log *log)
{
	size_t size = log->fill * sizeof(*log->buf);
	if (!log->failed)
		log->failed = vt_pwrite_all(log->fd, log->buf, size, log->size);
	log->size += size;
	log->fill = 0;
}

const char *vt_msg_store_error(const struct vt_msg_store *s)
{
	if (s->log && s->log->fill && !s->log->failed)
		log_flush(s->log);
	if (!s->log || !s->log->failed)
		return NULL;
	return vt_tmpdir_error(s->log->failed, s->log->why, sizeof(s->log->why));
}

void vt_msg_store_feed(struct vt_msg_store *s, size_t trace, const struct vt_event *ev)
{
	struct vt_msg_key key;
	int is_send = 0;
	if (key_of(ev, &key, &is_send))
		vt_msg_store_put(s, &key, is_send, trace, ev->tid, (int64_t)ev->ts_ns);
}

void vt_msg_store_put(struct vt_msg_store *s, const struct vt_msg_key *k, int is_send, size_t trace, int32_t tid,
		      int64_t ts)
{
	struct vt_msg_key key = *k;
	if (!s->log && !s->no_log && !(s->log = log_new()))
		s->no_log = 1; /* no temporary file: all in memory */
	if (!s->log) {
		add(&s->mem, &key, is_send, trace, tid, ts);
		return;
	}
	s->log->buf[s->log->fill++] = (struct end_record){key, (uint32_t)trace, tid, ts, (uint64_t)is_send};
	s->log->records++;
	if (s->log->fill == LOG_RECORDS)
		log_flush(s->log);
}

static int each_in(const struct vt_msg_table *t, void (*fn)(void *ctx, const struct vt_msg *m), void *ctx)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->slots[i].used == 1)
			fn(ctx, &t->slots[i]);
	return t->oom ? -1 : 0;
}

int vt_msg_store_each(const struct vt_msg_store *s, void (*fn)(void *ctx, const struct vt_msg *m), void *ctx)
{
	struct vt_msg_log *log = s->log;
	if (!log)
		return each_in(&s->mem, fn, ctx);
	if (log->fill)
		log_flush(log);
	if (log->failed)
		return -1;
	uint64_t parts = log->records / PARTITION_MESSAGES + 1;
	struct end_record *buf = malloc(LOG_RECORDS * sizeof(*buf));
	if (!buf)
		return -1;
	int rc = 0;
	for (uint64_t p = 0; p < parts && rc == 0; p++) {
		/* The ends of this partition's keys, in the order they came: the
		 * first occurrence on each trace still counts. */
		struct vt_msg_table t = {0};
		for (uint64_t off = 0; off < log->size && rc == 0;) {
			size_t want = log->size - off < LOG_RECORDS * sizeof(*buf) ? (size_t)(log->size - off)
										  : LOG_RECORDS * sizeof(*buf);
			ssize_t r = pread(log->fd, buf, want, (off_t)off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0 || (size_t)r % sizeof(*buf)) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < (size_t)r / sizeof(*buf); k++) {
				const struct end_record *e = &buf[k];
				if ((mix(e->key.a ^ mix(e->key.b)) >> 40) % parts == p)
					add(&t, &e->key, (int)e->send, e->trace, e->tid, e->ts);
			}
			off += (uint64_t)r;
		}
		if (rc == 0)
			rc = each_in(&t, fn, ctx);
		vt_msg_table_free(&t);
	}
	free(buf);
	return rc;
}

void vt_msg_store_free(struct vt_msg_store *s)
{
	vt_msg_table_free(&s->mem);
	if (s->log) {
		close(s->log->fd);
		free(s->log);
	}
	memset(s, 0, sizeof(*s));
}
