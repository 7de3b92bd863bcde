/* vt_sim_run: builds the world from the scenario, runs the agenda to the end
 * of the traced interval, closes the traces and writes truth.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/emit.h"
#include "sim/meta.h"
#include "sim/truth.h"

static void *xcalloc(size_t n, size_t size, int *oom)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		*oom = 1;
	return p;
}

static void random_uuid(struct sim *s, uint8_t out[16])
{
	uint64_t a = vt_sim_rng_next(&s->rng), b = vt_sim_rng_next(&s->rng);
	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
	out[6] = (out[6] & 0x0f) | 0x40;
	out[8] = (out[8] & 0x3f) | 0x80;
}

static void setup_machine(struct sim *s, struct machine *m, uint32_t index, const char *name,
			  const char *hostname, const char *uuid, uint32_t ncpus)
{
	m->index = index;
	m->ncpus = ncpus;
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->hostname, sizeof(m->hostname), "%s", hostname);
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	random_uuid(s, m->trace_uuid);
	uint8_t cu[16];
	random_uuid(s, cu);
	vt_uuid_format(cu, m->clock_uuid);
	m->wander_seed = vt_sim_rng_next(&s->rng);
}

static struct hthread *new_hthread(struct sim *s, enum hrole role, int32_t tid, int32_t pid,
				   const char *comm, int *oom)
{
	struct hthread *th = xcalloc(1, sizeof(*th), oom);
	if (!th)
		return NULL;
	th->index = s->nhthreads;
	th->role = role;
	th->tid = tid;
	th->pid = pid;
	snprintf(th->comm, sizeof(th->comm), "%s", comm);
	vt_sim_ctx_make(th->ctx, tid, th->comm);
	th->state = HS_SLEEPING;
	th->state_since = s->t0;
	th->cpu = (uint32_t)(s->nhthreads % s->ncpus);
	s->hthreads[s->nhthreads++] = th;
	return th;
}

static uint32_t count_host_threads(const struct vt_sim_scenario *sc)
{
	uint32_t n = sc->nflows + sc->nguests + 1; /* senders, QEMU main threads, libvirtd */
	for (uint32_t i = 0; i < sc->nhost_threads; i++)
		n += sc->host_threads[i].count;
	for (uint32_t i = 0; i < sc->nguests; i++)
		n += sc->guests[i].vcpus;
	return n;
}

