/* lttng-modules 2.14's field-class-alias fragments (metadata-ctf-2.c), for
 * the kernel layout of ctf2_metadata.c: "u32-erc-id" and "u64-ts" (the
 * extended event header's id and timestamp), the event headers
 * ("er-header-compact", "er-header-large"), the packet context ("pkt-ctx")
 * and the packet header ("pkt-header"), each built from the trace class's
 * own field classes; the scopes then name their alias. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "exporters/ctf2_writer.h"

/* Kernel: the alias fragment whose field class is fc (a scope's, whole), or NULL. */
static json_t *alias_of(const struct writer *w, const json_t *fc)
{
	size_t i;
	json_t *a;
	json_array_foreach(w->aliases, i, a)
		if (json_equal(json_object_get(a, "field-class"), (json_t *)fc))
			return a;
	return NULL;
}

/* The name of the small alias whose field class is fc, or NULL. */
static json_t *small_alias(const struct writer *w, const json_t *fc)
{
	for (size_t i = 0; i < w->nsmall; i++) {
		json_t *a = json_array_get(w->aliases, i);
		if (json_equal(json_object_get(a, "field-class"), (json_t *)fc))
			return json_object_get(a, "name");
	}
	return NULL;
}

/* Kernel: inside fc, each field class that is the one of a small alias
 * (u32-erc-id, u64-ts) becomes its name, as in lttng-modules' aliases. */
static int use_small_aliases(struct writer *w, json_t *fc)
{
	size_t i;
	const char *key;
	json_t *v;
	void *tmp;
	if (json_is_array(fc)) {
		json_array_foreach(fc, i, v) {
			json_t *name = small_alias(w, v);
			if (name ? json_array_set(fc, i, name) : use_small_aliases(w, v))
				return -1;
		}
	} else if (json_is_object(fc)) {
		json_object_foreach_safe(fc, tmp, key, v)
		{
			json_t *name = small_alias(w, v);
			if (name ? json_object_set(fc, key, name) : use_small_aliases(w, v))
				return -1;
		}
	}
	return 0;
}

/* A scope's field class: the kernel layout names it by its alias. */
static json_t *with_small_aliases(struct writer *w, json_t *fc)
{
	if (fc && use_small_aliases(w, fc)) {
		json_decref(fc);
		return vt_ctf2_write_oom(w);
	}
	return fc;
}

json_t *vt_ctf2_write_aliased(struct writer *w, json_t *fc)
{
	if (!fc || w->style != STYLE_KERNEL || !(fc = with_small_aliases(w, fc)))
		return fc;
	json_t *a = alias_of(w, fc);
	if (!a)
		return fc;
	json_decref(fc);
	return json_incref(json_object_get(a, "name"));
}

/* An alias fragment for fc (stolen) named name, or, when one with the same
 * field class is there, none: that one serves. */
static int add_alias(struct writer *w, const char *name, json_t *fc)
{
	if (!fc)
		return -1;
	if (alias_of(w, fc)) {
		json_decref(fc);
		return 0;
	}
	json_t *a = json_pack("{s:s, s:s, s:o}", "type", "field-class-alias", "name", name, "field-class", fc);
	if (!a || json_array_append_new(w->aliases, a)) {
		vt_ctf2_write_oom(w);
		return -1;
	}
	return 0;
}

/* The first object in j (depth first) that is a fixed-length unsigned
 * integer of length bits with the single role role, or NULL. */
static json_t *find_integer(json_t *j, json_int_t length, const char *role)
{
	size_t i;
	const char *key;
	json_t *v, *found;
	if (json_is_object(j)) {
		json_t *roles = json_object_get(j, "roles");
		const char *type = json_string_value(json_object_get(j, "type"));
		const char *r = json_string_value(json_array_get(roles, 0));
		if (type && strcmp(type, "fixed-length-unsigned-integer") == 0 &&
		    json_integer_value(json_object_get(j, "length")) == length && json_array_size(roles) == 1 && r &&
		    strcmp(r, role) == 0)
			return j;
		json_object_foreach(j, key, v)
			if ((found = find_integer(v, length, role)))
				return found;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if ((found = find_integer(v, length, role)))
				return found;
	}
	return NULL;
}

