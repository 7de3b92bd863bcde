/* The last step of loading a trace class, the same for CTF 1.8 and CTF 2:
 * each field class gets its alignment and its place (order) in its scope,
 * structures are checked for duplicate member names, every field location
 * (dynamic length, variant or optional selector) is resolved to the earlier
 * integer fields it may designate and to the value slot they share, CTF 1.8
 * variants get their options' ranges from their tag's enumeration, and each
 * data stream class finds its default clock. */
#include "sources/ctf_ir_build.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct vt_ctf_trace_class *tc;
	const char *name; /* the metadata's path */
	char where[160];  /* "event record class \"x\"" */
	struct vt_ctf_fc *roots[VT_CTF_SCOPE_COUNT];
	enum vt_ctf_scope scope;
	struct vt_ctf_fc *stack[VT_CTF_MAX_DEPTH + 2]; /* the ancestors of the field class being visited */
	const char *names[VT_CTF_MAX_DEPTH + 2];       /* and their member names */
	uint32_t depth;
	uint32_t counter;
	struct vt_ctf_vec cands; /* struct vt_ctf_fc *: what the location being resolved designates */
	struct vt_error *err;
};

static int fail(struct walk *w, const char *what, const char *member)
{
	return vt_error_set(w->err, "%s: %s: %s \"%s\" %s", w->name, w->where, vt_ctf_scope_name(w->scope),
			    member ? member : "", what);
}

static int check_members(struct walk *w, const struct vt_ctf_fc *fc)
{
	uint32_t n = fc->u.st.nmembers;
	const struct vt_ctf_member *m = fc->u.st.members;
	if (n <= 16) {
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t j = 0; j < i; j++)
				if (strcmp(m[i].name, m[j].name) == 0)
					return fail(w, "is the name of two members of one structure", m[i].name);
		return 0;
	}
	struct vt_ctf_names seen = {0};
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		if (vt_ctf_names_get(&seen, m[i].name))
			rc = fail(w, "is the name of two members of one structure", m[i].name);
		else if (vt_ctf_names_put(&seen, m[i].name, (void *)&m[i]))
			rc = vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", w->name);
	}
	vt_ctf_names_free(&seen);
	return rc;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Numbers fc and its children in pre-order, then gives compounds their alignment. */
static int prepare(struct walk *w, struct vt_ctf_fc *fc, uint32_t depth, const char *member)
{
	if (depth > VT_CTF_MAX_DEPTH)
		return fail(w, "nests field classes too deeply", member);
	if (w->counter >= (1u << 24))
		return fail(w, "holds too many field classes", member);
	fc->order = ((uint32_t)w->scope << 24) | w->counter++;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		fc->align = fc->u.st.min_align;
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++) {
			struct vt_ctf_member *m = &fc->u.st.members[i];
			if (prepare(w, m->fc, depth + 1, m->name))
				return -1;
			fc->align = max_u32(fc->align, m->fc->align);
		}
		return check_members(w, fc);
	case VT_CTF_FC_VARIANT:
		fc->align = 1;
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			if (prepare(w, fc->u.v.options[i].fc, depth + 1, fc->u.v.options[i].name))
				return -1;
		return 0;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		if (prepare(w, fc->u.a.element, depth + 1, member))
			return -1;
		fc->align = max_u32(fc->align, fc->u.a.element->align);
		return 0;
	case VT_CTF_FC_OPTIONAL:
		fc->align = 1;
		return prepare(w, fc->u.o.fc, depth + 1, member);
	case VT_CTF_FC_VUINT:
	case VT_CTF_FC_VSINT:
	case VT_CTF_FC_NT_STRING:
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_DL_STRING:
	case VT_CTF_FC_SL_BLOB:
	case VT_CTF_FC_DL_BLOB:
		fc->align = max_u32(fc->align, 8);
		return 0;
	default:
		return 0;
	}
}

static int add_candidate(struct walk *w, struct vt_ctf_fc *fc)
{
	struct vt_ctf_fc **slot = vt_ctf_vec_push(&w->cands);
	if (!slot)
		return vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", w->name);
	*slot = fc;
	return 0;
}

/* Follows path[i..] from fc: structures by member name; variants, optionals
 * and arrays are crossed (each option is a possible way). */
