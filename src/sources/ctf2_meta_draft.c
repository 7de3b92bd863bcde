/* CTF 2 as its drafts before 2.0 spelled it (the Trace Compass test traces
 * follow the spec's 7th release candidate, and Trace Compass reads them):
 * each fragment is rewritten into 2.0's spelling before it is read, so that
 * ctf2_meta*.c know 2.0 only. Where 2.0's spelling is present, the draft's is
 * left alone. */
#include "sources/ctf2_meta.h"

#include <stdio.h>
#include <string.h>

/* Moves obj[from] to obj[to] unless obj[to] is there. */
static int rename_key(json_t *obj, const char *from, const char *to)
{
	json_t *v = json_object_get(obj, from);
	if (!v || json_object_get(obj, to))
		return 0;
	if (json_object_set(obj, to, v))
		return -1;
	return json_object_del(obj, from);
}

/* A clock class's UUID as 16 bytes, 2.0's "uid" as a UUID's text. */
static int clock_uuid(json_t *clock)
{
	json_t *u = json_object_get(clock, "uuid");
	if (json_object_get(clock, "uid") || json_array_size(u) != 16)
		return 0;
	char text[37], *t = text;
	for (size_t i = 0; i < 16; i++) {
		json_int_t b = json_integer_value(json_array_get(u, i));
		if (!json_is_integer(json_array_get(u, i)) || b < 0 || b > 255)
			return 0; /* not a UUID: ignored, as 2.0 ignores unknown members */
		t += sprintf(t, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", (unsigned)b);
	}
	return json_object_set_new(clock, "uid", json_string(text));
}

/* A field location as [scope, member, ...]: {"origin": scope, "path": [member, ...]}. */
static json_t *location(json_t *a)
{
	json_t *path = json_array();
	for (size_t i = 1; path && i < json_array_size(a); i++)
		if (json_array_append(path, json_array_get(a, i))) {
			json_decref(path);
			return NULL;
		}
	/* "o" takes path's reference, failing or not */
	return path ? json_pack("{sOso}", "origin", json_array_get(a, 0), "path", path) : NULL;
}

/* "fixed-length-unsigned-enumeration" and the like: integers with mappings in 2.0. */
static int enumeration(json_t *fc)
{
	const char *type = json_string_value(json_object_get(fc, "type"));
	static const char suffix[] = "-enumeration";
	size_t n = type ? strlen(type) : 0, s = sizeof(suffix) - 1;
	if (n <= s || n > 64 || strcmp(type + n - s, suffix) != 0)
		return 0;
	char integer[80];
	snprintf(integer, sizeof(integer), "%.*s-integer", (int)(n - s), type);
	return json_object_set_new(fc, "type", json_string(integer));
}

static int upgrade(json_t *j, unsigned depth)
{
	if (depth > 4 * VT_CTF_MAX_DEPTH + 8) /* a member is 3 levels of JSON */
		return 0; /* deeper than the readers accept: they say so */
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			if (upgrade(json_array_get(j, i), depth + 1))
				return -1;
		return 0;
	}
	if (!json_is_object(j))
		return 0;
	if (rename_key(j, "user-attributes", "attributes") || enumeration(j))
		return -1;
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		/* what holds no field class: user data, names of mappings */
		if (!strcmp(key, "attributes") || !strcmp(key, "environment") || !strcmp(key, "mappings") ||
		    !strcmp(key, "extensions"))
			continue;
		size_t n = strlen(key);
		if (n > 9 && !strcmp(key + n - 9, "-location") && json_array_size(v) >= 2) {
			json_t *loc = location(v);
			if (!loc || json_object_iter_set_new(j, json_object_key_to_iter(key), loc))
				return -1;
		} else if (upgrade(v, depth + 1)) {
			return -1;
		}
	}
	return 0;
}

int vt_ctf2_draft_upgrade(json_t *fragment)
{
	const char *type = json_string_value(json_object_get(fragment, "type"));
	if (!type)
		return 0;
	if (!strcmp(type, "clock-class") && (rename_key(fragment, "name", "id") || clock_uuid(fragment)))
		return -1;
	if (!strcmp(type, "data-stream-class") &&
	    rename_key(fragment, "default-clock-class-name", "default-clock-class-id"))
		return -1;
	return upgrade(fragment, 0);
}