/* lttng-modules' name for an event header: by the length of its "id". */
static const char *header_name(const struct vt_ctf_fc *h)
{
	for (uint32_t i = 0; h->type == VT_CTF_FC_STRUCT && i < h->u.st.nmembers; i++)
		if (strcmp(h->u.st.members[i].name, "id") == 0 && h->u.st.members[i].fc->type == VT_CTF_FC_UINT)
			return h->u.st.members[i].fc->u.i.length == 5    ? "er-header-compact"
			       : h->u.st.members[i].fc->u.i.length == 16 ? "er-header-large"
									 : "er-header";
	return "er-header";
}

/* The name for a new alias: base, else base-ID when an alias named base already is. */
static const char *alias_name(const struct writer *w, const char *base, uint64_t id, char *buf, size_t size)
{
	size_t i;
	json_t *a;
	json_array_foreach(w->aliases, i, a)
		if (strcmp(json_string_value(json_object_get(a, "name")), base) == 0) {
			snprintf(buf, size, "%s-%" PRIu64, base, id);
			return buf;
		}
	return base;
}

/* Scope field classes as aliases (s: the stream classes), after the small ones inside them. */
static int scope_aliases(struct writer *w, const struct vt_ctf_trace_class *tc, const char *base, enum vt_ctf_scope s)
{
	char buf[80];
	for (size_t i = 0; i < tc->nstreams; i++) {
		const struct vt_ctf_stream_class *sc = tc->streams[i];
		const struct vt_ctf_fc *fc = s == VT_CTF_SCOPE_EVENT_HEADER ? sc->event_header : sc->packet_context;
		if (!fc)
			continue;
		json_t *j = with_small_aliases(w, vt_ctf2_scope_json(w, s, fc));
		const char *name = s == VT_CTF_SCOPE_EVENT_HEADER ? header_name(fc) : base;
		if (add_alias(w, alias_name(w, name, sc->id, buf, sizeof(buf)), j))
			return -1;
	}
	return 0;
}

/* Kernel: lttng-modules' alias fragments, in its order: u32-erc-id and u64-ts
 * (the extended header's id and timestamp), the event headers, the packet
 * context, the packet header. */
int vt_ctf2_write_kernel_aliases(struct writer *w, const struct vt_ctf_trace_class *tc)
{
	json_t *headers = json_array();
	int rc = !(w->aliases = json_array()) || !headers;
	for (size_t i = 0; !rc && i < tc->nstreams; i++)
		rc = tc->streams[i]->event_header &&
		     json_array_append_new(
			     headers, vt_ctf2_scope_json(w, VT_CTF_SCOPE_EVENT_HEADER, tc->streams[i]->event_header));
	if (rc) {
		json_decref(headers);
		if (!w->failed)
			vt_ctf2_write_oom(w);
		return -1;
	}
	json_t *id = find_integer(headers, 32, "event-record-class-id");
	json_t *ts = find_integer(headers, 64, "default-clock-timestamp");
	rc = (id && add_alias(w, "u32-erc-id", json_deep_copy(id))) ||
	     (ts && add_alias(w, "u64-ts", json_deep_copy(ts)));
	json_decref(headers);
	w->nsmall = json_array_size(w->aliases);
	w->roots[VT_CTF_SCOPE_PACKET_HEADER] = tc->packet_header;
	if (rc || scope_aliases(w, tc, "er-header", VT_CTF_SCOPE_EVENT_HEADER) ||
	    scope_aliases(w, tc, "pkt-ctx", VT_CTF_SCOPE_PACKET_CONTEXT))
		return -1;
	return tc->packet_header
		       ? add_alias(w, "pkt-header",
				   with_small_aliases(w, vt_ctf2_fc_json(w, tc->packet_header, "packet-header")))
		       : 0;
}
