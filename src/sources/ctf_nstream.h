/* The native reader's data streams (issue 15): one file of a CTF trace,
 * mapped, its packets walked (ctf_packet.c) and its events decoded
 * (ctf_nstream.c) with the trace class (ctf_ir.h) and per event class plans
 * (ctf_plan.h) into normalized events, with babeltrace2's semantics: the
 * clock, discarded events, backward steps. */
#ifndef VT_SOURCES_CTF_NSTREAM_H
#define VT_SOURCES_CTF_NSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_index.h"
#include "sources/ctf_plan.h"
#include "sources/ctf_read.h"
#include "vmtrace/sources.h"

/* What a trace's streams share: its trace class and plans. */
struct vt_ntrace {
	struct vt_ctf_trace_class *tc; /* owned */
	struct vt_ctf_plan **plans;    /* [stream class][event class] (owned) */
	struct vt_ctf_ctx_plan *ctx;   /* [stream class] (owned) */
	struct vt_flat *packet_header; /* its read program (owned) */
	int64_t adjust_ns;             /* weak copy of the trace's clock adjustment, set at open */
	struct vt_trace_info *info;    /* weak: the trace's, in the source */
};

struct vt_nstream {
	char **files; /* owned: the data stream's files, in time order (several: a trace rotated by size) */
	size_t nfiles, file;
	const char *path;              /* the file being read: files[file] */
	const struct vt_ntrace *trace; /* weak */
	const uint8_t *map;            /* the file, mapped (owned) */
	size_t size;
	size_t released; /* bytes of the mapping given back (read, never looked at again) */
	struct vt_ctf_index index; /* the file's packet index, when usable (owned) */
	size_t pkt_no;             /* the packet's number in the file */
	struct vt_ctf_reader r;
	/* the packet being read */
	uint64_t pkt_off;  /* bytes: where it starts in the file */
	uint64_t pkt_bits; /* its total size */
	bool in_packet;
	bool peeking; /* vt_nstream_peek: nothing counted */
	bool has_end_ts;
	uint64_t end_ts; /* its end time, in cycles */
	const struct vt_ctf_stream_class *sc;
	size_t sc_index;
	bool has_disc;
	uint64_t disc; /* the previous packet's discarded-events counter */
	int32_t cpu;
	/* the head event */
	uint64_t head_ts;
	const struct vt_ctf_plan *head_plan;
	uint64_t event_pos; /* bits from the packet: where the head event began */
	bool has_last;
	uint64_t last_ts;
	struct vt_ctf_capture caps[VT_PLAN_CAPTURES];
	struct vt_ctf_capture ctx_caps[VT_PLAN_CTX_COUNT];
	struct vt_ctf_capture cpu_cap;
};

/* Loads the trace class and plans of the trace at dir; info is filled
 * (env, clock). Returns 0 or -1 with err set. */
int vt_ntrace_open(struct vt_ntrace *t, const char *dir, struct vt_trace_info *info, char trace_uuid[37],
		   char clock_uuid[37], struct vt_error *err);
void vt_ntrace_close(struct vt_ntrace *t);

/* The data stream files of the trace at dir (sorted, empty ones left out):
 * *paths (owned, each and the array) and their count. */
int vt_ntrace_files(const char *dir, char ***paths, size_t *n, struct vt_error *err);

/* What a file's first packet says of its stream: class id, instance id
 * (when the header has one) and begin time. 0, or -1 when it cannot be read. */
struct vt_nstream_key {
	int has_instance;
	uint64_t class_id, instance_id, begin;
};
int vt_nstream_peek(const struct vt_ntrace *t, const char *path, struct vt_nstream_key *key);

/* Maps the first file; takes files (each and the array). Returns 0 or -1 with err set. */
int vt_nstream_open(struct vt_nstream *s, const struct vt_ntrace *t, char **files, size_t nfiles, struct vt_error *err);
void vt_nstream_close(struct vt_nstream *s);

/* Moves to the next event (head_ts, head_plan set). 1, 0 at the end, -1 with err. */
int vt_nstream_advance(struct vt_nstream *s, struct vt_error *err);

/* The head event's normalized kind, name, payload, tid/pid/procname. */
void vt_nstream_decode_head(const struct vt_nstream *s, struct vt_event *ev);

/* Packets: begins the one at s->pkt_off (1), or 0 at the file's end, -1 with err. */
int vt_ctf_packet_begin(struct vt_nstream *s, struct vt_error *err);
/* Ends the current packet (its end time noted), moving to the next. */
void vt_ctf_packet_end(struct vt_nstream *s);

/* Ns from the epoch of a clock value, as babeltrace2 computes them; -1 when it does not fit. */
int vt_ctf_clock_ns(const struct vt_ctf_clock_class *c, uint64_t cycles, int64_t adjust, uint64_t *ns);

/* Notes a timestamp of the stream: counts backward steps. */
void vt_nstream_note_ts(struct vt_nstream *s, uint64_t ns);

/* Fails with "FILE: at byte N: problem". */
int vt_nstream_error(const struct vt_nstream *s, uint64_t bit, const char *problem, struct vt_error *err);

#endif
