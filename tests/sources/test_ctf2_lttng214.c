/* vmtrace-sim --format ctf2 writes CTF 2 metadata as LTTng 2.14 really
 * writes it (lttng-modules 2.14's metadata-ctf-2.c for kernel traces,
 * lttng-sessiond 2.14's ctf2-trace-class-visitor.cpp for UST ones):
 *
 * - both: an empty trace-class name, tracer_minor 14, no clock precision,
 *   enumeration labels without CTF 1.8's leading '_', no padding members;
 * - kernel: the packet header, packet context and event header defined once
 *   as field-class-alias fragments ("pkt-header", "pkt-ctx",
 *   "er-header-compact"/"er-header-large", with "u32-erc-id" and "u64-ts"
 *   inside) before the trace class and named by it and the data stream
 *   classes; every location relative ({"path": [sibling]}, no origin);
 *   compact JSON, a line feed after each fragment; no event attributes;
 * - UST: field classes inline, locations absolute, each fragment indented
 *   by 2 with sorted keys and no line feed after it.
 *
 * Each trait is counted, so that the test fails when one is missing. Then a
 * copy is rewritten the other way, as babeltrace2 writes CTF 2 (aliases
 * inlined, locations absolute, compact JSON): the native reader must give
 * the same events from both, so its reading of either spelling stays
 * covered; the rewrite must have changed something. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "same_events.h"
#include "testutil.h"

static char *tmp;
static char sim[4200], other[4200];

/* What the traits checks met, over all metadata files. */
static struct {
	int kernel, ust, aliases, named, relative, absolute, labels, inlined, relocated;
} seen;

/* Calls visit(obj, data) on every object inside o (o too), before its members. */
static void each_object(json_t *o, void (*visit)(json_t *obj, void *data), void *data)
{
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_array(o)) {
		json_array_foreach(o, i, v)
			each_object(v, visit, data);
		return;
	}
	if (!json_is_object(o))
		return;
	visit(o, data);
	json_object_foreach(o, key, v)
		each_object(v, visit, data);
}

/* The fragments of the metadata at path (each 0x1E then JSON), as an array; *text: the file. */
static json_t *fragments(const char *path, char **text, size_t *len)
{
	*text = vt_read_file(path, len);
	assert_non_null(*text);
	json_t *frags = json_array();
	for (char *p = *text, *end = *text + *len; p < end;) {
		assert_int_equal(*p, 0x1e);
		char *rs = memchr(p + 1, 0x1e, (size_t)(end - p - 1));
		size_t n = (size_t)((rs ? rs : end) - p);
		json_error_t jerr;
		json_t *f = json_loadb(p + 1, n - 1, 0, &jerr);
		if (!f)
			fail_msg("%s: %s", path, jerr.text);
		json_array_append_new(frags, f);
		p = rs ? rs : end;
	}
	return frags;
}

static const char *type_of(json_t *f)
{
	const char *t = json_string_value(json_object_get(f, "type"));
	return t ? t : "";
}

/* Kernel: no location has an origin; UST: every one has. */
static void locations(json_t *o, void *data)
{
	int kernel = *(int *)data;
	static const char *const keys[] = {"length-field-location", "selector-field-location"};
	for (size_t k = 0; k < 2; k++) {
		json_t *loc = json_object_get(o, keys[k]);
		if (!loc)
			continue;
		int origin = json_object_get(loc, "origin") != NULL;
		if (origin == kernel)
			fail_msg("a %s location %s an origin", kernel ? "kernel" : "UST", origin ? "has" : "lacks");
		if (kernel)
			assert_int_equal(json_array_size(json_object_get(loc, "path")), 1);
		seen.relative += kernel;
		seen.absolute += !kernel;
	}
}

/* Labels as the tracer declares them: none starts with '_'. */
static void labels(json_t *o, void *data)
{
	(void)data;
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(o, "mappings"), key, v) {
		if (key[0] == '_')
			fail_msg("enumeration label \"%s\" has CTF 1.8's '_'", key);
		seen.labels++;
	}
	json_t *members = json_object_get(o, "member-classes");
	size_t i;
	json_array_foreach(members, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		if (name && strstr(name, "_padding"))
			fail_msg("padding member \"%s\"", name);
	}
}

/* A scope named by an alias defined before (kernel), or inline (UST). */
static void scope_ref(json_t *f, const char *key, json_t *defined, int kernel)
{
	json_t *fc = json_object_get(f, key);
	if (!fc)
		return;
	if (!kernel) {
		assert_true(json_is_object(fc));
		return;
	}
	if (!json_is_string(fc) || !json_object_get(defined, json_string_value(fc)))
		fail_msg("kernel %s is not the name of an alias defined before", key);
	seen.named++;
}

