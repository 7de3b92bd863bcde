/* TSDL type specifiers into field classes: integer, floating_point, string,
 * enum (an integer with mappings), struct, variant (options whose ranges the
 * tag's enumeration gives at resolution), named types (typealias, typedef,
 * "struct X"), and declarators with static ([N]) and dynamic ([len.path])
 * dimensions; arrays and sequences of 8-bit text integers become strings. */
#include "sources/ctf_tsdl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int power_of_two(uint64_t v)
{
	return v && !(v & (v - 1)) && v <= (1u << 30);
}

static int byte_order_value(struct tsdl_parser *p, const struct tsdl_value *v, enum vt_ctf_byte_order *out)
{
	if (v->kind == TSDL_V_IDENT) {
		if (strcmp(v->text, "native") == 0) {
			if (!p->have_byte_order)
				return vt_tsdl_error(p, "byte_order = native, but the trace block gives no byte_order");
			*out = p->b.tc->byte_order;
			return 0;
		}
		if (strcmp(v->text, "be") == 0 || strcmp(v->text, "network") == 0) {
			*out = VT_CTF_BE;
			return 0;
		}
		if (strcmp(v->text, "le") == 0) {
			*out = VT_CTF_LE;
			return 0;
		}
	}
	return vt_tsdl_error(p, "byte_order is \"%s\", not native, be, le or network", v->text);
}

static int base_value(struct tsdl_parser *p, const struct tsdl_value *v, uint8_t *out)
{
	static const struct {
		const char *name;
		uint8_t base;
	} names[] = {{"decimal", 10}, {"dec", 10},   {"d", 10},  {"i", 10}, {"u", 10},    {"hexadecimal", 16},
		     {"hex", 16},     {"x", 16},     {"X", 16},  {"p", 16}, {"octal", 8}, {"oct", 8},
		     {"o", 8},        {"binary", 2}, {"bin", 2}, {"b", 2}};
	if (v->kind == TSDL_V_INT && !v->neg && (v->u == 2 || v->u == 8 || v->u == 10 || v->u == 16)) {
		*out = (uint8_t)v->u;
		return 0;
	}
	for (size_t i = 0; v->kind == TSDL_V_IDENT && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v->text, names[i].name) == 0) {
			*out = names[i].base;
			return 0;
		}
	return vt_tsdl_error(p, "base is \"%s\", not 2, 8, 10 or 16", v->kind == TSDL_V_INT ? "a number" : v->text);
}

static int encoding_value(struct tsdl_parser *p, const struct tsdl_value *v, uint8_t *text)
{
	if (v->kind == TSDL_V_IDENT && strcmp(v->text, "none") == 0) {
		*text = 0;
		return 0;
	}
	if (v->kind == TSDL_V_IDENT && (strcmp(v->text, "UTF8") == 0 || strcmp(v->text, "ASCII") == 0)) {
		*text = 1;
		return 0;
	}
	return vt_tsdl_error(p, "encoding is \"%s\", not none, UTF8 or ASCII", v->text);
}

/* map = clock.NAME.value: the clock must be declared before. */
static int map_value(struct tsdl_parser *p, const struct tsdl_value *v, uint16_t *clock)
{
	size_t n = strlen(v->text);
	if (v->kind != TSDL_V_IDENT || n < 13 || strncmp(v->text, "clock.", 6) != 0 ||
	    strcmp(v->text + n - 6, ".value") != 0)
		return vt_tsdl_error(p, "map is not clock.NAME.value");
	char name[VT_CTF_MAX_NAME];
	snprintf(name, sizeof(name), "%.*s", (int)(n - 12), v->text + 6);
	uintptr_t k = (uintptr_t)vt_ctf_names_get(&p->clocks, name);
	if (!k)
		return vt_tsdl_error(p, "map refers to clock \"%s\", which is not declared before", name);
	*clock = (uint16_t)k;
	return 0;
}

/* NAME = value; pairs up to the closing brace. */
static int attribute(struct tsdl_parser *p, char *name, size_t size, struct tsdl_value *v)
{
	const struct tsdl_token *t = vt_tsdl_next(p);
	if (t->type != TSDL_IDENT) {
		char buf[64];
		return vt_tsdl_error(p, "expected an attribute name, found %s", vt_tsdl_describe(t, buf, sizeof(buf)));
	}
	snprintf(name, size, "%s", t->text);
	if (vt_tsdl_expect(p, "="))
		return -1;
	return vt_tsdl_value(p, v);
}

