/* TSDL's top level: typealias/typedef, the trace, env, clock, stream, event
 * and callsite blocks, into a trace class (types are ctf_tsdl_types.c's). */
#include "sources/ctf_tsdl.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct tsdl_token *vt_tsdl_peek(const struct tsdl_parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;
	return &p->lx.toks[i < p->lx.ntoks ? i : p->lx.ntoks - 1];
}

const struct tsdl_token *vt_tsdl_next(struct tsdl_parser *p)
{
	const struct tsdl_token *t = vt_tsdl_peek(p, 0);
	if (t->type != TSDL_END)
		p->pos++;
	return t;
}

int vt_tsdl_is(const struct tsdl_token *t, const char *text)
{
	return (t->type == TSDL_PUNCT || t->type == TSDL_IDENT) && strcmp(t->text, text) == 0;
}

int vt_tsdl_accept(struct tsdl_parser *p, const char *punct)
{
	const struct tsdl_token *t = vt_tsdl_peek(p, 0);
	if (t->type != TSDL_PUNCT || strcmp(t->text, punct) != 0)
		return 0;
	p->pos++;
	return 1;
}

const char *vt_tsdl_describe(const struct tsdl_token *t, char *buf, size_t size)
{
	switch (t->type) {
	case TSDL_END:
		return "the end of the metadata";
	case TSDL_INT:
		snprintf(buf, size, "the number %" PRIu64, t->u);
		return buf;
	case TSDL_STRING:
		return "a string";
	case TSDL_CHAR:
		return "a character";
	default:
		snprintf(buf, size, "\"%.40s\"", t->text);
		return buf;
	}
}

int vt_tsdl_expect(struct tsdl_parser *p, const char *punct)
{
	if (vt_tsdl_accept(p, punct))
		return 0;
	char buf[64];
	return vt_tsdl_error(p, "expected \"%s\", found %s", punct,
			     vt_tsdl_describe(vt_tsdl_peek(p, 0), buf, sizeof(buf)));
}

