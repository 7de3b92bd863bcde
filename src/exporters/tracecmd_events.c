/* Normalized events → ftrace records, laid out as the format texts of
 * tracecmd_formats.c say (offsets after the 8-byte common header:
 * common_type u16, common_flags u8, common_preempt_count u8, common_pid int). */
#include <stdio.h>
#include <string.h>

#include "exporters/tracecmd_formats.h"
#include "exporters/tracecmd_internal.h"
#include "common/marker.h"

#define COMMON 8
#define PUT(p, off, v)                                   \
	do {                                             \
		__typeof__(v) put_v_ = (v);              \
		memcpy((p) + (off), &put_v_, sizeof(put_v_)); \
	} while (0)

static void rec_start(struct vt_tc_rec *r, int id, int32_t pid, size_t fixed)
{
	memset(r->buf, 0, fixed);
	uint16_t type = (uint16_t)id;
	memcpy(r->buf, &type, 2);
	memcpy(r->buf + 4, &pid, 4);
	r->len = fixed;
}

/* char name[16]: at most 15 bytes and a NUL, as the kernel's comm. */
static void put_comm(struct vt_tc_rec *r, size_t off, const char *s)
{
	if (s)
		strncpy((char *)r->buf + off, s, 15);
}

/* __data_loc char[]: u32 (length << 16 | offset from the record's start),
 * the string (with its NUL) after the fixed fields. */
static void put_loc(struct vt_tc_rec *r, size_t off, const char *s)
{
	if (!s)
		s = "";
	size_t n = strnlen(s, 1024) + 1;
	if (r->len + n > sizeof(r->buf))
		n = 1;
	memcpy(r->buf + r->len, s, n - 1);
	r->buf[r->len + n - 1] = '\0';
	uint32_t loc = (uint32_t)n << 16 | (uint32_t)r->len;
	memcpy(r->buf + off, &loc, 4);
	r->len += n;
}

static int emit(struct vt_tc_writer *w, uint64_t ts, uint32_t cpu, const struct vt_tc_rec *r)
{
	uint8_t *p = vt_tc_pages_reserve(&w->cpu[cpu], ts, r->len);
	if (!p)
		return -1;
	memcpy(p, r->buf, r->len);
	return 1;
}

/* ftrace:print {ip, buf[]}: a trace_marker write. */
static void print_line(struct vt_tc_rec *r, int32_t pid, const char *line)
{
	rec_start(r, VT_TCF_PRINT, pid, 16);
	size_t n = strnlen(line, sizeof(r->buf) - 17);
	memcpy(r->buf + 16, line, n);
	r->buf[16 + n] = '\0';
	r->len = 16 + n + 1;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The agent's kinds as vmtraced writes them to trace_marker. Returns 0 for a
 * kind that is not the agent's. */
static int agent_line(struct vt_guest_info *gi, const struct vt_event *ev, char *line, size_t size)
{
	struct vt_guest_info *g = gi; /* large: the writer's scratch */
	struct vt_vcpu_info v;
	memset(g, 0, sizeof(*g));
	switch (ev->kind) {
	case VT_MACHINE_ID: {
		struct vt_machine_info m;
		memset(&m, 0, sizeof(m));
		copy(m.product_uuid, sizeof(m.product_uuid), ev->u.machine.product_uuid);
		copy(m.machine_id, sizeof(m.machine_id), ev->u.machine.machine_id);
		copy(m.boot_id, sizeof(m.boot_id), ev->u.machine.boot_id);
		copy(m.hostname, sizeof(m.hostname), ev->u.machine.hostname);
		vt_marker_format_machine(line, size, &m);
		return 1;
	}
	case VT_STATEDUMP_BEGIN:
	case VT_STATEDUMP_END:
		vt_marker_format_simple(line, size, ev->kind == VT_STATEDUMP_BEGIN ? "statedump_begin" : "statedump_end",
					-1);
		return 1;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
		g->pid = ev->u.guest.pid;
		copy(g->uuid, sizeof(g->uuid), ev->u.guest.uuid);
		copy(g->name, sizeof(g->name), ev->u.guest.name);
		g->vcpus = ev->u.guest.vcpus;
		g->kvm = vt_kvm_evidence_parse(ev->u.guest.kvm); /* not said in older traces: left out */
		vt_marker_format_guest(line, size, ev->kind == VT_GUEST_DUMP ? "guest" : "guest_created", g);
		return 1;
	case VT_GUEST_DESTROYED:
		vt_marker_format_simple(line, size, "guest_destroyed", ev->u.guest.pid);
		return 1;
	case VT_GUEST_VCPU:
		g->pid = ev->u.guest_vcpu.pid;
		v = (struct vt_vcpu_info){ev->u.guest_vcpu.vcpu, ev->u.guest_vcpu.tid, ev->u.guest_vcpu.tsc_offset,
					  ev->u.guest_vcpu.tsc_scaling_ratio, ev->u.guest_vcpu.tsc_scaling_frac_bits, 1};
		vt_marker_format_vcpu(line, size, g, &v);
		return 1;
	case VT_VCPU_BOOKS:
		vt_marker_format_vcpu_books(line, size, &ev->u.vcpu_books);
		return 1;
	case VT_VM_BOOKS:
		vt_marker_format_vm_books(line, size, &ev->u.vm_books);
		return 1;
	case VT_PING_OUT:
	case VT_PING_BACK:
		vt_marker_format_ping(line, size, ev->kind == VT_PING_BACK, &ev->u.ping);
		return 1;
	default:
		return 0;
	}
}

/* The host-only KVM events the simulator names but vt_event does not carry. */
static int other_id(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "kvm_x86_pio") || !strcmp(name, "kvm_pio"))
		return VT_TCF_KVM_PIO;
	if (!strcmp(name, "kvm_x86_msr") || !strcmp(name, "kvm_msr"))
		return VT_TCF_KVM_MSR;
	if (!strcmp(name, "kvm_x86_inj_virq") || !strcmp(name, "kvm_inj_virq"))
		return VT_TCF_KVM_INJ_VIRQ;
	return -1;
}