static struct vt_ctf_fc *integer(struct tsdl_parser *p)
{
	uint64_t size = 0, align = 0;
	int sign = 0;
	enum vt_ctf_byte_order bo = p->b.tc->byte_order;
	uint8_t base = 10, text = 0;
	uint16_t clock = 0;
	if (vt_tsdl_expect(p, "{"))
		return NULL;
	while (!vt_tsdl_accept(p, "}")) {
		char name[64];
		struct tsdl_value v;
		if (attribute(p, name, sizeof(name), &v))
			return NULL;
		int rc;
		if (strcmp(name, "size") == 0)
			rc = vt_tsdl_value_u64(p, &v, &size);
		else if (strcmp(name, "align") == 0)
			rc = vt_tsdl_value_u64(p, &v, &align);
		else if (strcmp(name, "signed") == 0)
			rc = vt_tsdl_value_bool(p, &v, &sign);
		else if (strcmp(name, "byte_order") == 0)
			rc = byte_order_value(p, &v, &bo);
		else if (strcmp(name, "base") == 0)
			rc = base_value(p, &v, &base);
		else if (strcmp(name, "encoding") == 0)
			rc = encoding_value(p, &v, &text);
		else if (strcmp(name, "map") == 0)
			rc = map_value(p, &v, &clock);
		else
			rc = vt_tsdl_error(p, "unknown attribute \"%s\" in an integer", name);
		if (rc)
			return NULL;
	}
	if (size < 1 || size > 64) {
		vt_tsdl_error(p, "an integer's size is %llu, not 1 to 64 bits", (unsigned long long)size);
		return NULL;
	}
	if (!align)
		align = size % 8 ? 1 : 8;
	if (!power_of_two(align)) {
		vt_tsdl_error(p, "an integer's align is %llu, not a power of two", (unsigned long long)align);
		return NULL;
	}
	struct vt_ctf_fc *fc = vt_ctf_fc_new(p->arena, sign ? VT_CTF_FC_SINT : VT_CTF_FC_UINT);
	if (!fc) {
		vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		return NULL;
	}
	fc->align = (uint32_t)align;
	fc->u.i.length = (uint32_t)size;
	fc->u.i.byte_order = bo;
	fc->u.i.bit_order = bo == VT_CTF_LE ? VT_CTF_FIRST_TO_LAST : VT_CTF_LAST_TO_FIRST;
	fc->u.i.base = base;
	fc->u.i.text = text;
	fc->u.i.clock = clock;
	return fc;
}

static struct vt_ctf_fc *floating_point(struct tsdl_parser *p)
{
	uint64_t exp = 0, mant = 0, align = 0;
	enum vt_ctf_byte_order bo = p->b.tc->byte_order;
	if (vt_tsdl_expect(p, "{"))
		return NULL;
	while (!vt_tsdl_accept(p, "}")) {
		char name[64];
		struct tsdl_value v;
		if (attribute(p, name, sizeof(name), &v))
			return NULL;
		int rc;
		if (strcmp(name, "exp_dig") == 0)
			rc = vt_tsdl_value_u64(p, &v, &exp);
		else if (strcmp(name, "mant_dig") == 0)
			rc = vt_tsdl_value_u64(p, &v, &mant);
		else if (strcmp(name, "align") == 0)
			rc = vt_tsdl_value_u64(p, &v, &align);
		else if (strcmp(name, "byte_order") == 0)
			rc = byte_order_value(p, &v, &bo);
		else
			rc = vt_tsdl_error(p, "unknown attribute \"%s\" in a floating_point", name);
		if (rc)
			return NULL;
	}
	uint32_t length = exp == 8 && mant == 24 ? 32 : exp == 11 && mant == 53 ? 64 : 0;
	if (!length) {
		vt_tsdl_error(p, "a floating_point with exp_dig %llu and mant_dig %llu is neither 32 nor 64 bits",
			      (unsigned long long)exp, (unsigned long long)mant);
		return NULL;
	}
	if (!align)
		align = 8;
	if (!power_of_two(align)) {
		vt_tsdl_error(p, "a floating_point's align is %llu, not a power of two", (unsigned long long)align);
		return NULL;
	}
	struct vt_ctf_fc *fc = vt_ctf_fc_new(p->arena, VT_CTF_FC_FLOAT);
	if (!fc) {
		vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		return NULL;
	}
	fc->align = (uint32_t)align;
	fc->u.i.length = length;
	fc->u.i.byte_order = bo;
	fc->u.i.bit_order = bo == VT_CTF_LE ? VT_CTF_FIRST_TO_LAST : VT_CTF_LAST_TO_FIRST;
	return fc;
}

