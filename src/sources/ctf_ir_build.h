/* What the two metadata parsers share to build a trace class (ctf_ir.h): the
 * arena, growable vectors, a name table, field class constructors, and the
 * finishing step that places event classes in their streams, builds the id
 * tables, computes alignments and resolves field locations. */
#ifndef VT_SOURCES_CTF_IR_BUILD_H
#define VT_SOURCES_CTF_IR_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_ir.h"

/* Zeroed memory from the arena; NULL when out of memory or past VT_CTF_MAX_ARENA_BYTES. */
struct vt_ctf_arena *vt_ctf_arena_new(void);
void vt_ctf_arena_free(struct vt_ctf_arena *a);
void *vt_ctf_alloc(struct vt_ctf_arena *a, size_t n);
char *vt_ctf_strndup(struct vt_ctf_arena *a, const char *s, size_t n);
char *vt_ctf_strdup(struct vt_ctf_arena *a, const char *s);
/* Why the last vt_ctf_alloc failed: the size bound, or the system's memory. */
const char *vt_ctf_arena_why(const struct vt_ctf_arena *a);

/* A growable array of elem-sized items (malloc'd; vt_ctf_vec_free or moved into the arena). */
struct vt_ctf_vec {
	void *data;
	size_t n, cap, elem;
};
void vt_ctf_vec_init(struct vt_ctf_vec *v, size_t elem);
void *vt_ctf_vec_push(struct vt_ctf_vec *v); /* a zeroed new last item, NULL when out of memory */
void *vt_ctf_vec_to_arena(struct vt_ctf_vec *v, struct vt_ctf_arena *a); /* frees v; NULL if it fails */
void vt_ctf_vec_free(struct vt_ctf_vec *v);

/* A name -> pointer table (malloc'd, not in the arena). */
struct vt_ctf_names {
	const char **keys;
	void **vals;
	size_t n, cap;
};
void *vt_ctf_names_get(const struct vt_ctf_names *t, const char *key);
int vt_ctf_names_put(struct vt_ctf_names *t, const char *key, void *val); /* replaces; -1: out of memory */
void vt_ctf_names_free(struct vt_ctf_names *t);

/* A field class with its defaults (slot -1, alignment 1, base 10...); NULL when out of memory. */
struct vt_ctf_fc *vt_ctf_fc_new(struct vt_ctf_arena *a, enum vt_ctf_fc_type type);
/* A deep copy (mappings and ranges are shared: they never change); NULL when out of memory. */
struct vt_ctf_fc *vt_ctf_fc_copy(struct vt_ctf_arena *a, const struct vt_ctf_fc *fc);
/* The location of a DL_STRING, DL_BLOB, DL_ARRAY, OPTIONAL or VARIANT, else NULL. */
struct vt_ctf_location *vt_ctf_fc_location(struct vt_ctf_fc *fc);
int vt_ctf_is_int(const struct vt_ctf_fc *fc); /* UINT, SINT, VUINT, VSINT */
/* Levels of field classes in fc (1 for a leaf); stops counting past VT_CTF_MAX_DEPTH + 1. Parsers check
 * each compound they build, so that no tree deeper than VT_CTF_MAX_DEPTH is ever walked. */
uint32_t vt_ctf_fc_height(const struct vt_ctf_fc *fc);

/* Everything a parser collects, then hands to vt_ctf_builder_finish. */
struct vt_ctf_builder {
	const char *name; /* the metadata's path, for errors */
	struct vt_ctf_arena *arena;
	struct vt_ctf_trace_class *tc;   /* in the arena */
	struct vt_ctf_vec clocks;        /* struct vt_ctf_clock_class */
	struct vt_ctf_vec env;           /* struct vt_ctf_env_entry */
	struct vt_ctf_vec streams;       /* struct vt_ctf_stream_class * (in the arena) */
	struct vt_ctf_vec events;        /* struct vt_ctf_event_class * (in the arena) */
	struct vt_ctf_vec event_sids;    /* uint64_t: the stream class id of events[i] */
	struct vt_ctf_vec stream_clocks; /* uint32_t: 1 + index in clocks of streams[i]'s default clock, 0: none
					  * (CTF 2; empty for CTF 1.8, whose streams find theirs by mapping) */
};

int vt_ctf_builder_init(struct vt_ctf_builder *b, const char *name, struct vt_error *err);
/* Fills *out and frees the builder's vectors; on failure frees everything. */
int vt_ctf_builder_finish(struct vt_ctf_builder *b, struct vt_ctf_trace_class **out, struct vt_error *err);
void vt_ctf_builder_abort(struct vt_ctf_builder *b);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into 16 bytes; -1 if it is not one. */
int vt_ctf_uuid_parse(const char *s, uint8_t out[16]);

/* Trace-class look-up tables (ctf_ir.c), built once counts are known. */
struct vt_ctf_id_map *vt_ctf_id_map_new(struct vt_ctf_arena *a, size_t n);
int vt_ctf_id_map_put(struct vt_ctf_id_map *m, uint64_t id, size_t index); /* -1: already there */
long vt_ctf_id_map_get(const struct vt_ctf_id_map *m, uint64_t id);        /* -1: absent */

/* Alignments, roles' clocks, locations (ctf_ir_resolve.c), for a trace class whose streams hold their events. */
int vt_ctf_resolve(struct vt_ctf_trace_class *tc, const char *name, struct vt_error *err);

/* The CTF 1.8 and CTF 2 parsers, from text in memory. */
int vt_ctf_tsdl_parse(struct vt_ctf_trace_class **out, const char *text, size_t len, const char *name,
		      struct vt_error *err);
int vt_ctf2_meta_parse(struct vt_ctf_trace_class **out, const char *text, size_t len, const char *name,
		       struct vt_error *err);

#endif
