/* A trace class (src/sources/ctf_ir.h) as CTF 2 metadata, in one of two
 * layouts (ctf2_metadata.h):
 *
 * - plain: everything the IR says, field classes inline, locations absolute
 *   (origin and path, as babeltrace2 writes them: a CTF 1.8 relative name
 *   becomes the path to the field it was resolved to), compact JSON with
 *   sorted keys and a line feed after each fragment;
 * - LTTng 2.14: what lttng-modules 2.14 (metadata-ctf-2.c) writes for a
 *   kernel trace, or lttng-sessiond 2.14 (ctf2-trace-class-visitor.cpp) for
 *   a UST one, chosen by the environment's "domain". Both: an empty
 *   trace-class name, tracer_minor 14 (patch level 0), no clock precision,
 *   enumeration labels without CTF 1.8's leading '_', no CTF 1.8 padding
 *   members (struct { } align(N) _x_padding before an array x: CTF 2 says
 *   the array's minimum-alignment instead), structure minimum-alignment only
 *   above 1. Kernel: field-class-alias fragments (ctf2_aliases.c) after the preamble for the
 *   packet header ("pkt-header"), packet context ("pkt-ctx") and event
 *   header ("er-header-compact" with a 5-bit id, "er-header-large" with a
 *   16-bit one), and inside them "u32-erc-id" / "u64-ts" for the extended
 *   id and 64-bit timestamps, named from the trace class and data stream
 *   classes; lengths and selectors located relatively ({"path": [sibling]},
 *   no origin) when the target is a sibling; keys in lttng-modules' order,
 *   compact JSON and a line feed after each fragment; integer alignment
 *   and display base only when not 1 / 10; no event attributes. UST:
 *   locations absolute, every integer with its alignment and display base,
 *   JSON indented by 2 with sorted keys (nlohmann's dump(2)), no line feed
 *   after a fragment.
 *
 * Not mirrored: lttng-modules defines both event header aliases whatever
 * its channels use (only those used are defined here), its alias texts have
 * a space after each colon, and it writes an array's alignment in bytes
 * where CTF 2 wants bits (here: bits). */
#include "exporters/ctf2_metadata.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "vmtrace/exporters.h"

#include "exporters/ctf2_writer.h"

static json_t *fail(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *fail(struct writer *w, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!w->failed)
		vt_error_set(w->err, "%s: %s", w->name, msg);
	w->failed = 1;
	return NULL;
}

json_t *vt_ctf2_write_oom(struct writer *w)
{
	if (!w->failed)
		vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", w->name);
	w->failed = 1;
	return NULL;
}

/* Steals v into obj[key]; a NULL v (a failure already said) fails the object. */
static int put(struct writer *w, json_t *obj, const char *key, json_t *v)
{
	if (w->failed) {
		json_decref(v);
		return -1;
	}
	if (!v || json_object_set_new(obj, key, v)) {
		if (v)
			vt_ctf2_write_oom(w);
		return -1;
	}
	return 0;
}

/* A name or text from the metadata: jansson refuses what is not UTF-8. */
static json_t *text(struct writer *w, const char *s, const char *what)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	json_t *probe = json_string(""); /* NULL here too: out of memory, else s is not UTF-8 */
	json_decref(probe);
	char safe[200];
	return probe ? fail(w, "%s \"%s\" is not UTF-8, which CTF 2 requires", what,
			    vt_text_line(s, safe, sizeof(safe)))
		     : vt_ctf2_write_oom(w);
}

static json_t *integer(struct writer *w, json_int_t v)
{
	json_t *j = json_integer(v);
	return j ? j : vt_ctf2_write_oom(w);
}

static json_t *u64(struct writer *w, uint64_t v, const char *what)
{
	if (v > INT64_MAX)
		return fail(w, "%s is %" PRIu64 ", beyond what a JSON integer of this writer holds (2^63 - 1)", what,
			    v);
	return integer(w, (json_int_t)v);
}

