/* vt_sim_run: builds the world (world.c), opens the traces, runs the agenda to
 * the end of the traced interval, closes the traces and writes truth.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporters/ctf2_metadata.h"
#include "sim/emit.h"
#include "sim/meta.h"
#include "sim/truth.h"

/* A trace's writer, its metadata t (freed here) written as CTF 1.8, or with
 * --format ctf2 converted to CTF 2 from the same TSDL, laid out as LTTng 2.14
 * writes it: the data streams are the same bytes either way. */
static struct vt_ctf_writer *open_writer(struct sim *s, const char *dir, const uint8_t uuid[16], struct vt_ctf_text *t,
					 uint32_t nstreams, size_t packet_size, uint64_t begin, struct vt_error *err)
{
	struct vt_ctf_writer *w = NULL;
	if (!s->opt->ctf2) {
		w = vt_ctf_writer_open(dir, uuid, t->buf, t->len, nstreams, "chan_", packet_size, begin, err);
		vt_ctf_text_free(t);
		return w;
	}
	char name[4200];
	size_t len;
	snprintf(name, sizeof(name), "%s/metadata", dir);
	char *json = vt_ctf2_metadata_convert(t->buf, t->len, name, VT_CTF2_LTTNG_214, &len, err);
	vt_ctf_text_free(t);
	if (json)
		w = vt_ctf_writer_open_ctf2(dir, uuid, json, len, nstreams, "chan_", packet_size, begin, err);
	free(json);
	return w;
}

static int open_writers(struct sim *s, const char *outdir, struct vt_error *err)
{
	for (uint32_t i = 0; i < s->nmachines; i++) {
		struct machine *m = &s->machines[i];
		const char *release = m->guest ? m->guest->sc->kernel_release : s->sc->host_kernel_release;
		int vmsync = 0;
		for (uint32_t g = 0; g < s->nguests; g++)
			vmsync |= (m->guest ? m->guest == &s->guests[g] : 1) && s->guests[g].sc->vmsync_period_ns &&
				  !s->guests[g].sc->ping;
		struct vt_ctf_text t = {0};
		if (vt_sim_kernel_metadata(&t, m, release, s->t0, !m->guest, vmsync, !m->guest && s->sc->tick_events)) {
			vt_ctf_text_free(&t);
			return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", outdir);
		}
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/%s/kernel", outdir, m->name);
		uint64_t from = m->guest ? m->guest->start_t : s->t0;
		if (from < s->t_snap)
			from = s->t_snap; /* a snapshot's packets begin with its window */
		uint64_t begin = vt_sim_machine_epoch_ns(s, m, from) - m->clock_offset_ns;
		m->writer = open_writer(s, dir, m->trace_uuid, &t, m->ncpus, s->sc->packet_size, begin, err);
		int rc = m->writer ? 0 : -1;
		if (rc)
			return -1;
		m->streams = calloc(m->ncpus, sizeof(*m->streams));
		if (!m->streams)
			return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", outdir);
		for (uint32_t c = 0; c < m->ncpus; c++)
			m->streams[c] = vt_ctf_writer_stream(m->writer, c);
		if (!s->sc->agent)
			continue;
		uint8_t uuid[16];
		vt_sim_random_uuid(s, uuid);
		struct vt_ctf_text u = {0};
		if (vt_sim_ust_metadata(&u, m, s->t0, uuid)) {
			vt_ctf_text_free(&u);
			return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", outdir);
		}
		snprintf(dir, sizeof(dir), "%s/%s/ust/uid/0/64-bit", outdir, m->name);
		m->ust = open_writer(s, dir, uuid, &u, m->ncpus, 65536, begin, err);
		rc = m->ust ? 0 : -1;
		if (rc)
			return -1;
		vt_ctf_writer_use_large_headers(m->ust);
	}
	return 0;
}

static int close_writers(struct sim *s, struct vt_error *err)
{
	int rc = 0;
	for (uint32_t i = 0; i < s->nmachines; i++) {
		struct machine *m = &s->machines[i];
		uint64_t to = m->guest ? m->guest->end_t : s->t_end;
		if (to < s->t_snap)
			to = s->t_snap; /* gone before the window: an empty trace, not one ending before it begins */
		uint64_t end = vt_sim_machine_epoch_ns(s, m, to) - m->clock_offset_ns;
		if (m->writer && vt_ctf_writer_close(m->writer, end, rc ? NULL : err))
			rc = -1;
		m->writer = NULL;
		if (m->ust && vt_ctf_writer_close(m->ust, end, rc ? NULL : err))
			rc = -1;
		m->ust = NULL;
	}
	return rc;
}

