/* The trace class's memory and tables: an arena (one free for thousands of
 * field classes), growable vectors, a name table and an id table (O(1)
 * look-ups among the ~1,500 event classes of a kernel trace). */
#include "sources/ctf_ir_build.h"

#include <stdlib.h>
#include <string.h>

/* Chunks of at least CHUNK bytes; a larger request gets a chunk of its own. */
#define CHUNK (64u << 10)

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct vt_ctf_arena {
	struct chunk *head;
	size_t total;
	int capped; /* a request went past VT_CTF_MAX_ARENA_BYTES */
};

struct vt_ctf_arena *vt_ctf_arena_new(void)
{
	return calloc(1, sizeof(struct vt_ctf_arena));
}

void vt_ctf_arena_free(struct vt_ctf_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *vt_ctf_alloc(struct vt_ctf_arena *a, size_t n)
{
	const size_t unit = sizeof(max_align_t);
	n = n ? (n + unit - 1) / unit * unit : unit;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK ? n : CHUNK;
		if (size > VT_CTF_MAX_ARENA_BYTES || a->total > VT_CTF_MAX_ARENA_BYTES - size) {
			a->capped = 1;
			return NULL;
		}
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		a->total += size;
		/* A chunk of its own goes behind the current one, which keeps its room. */
		if (a->head && size == n) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

const char *vt_ctf_arena_why(const struct vt_ctf_arena *a)
{
#define STR(x) #x
#define XSTR(x) STR(x)
	return a->capped ? "the metadata's types take more than " XSTR(VT_CTF_MAX_ARENA_MIB) " MiB once expanded"
			 : "out of memory";
}

char *vt_ctf_strndup(struct vt_ctf_arena *a, const char *s, size_t n)
{
	char *d = vt_ctf_alloc(a, n + 1);
	if (d)
		memcpy(d, s, n);
	return d;
}

char *vt_ctf_strdup(struct vt_ctf_arena *a, const char *s)
{
	return vt_ctf_strndup(a, s, strlen(s));
}

void vt_ctf_vec_init(struct vt_ctf_vec *v, size_t elem)
{
	memset(v, 0, sizeof(*v));
	v->elem = elem;
}

void *vt_ctf_vec_push(struct vt_ctf_vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *d = realloc(v->data, cap * v->elem);
		if (!d)
			return NULL;
		v->data = d;
		v->cap = cap;
	}
	void *p = (char *)v->data + v->n++ * v->elem;
	memset(p, 0, v->elem);
	return p;
}

void *vt_ctf_vec_to_arena(struct vt_ctf_vec *v, struct vt_ctf_arena *a)
{
	void *d = vt_ctf_alloc(a, v->n * v->elem);
	if (d && v->n)
		memcpy(d, v->data, v->n * v->elem);
	vt_ctf_vec_free(v);
	return d;
}

void vt_ctf_vec_free(struct vt_ctf_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->n = v->cap = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t names_slot(const struct vt_ctf_names *t, const char *key)
{
	size_t i = hash_str(key) & (t->cap - 1);
	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

void *vt_ctf_names_get(const struct vt_ctf_names *t, const char *key)
{
	if (!t->cap)
		return NULL;
	size_t i = names_slot(t, key);
	return t->keys[i] ? t->vals[i] : NULL;
}

static int names_grow(struct vt_ctf_names *t)
{
	struct vt_ctf_names g = {.cap = t->cap ? t->cap * 2 : 16};
	g.keys = calloc(g.cap, sizeof(*g.keys));
	g.vals = calloc(g.cap, sizeof(*g.vals));
	if (!g.keys || !g.vals) {
		vt_ctf_names_free(&g);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->keys[i]) {
			size_t j = names_slot(&g, t->keys[i]);
			g.keys[j] = t->keys[i];
			g.vals[j] = t->vals[i];
			g.n++;
		}
	vt_ctf_names_free(t);
	*t = g;
	return 0;
}

int vt_ctf_names_put(struct vt_ctf_names *t, const char *key, void *val)
{
	if ((t->n + 1) * 2 > t->cap && names_grow(t))
		return -1;
	size_t i = names_slot(t, key);
	if (!t->keys[i]) {
		t->keys[i] = key;
		t->n++;
	}
	t->vals[i] = val;
	return 0;
}

void vt_ctf_names_free(struct vt_ctf_names *t)
{
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

struct vt_ctf_id_map {
	size_t mask;
	uint64_t *ids;
	uint32_t *index; /* 1 + index, 0 = empty */
};

struct vt_ctf_id_map *vt_ctf_id_map_new(struct vt_ctf_arena *a, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	struct vt_ctf_id_map *m = vt_ctf_alloc(a, sizeof(*m));
	if (!m || !(m->ids = vt_ctf_alloc(a, cap * sizeof(*m->ids))) ||
	    !(m->index = vt_ctf_alloc(a, cap * sizeof(*m->index))))
		return NULL;
	m->mask = cap - 1;
	return m;
}

static size_t id_slot(const struct vt_ctf_id_map *m, uint64_t id)
{
	size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
	while (m->index[i] && m->ids[i] != id)
		i = (i + 1) & m->mask;
	return i;
}

int vt_ctf_id_map_put(struct vt_ctf_id_map *m, uint64_t id, size_t index)
{
	size_t i = id_slot(m, id);
	if (m->index[i])
		return -1;
	m->ids[i] = id;
	m->index[i] = (uint32_t)index + 1;
	return 0;
}

long vt_ctf_id_map_get(const struct vt_ctf_id_map *m, uint64_t id)
{
	size_t i = id_slot(m, id);
	return m->index[i] ? (long)m->index[i] - 1 : -1;
}

int vt_ctf_uuid_parse(const char *s, uint8_t out[16])
{
	if (strlen(s) != 36)
		return -1;
	for (int i = 0, k = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		out[k / 2] = (uint8_t)(k % 2 ? (out[k / 2] << 4) | d : d);
		k++;
	}
	return 0;
}

const struct vt_ctf_stream_class *vt_ctf_stream_class_find(const struct vt_ctf_trace_class *tc, uint64_t id)
{
	long i = vt_ctf_id_map_get(tc->stream_ids, id);
	return i < 0 ? NULL : tc->streams[i];
}

const struct vt_ctf_event_class *vt_ctf_event_class_find(const struct vt_ctf_stream_class *sc, uint64_t id)
{
	long i = vt_ctf_id_map_get(sc->event_ids, id);
	return i < 0 ? NULL : sc->events[i];
}

const struct vt_ctf_clock_class *vt_ctf_clock_class_find(const struct vt_ctf_trace_class *tc, const char *name)
{
	for (size_t i = 0; i < tc->nclocks; i++)
		if (strcmp(tc->clocks[i].name, name) == 0)
			return &tc->clocks[i];
	return NULL;
}

const char *vt_ctf_env_string(const struct vt_ctf_trace_class *tc, const char *name)
{
	for (size_t i = 0; i < tc->nenv; i++)
		if (strcmp(tc->env[i].name, name) == 0)
			return tc->env[i].str;
	return NULL;
}

const struct vt_ctf_fc *vt_ctf_fc_member(const struct vt_ctf_fc *st, const char *name)
{
	if (!st || st->type != VT_CTF_FC_STRUCT)
		return NULL;
	for (uint32_t i = 0; i < st->u.st.nmembers; i++)
		if (strcmp(st->u.st.members[i].name, name) == 0)
			return st->u.st.members[i].fc;
	return NULL;
}

void vt_ctf_trace_class_free(struct vt_ctf_trace_class *tc)
{
	if (tc)
		vt_ctf_arena_free(tc->arena);
}

const char *vt_ctf_fc_type_name(enum vt_ctf_fc_type type)
{
	static const char *const names[] = {
		[VT_CTF_FC_BIT_ARRAY] = "fixed-length-bit-array",
		[VT_CTF_FC_UINT] = "fixed-length-unsigned-integer",
		[VT_CTF_FC_SINT] = "fixed-length-signed-integer",
		[VT_CTF_FC_BOOL] = "fixed-length-boolean",
		[VT_CTF_FC_FLOAT] = "fixed-length-floating-point-number",
		[VT_CTF_FC_VUINT] = "variable-length-unsigned-integer",
		[VT_CTF_FC_VSINT] = "variable-length-signed-integer",
		[VT_CTF_FC_NT_STRING] = "null-terminated-string",
		[VT_CTF_FC_SL_STRING] = "static-length-string",
		[VT_CTF_FC_DL_STRING] = "dynamic-length-string",
		[VT_CTF_FC_SL_BLOB] = "static-length-blob",
		[VT_CTF_FC_DL_BLOB] = "dynamic-length-blob",
		[VT_CTF_FC_STRUCT] = "structure",
		[VT_CTF_FC_SL_ARRAY] = "static-length-array",
		[VT_CTF_FC_DL_ARRAY] = "dynamic-length-array",
		[VT_CTF_FC_OPTIONAL] = "optional",
		[VT_CTF_FC_VARIANT] = "variant",
	};
	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *vt_ctf_scope_name(enum vt_ctf_scope scope)
{
	static const char *const names[] = {
		"packet-header",
		"packet-context",
		"event-record-header",
		"event-record-common-context",
		"event-record-specific-context",
		"event-record-payload",
	};
	return scope >= 0 && scope < VT_CTF_SCOPE_COUNT ? names[scope] : "relative";
}
