/* Walking one data stream's messages: packets give the CPU, discarded-events
 * messages the losses, events the timestamps the merge orders by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/ctf_source.h"

static const char *env_string(const bt_trace *trace, const char *name)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(trace, name);
	return v && bt_value_is_string(v) ? bt_value_string_get(v) : NULL;
}

static int64_t env_int(const bt_trace *trace, const char *name)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(trace, name);
	if (v && bt_value_is_signed_integer(v))
		return bt_value_integer_signed_get(v);
	if (v && bt_value_is_unsigned_integer(v))
		return (int64_t)bt_value_integer_unsigned_get(v);
	return -1;
}

static void format_uuid(const uint8_t *u, char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

void vt_ctf_trace_describe(struct vt_ctf_trace *t, const bt_stream *stream)
{
	if (t->described)
		return;
	t->described = true;
	const bt_trace *trace = bt_stream_borrow_trace_const(stream);
	struct vt_trace_info *info = &t->info;
	/* These strings live as long as the trace: hold it, so that they outlive
	 * the graph (vt_source_release). */
	bt_trace_get_ref(trace);
	t->bt_trace = trace;
	info->hostname = env_string(trace, "hostname");
	info->domain = env_string(trace, "domain");
	info->tracer_name = env_string(trace, "tracer_name");
	info->kernel_release = env_string(trace, "kernel_release");
	info->product_uuid = env_string(trace, "product_uuid");
	if (info->product_uuid && !*info->product_uuid)
		info->product_uuid = NULL;
	info->tracer_major = env_int(trace, "tracer_major");
	info->tracer_minor = env_int(trace, "tracer_minor");
	info->tracer_patchlevel = env_int(trace, "tracer_patchlevel");
	bt_uuid uuid = bt_trace_get_uuid(trace);
	if (uuid) {
		format_uuid(uuid, t->trace_uuid);
		info->trace_uuid = t->trace_uuid;
	}
	const bt_clock_class *clock =
		bt_stream_class_borrow_default_clock_class_const(bt_stream_borrow_class_const(stream));
	if (clock) {
		info->clock.name = bt_clock_class_get_name(clock);
		info->clock.freq = bt_clock_class_get_frequency(clock);
		bt_clock_class_get_offset(clock, &info->clock.offset_s, &info->clock.offset_cycles);
		bt_uuid cu = bt_clock_class_get_uuid(clock);
		if (cu) {
			format_uuid(cu, t->clock_uuid);
			info->clock.uuid = t->clock_uuid;
		}
	}
}

/* ns of a clock's offset from the epoch; false when it does not fit. */
static bool offset_ns(const struct vt_clock_info *c, int64_t *ns)
{
	if (!c->freq || c->offset_s > INT64_MAX / 1000000000 || c->offset_s < INT64_MIN / 1000000000)
		return false;
	*ns = c->offset_s * 1000000000 + (int64_t)((double)c->offset_cycles * 1e9 / (double)c->freq);
	return true;
}

/* An LTTng session writes each of a machine's traces (kernel, each UST
 * buffer, each rotated chunk) with the clock's offset from the epoch
 * sampled on its own, realtime minus monotonic: the same clock (one uuid
 * per boot), offsets apart by what the sampling got wrong. A nested
 * testbed's guest had its kernel and UST traces 0.94 ms apart, which
 * every analysis mixing the two inherited (its clock pings, in UST, and
 * its kernel events disagreed by exactly that). So a trace whose clock is
 * one already read (same uuid, name and frequency) takes that trace's
 * offset: its events on the monotonic clock they were stamped with. Not
 * beyond a day: that is no sampling error but another clock claiming the
 * uuid. */
#define SAME_CLOCK_MAX_NS (86400LL * 1000000000LL)
void vt_ctf_same_clock(struct vt_source *src, size_t trace)
{
	struct vt_ctf_trace *t = &src->traces[trace];
	if (t->adjusted)
		return;
	t->adjusted = true;
	const struct vt_clock_info *c = &t->info.clock;
	int64_t mine, theirs;
	if (!c->uuid || !c->name || !offset_ns(c, &mine))
		return;
	for (size_t j = 0; j < src->ntraces; j++) {
		const struct vt_ctf_trace *o = &src->traces[j];
		const struct vt_clock_info *oc = &o->info.clock;
		if (j == trace || !o->adjusted || !oc->uuid || !oc->name || strcmp(oc->uuid, c->uuid) ||
		    strcmp(oc->name, c->name) || oc->freq != c->freq || !offset_ns(oc, &theirs))
			continue;
		int64_t d = theirs + o->adjust_ns - mine;
		if (d >= -SAME_CLOCK_MAX_NS && d <= SAME_CLOCK_MAX_NS)
			t->adjust_ns = d;
		return;
	}
}