/* The framing: kernel, compact and a line feed; UST, jansson's JSON_INDENT(2)
 * | JSON_SORT_KEYS (nlohmann's dump(2) for these documents) and nothing after. */
static void framing(const char *path, const char *text, size_t len, json_t *frags, int kernel)
{
	size_t i, at = 0;
	json_t *f;
	json_array_foreach(frags, i, f) {
		char *want = json_dumps(f, kernel ? JSON_COMPACT : JSON_INDENT(2) | JSON_SORT_KEYS);
		size_t n = strlen(want);
		if (at + 1 + n + (size_t)kernel > len || text[at] != 0x1e || memcmp(text + at + 1, want, n) != 0 ||
		    (kernel && text[at + 1 + n] != '\n'))
			fail_msg("%s: fragment %zu is not framed as LTTng 2.14 frames a %s fragment", path, i + 1,
				 kernel ? "kernel" : "UST");
		at += 1 + n + (size_t)kernel;
		free(want);
	}
	assert_int_equal(at, len);
}

/* The traits of one metadata file (kernel: under a kernel/ directory). */
static void traits(const char *path, int kernel)
{
	char *text;
	size_t len, i;
	json_t *frags = fragments(path, &text, &len), *f, *defined = json_object();
	framing(path, text, len, frags, kernel);
	int trace_class = 0;
	json_array_foreach(frags, i, f) {
		const char *type = type_of(f);
		if (!strcmp(type, "field-class-alias")) {
			assert_true(kernel && !trace_class);
			json_object_set(defined, json_string_value(json_object_get(f, "name")), f);
			seen.aliases++;
		} else if (!strcmp(type, "trace-class")) {
			trace_class = 1;
			assert_string_equal(json_string_value(json_object_get(f, "name")), "");
			json_t *env = json_object_get(f, "environment");
			assert_int_equal(json_integer_value(json_object_get(env, "tracer_minor")), 14);
			scope_ref(f, "packet-header-field-class", defined, kernel);
		} else if (!strcmp(type, "clock-class")) {
			assert_null(json_object_get(f, "precision"));
		} else if (!strcmp(type, "data-stream-class")) {
			scope_ref(f, "packet-context-field-class", defined, kernel);
			scope_ref(f, "event-record-header-field-class", defined, kernel);
		} else if (!strcmp(type, "event-record-class") && kernel) {
			assert_null(json_object_get(f, "attributes"));
		}
		each_object(f, locations, &kernel);
		each_object(f, labels, NULL);
	}
	if (kernel) {
		static const char *const need[] = {"pkt-header", "pkt-ctx", "u32-erc-id", "u64-ts"};
		for (size_t k = 0; k < 4; k++)
			if (!json_object_get(defined, need[k]))
				fail_msg("%s: no alias \"%s\"", path, need[k]);
		assert_true(json_object_get(defined, "er-header-compact") ||
			    json_object_get(defined, "er-header-large"));
	}
	seen.kernel += kernel;
	seen.ust += !kernel;
	json_decref(defined);
	json_decref(frags);
	free(text);
}

/* Each alias name used in o (a field class, or where one may be) becomes a
 * copy of its field class; o is the caller's reference, the result too. */
static json_t *inline_aliases(json_t *o, json_t *defined)
{
	const char *key;
	json_t *v;
	void *t;
	size_t i;
	if (json_is_string(o) && json_object_get(defined, json_string_value(o))) {
		json_t *copy = json_deep_copy(json_object_get(defined, json_string_value(o)));
		json_decref(o); /* the reference the caller gave */
		seen.inlined++;
		return inline_aliases(copy, defined);
	}
	if (json_is_object(o)) {
		json_object_foreach_safe(o, t, key, v) if (!strcmp(key, "field-class") || strstr(key, "-field-class"))
			json_object_set_new(o, key, inline_aliases(json_incref(v), defined));
		else if (json_is_array(v) || json_is_object(v)) inline_aliases(v, defined);
	} else if (json_is_array(o)) {
		json_array_foreach(o, i, v)
			json_array_set_new(o, i, inline_aliases(json_incref(v), defined));
	}
	return o;
}

/* The relative locations of fc (its structure at path[0..n) in scope) made absolute. */
static void absolute(json_t *fc, const char *scope, json_t *path)
{
	static const char *const keys[] = {"length-field-location", "selector-field-location"};
	for (size_t k = 0; k < 2; k++) {
		json_t *loc = json_object_get(fc, keys[k]);
		if (!loc || json_object_get(loc, "origin"))
			continue;
		json_t *p = json_deep_copy(path);
		json_array_extend(p, json_object_get(loc, "path"));
		json_object_set_new(fc, keys[k], json_pack("{s:s, s:o}", "origin", scope, "path", p));
		seen.relocated++;
	}
}

