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

/* "a|b": the first alternative the structure has. */
static int16_t member_index_any(const bt_field_class *structure, const char *names)
{
	char buf[64];
	const char *p = names;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		int16_t idx = vt_struct_member_index(structure, buf);
		if (idx != VT_NO_SLOT)
			return idx;
		p = bar ? bar + 1 : NULL;
	}
	return VT_NO_SLOT;
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

static void decode_payload(const struct vt_decoder *dec, const bt_field *p, struct vt_event *ev)
{
	const int16_t *s = dec->slot;
	switch (dec->kind) {
	case VT_KVM_ENTRY:
		ev->u.kvm_entry.vcpu_id = (uint32_t)u64_at(p, s[0], VT_NO_VCPU);
		break;
	case VT_KVM_EXIT:
		ev->u.kvm_exit.exit_reason = u64_at(p, s[0], 0);
		ev->u.kvm_exit.isa = (uint32_t)u64_at(p, s[1], VT_ISA_UNKNOWN);
		ev->u.kvm_exit.vcpu_id = (uint32_t)u64_at(p, s[2], VT_NO_VCPU);
		ev->u.kvm_exit.guest_rip = u64_at(p, s[3], 0);
		ev->u.kvm_exit.info1 = u64_at(p, s[4], 0);
		ev->u.kvm_exit.info2 = u64_at(p, s[5], 0);
		break;
	case VT_KVM_HYPERCALL:
		ev->u.hypercall.nr = u64_at(p, s[0], 0);
		ev->u.hypercall.a0 = u64_at(p, s[1], 0);
		ev->u.hypercall.a1 = u64_at(p, s[2], 0);
		ev->u.hypercall.a2 = u64_at(p, s[3], 0);
		ev->u.hypercall.a3 = u64_at(p, s[4], 0);
		break;
	case VT_KVM_USERSPACE_EXIT:
		ev->u.userspace_exit.reason = (uint32_t)u64_at(p, s[0], 0);
		ev->u.userspace_exit.err = (int32_t)u64_at(p, s[1], 0);
		break;
	case VT_SCHED_SWITCH:
		ev->u.sched_switch.prev_tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.sched_switch.next_tid = (int32_t)u64_at(p, s[1], (uint64_t)VT_NO_TID);
		ev->u.sched_switch.prev_prio = (int32_t)u64_at(p, s[2], 0);
		ev->u.sched_switch.next_prio = (int32_t)u64_at(p, s[3], 0);
		ev->u.sched_switch.prev_state = (int64_t)u64_at(p, s[4], 0);
		ev->u.sched_switch.prev_comm = str_at(p, s[5]);
		ev->u.sched_switch.next_comm = str_at(p, s[6]);
		break;
	case VT_SCHED_WAKEUP:
		ev->u.sched_wakeup.tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.sched_wakeup.target_cpu = (int32_t)u64_at(p, s[1], (uint64_t)VT_NO_CPU);
		ev->u.sched_wakeup.prio = (int32_t)u64_at(p, s[2], 0);
		ev->u.sched_wakeup.comm = str_at(p, s[3]);
		break;
	case VT_PROCESS_FORK:
		ev->u.fork.parent_tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.fork.parent_pid = (int32_t)u64_at(p, s[1], (uint64_t)VT_NO_TID);
		ev->u.fork.child_tid = (int32_t)u64_at(p, s[2], (uint64_t)VT_NO_TID);
		ev->u.fork.child_pid = (int32_t)u64_at(p, s[3], (uint64_t)VT_NO_TID);
		ev->u.fork.parent_comm = str_at(p, s[4]);
		ev->u.fork.child_comm = str_at(p, s[5]);
		break;
	case VT_PROCESS_EXEC:
		ev->u.exec.tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.exec.old_tid = (int32_t)u64_at(p, s[1], (uint64_t)VT_NO_TID);
		ev->u.exec.filename = str_at(p, s[2]);
		break;
	case VT_PROCESS_EXIT:
		ev->u.exit.tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.exit.comm = str_at(p, s[1]);
		break;
	case VT_STATEDUMP_PROCESS:
		ev->u.statedump_process.tid = (int32_t)u64_at(p, s[0], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.pid = (int32_t)u64_at(p, s[1], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.ppid = (int32_t)u64_at(p, s[2], (uint64_t)VT_NO_TID);
		ev->u.statedump_process.name = str_at(p, s[3]);
		break;
	case VT_NET_SEND:
	case VT_NET_RECV:
		if (dec->net.header != VT_NO_SLOT) { /* lttng-modules >= 2.9 network_header layout */
			ev->u.net.len = (uint32_t)u64_at(p, s[0], 0);
			ev->u.net.ifname = str_at(p, s[1]);
			decode_network_header(&dec->net, p, &ev->u.net);
		} else if (s[0] != VT_NO_SLOT && s[1] != VT_NO_SLOT && s[2] != VT_NO_SLOT &&
			   strncmp(dec->name, "inet_sock_local_", 16) == 0) { /* addons layout */
			ev->u.net.key.seq = (uint32_t)u64_at(p, s[0], 0);
			ev->u.net.key.ack_seq = (uint32_t)u64_at(p, s[1], 0);
			ev->u.net.key.flags = (uint32_t)u64_at(p, s[2], 0);
			ev->u.net.has_key = 1;
		} else {
			ev->u.net.len = (uint32_t)u64_at(p, s[0], 0);
			ev->u.net.ifname = str_at(p, s[1]);
		}
		break;
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_HG_GUEST:
	case VT_VMSYNC_GH_HOST:
	case VT_VMSYNC_HG_HOST:
		ev->u.vmsync.cnt = u64_at(p, s[0], 0);
		ev->u.vmsync.vm_uid = u64_at(p, s[1], 0);
		break;
	case VT_MACHINE_ID:
		ev->u.machine.product_uuid = str_at(p, s[0]);
		ev->u.machine.machine_id = str_at(p, s[1]);
		ev->u.machine.boot_id = str_at(p, s[2]);
		ev->u.machine.hostname = str_at(p, s[3]);
		break;
	case VT_GUEST_DUMP:
	case VT_GUEST_CREATED:
	case VT_GUEST_DESTROYED:
		ev->u.guest.pid = (int64_t)u64_at(p, s[0], (uint64_t)-1);
		ev->u.guest.uuid = str_at(p, s[1]);
		ev->u.guest.name = str_at(p, s[2]);
		ev->u.guest.vcpus = (uint32_t)u64_at(p, s[3], 0);
		ev->u.guest.kvm = str_at(p, s[4]);
		break;
	case VT_GUEST_VCPU:
		ev->u.guest_vcpu.pid = (int64_t)u64_at(p, s[0], (uint64_t)-1);
		ev->u.guest_vcpu.vcpu = (uint32_t)u64_at(p, s[1], VT_NO_VCPU);
		ev->u.guest_vcpu.tid = (int32_t)u64_at(p, s[2], (uint64_t)VT_NO_TID);
		ev->u.guest_vcpu.tsc_offset = (int64_t)u64_at(p, s[3], 0);
		ev->u.guest_vcpu.tsc_scaling_ratio = u64_at(p, s[4], 0);
		ev->u.guest_vcpu.tsc_scaling_frac_bits = (uint32_t)u64_at(p, s[5], 0);
		break;
	case VT_IRQ_ENTRY:
	case VT_IRQ_EXIT:
		ev->u.irq.irq = (int32_t)u64_at(p, s[0], 0);
		ev->u.irq.ret = (int32_t)u64_at(p, s[1], 0);
		ev->u.irq.name = str_at(p, s[2]);
		break;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		ev->u.softirq.vec = (uint32_t)u64_at(p, s[0], 0);
		break;
	case VT_TIMER_EXPIRE:
		ev->u.timer.timer = u64_at(p, s[0], 0);
		ev->u.timer.function = u64_at(p, s[1], 0);
		break;
	case VT_VCPU_BOOKS:
		ev->u.vcpu_books.pid = (int64_t)u64_at(p, s[0], (uint64_t)-1);
		ev->u.vcpu_books.vcpu = (uint32_t)u64_at(p, s[1], VT_NO_VCPU);
		ev->u.vcpu_books.tid = (int32_t)u64_at(p, s[2], (uint64_t)VT_NO_TID);
		ev->u.vcpu_books.age_ns = u64_at(p, s[3], 0);
		ev->u.vcpu_books.run_ns = u64_at(p, s[4], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.wait_ns = u64_at(p, s[5], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.timeslices = u64_at(p, s[6], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.guest_ticks = u64_at(p, s[7], VT_BOOKS_UNKNOWN);
		ev->u.vcpu_books.clk_tck = (uint32_t)u64_at(p, s[8], 0);
		break;
	case VT_VM_BOOKS:
		ev->u.vm_books.pid = (int64_t)u64_at(p, s[0], (uint64_t)-1);
		ev->u.vm_books.age_ns = u64_at(p, s[1], 0);
		ev->u.vm_books.exits = u64_at(p, s[2], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.io_exits = u64_at(p, s[3], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.mmio_exits = u64_at(p, s[4], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.signal_exits = u64_at(p, s[5], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.halt_exits = u64_at(p, s[6], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.irq_exits = u64_at(p, s[7], VT_BOOKS_UNKNOWN);
		ev->u.vm_books.tick_function = u64_at(p, s[8], 0);
		break;
	case VT_PING_OUT:
	case VT_PING_BACK:
		ev->u.ping.session = u64_at(p, s[0], 0);
		ev->u.ping.seq = u64_at(p, s[1], 0);
		break;
	default:
		break;
	}
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
