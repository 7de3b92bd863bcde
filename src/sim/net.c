/* TCP-like messages. Each flow sends at Poisson times; a guest sends from one
 * of its vCPUs while in guest mode, the host from its own sender thread. A
 * message arrives after the flow's latency (plus jitter) in true time: in a
 * guest it is received after the next entry of the flow's vCPU (an interrupt),
 * on the host by the sending guest's QEMU thread (tap). Keys (seq, ack_seq,
 * flags) are unique per message. */
#include "sim/emit.h"

#include <stdio.h>
#include <stdlib.h>

#define TCP_PSH_ACK 0x18

/* Out of memory marks the run failed (vt_sim_run reports it); the item is lost. */
void vt_sim_msgq_push(struct sim *s, struct msgq *q, uint32_t v)
{
	if (q->len == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 16;
		uint32_t *n = realloc(q->v, cap * sizeof(*n));
		if (!n) {
			s->q.oom = 1;
			return;
		}
		q->v = n;
		q->cap = cap;
	}
	q->v[q->len++] = v;
}

static uint32_t msg_alloc(struct sim *s)
{
	if (s->free_msg != UINT32_MAX) {
		uint32_t id = s->free_msg;
		s->free_msg = s->msgs[id].next_free;
		return id;
	}
	if (s->nmsgs == s->cap_msgs) {
		uint32_t cap = s->cap_msgs ? s->cap_msgs * 2 : 256;
		struct msg *m = realloc(s->msgs, cap * sizeof(*m));
		if (!m) {
			s->q.oom = 1;
			return UINT32_MAX;
		}
		s->msgs = m;
		s->cap_msgs = cap;
	}
	return s->nmsgs++;
}

void vt_sim_net_start(struct sim *s)
{
	for (uint32_t i = 0; i < s->nflows; i++) {
		struct flow *f = &s->flows[i];
		vt_sim_queue_push(&s->q, s->t0 + vt_sim_rng_exp(&s->rng, 1e9 / f->sc->rate_hz), Q_FLOW_SEND, f, 0);
	}
}

void vt_sim_net_on_send_due(struct sim *s, struct flow *f)
{
	uint64_t t = s->now;
	vt_sim_queue_push(&s->q, t + vt_sim_rng_exp(&s->rng, 1e9 / f->sc->rate_hz), Q_FLOW_SEND, f, 0);
	/* Only in the flow's time, and nobody sends to or from a guest that is not running. */
	if (t < s->t0 + f->sc->from_ns || (f->sc->until_ns && t >= s->t0 + f->sc->until_ns) ||
	    (f->sc->from && !vt_sim_guest_alive(&s->guests[f->sc->from - 1])) ||
	    (f->sc->to && !vt_sim_guest_alive(&s->guests[f->sc->to - 1])))
		return;
	uint32_t id = msg_alloc(s);
	if (id == UINT32_MAX)
		return;
	struct msg *m = &s->msgs[id];
	uint64_t n = s->msg_ids++;
	*m = (struct msg){
		.flow = f->index,
		.seq = f->isn + f->count * f->sc->len,
		.ack_seq = f->ack_isn + (uint32_t)n,
		.flags = TCP_PSH_ACK,
		.sport = (uint16_t)(f->sc->from == 0 ? 80 : 40000 + f->index),
		.dport = (uint16_t)(f->sc->from == 0 ? 40000 + f->index : f->sc->to == 0 ? 80 : 5201),
		.len = f->sc->len,
		.id = n,
	};
	f->count++;
	if (f->sc->from == 0) {
		vt_sim_msgq_push(s, &f->netd->queue, id);
		vt_sim_host_wake(s, f->netd, t);
	} else {
		struct guest *g = &s->guests[f->sc->from - 1];
		struct vcpu *v = &g->vcpus[f->index % g->sc->vcpus];
		vt_sim_msgq_push(s, &v->send, id);
		vt_sim_vcpu_kick(s, v, t);
	}
}

void vt_sim_net_emit_send(struct sim *s, struct machine *m, uint32_t cpu, const uint8_t *ctx, uint32_t id,
		   uint64_t t)
{
	struct msg *msg = &s->msgs[id];
	const struct sc_flow *f = s->flows[msg->flow].sc;
	vt_sim_emit_net(s, m, cpu, t, ctx, EVID_NET_TX, msg, m->guest ? "eth0" : "virbr0", 1);
	msg->send_t = t;
	uint64_t lat = f->latency_ns + (f->jitter_ns ? vt_sim_rng_exp(&s->rng, (double)f->jitter_ns) : 0);
	vt_sim_queue_push(&s->q, t + lat, Q_NET_ARRIVE, NULL, id);
}

void vt_sim_net_on_arrive(struct sim *s, uint32_t id)
{
	struct msg *msg = &s->msgs[id];
	const struct flow *f = &s->flows[msg->flow];
	/* A message for a guest that stopped (or whose QEMU is gone) is lost. */
	if ((f->sc->to && !vt_sim_guest_alive(&s->guests[f->sc->to - 1])) ||
	    (!f->sc->to && s->guests[f->sc->from - 1].life == G_GONE)) {
		msg->next_free = s->free_msg;
		s->free_msg = id;
		return;
	}
	if (f->sc->to == 0) {
		struct hthread *q = s->guests[f->sc->from - 1].qemu;
		vt_sim_msgq_push(s, &q->queue, id);
		vt_sim_host_wake(s, q, s->now);
		return;
	}
	struct guest *g = &s->guests[f->sc->to - 1];
	struct vcpu *v = &g->vcpus[f->index % g->sc->vcpus];
	vt_sim_msgq_push(s, &v->recv, id);
	vt_sim_vcpu_interrupt(s, v, s->now);
}

/* A host service thread got the pCPU: it handles everything queued for it. */
void vt_sim_net_service_run(struct sim *s, struct hthread *th, uint64_t t)
{
	struct machine *host = &s->machines[0];
	struct guest *g = th->guest;
	if (g && g->spawn_pending)
		vt_sim_qemu_spawn_vcpus(s, g, t);
	uint32_t n = th->queue.len;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = th->queue.v[i];
		if (th->role == HR_NETD) {
			vt_sim_net_emit_send(s, host, th->cpu, th->ctx, id, t);
			continue;
		}
		vt_sim_emit_softirq(s, host, th->cpu, t, th->ctx, EVID_SOFTIRQ_ENTRY, 3 /* NET_RX */);
		char tap[16]; /* the guest's tap, as libvirt names them */
		snprintf(tap, sizeof(tap), "vnet%u", g ? g->index - 1 : 0);
		vt_sim_emit_net(s, host, th->cpu, t, th->ctx, EVID_NET_RX, &s->msgs[id], tap, 0);
		vt_sim_emit_softirq(s, host, th->cpu, t, th->ctx, EVID_SOFTIRQ_EXIT, 3);
		s->msgs[id].next_free = s->free_msg;
		s->free_msg = id;
		s->delivered++;
	}
	th->queue.len = 0;
	if (g && g->life == G_STOPPING && !g->vcpus_alive) {
		vt_sim_emit_ust_guest_destroyed(s, t, g);
		vt_sim_emit_exit(s, host, th->cpu, t, th->ctx);
		g->life = G_GONE;
		g->end_t = t;
		vt_sim_host_exit_thread(s, &s->cpus[th->cpu], t);
		return;
	}
	th->work_left = SERVICE_NS * (n ? n : 1);
	vt_sim_queue_push(&s->q, t + th->work_left, Q_HT_DONE, th, th->gen);
}