static struct vt_ctf_fc *string(struct tsdl_parser *p)
{
	if (vt_tsdl_accept(p, "{")) {
		while (!vt_tsdl_accept(p, "}")) {
			char name[64];
			struct tsdl_value v;
			uint8_t text;
			if (attribute(p, name, sizeof(name), &v))
				return NULL;
			if (strcmp(name, "encoding") != 0) {
				vt_tsdl_error(p, "unknown attribute \"%s\" in a string", name);
				return NULL;
			}
			if (encoding_value(p, &v, &text))
				return NULL;
		}
	}
	struct vt_ctf_fc *fc = vt_ctf_fc_new(p->arena, VT_CTF_FC_NT_STRING);
	if (!fc)
		vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
	return fc;
}

static int declare(struct tsdl_parser *p, const char *kind, const char *name, struct vt_ctf_fc *fc)
{
	char key[VT_CTF_MAX_NAME + 16];
	snprintf(key, sizeof(key), "%s%s%s", kind, *kind ? " " : "", name);
	char *k = vt_ctf_strdup(p->arena, key);
	if (!k || vt_ctf_names_put(&p->scope->names, k, fc))
		return vt_tsdl_error(p, "out of memory");
	return 0;
}

static struct vt_ctf_fc *lookup(struct tsdl_parser *p, const char *kind, const char *name)
{
	char key[VT_CTF_MAX_NAME + 16];
	snprintf(key, sizeof(key), "%s%s%s", kind, *kind ? " " : "", name);
	for (struct tsdl_scope *s = p->scope; s; s = s->up) {
		struct vt_ctf_fc *fc = vt_ctf_names_get(&s->names, key);
		if (fc) {
			struct vt_ctf_fc *c = vt_ctf_fc_copy(p->arena, fc);
			if (!c)
				vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
			return c;
		}
	}
	vt_tsdl_error(p, "unknown type \"%s\"", key);
	return NULL;
}

/* A signed or unsigned enumerator value that must fit the container. */
static int enum_value(struct tsdl_parser *p, const struct vt_ctf_fc *c, uint64_t *out)
{
	int neg = vt_tsdl_accept(p, "-");
	if (!neg)
		vt_tsdl_accept(p, "+");
	const struct tsdl_token *t = vt_tsdl_next(p);
	if (t->type != TSDL_INT && t->type != TSDL_CHAR)
		return vt_tsdl_error(p, "expected an enumerator value");
	uint32_t len = c->u.i.length;
	if (c->type == VT_CTF_FC_UINT) {
		if (neg && t->u)
			return vt_tsdl_error(p, "a negative value in an unsigned enumeration");
		if (len < 64 && t->u >> len)
			return vt_tsdl_error(p, "an enumerator value does not fit its %u-bit integer", len);
		*out = t->u;
		return 0;
	}
	uint64_t limit = 1ull << (len - 1); /* |min| */
	if ((neg && t->u > limit) || (!neg && t->u >= limit))
		return vt_tsdl_error(p, "an enumerator value does not fit its %u-bit integer", len);
	*out = neg ? (uint64_t)0 - t->u : t->u;
	return 0;
}

/* v (the one after the previous upper bound when implicit) fits c's length and signedness. */
static int fits(const struct vt_ctf_fc *c, uint64_t v, int implicit)
{
	uint32_t len = c->u.i.length;
	if (c->type == VT_CTF_FC_UINT)
		return !(implicit && v == 0) && (len == 64 || !(v >> len));
	int64_t s = (int64_t)v, max = (int64_t)((1ull << (len - 1)) - 1);
	return !(implicit && s == INT64_MIN) && s <= max && s >= -max - 1;
}

