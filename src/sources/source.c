/* The public source: find traces (CTF folders and trace.dat files), open them,
 * merge the streams of both back-ends by timestamp. CTF traces are numbered
 * first, then the .dat files, each in the order they were found. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/ctf_source.h"
#include "sources/discover.h"

/* Stream ids: 0..nstreams-1 are CTF streams, the next ones trace-cmd's. */
static uint64_t head_ts(const struct vt_source *src, size_t id)
{
	if (id < src->nstreams)
		return src->native ? src->nat[id].head_ts : src->streams[id].head_ts;
	return vt_tc_head_ts(src->tc, id - src->nstreams);
}

/* Entries are (head time, stream id), the time cached so that a comparison
 * touches no stream; ties go to the lower id, as the merge always did. */
static bool heap_less(const struct vt_heap_entry *x, const struct vt_heap_entry *y)
{
	return x->ts < y->ts || (x->ts == y->ts && x->id < y->id);
}

static void heap_push(struct vt_source *src, size_t stream)
{
	size_t i = src->heap_len++;
	struct vt_heap_entry e = {head_ts(src, stream), stream};
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!heap_less(&e, &src->heap[parent]))
			break;
		src->heap[i] = src->heap[parent];
		i = parent;
	}
	src->heap[i] = e;
}

/* Puts the top entry, changed, where it belongs. */
static void heap_sift_top(struct vt_source *src)
{
	struct vt_heap_entry e = src->heap[0];
	size_t i = 0, n = src->heap_len;
	for (;;) {
		size_t l = 2 * i + 1, m = l;
		if (l >= n)
			break;
		if (l + 1 < n && heap_less(&src->heap[l + 1], &src->heap[l]))
			m = l + 1;
		if (!heap_less(&src->heap[m], &e))
			break;
		src->heap[i] = src->heap[m];
		i = m;
	}
	src->heap[i] = e;
}

/* The top stream moved on (rc > 0: its new head) or ended. */
static void heap_replace_top(struct vt_source *src, int rc)
{
	if (rc > 0)
		src->heap[0].ts = head_ts(src, src->heap[0].id);
	else
		src->heap[0] = src->heap[--src->heap_len];
	if (src->heap_len)
		heap_sift_top(src);
}

static int add_traces(struct vt_source *src, const char *const *paths, size_t npaths, struct vt_error *err)
{
	struct vt_path_list found = {0}, dat = {0};
	for (size_t i = 0; i < npaths; i++) {
		char *note = NULL;
		if (vt_discover(paths[i], &found, &dat, &note, err)) {
			vt_path_list_free(&found);
			vt_path_list_free(&dat);
			return -1;
		}
		if (note && !src->note)
			src->note = note; /* the first PATH's: one line */
		else
			free(note);
	}
	src->traces = calloc(found.count ? found.count : 1, sizeof(*src->traces));
	if (!src->traces) {
		vt_path_list_free(&found);
		vt_path_list_free(&dat);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	}
	src->ntraces = found.count;
	for (size_t i = 0; i < found.count; i++) {
		struct vt_ctf_trace *t = &src->traces[i];
		t->path = found.paths[i]; /* ownership moves to the trace */
		t->info.path = t->path;
		t->info.format = "ctf";
		t->info.tracer_major = t->info.tracer_minor = t->info.tracer_patchlevel = -1;
	}
	free(found.paths);
	src->tc_paths = dat.paths; /* opened after the CTF graph, which numbers the streams first */
	src->tc_npaths = dat.count;
	return 0;
}

/* Moves stream id on. Returns 1 (it has a head), 0 (ended), -1. */
static int advance(struct vt_source *src, size_t id, struct vt_error *err)
{
	if (id < src->nstreams && src->native)
		return vt_nstream_advance(&src->nat[id], err);
	if (id < src->nstreams)
		return vt_ctf_stream_advance(src, &src->streams[id], err);
	return vt_tc_advance(src->tc, id - src->nstreams, err);
}

