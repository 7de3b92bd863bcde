/* Kernel events in the lttng-modules 2.13 layout, copied straight into the
 * packet buffer. */
#include "sim/emit.h"

#include <string.h>

void vt_sim_ctx_make(uint8_t ctx[CTX_SIZE], int32_t tid, const char *comm)
{
	memset(ctx, 0, CTX_SIZE);
	memcpy(ctx, &tid, 4);
	strncpy((char *)ctx + 4, comm, 15);
}

static inline int32_t ctx_tid(const uint8_t *ctx)
{
	int32_t tid;
	memcpy(&tid, ctx, 4);
	return tid;
}

static inline const char *ctx_comm(const uint8_t *ctx)
{
	return (const char *)ctx + 4;
}

void vt_sim_machine_addr(uint32_t machine, uint8_t out[4])
{
	out[0] = 10;
	out[1] = 0;
	out[2] = 3;
	out[3] = (uint8_t)(machine == 0 ? 1 : 10 + machine);
}

/* Reserves an event and copies its context; returns where the payload goes,
 * or NULL when not writing. */
static inline uint8_t *begin(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t,
			     const uint8_t *ctx, enum evid id, size_t len)
{
	if (vt_sim_dropped(s, t))
		return NULL; /* neither written nor counted: the truth is the window's */
	m->counts[id]++;
	s->events++;
	if (!s->write)
		return NULL;
	uint64_t ts = (m->guest ? vt_sim_machine_epoch_ns(s, m, t) : t) - m->clock_offset_ns;
	uint8_t *p = vt_ctf_stream_reserve(m->streams[cpu], ts, id, CTX_SIZE + len);
	if (!p) /* cannot happen: events are far smaller than the smallest packet */
		return NULL;
	memcpy(p, ctx, CTX_SIZE);
	return p + CTX_SIZE;
}

static inline void hook(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t,
			const uint8_t *ctx, struct vt_event *ev)
{
	if (vt_sim_dropped(s, t))
		return;
	ev->ts_ns = vt_sim_machine_epoch_ns(s, m, t);
	ev->trace = m->index;
	ev->stream = cpu;
	ev->cpu = (int32_t)cpu;
	ev->tid = ctx_tid(ctx);
	ev->pid = VT_NO_TID;
	ev->procname = ctx_comm(ctx);
	s->opt->on_event(s->opt->on_event_arg, t, ev);
}

#define PUT(p, v)                                 \
	do {                                      \
		__typeof__(v) put_v_ = (v);       \
		memcpy((p), &put_v_, sizeof(put_v_)); \
		(p) += sizeof(put_v_);            \
	} while (0)

void vt_sim_emit_switch(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 const uint8_t *prev, int64_t prev_state, const uint8_t *next)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_SWITCH, 56);
	if (p) {
		memcpy(p, prev + 4, 16);
		memcpy(p + 16, prev, 4);
		int32_t prio = 20;
		memcpy(p + 20, &prio, 4);
		memcpy(p + 24, &prev_state, 8);
		memcpy(p + 32, next + 4, 16);
		memcpy(p + 48, next, 4);
		memcpy(p + 52, &prio, 4);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_SCHED_SWITCH, .name = "sched_switch"};
		ev.u.sched_switch = (struct vt_sched_switch){ctx_tid(prev), ctx_tid(next), 20, 20,
							     prev_state, ctx_comm(prev), ctx_comm(next)};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_wakeup(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 const uint8_t *woken, int32_t target_cpu)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_WAKEUP, 28);
	if (p) {
		memcpy(p, woken + 4, 16);
		memcpy(p + 16, woken, 4);
		int32_t prio = 20;
		memcpy(p + 20, &prio, 4);
		memcpy(p + 24, &target_cpu, 4);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_SCHED_WAKEUP, .name = "sched_wakeup"};
		ev.u.sched_wakeup = (struct vt_sched_wakeup){ctx_tid(woken), target_cpu, 20, ctx_comm(woken)};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_kvm_entry(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t vcpu_id)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_KVM_ENTRY, 4);
	if (p)
		memcpy(p, &vcpu_id, 4);
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_KVM_ENTRY, .name = "kvm_x86_entry"};
		ev.u.kvm_entry.vcpu_id = vcpu_id;
		hook(s, m, cpu, t, ctx, &ev);
	}
}

