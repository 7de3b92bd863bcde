/* vmtrace: normalized events. Sources translate tracer-specific events into
 * these kinds so that nothing below sources/ knows which tracer wrote a trace. */
#ifndef VMTRACE_EVENT_H
#define VMTRACE_EVENT_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vt_kind {
	VT_OTHER = 0,
	VT_KVM_ENTRY,
	VT_KVM_EXIT,
	VT_KVM_HYPERCALL,
	VT_KVM_USERSPACE_EXIT,
	VT_SCHED_SWITCH,
	VT_SCHED_WAKEUP,
	VT_PROCESS_FORK,
	VT_PROCESS_EXEC,
	VT_PROCESS_EXIT,
	VT_STATEDUMP_PROCESS,
	VT_NET_SEND,
	VT_NET_RECV,
	VT_VMSYNC_GH_GUEST, /* guest, before the hypercall: a cause */
	VT_VMSYNC_HG_GUEST, /* guest, after the hypercall: an effect */
	VT_VMSYNC_GH_HOST,  /* host, on the hypercall: an effect */
	VT_VMSYNC_HG_HOST,  /* host, at the next entry: a cause */
	VT_MACHINE_ID,
	VT_STATEDUMP_BEGIN,
	VT_STATEDUMP_END,
	VT_GUEST_DUMP,
	VT_GUEST_VCPU,
	VT_GUEST_CREATED,
	VT_GUEST_DESTROYED,
	VT_IRQ_ENTRY,
	VT_IRQ_EXIT,
	VT_SOFTIRQ_ENTRY,
	VT_SOFTIRQ_EXIT,
	VT_TIMER_EXPIRE, /* an hrtimer's callback begins (the scheduler tick among them) */
	VT_VCPU_BOOKS,   /* the kernel's books on a vCPU thread, read by the host's agent */
	VT_VM_BOOKS,     /* KVM's counters of a VM, read by the host's agent */
	VT_PING_OUT,     /* guest, just before its ping hypercall: a cause */
	VT_PING_BACK,    /* guest, just after it returned: an effect */
	VT_KIND_COUNT
};

/* Stable upper-case name ("KVM_EXIT"), or NULL for an out-of-range kind. */
VT_API const char *vt_kind_name(enum vt_kind kind);

/* Values a source could not find are these. */
#define VT_NO_CPU (-1)
#define VT_NO_TID (-1)
#define VT_NO_VCPU UINT32_MAX

enum vt_isa { VT_ISA_UNKNOWN = 0, VT_ISA_VMX = 1, VT_ISA_SVM = 2 };

/* An exit reason's name as Linux has it ("IO_INSTRUCTION", "NPF",
 * "EXCP_PF"); the number in buf when the ISA or the code is unknown. */
VT_API const char *vt_exit_reason_name(uint32_t isa, uint64_t reason, char *buf, size_t size);
/* Whether the exit was caused by an interrupt of the host (VMX
 * EXTERNAL_INTERRUPT, SVM INTR): its timer ticks, devices, IPIs. With the
 * ISA unknown, either code. */
VT_API int vt_exit_is_interrupt(uint32_t isa, uint64_t reason);
/* Whether the exit is a hypercall's (VMX VMCALL, SVM VMMCALL). */
VT_API int vt_exit_is_hypercall(uint32_t isa, uint64_t reason);

struct vt_kvm_entry {
	uint32_t vcpu_id; /* VT_NO_VCPU when absent; may be garbage on real traces */
};

struct vt_kvm_exit {
	uint64_t exit_reason;
	uint32_t isa; /* enum vt_isa */
	uint32_t vcpu_id; /* VT_NO_VCPU on kernels < 5.10 */
	uint64_t guest_rip;
	uint64_t info1;
	uint64_t info2;
};

struct vt_kvm_hypercall {
	uint64_t nr, a0, a1, a2, a3;
};

struct vt_kvm_userspace_exit {
	uint32_t reason;
	int32_t err;
};

struct vt_sched_switch {
	int32_t prev_tid, next_tid;
	int32_t prev_prio, next_prio;
	int64_t prev_state;
	const char *prev_comm, *next_comm;
};

struct vt_sched_wakeup {
	int32_t tid;
	int32_t target_cpu; /* VT_NO_CPU when absent */
	int32_t prio;
	const char *comm;
};

struct vt_process_fork {
	int32_t parent_tid, parent_pid;
	int32_t child_tid, child_pid;
	const char *parent_comm, *child_comm;
};

struct vt_process_exec {
	int32_t tid, old_tid;
	const char *filename;
};

struct vt_process_exit {
	int32_t tid;
	const char *comm;
};

struct vt_statedump_process {
	int32_t tid, pid, ppid;
	const char *name;
};

/* A TCP segment's identity: equal on the sender's and the receiver's trace. */
struct vt_tcp_key {
	uint32_t seq;
	uint32_t ack_seq;
	uint32_t flags;
};

