/* What a trace holds from its start: the kernel statedump of every process,
 * and the agent's (vmtraced) events: machine identity and, on the host, the
 * guest statedump (pid, uuid, vCPU threads, tsc offsets). */
#include "sim/emit.h"

#include <stdio.h>
#include <string.h>

/* UST events are written on stream 0 of the machine's agent trace. */
static uint8_t *ust_begin(struct sim *s, struct machine *m, uint64_t t, enum ust_evid id, size_t len)
{
	if (vt_sim_dropped(s, t))
		return NULL;
	m->ust_counts[id]++;
	s->events++;
	if (!s->write || !m->ust)
		return NULL;
	uint64_t ts = vt_sim_machine_epoch_ns(s, m, t) - m->clock_offset_ns;
	return vt_ctf_stream_reserve(vt_ctf_writer_stream(m->ust, 0), ts, id, len);
}

static void ust_hook(struct sim *s, struct machine *m, uint64_t t, struct vt_event *ev)
{
	if (!s->opt->on_event || vt_sim_dropped(s, t))
		return;
	ev->ts_ns = vt_sim_machine_epoch_ns(s, m, t);
	ev->trace = m->index;
	ev->stream = 0;
	ev->cpu = 0;
	ev->tid = ev->pid = VT_NO_TID;
	s->opt->on_event(s->opt->on_event_arg, t, ev);
}

static uint8_t *put_str(uint8_t *p, const char *str)
{
	size_t n = strlen(str) + 1;
	memcpy(p, str, n);
	return p + n;
}

static void ust_machine(struct sim *s, struct machine *m, uint64_t t)
{
	char machine_id[33], boot_id[37];
	uint64_t a = vt_sim_hash(m->wander_seed ^ 0x6d61636869ull), b = vt_sim_hash(a);
	snprintf(machine_id, sizeof(machine_id), "%016llx%016llx", (unsigned long long)a,
		 (unsigned long long)b);
	uint8_t raw[16];
	uint64_t c = vt_sim_hash(b), d = vt_sim_hash(c);
	memcpy(raw, &c, 8);
	memcpy(raw + 8, &d, 8);
	raw[6] = (raw[6] & 0x0f) | 0x40;
	raw[8] = (raw[8] & 0x3f) | 0x80;
	vt_uuid_format(raw, boot_id);
	size_t len = strlen(m->uuid) + strlen(machine_id) + strlen(boot_id) + strlen(m->hostname) + 4;
	uint8_t *p = ust_begin(s, m, t, UST_MACHINE, len);
	if (p) {
		p = put_str(p, m->uuid);
		p = put_str(p, machine_id);
		p = put_str(p, boot_id);
		put_str(p, m->hostname);
	}
	struct vt_event ev = {.kind = VT_MACHINE_ID, .name = "vmtrace:machine"};
	ev.u.machine = (struct vt_machine_id){m->uuid, machine_id, boot_id, m->hostname};
	ust_hook(s, m, t, &ev);
}

static void ust_marker(struct sim *s, struct machine *m, uint64_t t, enum ust_evid id)
{
	ust_begin(s, m, t, id, 0);
	struct vt_event ev = {.kind = id == UST_STATEDUMP_BEGIN ? VT_STATEDUMP_BEGIN : VT_STATEDUMP_END,
			      .name = id == UST_STATEDUMP_BEGIN ? "vmtrace:statedump_begin"
								: "vmtrace:statedump_end"};
	ust_hook(s, m, t, &ev);
}

static void ust_guest(struct sim *s, struct machine *host, uint64_t t, const struct guest *g)
{
	char debugfs[64];
	snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/kvm/%d-%d", (int)g->pid, 11);
	int64_t pid = g->pid;
	uint32_t vcpus = g->sc->vcpus;
	size_t len = 8 + strlen(g->sc->uuid) + 1 + strlen(g->sc->name) + 1 + 4 + strlen(debugfs) + 1;
	uint8_t *p = ust_begin(s, host, t, UST_GUEST, len);
	if (p) {
		memcpy(p, &pid, 8);
		p = put_str(p + 8, g->sc->uuid);
		p = put_str(p, g->sc->name);
		memcpy(p, &vcpus, 4);
		put_str(p + 4, debugfs);
	}
	struct vt_event ev = {.kind = VT_GUEST_DUMP, .name = "vmtrace:guest"};
	ev.u.guest = (struct vt_guest){pid, g->sc->uuid, g->sc->name, vcpus, NULL};
	ust_hook(s, host, t, &ev);
	for (uint32_t i = 0; i < vcpus; i++) {
		const struct vcpu *v = &g->vcpus[i];
		int32_t tid = v->th->tid;
		int64_t tsc_offset = -(int64_t)(118000000000ull + (vt_sim_hash(g->vm_uid) & 0xfffffffull));
		uint64_t ratio = 1ull << 48;
		uint32_t frac = 48, vcpu = i;
		p = ust_begin(s, host, t, UST_GUEST_VCPU, 8 + 4 + 4 + 8 + 8 + 4);
		if (p) {
			memcpy(p, &pid, 8);
			memcpy(p + 8, &vcpu, 4);
			memcpy(p + 12, &tid, 4);
			memcpy(p + 16, &tsc_offset, 8);
			memcpy(p + 24, &ratio, 8);
			memcpy(p + 32, &frac, 4);
		}
		struct vt_event e2 = {.kind = VT_GUEST_VCPU, .name = "vmtrace:guest_vcpu"};
		e2.u.guest_vcpu = (struct vt_guest_vcpu){pid, vcpu, tid, tsc_offset, ratio, frac};
		ust_hook(s, host, t, &e2);
	}
}

