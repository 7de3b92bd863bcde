/* Building a trace class: field class constructors and copies, and the step
 * that turns what a parser collected into the finished trace class. */
#include "sources/ctf_ir_build.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct vt_ctf_fc *vt_ctf_fc_new(struct vt_ctf_arena *a, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = vt_ctf_alloc(a, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->type = type;
	fc->align = 1;
	fc->slot = -1;
	if (type == VT_CTF_FC_STRUCT)
		fc->u.st.min_align = 1;
	else if (type <= VT_CTF_FC_VSINT)
		fc->u.i.base = 10;
	struct vt_ctf_location *loc = vt_ctf_fc_location(fc);
	if (loc)
		loc->origin = VT_CTF_SCOPE_NONE;
	return fc;
}

struct vt_ctf_location *vt_ctf_fc_location(struct vt_ctf_fc *fc)
{
	switch (fc->type) {
	case VT_CTF_FC_DL_STRING:
	case VT_CTF_FC_DL_BLOB:
		return &fc->u.s.loc;
	case VT_CTF_FC_DL_ARRAY:
		return &fc->u.a.loc;
	case VT_CTF_FC_OPTIONAL:
		return &fc->u.o.loc;
	case VT_CTF_FC_VARIANT:
		return &fc->u.v.loc;
	default:
		return NULL;
	}
}

int vt_ctf_is_int(const struct vt_ctf_fc *fc)
{
	return fc->type == VT_CTF_FC_UINT || fc->type == VT_CTF_FC_SINT || fc->type == VT_CTF_FC_VUINT ||
	       fc->type == VT_CTF_FC_VSINT;
}

uint32_t vt_ctf_fc_height(const struct vt_ctf_fc *fc)
{
	uint32_t h = 0;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		for (uint32_t i = 0; i < fc->u.st.nmembers && h <= VT_CTF_MAX_DEPTH; i++) {
			uint32_t m = vt_ctf_fc_height(fc->u.st.members[i].fc);
			h = m > h ? m : h;
		}
		break;
	case VT_CTF_FC_VARIANT:
		for (uint32_t i = 0; i < fc->u.v.noptions && h <= VT_CTF_MAX_DEPTH; i++) {
			uint32_t m = vt_ctf_fc_height(fc->u.v.options[i].fc);
			h = m > h ? m : h;
		}
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		h = vt_ctf_fc_height(fc->u.a.element);
		break;
	case VT_CTF_FC_OPTIONAL:
		h = vt_ctf_fc_height(fc->u.o.fc);
		break;
	default:
		break;
	}
	return h + 1;
}

struct vt_ctf_fc *vt_ctf_fc_copy(struct vt_ctf_arena *a, const struct vt_ctf_fc *fc)
{
	struct vt_ctf_fc *c = vt_ctf_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	*c = *fc;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT: {
		uint32_t n = fc->u.st.nmembers;
		c->u.st.members = vt_ctf_alloc(a, n * sizeof(*c->u.st.members));
		if (!c->u.st.members)
			return NULL;
		for (uint32_t i = 0; i < n; i++) {
			c->u.st.members[i].name = fc->u.st.members[i].name;
			if (!(c->u.st.members[i].fc = vt_ctf_fc_copy(a, fc->u.st.members[i].fc)))
				return NULL;
		}
		break;
	}
	case VT_CTF_FC_VARIANT: {
		uint32_t n = fc->u.v.noptions;
		c->u.v.options = vt_ctf_alloc(a, n * sizeof(*c->u.v.options));
		if (!c->u.v.options)
			return NULL;
		for (uint32_t i = 0; i < n; i++) {
			c->u.v.options[i] = fc->u.v.options[i];
			if (!(c->u.v.options[i].fc = vt_ctf_fc_copy(a, fc->u.v.options[i].fc)))
				return NULL;
		}
		break;
	}
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		if (!(c->u.a.element = vt_ctf_fc_copy(a, fc->u.a.element)))
			return NULL;
		break;
	case VT_CTF_FC_OPTIONAL:
		if (!(c->u.o.fc = vt_ctf_fc_copy(a, fc->u.o.fc)))
			return NULL;
		break;
	default:
		break;
	}
	return c;
}

int vt_ctf_builder_init(struct vt_ctf_builder *b, const char *name, struct vt_error *err)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	vt_ctf_vec_init(&b->clocks, sizeof(struct vt_ctf_clock_class));
	vt_ctf_vec_init(&b->env, sizeof(struct vt_ctf_env_entry));
	vt_ctf_vec_init(&b->streams, sizeof(struct vt_ctf_stream_class *));
	vt_ctf_vec_init(&b->events, sizeof(struct vt_ctf_event_class *));
	vt_ctf_vec_init(&b->event_sids, sizeof(uint64_t));
	vt_ctf_vec_init(&b->stream_clocks, sizeof(uint32_t));
	b->arena = vt_ctf_arena_new();
	if (!b->arena || !(b->tc = vt_ctf_alloc(b->arena, sizeof(*b->tc)))) {
		vt_ctf_arena_free(b->arena);
		b->arena = NULL;
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", name);
	}
	b->tc->arena = b->arena;
	b->tc->byte_order = VT_CTF_LE;
	return 0;
}