/* [[lower, upper], ...]; signed: the values are int64 stored as uint64 (ctf_ir.h). */
static json_t *ranges(struct writer *w, const struct vt_ctf_range *r, uint32_t n, int is_signed)
{
	json_t *a = json_array();
	if (!a)
		return vt_ctf2_write_oom(w);
	for (uint32_t i = 0; i < n && !w->failed; i++) {
		json_t *pair = json_array();
		if (!pair || json_array_append_new(a, pair)) {
			json_decref(a);
			return vt_ctf2_write_oom(w);
		}
		/* json_array_append_new takes a NULL (a failure already said) as an error */
		if (json_array_append_new(pair, is_signed ? integer(w, (json_int_t)(int64_t)r[i].lower)
							  : u64(w, r[i].lower, "a range")) ||
		    json_array_append_new(pair, is_signed ? integer(w, (json_int_t)(int64_t)r[i].upper)
							  : u64(w, r[i].upper, "a range"))) {
			json_decref(a);
			return w->failed ? NULL : vt_ctf2_write_oom(w);
		}
	}
	if (w->failed) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int is_signed(const struct vt_ctf_fc *fc)
{
	return fc && (fc->type == VT_CTF_FC_SINT || fc->type == VT_CTF_FC_VSINT);
}

/* LTTng 2.14 names a label as its tracer declares it: without the '_' of CTF 1.8. */
static const char *label(const struct writer *w, const char *name)
{
	return w->style != STYLE_PLAIN && name[0] == '_' ? name + 1 : name;
}

static json_t *mappings(struct writer *w, const struct vt_ctf_fc *fc)
{
	json_t *m = json_object();
	if (!m)
		return vt_ctf2_write_oom(w);
	for (uint32_t i = 0; i < fc->u.i.nmappings; i++) {
		const struct vt_ctf_mapping *map = &fc->u.i.mappings[i];
		const char *key = label(w, map->name);
		json_t *name = text(w, key, "a mapping name");
		json_decref(name); /* checked only: keys are C strings */
		if (name && json_object_get(m, key)) {
			json_decref(m);
			return fail(w, "two enumeration labels are \"%.100s\" without their '_'", key);
		}
		if (!name || put(w, m, key, ranges(w, map->ranges, map->nranges, is_signed(fc)))) {
			json_decref(m);
			return NULL;
		}
	}
	return m;
}

static json_t *roles(struct writer *w, uint32_t bits)
{
	static const char *const names[] = {
		"packet-magic-number",
		"metadata-stream-uuid",
		"data-stream-class-id",
		"data-stream-id",
		"packet-total-length",
		"packet-content-length",
		"default-clock-timestamp",
		"packet-end-default-clock-timestamp",
		"discarded-event-record-counter-snapshot",
		"packet-sequence-number",
		"event-record-class-id",
	};
	json_t *a = json_array();
	if (!a)
		return vt_ctf2_write_oom(w);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((bits & (1u << i)) && json_array_append_new(a, json_string(names[i]))) {
			json_decref(a);
			return vt_ctf2_write_oom(w);
		}
	return a;
}

/* Path of member names from root to target: structures add their member's
 * name, variants none (a path goes on into the selected option), arrays end
 * the search (a location cannot point into an element). */
static int find_path(const struct vt_ctf_fc *fc, const struct vt_ctf_fc *target, const char **path, uint32_t *n,
		     uint32_t depth)
{
	if (fc == target)
		return 1;
	if (depth > VT_CTF_MAX_DEPTH)
		return 0;
	if (fc->type == VT_CTF_FC_STRUCT) {
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++) {
			if (*n >= VT_CTF_MAX_PATH)
				return 0;
			path[(*n)++] = fc->u.st.members[i].name;
			if (find_path(fc->u.st.members[i].fc, target, path, n, depth + 1))
				return 1;
			(*n)--;
		}
	} else if (fc->type == VT_CTF_FC_VARIANT) {
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			if (find_path(fc->u.v.options[i].fc, target, path, n, depth + 1))
				return 1;
	} else if (fc->type == VT_CTF_FC_OPTIONAL) {
		return find_path(fc->u.o.fc, target, path, n, depth + 1);
	}
	return 0;
}