/* Walks fc (at path in scope): the locations of a structure's members are relative to it. */
static void walk(json_t *fc, const char *scope, json_t *path)
{
	json_t *v;
	size_t i;
	const char *type = type_of(fc);
	if (!strcmp(type, "structure")) {
		json_array_foreach(json_object_get(fc, "member-classes"), i, v) {
			json_t *m = json_object_get(v, "field-class");
			absolute(m, scope, path);
			json_t *sub = json_deep_copy(path);
			json_array_append(sub, json_object_get(v, "name"));
			walk(m, scope, sub);
			json_decref(sub);
		}
	} else if (!strcmp(type, "variant")) {
		json_array_foreach(json_object_get(fc, "options"), i, v)
			walk(json_object_get(v, "field-class"), scope, path); /* an option adds no name */
	}
}

static void walk_scope(json_t *f, const char *key, const char *scope)
{
	json_t *fc = json_object_get(f, key), *path = json_array();
	if (fc)
		walk(fc, scope, path);
	json_decref(path);
}

/* The metadata at path as babeltrace2 writes CTF 2: no aliases, absolute locations, compact. */
static void rewrite(const char *path)
{
	char *text;
	size_t len, i;
	json_t *frags = fragments(path, &text, &len), *f, *defined = json_object();
	free(text);
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	json_array_foreach(frags, i, f) {
		const char *type = type_of(f);
		if (!strcmp(type, "field-class-alias")) {
			json_object_set(defined, json_string_value(json_object_get(f, "name")),
					json_object_get(f, "field-class"));
			continue;
		}
		inline_aliases(f, defined);
		walk_scope(f, "packet-header-field-class", "packet-header");
		walk_scope(f, "packet-context-field-class", "packet-context");
		walk_scope(f, "event-record-header-field-class", "event-record-header");
		walk_scope(f, "event-record-common-context-field-class", "event-record-common-context");
		walk_scope(f, "specific-context-field-class", "event-record-specific-context");
		walk_scope(f, "payload-field-class", "event-record-payload");
		char *s = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(s);
		fprintf(out, "\x1e%s\n", s);
		free(s);
	}
	assert_int_equal(fclose(out), 0);
	json_decref(defined);
	json_decref(frags);
}

/* Each metadata file under dir, to fn(path, kernel); returns how many. */
static int each_metadata(const char *dir, void (*fn)(const char *path, int kernel))
{
	struct vt_run run;
	int n = 0;
	vt_run_shell(&run, "find '%s' -name metadata | sort", dir);
	for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n"), n++)
		fn(line, strstr(line, "/kernel/") != NULL);
	vt_run_free(&run);
	return n;
}

static void test_traits(void **state)
{
	(void)state;
	each_metadata(sim, traits);
	printf("%d kernel and %d UST metadata: %d aliases, %d scopes named by one, %d relative and %d absolute "
	       "locations, %d labels\n",
	       seen.kernel, seen.ust, seen.aliases, seen.named, seen.relative, seen.absolute, seen.labels);
	assert_true(seen.kernel >= 3 && seen.ust >= 3);
	/* u32-erc-id, u64-ts, one event header, pkt-ctx, pkt-header; named by the trace class and one stream class */
	assert_true(seen.aliases == 5 * seen.kernel && seen.named == 3 * seen.kernel);
	assert_true(seen.relative > 0 && seen.labels > 0);
}

static void rewrite_path(const char *path, int kernel)
{
	(void)kernel;
	rewrite(path);
}

/* The other spelling of the same metadata reads into the same events. */
static void test_babeltrace2_spelling(void **state)
{
	(void)state;
	each_metadata(other, rewrite_path);
	printf("%d aliases inlined, %d locations made absolute\n", seen.inlined, seen.relocated);
	if (!seen.inlined || !seen.relocated)
		fail_msg("the rewrite inlined %d aliases and relocated %d locations: nothing to test", seen.inlined,
			 seen.relocated);
	uint64_t n = vt_assert_same_events(sim, other);
	printf("%llu events equal\n", (unsigned long long)n);
	assert_true(n > 1000);
}

int main(void)
{
	tmp = vt_mkdtemp();
	snprintf(sim, sizeof(sim), "%s/sim", tmp);
	snprintf(other, sizeof(other), "%s/babeltrace2", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 300 --format ctf2 && cp -r '%s' '%s'", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/two-guests-ntp.json"), sim, sim, other);
	if (run.status != 0) {
		fprintf(stderr, "vmtrace-sim: %s", run.err);
		return 1;
	}
	vt_run_free(&run);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traits),
		cmocka_unit_test(test_babeltrace2_spelling),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