static int setup_guest(struct sim *s, uint32_t gi, int *oom)
{
	const struct sc_guest *sg = &s->sc->guests[gi];
	struct guest *g = &s->guests[gi];
	g->index = gi + 1;
	g->sc = sg;
	g->m = &s->machines[gi + 1];
	g->m->guest = g;
	g->pid = sg->qemu_pid ? sg->qemu_pid : (int32_t)(2205 + 37 * gi);
	g->vm_uid = vt_sim_rng_next(&s->rng) & 0x7fffffffffffffffull;
	g->vmsync_cnt = 2 * (uint32_t)(vt_sim_rng_next(&s->rng) & 0xffff);
	g->vmsync_next = s->t0 + (sg->vmsync_period_ns ? sg->vmsync_period_ns : 0);
	g->tick_period = 1000000000ull / sg->tick_hz;
	g->mean_exit_gap = sg->exit_rate_hz > 0 ? 1e9 / sg->exit_rate_hz : 0;
	g->startup_pending = 1;
	g->life = sg->start_ns ? G_UNBORN : G_RUNNING;
	g->start_t = s->t0 + sg->start_ns;
	g->stop_t = sg->stop_ns ? s->t0 + sg->stop_ns : UINT64_MAX;
	g->end_t = s->t_end;
	g->vcpus_alive = g->life == G_RUNNING ? sg->vcpus : 0;
	double sum = 0, acc = 0;
	for (int k = 0; k < SC_EXIT_KINDS; k++)
		sum += sg->mix[k];
	for (int k = 0; k < SC_EXIT_KINDS; k++) {
		acc += sg->mix[k];
		g->exit_cdf[k] = sum > 0 ? acc / sum : 1;
	}
	struct machine *m = g->m;
	m->offset_ns = sg->clock.offset_ns;
	m->drift = sg->clock.drift_ppm * 1e-6;
	m->jitter_ns = sg->clock.jitter_ns;
	m->wander_period = sg->clock.wander_period_ns;

	char comm[32];
	snprintf(comm, sizeof(comm), "qemu-system-x86");
	g->qemu = new_hthread(s, HR_QEMU, g->pid, g->pid, comm, oom);
	if (!g->qemu)
		return -1;
	g->qemu->guest = g;
	if (g->life == G_UNBORN)
		g->qemu->state = HS_ABSENT;
	for (uint32_t i = 0; i < sg->nthreads; i++)
		g->nthreads += sg->threads[i].count;
	g->threads = xcalloc(g->nthreads, sizeof(*g->threads), oom);
	g->vcpus = xcalloc(sg->vcpus, sizeof(*g->vcpus), oom);
	if (*oom)
		return -1;
	for (uint32_t i = 0; i < sg->vcpus; i++) {
		struct vcpu *v = &g->vcpus[i];
		v->g = g;
		v->index = i;
		snprintf(comm, sizeof(comm), "CPU %u/KVM", i);
		v->th = new_hthread(s, HR_VCPU, g->pid + 20 + (int32_t)i, g->pid, comm, oom);
		if (!v->th)
			return -1;
		v->th->vcpu = v;
		if (g->life == G_UNBORN)
			v->th->state = HS_ABSENT;
		v->alive_start = v->alive_end = g->life == G_UNBORN ? s->t_end : s->t0;
		v->rq_cap = g->nthreads + 1;
		v->rq = xcalloc(v->rq_cap, sizeof(*v->rq), oom);
		v->wake = xcalloc(g->nthreads + 1, sizeof(*v->wake), oom);
		v->preempted_by = xcalloc(count_host_threads(s->sc) + 1, sizeof(uint64_t), oom);
		snprintf(comm, sizeof(comm), "swapper/%u", i);
		vt_sim_ctx_make(v->swapper_ctx, 0, comm);
		v->mode = VM_OFF;
		v->halted = 1;
		v->spont_left = g->mean_exit_gap > 0 ? vt_sim_rng_exp(&s->rng, g->mean_exit_gap) : UINT64_MAX / 4;
		vt_sim_acct_init(&v->acct, VS_IDLE, s->t0);
		if (*oom)
			return -1;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < sg->nthreads; i++) {
		const struct sc_guest_thread *spec = &sg->threads[i];
		for (uint32_t j = 0; j < spec->count; j++, k++) {
			struct gthread *gt = &g->threads[k];
			gt->tid = 400 + (int32_t)k;
			if (spec->count > 1)
				snprintf(comm, sizeof(comm), "%.10s-%u", spec->name, j);
			else
				snprintf(comm, sizeof(comm), "%s", spec->name);
			snprintf(gt->comm, sizeof(gt->comm), "%.15s", comm);
			vt_sim_ctx_make(gt->ctx, gt->tid, gt->comm);
			gt->spec = spec;
			gt->v = &g->vcpus[spec->vcpu >= 0 ? (uint32_t)spec->vcpu : k % sg->vcpus];
			gt->work_left = vt_sim_rng_exp(&s->rng, (double)spec->burst_ns);
			vt_sim_acct_init(&gt->acct, VS_RUNNABLE, s->t0);
			struct vcpu *v = gt->v;
			v->rq[(v->rq_head + v->rq_len++) % v->rq_cap] = gt;
		}
	}
	return 0;
}

