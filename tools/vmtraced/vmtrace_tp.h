/* The LTTng-UST provider `vmtrace`. The CTF reader decodes exactly these
 * names and types: change them only together with src/sources/. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vmtrace

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./vmtrace_tp.h"

#if !defined(VMTRACE_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define VMTRACE_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

#include "vmtrace/event.h"

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, machine,
	LTTNG_UST_TP_ARGS(const char *, product_uuid, const char *, machine_id,
			  const char *, boot_id, const char *, hostname),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(product_uuid, product_uuid)
		lttng_ust_field_string(machine_id, machine_id)
		lttng_ust_field_string(boot_id, boot_id)
		lttng_ust_field_string(hostname, hostname)))

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, statedump_begin,
	LTTNG_UST_TP_ARGS(),
	LTTNG_UST_TP_FIELDS())

/* kvm: what says the pid runs a KVM VM ("debugfs", "vm-fd"; "none" or
 * "unknown" only in guest_created, then without uuid and name). */
LTTNG_UST_TRACEPOINT_EVENT(vmtrace, guest,
	LTTNG_UST_TP_ARGS(int64_t, pid, const char *, uuid, const char *, name,
			  uint32_t, vcpus, const char *, kvm, const char *, debugfs),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, pid)
		lttng_ust_field_string(uuid, uuid)
		lttng_ust_field_string(name, name)
		lttng_ust_field_integer(uint32_t, vcpus, vcpus)
		lttng_ust_field_string(kvm, kvm)
		lttng_ust_field_string(debugfs, debugfs)))

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, guest_vcpu,
	LTTNG_UST_TP_ARGS(int64_t, pid, uint32_t, vcpu, int32_t, tid, int64_t, tsc_offset,
			  uint64_t, tsc_scaling_ratio, uint32_t, tsc_scaling_frac_bits),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, pid)
		lttng_ust_field_integer(uint32_t, vcpu, vcpu)
		lttng_ust_field_integer(int32_t, tid, tid)
		lttng_ust_field_integer(int64_t, tsc_offset, tsc_offset)
		lttng_ust_field_integer(uint64_t, tsc_scaling_ratio, tsc_scaling_ratio)
		lttng_ust_field_integer(uint32_t, tsc_scaling_frac_bits, tsc_scaling_frac_bits)))

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, statedump_end,
	LTTNG_UST_TP_ARGS(),
	LTTNG_UST_TP_FIELDS())

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, guest_created,
	LTTNG_UST_TP_ARGS(int64_t, pid, const char *, uuid, const char *, name, uint32_t, vcpus,
			  const char *, kvm),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, pid)
		lttng_ust_field_string(uuid, uuid)
		lttng_ust_field_string(name, name)
		lttng_ust_field_integer(uint32_t, vcpus, vcpus)
		lttng_ust_field_string(kvm, kvm)))

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, guest_destroyed,
	LTTNG_UST_TP_ARGS(int64_t, pid),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, pid)))

/* The kernel's books (vmtrace/event.h): UINT64_MAX is a value that could not be read. */
LTTNG_UST_TRACEPOINT_EVENT(vmtrace, vcpu_books,
	LTTNG_UST_TP_ARGS(const struct vt_vcpu_books *, b),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, b->pid)
		lttng_ust_field_integer(uint32_t, vcpu, b->vcpu)
		lttng_ust_field_integer(int32_t, tid, b->tid)
		lttng_ust_field_integer(uint64_t, age_ns, b->age_ns)
		lttng_ust_field_integer(uint64_t, run_ns, b->run_ns)
		lttng_ust_field_integer(uint64_t, wait_ns, b->wait_ns)
		lttng_ust_field_integer(uint64_t, timeslices, b->timeslices)
		lttng_ust_field_integer(uint64_t, guest_ticks, b->guest_ticks)
		lttng_ust_field_integer(uint32_t, clk_tck, b->clk_tck)))

LTTNG_UST_TRACEPOINT_EVENT(vmtrace, vm_books,
	LTTNG_UST_TP_ARGS(const struct vt_vm_books *, b),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, pid, b->pid)
		lttng_ust_field_integer(uint64_t, age_ns, b->age_ns)
		lttng_ust_field_integer(uint64_t, exits, b->exits)
		lttng_ust_field_integer(uint64_t, io_exits, b->io_exits)
		lttng_ust_field_integer(uint64_t, mmio_exits, b->mmio_exits)
		lttng_ust_field_integer(uint64_t, signal_exits, b->signal_exits)
		lttng_ust_field_integer(uint64_t, halt_exits, b->halt_exits)
		lttng_ust_field_integer(uint64_t, irq_exits, b->irq_exits)
		lttng_ust_field_integer_hex(uint64_t, tick_function, b->tick_function)))

/* The guest's clock ping, around its hypercall (vmtrace/event.h, VT_PING_HYPERCALL). */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vmtrace, ping_class,
	LTTNG_UST_TP_ARGS(uint64_t, session, uint64_t, seq),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, session, session)
		lttng_ust_field_integer(uint64_t, seq, seq)))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vmtrace, ping_class, vmtrace, ping_out,
	LTTNG_UST_TP_ARGS(uint64_t, session, uint64_t, seq))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vmtrace, ping_class, vmtrace, ping_back,
	LTTNG_UST_TP_ARGS(uint64_t, session, uint64_t, seq))

#endif

#include <lttng/tracepoint-event.h>