uint32_t vt_sim_exit_code(const struct sim *s, uint32_t reason)
{
	if (!s->sc->svm)
		return reason;
	switch (reason) {
	case VMX_EXTERNAL_INTERRUPT: return 0x060; /* INTR */
	case VMX_CPUID: return 0x072;
	case VMX_HLT: return 0x078;
	case VMX_VMCALL: return 0x081; /* VMMCALL */
	case VMX_IO: return 0x07b;     /* IOIO */
	case VMX_MSR_READ:
	case VMX_MSR_WRITE: return 0x07c;
	case VMX_PAUSE: return 0x077;
	case VMX_EXCEPTION_NMI: return 0x04e; /* EXCP_PF */
	case VMX_INVLPG: return 0x079;
	case VMX_CR_ACCESS: return 0x013;     /* WRITE_CR3 */
	default: return 0x400; /* NPF: EPT faults, MMIO and APIC accesses alike */
	}
}

void vt_sim_emit_kvm_exit(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t reason,
		   uint64_t rip, uint64_t info1, uint64_t info2, uint32_t intr_info, uint32_t vcpu_id)
{
	struct machine *m = &s->machines[0];
	uint32_t isa = s->sc->svm ? VT_ISA_SVM : VT_ISA_VMX;
	if (s->sc->svm && reason == VMX_MSR_WRITE)
		info1 = 1; /* SVM's MSR exit: info1 says write */
	reason = vt_sim_exit_code(s, reason);
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_KVM_EXIT, 44);
	if (p) {
		uint32_t error_code = 0;
		PUT(p, reason);
		PUT(p, rip);
		PUT(p, isa);
		PUT(p, info1);
		PUT(p, info2);
		PUT(p, intr_info);
		PUT(p, error_code);
		PUT(p, vcpu_id);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_KVM_EXIT, .name = "kvm_x86_exit"};
		ev.u.kvm_exit = (struct vt_kvm_exit){reason, isa, vcpu_id, rip, info1, info2};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_hypercall(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint64_t nr,
		    uint64_t a0, uint64_t a1)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_HYPERCALL, 40);
	if (p) {
		uint64_t zero = 0;
		PUT(p, nr);
		PUT(p, a0);
		PUT(p, a1);
		PUT(p, zero);
		PUT(p, zero);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_KVM_HYPERCALL, .name = "kvm_x86_hypercall"};
		ev.u.hypercall = (struct vt_kvm_hypercall){nr, a0, a1, 0, 0};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

static const char *const vmsync_names[] = {"vmsync_gh_guest", "vmsync_hg_guest", "vmsync_gh_host",
					   "vmsync_hg_host"};
static const enum vt_kind vmsync_kinds[] = {VT_VMSYNC_GH_GUEST, VT_VMSYNC_HG_GUEST,
					    VT_VMSYNC_GH_HOST, VT_VMSYNC_HG_HOST};