static int follow(struct walk *w, struct vt_ctf_fc *fc, const struct vt_ctf_location *loc, uint32_t i)
{
	if (i == loc->npath)
		return add_candidate(w, fc);
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		if (!loc->path[i])
			return 0;
		for (uint32_t k = 0; k < fc->u.st.nmembers; k++)
			if (strcmp(fc->u.st.members[k].name, loc->path[i]) == 0)
				return follow(w, fc->u.st.members[k].fc, loc, i + 1);
		return 0;
	case VT_CTF_FC_VARIANT:
		/* A variant around the field holding the location: only the option it is in is there. */
		for (uint32_t d = 0; d + 1 < w->depth; d++)
			if (w->stack[d] == fc)
				return follow(w, w->stack[d + 1], loc, i);
		for (uint32_t k = 0; k < fc->u.v.noptions; k++)
			if (follow(w, fc->u.v.options[k].fc, loc, i))
				return -1;
		return 0;
	case VT_CTF_FC_OPTIONAL:
		return follow(w, fc->u.o.fc, loc, i);
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		return follow(w, fc->u.a.element, loc, i);
	default:
		return 0;
	}
}

static int has_member(const struct vt_ctf_fc *st, const char *name)
{
	return name && vt_ctf_fc_member(st, name) != NULL;
}

/* CTF 1.8: the first name is looked for in the enclosing structures, innermost
 * first, then at the top of the earlier scopes, latest first. */
static int follow_lexical(struct walk *w, const struct vt_ctf_location *loc)
{
	for (uint32_t d = w->depth; d-- > 0;)
		if (w->stack[d]->type == VT_CTF_FC_STRUCT && has_member(w->stack[d], loc->path[0]))
			return follow(w, w->stack[d], loc, 0);
	for (int s = (int)w->scope - 1; s >= 0; s--)
		if (w->roots[s] && has_member(w->roots[s], loc->path[0]))
			return follow(w, w->roots[s], loc, 0);
	return 0;
}

/* CTF 2 without an origin: from the structure holding the field, one structure up per null element. */
static int follow_relative(struct walk *w, const struct vt_ctf_location *loc)
{
	uint32_t d = w->depth, i = 0;
	while (d > 0 && w->stack[d - 1]->type != VT_CTF_FC_STRUCT)
		d--;
	for (; i < loc->npath && !loc->path[i]; i++) {
		if (d > 0)
			d--;
		while (d > 0 && w->stack[d - 1]->type != VT_CTF_FC_STRUCT)
			d--;
	}
	if (d == 0 || i == loc->npath)
		return 0;
	struct vt_ctf_location rest = *loc;
	rest.path += i;
	rest.npath -= i;
	return follow(w, w->stack[d - 1], &rest, 0);
}

static void location_text(const struct vt_ctf_location *loc, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s",
				    loc->origin == VT_CTF_SCOPE_NONE ? "" : vt_ctf_scope_name(loc->origin));
	for (uint32_t i = 0; i < loc->npath && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "/" : "", loc->path[i] ? loc->path[i] : "..");
}

static int acceptable(const struct vt_ctf_fc *holder, const struct vt_ctf_fc *t)
{
	if (holder->type == VT_CTF_FC_VARIANT)
		return vt_ctf_is_int(t) || t->type == VT_CTF_FC_BOOL;
	if (holder->type == VT_CTF_FC_OPTIONAL)
		return t->type == VT_CTF_FC_BOOL || vt_ctf_is_int(t);
	return t->type == VT_CTF_FC_UINT || t->type == VT_CTF_FC_VUINT;
}

/* The candidates' shared slot: theirs if one has one, else a new one. */
static int assign_slot(struct walk *w, struct vt_ctf_location *loc, const char *member)
{
	struct vt_ctf_fc **c = w->cands.data;
	int32_t slot = -1;
	for (size_t i = 0; i < w->cands.n; i++) {
		if (c[i]->slot >= 0 && slot >= 0 && c[i]->slot != slot)
			return fail(w, "designates fields that other locations designate differently (unsupported)",
				    member);
		if (c[i]->slot >= 0)
			slot = c[i]->slot;
	}
	if (slot < 0) {
		if (w->tc->nslots >= INT32_MAX)
			return fail(w, "needs too many value slots", member);
		slot = (int32_t)w->tc->nslots++;
	}
	for (size_t i = 0; i < w->cands.n; i++)
		c[i]->slot = slot;
	loc->slot = (uint32_t)slot;
	loc->target = c[0];
	return 0;
}