/* Kernel: {"path": [name]} when the target is a sibling, as lttng-modules
 * writes every location (its lengths and tags are the previous members). */
static json_t *relative(struct writer *w, const struct vt_ctf_location *loc)
{
	const struct vt_ctf_fc *st = w->parent;
	for (uint32_t i = 0; st && i < st->u.st.nmembers; i++)
		if (st->u.st.members[i].fc == loc->target) {
			json_t *name = text(w, st->u.st.members[i].name, "a member name");
			json_t *l = name ? json_pack("{s:[o]}", "path", name) : NULL;
			return l ? l : w->failed ? NULL : vt_ctf2_write_oom(w);
		}
	return NULL;
}

static json_t *location(struct writer *w, const struct vt_ctf_location *loc, const char *member)
{
	if (w->style == STYLE_KERNEL) {
		json_t *l = relative(w, loc);
		if (l || w->failed)
			return l;
	}
	const char *path[VT_CTF_MAX_PATH];
	uint32_t n = 0;
	const struct vt_ctf_fc *t = loc->target;
	int scope = t ? (int)(t->order >> 24) : -1;
	if (scope < 0 || scope >= VT_CTF_SCOPE_COUNT || !w->roots[scope] ||
	    !find_path(w->roots[scope], t, path, &n, 0) || n == 0)
		return fail(w, "the length or selector of \"%.100s\" is a field CTF 2 cannot locate (inside an array?)",
			    member);
	json_t *l = json_object(), *p = json_array();
	if (!l || !p) {
		json_decref(l);
		json_decref(p);
		return vt_ctf2_write_oom(w);
	}
	for (uint32_t i = 0; i < n; i++)
		if (json_array_append_new(p, text(w, path[i], "a member name"))) {
			json_decref(l);
			json_decref(p);
			return w->failed ? NULL : vt_ctf2_write_oom(w);
		}
	if (put(w, l, "origin", json_string(vt_ctf_scope_name((enum vt_ctf_scope)scope))) || put(w, l, "path", p)) {
		json_decref(l);
		return NULL;
	}
	return l;
}

static const char *type_name(enum vt_ctf_fc_type type)
{
	return type == VT_CTF_FC_BIT_ARRAY ? "fixed-length-bit-array" : vt_ctf_fc_type_name(type);
}

static int fixed_length(struct writer *w, json_t *j, const struct vt_ctf_fc *fc)
{
	int be = fc->u.i.byte_order == VT_CTF_BE;
	/* lttng-modules says an alignment of 1 by saying none */
	if (put(w, j, "length", integer(w, fc->u.i.length)) ||
	    put(w, j, "byte-order", json_string(be ? "big-endian" : "little-endian")) ||
	    ((w->style != STYLE_KERNEL || fc->align > 1) && put(w, j, "alignment", integer(w, fc->align))))
		return -1;
	if (fc->u.i.bit_order != (be ? VT_CTF_LAST_TO_FIRST : VT_CTF_FIRST_TO_LAST) &&
	    put(w, j, "bit-order", json_string(be ? "first-to-last" : "last-to-first")))
		return -1;
	return 0;
}

static int integer_props(struct writer *w, json_t *j, const struct vt_ctf_fc *fc)
{
	int base = fc->u.i.base ? fc->u.i.base : 10;
	/* lttng-sessiond writes every integer's base, 10 too */
	if ((base != 10 || w->style == STYLE_UST) && put(w, j, "preferred-display-base", integer(w, base)))
		return -1;
	if (fc->u.i.nmappings && put(w, j, "mappings", mappings(w, fc)))
		return -1;
	return 0;
}