static void note_comms(struct vt_tc_writer *w, const struct vt_event *ev)
{
	if (ev->procname)
		vt_tc_note_comm(w, ev->tid, ev->procname);
	switch (ev->kind) {
	case VT_SCHED_SWITCH:
		vt_tc_note_comm(w, ev->u.sched_switch.prev_tid, ev->u.sched_switch.prev_comm);
		vt_tc_note_comm(w, ev->u.sched_switch.next_tid, ev->u.sched_switch.next_comm);
		break;
	case VT_SCHED_WAKEUP:
		vt_tc_note_comm(w, ev->u.sched_wakeup.tid, ev->u.sched_wakeup.comm);
		break;
	case VT_PROCESS_FORK:
		vt_tc_note_comm(w, ev->u.fork.child_tid, ev->u.fork.child_comm);
		break;
	case VT_STATEDUMP_PROCESS:
		vt_tc_note_comm(w, ev->u.statedump_process.tid, ev->u.statedump_process.name);
		break;
	default:
		break;
	}
}

/* Fills r; returns 0 when the event has no ftrace form. */
static int encode(const struct vt_event *ev, int32_t pid, struct vt_tc_rec *r)
{
	switch (ev->kind) {
	case VT_KVM_ENTRY:
		rec_start(r, VT_TCF_KVM_ENTRY, pid, 36);
		PUT(r->buf, 8, ev->u.kvm_entry.vcpu_id);
		return 1;
	case VT_KVM_EXIT: {
		const struct vt_kvm_exit *x = &ev->u.kvm_exit;
		rec_start(r, VT_TCF_KVM_EXIT, pid, 72);
		PUT(r->buf, 8, (uint32_t)x->exit_reason);
		PUT(r->buf, 16, x->guest_rip);
		PUT(r->buf, 24, x->isa);
		PUT(r->buf, 32, x->info1);
		PUT(r->buf, 40, x->info2);
		PUT(r->buf, 56, x->vcpu_id);
		return 1;
	}
	case VT_KVM_HYPERCALL: {
		const struct vt_kvm_hypercall *h = &ev->u.hypercall;
		rec_start(r, VT_TCF_KVM_HYPERCALL, pid, 48);
		PUT(r->buf, 8, h->nr);
		PUT(r->buf, 16, h->a0);
		PUT(r->buf, 24, h->a1);
		PUT(r->buf, 32, h->a2);
		PUT(r->buf, 40, h->a3);
		return 1;
	}
	case VT_KVM_USERSPACE_EXIT:
		rec_start(r, VT_TCF_KVM_USERSPACE_EXIT, pid, 16);
		PUT(r->buf, 8, ev->u.userspace_exit.reason);
		PUT(r->buf, 12, ev->u.userspace_exit.err);
		return 1;
	case VT_SCHED_SWITCH: { /* ftrace's prev_pid/next_pid are thread ids */
		const struct vt_sched_switch *s = &ev->u.sched_switch;
		rec_start(r, VT_TCF_SWITCH, pid, 64);
		put_comm(r, 8, s->prev_comm);
		PUT(r->buf, 24, s->prev_tid);
		PUT(r->buf, 28, s->prev_prio);
		PUT(r->buf, 32, s->prev_state);
		put_comm(r, 40, s->next_comm);
		PUT(r->buf, 56, s->next_tid);
		PUT(r->buf, 60, s->next_prio);
		return 1;
	}
	case VT_SCHED_WAKEUP: {
		const struct vt_sched_wakeup *s = &ev->u.sched_wakeup;
		int is_new = ev->name && !strcmp(ev->name, "sched_wakeup_new");
		rec_start(r, is_new ? VT_TCF_WAKEUP_NEW : VT_TCF_WAKEUP, pid, 36);
		put_comm(r, 8, s->comm);
		PUT(r->buf, 24, s->tid);
		PUT(r->buf, 28, s->prio);
		PUT(r->buf, 32, s->target_cpu);
		return 1;
	}
	case VT_PROCESS_FORK: /* ftrace's parent_pid/child_pid are thread ids */
		rec_start(r, VT_TCF_FORK, pid, 24);
		PUT(r->buf, 12, ev->u.fork.parent_tid);
		PUT(r->buf, 20, ev->u.fork.child_tid);
		put_loc(r, 8, ev->u.fork.parent_comm);
		put_loc(r, 16, ev->u.fork.child_comm);
		return 1;
	case VT_PROCESS_EXEC:
		rec_start(r, VT_TCF_EXEC, pid, 20);
		PUT(r->buf, 12, ev->u.exec.tid);
		PUT(r->buf, 16, ev->u.exec.old_tid);
		put_loc(r, 8, ev->u.exec.filename);
		return 1;
	case VT_PROCESS_EXIT:
		rec_start(r, VT_TCF_EXIT, pid, 33);
		put_comm(r, 8, ev->u.exit.comm);
		PUT(r->buf, 24, ev->u.exit.tid);
		PUT(r->buf, 28, (int32_t)120);
		return 1;
	case VT_IRQ_ENTRY:
		rec_start(r, VT_TCF_IRQ_ENTRY, pid, 16);
		PUT(r->buf, 8, ev->u.irq.irq);
		put_loc(r, 12, ev->u.irq.name);
		return 1;
	case VT_IRQ_EXIT:
		rec_start(r, VT_TCF_IRQ_EXIT, pid, 16);
		PUT(r->buf, 8, ev->u.irq.irq);
		PUT(r->buf, 12, ev->u.irq.ret);
		return 1;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		rec_start(r, ev->kind == VT_SOFTIRQ_ENTRY ? VT_TCF_SOFTIRQ_ENTRY : VT_TCF_SOFTIRQ_EXIT, pid, 12);
		PUT(r->buf, 8, ev->u.softirq.vec);
		return 1;
	case VT_TIMER_EXPIRE: /* "now" is not kept: the record's time */
		rec_start(r, VT_TCF_HRTIMER_EXPIRE_ENTRY, pid, 32);
		PUT(r->buf, 8, ev->u.timer.timer);
		PUT(r->buf, 24, ev->u.timer.function);
		return 1;
	case VT_NET_SEND:
	case VT_NET_RECV: /* ftrace's net events: no IP or TCP header */
		rec_start(r, ev->kind == VT_NET_SEND ? VT_TCF_NET_DEV_QUEUE : VT_TCF_NETIF_RECEIVE_SKB, pid, 24);
		PUT(r->buf, 16, ev->u.net.len);
		put_loc(r, 20, ev->u.net.ifname);
		return 1;
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_HG_GUEST:
	case VT_VMSYNC_GH_HOST:
	case VT_VMSYNC_HG_HOST:
		rec_start(r, VT_TCF_VMSYNC_GH_GUEST + (int)(ev->kind - VT_VMSYNC_GH_GUEST), pid, 24);
		PUT(r->buf, 8, (uint32_t)ev->u.vmsync.cnt);
		PUT(r->buf, 16, ev->u.vmsync.vm_uid);
		return 1;
	case VT_OTHER: {
		int id = other_id(ev->name);
		if (id < 0)
			return 0;
		rec_start(r, id, pid, id == VT_TCF_KVM_PIO ? 28 : id == VT_TCF_KVM_MSR ? 25 : 14);
		return 1;
	}
	default:
		return 0;
	}
}

int vt_tc_encode(struct vt_tc_writer *w, uint64_t ts, const struct vt_event *ev)
{
	struct vt_tc_rec *r = &w->rec;
	if (ev->cpu < 0 || (uint32_t)ev->cpu >= w->opt.cpus)
		return 0;
	note_comms(w, ev);
	int32_t pid = ev->tid > 0 ? ev->tid : 0;
	char line[2048];
	if (agent_line(&w->guest, ev, line, sizeof(line)))
		print_line(r, pid, line);
	else if (!encode(ev, pid, r))
		return 0;
	return emit(w, ts, (uint32_t)ev->cpu, r);
}