/* A write failed (a full disk): no use simulating the rest. */
static int writers_failed(const struct sim *s)
{
	for (uint32_t i = 0; i < s->nmachines; i++) {
		const struct machine *m = &s->machines[i];
		if ((m->writer && vt_ctf_writer_failed(m->writer)) || (m->ust && vt_ctf_writer_failed(m->ust)))
			return 1;
	}
	return 0;
}

/* Zeroes one accounting at the window's start; its caller has charged what
 * came before, so the interval in progress counts from the window on. */
static void acct_restart(struct acct *a)
{
	memset(a->total, 0, sizeof(a->total));
	a->niv = 0;
	a->dropped_iv = 0;
}

/* The snapshot's window opens at t: every truth total restarts from zero, so
 * that truth.json describes [t, end] as the traces do. */
static void snapshot_open(struct sim *s, uint64_t t)
{
	for (uint32_t i = 0; i < s->nhthreads; i++) {
		struct hthread *th = s->hthreads[i];
		vt_sim_host_set_state(th, th->state, t);
		memset(th->total, 0, sizeof(th->total));
	}
	for (uint32_t i = 0; i < s->nguests; i++) {
		struct guest *g = &s->guests[i];
		for (uint32_t v = 0; v < g->sc->vcpus; v++) {
			struct vcpu *vc = &g->vcpus[v];
			if (g->life != G_UNBORN && !vc->gone)
				vt_sim_vcpu_close(s, vc, t); /* charges by reason and holder too */
			vc->books_run += vc->acct.total[VS_GUEST] + vc->acct.total[VS_HYPERVISOR];
			vc->books_wait += vc->acct.total[VS_PREEMPTED];
			acct_restart(&vc->acct);
			memset(vc->hv_by_reason, 0, sizeof(vc->hv_by_reason));
			memset(vc->preempted_by, 0, (s->nhthreads + 1) * sizeof(*vc->preempted_by));
		}
		for (uint32_t k = 0; k < g->nthreads; k++) {
			if (g->life == G_RUNNING) /* else closed at the stop, or not started */
				vt_sim_acct_close(s, &g->threads[k].acct, t);
			acct_restart(&g->threads[k].acct);
		}
	}
	vt_sim_emit_books(s, t); /* a dump of vmtraced --dump-every in the snapshot's window */
	s->snap_msg_ids = s->msg_ids;
	s->snap_delivered = s->delivered;
	for (uint32_t i = 0; i < s->nflows; i++)
		s->flows[i].snap_count = s->flows[i].count;
}

static void dispatch(struct sim *s, const struct qitem *it)
{
	switch (it->type) {
	case Q_CPU_TICK: vt_sim_host_on_tick(s, it->obj, it->gen); break;
	case Q_HT_DONE: vt_sim_host_on_done(s, it->obj, it->gen); break;
	case Q_HT_WAKE: vt_sim_host_wake(s, it->obj, s->now); break;
	case Q_VCPU_STEP: vt_sim_vcpu_on_step(s, it->obj, it->gen); break;
	case Q_VCPU_EXIT: vt_sim_vcpu_on_exit(s, it->obj, it->gen); break;
	case Q_VCPU_RESUME: vt_sim_vcpu_on_resume(s, it->obj, it->gen); break;
	case Q_VCPU_EXIT_TRACE: vt_sim_vcpu_on_exit_trace(s, it->obj, it->gen); break;
	case Q_GT_WAKE: vt_sim_vcpu_on_thread_wake(s, it->obj, it->gen); break;
	case Q_VMSYNC_TIMER: vt_sim_vcpu_on_vmsync_timer(s, it->obj); break;
	case Q_FLOW_SEND: vt_sim_net_on_send_due(s, it->obj); break;
	case Q_NET_ARRIVE: vt_sim_net_on_arrive(s, it->gen); break;
	case Q_GUEST_START: vt_sim_guest_on_start(s, it->obj); break;
	case Q_GUEST_STOP: vt_sim_guest_on_stop(s, it->obj); break;
	case Q_SNAPSHOT: snapshot_open(s, s->now); break;
	}
}

