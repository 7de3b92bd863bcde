/* The one translation of a kind's payload slots (ctf_names.c's order) into
 * a normalized vt_event, shared by the babeltrace2 reader (ctf_decode.c), the
 * native one (ctf_plan.c) and the trace.dat one (tracecmd_decode.c): each
 * reader only fetches the slots' values. */
#include "sources/ctf_names.h"

#include <string.h>

static uint64_t u64_at(const struct vt_slot_value *v, uint64_t absent)
{
	return v->present ? v->u : absent;
}

static const char *str_at(const struct vt_slot_value *v)
{
	return v->present ? v->s : NULL;
}

void vt_event_fill(enum vt_kind kind, const char *name, const struct vt_slot_value *p, int net_header,
		   struct vt_event *ev)
{
	switch (kind) {
	case VT_KVM_ENTRY:
		ev->u.kvm_entry.vcpu_id = (uint32_t)u64_at(&p[0], VT_NO_VCPU);
		break;
	case VT_KVM_EXIT:
		ev->u.kvm_exit.exit_reason = u64_at(&p[0], 0);
		ev->u.kvm_exit.isa = (uint32_t)u64_at(&p[1], VT_ISA_UNKNOWN);
		ev->u.kvm_exit.vcpu_id = (uint32_t)u64_at(&p[2], VT_NO_VCPU);
		ev->u.kvm_exit.guest_rip = u64_at(&p[3], 0);
		ev->u.kvm_exit.info1 = u64_at(&p[4], 0);
		ev->u.kvm_exit.info2 = u64_at(&p[5], 0);
		break;
	case VT_KVM_HYPERCALL:
		ev->u.hypercall.nr = u64_at(&p[0], 0);
		ev->u.hypercall.a0 = u64_at(&p[1], 0);
		ev->u.hypercall.a1 = u64_at(&p[2], 0);
		ev->u.hypercall.a2 = u64_at(&p[3], 0);
		ev->u.hypercall.a3 = u64_at(&p[4], 0);
		break;
	case VT_KVM_USERSPACE_EXIT:
		ev->u.userspace_exit.reason = (uint32_t)u64_at(&p[0], 0);
		ev->u.userspace_exit.err = (int32_t)u64_at(&p[1], 0);
		break;
	case VT_SCHED_SWITCH:
		ev->u.sched_switch.prev_tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.sched_switch.next_tid = (int32_t)u64_at(&p[1], (uint64_t)VT_NO_TID);
		ev->u.sched_switch.prev_prio = (int32_t)u64_at(&p[2], 0);
		ev->u.sched_switch.next_prio = (int32_t)u64_at(&p[3], 0);
		ev->u.sched_switch.prev_state = (int64_t)u64_at(&p[4], 0);
		ev->u.sched_switch.prev_comm = str_at(&p[5]);
		ev->u.sched_switch.next_comm = str_at(&p[6]);
		break;
	case VT_SCHED_WAKEUP:
		ev->u.sched_wakeup.tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.sched_wakeup.target_cpu = (int32_t)u64_at(&p[1], (uint64_t)VT_NO_CPU);
		ev->u.sched_wakeup.prio = (int32_t)u64_at(&p[2], 0);
		ev->u.sched_wakeup.comm = str_at(&p[3]);
		break;
	case VT_PROCESS_FORK:
		ev->u.fork.parent_tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.fork.parent_pid = (int32_t)u64_at(&p[1], (uint64_t)VT_NO_TID);
		ev->u.fork.child_tid = (int32_t)u64_at(&p[2], (uint64_t)VT_NO_TID);
		ev->u.fork.child_pid = (int32_t)u64_at(&p[3], (uint64_t)VT_NO_TID);
		ev->u.fork.parent_comm = str_at(&p[4]);
		ev->u.fork.child_comm = str_at(&p[5]);
		break;
	case VT_PROCESS_EXEC:
		ev->u.exec.tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.exec.old_tid = (int32_t)u64_at(&p[1], (uint64_t)VT_NO_TID);
		ev->u.exec.filename = str_at(&p[2]);
		break;
	case VT_PROCESS_EXIT:
		ev->u.exit.tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.exit.comm = str_at(&p[1]);
		break;
	case VT_STATEDUMP_PROCESS:
		ev->u.statedump_process.tid = (int32_t)u64_at(&p[0], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.pid = (int32_t)u64_at(&p[1], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.ppid = (int32_t)u64_at(&p[2], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.name = str_at(&p[3]);
		break;
	case VT_NET_SEND:
	case VT_NET_RECV:
		if (net_header) { /* lttng-modules >= 2.9 network_header layout: the caller decoded it */
			ev->u.net.len = (uint32_t)u64_at(&p[0], 0);
			ev->u.net.ifname = str_at(&p[1]);
		} else if (p[0].present && p[1].present && p[2].present &&
			   strncmp(name, "inet_sock_local_", 16) == 0) { /* addons layout */
			ev->u.net.key.seq = (uint32_t)u64_at(&p[0], 0);
			ev->u.net.key.ack_seq = (uint32_t)u64_at(&p[1], 0);
			ev->u.net.key.flags = (uint32_t)u64_at(&p[2], 0);
			ev->u.net.has_key = 1;
		} else {
			ev->u.net.len = (uint32_t)u64_at(&p[0], 0);
			ev->u.net.ifname = str_at(&p[1]);
		}
		break;
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_HG_GUEST:
	case VT_VMSYNC_GH_HOST:
	case VT_VMSYNC_HG_HOST:
		ev->u.vmsync.cnt = u64_at(&p[0], 0);
		ev->u.vmsync.vm_uid = u64_at(&p[1], 0);
		break;
	case VT_MACHINE_ID:
		ev->u.machine.product_uuid = str_at(&p[0]);
		ev->u.machine.machine_id = str_at(&p[1]);
		ev->u.machine.boot_id = str_at(&p[2]);
		ev->u.machine.hostname = str_at(&p[3]);
		break;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
	case VT_GUEST_DESTROYED:
		ev->u.guest.pid = (int64_t)u64_at(&p[0], (uint64_t)-1);
		ev->u.guest.uuid = str_at(&p[1]);
		ev->u.guest.name = str_at(&p[2]);
		ev->u.guest.vcpus = (uint32_t)u64_at(&p[3], 0);
		ev->u.guest.kvm = str_at(&p[4]);
		break;
	case VT_GUEST_VCPU:
		ev->u.guest_vcpu.pid = (int64_t)u64_at(&p[0], (uint64_t)-1);
		ev->u.guest_vcpu.vcpu = (uint32_t)u64_at(&p[1], VT_NO_VCPU);
		ev->u.guest_vcpu.tid = (int32_t)u64_at(&p[2], (uint64_t)VT_NO_TID);
		ev->u.guest_vcpu.tsc_offset = (int64_t)u64_at(&p[3], 0);
		ev->u.guest_vcpu.tsc_scaling_ratio = u64_at(&p[4], 0);
		ev->u.guest_vcpu.tsc_scaling_frac_bits = (uint32_t)u64_at(&p[5], 0);
		break;
	case VT_IRQ_ENTRY:
	case VT_IRQ_EXIT:
		ev->u.irq.irq = (int32_t)u64_at(&p[0], 0);
		ev->u.irq.ret = (int32_t)u64_at(&p[1], 0);
		ev->u.irq.name = str_at(&p[2]);
		break;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		ev->u.softirq.vec = (uint32_t)u64_at(&p[0], 0);
		break;
	case VT_TIMER_EXPIRE:
		ev->u.timer.timer = u64_at(&p[0], 0);
		ev->u.timer.function = u64_at(&p[1], 0);
		break;
	case VT_VCPU_BOOKS:
		ev->u.vcpu_books.pid = (int64_t)u64_at(&p[0], (uint64_t)-1);
		ev->u.vcpu_books.vcpu = (uint32_t)u64_at(&p[1], VT_NO_VCPU);
		ev->u.vcpu_books.tid = (int32_t)u64_at(&p[2], (uint64_t)VT_NO_TID);
		ev->u.vcpu_books.age_ns = u64_at(&p[3], 0);
		ev->u.vcpu_books.run_ns = u64_at(&p[4], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.wait_ns = u64_at(&p[5], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.timeslices = u64_at(&p[6], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.guest_ticks = u64_at(&p[7], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.clk_tck = (uint32_t)u64_at(&p[8], 0);
		break;
	case VT_VM_BOOKS:
		ev->u.vm_books.pid = (int64_t)u64_at(&p[0], (uint64_t)-1);
		ev->u.vm_books.age_ns = u64_at(&p[1], 0);
		ev->u.vm_books.exits = u64_at(&p[2], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.io_exits = u64_at(&p[3], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.mmio_exits = u64_at(&p[4], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.signal_exits = u64_at(&p[5], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.halt_exits = u64_at(&p[6], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.irq_exits = u64_at(&p[7], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.tick_function = u64_at(&p[8], 0);
		break;
	case VT_PING_OUT:
	case VT_PING_BACK:
		ev->u.ping.session = u64_at(&p[0], 0);
		ev->u.ping.seq = u64_at(&p[1], 0);
		break;
	default:
		break;
	}
}