int vt_reader_parse(const char *name, enum vt_reader *out)
{
	if (name && !strcmp(name, "native"))
		*out = VT_READER_NATIVE;
	else if (name && !strcmp(name, "babeltrace2"))
		*out = VT_READER_BABELTRACE2;
	else
		return -1;
	return 0;
}

/* The default reader: VMTRACE_READER when set (a way to compare both without
 * changing a command line), else ours. */
static int reader_choice(struct vt_source *src, enum vt_reader reader, struct vt_error *err)
{
	const char *env = getenv("VMTRACE_READER");
	if (reader == VT_READER_DEFAULT && env && *env && vt_reader_parse(env, &reader))
		return vt_error_set_cause(err, VT_ERR_USAGE, "VMTRACE_READER=%.64s: expected native or babeltrace2",
					  env);
	src->native = reader != VT_READER_BABELTRACE2;
	return 0;
}

/* A clock offset beyond ns from the epoch (babeltrace2 refuses such a trace;
 * the native reader counts from the clock's origin): said, or the times would
 * silently be from 1970. NULL when it fits (or out of memory: no note). */
static char *offset_note(const struct vt_trace_info *info)
{
	int64_t ns;
	if (!info->clock.name || !__builtin_mul_overflow(info->clock.offset_s, (int64_t)1000000000, &ns))
		return NULL;
	static const char fmt[] =
		"%s: the clock's offset (%lld s) does not fit in ns from the epoch: its times count from the clock's origin";
	size_t size = strlen(info->path) + sizeof(fmt) + 24;
	char *note = malloc(size);
	if (note)
		snprintf(note, size, fmt, info->path, (long long)info->clock.offset_s);
	return note;
}

static int open_sources(struct vt_source **out, const char *const *paths, size_t npaths, enum vt_reader reader,
			struct vt_error *err)
{
	*out = NULL;
	if (npaths == 0)
		return vt_error_set(err, "no trace path given");
	struct vt_source *src = calloc(1, sizeof(*src));
	if (!src)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	src->refill = -1;
	src->held_stream = SIZE_MAX;
	if (reader_choice(src, reader, err) || add_traces(src, paths, npaths, err))
		goto fail;
	if (src->ntraces && (src->native ? vt_ctf_native_build(src, err) : vt_ctf_graph_build(src, err)))
		goto fail;
	for (size_t i = 0; i < src->ntraces; i++) {
		src->traces[i].info.reader = src->native ? "native" : "babeltrace2";
		if (!src->note)
			src->note = offset_note(&src->traces[i].info);
	}
	char **tc_paths = src->tc_paths;
	src->tc_paths = NULL; /* vt_tc_open owns them now, even when it fails */
	if (src->tc_npaths &&
	    vt_tc_open(&src->tc, tc_paths, src->tc_npaths, (uint32_t)src->ntraces, (uint32_t)src->nstreams, err)) {
		free(tc_paths);
		goto fail;
	}
	free(tc_paths);
	size_t total = src->nstreams + vt_tc_stream_count(src->tc);
	src->heap = calloc(total ? total : 1, sizeof(*src->heap));
	if (!src->heap) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	/* Prime every stream: this reads each stream's beginning, so every
	 * trace's env and clock are known when open returns. */
	for (size_t i = 0; i < total; i++) {
		int rc = advance(src, i, err);
		if (rc < 0)
			goto fail;
		if (rc > 0)
			heap_push(src, i);
	}
	*out = src;
	return 0;
fail:
	vt_source_close(src);
	return -1;
}

struct vt_source *vt_source_open_with(const char *const *paths, size_t npaths, enum vt_reader reader,
				      struct vt_error *err)
{
	struct vt_source *out;
	return open_sources(&out, paths, npaths, reader, err) ? NULL : out;
}

struct vt_source *vt_source_open(const char *const *paths, size_t npaths, struct vt_error *err)
{
	return vt_source_open_with(paths, npaths, VT_READER_DEFAULT, err);
}

