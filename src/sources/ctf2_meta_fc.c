/* CTF 2 field classes (JSON objects, or the names of field-class-alias
 * fragments) into the trace class's field classes. */
#include "sources/ctf2_meta.h"

#include <inttypes.h>
#include <string.h>

int vt_ctf2_u64(struct ctf2_parser *p, json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return vt_ctf2_error(p, "\"%s\" is not a non-negative integer", key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int vt_ctf2_i64(struct ctf2_parser *p, json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 1;
	if (!json_is_integer(v))
		return vt_ctf2_error(p, "\"%s\" is not an integer", key);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int vt_ctf2_str(struct ctf2_parser *p, json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 1;
	if (!json_is_string(v))
		return vt_ctf2_error(p, "\"%s\" is not a string", key);
	if (json_string_length(v) > VT_CTF_MAX_NAME || strlen(json_string_value(v)) != json_string_length(v))
		return vt_ctf2_error(p, "\"%s\" is too long or holds a NUL character", key);
	if (!(*out = vt_ctf_strdup(p->arena, json_string_value(v))))
		return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	return 0;
}

static struct vt_ctf_fc *new_fc(struct ctf2_parser *p, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = vt_ctf_fc_new(p->arena, type);
	if (!fc)
		vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	return fc;
}

static int power_of_two(uint64_t v)
{
	return v && !(v & (v - 1)) && v <= (1u << 30);
}

static int alignment(struct ctf2_parser *p, json_t *j, const char *key, uint32_t *out)
{
	uint64_t a = 1;
	if (vt_ctf2_u64(p, j, key, &a) < 0)
		return -1;
	if (!power_of_two(a))
		return vt_ctf2_error(p, "\"%s\" is %" PRIu64 ", not a power of two", key, a);
	*out = (uint32_t)a;
	return 0;
}

/* [[lower, upper], ...] */
static int range_set(struct ctf2_parser *p, json_t *j, const char *what, struct vt_ctf_range **out, uint32_t *n)
{
	size_t count = json_array_size(j);
	if (!json_is_array(j) || count == 0 || count > VT_CTF_MAX_RANGES)
		return vt_ctf2_error(p, "%s is not an array of 1 to %u ranges", what, VT_CTF_MAX_RANGES);
	if (!(*out = vt_ctf_alloc(p->arena, count * sizeof(**out))))
		return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	for (size_t i = 0; i < count; i++) {
		json_t *r = json_array_get(j, i), *lo = json_array_get(r, 0), *hi = json_array_get(r, 1);
		if (json_array_size(r) != 2 || !json_is_integer(lo) || !json_is_integer(hi) ||
		    json_integer_value(lo) > json_integer_value(hi))
			return vt_ctf2_error(p, "%s holds a range that is not [lower, upper] with lower <= upper",
					     what);
		(*out)[i].lower = (uint64_t)json_integer_value(lo);
		(*out)[i].upper = (uint64_t)json_integer_value(hi);
	}
	*n = (uint32_t)count;
	return 0;
}

static int mappings(struct ctf2_parser *p, json_t *j, struct vt_ctf_fc *fc)
{
	json_t *m = json_object_get(j, "mappings");
	if (!m)
		return 0;
	if (!json_is_object(m) || json_object_size(m) > VT_CTF_MAX_MEMBERS)
		return vt_ctf2_error(p, "\"mappings\" is not an object of at most %u mappings", VT_CTF_MAX_MEMBERS);
	fc->u.i.mappings = vt_ctf_alloc(p->arena, json_object_size(m) * sizeof(*fc->u.i.mappings));
	if (!fc->u.i.mappings)
		return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	const char *name;
	json_t *ranges;
	json_object_foreach(m, name, ranges) {
		struct vt_ctf_mapping *map = &fc->u.i.mappings[fc->u.i.nmappings++];
		if (!(map->name = vt_ctf_strdup(p->arena, name)))
			return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
		if (range_set(p, ranges, "a mapping", &map->ranges, &map->nranges))
			return -1;
	}
	return 0;
}

static int roles(struct ctf2_parser *p, json_t *j, struct vt_ctf_fc *fc)
{
	static const struct {
		const char *name;
		uint32_t role;
	} names[] = {
		{"packet-magic-number", VT_CTF_ROLE_PACKET_MAGIC},
		{"metadata-stream-uuid", VT_CTF_ROLE_METADATA_UUID},
		{"data-stream-class-id", VT_CTF_ROLE_STREAM_CLASS_ID},
		{"data-stream-id", VT_CTF_ROLE_STREAM_ID},
		{"packet-total-length", VT_CTF_ROLE_PACKET_TOTAL_LENGTH},
		{"packet-content-length", VT_CTF_ROLE_PACKET_CONTENT_LENGTH},
		{"default-clock-timestamp", VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP},
		{"packet-end-default-clock-timestamp", VT_CTF_ROLE_PACKET_END_TIMESTAMP},
		{"discarded-event-record-counter-snapshot", VT_CTF_ROLE_DISCARDED_COUNTER},
		{"packet-sequence-number", VT_CTF_ROLE_PACKET_SEQ_NUM},
		{"event-record-class-id", VT_CTF_ROLE_EVENT_CLASS_ID},
	};
	json_t *r = json_object_get(j, "roles");
	if (!r)
		return 0;
	if (!json_is_array(r))
		return vt_ctf2_error(p, "\"roles\" is not an array");
	if (fc->type != VT_CTF_FC_UINT && fc->type != VT_CTF_FC_VUINT && fc->type != VT_CTF_FC_SL_BLOB)
		return vt_ctf2_error(p, "a %s has roles", vt_ctf_fc_type_name(fc->type));
	for (size_t i = 0; i < json_array_size(r); i++) {
		const char *s = json_string_value(json_array_get(r, i));
		size_t k = 0;
		while (s && k < sizeof(names) / sizeof(names[0]) && strcmp(names[k].name, s) != 0)
			k++;
		if (!s || k == sizeof(names) / sizeof(names[0]))
			return vt_ctf2_error(p, "unknown role \"%s\"", s ? s : "(not a string)");
		if ((fc->type == VT_CTF_FC_SL_BLOB) != (names[k].role == VT_CTF_ROLE_METADATA_UUID))
			return vt_ctf2_error(p, "role \"%s\" on a %s", s, vt_ctf_fc_type_name(fc->type));
		fc->roles |= names[k].role;
	}
	return 0;
}

static int base(struct ctf2_parser *p, json_t *j, struct vt_ctf_fc *fc)
{
	uint64_t b = 10;
	if (vt_ctf2_u64(p, j, "preferred-display-base", &b) < 0)
		return -1;
	if (b != 2 && b != 8 && b != 10 && b != 16)
		return vt_ctf2_error(p, "\"preferred-display-base\" is %" PRIu64 ", not 2, 8, 10 or 16", b);
	fc->u.i.base = (uint8_t)b;
	return 0;
}

static struct vt_ctf_fc *fixed_length(struct ctf2_parser *p, json_t *j, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = new_fc(p, type);
	if (!fc)
		return NULL;
	uint64_t length = 0;
	if (vt_ctf2_u64(p, j, "length", &length) < 0)
		return NULL;
	if (type == VT_CTF_FC_FLOAT ? length != 32 && length != 64 : length < 1 || length > 64) {
		vt_ctf2_error(p, "a %s of %" PRIu64 " bits (%s)", vt_ctf_fc_type_name(type), length,
			      type == VT_CTF_FC_FLOAT ? "32 or 64 are supported" : "1 to 64 are supported");
		return NULL;
	}
	const char *bo = json_string_value(json_object_get(j, "byte-order"));
	if (!bo || (strcmp(bo, "little-endian") != 0 && strcmp(bo, "big-endian") != 0)) {
		vt_ctf2_error(p, "\"byte-order\" is not \"little-endian\" or \"big-endian\"");
		return NULL;
	}
	fc->u.i.length = (uint32_t)length;
	fc->u.i.byte_order = bo[0] == 'b' ? VT_CTF_BE : VT_CTF_LE;
	fc->u.i.bit_order = fc->u.i.byte_order == VT_CTF_BE ? VT_CTF_LAST_TO_FIRST : VT_CTF_FIRST_TO_LAST;
	json_t *bit = json_object_get(j, "bit-order");
	if (bit) {
		const char *s = json_string_value(bit);
		if (!s || (strcmp(s, "first-to-last") != 0 && strcmp(s, "last-to-first") != 0)) {
			vt_ctf2_error(p, "\"bit-order\" is not \"first-to-last\" or \"last-to-first\"");
			return NULL;
		}
		fc->u.i.bit_order = s[0] == 'f' ? VT_CTF_FIRST_TO_LAST : VT_CTF_LAST_TO_FIRST;
	}
	if (alignment(p, j, "alignment", &fc->align))
		return NULL;
	if ((type == VT_CTF_FC_UINT || type == VT_CTF_FC_SINT) && (base(p, j, fc) || mappings(p, j, fc)))
		return NULL;
	return roles(p, j, fc) ? NULL : fc;
}

static struct vt_ctf_fc *variable_length(struct ctf2_parser *p, json_t *j, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = new_fc(p, type);
	if (!fc || base(p, j, fc) || mappings(p, j, fc) || roles(p, j, fc))
		return NULL;
	fc->align = 8;
	return fc;
}

static int location(struct ctf2_parser *p, json_t *j, const char *key, struct vt_ctf_location *loc)
{
	json_t *l = json_object_get(j, key), *path = json_object_get(l, "path"), *origin = json_object_get(l, "origin");
	size_t n = json_array_size(path);
	if (!json_is_object(l) || !json_is_array(path) || n == 0 || n > VT_CTF_MAX_PATH)
		return vt_ctf2_error(p, "\"%s\" is not a field location with a path of 1 to %d elements", key,
				     VT_CTF_MAX_PATH);
	loc->origin = VT_CTF_SCOPE_NONE;
	if (origin) {
		int s = 0;
		while (s < VT_CTF_SCOPE_COUNT &&
		       (!json_is_string(origin) || strcmp(json_string_value(origin), vt_ctf_scope_name(s)) != 0))
			s++;
		if (s == VT_CTF_SCOPE_COUNT)
			return vt_ctf2_error(p, "\"%s\" has an unknown origin", key);
		loc->origin = (enum vt_ctf_scope)s;
	}
	if (!(loc->path = vt_ctf_alloc(p->arena, n * sizeof(*loc->path))))
		return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	loc->npath = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(path, i);
		if (json_is_null(e) && i + 1 < n && !origin)
			continue; /* the parent structure */
		if (!json_is_string(e))
			return vt_ctf2_error(p, "\"%s\" has a path element that is not a member name", key);
		if (!(loc->path[i] = vt_ctf_strdup(p->arena, json_string_value(e))))
			return vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
	}
	return 0;
}

static struct vt_ctf_fc *string_or_blob(struct ctf2_parser *p, json_t *j, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = new_fc(p, type);
	if (!fc)
		return NULL;
	const char *enc = json_string_value(json_object_get(j, "encoding"));
	if (enc && strcmp(enc, "utf-8") != 0) {
		vt_ctf2_error(p, "string encoding \"%s\" is not supported (only utf-8)", enc);
		return NULL;
	}
	if (type == VT_CTF_FC_SL_STRING || type == VT_CTF_FC_SL_BLOB) {
		if (vt_ctf2_u64(p, j, "length", &fc->u.s.length) != 0 || fc->u.s.length > VT_CTF_MAX_STATIC_LENGTH) {
			vt_ctf2_error(p, "a %s needs a \"length\" of at most %u bytes", vt_ctf_fc_type_name(type),
				      VT_CTF_MAX_STATIC_LENGTH);
			return NULL;
		}
	} else if (type != VT_CTF_FC_NT_STRING && location(p, j, "length-field-location", &fc->u.s.loc)) {
		return NULL;
	}
	if ((type == VT_CTF_FC_SL_BLOB || type == VT_CTF_FC_DL_BLOB) &&
	    vt_ctf2_str(p, j, "media-type", &fc->u.s.media_type) < 0)
		return NULL;
	fc->align = 8;
	return roles(p, j, fc) ? NULL : fc;
}

static struct vt_ctf_fc *structure(struct ctf2_parser *p, json_t *j, uint32_t depth)
{
	struct vt_ctf_fc *fc = new_fc(p, VT_CTF_FC_STRUCT);
	json_t *m = json_object_get(j, "member-classes");
	size_t n = json_array_size(m);
	if (!fc || alignment(p, j, "minimum-alignment", &fc->u.st.min_align))
		return NULL;
	if ((m && !json_is_array(m)) || n > VT_CTF_MAX_MEMBERS) {
		vt_ctf2_error(p, "\"member-classes\" is not an array of at most %u members", VT_CTF_MAX_MEMBERS);
		return NULL;
	}
	if (!(fc->u.st.members = vt_ctf_alloc(p->arena, n * sizeof(*fc->u.st.members)))) {
		vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
		return NULL;
	}
	fc->u.st.nmembers = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(m, i);
		struct vt_ctf_member *mem = &fc->u.st.members[i];
		if (!json_is_object(e) || vt_ctf2_str(p, e, "name", &mem->name) != 0) {
			vt_ctf2_error(p, "a member class has no \"name\"");
			return NULL;
		}
		if (!(mem->fc = vt_ctf2_fc(p, json_object_get(e, "field-class"), depth + 1, mem->name)))
			return NULL;
	}
	return fc;
}

static struct vt_ctf_fc *array(struct ctf2_parser *p, json_t *j, uint32_t depth, enum vt_ctf_fc_type type)
{
	struct vt_ctf_fc *fc = new_fc(p, type);
	if (!fc || alignment(p, j, "minimum-alignment", &fc->align))
		return NULL;
	if (type == VT_CTF_FC_SL_ARRAY) {
		if (vt_ctf2_u64(p, j, "length", &fc->u.a.length) != 0 || fc->u.a.length > VT_CTF_MAX_STATIC_LENGTH) {
			vt_ctf2_error(p, "a static-length-array needs a \"length\" of at most %u",
				      VT_CTF_MAX_STATIC_LENGTH);
			return NULL;
		}
	} else if (location(p, j, "length-field-location", &fc->u.a.loc)) {
		return NULL;
	}
	fc->u.a.element = vt_ctf2_fc(p, json_object_get(j, "element-field-class"), depth + 1, "element");
	return fc->u.a.element ? fc : NULL;
}

static struct vt_ctf_fc *optional(struct ctf2_parser *p, json_t *j, uint32_t depth)
{
	struct vt_ctf_fc *fc = new_fc(p, VT_CTF_FC_OPTIONAL);
	json_t *r = json_object_get(j, "selector-field-ranges");
	if (!fc || location(p, j, "selector-field-location", &fc->u.o.loc) ||
	    (r && range_set(p, r, "\"selector-field-ranges\"", &fc->u.o.ranges, &fc->u.o.nranges)))
		return NULL;
	fc->u.o.fc = vt_ctf2_fc(p, json_object_get(j, "field-class"), depth + 1, "optional");
	return fc->u.o.fc ? fc : NULL;
}

static struct vt_ctf_fc *variant(struct ctf2_parser *p, json_t *j, uint32_t depth)
{
	struct vt_ctf_fc *fc = new_fc(p, VT_CTF_FC_VARIANT);
	json_t *o = json_object_get(j, "options");
	size_t n = json_array_size(o);
	if (!fc || location(p, j, "selector-field-location", &fc->u.v.loc))
		return NULL;
	if (n == 0 || n > VT_CTF_MAX_MEMBERS) {
		vt_ctf2_error(p, "\"options\" is not an array of 1 to %u options", VT_CTF_MAX_MEMBERS);
		return NULL;
	}
	if (!(fc->u.v.options = vt_ctf_alloc(p->arena, n * sizeof(*fc->u.v.options)))) {
		vt_ctf2_error(p, "%s", vt_ctf_arena_why(p->arena));
		return NULL;
	}
	fc->u.v.noptions = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(o, i);
		struct vt_ctf_option *opt = &fc->u.v.options[i];
		if (!json_is_object(e) || vt_ctf2_str(p, e, "name", &opt->name) < 0 ||
		    range_set(p, json_object_get(e, "selector-field-ranges"), "an option's \"selector-field-ranges\"",
			      &opt->ranges, &opt->nranges))
			return NULL;
		if (!(opt->fc = vt_ctf2_fc(p, json_object_get(e, "field-class"), depth + 1, opt->name)))
			return NULL;
	}
	return fc;
}