int vt_tsdl_error(struct tsdl_parser *p, const char *fmt, ...)
{
	char msg[800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The line of the token read last (the one the problem was found at). */
	const struct tsdl_token *t = &p->lx.toks[p->pos ? p->pos - 1 : 0];
	return vt_error_set(p->err, "%s:%u: %s", p->name, t->line, msg);
}

int vt_tsdl_value(struct tsdl_parser *p, struct tsdl_value *v)
{
	memset(v, 0, offsetof(struct tsdl_value, text));
	v->text[0] = '\0';
	v->neg = vt_tsdl_accept(p, "-");
	if (!v->neg)
		vt_tsdl_accept(p, "+");
	const struct tsdl_token *t = vt_tsdl_next(p);
	v->line = t->line;
	if (t->type == TSDL_INT || t->type == TSDL_CHAR) {
		v->kind = TSDL_V_INT;
		v->u = t->u;
	} else if (v->neg) {
		return vt_tsdl_error(p, "a minus sign before something other than a number");
	} else if (t->type == TSDL_STRING) {
		v->kind = TSDL_V_STRING;
		snprintf(v->text, sizeof(v->text), "%s", t->text);
	} else if (t->type == TSDL_IDENT) {
		v->kind = TSDL_V_IDENT;
		size_t len = (size_t)snprintf(v->text, sizeof(v->text), "%s", t->text);
		while (vt_tsdl_accept(p, ".")) {
			t = vt_tsdl_next(p);
			if (t->type != TSDL_IDENT)
				return vt_tsdl_error(p, "expected a name after \".\"");
			len += (size_t)snprintf(v->text + len, sizeof(v->text) - len, ".%s", t->text);
			if (len >= sizeof(v->text))
				return vt_tsdl_error(p, "a value is too long");
		}
	} else {
		return vt_tsdl_error(p, "expected a value");
	}
	return vt_tsdl_expect(p, ";");
}

int vt_tsdl_value_bool(struct tsdl_parser *p, const struct tsdl_value *v, int *out)
{
	static const char *const yes[] = {"true", "TRUE", "True"}, *const no[] = {"false", "FALSE", "False"};
	if (v->kind == TSDL_V_INT && !v->neg && v->u <= 1) {
		*out = (int)v->u;
		return 0;
	}
	for (size_t i = 0; v->kind == TSDL_V_IDENT && i < 3; i++)
		if (strcmp(v->text, yes[i]) == 0 || strcmp(v->text, no[i]) == 0) {
			*out = strcmp(v->text, yes[i]) == 0;
			return 0;
		}
	return vt_tsdl_error(p, "expected true or false");
}

int vt_tsdl_value_u64(struct tsdl_parser *p, const struct tsdl_value *v, uint64_t *out)
{
	if (v->kind != TSDL_V_INT || (v->neg && v->u))
		return vt_tsdl_error(p, "expected a non-negative integer");
	*out = v->u;
	return 0;
}

int vt_tsdl_value_i64(struct tsdl_parser *p, const struct tsdl_value *v, int64_t *out)
{
	if (v->kind != TSDL_V_INT || v->u > (uint64_t)INT64_MAX + v->neg)
		return vt_tsdl_error(p, "expected a 64-bit signed integer");
	*out = v->neg ? (int64_t)(0 - v->u) : (int64_t)v->u;
	return 0;
}

const char *vt_tsdl_member_name(struct tsdl_parser *p, const char *raw)
{
	return vt_ctf_strdup(p->arena, raw[0] == '_' ? raw + 1 : raw);
}

/* NAME[.NAME]... = value; or NAME[.NAME]... := type; in a block. *type is set for the second form. */
static int block_entry(struct tsdl_parser *p, char *name, size_t size, struct tsdl_value *v, struct vt_ctf_fc **type)
{
	size_t len = 0;
	*type = NULL;
	do {
		const struct tsdl_token *t = vt_tsdl_next(p);
		if (t->type != TSDL_IDENT) {
			char buf[64];
			return vt_tsdl_error(p, "expected an attribute name, found %s",
					     vt_tsdl_describe(t, buf, sizeof(buf)));
		}
		len += (size_t)snprintf(name + len, size - len, "%s%s", len ? "." : "", t->text);
		if (len >= size)
			return vt_tsdl_error(p, "an attribute name is too long");
	} while (vt_tsdl_accept(p, "."));
	if (vt_tsdl_accept(p, ":=")) {
		if (!(*type = vt_tsdl_type_spec(p, 0)))
			return -1;
		if ((*type)->type != VT_CTF_FC_STRUCT)
			return vt_tsdl_error(p, "%s is not a struct", name);
		return vt_tsdl_expect(p, ";");
	}
	if (vt_tsdl_expect(p, "="))
		return -1;
	return vt_tsdl_value(p, v);
}

static int unknown(struct tsdl_parser *p, const char *name, const char *block)
{
	return vt_tsdl_error(p, "unknown attribute \"%s\" in a %s block", name, block);
}

static int uuid_value(struct tsdl_parser *p, const struct tsdl_value *v, uint8_t out[16])
{
	if (v->kind != TSDL_V_STRING || vt_ctf_uuid_parse(v->text, out))
		return vt_tsdl_error(p, "\"%s\" is not a uuid", v->text);
	return 0;
}

static const char *string_value(struct tsdl_parser *p, const struct tsdl_value *v)
{
	if (v->kind == TSDL_V_INT) {
		vt_tsdl_error(p, "expected a string or a name");
		return NULL;
	}
	const char *s = vt_ctf_strdup(p->arena, v->text);
	if (!s)
		vt_tsdl_error(p, "out of memory");
	return s;
}

static int trace_block(struct tsdl_parser *p)
{
	struct vt_ctf_trace_class *tc = p->b.tc;
	uint64_t major = 1, minor = 8;
	if (p->seen_trace++)
		return vt_tsdl_error(p, "a second trace block");
	int rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		char name[128];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
		if (type && strcmp(name, "packet.header") == 0) {
			tc->packet_header = type;
			rc = vt_tsdl_roles(p, type, VT_CTF_SCOPE_PACKET_HEADER);
		} else if (type)
			rc = unknown(p, name, "trace");
		else if (strcmp(name, "major") == 0)
			rc = vt_tsdl_value_u64(p, &v, &major);
		else if (strcmp(name, "minor") == 0)
			rc = vt_tsdl_value_u64(p, &v, &minor);
		else if (strcmp(name, "uuid") == 0)
			rc = uuid_value(p, &v, tc->uuid), tc->has_uuid = 1;
		else if (strcmp(name, "byte_order") == 0)
			rc = 0; /* read before the rest (prescan) */
		else
			rc = unknown(p, name, "trace");
	}
	if (rc == 0 && (major != 1 || minor != 8))
		rc = vt_tsdl_error(p, "the trace block says CTF %" PRIu64 ".%" PRIu64 ", not 1.8", major, minor);
	return rc;
}