static struct vt_trace_info *info_of(struct vt_source *src, size_t trace)
{
	return trace < src->ntraces ? &src->traces[trace].info : vt_tc_trace_info(src->tc, trace - src->ntraces);
}

size_t vt_source_trace_count(const struct vt_source *src)
{
	return src->ntraces + vt_tc_trace_count(src->tc);
}

const char *vt_source_note(const struct vt_source *src)
{
	return src->note;
}

const struct vt_trace_info *vt_source_trace(const struct vt_source *src, size_t index)
{
	return index < src->ntraces ? &src->traces[index].info : vt_tc_trace_info(src->tc, index - src->ntraces);
}

static const struct vt_decoder *decoder_for(struct vt_source *src, struct vt_ctf_stream *s, const bt_event *event)
{
	const bt_event_class *ec = bt_event_borrow_class_const(event);
	if (ec != s->cached_class) {
		s->cached_decoder = vt_decoder_map_get(&src->decoders, ec);
		s->cached_class = s->cached_decoder ? ec : NULL;
	}
	return s->cached_decoder;
}

/* Decodes the head of CTF stream s into src->event, holding its message. */
static int take_ctf(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err)
{
	const bt_message *msg = s->msgs[s->pos++];
	src->held = msg;
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	const struct vt_decoder *dec = decoder_for(src, s, event);
	if (!dec)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", src->traces[s->trace].path);
	struct vt_event *ev = &src->event;
	ev->ts_ns = s->head_ts;
	ev->trace = s->trace;
	ev->stream = s->index;
	ev->cpu = s->cpu;
	vt_decode_event(dec, &s->ctx, event, ev);
	return 0;
}

static uint32_t trace_of_stream(const struct vt_source *src, size_t id)
{
	if (id < src->nstreams)
		return src->native ? (uint32_t)(src->nat[id].trace - src->ntr) : src->streams[id].trace;
	return vt_tc_stream_trace(src->tc, id - src->nstreams);
}

/* The next parked trace's streams into the heap. Returns 0 when none is left. */
static int load_next_trace(struct vt_source *src)
{
	if (src->next_parked >= src->nparked)
		return 0;
	uint32_t trace = src->parked[src->next_parked].trace;
	while (src->next_parked < src->nparked && src->parked[src->next_parked].trace == trace)
		heap_push(src, src->parked[src->next_parked++].id);
	return 1;
}

