/* CTF 2 metadata: a JSON text sequence (RFC 7464, each fragment after a 0x1E
 * byte) of fragments: preamble first, then trace-class, clock-class,
 * data-stream-class, event-record-class and field-class-alias fragments,
 * into a trace class (field classes are ctf2_meta_fc.c's). */
#include "sources/ctf2_meta.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vt_ctf2_error(struct ctf2_parser *p, const char *fmt, ...)
{
	char msg[800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vt_error_set(p->err, "%s: fragment %zu (%s): %s", p->name, p->fragment,
			    p->fragment_type ? p->fragment_type : "?", msg);
}

static int preamble(struct ctf2_parser *p, json_t *j)
{
	struct vt_ctf_trace_class *tc = p->b.tc;
	json_t *v = json_object_get(j, "version"), *uuid = json_object_get(j, "uuid");
	if (!json_is_integer(v) || json_integer_value(v) != 2)
		return vt_ctf2_error(p, "\"version\" is not 2");
	if (json_object_size(json_object_get(j, "extensions")))
		return vt_ctf2_error(p, "the metadata uses extensions, which are not supported");
	if (!uuid)
		return 0;
	if (json_array_size(uuid) != 16)
		return vt_ctf2_error(p, "\"uuid\" is not an array of 16 bytes");
	for (size_t i = 0; i < 16; i++) {
		json_t *b = json_array_get(uuid, i);
		if (!json_is_integer(b) || json_integer_value(b) < 0 || json_integer_value(b) > 255)
			return vt_ctf2_error(p, "\"uuid\" is not an array of 16 bytes");
		tc->uuid[i] = (uint8_t)json_integer_value(b);
	}
	tc->has_uuid = 1;
	return 0;
}

static int environment(struct ctf2_parser *p, json_t *env)
{
	if (!json_is_object(env) || json_object_size(env) > VT_CTF_MAX_ENV)
		return vt_ctf2_error(p, "\"environment\" is not an object of at most %u entries", VT_CTF_MAX_ENV);
	const char *key;
	json_t *v;
	json_object_foreach(env, key, v) {
		struct vt_ctf_env_entry *e = vt_ctf_vec_push(&p->b.env);
		if (!e || !(e->name = vt_ctf_strdup(p->arena, key)))
			return vt_ctf2_error(p, "out of memory");
		if (json_is_integer(v))
			e->value = (int64_t)json_integer_value(v);
		else if (!json_is_string(v) || !(e->str = vt_ctf_strdup(p->arena, json_string_value(v))))
			return vt_ctf2_error(p, "environment entry \"%.100s\" is neither a string nor an integer", key);
	}
	return 0;
}

static int trace_class(struct ctf2_parser *p, json_t *j)
{
	struct vt_ctf_trace_class *tc = p->b.tc;
	int failed = 0;
	if (tc->major)
		return vt_ctf2_error(p, "a second trace-class fragment");
	tc->major = 2;
	json_t *env = json_object_get(j, "environment");
	if (vt_ctf2_str(p, j, "uid", &tc->uid) < 0 || (env && environment(p, env)))
		return -1;
	tc->packet_header = vt_ctf2_scope(p, j, "packet-header-field-class", &failed);
	return failed ? -1 : 0;
}

static int clock_class(struct ctf2_parser *p, json_t *j)
{
	struct vt_ctf_clock_class c = {0};
	json_t *off = json_object_get(j, "offset-from-origin"), *origin = json_object_get(j, "origin");
	int64_t seconds = 0;
	uint64_t cycles = 0;
	const char *uid = NULL;
	if (p->b.clocks.n >= VT_CTF_MAX_CLOCKS)
		return vt_ctf2_error(p, "too many clock classes");
	if (vt_ctf2_str(p, j, "id", &c.name) != 0)
		return vt_ctf2_error(p, "a clock class without an \"id\"");
	if (vt_ctf2_u64(p, j, "frequency", &c.frequency) != 0 || c.frequency == 0 || c.frequency > INT64_MAX)
		return vt_ctf2_error(p, "clock class \"%s\" has no usable \"frequency\"", c.name);
	if (vt_ctf2_str(p, j, "description", &c.description) < 0 || vt_ctf2_u64(p, j, "precision", &c.precision) < 0 ||
	    vt_ctf2_str(p, j, "uid", &uid) < 0)
		return -1;
	if (off && (!json_is_object(off) || vt_ctf2_i64(p, off, "seconds", &seconds) < 0 ||
		    vt_ctf2_u64(p, off, "cycles", &cycles) < 0))
		return vt_ctf2_error(p, "clock class \"%s\" has a malformed \"offset-from-origin\"", c.name);
	/* cycles >= frequency: carried into the seconds */
	uint64_t carry = cycles / c.frequency;
	if (carry > (uint64_t)(INT64_MAX - (seconds > 0 ? seconds : 0)))
		return vt_ctf2_error(p, "clock class \"%s\" has an offset that overflows", c.name);
	c.offset_seconds = seconds + (int64_t)carry;
	c.offset_cycles = cycles % c.frequency;
	c.origin_unix_epoch = json_is_string(origin) && strcmp(json_string_value(origin), "unix-epoch") == 0;
	c.has_uuid = uid && vt_ctf_uuid_parse(uid, c.uuid) == 0;
	if (vt_ctf_names_get(&p->clocks, c.name))
		return vt_ctf2_error(p, "two clock classes have id \"%s\"", c.name);
	struct vt_ctf_clock_class *slot = vt_ctf_vec_push(&p->b.clocks);
	if (!slot || vt_ctf_names_put(&p->clocks, c.name, (void *)(uintptr_t)p->b.clocks.n))
		return vt_ctf2_error(p, "out of memory");
	*slot = c;
	return 0;
}

static int data_stream_class(struct ctf2_parser *p, json_t *j)
{
	struct vt_ctf_stream_class *sc = vt_ctf_alloc(p->arena, sizeof(*sc));
	struct vt_ctf_stream_class **slot =
		sc && p->b.streams.n < VT_CTF_MAX_STREAM_CLASSES ? vt_ctf_vec_push(&p->b.streams) : NULL;
	if (!slot)
		return vt_ctf2_error(p, sc ? "too many data stream classes" : "out of memory");
	*slot = sc;
	const char *clock = NULL;
	int failed = 0;
	if (vt_ctf2_u64(p, j, "id", &sc->id) < 0 || vt_ctf2_str(p, j, "default-clock-class-id", &clock) < 0)
		return -1;
	uint32_t *k = vt_ctf_vec_push(&p->b.stream_clocks);
	if (!k)
		return vt_ctf2_error(p, "out of memory");
	if (clock && !(*k = (uint32_t)(uintptr_t)vt_ctf_names_get(&p->clocks, clock)))
		return vt_ctf2_error(p, "default clock class \"%s\" is not declared before", clock);
	sc->packet_context = vt_ctf2_scope(p, j, "packet-context-field-class", &failed);
	if (!failed)
		sc->event_header = vt_ctf2_scope(p, j, "event-record-header-field-class", &failed);
	if (!failed)
		sc->event_common_context = vt_ctf2_scope(p, j, "event-record-common-context-field-class", &failed);
	return failed ? -1 : 0;
}

/* LTTng (and babeltrace2) keep the log level in their namespace's attributes. */
static int log_level(json_t *j)
{
	static const char *const names[] = {"emergency",      "alert",         "critical",     "error",
					    "warning",        "notice",        "info",         "debug:system",
					    "debug:program",  "debug:process", "debug:module", "debug:unit",
					    "debug:function", "debug:line",    "debug"};
	json_t *attrs = json_object_get(j, "attributes");
	const char *ns[] = {"lttng.org,2009", "babeltrace.org,2020"};
	for (size_t n = 0; n < 2; n++) {
		const char *s = json_string_value(json_object_get(json_object_get(attrs, ns[n]), "log-level"));
		for (int i = 0; s && i < 15; i++)
			if (strcmp(s, names[i]) == 0)
				return i;
	}
	return -1;
}

static int event_record_class(struct ctf2_parser *p, json_t *j)
{
	struct vt_ctf_event_class *ec = vt_ctf_alloc(p->arena, sizeof(*ec));
	struct vt_ctf_event_class **e =
		ec && p->b.events.n < VT_CTF_MAX_EVENT_CLASSES ? vt_ctf_vec_push(&p->b.events) : NULL;
	uint64_t *sid = e ? vt_ctf_vec_push(&p->b.event_sids) : NULL;
	if (!sid)
		return vt_ctf2_error(p, ec && e ? "out of memory" : "too many event record classes");
	*e = ec;
	int failed = 0;
	if (vt_ctf2_u64(p, j, "id", &ec->id) < 0 || vt_ctf2_u64(p, j, "data-stream-class-id", sid) < 0 ||
	    vt_ctf2_str(p, j, "name", &ec->name) < 0)
		return -1;
	if (!ec->name && !(ec->name = vt_ctf_strdup(p->arena, "")))
		return vt_ctf2_error(p, "out of memory");
	ec->loglevel = log_level(j);
	json_t *lttng = json_object_get(json_object_get(j, "attributes"), "lttng.org,2009");
	if (vt_ctf2_str(p, lttng, "emf-uri", &ec->emf_uri) < 0)
		return -1;
	ec->specific_context = vt_ctf2_scope(p, j, "specific-context-field-class", &failed);
	if (!failed)
		ec->payload = vt_ctf2_scope(p, j, "payload-field-class", &failed);
	return failed ? -1 : 0;
}

static int field_class_alias(struct ctf2_parser *p, json_t *j)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	json_t *fc = json_object_get(j, "field-class");
	if (!name || !fc)
		return vt_ctf2_error(p, "a field class alias needs a \"name\" and a \"field-class\"");
	if (vt_ctf_names_get(&p->aliases, name))
		return vt_ctf2_error(p, "two field class aliases are named \"%.100s\"", name);
	/* Checked now, so that an error names this fragment; copied at each use. */
	if (!vt_ctf2_fc(p, fc, 1, name))
		return -1;
	if (json_array_append(p->kept, j) || vt_ctf_names_put(&p->aliases, name, fc))
		return vt_ctf2_error(p, "out of memory");
	return 0;
}