static void on_stream_beginning(struct vt_source *src, struct vt_ctf_stream *s, const bt_message *msg)
{
	const bt_stream *stream = bt_message_stream_beginning_borrow_stream_const(msg);
	s->stream_class = bt_stream_borrow_class_const(stream);
	const char *name = bt_stream_get_name(stream);
	if (name && !s->file)
		s->file = strdup(name);
	s->has_clock = bt_stream_class_borrow_default_clock_class_const(s->stream_class) != NULL;
	vt_context_path_init(&s->ctx, s->stream_class);
	vt_ctf_trace_describe(&src->traces[s->trace], stream);
	vt_ctf_same_clock(src, s->trace);
}

/* A stream steps backwards when one of its timestamps (events and packet
 * bounds) is older than the one before it: real traces do, across packets. */
static void note_ts(struct vt_trace_info *info, struct vt_ctf_stream *s, uint64_t ts)
{
	if (s->has_last && ts < s->last_ts)
		info->backward_steps++;
	s->has_last = true;
	s->last_ts = ts;
}

/* ns from the epoch of a clock snapshot; false when it does not fit in int64
 * (a corrupt clock offset), which babeltrace2 also records as an error. */
static bool snapshot_ns(const bt_clock_snapshot *cs, int64_t adjust, uint64_t *ns)
{
	int64_t v;
	if (bt_clock_snapshot_get_ns_from_origin(cs, &v) != BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		bt_current_thread_clear_error();
		return false;
	}
	if (__builtin_add_overflow(v, adjust, &v))
		return false;
	*ns = v < 0 ? 0 : (uint64_t)v;
	return true;
}

static bool on_packet_beginning(struct vt_trace_info *info, struct vt_ctf_stream *s, const bt_message *msg,
				int64_t adjust)
{
	uint64_t ns;
	if (s->has_clock && bt_stream_class_packets_have_beginning_default_clock_snapshot(s->stream_class)) {
		if (!snapshot_ns(bt_message_packet_beginning_borrow_default_clock_snapshot_const(msg), adjust, &ns))
			return false;
		note_ts(info, s, ns);
	}
	if (s->ctx.cpu_id == VT_NO_SLOT)
		return true;
	const bt_packet *packet = bt_message_packet_beginning_borrow_packet_const(msg);
	const bt_field *ctx = bt_packet_borrow_context_field_const(packet);
	if (ctx)
		s->cpu = (int32_t)vt_field_u64(
			bt_field_structure_borrow_member_field_by_index_const(ctx, (uint64_t)s->ctx.cpu_id));
	return true;
}

static void on_discarded(struct vt_trace_info *info, const bt_message *msg, bool events)
{
	uint64_t n = 0;
	if (events) {
		/* Unknown count: at least one was lost. */
		if (bt_message_discarded_events_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE)
			n = 1;
		info->discarded_events += n;
	} else {
		if (bt_message_discarded_packets_get_count(msg, &n) != BT_PROPERTY_AVAILABILITY_AVAILABLE)
			n = 1;
		info->discarded_packets += n;
	}
}

int vt_ctf_stream_error(const struct vt_source *src, const struct vt_ctf_stream *s, struct vt_error *err,
			const char *problem)
{
	if (s->file)
		return vt_error_set(err, "%s: %s", s->file, problem);
	return vt_error_set(err, "%s: data stream %u: %s", src->traces[s->trace].path, s->index, problem);
}

static int bad_time(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err)
{
	return vt_ctf_stream_error(src, s, err, "a timestamp does not fit in ns from the epoch (corrupt clock)");
}

int vt_ctf_stream_advance(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err)
{
	struct vt_trace_info *info = &src->traces[s->trace].info;
	for (;;) {
		if (s->pos == s->count) {
			if (s->ended)
				return 0;
			int rc = vt_ctf_graph_refill(src, s, err);
			if (rc <= 0)
				return rc;
			continue;
		}
		const bt_message *msg = s->msgs[s->pos];
		switch (bt_message_get_type(msg)) {
		case BT_MESSAGE_TYPE_EVENT:
			/* Without a clock, events keep their stream order at time 0. */
			s->head_ts = 0;
			if (s->has_clock &&
			    !snapshot_ns(bt_message_event_borrow_default_clock_snapshot_const(msg), src->traces[s->trace].adjust_ns, &s->head_ts))
				return bad_time(src, s, err);
			note_ts(info, s, s->head_ts);
			return 1;
		case BT_MESSAGE_TYPE_STREAM_BEGINNING:
			on_stream_beginning(src, s, msg);
			break;
		case BT_MESSAGE_TYPE_PACKET_BEGINNING:
			if (!on_packet_beginning(info, s, msg, src->traces[s->trace].adjust_ns))
				return bad_time(src, s, err);
			break;
		case BT_MESSAGE_TYPE_PACKET_END:
			if (s->has_clock && bt_stream_class_packets_have_end_default_clock_snapshot(s->stream_class)) {
				uint64_t ns;
				if (!snapshot_ns(bt_message_packet_end_borrow_default_clock_snapshot_const(msg), src->traces[s->trace].adjust_ns, &ns))
					return bad_time(src, s, err);
				note_ts(info, s, ns);
			}
			break;
		case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
			on_discarded(info, msg, true);
			break;
		case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
			on_discarded(info, msg, false);
			break;
		default:
			break;
		}
		bt_message_put_ref(msg);
		s->pos++;
	}
}
