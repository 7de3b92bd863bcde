/* The synchronized CTF export's filter: every message of a trace again, with
 * its clock snapshots mapped to the host's time. Events are recreated (a
 * message's timestamp cannot change) in the same packets and streams, their
 * fields copied value by value. */
#include "exporters/ctf_export.h"

#include <string.h>

/* A field copied into a field of the same class. */
static int copy_field(bt_field *dst, const bt_field *src)
{
	bt_field_class_type t = bt_field_get_class_type(src);
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_BOOL)) {
		bt_field_bool_set_value(dst, bt_field_bool_get_value(src));
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_BIT_ARRAY)) {
		bt_field_bit_array_set_value_as_integer(dst, bt_field_bit_array_get_value_as_integer(src));
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		bt_field_integer_unsigned_set_value(dst, bt_field_integer_unsigned_get_value(src));
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		bt_field_integer_signed_set_value(dst, bt_field_integer_signed_get_value(src));
	} else if (t == BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL) {
		bt_field_real_single_precision_set_value(dst, bt_field_real_single_precision_get_value(src));
	} else if (t == BT_FIELD_CLASS_TYPE_DOUBLE_PRECISION_REAL) {
		bt_field_real_double_precision_set_value(dst, bt_field_real_double_precision_get_value(src));
	} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
		bt_field_string_clear(dst);
		if (bt_field_string_append_with_length(dst, bt_field_string_get_value(src),
						       bt_field_string_get_length(src)))
			return -1;
	} else if (t == BT_FIELD_CLASS_TYPE_STRUCTURE) {
		uint64_t n = bt_field_class_structure_get_member_count(bt_field_borrow_class_const(src));
		for (uint64_t i = 0; i < n; i++)
			if (copy_field(bt_field_structure_borrow_member_field_by_index(dst, i),
				       bt_field_structure_borrow_member_field_by_index_const(src, i)))
				return -1;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		uint64_t n = bt_field_array_get_length(src);
		if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_DYNAMIC_ARRAY) && bt_field_array_dynamic_set_length(dst, n))
			return -1;
		for (uint64_t i = 0; i < n; i++)
			if (copy_field(bt_field_array_borrow_element_field_by_index(dst, i),
				       bt_field_array_borrow_element_field_by_index_const(src, i)))
				return -1;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_OPTION)) {
		const bt_field *inner = bt_field_option_borrow_field_const(src);
		bt_field_option_set_has_field(dst, inner != NULL);
		if (inner && copy_field(bt_field_option_borrow_field(dst), inner))
			return -1;
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_VARIANT)) {
		if (bt_field_variant_select_option_by_index(dst, bt_field_variant_get_selected_option_index(src)))
			return -1;
		return copy_field(bt_field_variant_borrow_selected_option_field(dst),
				  bt_field_variant_borrow_selected_option_field_const(src));
	} else {
		return -1; /* a field type babeltrace2 2.0 does not have */
	}
	return 0;
}

static int copy_optional(bt_field *dst, const bt_field *src)
{
	if (!src || !dst)
		return 0;
	return copy_field(dst, src);
}

/* A clock snapshot of the trace's clock → the same clock's value at the host time it maps to. */
static int map_snapshot(struct vt_ctf_export_filter *f, const bt_clock_snapshot *cs, uint64_t *out)
{
	int64_t ns;
	if (bt_clock_snapshot_get_ns_from_origin(cs, &ns) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		f->failed = "a timestamp overflows ns from the epoch";
		return -1;
	}
	const bt_clock_class *cc = bt_clock_snapshot_borrow_clock_class_const(cs);
	int64_t off_s;
	uint64_t off_cycles, freq = bt_clock_class_get_frequency(cc);
	bt_clock_class_get_offset(cc, &off_s, &off_cycles);
	int64_t ref = vt_clock_to_ref(f->clock, ns);
	long double origin = (long double)off_s * 1e9L + (long double)off_cycles * 1e9L / (long double)freq;
	if (freq == 1000000000u) {
		int64_t o = off_s * 1000000000 + (int64_t)off_cycles;
		if (ref < o) {
			f->failed = "a timestamp maps before its clock's offset (origin)";
			return -1;
		}
		*out = (uint64_t)(ref - o);
		return 0;
	}
	long double cycles = ((long double)ref - origin) * (long double)freq / 1e9L;
	if (cycles < 0) {
		f->failed = "a timestamp maps before its clock's offset (origin)";
		return -1;
	}
	*out = (uint64_t)(cycles + 0.5L);
	return 0;
}

static bt_message *map_event(struct vt_ctf_export_filter *f, bt_self_message_iterator *self, const bt_message *msg)
{
	const bt_event *ev = bt_message_event_borrow_event_const(msg);
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	uint64_t value = 0;
	if (bt_stream_class_borrow_default_clock_class_const(sc) &&
	    map_snapshot(f, bt_message_event_borrow_default_clock_snapshot_const(msg), &value))
		return NULL;
	const bt_packet *pkt = bt_event_borrow_packet_const(ev);
	bt_message *out;
	if (!bt_stream_class_borrow_default_clock_class_const(sc))
		out = pkt ? bt_message_event_create_with_packet(self, ec, pkt)
			  : bt_message_event_create(self, ec, bt_event_borrow_stream_const(ev));
	else
		out = pkt ? bt_message_event_create_with_packet_and_default_clock_snapshot(self, ec, pkt, value)
			  : bt_message_event_create_with_default_clock_snapshot(self, ec, bt_event_borrow_stream_const(ev),
										   value);
	if (!out)
		return NULL;
	bt_event *dst = bt_message_event_borrow_event(out);
	if (copy_optional(bt_event_borrow_common_context_field(dst), bt_event_borrow_common_context_field_const(ev)) ||
	    copy_optional(bt_event_borrow_specific_context_field(dst), bt_event_borrow_specific_context_field_const(ev)) ||
	    copy_optional(bt_event_borrow_payload_field(dst), bt_event_borrow_payload_field_const(ev))) {
		f->failed = "an event field could not be copied";
		bt_message_put_ref(out);
		return NULL;
	}
	return out;
}