struct vt_ctf_fc *vt_ctf2_fc(struct ctf2_parser *p, json_t *j, uint32_t depth, const char *what)
{
	if (depth > VT_CTF_MAX_DEPTH) {
		vt_ctf2_error(p, "field classes nest more than %d deep", VT_CTF_MAX_DEPTH);
		return NULL;
	}
	if (json_is_string(j)) {
		json_t *alias = vt_ctf_names_get(&p->aliases, json_string_value(j));
		if (!alias)
			vt_ctf2_error(p, "\"%s\": unknown field class alias \"%.100s\"", what, json_string_value(j));
		return alias ? vt_ctf2_fc(p, alias, depth + 1, what) : NULL;
	}
	const char *type = json_string_value(json_object_get(j, "type"));
	if (!type) {
		vt_ctf2_error(p, "\"%s\": a field class without a \"type\"", what);
		return NULL;
	}
	if (json_object_size(json_object_get(j, "extensions"))) {
		vt_ctf2_error(p, "\"%s\": a field class with extensions, which are not supported", what);
		return NULL;
	}
	static const struct {
		const char *name;
		enum vt_ctf_fc_type type;
	} types[] = {
		{"fixed-length-bit-array", VT_CTF_FC_BIT_ARRAY},
		{"fixed-length-bit-map", VT_CTF_FC_BIT_ARRAY},
		{"fixed-length-boolean", VT_CTF_FC_BOOL},
		{"fixed-length-unsigned-integer", VT_CTF_FC_UINT},
		{"fixed-length-signed-integer", VT_CTF_FC_SINT},
		{"fixed-length-floating-point-number", VT_CTF_FC_FLOAT},
		{"variable-length-unsigned-integer", VT_CTF_FC_VUINT},
		{"variable-length-signed-integer", VT_CTF_FC_VSINT},
		{"null-terminated-string", VT_CTF_FC_NT_STRING},
		{"static-length-string", VT_CTF_FC_SL_STRING},
		{"dynamic-length-string", VT_CTF_FC_DL_STRING},
		{"static-length-blob", VT_CTF_FC_SL_BLOB},
		{"dynamic-length-blob", VT_CTF_FC_DL_BLOB},
		{"structure", VT_CTF_FC_STRUCT},
		{"static-length-array", VT_CTF_FC_SL_ARRAY},
		{"dynamic-length-array", VT_CTF_FC_DL_ARRAY},
		{"optional", VT_CTF_FC_OPTIONAL},
		{"variant", VT_CTF_FC_VARIANT},
	};
	size_t k = 0;
	while (k < sizeof(types) / sizeof(types[0]) && strcmp(types[k].name, type) != 0)
		k++;
	if (k == sizeof(types) / sizeof(types[0])) {
		vt_ctf2_error(p, "\"%s\": unknown field class type \"%.100s\"", what, type);
		return NULL;
	}
	enum vt_ctf_fc_type t = types[k].type;
	switch (t) {
	case VT_CTF_FC_BIT_ARRAY:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_FLOAT:
		return fixed_length(p, j, t);
	case VT_CTF_FC_VUINT:
	case VT_CTF_FC_VSINT:
		return variable_length(p, j, t);
	case VT_CTF_FC_STRUCT:
		return structure(p, j, depth);
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		return array(p, j, depth, t);
	case VT_CTF_FC_OPTIONAL:
		return optional(p, j, depth);
	case VT_CTF_FC_VARIANT:
		return variant(p, j, depth);
	default:
		return string_or_blob(p, j, t);
	}
}

struct vt_ctf_fc *vt_ctf2_scope(struct ctf2_parser *p, json_t *obj, const char *key, int *failed)
{
	json_t *j = json_object_get(obj, key);
	if (!j)
		return NULL;
	struct vt_ctf_fc *fc = vt_ctf2_fc(p, j, 1, key);
	if (fc && fc->type != VT_CTF_FC_STRUCT) {
		vt_ctf2_error(p, "\"%s\" is a %s, not a structure", key, vt_ctf_fc_type_name(fc->type));
		fc = NULL;
	}
	*failed = fc == NULL;
	return fc;
}
