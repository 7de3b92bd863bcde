/* vmtrace stage: exporters (see docs/architecture.md).
 *
 * The native CTF 1.8 writer: one trace folder in the LTTng layout (packetized
 * `metadata`, one file per stream), packets as lttng-modules writes them
 * (packet header {magic, uuid, stream_id, stream_instance_id}, packet context
 * {timestamp_begin, timestamp_end, content_size, packet_size, packet_seq_num,
 * events_discarded, cpu_id}) and compact event headers (5-bit id, 27-bit
 * timestamp; the extended form when the id is >= 31, when the time since the
 * stream's previous event does not fit 27 bits, and for a packet's first event).
 *
 * Events are written straight into a preallocated packet buffer: reserve
 * returns where the caller copies the event context and payload. */
#ifndef VMTRACE_EXPORTERS_H
#define VMTRACE_EXPORTERS_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- metadata text --------------------------------------------------------- */

/* A growing text buffer for metadata. */
struct vt_ctf_text {
	char *buf; /* owned: vt_ctf_text_free */
	size_t len, cap;
	int oom;
};

VT_API void vt_ctf_text_append(struct vt_ctf_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
VT_API void vt_ctf_text_free(struct vt_ctf_text *t);

/* One `env` entry: a string value, or an integer when str is NULL. Its
 * strings, like every pointer of vt_ctf_meta_desc, are weak: read during the
 * call that takes them. */
struct vt_ctf_env {
	const char *key;
	const char *str;
	int64_t num;
};

/* What the metadata preamble needs: everything before the event declarations. */
struct vt_ctf_meta_desc {
	uint8_t trace_uuid[16];
	const struct vt_ctf_env *env;
	size_t nenv;
	const char *clock_name;   /* "monotonic" */
	const char *clock_uuid;   /* text form */
	const char *clock_description;
	uint64_t clock_offset_ns; /* clock value 0 on the epoch, in ns (freq 1e9) */
	const char *event_context; /* members of stream.event.context, or NULL */
	int large_header;          /* stream 0 uses event_header_large (lttng-ust) */
	int ctf_comment;           /* start with the CTF 1.8 comment (lttng-ust) */
};

/* Appends the typealiases, trace, env, clock, packet context, event headers and
 * stream 0 declaration of an LTTng 2.13 trace. */
VT_API void vt_ctf_meta_preamble(struct vt_ctf_text *t, const struct vt_ctf_meta_desc *d);

/* Appends one event declaration; fields holds the struct members (may be ""). */
VT_API void vt_ctf_meta_event(struct vt_ctf_text *t, const char *name, uint32_t id, const char *fields);

/* The same with the loglevel line lttng-ust writes. */
VT_API void vt_ctf_meta_event_loglevel(struct vt_ctf_text *t, const char *name, uint32_t id, int loglevel,
				const char *fields);

/* Formats 16 bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with NUL). */
VT_API void vt_uuid_format(const uint8_t uuid[16], char out[37]);

/* --- the writer -------------------------------------------------------------- */

#define VT_CTF_PACKET_HEADER_SIZE 32u
#define VT_CTF_PACKET_CONTEXT_SIZE 52u
#define VT_CTF_EVENT_DATA_OFFSET (VT_CTF_PACKET_HEADER_SIZE + VT_CTF_PACKET_CONTEXT_SIZE)

struct vt_ctf_writer;

/* One per-CPU stream. Fields are private; they are here so that reserving an
 * event is an inline fast path. */
struct vt_ctf_stream {
	uint8_t *buf;          /* the packet being filled */
	size_t pos;            /* next free byte in buf */
	size_t cap;            /* packet size in bytes */
	uint64_t last_ts;      /* timestamp of the previous event (clock value) */
	uint64_t packet_begin; /* timestamp_begin of the open packet */
	uint64_t packet_seq;
	uint64_t events;
	int first_in_packet;
	int large; /* event_header_large: 16-bit id, 32-bit timestamp */
	int fd;
	uint32_t cpu;
	struct vt_ctf_writer *writer;
};

/* Creates DIR (and its parents), writes DIR/metadata from the text, and opens
 * NSTREAMS stream files DIR/<prefix>N. packet_size is rounded up to 4 KiB.
 * begin_ts is the first packet's timestamp_begin. Returns the writer, or NULL with err. */
VT_API struct vt_ctf_writer *vt_ctf_writer_open(const char *dir, const uint8_t uuid[16],
		       const char *metadata, size_t metadata_len, uint32_t nstreams,
		       const char *prefix, size_t packet_size, uint64_t begin_ts,
		       struct vt_error *err);

VT_API struct vt_ctf_stream *vt_ctf_writer_stream(struct vt_ctf_writer *w, uint32_t index);

/* Switches every stream to event_header_large (call before writing events). */
VT_API void vt_ctf_writer_use_large_headers(struct vt_ctf_writer *w);
VT_API uint32_t vt_ctf_writer_stream_count(const struct vt_ctf_writer *w);

/* Closes the open packet and starts the next; used by reserve. */
VT_API void vt_ctf_stream_new_packet(struct vt_ctf_stream *s, uint64_t ts);

/* reserve for streams with event_header_large (the rare, slower case). */
VT_API uint8_t *vt_ctf_stream_reserve_large(struct vt_ctf_stream *s, uint64_t ts, uint32_t id, size_t len);

/* Writes the event header and returns where its LEN bytes of context and
 * payload go, or NULL (nothing written) for an event larger than a packet.
 * Timestamps must not go backwards within a stream (an older one is raised to
 * the previous, as a ring buffer would record it). */
static inline uint8_t *vt_ctf_stream_reserve(struct vt_ctf_stream *s, uint64_t ts, uint32_t id,
					     size_t len)
{
	if (ts < s->last_ts)
		ts = s->last_ts;
	if (s->large)
		return vt_ctf_stream_reserve_large(s, ts, id, len);
	int extended = id >= 31 || s->first_in_packet || ((ts - s->last_ts) >> 27) != 0;
	size_t need = (extended ? 13 : 4) + len;
	if (s->pos + need > s->cap) {
		if (VT_CTF_EVENT_DATA_OFFSET + 13 + len > s->cap)
			return NULL; /* larger than a whole packet */
		vt_ctf_stream_new_packet(s, ts);
		extended = 1;
		need = 13 + len;
	}
	uint8_t *p = s->buf + s->pos;
	if (extended) {
		uint32_t id32 = id;
		p[0] = 31;
		__builtin_memcpy(p + 1, &id32, 4);
		__builtin_memcpy(p + 5, &ts, 8);
		p += 13;
	} else {
		uint32_t h = id | (uint32_t)(ts << 5);
		__builtin_memcpy(p, &h, 4);
		p += 4;
	}
	s->pos += need;
	s->last_ts = ts;
	s->first_in_packet = 0;
	s->events++;
	return p;
}

/* Flushes every stream's last packet with timestamp_end = max(end_ts, its last
 * event), writes an empty packet for streams without events, closes the files
 * and frees the writer. Returns 0, or -1 with err (also for any earlier write
 * error). */
VT_API int vt_ctf_writer_close(struct vt_ctf_writer *w, uint64_t end_ts, struct vt_error *err);

/* The errno of the first write that failed, or 0: a caller stops producing
 * events (close still reports it). */
VT_API int vt_ctf_writer_failed(const struct vt_ctf_writer *w);

/* Frees a writer after an error, without flushing. */
VT_API void vt_ctf_writer_abort(struct vt_ctf_writer *w);

#ifdef __cplusplus
}
#endif
#endif