static int range_less(const struct vt_ctf_fc *c, uint64_t a, uint64_t b)
{
	return c->type == VT_CTF_FC_SINT ? (int64_t)a < (int64_t)b : a < b;
}

/* LABEL [= value [... value]], ... up to the closing brace; labels repeated
 * (LTTng's "_unknown" = 2 ... 5, "_unknown" = 7 ... 16) become one mapping. */
static int enumerators(struct tsdl_parser *p, struct vt_ctf_fc *fc)
{
	struct vt_ctf_vec maps, ranges;
	struct vt_ctf_names index = {0};
	vt_ctf_vec_init(&maps, sizeof(struct vt_ctf_mapping));
	vt_ctf_vec_init(&ranges, sizeof(struct vt_ctf_vec));
	uint64_t next = 0;
	int first = 1, rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		const struct tsdl_token *t = vt_tsdl_next(p);
		if (t->type != TSDL_IDENT && t->type != TSDL_STRING) {
			rc = vt_tsdl_error(p, "expected an enumerator label");
			break;
		}
		const char *label = t->text;
		struct vt_ctf_range r;
		if (vt_tsdl_accept(p, "=")) {
			if ((rc = enum_value(p, fc, &r.lower)))
				break;
			r.upper = r.lower;
			if (vt_tsdl_accept(p, "...") && (rc = enum_value(p, fc, &r.upper)))
				break;
		} else {
			if (!first && !fits(fc, next, 1)) {
				rc = vt_tsdl_error(p, "an implicit enumerator value does not fit its %u-bit integer",
						   fc->u.i.length);
				break;
			}
			r.lower = r.upper = next;
		}
		if (range_less(fc, r.upper, r.lower)) {
			rc = vt_tsdl_error(p, "enumerator \"%s\" has a range whose end is below its start", label);
			break;
		}
		first = 0;
		next = r.upper + 1;
		uintptr_t k = (uintptr_t)vt_ctf_names_get(&index, label);
		if (!k) {
			struct vt_ctf_mapping *m = maps.n < VT_CTF_MAX_MEMBERS ? vt_ctf_vec_push(&maps) : NULL;
			struct vt_ctf_vec *rv = m ? vt_ctf_vec_push(&ranges) : NULL;
			char *name = rv ? vt_ctf_strdup(p->arena, label) : NULL;
			if (!name || vt_ctf_names_put(&index, name, (void *)(uintptr_t)maps.n)) {
				rc = vt_tsdl_error(p, maps.n >= VT_CTF_MAX_MEMBERS ? "too many enumerators"
										   : "out of memory");
				break;
			}
			m->name = name;
			vt_ctf_vec_init(rv, sizeof(struct vt_ctf_range));
			k = maps.n;
		}
		struct vt_ctf_vec *rv = &((struct vt_ctf_vec *)ranges.data)[k - 1];
		struct vt_ctf_range *slot = rv->n < VT_CTF_MAX_RANGES ? vt_ctf_vec_push(rv) : NULL;
		if (!slot) {
			rc = vt_tsdl_error(p, "enumerator \"%s\" has too many ranges", label);
			break;
		}
		*slot = r;
		if (!vt_tsdl_is(vt_tsdl_peek(p, 0), "}"))
			rc = vt_tsdl_expect(p, ",");
	}
	struct vt_ctf_mapping *m = maps.data;
	struct vt_ctf_vec *rv = ranges.data;
	for (size_t i = 0; i < ranges.n; i++) {
		if (rc == 0) {
			m[i].nranges = (uint32_t)rv[i].n;
			if (!(m[i].ranges = vt_ctf_vec_to_arena(&rv[i], p->arena)))
				rc = vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		}
		vt_ctf_vec_free(&rv[i]);
	}
	vt_ctf_vec_free(&ranges);
	vt_ctf_names_free(&index);
	fc->u.i.nmappings = (uint32_t)maps.n;
	if (rc == 0 && !(fc->u.i.mappings = vt_ctf_vec_to_arena(&maps, p->arena)))
		rc = vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
	vt_ctf_vec_free(&maps);
	return rc;
}