void vt_sim_emit_vmsync(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 enum evid id, uint32_t cnt, uint64_t vm_uid)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, id, 12);
	if (p) {
		PUT(p, cnt);
		PUT(p, vm_uid);
	}
	if (s->opt->on_event) {
		int k = (int)id - EVID_VMSYNC_GH_GUEST;
		struct vt_event ev = {.kind = vmsync_kinds[k], .name = vmsync_names[k]};
		ev.u.vmsync = (struct vt_vmsync){cnt, vm_uid};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void vt_sim_emit_net(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
	      enum evid id, const struct msg *msg, const char *ifname, int unused)
{
	(void)unused;
	const struct sc_flow *f = s->flows[msg->flow].sc;
	uint8_t saddr[4], daddr[4];
	vt_sim_machine_addr(f->from, saddr);
	vt_sim_machine_addr(f->to, daddr);
	size_t nlen = strlen(ifname) + 1;
	uint8_t *p = begin(s, m, cpu, t, ctx, id, 8 + 4 + nlen + 42);
	uint32_t len = msg->len + 52;
	if (p) {
		uint64_t skb = 0xffff888100000000ull + ((msg->id * 0x1c0) & 0xfffffffull);
		PUT(p, skb);
		PUT(p, len);
		memcpy(p, ifname, nlen);
		p += nlen;
		*p++ = 1;    /* network_header_type: ipv4 */
		*p++ = 0x45; /* version 4, ihl 5 */
		*p++ = 0;    /* tos */
		put_be16(p, (uint16_t)len);
		put_be16(p + 2, (uint16_t)msg->id);
		put_be16(p + 4, 0x4000); /* don't fragment */
		p[6] = 64;               /* ttl */
		p[7] = 6;                /* tcp */
		put_be16(p + 8, (uint16_t)(vt_sim_hash(msg->id) & 0xffff));
		memcpy(p + 10, saddr, 4);
		memcpy(p + 14, daddr, 4);
		p += 18;
		*p++ = 1; /* transport_header_type: tcp */
		put_be16(p, msg->sport);
		put_be16(p + 2, msg->dport);
		put_be32(p + 4, msg->seq);
		put_be32(p + 8, msg->ack_seq);
		put_be16(p + 12, (uint16_t)(5u << 12 | msg->flags)); /* data_offset, reserved, flags */
		put_be16(p + 14, 502);                                /* window */
		put_be16(p + 16, (uint16_t)(vt_sim_hash(msg->id + 1) & 0xffff));
		put_be16(p + 18, 0);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = id == EVID_NET_TX ? VT_NET_SEND : VT_NET_RECV,
				      .name = id == EVID_NET_TX ? "net_dev_queue" : "net_if_receive_skb"};
		struct vt_net *n = &ev.u.net;
		n->has_key = n->has_addr = 1;
		n->family = 4;
		n->key = (struct vt_tcp_key){msg->seq, msg->ack_seq, msg->flags};
		n->sport = msg->sport;
		n->dport = msg->dport;
		memcpy(n->saddr, saddr, 4);
		memcpy(n->daddr, daddr, 4);
		n->len = len;
		n->ifname = ifname;
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_softirq(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		  enum evid id, uint32_t vec)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, id, 4);
	if (p)
		memcpy(p, &vec, 4);
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = id == EVID_SOFTIRQ_ENTRY ? VT_SOFTIRQ_ENTRY : VT_SOFTIRQ_EXIT,
				      .name = id == EVID_SOFTIRQ_ENTRY ? "softirq_entry" : "softirq_exit"};
		ev.u.softirq.vec = vec;
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_statedump(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		    int32_t tid, int32_t pid, int32_t ppid, const char *name)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_STATEDUMP, 56);
	if (p) {
		char comm[16] = {0};
		strncpy(comm, name, 15);
		int32_t type = 0, mode = 5, submode = 0, status = 5;
		uint32_t ucpu = cpu;
		uint64_t files = 0xffff888102a4c000ull + (uint64_t)pid * 0x400;
		PUT(p, tid);
		PUT(p, pid);
		PUT(p, ppid);
		memcpy(p, comm, 16);
		p += 16;
		PUT(p, type);
		PUT(p, mode);
		PUT(p, submode);
		PUT(p, status);
		PUT(p, ucpu);
		PUT(p, files);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_STATEDUMP_PROCESS, .name = "lttng_statedump_process_state"};
		ev.u.statedump_process = (struct vt_statedump_process){tid, pid, ppid, name};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_fork(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
	       const uint8_t *parent, int32_t parent_pid, const uint8_t *child, int32_t child_pid)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_PROC_FORK, 16 + 4 + 4 + 4 + 16 + 4 + 1 + 4 + 4 + 4);
	if (p) {
		uint32_t ns_inum = 4026531836u; /* the initial pid namespace */
		uint8_t nvtids = 1;
		memcpy(p, parent + 4, 16);
		p += 16;
		memcpy(p, parent, 4);
		p += 4;
		PUT(p, parent_pid);
		PUT(p, ns_inum);
		memcpy(p, child + 4, 16);
		p += 16;
		memcpy(p, child, 4);
		p += 4;
		PUT(p, nvtids);
		memcpy(p, child, 4); /* vtids[0]: the tid in its own namespace */
		p += 4;
		PUT(p, child_pid);
		PUT(p, ns_inum);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_PROCESS_FORK, .name = "sched_process_fork"};
		ev.u.fork = (struct vt_process_fork){ctx_tid(parent), parent_pid, ctx_tid(child), child_pid,
						     ctx_comm(parent), ctx_comm(child)};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