static int env_block(struct tsdl_parser *p)
{
	while (!vt_tsdl_accept(p, "}")) {
		char name[VT_CTF_MAX_NAME];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
		if (type)
			return unknown(p, name, "env");
		struct vt_ctf_env_entry *e = p->b.env.n < VT_CTF_MAX_ENV ? vt_ctf_vec_push(&p->b.env) : NULL;
		if (!e)
			return vt_tsdl_error(p, "too many env entries");
		if (!(e->name = vt_ctf_strdup(p->arena, name)))
			return vt_tsdl_error(p, "out of memory");
		if (v.kind == TSDL_V_INT) {
			if (vt_tsdl_value_i64(p, &v, &e->value))
				return -1;
		} else if (!(e->str = string_value(p, &v))) {
			return -1;
		}
	}
	return 0;
}

/* offset_s + offset cycles, normalized to 0 <= cycles < freq. */
static int clock_offset(struct tsdl_parser *p, struct vt_ctf_clock_class *c, int64_t seconds, int64_t cycles)
{
	int64_t f = (int64_t)c->frequency, extra = cycles / f, rest = cycles % f;
	if (rest < 0) {
		rest += f;
		extra--;
	}
	if ((extra > 0 && seconds > INT64_MAX - extra) || (extra < 0 && seconds < INT64_MIN - extra))
		return vt_tsdl_error(p, "the clock offset overflows");
	c->offset_seconds = seconds + extra;
	c->offset_cycles = (uint64_t)rest;
	return 0;
}

static int clock_block(struct tsdl_parser *p)
{
	if (p->b.clocks.n >= VT_CTF_MAX_CLOCKS)
		return vt_tsdl_error(p, "too many clocks");
	struct vt_ctf_clock_class c = {.frequency = 1000000000};
	int64_t seconds = 0, cycles = 0;
	int rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		char name[128];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
		if (type)
			rc = unknown(p, name, "clock");
		else if (strcmp(name, "name") == 0)
			rc = (c.name = string_value(p, &v)) ? 0 : -1;
		else if (strcmp(name, "uuid") == 0)
			rc = uuid_value(p, &v, c.uuid), c.has_uuid = 1;
		else if (strcmp(name, "description") == 0)
			rc = (c.description = string_value(p, &v)) ? 0 : -1;
		else if (strcmp(name, "freq") == 0)
			rc = vt_tsdl_value_u64(p, &v, &c.frequency);
		else if (strcmp(name, "precision") == 0)
			rc = vt_tsdl_value_u64(p, &v, &c.precision);
		else if (strcmp(name, "offset_s") == 0)
			rc = vt_tsdl_value_i64(p, &v, &seconds);
		else if (strcmp(name, "offset") == 0)
			rc = vt_tsdl_value_i64(p, &v, &cycles);
		else if (strcmp(name, "absolute") == 0)
			rc = vt_tsdl_value_bool(p, &v, &c.origin_unix_epoch);
		else
			rc = unknown(p, name, "clock");
	}
	if (rc)
		return -1;
	if (!c.name)
		return vt_tsdl_error(p, "a clock has no name");
	if (c.frequency == 0 || c.frequency > INT64_MAX)
		return vt_tsdl_error(p, "clock \"%s\" has a frequency of %" PRIu64 " Hz", c.name, c.frequency);
	if (vt_ctf_names_get(&p->clocks, c.name))
		return vt_tsdl_error(p, "two clocks are named \"%s\"", c.name);
	if (clock_offset(p, &c, seconds, cycles))
		return -1;
	struct vt_ctf_clock_class *slot = vt_ctf_vec_push(&p->b.clocks);
	if (!slot || vt_ctf_names_put(&p->clocks, c.name, (void *)(uintptr_t)p->b.clocks.n))
		return vt_tsdl_error(p, "out of memory");
	*slot = c;
	return 0;
}