/* CTF 1.8: option i is selected by the values of the tag's mappings labelled as it is named. */
static int ranges_from_tag(struct walk *w, struct vt_ctf_fc *var, const struct vt_ctf_fc *tag, const char *member)
{
	if (!vt_ctf_is_int(tag) || !tag->u.i.nmappings)
		return fail(w, "is a variant whose tag is not an enumeration", member);
	struct vt_ctf_names labels = {0};
	uint32_t *count = calloc(var->u.v.noptions + 1, sizeof(*count));
	int rc = count ? 0 : vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", w->name);
	for (uint32_t i = 0; i < var->u.v.noptions && rc == 0; i++)
		if (vt_ctf_names_put(&labels, var->u.v.options[i].label, (void *)(uintptr_t)(i + 1)))
			rc = vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", w->name);
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (uint32_t m = 0; m < tag->u.i.nmappings; m++) {
			const struct vt_ctf_mapping *map = &tag->u.i.mappings[m];
			uintptr_t k = (uintptr_t)vt_ctf_names_get(&labels, map->name);
			if (!k)
				continue;
			struct vt_ctf_option *o = &var->u.v.options[k - 1];
			if (pass == 0) {
				count[k - 1] += map->nranges;
				continue;
			}
			memcpy(o->ranges + o->nranges, map->ranges, map->nranges * sizeof(*map->ranges));
			o->nranges += map->nranges;
		}
		for (uint32_t i = 0; pass == 0 && i < var->u.v.noptions && rc == 0; i++) {
			if (count[i] > VT_CTF_MAX_RANGES)
				rc = fail(w, "is a variant whose tag gives an option too many ranges", member);
			else if (!(var->u.v.options[i].ranges =
					   vt_ctf_alloc(w->tc->arena, count[i] * sizeof(struct vt_ctf_range))))
				rc = vt_error_set(w->err, "%s: %s", w->name, vt_ctf_arena_why(w->tc->arena));
		}
	}
	free(count);
	vt_ctf_names_free(&labels);
	return rc;
}

static int resolve(struct walk *w, struct vt_ctf_fc *holder, struct vt_ctf_location *loc, const char *member)
{
	char text[256];
	location_text(loc, text, sizeof(text));
	w->cands.n = 0;
	int rc;
	if (loc->origin != VT_CTF_SCOPE_NONE) {
		if (loc->origin > w->scope || !w->roots[loc->origin])
			rc = 0;
		else
			rc = follow(w, w->roots[loc->origin], loc, 0);
	} else if (loc->lexical) {
		rc = follow_lexical(w, loc);
	} else {
		rc = follow_relative(w, loc);
	}
	if (rc)
		return -1;
	char what[400];
	if (w->cands.n == 0) {
		snprintf(what, sizeof(what), "refers to \"%s\", which does not exist before it", text);
		return fail(w, what, member);
	}
	struct vt_ctf_fc **c = w->cands.data;
	for (size_t i = 0; i < w->cands.n; i++) {
		if (!acceptable(holder, c[i])) {
			snprintf(what, sizeof(what), "refers to \"%s\", which is a %s, not %s", text,
				 vt_ctf_fc_type_name(c[i]->type),
				 holder->type == VT_CTF_FC_VARIANT || holder->type == VT_CTF_FC_OPTIONAL
					 ? "an integer"
					 : "an unsigned integer");
			return fail(w, what, member);
		}
		if (c[i]->order >= holder->order) {
			snprintf(what, sizeof(what), "refers to \"%s\", which does not come before it", text);
			return fail(w, what, member);
		}
	}
	if (assign_slot(w, loc, member))
		return -1;
	if (holder->type == VT_CTF_FC_VARIANT && holder->u.v.noptions && holder->u.v.options[0].label &&
	    !holder->u.v.options[0].ranges)
		return ranges_from_tag(w, holder, c[0], member);
	return 0;
}

static int visit(struct walk *w, struct vt_ctf_fc *fc, const char *member)
{
	struct vt_ctf_location *loc = vt_ctf_fc_location(fc);
	if (loc && resolve(w, fc, loc, member))
		return -1;
	w->stack[w->depth] = fc;
	w->names[w->depth++] = member;
	int rc = 0;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		for (uint32_t i = 0; i < fc->u.st.nmembers && rc == 0; i++)
			rc = visit(w, fc->u.st.members[i].fc, fc->u.st.members[i].name);
		break;
	case VT_CTF_FC_VARIANT:
		for (uint32_t i = 0; i < fc->u.v.noptions && rc == 0; i++)
			rc = visit(w, fc->u.v.options[i].fc, fc->u.v.options[i].name);
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		rc = visit(w, fc->u.a.element, member);
		break;
	case VT_CTF_FC_OPTIONAL:
		rc = visit(w, fc->u.o.fc, member);
		break;
	default:
		break;
	}
	w->depth--;
	return rc;
}