/* The exiting thread's own sched_process_exit. */
void vt_sim_emit_exit(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx)
{
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_PROC_EXIT, 24);
	if (p) {
		int32_t prio = 120;
		memcpy(p, ctx + 4, 16);
		memcpy(p + 16, ctx, 4);
		memcpy(p + 20, &prio, 4);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_PROCESS_EXIT, .name = "sched_process_exit"};
		ev.u.exit = (struct vt_process_exit){ctx_tid(ctx), ctx_comm(ctx)};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_userspace_exit(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t reason)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_USERSPACE_EXIT, 8);
	if (p) {
		int32_t err = 0;
		PUT(p, reason);
		PUT(p, err);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_KVM_USERSPACE_EXIT, .name = "kvm_userspace_exit"};
		ev.u.userspace_exit = (struct vt_kvm_userspace_exit){reason, 0};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_irq(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx, int entry,
	      int32_t irq, const char *name)
{
	size_t nlen = entry ? strlen(name) + 1 : 0;
	uint8_t *p = begin(s, m, cpu, t, ctx, entry ? EVID_IRQ_ENTRY : EVID_IRQ_EXIT, entry ? 4 + nlen : 8);
	if (p) {
		PUT(p, irq);
		if (entry) {
			memcpy(p, name, nlen);
		} else {
			int32_t handled = 1;
			PUT(p, handled);
		}
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = entry ? VT_IRQ_ENTRY : VT_IRQ_EXIT,
				      .name = entry ? "irq_handler_entry" : "irq_handler_exit"};
		ev.u.irq = (struct vt_irq){irq, entry ? 0 : 1, entry ? name : NULL};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

/* Host-only events without a normalized kind (OTHER). */
static void hook_other(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		       const char *name)
{
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_OTHER, .name = name};
		hook(s, m, cpu, t, ctx, &ev);
	}
}

void vt_sim_emit_pio(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t rw, uint32_t port,
		     uint32_t size)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_PIO, 16);
	if (p) {
		uint32_t count = 1;
		PUT(p, rw);
		PUT(p, port);
		PUT(p, size);
		PUT(p, count);
	}
	hook_other(s, m, cpu, t, ctx, "kvm_x86_pio");
}

void vt_sim_emit_msr(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t write, uint32_t ecx,
		     uint64_t data)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_MSR, 17);
	if (p) {
		uint8_t exception = 0;
		PUT(p, write);
		PUT(p, ecx);
		PUT(p, data);
		PUT(p, exception);
	}
	hook_other(s, m, cpu, t, ctx, "kvm_x86_msr");
}

void vt_sim_emit_inj_virq(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t irq)
{
	struct machine *m = &s->machines[0];
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_INJ_VIRQ, 4);
	if (p)
		memcpy(p, &irq, 4);
	hook_other(s, m, cpu, t, ctx, "kvm_x86_inj_virq");
}

void vt_sim_emit_tick(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx)
{
	struct machine *m = &s->machines[0];
	uint64_t timer = 0xffff88803ec1c0e0ull + (uint64_t)cpu * 0x40000ull; /* per-CPU tick_cpu_sched */
	uint8_t *p = begin(s, m, cpu, t, ctx, EVID_TIMER_EXPIRE, 24);
	if (p) {
		int64_t now = (int64_t)(t - s->t0);
		uint64_t fn = SIM_TICK_FUNCTION;
		PUT(p, timer);
		PUT(p, now);
		PUT(p, fn);
	}
	if (s->opt->on_event) {
		struct vt_event ev = {.kind = VT_TIMER_EXPIRE, .name = "hrtimer_expire_entry"};
		ev.u.timer = (struct vt_timer_expire){timer, SIM_TICK_FUNCTION};
		hook(s, m, cpu, t, ctx, &ev);
	}
}
