/* Reads back the trace_marker lines marker_sink.c writes (docs/agent.md). */
#include "vmtrace/agent.h"
#include "vmtrace/event.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum vt_kind kind;
} events[] = {
	{"machine", VT_MACHINE_ID},         {"statedump_begin", VT_STATEDUMP_BEGIN},
	{"guest", VT_GUEST_DUMP},           {"guest_vcpu", VT_GUEST_VCPU},
	{"statedump_end", VT_STATEDUMP_END}, {"guest_created", VT_GUEST_CREATED},
	{"guest_destroyed", VT_GUEST_DESTROYED},
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
	long long x = strtoll(v, &end, 10);
	if (!*v || *end)
		return -1;
	*out = x;
	return 0;
}

static int to_u64(const char *v, uint64_t *out)
{
	char *end;
	if (*v == '-')
		return -1;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *end)
		return -1;
	*out = x;
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