static int stream_block(struct tsdl_parser *p)
{
	struct vt_ctf_stream_class *sc = vt_ctf_alloc(p->arena, sizeof(*sc));
	struct vt_ctf_stream_class **slot =
		sc && p->b.streams.n < VT_CTF_MAX_STREAM_CLASSES ? vt_ctf_vec_push(&p->b.streams) : NULL;
	if (!slot)
		return vt_tsdl_error(p, sc ? "too many stream blocks" : "out of memory");
	*slot = sc;
	int rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		char name[128];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
		if (type && strcmp(name, "packet.context") == 0) {
			sc->packet_context = type;
			rc = vt_tsdl_roles(p, type, VT_CTF_SCOPE_PACKET_CONTEXT);
		} else if (type && strcmp(name, "event.header") == 0) {
			sc->event_header = type;
			rc = vt_tsdl_roles(p, type, VT_CTF_SCOPE_EVENT_HEADER);
		} else if (type && strcmp(name, "event.context") == 0)
			sc->event_common_context = type;
		else if (type)
			rc = unknown(p, name, "stream");
		else if (strcmp(name, "id") == 0)
			rc = vt_tsdl_value_u64(p, &v, &sc->id);
		else
			rc = unknown(p, name, "stream");
	}
	return rc;
}

static int event_block(struct tsdl_parser *p)
{
	struct vt_ctf_event_class *ec = vt_ctf_alloc(p->arena, sizeof(*ec));
	if (!ec)
		return vt_tsdl_error(p, "%s", vt_ctf_arena_why(p->arena));
	uint64_t sid = 0;
	int64_t loglevel = -1;
	int rc = 0;
	while (rc == 0 && !vt_tsdl_accept(p, "}")) {
		char name[128];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
		if (type && strcmp(name, "context") == 0)
			ec->specific_context = type;
		else if (type && strcmp(name, "fields") == 0)
			ec->payload = type;
		else if (type)
			rc = unknown(p, name, "event");
		else if (strcmp(name, "name") == 0)
			rc = (ec->name = string_value(p, &v)) ? 0 : -1;
		else if (strcmp(name, "id") == 0)
			rc = vt_tsdl_value_u64(p, &v, &ec->id);
		else if (strcmp(name, "stream_id") == 0)
			rc = vt_tsdl_value_u64(p, &v, &sid);
		else if (strcmp(name, "loglevel") == 0)
			rc = vt_tsdl_value_i64(p, &v, &loglevel);
		else if (strcmp(name, "model.emf.uri") == 0)
			rc = (ec->emf_uri = string_value(p, &v)) ? 0 : -1;
		else
			rc = unknown(p, name, "event");
	}
	if (rc)
		return -1;
	if (!ec->name)
		return vt_tsdl_error(p, "an event block has no name");
	ec->loglevel = loglevel >= 0 && loglevel <= INT32_MAX ? (int)loglevel : -1;
	struct vt_ctf_event_class **e = p->b.events.n < VT_CTF_MAX_EVENT_CLASSES ? vt_ctf_vec_push(&p->b.events) : NULL;
	uint64_t *s = e ? vt_ctf_vec_push(&p->b.event_sids) : NULL;
	if (!s)
		return vt_tsdl_error(p, e ? "out of memory" : "too many event blocks");
	*e = ec;
	*s = sid;
	return 0;
}

/* callsite blocks (LTTng-UST's source locations) are read and forgotten. */
static int callsite_block(struct tsdl_parser *p)
{
	while (!vt_tsdl_accept(p, "}")) {
		char name[128];
		struct tsdl_value v;
		struct vt_ctf_fc *type;
		if (block_entry(p, name, sizeof(name), &v, &type))
			return -1;
	}
	return 0;
}

static int top_level(struct tsdl_parser *p)
{
	static const struct {
		const char *keyword;
		int (*parse)(struct tsdl_parser *p);
	} blocks[] = {{"trace", trace_block},   {"env", env_block},     {"clock", clock_block},
		      {"stream", stream_block}, {"event", event_block}, {"callsite", callsite_block}};
	const struct tsdl_token *t = vt_tsdl_peek(p, 0);
	if (vt_tsdl_accept(p, ";"))
		return 0;
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (vt_tsdl_is(t, blocks[i].keyword) && vt_tsdl_is(vt_tsdl_peek(p, 1), "{")) {
			p->pos += 2;
			return blocks[i].parse(p) || vt_tsdl_expect(p, ";") ? -1 : 0;
		}
	if (vt_tsdl_is(t, "typealias") || vt_tsdl_is(t, "typedef")) {
		vt_tsdl_next(p);
		return vt_tsdl_is(t, "typealias") ? vt_tsdl_typealias(p) : vt_tsdl_typedef(p);
	}
	if (vt_tsdl_is(t, "struct") || vt_tsdl_is(t, "enum") || vt_tsdl_is(t, "variant") || vt_tsdl_is(t, "integer") ||
	    vt_tsdl_is(t, "floating_point") || vt_tsdl_is(t, "string"))
		return vt_tsdl_type_spec(p, 0) ? vt_tsdl_expect(p, ";") : -1;
	char buf[64];
	vt_tsdl_next(p);
	return vt_tsdl_error(p, "unexpected %s at the top level", vt_tsdl_describe(t, buf, sizeof(buf)));
}