static struct vt_ctf_fc *enumeration(struct tsdl_parser *p)
{
	const char *name = NULL;
	if (vt_tsdl_peek(p, 0)->type == TSDL_IDENT)
		name = vt_tsdl_next(p)->text;
	struct vt_ctf_fc *fc = NULL;
	if (vt_tsdl_accept(p, ":")) {
		if (!(fc = vt_tsdl_type_spec(p, 0)))
			return NULL;
	} else if (!vt_tsdl_is(vt_tsdl_peek(p, 0), "{")) {
		return name ? lookup(p, "enum", name) : (vt_tsdl_error(p, "expected an enumeration"), NULL);
	} else if (!(fc = lookup(p, "", "int"))) {
		vt_tsdl_error(p, "an enum has no container type, and no \"int\" type is declared");
		return NULL;
	}
	if (fc->type != VT_CTF_FC_UINT && fc->type != VT_CTF_FC_SINT) {
		vt_tsdl_error(p, "an enum's container type is not an integer");
		return NULL;
	}
	if (fc->u.i.nmappings) {
		vt_tsdl_error(p, "an enum's container type is an enum");
		return NULL;
	}
	if (vt_tsdl_expect(p, "{") || enumerators(p, fc))
		return NULL;
	if (name && declare(p, "enum", name, fc))
		return NULL;
	return fc;
}

struct item {
	const char *name; /* as the trace class keeps it */
	const char *raw;  /* as written (a CTF 1.8 variant option's label) */
	struct vt_ctf_fc *fc;
};

/* The declarations of a struct or variant body; the opening brace is read. */
static int body(struct tsdl_parser *p, struct vt_ctf_vec *items)
{
	if (vt_tsdl_scope_push(p))
		return -1;
	int rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		const struct tsdl_token *t = vt_tsdl_peek(p, 0);
		if (vt_tsdl_accept(p, ";"))
			continue;
		if (vt_tsdl_is(t, "typealias") || vt_tsdl_is(t, "typedef")) {
			vt_tsdl_next(p);
			rc = vt_tsdl_is(t, "typealias") ? vt_tsdl_typealias(p) : vt_tsdl_typedef(p);
			continue;
		}
		struct vt_ctf_fc *type = vt_tsdl_type_spec(p, 1);
		if (!type) {
			rc = -1;
			break;
		}
		if (vt_tsdl_accept(p, ";"))
			continue; /* the declaration of a named struct, enum or variant */
		int first = 1;
		do {
			const char *raw;
			struct vt_ctf_fc *copy = first ? type : vt_ctf_fc_copy(p->arena, type);
			struct vt_ctf_fc *fc = copy ? vt_tsdl_declarator(p, copy, &raw) : NULL;
			struct item *it = fc && items->n < VT_CTF_MAX_MEMBERS ? vt_ctf_vec_push(items) : NULL;
			if (!it) {
				rc = !copy ? vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena))
				     : fc  ? vt_tsdl_error(p, "too many members in a struct or variant")
					   : -1;
				break;
			}
			first = 0;
			it->fc = fc;
			if (!(it->raw = vt_ctf_strdup(p->arena, raw)) || !(it->name = vt_tsdl_member_name(p, raw)))
				rc = vt_tsdl_error(p, "out of memory");
		} while (rc == 0 && vt_tsdl_accept(p, ","));
		if (rc == 0)
			rc = vt_tsdl_expect(p, ";");
	}
	vt_tsdl_scope_pop(p);
	return rc;
}

static int check_height(struct tsdl_parser *p, const struct vt_ctf_fc *fc)
{
	if (vt_ctf_fc_height(fc) > VT_CTF_MAX_DEPTH)
		return vt_tsdl_error(p, "types nest more than %d deep", VT_CTF_MAX_DEPTH);
	return 0;
}

/* [align(N)] after a struct. */
static int struct_align(struct tsdl_parser *p, struct vt_ctf_fc *fc)
{
	if (!vt_tsdl_is(vt_tsdl_peek(p, 0), "align"))
		return 0;
	vt_tsdl_next(p);
	const struct tsdl_token *t;
	if (vt_tsdl_expect(p, "("))
		return -1;
	t = vt_tsdl_next(p);
	if (t->type != TSDL_INT || !power_of_two(t->u))
		return vt_tsdl_error(p, "align() takes a power of two");
	fc->u.st.min_align = (uint32_t)t->u;
	return vt_tsdl_expect(p, ")");
}

