/* The CTF source's internals: one babeltrace2 graph holding a source.ctf.fs
 * component per trace and one sink of ours with an input port per data stream.
 * Each stream has its own message iterator; the merge is ours (source.c), so
 * streams whose timestamps step backwards are read whole. */
#ifndef VT_SOURCES_CTF_SOURCE_H
#define VT_SOURCES_CTF_SOURCE_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>

#include "sources/ctf_decode.h"
#include "sources/ctf_nstream.h"
#include "sources/tracecmd_source.h"
#include "vmtrace/sources.h"

struct vt_ctf_trace {
	struct vt_trace_info info;
	char *path;
	bool described; /* env and clock copied into info */
	const bt_trace *bt_trace; /* held: info's strings live in it, beyond the graph */
	char trace_uuid[37], clock_uuid[37];
	/* Added to every timestamp: this trace's clock offset made the one of
	 * the first trace read with the same clock (ctf_stream.c, same_clock). */
	int64_t adjust_ns;
	bool adjusted;
};

struct vt_ctf_stream {
	uint32_t index, trace;
	bt_message_iterator *iter;
	bt_message_array_const msgs; /* current batch, owned until pos passes them */
	uint64_t count, pos;
	bool ended;
	bool has_clock;
	int32_t cpu;
	struct vt_context_path ctx;
	const bt_stream_class *stream_class;
	uint64_t head_ts;  /* timestamp of msgs[pos], an event, when not ended */
	uint64_t last_ts;  /* previous event's, to count backward steps */
	bool has_last;
	char *file; /* the data stream file, as babeltrace2 names the stream */
	char pending_error[512]; /* an error ctf.fs reported early, see sink_consume */
	const bt_event_class *cached_class; /* one-entry decoder cache */
	const struct vt_decoder *cached_decoder;
};

struct vt_decoder_map {
	struct vt_decoder **slots;
	size_t cap, count;
};

/* A stream in the merge: its head event's time, cached. */
struct vt_heap_entry {
	uint64_t ts;
	size_t id;
};

struct vt_source {
	bt_graph *graph;
	bt_component_class_sink *sink_class;
	struct vt_ctf_trace *traces;
	size_t ntraces;
	struct vt_ctf_stream *streams;
	size_t nstreams;
	struct vt_heap_entry *heap; /* streams of both back-ends, a min-heap by (head_ts, index); the top is held_stream's while the caller holds its event */
	size_t heap_len;
	/* vt_source_by_trace: the heap holds one trace's streams at a time; the
	 * others wait in parked[], by trace (owned). */
	int by_trace;
	struct vt_parked_stream {
		uint32_t trace;
		size_t id;
	} *parked;
	size_t nparked, next_parked;
	struct vt_tc_set *tc; /* trace.dat files: traces after the CTF ones, streams too */
	size_t held_stream;   /* stream of the event the caller still sees, SIZE_MAX when none */
	char **tc_paths;      /* .dat files found, until vt_tc_open takes them */
	size_t tc_npaths;
	int refill;   /* stream the sink's consume method fills next, or -1 */
	bt_message_iterator_next_status refill_status;
	const bt_message *held; /* the event message the caller still sees */
	struct vt_event event;
	struct vt_decoder_map decoders;
	char *note; /* what discovery skipped, one line, or NULL (owned) */
	/* VMTRACE_READER=native: CTF traces through our own decoder instead of
	 * the graph; ntr[i] beside traces[i], nat[k] beside streams[k]. */
	int native;
	struct vt_ntrace *ntr;          /* owned */
	struct vt_nstream *nat;         /* owned */
	struct vt_source_window window; /* all zero: every event */
	int has_window, window_based;   /* based: relative times resolved */
};

/* Builds the graph for the traces already in src->traces; sets up streams. */
int vt_ctf_graph_build(struct vt_source *src, struct vt_error *err);

/* Asks stream s's iterator for its next batch. Returns 1 (batch), 0 (end), -1 (error). */
int vt_ctf_graph_refill(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err);

void vt_ctf_graph_destroy(struct vt_source *src);

void vt_bt_tidy_message(char *msg);

/* One line from babeltrace2's current thread error (taken and released). */
void vt_bt_error_text(char *buf, size_t size);

/* Fails with "FILE: problem" naming the stream's file (or its trace and number). */
int vt_ctf_stream_error(const struct vt_source *src, const struct vt_ctf_stream *s, struct vt_error *err,
			const char *problem);

/* Moves s to its next event message, handling the others on the way.
 * Returns 1 (s->head_ts valid), 0 (stream ended), -1 (error). */
int vt_ctf_stream_advance(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err);

/* Decoder of an event class, created on first sight. NULL when out of memory. */
const struct vt_decoder *vt_decoder_map_get(struct vt_decoder_map *map, const bt_event_class *ec);
void vt_decoder_map_free(struct vt_decoder_map *map);

/* The native reader's traces and streams, for the traces in src->traces. */
int vt_ctf_native_build(struct vt_source *src, struct vt_error *err);
void vt_ctf_native_destroy(struct vt_source *src);

/* A trace whose clock is one already read takes that trace's offset (ctf_stream.c). */
void vt_ctf_same_clock(struct vt_source *src, size_t trace);

/* Copies env and clock of a babeltrace2 trace into t->info (once). */
void vt_ctf_trace_describe(struct vt_ctf_trace *t, const bt_stream *stream);

#endif