/* Member i is CTF 1.8's struct { } align(N) _x_padding right before the
 * array x (how lttng-modules aligns an array in TSDL), which CTF 2 says with
 * the array's minimum-alignment (a string cannot be aligned beyond a byte). */
static int is_padding(const struct vt_ctf_fc *st, uint32_t i)
{
	const struct vt_ctf_member *m = &st->u.st.members[i], *next = m + 1;
	if (i + 1 >= st->u.st.nmembers || m->fc->type != VT_CTF_FC_STRUCT || m->fc->u.st.nmembers)
		return 0;
	size_t n = strlen(next->name);
	if (strncmp(m->name, next->name, n) != 0 || strcmp(m->name + n, "_padding") != 0)
		return 0;
	switch (next->fc->type) {
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		return 1;
	case VT_CTF_FC_NT_STRING:
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_DL_STRING:
		return m->fc->align <= 8;
	default:
		return 0;
	}
}

static int member(struct writer *w, json_t *members, const struct vt_ctf_fc *st, const struct vt_ctf_member *m)
{
	json_t *mj = json_object();
	if (!mj || json_array_append_new(members, mj)) {
		vt_ctf2_write_oom(w);
		return -1;
	}
	const struct vt_ctf_fc *saved = w->parent;
	w->parent = st; /* for the member's own locations, not deeper ones */
	int rc = put(w, mj, "name", text(w, m->name, "a member name")) ||
		 put(w, mj, "field-class", vt_ctf2_fc_json(w, m->fc, m->name));
	w->parent = saved;
	w->carry = 0;
	return rc ? -1 : 0;
}

static int structure(struct writer *w, json_t *j, const struct vt_ctf_fc *fc)
{
	uint32_t align = fc->u.st.min_align ? fc->u.st.min_align : 1;
	json_t *members = json_array();
	if (((w->style == STYLE_PLAIN || align > 1) && put(w, j, "minimum-alignment", integer(w, align))) ||
	    put(w, j, "member-classes", members ? members : vt_ctf2_write_oom(w)))
		return -1;
	for (uint32_t i = 0; i < fc->u.st.nmembers; i++) {
		if (w->style != STYLE_PLAIN && is_padding(fc, i)) {
			w->carry = fc->u.st.members[i].fc->align;
			continue;
		}
		if (member(w, members, fc, &fc->u.st.members[i]))
			return -1;
	}
	return 0;
}

/* fc (an array element, a variant option, an optional's field) is nobody's member. */
static json_t *nested(struct writer *w, const struct vt_ctf_fc *fc, const char *member)
{
	const struct vt_ctf_fc *saved = w->parent;
	w->parent = NULL;
	json_t *j = vt_ctf2_fc_json(w, fc, member);
	w->parent = saved;
	return j;
}

static int array(struct writer *w, json_t *j, const struct vt_ctf_fc *fc, const char *member)
{
	uint32_t align = fc->align > w->carry ? fc->align : w->carry;
	w->carry = 0;
	if (align > fc->u.a.element->align && put(w, j, "minimum-alignment", integer(w, align)))
		return -1;
	if (put(w, j, "element-field-class", nested(w, fc->u.a.element, member)))
		return -1;
	return fc->type == VT_CTF_FC_SL_ARRAY ? put(w, j, "length", u64(w, fc->u.a.length, "an array length"))
					      : put(w, j, "length-field-location", location(w, &fc->u.a.loc, member));
}

