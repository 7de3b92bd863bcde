/* ftrace trace_marker lines for trace-cmd users: "vmtrace: EVENT key=value ...",
 * values percent-encoded (every byte but printable ASCII other than space and
 * '%': so no newline, control character or non-ASCII byte of a guest's name
 * reaches the line) so a line splits on spaces. */
#include "common/marker.h"
#include "vmtrace/event.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct out {
	char *buf;
	size_t size, len;
};

static void add(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct out *o, const char *fmt, ...)
{
	if (o->len >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	o->len = n < 0 ? o->len : (o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1);
}

static void add_str(struct out *o, const char *key, const char *v)
{
	add(o, " %s=", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p >= 0x7f) /* 0x21..0x7e but '%' stay */
			add(o, "%%%02X", *p);
		else
			add(o, "%c", *p);
	}
}

static size_t finish(struct out *o)
{
	/* Keep room for the newline even when a value was cut. */
	if (o->len + 2 > o->size)
		o->len = o->size - 2;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	return o->len;
}

size_t vt_marker_format_guest(char *buf, size_t size, const char *event, const struct vt_guest_info *g)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: %s pid=%" PRId64, event, g->pid);
	add_str(&o, "uuid", g->uuid);
	add_str(&o, "name", g->name);
	add(&o, " vcpus=%" PRIu32, g->vcpus);
	if (g->kvm != VT_KVM_NOT_SAID) /* lines converted from traces written before it was said */
		add_str(&o, "kvm", vt_kvm_evidence_name(g->kvm));
	if (!strcmp(event, "guest"))
		add_str(&o, "debugfs", g->debugfs);
	return finish(&o);
}

size_t vt_marker_format_vcpu(char *buf, size_t size, const struct vt_guest_info *g,
			     const struct vt_vcpu_info *v)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: guest_vcpu pid=%" PRId64 " vcpu=%" PRIu32 " tid=%" PRId32
		" tsc_offset=%" PRId64 " tsc_scaling_ratio=%" PRIu64 " tsc_scaling_frac_bits=%" PRIu32,
	    g->pid, v->vcpu, v->tid, v->has_tsc ? v->tsc_offset : 0, v->tsc_scaling_ratio,
	    v->tsc_scaling_frac_bits);
	return finish(&o);
}

size_t vt_marker_format_machine(char *buf, size_t size, const struct vt_machine_info *m)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: machine");
	add_str(&o, "product_uuid", m->product_uuid);
	add_str(&o, "machine_id", m->machine_id);
	add_str(&o, "boot_id", m->boot_id);
	add_str(&o, "hostname", m->hostname);
	return finish(&o);
}

size_t vt_marker_format_simple(char *buf, size_t size, const char *event, int64_t pid)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: %s", event);
	if (pid >= 0)
		add(&o, " pid=%" PRId64, pid);
	return finish(&o);
}

/* " key=value" unless the value is unknown. */
static void add_known(struct out *o, const char *key, uint64_t v)
{
	if (v != VT_BOOKS_UNKNOWN)
		add(o, " %s=%" PRIu64, key, v);
}

size_t vt_marker_format_vcpu_books(char *buf, size_t size, const struct vt_vcpu_books *b)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: vcpu_books pid=%" PRId64 " vcpu=%" PRIu32 " tid=%" PRId32 " age_ns=%" PRIu64, b->pid,
	    b->vcpu, b->tid, b->age_ns);
	add_known(&o, "run_ns", b->run_ns);
	add_known(&o, "wait_ns", b->wait_ns);
	add_known(&o, "timeslices", b->timeslices);
	add_known(&o, "guest_ticks", b->guest_ticks);
	add(&o, " clk_tck=%" PRIu32, b->clk_tck);
	return finish(&o);
}

size_t vt_marker_format_vm_books(char *buf, size_t size, const struct vt_vm_books *b)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: vm_books pid=%" PRId64 " age_ns=%" PRIu64, b->pid, b->age_ns);
	add_known(&o, "exits", b->exits);
	add_known(&o, "io_exits", b->io_exits);
	add_known(&o, "mmio_exits", b->mmio_exits);
	add_known(&o, "signal_exits", b->signal_exits);
	add_known(&o, "halt_exits", b->halt_exits);
	add_known(&o, "irq_exits", b->irq_exits);
	add(&o, " tick_function=%" PRIu64, b->tick_function);
	return finish(&o);
}

size_t vt_marker_format_ping(char *buf, size_t size, int back, const struct vt_ping *p)
{
	struct out o = {buf, size, 0};
	add(&o, "vmtrace: %s session=%" PRIu64 " seq=%" PRIu64, back ? "ping_back" : "ping_out", p->session, p->seq);
	return finish(&o);
}

static const char *const evidence_names[] = {
	[VT_KVM_NOT_SAID] = "", [VT_KVM_UNKNOWN] = "unknown", [VT_KVM_NONE] = "none",
	[VT_KVM_DEBUGFS] = "debugfs", [VT_KVM_VM_FD] = "vm-fd",
};

const char *vt_kvm_evidence_name(enum vt_kvm_evidence e)
{
	return (unsigned)e < sizeof(evidence_names) / sizeof(evidence_names[0]) ? evidence_names[e] : "";
}

enum vt_kvm_evidence vt_kvm_evidence_parse(const char *name)
{
	for (unsigned e = VT_KVM_UNKNOWN; name && e < sizeof(evidence_names) / sizeof(evidence_names[0]); e++)
		if (!strcmp(name, evidence_names[e]))
			return (enum vt_kvm_evidence)e;
	return VT_KVM_NOT_SAID;
}

int vt_guest_is_kvm(const struct vt_guest_info *g)
{
	return g->kvm == VT_KVM_DEBUGFS || g->kvm == VT_KVM_VM_FD;
}