static struct vt_ctf_fc *structure(struct tsdl_parser *p)
{
	const char *name = NULL;
	if (vt_tsdl_peek(p, 0)->type == TSDL_IDENT && !vt_tsdl_is(vt_tsdl_peek(p, 0), "align"))
		name = vt_tsdl_next(p)->text;
	if (!vt_tsdl_accept(p, "{")) {
		struct vt_ctf_fc *fc = name ? lookup(p, "struct", name) : NULL;
		if (!name)
			vt_tsdl_error(p, "expected a struct body");
		return fc && struct_align(p, fc) == 0 ? fc : NULL;
	}
	struct vt_ctf_vec items;
	vt_ctf_vec_init(&items, sizeof(struct item));
	struct vt_ctf_fc *fc = NULL;
	if (body(p, &items) == 0 && (fc = vt_ctf_fc_new(p->arena, VT_CTF_FC_STRUCT)) &&
	    (fc->u.st.members = vt_ctf_alloc(p->arena, items.n * sizeof(struct vt_ctf_member)))) {
		const struct item *it = items.data;
		fc->u.st.nmembers = (uint32_t)items.n;
		for (size_t i = 0; i < items.n; i++) {
			fc->u.st.members[i].name = it[i].name;
			fc->u.st.members[i].fc = it[i].fc;
		}
		if (struct_align(p, fc) || check_height(p, fc) || (name && declare(p, "struct", name, fc)))
			fc = NULL;
	} else if (fc) {
		vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		fc = NULL;
	}
	vt_ctf_vec_free(&items);
	return fc;
}

/* A path in a variant tag or a sequence length, up to the closing token. */
static int location(struct tsdl_parser *p, struct vt_ctf_location *loc, const char *close)
{
	static const struct {
		const char *prefix[3];
		enum vt_ctf_scope scope;
	} roots[] = {
		{{"trace", "packet", "header"}, VT_CTF_SCOPE_PACKET_HEADER},
		{{"stream", "packet", "context"}, VT_CTF_SCOPE_PACKET_CONTEXT},
		{{"stream", "event", "header"}, VT_CTF_SCOPE_EVENT_HEADER},
		{{"stream", "event", "context"}, VT_CTF_SCOPE_EVENT_COMMON_CONTEXT},
		{{"event", "context", NULL}, VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT},
		{{"event", "fields", NULL}, VT_CTF_SCOPE_EVENT_PAYLOAD},
	};
	const char *ids[VT_CTF_MAX_PATH + 3];
	uint32_t n = 0;
	do {
		const struct tsdl_token *t = vt_tsdl_next(p);
		if (t->type != TSDL_IDENT)
			return vt_tsdl_error(p, "expected a field name in a path");
		if (n == VT_CTF_MAX_PATH + 3)
			return vt_tsdl_error(p, "a path is too long");
		ids[n++] = t->text;
	} while (vt_tsdl_accept(p, "."));
	if (vt_tsdl_expect(p, close))
		return -1;
	uint32_t skip = 0;
	loc->origin = VT_CTF_SCOPE_NONE;
	loc->lexical = 1;
	for (size_t r = 0; r < sizeof(roots) / sizeof(roots[0]) && !skip; r++) {
		uint32_t k = 0;
		while (k < 3 && roots[r].prefix[k] && k < n && strcmp(ids[k], roots[r].prefix[k]) == 0)
			k++;
		if ((k == 3 || !roots[r].prefix[k]) && k < n) {
			skip = k;
			loc->origin = roots[r].scope;
			loc->lexical = 0;
		}
	}
	if (n - skip > VT_CTF_MAX_PATH)
		return vt_tsdl_error(p, "a path is too long");
	loc->npath = n - skip;
	loc->path = vt_ctf_alloc(p->arena, loc->npath * sizeof(*loc->path));
	if (!loc->path)
		return vt_tsdl_error(p, "out of memory");
	for (uint32_t i = 0; i < loc->npath; i++)
		if (!(loc->path[i] = vt_tsdl_member_name(p, ids[skip + i])))
			return vt_tsdl_error(p, "out of memory");
	return 0;
}