static int variant(struct writer *w, json_t *j, const struct vt_ctf_fc *fc, const char *member)
{
	json_t *options = json_array();
	if (put(w, j, "selector-field-location", location(w, &fc->u.v.loc, member)) ||
	    put(w, j, "options", options ? options : vt_ctf2_write_oom(w)))
		return -1;
	for (uint32_t i = 0; i < fc->u.v.noptions; i++) {
		const struct vt_ctf_option *o = &fc->u.v.options[i];
		/* CTF 1.8 lets an option name no label of its tag (it is never
		 * chosen); CTF 2 wants one range at least */
		if (!o->nranges || o->nranges > VT_CTF_MAX_RANGES) {
			char safe[200];
			fail(w, "variant option \"%s\" is chosen by %u ranges of its selector: CTF 2 needs 1 to %u",
			     vt_text_line(o->name ? o->name : "", safe, sizeof(safe)), o->nranges, VT_CTF_MAX_RANGES);
			return -1;
		}
		json_t *oj = json_object();
		if (!oj || json_array_append_new(options, oj)) {
			vt_ctf2_write_oom(w);
			return -1;
		}
		if ((o->name && put(w, oj, "name", text(w, o->name, "a variant option name"))) ||
		    put(w, oj, "selector-field-ranges",
			ranges(w, o->ranges, o->nranges, is_signed(fc->u.v.loc.target))) ||
		    put(w, oj, "field-class", nested(w, o->fc, o->name ? o->name : member)))
			return -1;
	}
	return 0;
}

static int optional(struct writer *w, json_t *j, const struct vt_ctf_fc *fc, const char *member)
{
	if (put(w, j, "selector-field-location", location(w, &fc->u.o.loc, member)))
		return -1;
	if (fc->u.o.nranges && put(w, j, "selector-field-ranges",
				   ranges(w, fc->u.o.ranges, fc->u.o.nranges, is_signed(fc->u.o.loc.target))))
		return -1;
	return put(w, j, "field-class", nested(w, fc->u.o.fc, member));
}

static int body(struct writer *w, json_t *j, const struct vt_ctf_fc *fc, const char *member)
{
	switch (fc->type) {
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
		return fixed_length(w, j, fc) || integer_props(w, j, fc) ? -1 : 0;
	case VT_CTF_FC_BIT_ARRAY:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_FLOAT:
		return fixed_length(w, j, fc);
	case VT_CTF_FC_VUINT:
	case VT_CTF_FC_VSINT:
		return integer_props(w, j, fc);
	case VT_CTF_FC_NT_STRING:
		return 0;
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_SL_BLOB:
		if (fc->type == VT_CTF_FC_SL_BLOB && fc->u.s.media_type &&
		    put(w, j, "media-type", text(w, fc->u.s.media_type, "a media type")))
			return -1;
		return put(w, j, "length", u64(w, fc->u.s.length, "a string length"));
	case VT_CTF_FC_DL_STRING:
	case VT_CTF_FC_DL_BLOB:
		if (fc->type == VT_CTF_FC_DL_BLOB && fc->u.s.media_type &&
		    put(w, j, "media-type", text(w, fc->u.s.media_type, "a media type")))
			return -1;
		return put(w, j, "length-field-location", location(w, &fc->u.s.loc, member));
	case VT_CTF_FC_STRUCT:
		return structure(w, j, fc);
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		return array(w, j, fc, member);
	case VT_CTF_FC_OPTIONAL:
		return optional(w, j, fc, member);
	case VT_CTF_FC_VARIANT:
		return variant(w, j, fc, member);
	}
	return 0;
}

