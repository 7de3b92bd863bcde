/* Reads back the trace_marker lines marker_format.c writes (docs/agent.md). */
#include "common/marker.h"
#include "vmtrace/event.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum vt_kind kind;
} events[] = {
	{"machine", VT_MACHINE_ID},         {"statedump_begin", VT_STATEDUMP_BEGIN},
	{"guest", VT_GUEST_DUMP},           {"guest_vcpu", VT_GUEST_VCPU},
	{"statedump_end", VT_STATEDUMP_END}, {"guest_created", VT_GUEST_CREATED},
	{"guest_destroyed", VT_GUEST_DESTROYED}, {"vcpu_books", VT_VCPU_BOOKS},
	{"vm_books", VT_VM_BOOKS},            {"ping_out", VT_PING_OUT},
	{"ping_back", VT_PING_BACK},
};

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes %XX in place; returns -1 on a bad escape. */
static int unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '%') {
			int hi = hexval((unsigned char)r[1]), lo = hi < 0 ? -1 : hexval((unsigned char)r[2]);
			if (lo < 0)
				return -1;
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

static int to_i64(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || errno == ERANGE) /* out of range: refused, not clamped */
		return -1;
	*out = x;
	return 0;
}

static int to_u64(const char *v, uint64_t *out)
{
	char *end;
	if (*v == '-')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *end || errno == ERANGE)
		return -1;
	*out = x;
	return 0;
}

/* A books line's key: a number into its slot (unknown keys are ignored). */
static int set_books(struct vt_event *ev, const char *k, const char *v)
{
	struct vt_vcpu_books *b = &ev->u.vcpu_books;
	struct vt_vm_books *m = &ev->u.vm_books;
	int vcpu = ev->kind == VT_VCPU_BOOKS;
	int64_t i;
	uint64_t u;
	if (!strcmp(k, "pid") || (vcpu && !strcmp(k, "tid"))) {
		if (to_i64(v, &i) < 0 || i < INT32_MIN || i > INT32_MAX)
			return -1;
		if (k[0] == 't')
			b->tid = (int32_t)i;
		else if (vcpu)
			b->pid = i;
		else
			m->pid = i;
		return 0;
	}
	static const char *const vcpu_keys[] = {"vcpu", "age_ns", "run_ns", "wait_ns", "timeslices", "guest_ticks",
						"clk_tck"};
	static const char *const vm_keys[] = {"age_ns", "exits", "io_exits", "mmio_exits", "signal_exits",
					      "halt_exits", "irq_exits", "tick_function"};
	uint64_t *vm_slot[] = {&m->age_ns, &m->exits, &m->io_exits, &m->mmio_exits, &m->signal_exits,
			       &m->halt_exits, &m->irq_exits, &m->tick_function};
	uint64_t *vcpu_slot[] = {NULL, &b->age_ns, &b->run_ns, &b->wait_ns, &b->timeslices, &b->guest_ticks, NULL};
	size_t n = vcpu ? sizeof(vcpu_keys) / sizeof(vcpu_keys[0]) : sizeof(vm_keys) / sizeof(vm_keys[0]);
	for (size_t j = 0; j < n; j++) {
		if (strcmp(k, vcpu ? vcpu_keys[j] : vm_keys[j]))
			continue;
		if (to_u64(v, &u) < 0)
			return -1;
		if (!vcpu)
			*vm_slot[j] = u;
		else if (vcpu_slot[j])
			*vcpu_slot[j] = u;
		else if (u > UINT32_MAX)
			return -1;
		else if (k[0] == 'v')
			b->vcpu = (uint32_t)u;
		else
			b->clk_tck = (uint32_t)u;
		return 0;
	}
	return 0;
}