static struct vt_ctf_fc *variant(struct tsdl_parser *p)
{
	const char *name = NULL;
	if (vt_tsdl_peek(p, 0)->type == TSDL_IDENT)
		name = vt_tsdl_next(p)->text;
	struct vt_ctf_location tag = {.origin = VT_CTF_SCOPE_NONE};
	int tagged = vt_tsdl_accept(p, "<");
	if (tagged && location(p, &tag, ">"))
		return NULL;
	struct vt_ctf_fc *fc = NULL;
	if (!vt_tsdl_accept(p, "{")) {
		if (!name)
			vt_tsdl_error(p, "expected a variant body");
		else if ((fc = lookup(p, "variant", name)) && tagged)
			fc->u.v.loc = tag;
		return fc;
	}
	struct vt_ctf_vec items;
	vt_ctf_vec_init(&items, sizeof(struct item));
	if (body(p, &items) == 0 && (fc = vt_ctf_fc_new(p->arena, VT_CTF_FC_VARIANT)) &&
	    (fc->u.v.options = vt_ctf_alloc(p->arena, items.n * sizeof(struct vt_ctf_option)))) {
		const struct item *it = items.data;
		fc->u.v.noptions = (uint32_t)items.n;
		for (size_t i = 0; i < items.n; i++) {
			fc->u.v.options[i].name = it[i].name;
			fc->u.v.options[i].label = it[i].raw;
			fc->u.v.options[i].fc = it[i].fc;
		}
		if (tagged)
			fc->u.v.loc = tag;
		if (check_height(p, fc) || (name && declare(p, "variant", name, fc)))
			fc = NULL;
	} else if (fc) {
		vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		fc = NULL;
	}
	vt_ctf_vec_free(&items);
	return fc;
}

/* A type named by one or more identifiers ("uint32_t", "unsigned long"). */
static struct vt_ctf_fc *named(struct tsdl_parser *p, int need_declarator)
{
	size_t n = 0;
	while (vt_tsdl_peek(p, n)->type == TSDL_IDENT)
		n++;
	if (need_declarator && n > 1)
		n--;
	char name[VT_CTF_MAX_NAME];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = vt_tsdl_next(p)->text;
		int w = snprintf(name + len, sizeof(name) - len, "%s%s", i ? " " : "", id);
		if (w < 0 || (size_t)w >= sizeof(name) - len) {
			vt_tsdl_error(p, "a type name is too long");
			return NULL;
		}
		len += (size_t)w;
	}
	return lookup(p, "", name);
}

struct vt_ctf_fc *vt_tsdl_type_spec(struct tsdl_parser *p, int need_declarator)
{
	const struct tsdl_token *t = vt_tsdl_peek(p, 0);
	if (t->type != TSDL_IDENT) {
		vt_tsdl_error(p, "expected a type");
		return NULL;
	}
	if (p->depth >= VT_CTF_MAX_DEPTH) {
		vt_tsdl_error(p, "types nest more than %d deep", VT_CTF_MAX_DEPTH);
		return NULL;
	}
	static const struct {
		const char *keyword;
		struct vt_ctf_fc *(*parse)(struct tsdl_parser *p);
	} kinds[] = {{"integer", integer},  {"floating_point", floating_point},
		     {"string", string},    {"enum", enumeration},
		     {"struct", structure}, {"variant", variant}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(t->text, kinds[i].keyword) == 0) {
			vt_tsdl_next(p);
			p->depth++;
			struct vt_ctf_fc *fc = kinds[i].parse(p);
			p->depth--;
			return fc;
		}
	return named(p, need_declarator);
}

/* An array of 8-bit text integers is a string, as babeltrace2 shows it. */
static int is_text_byte(const struct vt_ctf_fc *e)
{
	return (e->type == VT_CTF_FC_UINT || e->type == VT_CTF_FC_SINT) && e->u.i.text && e->u.i.length == 8 &&
	       e->align % 8 == 0 && !e->u.i.nmappings;
}