json_t *vt_ctf2_fc_json(struct writer *w, const struct vt_ctf_fc *fc, const char *member)
{
	if (w->failed)
		return NULL;
	/* CTF 2 strings and BLOBs are byte-aligned: a text array aligned more cannot say so */
	if ((fc->type == VT_CTF_FC_SL_STRING || fc->type == VT_CTF_FC_DL_STRING) && fc->align > 8)
		return fail(w, "\"%.100s\" is text aligned on %u bits, which a CTF 2 string cannot be", member,
			    fc->align);
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	if (put(w, j, "type", json_string(type_name(fc->type))) || body(w, j, fc, member) ||
	    (fc->roles && put(w, j, "roles", roles(w, fc->roles)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *uuid_array(struct writer *w, const uint8_t u[16])
{
	json_t *a = json_array();
	for (int i = 0; a && i < 16; i++)
		if (json_array_append_new(a, json_integer(u[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a ? a : vt_ctf2_write_oom(w);
}

static json_t *uuid_string(struct writer *w, const uint8_t u[16])
{
	char s[37];
	vt_uuid_format(u, s);
	json_t *j = json_string(s);
	return j ? j : vt_ctf2_write_oom(w);
}

static json_t *preamble(struct writer *w, const struct vt_ctf_trace_class *tc)
{
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	if (put(w, j, "type", json_string("preamble")) || put(w, j, "version", integer(w, 2)) ||
	    (tc->has_uuid && put(w, j, "uuid", uuid_array(w, tc->uuid)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Whether the trace's env names an LTTng tracer (lttng-modules, lttng-ust). */
static int by_lttng(const struct vt_ctf_trace_class *tc)
{
	const char *tracer = vt_ctf_env_string(tc, "tracer_name");
	return tracer && strncmp(tracer, "lttng", 5) == 0;
}

/* The version LTTng 2.14 writes for an LTTng 2.13 entry (2.14.0), else the value. */
static json_int_t env_value(const struct writer *w, const struct vt_ctf_trace_class *tc,
			    const struct vt_ctf_env_entry *e)
{
	if (w->style == STYLE_PLAIN || !by_lttng(tc))
		return (json_int_t)e->value;
	if (strcmp(e->name, "tracer_minor") == 0)
		return 14;
	return strcmp(e->name, "tracer_patchlevel") == 0 ? 0 : (json_int_t)e->value;
}

static json_t *environment(struct writer *w, const struct vt_ctf_trace_class *tc)
{
	json_t *env = json_object();
	if (!env)
		return vt_ctf2_write_oom(w);
	for (size_t i = 0; i < tc->nenv; i++) {
		const struct vt_ctf_env_entry *e = &tc->env[i];
		json_t *key = text(w, e->name, "an environment name");
		json_decref(key);
		if (!key || put(w, env, e->name,
				e->str ? text(w, e->str, "an environment value") : integer(w, env_value(w, tc, e)))) {
			json_decref(env);
			return NULL;
		}
	}
	return env;
}

static json_t *trace_class(struct writer *w, const struct vt_ctf_trace_class *tc)
{
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	int lttng = w->style != STYLE_PLAIN || by_lttng(tc);
	w->roots[VT_CTF_SCOPE_PACKET_HEADER] = tc->packet_header;
	/* the uid a CTF 2 trace class had, else the CTF 1.8 trace's uuid */
	if (put(w, j, "type", json_string("trace-class")) ||
	    (lttng && put(w, j, "namespace", json_string("lttng.org,2009"))) ||
	    (w->style != STYLE_PLAIN && put(w, j, "name", json_string(""))) ||
	    (tc->uid && put(w, j, "uid", text(w, tc->uid, "the trace class uid"))) ||
	    (!tc->uid && tc->has_uuid && put(w, j, "uid", uuid_string(w, tc->uuid))) ||
	    (tc->nenv && put(w, j, "environment", environment(w, tc))) ||
	    (tc->packet_header &&
	     put(w, j, "packet-header-field-class",
		 vt_ctf2_write_aliased(w, vt_ctf2_fc_json(w, tc->packet_header, "packet-header"))))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *clock_offset(struct writer *w, const struct vt_ctf_clock_class *c)
{
	int64_t seconds = c->offset_seconds;
	uint64_t cycles = c->offset_cycles;
	if (w->style != STYLE_PLAIN && c->frequency && cycles >= c->frequency) {
		/* LTTng writes cycles below the frequency */
		seconds += (int64_t)(cycles / c->frequency);
		cycles %= c->frequency;
	}
	json_t *off = json_object();
	if (!off)
		return vt_ctf2_write_oom(w);
	if (put(w, off, "seconds", integer(w, seconds)) || put(w, off, "cycles", u64(w, cycles, "a clock offset"))) {
		json_decref(off);
		return NULL;
	}
	return off;
}

static json_t *clock_class(struct writer *w, const struct vt_ctf_clock_class *c)
{
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	/* LTTng 2.14 says no precision */
	if (put(w, j, "type", json_string("clock-class")) || put(w, j, "id", text(w, c->name, "a clock name")) ||
	    put(w, j, "name", text(w, c->name, "a clock name")) ||
	    (c->has_uuid && put(w, j, "uid", uuid_string(w, c->uuid))) ||
	    (c->description && put(w, j, "description", text(w, c->description, "a clock description"))) ||
	    put(w, j, "frequency", u64(w, c->frequency, "a clock frequency")) ||
	    (c->origin_unix_epoch && put(w, j, "origin", json_string("unix-epoch"))) ||
	    put(w, j, "offset-from-origin", clock_offset(w, c)) ||
	    (w->style == STYLE_PLAIN && put(w, j, "precision", u64(w, c->precision, "a clock precision")))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *vt_ctf2_scope_json(struct writer *w, enum vt_ctf_scope s, const struct vt_ctf_fc *fc)
{
	w->roots[s] = fc;
	return vt_ctf2_fc_json(w, fc, vt_ctf_scope_name(s));
}

static json_t *stream_class(struct writer *w, const struct vt_ctf_stream_class *sc)
{
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	if (put(w, j, "type", json_string("data-stream-class")) ||
	    put(w, j, "id", u64(w, sc->id, "a stream class id")) ||
	    (sc->default_clock &&
	     put(w, j, "default-clock-class-id", text(w, sc->default_clock->name, "a clock name"))) ||
	    (sc->packet_context &&
	     put(w, j, "packet-context-field-class",
		 vt_ctf2_write_aliased(w, vt_ctf2_scope_json(w, VT_CTF_SCOPE_PACKET_CONTEXT, sc->packet_context)))) ||
	    (sc->event_header &&
	     put(w, j, "event-record-header-field-class",
		 vt_ctf2_write_aliased(w, vt_ctf2_scope_json(w, VT_CTF_SCOPE_EVENT_HEADER, sc->event_header)))) ||
	    (sc->event_common_context &&
	     put(w, j, "event-record-common-context-field-class",
		 vt_ctf2_scope_json(w, VT_CTF_SCOPE_EVENT_COMMON_CONTEXT, sc->event_common_context)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The names ctf2_meta.c's log_level() reads, 0 (emergency) .. 14 (debug). */
static const char *const log_levels[] = {"emergency",      "alert",         "critical",     "error",
					 "warning",        "notice",        "info",         "debug:system",
					 "debug:program",  "debug:process", "debug:module", "debug:unit",
					 "debug:function", "debug:line",    "debug"};

static json_t *lttng_attributes(struct writer *w, const struct vt_ctf_event_class *ec)
{
	json_t *a = json_object(), *ns = json_object();
	if (!a || !ns || json_object_set_new(a, "lttng.org,2009", ns)) {
		json_decref(a);
		json_decref(ns);
		return vt_ctf2_write_oom(w);
	}
	if ((ec->loglevel >= 0 && ec->loglevel < 15 &&
	     put(w, ns, "log-level", json_string(log_levels[ec->loglevel]))) ||
	    (ec->emf_uri && put(w, ns, "emf-uri", text(w, ec->emf_uri, "an EMF URI")))) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *event_class(struct writer *w, const struct vt_ctf_event_class *ec)
{
	json_t *j = json_object();
	if (!j)
		return vt_ctf2_write_oom(w);
	/* lttng-modules gives kernel event record classes no attributes */
	int attributes = w->style != STYLE_KERNEL && ((ec->loglevel >= 0 && ec->loglevel < 15) || ec->emf_uri);
	w->roots[VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT] = ec->specific_context;
	w->roots[VT_CTF_SCOPE_EVENT_PAYLOAD] = ec->payload;
	if (put(w, j, "type", json_string("event-record-class")) ||
	    put(w, j, "data-stream-class-id", u64(w, ec->stream->id, "a stream class id")) ||
	    put(w, j, "id", u64(w, ec->id, "an event id")) || put(w, j, "name", text(w, ec->name, "an event name")) ||
	    (attributes && put(w, j, "attributes", lttng_attributes(w, ec))) ||
	    (ec->specific_context &&
	     put(w, j, "specific-context-field-class",
		 vt_ctf2_scope_json(w, VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT, ec->specific_context))) ||
	    (ec->payload &&
	     put(w, j, "payload-field-class", vt_ctf2_scope_json(w, VT_CTF_SCOPE_EVENT_PAYLOAD, ec->payload)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Appends 0x1E and the fragment to t, as the layout frames it: compact and
 * '\n' (plain, lttng-modules), or indented by 2 with sorted keys and nothing
 * after (lttng-sessiond's nlohmann dump(2)). Frees the fragment. */
static int emit(struct writer *w, struct vt_ctf_text *t, json_t *fragment)
{
	if (!fragment)
		return -1;
	size_t flags = w->style == STYLE_UST      ? JSON_INDENT(2) | JSON_SORT_KEYS
		       : w->style == STYLE_KERNEL ? JSON_COMPACT
						  : JSON_COMPACT | JSON_SORT_KEYS;
	char *s = json_dumps(fragment, flags);
	json_decref(fragment);
	if (!s) {
		vt_ctf2_write_oom(w);
		return -1;
	}
	vt_ctf_text_append(t, "\x1e%s%s", s, w->style == STYLE_UST ? "" : "\n");
	free(s);
	if (t->oom) {
		vt_ctf2_write_oom(w);
		return -1;
	}
	return 0;
}

static int emit_aliases(struct writer *w, struct vt_ctf_text *t)
{
	size_t i;
	json_t *a;
	json_array_foreach(w->aliases, i, a)
		if (emit(w, t, json_incref(a)))
			return -1;
	return 0;
}

static enum style style_of(const struct vt_ctf_trace_class *tc, enum vt_ctf2_layout layout)
{
	const char *domain = vt_ctf_env_string(tc, "domain");
	if (layout == VT_CTF2_PLAIN)
		return STYLE_PLAIN;
	return domain && strcmp(domain, "kernel") == 0 ? STYLE_KERNEL : STYLE_UST;
}

char *vt_ctf2_metadata_text(const struct vt_ctf_trace_class *tc, const char *name, enum vt_ctf2_layout layout,
			    size_t *len, struct vt_error *err)
{
	struct writer w = {.name = name, .err = err, .style = style_of(tc, layout)};
	struct vt_ctf_text t = {0};
	int rc = emit(&w, &t, preamble(&w, tc)) || (w.style == STYLE_KERNEL && vt_ctf2_write_kernel_aliases(&w, tc)) ||
		 emit_aliases(&w, &t) || emit(&w, &t, trace_class(&w, tc));
	for (size_t i = 0; !rc && i < tc->nclocks; i++)
		rc = emit(&w, &t, clock_class(&w, &tc->clocks[i]));
	for (size_t s = 0; !rc && s < tc->nstreams; s++) {
		const struct vt_ctf_stream_class *sc = tc->streams[s];
		rc = emit(&w, &t, stream_class(&w, sc));
		for (size_t e = 0; !rc && e < sc->nevents; e++)
			rc = emit(&w, &t, event_class(&w, sc->events[e]));
	}
	json_decref(w.aliases);
	if (rc) {
		vt_ctf_text_free(&t);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

char *vt_ctf2_metadata_convert(const void *data, size_t size, const char *name, enum vt_ctf2_layout layout, size_t *len,
			       struct vt_error *err)
{
	struct vt_ctf_trace_class *tc;
	if (vt_ctf_meta_parse(&tc, data, size, name, err))
		return NULL;
	char *out = vt_ctf2_metadata_text(tc, name, layout, len, err);
	vt_ctf_trace_class_free(tc);
	return out;
}
