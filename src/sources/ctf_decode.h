/* Translating one babeltrace2 event into a normalized vt_event.
 * Field positions are resolved once per event class (a "decoder"), never by
 * name per event. */
#ifndef VT_SOURCES_CTF_DECODE_H
#define VT_SOURCES_CTF_DECODE_H

#include <babeltrace2/babeltrace.h>
#include <stdint.h>

#include "vmtrace/event.h"

/* Up to this many payload members a kind reads, by position. */
#define VT_DECODER_SLOTS 10
#define VT_NO_SLOT (-1)

/* Where a TCP key sits inside lttng-modules' `network_header` variant. */
struct vt_net_path {
	int16_t header;             /* payload index of network_header (variant) */
	int64_t ipv4_option, ipv6_option; /* option indices in that variant, -1 if none */
	struct vt_ip_path {
		int16_t saddr, daddr, transport; /* member indices in the ip struct */
		int64_t tcp_option;              /* option index in the transport variant */
		int16_t sport, dport, seq, ack_seq, flags; /* members of the tcp struct */
	} ip[2]; /* [0] ipv4, [1] ipv6 */
};

struct vt_decoder {
	const bt_event_class *event_class;
	const char *name;
	enum vt_kind kind;
	int16_t slot[VT_DECODER_SLOTS]; /* payload member index per field of the kind */
	struct vt_net_path net;         /* for net_dev_queue / net_if_receive_skb */
};

/* Where a stream class keeps its context fields. */
struct vt_context_path {
	int16_t tid, pid, procname; /* members of the common event context */
	int16_t cpu_id;             /* member of the packet context */
};

/* Resolves the decoder of an event class (name → kind, field names → slots). */
void vt_decoder_init(struct vt_decoder *dec, const bt_event_class *event_class);

/* Resolves context positions of a stream class. */
void vt_context_path_init(struct vt_context_path *path, const bt_stream_class *stream_class);

/* Fills kind, name, u, tid/pid/procname of ev from a babeltrace2 event. */
void vt_decode_event(const struct vt_decoder *dec, const struct vt_context_path *ctx,
		     const bt_event *event, struct vt_event *ev);

/* Reads any integer-like field as uint64 (signed values are cast). */
uint64_t vt_field_u64(const bt_field *field);

/* Index of a structure member by name, or VT_NO_SLOT. */
int16_t vt_struct_member_index(const bt_field_class *structure, const char *name);

#endif
