#include "sources/ctf_decode.h"

#include <string.h>

#include "sources/ctf_names.h"

int16_t vt_struct_member_index(const bt_field_class *structure, const char *name)
{
	if (!structure || bt_field_class_get_type(structure) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return VT_NO_SLOT;
	uint64_t n = bt_field_class_structure_get_member_count(structure);
	for (uint64_t i = 0; i < n && i < INT16_MAX; i++) {
		const bt_field_class_structure_member *m =
			bt_field_class_structure_borrow_member_by_index_const(structure, i);
		if (!strcmp(bt_field_class_structure_member_get_name(m), name))
			return (int16_t)i;
	}
	return VT_NO_SLOT;
}

static int16_t bt_member_index(const void *structure, const char *name)
{
	return vt_struct_member_index(structure, name);
}

/* "a|b": the first alternative the structure has. */
static int16_t member_index_any(const bt_field_class *structure, const char *names)
{
	return vt_event_name_pick(names, bt_member_index, structure);
}

static const bt_field_class *member_class(const bt_field_class *structure, int16_t idx)
{
	if (idx == VT_NO_SLOT)
		return NULL;
	return bt_field_class_structure_member_borrow_field_class_const(
		bt_field_class_structure_borrow_member_by_index_const(structure, (uint64_t)idx));
}

/* Option index by name in a variant class ("ipv4"/"_ipv4": babeltrace strips one
 * leading underscore from CTF 1.8 names but not always from variant options). */
static int64_t variant_option_index(const bt_field_class *variant, const char *name)
{
	if (!variant || !bt_field_class_type_is(bt_field_class_get_type(variant), BT_FIELD_CLASS_TYPE_VARIANT))
		return -1;
	uint64_t n = bt_field_class_variant_get_option_count(variant);
	for (uint64_t i = 0; i < n; i++) {
		const char *opt = bt_field_class_variant_option_get_name(
			bt_field_class_variant_borrow_option_by_index_const(variant, i));
		if (opt[0] == '_')
			opt++;
		if (!strcmp(opt, name))
			return (int64_t)i;
	}
	return -1;
}

static const bt_field_class *variant_option_class(const bt_field_class *variant, int64_t idx)
{
	if (idx < 0)
		return NULL;
	return bt_field_class_variant_option_borrow_field_class_const(
		bt_field_class_variant_borrow_option_by_index_const(variant, (uint64_t)idx));
}

static void net_ip_path_init(struct vt_ip_path *ip, const bt_field_class *ip_struct)
{
	ip->saddr = vt_struct_member_index(ip_struct, "saddr");
	ip->daddr = vt_struct_member_index(ip_struct, "daddr");
	ip->transport = vt_struct_member_index(ip_struct, "transport_header");
	const bt_field_class *transport = member_class(ip_struct, ip->transport);
	ip->tcp_option = variant_option_index(transport, "tcp");
	const bt_field_class *tcp = variant_option_class(transport, ip->tcp_option);
	ip->sport = vt_struct_member_index(tcp, "source_port");
	ip->dport = vt_struct_member_index(tcp, "dest_port");
	ip->seq = vt_struct_member_index(tcp, "seq");
	ip->ack_seq = vt_struct_member_index(tcp, "ack_seq");
	ip->flags = vt_struct_member_index(tcp, "flags");
	if (ip->seq == VT_NO_SLOT || ip->ack_seq == VT_NO_SLOT || ip->flags == VT_NO_SLOT)
		ip->tcp_option = -1;
}

static void net_path_init(struct vt_net_path *net, const bt_field_class *payload)
{
	net->header = vt_struct_member_index(payload, "network_header");
	const bt_field_class *header = member_class(payload, net->header);
	net->ipv4_option = variant_option_index(header, "ipv4");
	net->ipv6_option = variant_option_index(header, "ipv6");
	net_ip_path_init(&net->ip[0], variant_option_class(header, net->ipv4_option));
	net_ip_path_init(&net->ip[1], variant_option_class(header, net->ipv6_option));
}

void vt_decoder_init(struct vt_decoder *dec, const bt_event_class *event_class)
{
	memset(dec, 0, sizeof(*dec));
	dec->event_class = event_class;
	dec->name = bt_event_class_get_name(event_class);
	if (!dec->name)
		dec->name = "(unnamed)";
	for (int i = 0; i < VT_DECODER_SLOTS; i++)
		dec->slot[i] = VT_NO_SLOT;
	dec->net.header = VT_NO_SLOT;
	dec->kind = VT_OTHER;

	const struct vt_event_name *entry = vt_event_name_lookup(dec->name);
	if (!entry)
		return;
	dec->kind = entry->kind;
	const bt_field_class *payload = bt_event_class_borrow_payload_field_class_const(event_class);
	for (int i = 0; i < VT_DECODER_SLOTS && entry->slots[i]; i++)
		dec->slot[i] = member_index_any(payload, entry->slots[i]);
	if (dec->kind == VT_NET_SEND || dec->kind == VT_NET_RECV)
		net_path_init(&dec->net, payload);
}

void vt_context_path_init(struct vt_context_path *path, const bt_stream_class *stream_class)
{
	const bt_field_class *common = bt_stream_class_borrow_event_common_context_field_class_const(stream_class);
	path->tid = vt_struct_member_index(common, "tid");
	if (path->tid == VT_NO_SLOT)
		path->tid = vt_struct_member_index(common, "vtid");
	path->pid = vt_struct_member_index(common, "pid");
	if (path->pid == VT_NO_SLOT)
		path->pid = vt_struct_member_index(common, "vpid");
	path->procname = vt_struct_member_index(common, "procname");
	const bt_field_class *packet = bt_stream_class_supports_packets(stream_class)
		? bt_stream_class_borrow_packet_context_field_class_const(stream_class)
		: NULL;
	path->cpu_id = vt_struct_member_index(packet, "cpu_id");
}

uint64_t vt_field_u64(const bt_field *field)
{
	bt_field_class_type type = bt_field_get_class_type(field);
	if (bt_field_class_type_is(type, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
		return bt_field_integer_unsigned_get_value(field);
	if (bt_field_class_type_is(type, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
		return (uint64_t)bt_field_integer_signed_get_value(field);
	if (type == BT_FIELD_CLASS_TYPE_BOOL)
		return bt_field_bool_get_value(field);
	if (type == BT_FIELD_CLASS_TYPE_BIT_ARRAY)
		return bt_field_bit_array_get_value_as_integer(field);
	return 0;
}

static const bt_field *member(const bt_field *structure, int16_t idx)
{
	return bt_field_structure_borrow_member_field_by_index_const(structure, (uint64_t)idx);
}

static uint64_t u64_at(const bt_field *payload, int16_t idx, uint64_t absent)
{
	return idx == VT_NO_SLOT ? absent : vt_field_u64(member(payload, idx));
}

static const char *str_at(const bt_field *payload, int16_t idx)
{
	if (idx == VT_NO_SLOT)
		return NULL;
	const bt_field *f = member(payload, idx);
	if (bt_field_get_class_type(f) != BT_FIELD_CLASS_TYPE_STRING)
		return NULL;
	return bt_field_string_get_value(f);
}

/* Copies an address array (4 x u8 for ipv4, 8 x u16 or 16 x u8 for ipv6) as bytes. */
static void copy_address(const bt_field *array, uint8_t out[16])
{
	if (!bt_field_class_type_is(bt_field_get_class_type(array), BT_FIELD_CLASS_TYPE_ARRAY))
		return;
	uint64_t n = bt_field_array_get_length(array);
	unsigned width = n > 0 && n <= 8 && n != 4 ? 2 : 1; /* 8 elements = 16-bit groups */
	size_t pos = 0;
	for (uint64_t i = 0; i < n && pos + width <= 16; i++) {
		uint64_t v = vt_field_u64(bt_field_array_borrow_element_field_by_index_const(array, i));
		if (width == 2)
			out[pos++] = (uint8_t)(v >> 8);
		out[pos++] = (uint8_t)v;
	}
}

static void decode_network_header(const struct vt_net_path *path, const bt_field *payload, struct vt_net *net)
{
	if (path->header == VT_NO_SLOT)
		return;
	const bt_field *header = member(payload, path->header);
	if (!bt_field_class_type_is(bt_field_get_class_type(header), BT_FIELD_CLASS_TYPE_VARIANT))
		return;
	int64_t opt = (int64_t)bt_field_variant_get_selected_option_index(header);
	int family = opt == path->ipv4_option ? 0 : opt == path->ipv6_option ? 1 : -1;
	if (family < 0)
		return;
	const struct vt_ip_path *ip = &path->ip[family];
	const bt_field *ip_struct = bt_field_variant_borrow_selected_option_field_const(header);
	net->family = family == 0 ? 4 : 6;
	if (ip->saddr != VT_NO_SLOT && ip->daddr != VT_NO_SLOT) {
		copy_address(member(ip_struct, ip->saddr), net->saddr);
		copy_address(member(ip_struct, ip->daddr), net->daddr);
		net->has_addr = 1;
	}
	if (ip->transport == VT_NO_SLOT || ip->tcp_option < 0)
		return;
	const bt_field *transport = member(ip_struct, ip->transport);
	if ((int64_t)bt_field_variant_get_selected_option_index(transport) != ip->tcp_option)
		return;
	const bt_field *tcp = bt_field_variant_borrow_selected_option_field_const(transport);
	net->key.seq = (uint32_t)u64_at(tcp, ip->seq, 0);
	net->key.ack_seq = (uint32_t)u64_at(tcp, ip->ack_seq, 0);
	net->key.flags = (uint32_t)u64_at(tcp, ip->flags, 0);
	net->sport = (uint16_t)u64_at(tcp, ip->sport, 0);
	net->dport = (uint16_t)u64_at(tcp, ip->dport, 0);
	net->has_key = 1;
}

static void slot_value(const bt_field *payload, int16_t idx, struct vt_slot_value *v)
{
	memset(v, 0, sizeof(*v));
	if (idx == VT_NO_SLOT)
		return;
	const bt_field *f = member(payload, idx);
	v->present = 1;
	v->u = vt_field_u64(f);
	if (bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_STRING)
		v->s = bt_field_string_get_value(f);
}

static void decode_payload(const struct vt_decoder *dec, const bt_field *p, struct vt_event *ev)
{
	struct vt_slot_value v[VT_DECODER_SLOTS];
	for (int i = 0; i < VT_DECODER_SLOTS; i++)
		slot_value(p, dec->slot[i], &v[i]);
	int net_header = (dec->kind == VT_NET_SEND || dec->kind == VT_NET_RECV) && dec->net.header != VT_NO_SLOT;
	if (net_header)
		decode_network_header(&dec->net, p, &ev->u.net);
	vt_event_fill(dec->kind, dec->name, v, net_header, ev);
}

void vt_decode_event(const struct vt_decoder *dec, const struct vt_context_path *ctx,
		     const bt_event *event, struct vt_event *ev)
{
	ev->kind = dec->kind;
	ev->name = dec->name;
	ev->tid = VT_NO_TID;
	ev->pid = VT_NO_TID;
	ev->procname = NULL;
	if (ctx->tid != VT_NO_SLOT || ctx->pid != VT_NO_SLOT || ctx->procname != VT_NO_SLOT) {
		const bt_field *common = bt_event_borrow_common_context_field_const(event);
		if (common) {
			ev->tid = (int32_t)u64_at(common, ctx->tid, (uint64_t)VT_NO_TID);
			ev->pid = (int32_t)u64_at(common, ctx->pid, (uint64_t)VT_NO_TID);
			ev->procname = str_at(common, ctx->procname);
		}
	}
	if (dec->kind == VT_OTHER)
		return;
	memset(&ev->u, 0, sizeof(ev->u));
	const bt_field *payload = bt_event_borrow_payload_field_const(event);
	if (payload)
		decode_payload(dec, payload, ev);
}