void vt_sim_startup_host(struct sim *s)
{
	struct machine *host = &s->machines[0];
	uint64_t t = s->t0;
	uint8_t ctx[CTX_SIZE];
	vt_sim_ctx_make(ctx, 912, "lttng-sessiond");
	vt_sim_emit_statedump(s, host, 0, t, ctx, 1, 1, 0, "systemd");
	for (uint32_t i = 0; i < s->nhthreads; i++) {
		const struct hthread *th = s->hthreads[i];
		if (th->state != HS_ABSENT)
			vt_sim_emit_statedump(s, host, 0, t, ctx, th->tid, th->pid, 1, th->comm);
	}
	if (!s->sc->agent)
		return;
	ust_machine(s, host, t);
	ust_marker(s, host, t, UST_STATEDUMP_BEGIN);
	for (uint32_t i = 0; i < s->nguests; i++)
		if (s->guests[i].life == G_RUNNING)
			ust_guest(s, host, t, &s->guests[i]);
	vt_sim_emit_books(s, t);
	ust_marker(s, host, t, UST_STATEDUMP_END);
}

/* Runs inside the guest (vCPU 0 in guest mode), like any guest code. */
void vt_sim_startup_guest(struct sim *s, struct guest *g, uint64_t t)
{
	struct vcpu *v = &g->vcpus[0];
	const uint8_t *ctx = v->cur ? v->cur->ctx : v->swapper_ctx;
	g->startup_pending = 0;
	vt_sim_emit_statedump(s, g->m, 0, t, ctx, 1, 1, 0, "systemd");
	for (uint32_t i = 0; i < g->nthreads; i++) {
		const struct gthread *gt = &g->threads[i];
		vt_sim_emit_statedump(s, g->m, 0, t, ctx, gt->tid, gt->tid, 1, gt->comm);
	}
	if (s->sc->agent)
		ust_machine(s, g->m, t);
}

/* vmtraced saw the kernel's uevent for a VM created (QEMU opened /dev/kvm). */
void vt_sim_emit_ust_guest_created(struct sim *s, uint64_t t, const struct guest *g)
{
	struct machine *host = &s->machines[0];
	if (!s->sc->agent)
		return;
	int64_t pid = g->pid;
	uint32_t vcpus = g->sc->vcpus;
	uint8_t *p = ust_begin(s, host, t, UST_GUEST_CREATED,
			       8 + strlen(g->sc->uuid) + 1 + strlen(g->sc->name) + 1 + 4);
	if (p) {
		memcpy(p, &pid, 8);
		p = put_str(p + 8, g->sc->uuid);
		p = put_str(p, g->sc->name);
		memcpy(p, &vcpus, 4);
	}
	struct vt_event ev = {.kind = VT_GUEST_CREATED, .name = "vmtrace:guest_created"};
	ev.u.guest = (struct vt_guest){pid, g->sc->uuid, g->sc->name, vcpus, NULL};
	ust_hook(s, host, t, &ev);
}

void vt_sim_emit_ust_guest_destroyed(struct sim *s, uint64_t t, const struct guest *g)
{
	struct machine *host = &s->machines[0];
	if (!s->sc->agent)
		return;
	int64_t pid = g->pid;
	uint8_t *p = ust_begin(s, host, t, UST_GUEST_DESTROYED, 8);
	if (p)
		memcpy(p, &pid, 8);
	struct vt_event ev = {.kind = VT_GUEST_DESTROYED, .name = "vmtrace:guest_destroyed"};
	ev.u.guest = (struct vt_guest){pid, NULL, NULL, 0, NULL};
	ust_hook(s, host, t, &ev);
}

/* The kernel's books at t, as vmtraced reads them (host.agent_books): each
 * vCPU thread's run and runqueue time (the truth's GUEST + HYPERVISOR and
 * PREEMPTED, from an arbitrary base as a thread's schedstat has), guest_time
 * in USER_HZ units (the ticks that found it in guest mode, a tick period
 * each), and the VM's exits. */
