/* Plans of the native reader (ctf_plan.h): which fields to capture, and the
 * normalized event made from them, as ctf_decode.c makes it from babeltrace2's. */
#include "sources/ctf_plan.h"

#include <stdlib.h>
#include <string.h>

#include "sources/ctf_names.h"

/* Field classes in a scope's tree: its largest pre-order number + 1. */
static uint32_t count_fc(const struct vt_ctf_fc *fc, uint32_t depth)
{
	if (!fc || depth > VT_CTF_MAX_DEPTH)
		return 0;
	uint32_t n = (fc->order & 0xffffff) + 1, m;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++)
			if ((m = count_fc(fc->u.st.members[i].fc, depth + 1)) > n)
				n = m;
		break;
	case VT_CTF_FC_VARIANT:
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			if ((m = count_fc(fc->u.v.options[i].fc, depth + 1)) > n)
				n = m;
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		if ((m = count_fc(fc->u.a.element, depth + 1)) > n)
			n = m;
		break;
	case VT_CTF_FC_OPTIONAL:
		if ((m = count_fc(fc->u.o.fc, depth + 1)) > n)
			n = m;
		break;
	default:
		break;
	}
	return n;
}

static int16_t *new_index(uint32_t n)
{
	int16_t *index = malloc((n ? n : 1) * sizeof(*index));
	if (index)
		for (uint32_t i = 0; i < n; i++)
			index[i] = -1;
	return index;
}

static int16_t ir_member_index(const void *structure, const char *name)
{
	const struct vt_ctf_fc *st = structure;
	if (!st || st->type != VT_CTF_FC_STRUCT)
		return VT_NO_SLOT;
	for (uint32_t i = 0; i < st->u.st.nmembers && i < INT16_MAX; i++)
		if (!strcmp(st->u.st.members[i].name, name))
			return (int16_t)i;
	return VT_NO_SLOT;
}

static const struct vt_ctf_fc *member_fc(const struct vt_ctf_fc *st, const char *name)
{
	int16_t i = ir_member_index(st, name);
	return i == VT_NO_SLOT ? NULL : st->u.st.members[i].fc;
}

/* A variant's option by name ("ipv4" or "_ipv4", as ctf_decode.c accepts). */
static const struct vt_ctf_fc *option_fc(const struct vt_ctf_fc *v, const char *name)
{
	if (!v || v->type != VT_CTF_FC_VARIANT)
		return NULL;
	for (uint32_t i = 0; i < v->u.v.noptions; i++) {
		const char *opt = v->u.v.options[i].name;
		if (!opt)
			continue;
		if (opt[0] == '_')
			opt++;
		if (!strcmp(opt, name))
			return v->u.v.options[i].fc;
	}
	return NULL;
}

static void want(struct vt_ctf_plan *p, const struct vt_ctf_fc *fc, int capture)
{
	if (!fc)
		return;
	uint32_t idx = fc->order & 0xffffff;
	if ((fc->order >> 24) == VT_CTF_SCOPE_EVENT_PAYLOAD && idx < p->n) {
		p->index[idx] = (int16_t)capture;
		if ((uint32_t)capture + 1 > p->ncaps)
			p->ncaps = (uint32_t)capture + 1;
	}
}

static void plan_ip(struct vt_ctf_plan *p, int family, const struct vt_ctf_fc *ip)
{
	int base = VT_PLAN_NET_IP + 8 * family;
	const struct vt_ctf_fc *saddr = member_fc(ip, "saddr"), *daddr = member_fc(ip, "daddr");
	p->ip_addr[family] = saddr && daddr;
	want(p, saddr, base + VT_PLAN_IP_SADDR);
	want(p, daddr, base + VT_PLAN_IP_DADDR);
	const struct vt_ctf_fc *tcp = option_fc(member_fc(ip, "transport_header"), "tcp");
	const struct vt_ctf_fc *seq = member_fc(tcp, "seq"), *ack = member_fc(tcp, "ack_seq"),
			       *flags = member_fc(tcp, "flags");
	p->ip_tcp[family] = tcp && seq && ack && flags;
	if (!p->ip_tcp[family])
		return;
	want(p, tcp, base + VT_PLAN_IP_TCP);
	want(p, member_fc(tcp, "source_port"), base + VT_PLAN_IP_SPORT);
	want(p, member_fc(tcp, "dest_port"), base + VT_PLAN_IP_DPORT);
	want(p, seq, base + VT_PLAN_IP_SEQ);
	want(p, ack, base + VT_PLAN_IP_ACK_SEQ);
	want(p, flags, base + VT_PLAN_IP_FLAGS);
}