/* Prepares then resolves the scopes from..to of w->roots. */
static int scopes(struct walk *w, enum vt_ctf_scope from, enum vt_ctf_scope to)
{
	for (enum vt_ctf_scope s = from; s <= to; s++) {
		if (!w->roots[s])
			continue;
		w->scope = s;
		w->counter = 0;
		w->depth = 0;
		if (prepare(w, w->roots[s], 1, "") || visit(w, w->roots[s], ""))
			return -1;
	}
	return 0;
}

/* The clock a stream's packet context or event header maps its integers to (CTF 1.8). */
static const struct vt_ctf_clock_class *mapped_clock(const struct vt_ctf_trace_class *tc, const struct vt_ctf_fc *fc,
						     uint32_t *roles)
{
	if (!fc)
		return NULL;
	*roles |= fc->roles;
	if (fc->type == VT_CTF_FC_UINT && fc->u.i.clock && fc->u.i.clock <= tc->nclocks)
		return &tc->clocks[fc->u.i.clock - 1];
	const struct vt_ctf_clock_class *c = NULL;
	if (fc->type == VT_CTF_FC_STRUCT)
		for (uint32_t i = 0; i < fc->u.st.nmembers && !c; i++)
			c = mapped_clock(tc, fc->u.st.members[i].fc, roles);
	else if (fc->type == VT_CTF_FC_VARIANT)
		for (uint32_t i = 0; i < fc->u.v.noptions && !c; i++)
			c = mapped_clock(tc, fc->u.v.options[i].fc, roles);
	return c;
}

static void default_clock(const struct vt_ctf_trace_class *tc, struct vt_ctf_stream_class *sc)
{
	if (sc->default_clock)
		return;
	uint32_t roles = 0;
	sc->default_clock = mapped_clock(tc, sc->packet_context, &roles);
	if (!sc->default_clock)
		sc->default_clock = mapped_clock(tc, sc->event_header, &roles);
	/* A timestamp mapped to no clock, and one clock: babeltrace2 maps it there too. */
	if (!sc->default_clock && tc->nclocks == 1 &&
	    (roles & (VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP | VT_CTF_ROLE_PACKET_END_TIMESTAMP)))
		sc->default_clock = &tc->clocks[0];
}

int vt_ctf_resolve(struct vt_ctf_trace_class *tc, const char *name, struct vt_error *err)
{
	struct walk w = {.tc = tc, .name = name, .err = err};
	vt_ctf_vec_init(&w.cands, sizeof(struct vt_ctf_fc *));
	int rc = 0;
	snprintf(w.where, sizeof(w.where), "trace class");
	w.roots[VT_CTF_SCOPE_PACKET_HEADER] = tc->packet_header;
	rc = scopes(&w, VT_CTF_SCOPE_PACKET_HEADER, VT_CTF_SCOPE_PACKET_HEADER);
	for (size_t s = 0; s < tc->nstreams && rc == 0; s++) {
		struct vt_ctf_stream_class *sc = tc->streams[s];
		snprintf(w.where, sizeof(w.where), "data stream class %" PRIu64, sc->id);
		w.roots[VT_CTF_SCOPE_PACKET_CONTEXT] = sc->packet_context;
		w.roots[VT_CTF_SCOPE_EVENT_HEADER] = sc->event_header;
		w.roots[VT_CTF_SCOPE_EVENT_COMMON_CONTEXT] = sc->event_common_context;
		rc = scopes(&w, VT_CTF_SCOPE_PACKET_CONTEXT, VT_CTF_SCOPE_EVENT_COMMON_CONTEXT);
		default_clock(tc, sc);
		for (size_t e = 0; e < sc->nevents && rc == 0; e++) {
			const struct vt_ctf_event_class *ec = sc->events[e];
			snprintf(w.where, sizeof(w.where), "event record class \"%.100s\"", ec->name);
			w.roots[VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT] = ec->specific_context;
			w.roots[VT_CTF_SCOPE_EVENT_PAYLOAD] = ec->payload;
			rc = scopes(&w, VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT, VT_CTF_SCOPE_EVENT_PAYLOAD);
		}
	}
	vt_ctf_vec_free(&w.cands);
	return rc;
}
