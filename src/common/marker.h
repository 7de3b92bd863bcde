/* The agent's trace_marker lines, "vmtrace: EVENT key=value ...": what the
 * agent writes into ftrace traces (src/agent/marker_sink.c) and what the
 * trace.dat reader (src/sources) and exporter (src/exporters) read and write
 * back. With the identities they carry (guest, vCPU, machine), so that the
 * data flow needs none of the agent. */
#ifndef VMTRACE_COMMON_MARKER_H
#define VMTRACE_COMMON_MARKER_H

#include <stddef.h>
#include <stdint.h>

/* vmtrace/event.h */
struct vt_event;
struct vt_vcpu_books;
struct vt_vm_books;
struct vt_ping;

struct vt_vcpu_info {
	uint32_t vcpu;
	int32_t tid;                    /* -1 when unknown; else a thread of the guest's process */
	int64_t tsc_offset;             /* valid when has_tsc */
	uint64_t tsc_scaling_ratio;     /* 0 when the hardware does not scale */
	uint32_t tsc_scaling_frac_bits;
	int has_tsc;
};

enum vt_accel { VT_ACCEL_UNKNOWN = 0, VT_ACCEL_KVM, VT_ACCEL_NONE };

/* What says that a process runs a KVM VM. Only a guest with evidence
 * (debugfs or vm-fd) is written into traces with its identity: any process
 * can call itself qemu-system-x86_64 and claim any -uuid. */
enum vt_kvm_evidence {
	VT_KVM_NOT_SAID = 0, /* read from a trace written before the agent said it */
	VT_KVM_UNKNOWN,      /* no debugfs folder, and /proc/PID/fd not readable */
	VT_KVM_NONE,         /* no debugfs folder, and no VM among its fds */
	VT_KVM_DEBUGFS,      /* DEBUGFS/kvm/PID-FD exists: the kernel made it for that pid */
	VT_KVM_VM_FD,        /* it holds an anon_inode:kvm-vm fd */
};

/* "unknown", "none", "debugfs", "vm-fd" ("" for VT_KVM_NOT_SAID). */
const char *vt_kvm_evidence_name(enum vt_kvm_evidence e);
/* The value of a name above; VT_KVM_NOT_SAID for NULL, "" or anything else. */
enum vt_kvm_evidence vt_kvm_evidence_parse(const char *name);

struct vt_guest_info {
	int64_t pid;
	char uuid[64];     /* a valid uuid (vt_uuid_valid) or "" */
	char name[256];    /* as QEMU was given it: any bytes; every sink escapes it */
	char debugfs[512]; /* /sys/kernel/debug/kvm/PID-FD, "" when not readable */
	char qmp[512];
	uint32_t vcpus;    /* count of vCPUs known (threads, debugfs or -smp), at most VT_AGENT_MAX_VCPUS */
	uint32_t smp;      /* -smp (with maxcpus, the larger), 0 when refused */
	enum vt_accel accel;
	enum vt_kvm_evidence kvm;
	int gone;          /* the process exited while it was read */
	int tids_from;     /* 0 none, 1 thread names, 2 QMP */
	struct vt_vcpu_info *vcpu; /* nvcpu entries, by vCPU index (owned) */
	size_t nvcpu;
	char note[512];    /* what was refused or could not be read, "" when nothing; raw bytes of
			    * the process's own strings may appear: escape before printing */
};

/* Does g carry KVM evidence (debugfs or vm-fd)? Only those go into traces. */
int vt_guest_is_kvm(const struct vt_guest_info *g);

struct vt_machine_info {
	char product_uuid[64]; /* "" when not readable (root only) */
	char machine_id[64];
	char boot_id[64];
	char hostname[256];
	char note[256];        /* what could not be read */
};

/* Formats one marker line (with its newline) into buf; returns its length. */
size_t vt_marker_format_guest(char *buf, size_t size, const char *event, const struct vt_guest_info *g);
size_t vt_marker_format_vcpu(char *buf, size_t size, const struct vt_guest_info *g,
			     const struct vt_vcpu_info *v);
size_t vt_marker_format_machine(char *buf, size_t size, const struct vt_machine_info *m);
size_t vt_marker_format_simple(char *buf, size_t size, const char *event, int64_t pid);
/* vcpu_books / vm_books lines; an unknown value (VT_BOOKS_UNKNOWN) is left out. */
size_t vt_marker_format_vcpu_books(char *buf, size_t size, const struct vt_vcpu_books *b);
size_t vt_marker_format_vm_books(char *buf, size_t size, const struct vt_vm_books *b);
/* ping_out (back = 0) / ping_back lines. */
size_t vt_marker_format_ping(char *buf, size_t size, int back, const struct vt_ping *p);

/* Parses one marker line ("... vmtrace: EVENT key=value ...", as trace_marker
 * writes it or trace-cmd prints it), undoing the %XX encoding. Fills ev->kind
 * (VT_MACHINE_ID, VT_STATEDUMP_BEGIN/END, VT_GUEST_DUMP, VT_GUEST_VCPU,
 * VT_GUEST_CREATED, VT_GUEST_DESTROYED, VT_VCPU_BOOKS, VT_VM_BOOKS, VT_PING_OUT, VT_PING_BACK) and ev->u, with strings pointing into
 * buf. Returns 1, 0 when the line is not a vmtrace line, -1 when malformed. */
int vt_marker_parse(const char *line, struct vt_event *ev, char *buf, size_t size);

#endif