/* Discarded events / packets: both ends mapped, the count kept. */
static bt_message *map_discarded(struct vt_ctf_export_filter *f, bt_self_message_iterator *self, const bt_message *msg,
				 int packets)
{
	const bt_stream *stream = packets ? bt_message_discarded_packets_borrow_stream_const(msg)
					  : bt_message_discarded_events_borrow_stream_const(msg);
	const bt_stream_class *sc = bt_stream_borrow_class_const(stream);
	int has_cs = packets ? bt_stream_class_discarded_packets_have_default_clock_snapshots(sc)
			     : bt_stream_class_discarded_events_have_default_clock_snapshots(sc);
	bt_message *out;
	if (has_cs) {
		uint64_t b, e;
		const bt_clock_snapshot *cb = packets ? bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(msg)
						      : bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(msg);
		const bt_clock_snapshot *ce = packets ? bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(msg)
						      : bt_message_discarded_events_borrow_end_default_clock_snapshot_const(msg);
		if (map_snapshot(f, cb, &b) || map_snapshot(f, ce, &e))
			return NULL;
		out = packets ? bt_message_discarded_packets_create_with_default_clock_snapshots(self, stream, b, e)
			      : bt_message_discarded_events_create_with_default_clock_snapshots(self, stream, b, e);
	} else {
		out = packets ? bt_message_discarded_packets_create(self, stream)
			      : bt_message_discarded_events_create(self, stream);
	}
	if (!out)
		return NULL;
	uint64_t count;
	if (packets && bt_message_discarded_packets_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		bt_message_discarded_packets_set_count(out, count);
	if (!packets && bt_message_discarded_events_get_count(msg, &count) == BT_PROPERTY_AVAILABILITY_AVAILABLE)
		bt_message_discarded_events_set_count(out, count);
	return out;
}

static bt_message *map_packet(struct vt_ctf_export_filter *f, bt_self_message_iterator *self, const bt_message *msg,
			      int end)
{
	const bt_packet *pkt = end ? bt_message_packet_end_borrow_packet_const(msg)
				   : bt_message_packet_beginning_borrow_packet_const(msg);
	const bt_stream_class *sc = bt_stream_borrow_class_const(bt_packet_borrow_stream_const(pkt));
	int has_cs = end ? bt_stream_class_packets_have_end_default_clock_snapshot(sc)
			 : bt_stream_class_packets_have_beginning_default_clock_snapshot(sc);
	if (!has_cs)
		return end ? bt_message_packet_end_create(self, pkt) : bt_message_packet_beginning_create(self, pkt);
	uint64_t v;
	if (map_snapshot(f, end ? bt_message_packet_end_borrow_default_clock_snapshot_const(msg)
				: bt_message_packet_beginning_borrow_default_clock_snapshot_const(msg),
			 &v))
		return NULL;
	return end ? bt_message_packet_end_create_with_default_clock_snapshot(self, pkt, v)
		   : bt_message_packet_beginning_create_with_default_clock_snapshot(self, pkt, v);
}

/* Stream beginning / end keep their (rare) known snapshot, mapped. */
static bt_message *map_stream(struct vt_ctf_export_filter *f, bt_self_message_iterator *self, const bt_message *msg,
			      int end)
{
	const bt_stream *stream = end ? bt_message_stream_end_borrow_stream_const(msg)
				      : bt_message_stream_beginning_borrow_stream_const(msg);
	bt_message *out = end ? bt_message_stream_end_create(self, stream) : bt_message_stream_beginning_create(self, stream);
	if (!out || !bt_stream_class_borrow_default_clock_class_const(bt_stream_borrow_class_const(stream)))
		return out;
	const bt_clock_snapshot *cs;
	bt_message_stream_clock_snapshot_state st =
		end ? bt_message_stream_end_borrow_default_clock_snapshot_const(msg, &cs)
		    : bt_message_stream_beginning_borrow_default_clock_snapshot_const(msg, &cs);
	if (st == BT_MESSAGE_STREAM_CLOCK_SNAPSHOT_STATE_KNOWN) {
		uint64_t v;
		if (map_snapshot(f, cs, &v)) {
			bt_message_put_ref(out);
			return NULL;
		}
		if (end)
			bt_message_stream_end_set_default_clock_snapshot(out, v);
		else
			bt_message_stream_beginning_set_default_clock_snapshot(out, v);
	}
	return out;
}

const bt_message *vt_ctf_export_map(struct vt_ctf_export_filter *f, bt_self_message_iterator *self,
				    const bt_message *msg)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		f->events++;
		return map_event(f, self, msg);
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		return map_packet(f, self, msg, 0);
	case BT_MESSAGE_TYPE_PACKET_END:
		return map_packet(f, self, msg, 1);
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		return map_stream(f, self, msg, 0);
	case BT_MESSAGE_TYPE_STREAM_END:
		return map_stream(f, self, msg, 1);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return map_discarded(f, self, msg, 0);
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return map_discarded(f, self, msg, 1);
	default:
		/* inactivity: no timestamped content to move */
		bt_message_get_ref(msg);
		return msg;
	}
}