static int fragment(struct ctf2_parser *p, json_t *j)
{
	static const struct {
		const char *type;
		int (*parse)(struct ctf2_parser *p, json_t *j);
	} kinds[] = {{"preamble", preamble},
		     {"trace-class", trace_class},
		     {"clock-class", clock_class},
		     {"data-stream-class", data_stream_class},
		     {"event-record-class", event_record_class},
		     {"field-class-alias", field_class_alias}};
	const char *type = json_string_value(json_object_get(j, "type"));
	p->fragment_type = type;
	if (!json_is_object(j) || !type)
		return vt_ctf2_error(p, "a fragment that is not an object with a \"type\"");
	if ((p->fragment == 1) != (strcmp(type, "preamble") == 0))
		return vt_ctf2_error(p,
				     p->fragment == 1 ? "the first fragment is not the preamble" : "a second preamble");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(type, kinds[i].type) == 0)
			return kinds[i].parse(p, j);
	return vt_ctf2_error(p, "unknown fragment type \"%.100s\"", type);
}

static int fragments(struct ctf2_parser *p, const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t end = i + 1;
		while (end < len && text[end] != 0x1E)
			end++;
		p->fragment++;
		p->fragment_type = NULL;
		json_error_t jerr;
		json_t *j = json_loadb(text + i + 1, end - i - 1, JSON_REJECT_DUPLICATES, &jerr);
		if (!j)
			return vt_ctf2_error(p, "not JSON: %s (line %d)", jerr.text, jerr.line);
		int rc = vt_ctf2_draft_upgrade(j) ? vt_ctf2_error(p, "out of memory") : fragment(p, j);
		json_decref(j);
		if (rc)
			return -1;
		i = end;
	}
	if (p->fragment == 0)
		return vt_error_set(p->err, "%s: the metadata has no fragment", p->name);
	return 0;
}

int vt_ctf2_meta_parse(struct vt_ctf_trace_class **out, const char *text, size_t len, const char *name,
		       struct vt_error *err)
{
	struct ctf2_parser p = {.name = name, .err = err};
	*out = NULL;
	if (vt_ctf_builder_init(&p.b, name, err))
		return -1;
	p.arena = p.b.arena;
	p.kept = json_array();
	int rc = p.kept ? fragments(&p, text, len) : vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", name);
	if (rc == 0 && p.b.streams.n == 0 && p.b.events.n)
		rc = vt_error_set(err, "%s: event record classes but no data stream class", name);
	p.b.tc->major = 2; /* the trace-class fragment is optional */
	vt_ctf_names_free(&p.aliases);
	vt_ctf_names_free(&p.clocks);
	json_decref(p.kept);
	if (rc) {
		vt_ctf_builder_abort(&p.b);
		return -1;
	}
	return vt_ctf_builder_finish(&p.b, out, err);
}