void vt_ctf_builder_abort(struct vt_ctf_builder *b)
{
	vt_ctf_vec_free(&b->clocks);
	vt_ctf_vec_free(&b->env);
	vt_ctf_vec_free(&b->streams);
	vt_ctf_vec_free(&b->events);
	vt_ctf_vec_free(&b->event_sids);
	vt_ctf_vec_free(&b->stream_clocks);
	vt_ctf_arena_free(b->arena);
	b->arena = NULL;
	b->tc = NULL;
}

/* The stream classes and their id table. */
static int place_streams(struct vt_ctf_builder *b, struct vt_error *err)
{
	struct vt_ctf_trace_class *tc = b->tc;
	tc->nstreams = b->streams.n;
	tc->streams = vt_ctf_vec_to_arena(&b->streams, b->arena);
	if (!tc->streams || !(tc->stream_ids = vt_ctf_id_map_new(b->arena, tc->nstreams)))
		return vt_error_set(err, "%s: %s", b->name, vt_ctf_arena_why(b->arena));
	const uint32_t *clock = b->stream_clocks.data;
	for (size_t i = 0; i < tc->nstreams; i++) {
		if (vt_ctf_id_map_put(tc->stream_ids, tc->streams[i]->id, i))
			return vt_error_set(err, "%s: two data stream classes have id %" PRIu64, b->name,
					    tc->streams[i]->id);
		if (i < b->stream_clocks.n && clock[i])
			tc->streams[i]->default_clock = &tc->clocks[clock[i] - 1];
	}
	return 0;
}

/* Each event record class into its stream class, with the stream's id table. */
static int place_events(struct vt_ctf_builder *b, struct vt_error *err)
{
	struct vt_ctf_trace_class *tc = b->tc;
	struct vt_ctf_event_class **ev = b->events.data;
	const uint64_t *sid = b->event_sids.data;
	size_t n = b->events.n;
	for (size_t i = 0; i < n; i++) {
		long s = vt_ctf_id_map_get(tc->stream_ids, sid[i]);
		if (s < 0)
			return vt_error_set(err,
					    "%s: event record class \"%s\" is in data stream class %" PRIu64
					    ", which the metadata does not declare",
					    b->name, ev[i]->name, sid[i]);
		ev[i]->stream = tc->streams[s];
		tc->streams[s]->nevents++;
	}
	for (size_t s = 0; s < tc->nstreams; s++) {
		struct vt_ctf_stream_class *sc = tc->streams[s];
		sc->events = vt_ctf_alloc(b->arena, sc->nevents * sizeof(*sc->events));
		sc->event_ids = vt_ctf_id_map_new(b->arena, sc->nevents);
		if (!sc->events || !sc->event_ids)
			return vt_error_set(err, "%s: %s", b->name, vt_ctf_arena_why(b->arena));
		sc->nevents = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct vt_ctf_stream_class *sc = (struct vt_ctf_stream_class *)ev[i]->stream;
		if (vt_ctf_id_map_put(sc->event_ids, ev[i]->id, sc->nevents))
			return vt_error_set(err,
					    "%s: two event record classes of data stream class %" PRIu64
					    " have id %" PRIu64 " (\"%s\" and \"%s\")",
					    b->name, sc->id, ev[i]->id, vt_ctf_event_class_find(sc, ev[i]->id)->name,
					    ev[i]->name);
		sc->events[sc->nevents++] = ev[i];
	}
	tc->nevents = n;
	return 0;
}

int vt_ctf_builder_finish(struct vt_ctf_builder *b, struct vt_ctf_trace_class **out, struct vt_error *err)
{
	struct vt_ctf_trace_class *tc = b->tc;
	*out = NULL;
	tc->nclocks = b->clocks.n;
	tc->nenv = b->env.n;
	tc->clocks = vt_ctf_vec_to_arena(&b->clocks, b->arena);
	tc->env = vt_ctf_vec_to_arena(&b->env, b->arena);
	if (!tc->clocks || !tc->env) {
		vt_error_set(err, "%s: %s", b->name, vt_ctf_arena_why(b->arena));
		goto fail;
	}
	if (place_streams(b, err) || place_events(b, err) || vt_ctf_resolve(tc, b->name, err))
		goto fail;
	vt_ctf_vec_free(&b->events);
	vt_ctf_vec_free(&b->event_sids);
	vt_ctf_vec_free(&b->stream_clocks);
	*out = tc;
	b->arena = NULL;
	b->tc = NULL;
	return 0;
fail:
	vt_ctf_builder_abort(b);
	return -1;
}