struct vt_net {
	uint8_t has_key;  /* key below is valid (TCP seen) */
	uint8_t has_addr; /* addresses and ports below are valid */
	uint8_t family;   /* 4, 6, or 0 when unknown */
	struct vt_tcp_key key;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16]; /* ipv4 uses the first 4 bytes */
	uint32_t len;
	const char *ifname; /* NULL when absent */
};

struct vt_vmsync {
	uint64_t cnt;
	uint64_t vm_uid;
};

struct vt_machine_id {
	const char *product_uuid, *machine_id, *boot_id, *hostname;
};

/* GUEST_DUMP, GUEST_CREATED, GUEST_DESTROYED (uuid and name may be NULL). */
struct vt_guest {
	int64_t pid;
	const char *uuid;
	const char *name;
	uint32_t vcpus;
	/* What says the process runs a KVM VM: "debugfs", "vm-fd", "none",
	 * "unknown"; NULL in traces written before vmtraced said it (and in
	 * other tracers' events). A claim without evidence names no guest. */
	const char *kvm;
};

struct vt_guest_vcpu {
	int64_t pid;
	uint32_t vcpu;
	int32_t tid;
	int64_t tsc_offset;
	uint64_t tsc_scaling_ratio; /* 0 when not scaled */
	uint32_t tsc_scaling_frac_bits;
};

struct vt_irq {
	int32_t irq;
	int32_t ret;
	const char *name;
};

struct vt_softirq {
	uint32_t vec;
};

/* hrtimer_expire_entry: which timer, and its callback's kernel address
 * (tick_sched_timer's is the scheduler tick). */
struct vt_timer_expire {
	uint64_t timer;
	uint64_t function;
};

/* The kernel's own books (issue 21), read by the host's agent at each
 * statedump and when it stops; the analysis compares their differences with
 * its own figures (docs/json.md, kernel_accounting). VT_BOOKS_UNKNOWN: the
 * value could not be read. age_ns: from the read to the event, so the read
 * is placed on the trace's clock whatever that clock is. */
#define VT_BOOKS_UNKNOWN UINT64_MAX

struct vt_vcpu_books {
	int64_t pid;
	uint32_t vcpu;
	int32_t tid;
	uint64_t age_ns;
	uint64_t run_ns, wait_ns, timeslices; /* /proc/PID/task/TID/schedstat */
	uint64_t guest_ticks;                 /* /proc/PID/task/TID/stat field 43, in 1/clk_tck s */
	uint32_t clk_tck;                     /* 0 when unknown */
};

struct vt_vm_books {
	int64_t pid;
	uint64_t age_ns;
	uint64_t exits, io_exits, mmio_exits, signal_exits, halt_exits, irq_exits; /* DEBUGFS/kvm/PID-FD */
	uint64_t tick_function; /* the host kernel's tick_sched_timer, 0 when unknown */
};

/* The guest's clock ping (vmtraced --ping, docs/sync.md): the guest's agent
 * records PING_OUT, makes a KVM hypercall of number VT_PING_HYPERCALL with
 * a0 = seq and a1 = session from user space, and records PING_BACK. KVM
 * traces the hypercall (kvm_hypercall: nr, a0..a3) before it refuses it to
 * user space (-KVM_EPERM, no other effect), so the host's trace has its exit,
 * the hypercall and the next entry on the vCPU thread: a message each way. */
#define VT_PING_HYPERCALL 0x766d7472u /* "vmtr" */

struct vt_ping {
	uint64_t session; /* random, one per pinging agent */
	uint64_t seq;     /* 0, 1, 2... in that session */
};

/* One normalized event. Every string and pointer in it (name, procname, the
 * payloads' comm, name, uuid...) is weak: the source's, valid until the next
 * vt_source_next or vt_timeline_next; copy what you keep. */
struct vt_event {
	uint64_t ts_ns;   /* ns from the epoch, on the trace's own clock */
	uint32_t trace;   /* index of the trace in its source */
	uint32_t stream;  /* index of the data stream in its source */
	int32_t cpu;      /* VT_NO_CPU when unknown */
	int32_t tid;      /* context tid, VT_NO_TID when absent */
	int32_t pid;      /* context pid, VT_NO_TID when absent */
	enum vt_kind kind;
	const char *name;     /* the tracer's event name */
	const char *procname; /* context procname, NULL when absent */
	union {
		struct vt_kvm_entry kvm_entry;
		struct vt_kvm_exit kvm_exit;
		struct vt_kvm_hypercall hypercall;
		struct vt_kvm_userspace_exit userspace_exit;
		struct vt_sched_switch sched_switch;
		struct vt_sched_wakeup sched_wakeup;
		struct vt_process_fork fork;
		struct vt_process_exec exec;
		struct vt_process_exit exit;
		struct vt_statedump_process statedump_process;
		struct vt_net net;
		struct vt_vmsync vmsync;
		struct vt_machine_id machine;
		struct vt_guest guest;
		struct vt_guest_vcpu guest_vcpu;
		struct vt_irq irq;
		struct vt_softirq softirq;
		struct vt_timer_expire timer;
		struct vt_vcpu_books vcpu_books;
		struct vt_vm_books vm_books;
		struct vt_ping ping;
	} u;
};

#ifdef __cplusplus
}
#endif
#endif