static int set_field(struct vt_event *ev, const char *k, const char *v)
{
	int64_t i;
	uint64_t u;
	switch (ev->kind) {
	case VT_MACHINE_ID:
		if (!strcmp(k, "product_uuid")) ev->u.machine.product_uuid = v;
		else if (!strcmp(k, "machine_id")) ev->u.machine.machine_id = v;
		else if (!strcmp(k, "boot_id")) ev->u.machine.boot_id = v;
		else if (!strcmp(k, "hostname")) ev->u.machine.hostname = v;
		return 0;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
	case VT_GUEST_DESTROYED:
		if (!strcmp(k, "pid")) {
			if (to_i64(v, &i) < 0)
				return -1;
			ev->u.guest.pid = i;
		} else if (!strcmp(k, "uuid")) {
			ev->u.guest.uuid = v;
		} else if (!strcmp(k, "name")) {
			ev->u.guest.name = v;
		} else if (!strcmp(k, "kvm")) {
			ev->u.guest.kvm = v;
		} else if (!strcmp(k, "vcpus")) {
			if (to_u64(v, &u) < 0)
				return -1;
			ev->u.guest.vcpus = (uint32_t)u;
		}
		return 0;
	case VT_GUEST_VCPU:
		if (!strcmp(k, "tsc_offset") || !strcmp(k, "pid") || !strcmp(k, "tid")) {
			if (to_i64(v, &i) < 0)
				return -1;
			if (k[0] == 'p')
				ev->u.guest_vcpu.pid = i;
			else if (k[1] == 'i')
				ev->u.guest_vcpu.tid = (int32_t)i;
			else
				ev->u.guest_vcpu.tsc_offset = i;
		} else if (!strcmp(k, "vcpu") || !strcmp(k, "tsc_scaling_ratio") || !strcmp(k, "tsc_scaling_frac_bits")) {
			if (to_u64(v, &u) < 0)
				return -1;
			if (!strcmp(k, "vcpu"))
				ev->u.guest_vcpu.vcpu = (uint32_t)u;
			else if (!strcmp(k, "tsc_scaling_ratio"))
				ev->u.guest_vcpu.tsc_scaling_ratio = u;
			else
				ev->u.guest_vcpu.tsc_scaling_frac_bits = (uint32_t)u;
		}
		return 0;
	case VT_VCPU_BOOKS:
	case VT_VM_BOOKS:
		return set_books(ev, k, v);
	case VT_PING_OUT:
	case VT_PING_BACK:
		if (!strcmp(k, "session") || !strcmp(k, "seq"))
			return to_u64(v, !strcmp(k, "session") ? &ev->u.ping.session : &ev->u.ping.seq);
		return 0;
	default:
		return 0;
	}
}

int vt_marker_parse(const char *line, struct vt_event *ev, char *buf, size_t size)
{
	const char *p = strstr(line, "vmtrace: ");
	if (!p)
		return 0;
	p += 9;
	size_t n = strcspn(p, "\r\n");
	if (n + 1 > size)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	memset(&ev->u, 0, sizeof(ev->u));
	char *save = NULL, *tok = strtok_r(buf, " ", &save);
	if (!tok)
		return -1;
	ev->kind = VT_OTHER;
	ev->name = NULL;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(tok, events[i].name)) {
			ev->kind = events[i].kind;
			ev->name = events[i].name;
		}
	if (ev->kind == VT_OTHER)
		return -1;
	/* Unknown strings are "" as in the other sinks. */
	if (ev->kind == VT_MACHINE_ID)
		ev->u.machine.product_uuid = ev->u.machine.machine_id = ev->u.machine.boot_id =
			ev->u.machine.hostname = "";
	if (ev->kind == VT_GUEST_DUMP || ev->kind == VT_GUEST_CREATED)
		ev->u.guest.uuid = ev->u.guest.name = "";
	if (ev->kind == VT_VCPU_BOOKS) { /* a value left out is unknown */
		struct vt_vcpu_books *b = &ev->u.vcpu_books;
		b->pid = -1;
		b->tid = VT_NO_TID;
		b->vcpu = VT_NO_VCPU;
		b->run_ns = b->wait_ns = b->timeslices = b->guest_ticks = VT_BOOKS_UNKNOWN;
	}
	if (ev->kind == VT_VM_BOOKS) {
		struct vt_vm_books *m = &ev->u.vm_books;
		m->pid = -1;
		m->exits = m->io_exits = m->mmio_exits = m->signal_exits = m->halt_exits = m->irq_exits =
			VT_BOOKS_UNKNOWN;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		if (unescape(eq + 1) < 0 || set_field(ev, tok, eq + 1) < 0)
			return -1;
	}
	return 1;
}
