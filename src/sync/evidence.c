/* Sync's first pass: the events each method needs, gathered while the
 * traces are read once, and the questions identification and the exporters
 * ask of them (receiving threads, message pairs, containment scores). */
#include <stdlib.h>

#include "sync/method.h"
#include "vmtrace/sync_pairs.h"

struct vt_sync *vt_sync_new(struct vt_error *err)
{
	struct vt_sync *s = calloc(1, sizeof(*s));
	if (!s)
		vt_error_set_cause(err, VT_ERR_NOMEM, "sync: out of memory");
	return s;
}

void vt_sync_ignore_pings(struct vt_sync *s)
{
	s->off |= 1u << VT_SYNC_PING;
}

void vt_sync_skip_containment(struct vt_sync *s)
{
	s->off |= 1u << VT_SYNC_CONTAINMENT;
}

void vt_sync_ping_counts(const struct vt_sync *s, uint64_t *guest_pings, uint64_t *host_pings)
{
	*guest_pings = s->ping.pings_out;
	*host_pings = s->ping.pings_host;
}

/* The messages serve every message-based method and identification: always
 * kept. Then each method's own evidence, unless it is switched off. */
void vt_sync_feed(struct vt_sync *s, size_t trace, const struct vt_event *ev)
{
	if (ev->kind >= VT_NET_SEND && ev->kind <= VT_VMSYNC_HG_HOST)
		vt_msg_store_feed(&s->msgs, trace, ev);
	for (size_t i = 0; i < vt_sync_nmethods; i++) {
		const struct vt_sync_method_ops *ops = vt_sync_methods[i];
		if (ops->feed && !(s->off & (1u << ops->id)))
			ops->feed(s, trace, ev);
	}
}

void vt_sync_free(struct vt_sync *s)
{
	if (!s)
		return;
	vt_msg_store_free(&s->msgs);
	vt_containment_free(&s->windows);
	vt_ping_feed_free(&s->ping);
	free(s);
}

struct receiving {
	const struct vt_machines *m;
	size_t guest, *host_trace;
	int32_t *tids;
	size_t n, cap;
	int found, oom;
};

static void receiving_one(void *ctx, const struct vt_msg *msg)
{
	struct receiving *c = ctx;
	const struct vt_machines *m = c->m;
	for (uint8_t x = 0; x < msg->nsend; x++) {
		if (msg->send[x].trace >= m->ntraces || m->trace_machine[msg->send[x].trace] != c->guest)
			continue;
		for (uint8_t y = 0; y < msg->nrecv; y++) {
			const struct vt_msg_end *r = &msg->recv[y];
			if (r->trace >= m->ntraces)
				continue;
			size_t mr = m->trace_machine[r->trace];
			if (m->machines[mr].role != VT_ROLE_HOST || r->tid <= 0 ||
			    (c->found && r->trace != *c->host_trace))
				continue;
			if (c->n == c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 256;
				int32_t *t = c->oom ? NULL : realloc(c->tids, cap * sizeof(*t));
				if (!t) {
					c->oom = 1;
					return;
				}
				c->tids = t;
				c->cap = cap;
			}
			c->tids[c->n++] = r->tid;
			*c->host_trace = r->trace;
			c->found = 1;
		}
	}
}

size_t vt_sync_receiving_threads(const struct vt_sync *s, const struct vt_machines *m, size_t guest, size_t *host_trace,
				 int32_t **tids)
{
	struct receiving c = {.m = m, .guest = guest, .host_trace = host_trace};
	vt_msg_store_each(&s->msgs, receiving_one, &c);
	*tids = c.tids;
	return c.n;
}

struct pairing {
	void (*fn)(void *ctx, const struct vt_msg_pair *pair);
	void *ctx;
	size_t n;
};

static void pair_one(void *ctx, const struct vt_msg *msg)
{
	struct pairing *c = ctx;
	for (uint8_t a = 0; a < msg->nsend; a++)
		for (uint8_t b = 0; b < msg->nrecv; b++) {
			if (msg->send[a].trace == msg->recv[b].trace)
				continue;
			struct vt_msg_pair p = {msg->send[a].trace,   msg->recv[b].trace, msg->send[a].tid,
						msg->recv[b].tid,     msg->send[a].ts,    msg->recv[b].ts,
						(msg->key.b & 3) != 0};
			c->fn(c->ctx, &p);
			c->n++;
		}
}

size_t vt_sync_message_pairs(const struct vt_sync *s, void (*fn)(void *ctx, const struct vt_msg_pair *pair), void *ctx)
{
	struct pairing c = {fn, ctx, 0};
	vt_msg_store_each(&s->msgs, pair_one, &c);
	return c.n;
}

int vt_sync_containment_score(const struct vt_sync *s, const struct vt_machines *m, size_t guest, size_t host_trace,
			      const struct vt_vcpu_map *vcpus, size_t nvcpus, size_t *explained, size_t *events)
{
	const struct vt_machine *g = &m->machines[guest];
	struct vt_transform identity = {1, 0, 0};
	struct vt_containment_result res;
	if (vt_containment_solve(&s->windows, g->traces, g->ntraces, &host_trace, 1, vcpus, nvcpus, &identity, 0, &res))
		return -1;
	*explained = res.explained;
	*events = res.events;
	return 0;
}