/* The payload's captures of a known kind. */
static int plan_captures(struct vt_ctf_plan *p, const struct vt_ctf_event_class *ec)
{
	const struct vt_event_name *entry = vt_event_name_lookup(ec->name);
	if (!entry)
		return 0;
	p->kind = entry->kind;
	p->ncaps = VT_DECODER_SLOTS;
	const struct vt_ctf_fc *payload = ec->payload;
	p->n = count_fc(payload, 0);
	p->index = new_index(p->n);
	if (!p->index)
		return -1;
	for (int i = 0; i < VT_DECODER_SLOTS && entry->slots[i]; i++) {
		int16_t m = vt_event_name_pick(entry->slots[i], ir_member_index, payload);
		if (m != VT_NO_SLOT)
			want(p, payload->u.st.members[m].fc, i);
	}
	if (p->kind != VT_NET_SEND && p->kind != VT_NET_RECV)
		return 0;
	const struct vt_ctf_fc *header = member_fc(payload, "network_header");
	p->net_header = header != NULL;
	if (p->net_header)
		p->ncaps = VT_PLAN_CAPTURES; /* fill_net reads them all */
	if (!header || header->type != VT_CTF_FC_VARIANT)
		return 0;
	const struct vt_ctf_fc *ipv4 = option_fc(header, "ipv4"), *ipv6 = option_fc(header, "ipv6");
	want(p, ipv4, VT_PLAN_NET_IPV4);
	want(p, ipv6, VT_PLAN_NET_IPV6);
	plan_ip(p, 0, ipv4);
	plan_ip(p, 1, ipv6);
	return 0;
}

int vt_ctf_plan_init(struct vt_ctf_plan *p, const struct vt_ctf_event_class *ec)
{
	memset(p, 0, sizeof(*p));
	p->name = ec->name ? ec->name : "(unnamed)";
	p->kind = VT_OTHER;
	if (plan_captures(p, ec))
		return -1;
	int nomem = 0;
	p->specific = vt_flat_compile(ec->specific_context, NULL, 0, &nomem);
	p->payload = vt_flat_compile(ec->payload, p->index, p->n, &nomem);
	return nomem ? -1 : 0;
}

void vt_ctf_plan_fini(struct vt_ctf_plan *p)
{
	free(p->index);
	p->index = NULL;
	vt_flat_free(p->specific);
	vt_flat_free(p->payload);
	p->specific = p->payload = NULL;
}

static void want_ctx(int16_t *index, uint32_t n, const struct vt_ctf_fc *fc, int capture)
{
	if (fc && (fc->order & 0xffffff) < n)
		index[fc->order & 0xffffff] = (int16_t)capture;
}

int vt_ctf_ctx_plan_init(struct vt_ctf_ctx_plan *p, const struct vt_ctf_stream_class *sc)
{
	memset(p, 0, sizeof(*p));
	const struct vt_ctf_fc *common = sc->event_common_context;
	p->ncommon = count_fc(common, 0);
	p->npacket = count_fc(sc->packet_context, 0);
	p->common = new_index(p->ncommon);
	p->packet = new_index(p->npacket);
	if (!p->common || !p->packet)
		return -1;
	const struct vt_ctf_fc *tid = member_fc(common, "tid"), *pid = member_fc(common, "pid");
	const struct vt_ctf_fc *procname = member_fc(common, "procname");
	if (!tid)
		tid = member_fc(common, "vtid");
	if (!pid)
		pid = member_fc(common, "vpid");
	p->any_common = tid || pid || procname;
	want_ctx(p->common, p->ncommon, tid, VT_PLAN_CTX_TID);
	want_ctx(p->common, p->ncommon, pid, VT_PLAN_CTX_PID);
	want_ctx(p->common, p->ncommon, procname, VT_PLAN_CTX_PROCNAME);
	const struct vt_ctf_fc *cpu = member_fc(sc->packet_context, "cpu_id");
	p->has_cpu = cpu != NULL;
	want_ctx(p->packet, p->npacket, cpu, 0);
	int nomem = 0;
	p->header = vt_flat_compile(sc->event_header, NULL, 0, &nomem);
	p->common_prog = vt_flat_compile(common, p->common, p->ncommon, &nomem);
	p->packet_prog = vt_flat_compile(sc->packet_context, p->packet, p->npacket, &nomem);
	return nomem ? -1 : 0;
}