#define SIM_CLK_TCK 100u

static uint64_t in_state(const struct acct *a, uint32_t s1, uint32_t s2, uint64_t t)
{
	return (a->state == s1 || a->state == s2) && t > a->since ? t - a->since : 0;
}

static void ust_vcpu_books(struct sim *s, struct machine *host, uint64_t t, const struct guest *g,
			   const struct vcpu *v)
{
	const struct acct *a = &v->acct;
	uint64_t base = (vt_sim_hash(g->vm_uid + v->index) & 0xffffffffffull) * 1000;
	uint64_t run = base + v->books_run + a->total[VS_GUEST] + a->total[VS_HYPERVISOR] +
		       in_state(a, VS_GUEST, VS_HYPERVISOR, t);
	uint64_t wait = base / 3 + v->books_wait + a->total[VS_PREEMPTED] + in_state(a, VS_PREEMPTED, VS_PREEMPTED, t);
	uint64_t unit = 1000000000ull / SIM_CLK_TCK;
	uint64_t ticks = s->sc->tick_events ? (base + v->ticks_in_guest * s->sc->timeslice_ns) / unit : UINT64_MAX;
	struct vt_vcpu_books b = {g->pid, v->index, v->th->tid, 0, run, wait, UINT64_MAX, ticks, SIM_CLK_TCK};
	uint8_t *p = ust_begin(s, host, t, UST_VCPU_BOOKS, 8 + 4 + 4 + 8 * 5 + 4);
	if (p) {
		memcpy(p, &b.pid, 8);
		memcpy(p + 8, &b.vcpu, 4);
		memcpy(p + 12, &b.tid, 4);
		memcpy(p + 16, &b.age_ns, 8);
		memcpy(p + 24, &b.run_ns, 8);
		memcpy(p + 32, &b.wait_ns, 8);
		memcpy(p + 40, &b.timeslices, 8);
		memcpy(p + 48, &b.guest_ticks, 8);
		memcpy(p + 56, &b.clk_tck, 4);
	}
	struct vt_event ev = {.kind = VT_VCPU_BOOKS, .name = "vmtrace:vcpu_books"};
	ev.u.vcpu_books = b;
	ust_hook(s, host, t, &ev);
}

static void ust_vm_books(struct sim *s, struct machine *host, uint64_t t, const struct guest *g)
{
	uint64_t exits = vt_sim_hash(g->vm_uid) & 0xffffff;
	for (uint32_t i = 0; i < g->sc->vcpus; i++)
		exits += g->vcpus[i].exits;
	struct vt_vm_books b = {g->pid,	    0,		UINT64_MAX, UINT64_MAX, UINT64_MAX,
				UINT64_MAX, UINT64_MAX, UINT64_MAX, SIM_TICK_FUNCTION};
	b.exits = exits;
	uint8_t *p = ust_begin(s, host, t, UST_VM_BOOKS, 8 * 9);
	if (p) {
		const uint64_t v[8] = {b.age_ns,       b.exits,      b.io_exits,  b.mmio_exits,
				       b.signal_exits, b.halt_exits, b.irq_exits, b.tick_function};
		memcpy(p, &b.pid, 8);
		memcpy(p + 8, v, sizeof(v));
	}
	struct vt_event ev = {.kind = VT_VM_BOOKS, .name = "vmtrace:vm_books"};
	ev.u.vm_books = b;
	ust_hook(s, host, t, &ev);
}

void vt_sim_emit_books(struct sim *s, uint64_t t)
{
	if (!s->sc->agent || !s->sc->agent_books)
		return;
	struct machine *host = &s->machines[0];
	for (uint32_t i = 0; i < s->nguests; i++) {
		const struct guest *g = &s->guests[i];
		if (g->life != G_RUNNING)
			continue;
		for (uint32_t v = 0; v < g->sc->vcpus; v++)
			if (!g->vcpus[v].gone)
				ust_vcpu_books(s, host, t, g, &g->vcpus[v]);
		ust_vm_books(s, host, t, g);
	}
}

void vt_sim_emit_ust_ping(struct sim *s, struct machine *m, uint64_t t, int back, uint64_t session, uint64_t seq)
{
	uint8_t *p = ust_begin(s, m, t, back ? UST_PING_BACK : UST_PING_OUT, 16);
	if (p) {
		memcpy(p, &session, 8);
		memcpy(p + 8, &seq, 8);
	}
	struct vt_event ev = {.kind = back ? VT_PING_BACK : VT_PING_OUT,
			      .name = back ? "vmtrace:ping_back" : "vmtrace:ping_out"};
	ev.u.ping = (struct vt_ping){session, seq};
	ust_hook(s, m, t, &ev);
}