/* type[d0][d1]...: an array of d0 arrays of d1 ... */
static struct vt_ctf_fc *dimensions(struct tsdl_parser *p, struct vt_ctf_fc *type)
{
	struct vt_ctf_fc *dims[VT_CTF_MAX_DEPTH + 1];
	uint32_t n = 0;
	while (vt_tsdl_accept(p, "[")) {
		if (n == VT_CTF_MAX_DEPTH) {
			vt_tsdl_error(p, "too many array dimensions");
			return NULL;
		}
		const struct tsdl_token *t = vt_tsdl_peek(p, 0);
		struct vt_ctf_fc *a;
		if (t->type == TSDL_INT) {
			vt_tsdl_next(p);
			if (t->u > VT_CTF_MAX_STATIC_LENGTH) {
				vt_tsdl_error(p, "an array length of %llu is larger than %u", (unsigned long long)t->u,
					      VT_CTF_MAX_STATIC_LENGTH);
				return NULL;
			}
			if (!(a = vt_ctf_fc_new(p->arena, VT_CTF_FC_SL_ARRAY)))
				goto oom;
			a->u.a.length = t->u;
			if (vt_tsdl_expect(p, "]"))
				return NULL;
		} else {
			if (!(a = vt_ctf_fc_new(p->arena, VT_CTF_FC_DL_ARRAY)))
				goto oom;
			if (location(p, &a->u.a.loc, "]"))
				return NULL;
		}
		dims[n++] = a;
	}
	for (uint32_t i = n; i-- > 0;) {
		struct vt_ctf_fc *a = dims[i];
		if (is_text_byte(type)) {
			/* the same place, as a string: SL_STRING length / DL_STRING loc */
			struct vt_ctf_location loc = a->u.a.loc;
			uint64_t length = a->u.a.length;
			int dynamic = a->type == VT_CTF_FC_DL_ARRAY;
			memset(&a->u, 0, sizeof(a->u));
			a->type = dynamic ? VT_CTF_FC_DL_STRING : VT_CTF_FC_SL_STRING;
			a->u.s.length = length;
			a->u.s.loc = loc;
			a->align = type->align;
		} else {
			a->u.a.element = type;
		}
		type = a;
	}
	if (n && check_height(p, type))
		return NULL;
	return type;
oom:
	vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
	return NULL;
}

struct vt_ctf_fc *vt_tsdl_declarator(struct tsdl_parser *p, struct vt_ctf_fc *type, const char **name)
{
	const struct tsdl_token *t = vt_tsdl_next(p);
	if (t->type != TSDL_IDENT) {
		vt_tsdl_error(p, "expected a field name");
		return NULL;
	}
	*name = t->text;
	return dimensions(p, type);
}

int vt_tsdl_typealias(struct tsdl_parser *p)
{
	struct vt_ctf_fc *fc = vt_tsdl_type_spec(p, 0);
	if (!fc || !(fc = dimensions(p, fc)) || vt_tsdl_expect(p, ":="))
		return -1;
	char name[VT_CTF_MAX_NAME];
	size_t len = 0;
	while (vt_tsdl_peek(p, 0)->type == TSDL_IDENT) {
		int w = snprintf(name + len, sizeof(name) - len, "%s%s", len ? " " : "", vt_tsdl_next(p)->text);
		if (w < 0 || (size_t)w >= sizeof(name) - len)
			return vt_tsdl_error(p, "a type name is too long");
		len += (size_t)w;
	}
	while (vt_tsdl_accept(p, "*"))
		;
	if (!len)
		return vt_tsdl_error(p, "a typealias has no name");
	return declare(p, "", name, fc) || vt_tsdl_expect(p, ";") ? -1 : 0;
}

int vt_tsdl_typedef(struct tsdl_parser *p)
{
	struct vt_ctf_fc *type = vt_tsdl_type_spec(p, 1);
	if (!type)
		return -1;
	do {
		const char *name;
		struct vt_ctf_fc *copy = vt_ctf_fc_copy(p->arena, type);
		struct vt_ctf_fc *fc = copy ? vt_tsdl_declarator(p, copy, &name) : NULL;
		if (!copy)
			return vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
		if (!fc || declare(p, "", name, fc))
			return -1;
	} while (vt_tsdl_accept(p, ","));
	return vt_tsdl_expect(p, ";");
}

int vt_tsdl_scope_push(struct tsdl_parser *p)
{
	struct tsdl_scope *s = calloc(1, sizeof(*s));
	if (!s)
		return vt_tsdl_error(p, "out of memory");
	s->up = p->scope;
	p->scope = s;
	return 0;
}

void vt_tsdl_scope_pop(struct tsdl_parser *p)
{
	struct tsdl_scope *s = p->scope;
	p->scope = s->up;
	vt_ctf_names_free(&s->names);
	free(s);
}