static void start(struct sim *s)
{
	vt_sim_startup_host(s);
	/* Everyone starts runnable, in a fixed order. */
	for (uint32_t i = 0; i < s->nguests; i++) {
		struct guest *g = &s->guests[i];
		if (g->life == G_UNBORN)
			vt_sim_queue_push(&s->q, g->start_t, Q_GUEST_START, g, 0);
		if (g->stop_t != UINT64_MAX)
			vt_sim_queue_push(&s->q, g->stop_t, Q_GUEST_STOP, g, 0);
		for (uint32_t v = 0; g->life == G_RUNNING && v < g->sc->vcpus; v++) {
			g->vcpus[v].halted = 0;
			vt_sim_host_wake(s, g->vcpus[v].th, s->t0);
		}
	}
	for (uint32_t i = 0; i < s->nhthreads; i++) {
		struct hthread *th = s->hthreads[i];
		if (th->role == HR_HOG || th->role == HR_IO)
			vt_sim_host_wake(s, th, s->t0);
		else if (th->role == HR_PERIODIC)
			vt_sim_queue_push(&s->q, th->next_period, Q_HT_WAKE, th, 0);
	}
	for (uint32_t i = 0; i < s->nguests; i++)
		if (s->guests[i].sc->vmsync_period_ns && s->guests[i].life == G_RUNNING)
			vt_sim_queue_push(&s->q, s->guests[i].vmsync_next, Q_VMSYNC_TIMER, &s->guests[i], 0);
	vt_sim_net_start(s);
	if (s->t_snap > s->t0)
		vt_sim_queue_push(&s->q, s->t_snap, Q_SNAPSHOT, NULL, 0);
}

static void finish_accounting(struct sim *s)
{
	for (uint32_t i = 0; i < s->nhthreads; i++)
		vt_sim_host_set_state(s->hthreads[i], s->hthreads[i]->state, s->t_end);
	for (uint32_t i = 0; i < s->nguests; i++) {
		struct guest *g = &s->guests[i];
		if (g->life == G_UNBORN)
			continue;
		for (uint32_t v = 0; v < g->sc->vcpus; v++)
			if (!g->vcpus[v].gone) {
				vt_sim_vcpu_close(s, &g->vcpus[v], s->t_end);
				g->vcpus[v].alive_end = s->t_end;
			}
		if (g->life == G_RUNNING)
			for (uint32_t k = 0; k < g->nthreads; k++)
				vt_sim_acct_close(s, &g->threads[k].acct, s->t_end);
	}
}

int vt_sim_run(const struct vt_sim_scenario *sc, const struct vt_sim_options *opt,
	       struct vt_sim_stats *stats, struct vt_error *err)
{
	struct timespec w0, w1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	struct sim sim = {0}, *s = &sim;
	s->sc = sc;
	s->opt = opt;
	vt_sim_rng_seed(&s->rng, opt->has_seed ? opt->seed : sc->seed);
	s->t0 = sc->start_epoch_ns;
	s->t_end = s->t0 + (opt->duration_ns ? opt->duration_ns : sc->duration_ns);
	s->q.t0 = s->t0;
	uint64_t snap = opt->snapshot_from_ns ? opt->snapshot_from_ns : sc->snapshot_from_ns;
	if (snap >= s->t_end - s->t0)
		return vt_error_set(err, "%s: the snapshot's start (%.3f ms) is not within the traced duration (%.3f ms)",
				    sc->origin, (double)snap / 1e6, (double)(s->t_end - s->t0) / 1e6);
	s->t_snap = s->t0 + snap;
	int oom = 0, rc = -1;
	if (vt_sim_world_build(s, &oom)) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", sc->origin);
		goto out;
	}
	s->write = opt->outdir != NULL;
	if (s->write && open_writers(s, opt->outdir, err))
		goto out;
	start(s);
	struct qitem it;
	uint64_t t;
	uint64_t steps = 0;
	while (vt_sim_queue_pop(&s->q, &it, &t) && t < s->t_end) {
		s->now = t;
		dispatch(s, &it);
		if (s->write && (++steps & 0xffff) == 0 && writers_failed(s))
			break; /* close_writers says why */
	}
	if (s->q.oom) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", sc->origin);
		goto out;
	}
	vt_sim_emit_books(s, s->t_end - 1); /* vmtraced's last books, as the recording stops */
	finish_accounting(s);
	if (s->write) {
		if (close_writers(s, err))
			goto out;
		if (vt_sim_write_truth(s, opt->outdir, err))
			goto out;
	}
	rc = 0;
	if (stats) {
		clock_gettime(CLOCK_MONOTONIC, &w1);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		stats->events = s->events;
		stats->messages = s->delivered;
		stats->start_ns = s->t0;
		stats->end_ns = s->t_end;
		stats->wall_seconds = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) * 1e-9;
		stats->cpu_seconds = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
	}
out:
	vt_sim_world_free(s);
	return rc;
}