static int setup(struct sim *s, int *oom)
{
	const struct vt_sim_scenario *sc = s->sc;
	s->ncpus = sc->cpus;
	s->nguests = sc->nguests;
	s->nflows = sc->nflows;
	s->nmachines = sc->nguests + 1;
	s->free_msg = UINT32_MAX;
	s->machines = xcalloc(s->nmachines, sizeof(*s->machines), oom);
	s->cpus = xcalloc(s->ncpus, sizeof(*s->cpus), oom);
	s->guests = xcalloc(s->nguests, sizeof(*s->guests), oom);
	s->flows = xcalloc(s->nflows, sizeof(*s->flows), oom);
	uint32_t nthreads = count_host_threads(sc);
	s->hthreads = xcalloc(nthreads, sizeof(*s->hthreads), oom);
	s->swapper_index = nthreads;
	if (*oom)
		return -1;
	setup_machine(s, &s->machines[0], 0, "host", sc->hostname, sc->host_uuid, sc->cpus);
	for (uint32_t i = 0; i < sc->nguests; i++)
		setup_machine(s, &s->machines[i + 1], i + 1, sc->guests[i].name, sc->guests[i].hostname,
			      sc->guests[i].uuid, sc->guests[i].vcpus);
	/* Clock values count from boot: the host booted ~20 min before, guests later. */
	s->machines[0].clock_offset_ns = s->t0 - 1200000000000ull - (vt_sim_rng_next(&s->rng) % 1000000000000ull);
	for (uint32_t i = 0; i < s->ncpus; i++) {
		struct cpu *c = &s->cpus[i];
		c->index = i;
		c->rq_cap = nthreads + 1;
		c->rq = xcalloc(c->rq_cap, sizeof(*c->rq), oom);
		char comm[32];
		snprintf(comm, sizeof(comm), "swapper/%u", i);
		vt_sim_ctx_make(c->swapper_ctx, 0, comm);
	}
	s->spawner = new_hthread(s, HR_SPAWNER, 780, 780, "libvirtd", oom);
	if (!s->spawner)
		return -1;
	int32_t tid = 1100;
	for (uint32_t i = 0; i < sc->nhost_threads; i++) {
		const struct sc_host_thread *spec = &sc->host_threads[i];
		for (uint32_t j = 0; j < spec->count; j++) {
			char comm[32];
			if (spec->count > 1)
				snprintf(comm, sizeof(comm), "%.10s-%u", spec->name, j);
			else
				snprintf(comm, sizeof(comm), "%s", spec->name);
			enum hrole role = spec->kind == SC_HOG ? HR_HOG : spec->kind == SC_PERIODIC ? HR_PERIODIC : HR_IO;
			struct hthread *th = new_hthread(s, role, tid, tid, comm, oom);
			tid += 3;
			if (!th)
				return -1;
			th->spec = spec;
			th->work_left = role == HR_HOG ? UINT64_MAX / 4
					: vt_sim_rng_exp(&s->rng, (double)spec->burst_ns);
			th->next_period = s->t0 + vt_sim_rng_next(&s->rng) % spec->period_ns;
		}
	}
	for (uint32_t i = 0; i < sc->nguests; i++) {
		if (setup_guest(s, i, oom))
			return -1;
		struct machine *m = &s->machines[i + 1];
		uint64_t uptime = 300000000000ull + (vt_sim_rng_next(&s->rng) % 600000000000ull);
		m->clock_offset_ns = vt_sim_machine_epoch_ns(s, m, s->t0) - uptime;
	}
	for (uint32_t i = 0; i < sc->nflows; i++) {
		struct flow *f = &s->flows[i];
		f->sc = &sc->flows[i];
		f->index = i;
		f->isn = (uint32_t)vt_sim_rng_next(&s->rng);
		f->ack_isn = (uint32_t)vt_sim_rng_next(&s->rng);
		if (f->sc->from == 0) {
			f->netd = new_hthread(s, HR_NETD, 900 + (int32_t)i, 900 + (int32_t)i, "iperf3", oom);
			if (!f->netd)
				return -1;
		}
	}
	return *oom ? -1 : 0;
}