static int by_trace_cmp(const void *a, const void *b)
{
	const struct vt_parked_stream *x = a, *y = b;
	if (x->trace != y->trace)
		return x->trace < y->trace ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int vt_source_by_trace(struct vt_source *src, struct vt_error *err)
{
	if (src->by_trace || src->held_stream != SIZE_MAX)
		return 0;
	if (!(src->parked = malloc((src->heap_len ? src->heap_len : 1) * sizeof(*src->parked))))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	/* A relative window counts from the earliest event of all the traces,
	 * as merged: the earliest head now. */
	if (src->has_window && !src->window_based && src->heap_len) {
		uint64_t first = src->heap[0].ts;
		src->window.begin += src->window.begin_rel ? first : 0;
		src->window.end += src->window.end_rel ? first : 0;
		src->window_based = 1;
	}
	for (size_t i = 0; i < src->heap_len; i++)
		src->parked[i] = (struct vt_parked_stream){trace_of_stream(src, src->heap[i].id), src->heap[i].id};
	src->nparked = src->heap_len;
	src->heap_len = 0;
	qsort(src->parked, src->nparked, sizeof(*src->parked), by_trace_cmp);
	src->by_trace = 1;
	load_next_trace(src);
	return 0;
}

/* By trace, an event past the window's end: the rest of its trace is too. */
static void drop_current_trace(struct vt_source *src)
{
	bt_message_put_ref(src->held);
	src->held = NULL;
	src->held_stream = SIZE_MAX;
	src->heap_len = 0;
}

static int next_merged(struct vt_source *src, const struct vt_event **out, struct vt_error *err)
{
	*out = NULL;
	if (src->held_stream != SIZE_MAX) {
		/* The caller is done with the previous event: move its stream, the
		 * heap's top, on. */
		size_t prev = src->held_stream;
		src->held_stream = SIZE_MAX;
		bt_message_put_ref(src->held);
		src->held = NULL;
		int rc = advance(src, prev, err);
		if (rc < 0)
			return -1;
		heap_replace_top(src, rc);
	}
	if (src->heap_len == 0 && !(src->by_trace && load_next_trace(src)))
		return 0;

	size_t id = src->heap[0].id;
	src->held_stream = id;
	struct vt_event *ev = &src->event;
	if (id < src->nstreams && src->native) {
		const struct vt_nstream *s = &src->nat[id];
		ev->ts_ns = s->head_ts;
		ev->trace = (uint32_t)(s->trace - src->ntr);
		ev->stream = (uint32_t)id;
		vt_nstream_decode_head(s, ev);
	} else if (id < src->nstreams) {
		if (take_ctf(src, &src->streams[id], err))
			return -1;
	} else {
		vt_tc_decode_head(src->tc, id - src->nstreams, ev);
	}

	*out = ev;
	return 1;
}

void vt_source_set_window(struct vt_source *src, const struct vt_source_window *w)
{
	src->window = *w;
	src->has_window = 1;
	src->window_based = !w->begin_rel && !w->end_rel;
}

/* Whether ev is in the window; *past when it and every later one is after it
 * (merged by time: only backward steps inside a stream could come back). */
static int in_window(struct vt_source *src, const struct vt_event *ev, int *past)
{
	struct vt_source_window *w = &src->window;
	if (!src->window_based) { /* the first event is the earliest: the base */
		w->begin += w->begin_rel ? ev->ts_ns : 0;
		w->end += w->end_rel ? ev->ts_ns : 0;
		src->window_based = 1;
	}
	*past = w->end && ev->ts_ns > w->end;
	return ev->ts_ns >= w->begin && !*past;
}

int vt_source_next(struct vt_source *src, const struct vt_event **out, struct vt_error *err)
{
	int rc, past = 0;
	const struct vt_event *got;
	while ((rc = next_merged(src, &got, err)) > 0 && src->has_window && !in_window(src, got, &past)) {
		if (past && !src->by_trace)
			return 0;
		if (past)
			drop_current_trace(src);
	}
	*out = got;
	if (rc <= 0)
		return rc;
	struct vt_event *ev = &src->event;
	struct vt_trace_info *info = info_of(src, ev->trace);
	if (info->events == 0 || ev->ts_ns < info->first_ns)
		info->first_ns = ev->ts_ns;
	if (info->events == 0 || ev->ts_ns > info->last_ns)
		info->last_ns = ev->ts_ns;
	info->events++;
	info->per_kind[ev->kind]++;
	*out = ev;
	return 1;
}

void vt_source_release(struct vt_source *src)
{
	if (!src)
		return;
	bt_message_put_ref(src->held);
	src->held = NULL;
	src->held_stream = SIZE_MAX;
	if (src->native)
		vt_ctf_native_destroy(src);
	else
		vt_ctf_graph_destroy(src);
	src->heap_len = 0;
	src->next_parked = src->nparked; /* by trace: none loaded any more */
}

void vt_source_close(struct vt_source *src)
{
	if (!src)
		return;
	vt_source_release(src);
	for (size_t i = 0; i < src->ntraces; i++) {
		bt_trace_put_ref(src->traces[i].bt_trace);
		if (src->ntr)
			vt_ntrace_close(&src->ntr[i]);
	}
	free(src->ntr);
	vt_tc_close(src->tc);
	for (size_t i = 0; i < src->tc_npaths && src->tc_paths; i++)
		free(src->tc_paths[i]);
	free(src->tc_paths);
	vt_decoder_map_free(&src->decoders);
	free(src->note);
	for (size_t i = 0; i < src->ntraces; i++)
		free(src->traces[i].path);
	free(src->traces);
	free(src->streams);
	free(src->heap);
	free(src->parked);
	free(src);
}
