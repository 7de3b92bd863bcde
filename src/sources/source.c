/* The public source: find traces, open them, merge their streams by timestamp. */
#include <stdlib.h>
#include <string.h>

#include "sources/ctf_source.h"
#include "sources/discover.h"

static bool heap_less(const struct vt_source *src, size_t a, size_t b)
{
	const struct vt_ctf_stream *x = &src->streams[a], *y = &src->streams[b];
	return x->head_ts < y->head_ts || (x->head_ts == y->head_ts && a < b);
}

static void heap_push(struct vt_source *src, size_t stream)
{
	size_t i = src->heap_len++;
	src->heap[i] = stream;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!heap_less(src, src->heap[i], src->heap[parent]))
			break;
		size_t t = src->heap[i];
		src->heap[i] = src->heap[parent];
		src->heap[parent] = t;
		i = parent;
	}
}

static size_t heap_pop(struct vt_source *src)
{
	size_t top = src->heap[0];
	src->heap[0] = src->heap[--src->heap_len];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < src->heap_len && heap_less(src, src->heap[l], src->heap[m]))
			m = l;
		if (r < src->heap_len && heap_less(src, src->heap[r], src->heap[m]))
			m = r;
		if (m == i)
			break;
		size_t t = src->heap[i];
		src->heap[i] = src->heap[m];
		src->heap[m] = t;
		i = m;
	}
	return top;
}

static int add_traces(struct vt_source *src, const char *const *paths, size_t npaths, struct vt_error *err)
{
	struct vt_path_list found = {0};
	for (size_t i = 0; i < npaths; i++)
		if (vt_discover_ctf(paths[i], &found, err)) {
			vt_path_list_free(&found);
			return -1;
		}
	src->traces = calloc(found.count, sizeof(*src->traces));
	if (!src->traces) {
		vt_path_list_free(&found);
		return vt_error_set(err, "out of memory");
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
	return 0;
}

int vt_source_open(struct vt_source **out, const char *const *paths, size_t npaths, struct vt_error *err)
{
	*out = NULL;
	if (npaths == 0)
		return vt_error_set(err, "no trace path given");
	struct vt_source *src = calloc(1, sizeof(*src));
	if (!src)
		return vt_error_set(err, "out of memory");
	src->refill = -1;
	if (add_traces(src, paths, npaths, err) || vt_ctf_graph_build(src, err))
		goto fail;
	/* Prime every stream: this reads each stream's beginning, so every
	 * trace's env and clock are known when open returns. */
	for (size_t i = 0; i < src->nstreams; i++) {
		int rc = vt_ctf_stream_advance(src, &src->streams[i], err);
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

size_t vt_source_trace_count(const struct vt_source *src)
{
	return src->ntraces;
}

const struct vt_trace_info *vt_source_trace(const struct vt_source *src, size_t index)
{
	return index < src->ntraces ? &src->traces[index].info : NULL;
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

int vt_source_next(struct vt_source *src, const struct vt_event **out, struct vt_error *err)
{
	*out = NULL;
	if (src->held) {
		/* The caller is done with the previous event: move its stream on. */
		bt_message_put_ref(src->held);
		src->held = NULL;
		struct vt_ctf_stream *prev = &src->streams[src->event.stream];
		int rc = vt_ctf_stream_advance(src, prev, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			heap_push(src, prev->index);
	}
	if (src->heap_len == 0)
		return 0;

	struct vt_ctf_stream *s = &src->streams[heap_pop(src)];
	const bt_message *msg = s->msgs[s->pos++];
	src->held = msg;
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	const struct vt_decoder *dec = decoder_for(src, s, event);
	if (!dec)
		return vt_error_set(err, "%s: out of memory", src->traces[s->trace].path);

	struct vt_event *ev = &src->event;
	ev->ts_ns = s->head_ts;
	ev->trace = s->trace;
	ev->stream = s->index;
	ev->cpu = s->cpu;
	vt_decode_event(dec, &s->ctx, event, ev);

	struct vt_trace_info *info = &src->traces[s->trace].info;
	if (info->events == 0 || ev->ts_ns < info->first_ns)
		info->first_ns = ev->ts_ns;
	if (info->events == 0 || ev->ts_ns > info->last_ns)
		info->last_ns = ev->ts_ns;
	info->events++;
	info->per_kind[ev->kind]++;
	*out = ev;
	return 1;
}

void vt_source_close(struct vt_source *src)
{
	if (!src)
		return;
	bt_message_put_ref(src->held);
	src->held = NULL;
	vt_ctf_graph_destroy(src);
	vt_decoder_map_free(&src->decoders);
	for (size_t i = 0; i < src->ntraces; i++)
		free(src->traces[i].path);
	free(src->traces);
	free(src->streams);
	free(src->heap);
	free(src);
}