void vt_ctf_ctx_plan_fini(struct vt_ctf_ctx_plan *p)
{
	free(p->common);
	free(p->packet);
	p->common = p->packet = NULL;
	vt_flat_free(p->header);
	vt_flat_free(p->common_prog);
	vt_flat_free(p->packet_prog);
	p->header = p->common_prog = p->packet_prog = NULL;
}

/* Bytes of an address array, as ctf_decode.c's copy_address makes them. */
static void copy_address(const struct vt_ctf_capture *c, uint8_t out[16])
{
	uint32_t n = c->nelems;
	unsigned width = n > 0 && n <= 8 && n != 4 ? 2 : 1; /* 8 elements = 16-bit groups */
	size_t pos = 0;
	for (uint32_t i = 0; i < n && i < VT_CTF_CAPTURE_ELEMS && pos + width <= 16; i++) {
		uint64_t v = c->elems[i];
		if (width == 2)
			out[pos++] = (uint8_t)(v >> 8);
		out[pos++] = (uint8_t)v;
	}
}

static void fill_net(const struct vt_ctf_plan *p, const struct vt_ctf_capture *caps, struct vt_net *net)
{
	int family = caps[VT_PLAN_NET_IPV4].present ? 0 : caps[VT_PLAN_NET_IPV6].present ? 1 : -1;
	if (family < 0)
		return;
	const struct vt_ctf_capture *ip = &caps[VT_PLAN_NET_IP + 8 * family];
	net->family = family == 0 ? 4 : 6;
	if (p->ip_addr[family]) {
		if (ip[VT_PLAN_IP_SADDR].nelems || ip[VT_PLAN_IP_DADDR].nelems) {
			copy_address(&ip[VT_PLAN_IP_SADDR], net->saddr);
			copy_address(&ip[VT_PLAN_IP_DADDR], net->daddr);
		}
		net->has_addr = 1;
	}
	if (!p->ip_tcp[family] || !ip[VT_PLAN_IP_TCP].present)
		return;
	net->key.seq = (uint32_t)ip[VT_PLAN_IP_SEQ].u;
	net->key.ack_seq = (uint32_t)ip[VT_PLAN_IP_ACK_SEQ].u;
	net->key.flags = (uint32_t)ip[VT_PLAN_IP_FLAGS].u;
	net->sport = (uint16_t)ip[VT_PLAN_IP_SPORT].u;
	net->dport = (uint16_t)ip[VT_PLAN_IP_DPORT].u;
	net->has_key = 1;
}

void vt_ctf_plan_fill(const struct vt_ctf_plan *p, const struct vt_ctf_reader *r, const struct vt_ctf_capture *caps,
		      struct vt_event *ev)
{
	ev->kind = p->kind;
	ev->name = p->name;
	if (p->kind == VT_OTHER)
		return;
	memset(&ev->u, 0, sizeof(ev->u));
	struct vt_slot_value v[VT_DECODER_SLOTS];
	for (int i = 0; i < VT_DECODER_SLOTS; i++) {
		v[i].present = caps[i].present;
		v[i].u = caps[i].u;
		v[i].s = vt_ctf_capture_str(r, &caps[i]);
	}
	if (p->net_header)
		fill_net(p, caps, &ev->u.net);
	vt_event_fill(p->kind, p->name, v, p->net_header, ev);
}