static int open_writers(struct sim *s, const char *outdir, struct vt_error *err)
{
	for (uint32_t i = 0; i < s->nmachines; i++) {
		struct machine *m = &s->machines[i];
		const char *release = m->guest ? m->guest->sc->kernel_release : s->sc->host_kernel_release;
		int vmsync = 0;
		for (uint32_t g = 0; g < s->nguests; g++)
			vmsync |= (m->guest ? m->guest == &s->guests[g] : 1) && s->guests[g].sc->vmsync_period_ns;
		struct vt_ctf_text t = {0};
		if (vt_sim_kernel_metadata(&t, m, release, s->t0, !m->guest, vmsync)) {
			vt_ctf_text_free(&t);
			return vt_error_set(err, "%s: out of memory", outdir);
		}
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/%s/kernel", outdir, m->name);
		uint64_t begin = vt_sim_machine_epoch_ns(s, m, m->guest ? m->guest->start_t : s->t0) - m->clock_offset_ns;
		int rc = vt_ctf_writer_open(&m->writer, dir, m->trace_uuid, t.buf, t.len, m->ncpus, "chan_",
					    s->sc->packet_size, begin, err);
		vt_ctf_text_free(&t);
		if (rc)
			return -1;
		m->streams = calloc(m->ncpus, sizeof(*m->streams));
		if (!m->streams)
			return vt_error_set(err, "%s: out of memory", outdir);
		for (uint32_t c = 0; c < m->ncpus; c++)
			m->streams[c] = vt_ctf_writer_stream(m->writer, c);
		if (!s->sc->agent)
			continue;
		uint8_t uuid[16];
		random_uuid(s, uuid);
		struct vt_ctf_text u = {0};
		if (vt_sim_ust_metadata(&u, m, s->t0, uuid)) {
			vt_ctf_text_free(&u);
			return vt_error_set(err, "%s: out of memory", outdir);
		}
		snprintf(dir, sizeof(dir), "%s/%s/ust/uid/0/64-bit", outdir, m->name);
		rc = vt_ctf_writer_open(&m->ust, dir, uuid, u.buf, u.len, m->ncpus, "chan_", 65536, begin, err);
		vt_ctf_text_free(&u);
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
		uint64_t end = vt_sim_machine_epoch_ns(s, m, m->guest ? m->guest->end_t : s->t_end) - m->clock_offset_ns;
		if (m->writer && vt_ctf_writer_close(m->writer, end, rc ? NULL : err))
			rc = -1;
		m->writer = NULL;
		if (m->ust && vt_ctf_writer_close(m->ust, end, rc ? NULL : err))
			rc = -1;
		m->ust = NULL;
	}
	return rc;
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
	case Q_GT_WAKE: vt_sim_vcpu_on_thread_wake(s, it->obj, it->gen); break;
	case Q_VMSYNC_TIMER: vt_sim_vcpu_on_vmsync_timer(s, it->obj); break;
	case Q_FLOW_SEND: vt_sim_net_on_send_due(s, it->obj); break;
	case Q_NET_ARRIVE: vt_sim_net_on_arrive(s, it->gen); break;
	case Q_GUEST_START: vt_sim_guest_on_start(s, it->obj); break;
	case Q_GUEST_STOP: vt_sim_guest_on_stop(s, it->obj); break;
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

static void teardown(struct sim *s)
{
	for (uint32_t i = 0; s->guests && i < s->nguests; i++) {
		struct guest *g = &s->guests[i];
		for (uint32_t v = 0; g->vcpus && v < g->sc->vcpus; v++) {
			struct vcpu *vc = &g->vcpus[v];
			free(vc->rq);
			free(vc->wake);
			free(vc->recv.v);
			free(vc->send.v);
			free(vc->preempted_by);
			free(vc->acct.iv);
		}
		for (uint32_t k = 0; g->threads && k < g->nthreads; k++)
			free(g->threads[k].acct.iv);
		free(g->vcpus);
		free(g->threads);
	}
	for (uint32_t i = 0; s->hthreads && i < s->nhthreads; i++) {
		free(s->hthreads[i]->queue.v);
		free(s->hthreads[i]);
	}
	for (uint32_t i = 0; s->machines && i < s->nmachines; i++) {
		vt_ctf_writer_abort(s->machines[i].writer);
		vt_ctf_writer_abort(s->machines[i].ust);
		free(s->machines[i].streams);
	}
	for (uint32_t i = 0; s->cpus && i < s->ncpus; i++)
		free(s->cpus[i].rq);
	free(s->machines);
	free(s->cpus);
	free(s->guests);
	free(s->flows);
	free(s->hthreads);
	free(s->msgs);
	vt_sim_queue_free(&s->q);
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
	int oom = 0, rc = -1;
	if (setup(s, &oom)) {
		vt_error_set(err, "%s: out of memory", sc->origin);
		goto out;
	}
	s->write = opt->outdir != NULL;
	if (s->write && open_writers(s, opt->outdir, err))
		goto out;
	start(s);
	struct qitem it;
	uint64_t t;
	while (vt_sim_queue_pop(&s->q, &it, &t) && t < s->t_end) {
		s->now = t;
		dispatch(s, &it);
	}
	if (s->q.oom) {
		vt_error_set(err, "%s: out of memory", sc->origin);
		goto out;
	}
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
	teardown(s);
	return rc;
}