/* `native` means the trace block's byte_order, which LTTng writes after the typealiases that use it. */
static int prescan_byte_order(struct tsdl_parser *p)
{
	const struct tsdl_token *t = p->lx.toks;
	size_t n = p->lx.ntoks;
	int depth = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (vt_tsdl_is(&t[i], "{"))
			depth++;
		else if (vt_tsdl_is(&t[i], "}"))
			depth--;
		if (depth != 0 || !vt_tsdl_is(&t[i], "trace") || !vt_tsdl_is(&t[i + 1], "{"))
			continue;
		for (size_t j = i + 2, d = 1; j + 2 < n && d > 0; j++) {
			d += vt_tsdl_is(&t[j], "{") - vt_tsdl_is(&t[j], "}");
			if (d == 1 && vt_tsdl_is(&t[j], "byte_order") && vt_tsdl_is(&t[j + 1], "=")) {
				p->pos = j + 2;
				struct tsdl_value v;
				if (vt_tsdl_value(p, &v))
					return -1;
				if (v.kind == TSDL_V_IDENT &&
				    (strcmp(v.text, "be") == 0 || strcmp(v.text, "network") == 0))
					p->b.tc->byte_order = VT_CTF_BE;
				else if (v.kind == TSDL_V_IDENT && strcmp(v.text, "le") == 0)
					p->b.tc->byte_order = VT_CTF_LE;
				else
					return vt_tsdl_error(p, "the trace's byte_order is not be, le or network");
				p->have_byte_order = 1;
				p->pos = 0;
				return 0;
			}
		}
		return 0;
	}
	return 0;
}

/* What is known once everything is read: the implicit stream 0, LTTng's epoch clocks. */
static int conclude(struct tsdl_parser *p)
{
	if (!p->seen_trace)
		return vt_error_set(p->err, "%s: the metadata has no trace block (truncated, or not CTF 1.8)", p->name);
	if (p->b.streams.n == 0) {
		struct vt_ctf_stream_class *sc = vt_ctf_alloc(p->arena, sizeof(*sc));
		struct vt_ctf_stream_class **slot = sc ? vt_ctf_vec_push(&p->b.streams) : NULL;
		if (!slot)
			return vt_error_set_cause(p->err, VT_ERR_NOMEM, "%s: out of memory", p->name);
		*slot = sc;
	}
	const char *tracer = NULL;
	const struct vt_ctf_env_entry *env = p->b.env.data;
	for (size_t i = 0; i < p->b.env.n; i++)
		if (strcmp(env[i].name, "tracer_name") == 0)
			tracer = env[i].str;
	/* LTTng's clock offsets place them on the epoch, though they do not say `absolute`. */
	struct vt_ctf_clock_class *c = p->b.clocks.data;
	for (size_t i = 0; tracer && strncmp(tracer, "lttng", 5) == 0 && i < p->b.clocks.n; i++)
		c[i].origin_unix_epoch = 1;
	return 0;
}

int vt_ctf_tsdl_parse(struct vt_ctf_trace_class **out, const char *text, size_t len, const char *name,
		      struct vt_error *err)
{
	struct tsdl_parser p = {.name = name, .err = err};
	*out = NULL;
	if (vt_tsdl_lex(&p.lx, text, len, name, err)) {
		vt_tsdl_lex_free(&p.lx);
		return -1;
	}
	if (vt_ctf_builder_init(&p.b, name, err)) {
		vt_tsdl_lex_free(&p.lx);
		return -1;
	}
	p.arena = p.b.arena;
	p.b.tc->major = 1;
	p.b.tc->minor = 8;
	int rc = vt_tsdl_scope_push(&p) || prescan_byte_order(&p);
	while (rc == 0 && vt_tsdl_peek(&p, 0)->type != TSDL_END)
		rc = top_level(&p);
	if (rc == 0)
		rc = conclude(&p);
	while (p.scope)
		vt_tsdl_scope_pop(&p);
	vt_ctf_names_free(&p.clocks);
	vt_tsdl_lex_free(&p.lx);
	if (rc) {
		vt_ctf_builder_abort(&p.b);
		return -1;
	}
	return vt_ctf_builder_finish(&p.b, out, err);
}
