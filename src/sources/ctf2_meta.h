/* CTF 2 metadata (a JSON text sequence of fragments) into a trace class:
 * what the fragment reader (ctf2_meta.c) and the field class reader
 * (ctf2_meta_fc.c) share. */
#ifndef VT_SOURCES_CTF2_META_H
#define VT_SOURCES_CTF2_META_H

#include <jansson.h>

#include "sources/ctf_ir_build.h"

struct ctf2_parser {
	const char *name; /* the metadata's path */
	struct vt_ctf_builder b;
	struct vt_ctf_arena *arena;  /* b.arena */
	struct vt_ctf_names aliases; /* field-class-alias name -> json_t * (owned by `kept`) */
	json_t *kept;                /* the fragments aliases point into */
	struct vt_ctf_names clocks;  /* clock class id -> 1 + index in b.clocks */
	size_t fragment;             /* 1-based, for errors */
	const char *fragment_type;
	struct vt_error *err;
};

/* "PATH: fragment N (TYPE): problem"; always -1. */
int vt_ctf2_error(struct ctf2_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A field class (an object, or an alias name); NULL with the error set. what names it in errors. */
struct vt_ctf_fc *vt_ctf2_fc(struct ctf2_parser *p, json_t *j, uint32_t depth, const char *what);
/* A scope's field class: absent is NULL with no error (*failed stays 0), else it must be a structure. */
struct vt_ctf_fc *vt_ctf2_scope(struct ctf2_parser *p, json_t *obj, const char *key, int *failed);

/* Rewrites a fragment written to a CTF 2 draft before 2.0 into 2.0's spelling
 * (ctf2_meta_draft.c); 0, or -1 when out of memory. */
int vt_ctf2_draft_upgrade(json_t *fragment);

/* Typed members of an object: 0 and *out set, 1 when absent (out untouched), -1 (error set) when of another type. */
int vt_ctf2_u64(struct ctf2_parser *p, json_t *obj, const char *key, uint64_t *out);
int vt_ctf2_i64(struct ctf2_parser *p, json_t *obj, const char *key, int64_t *out);
int vt_ctf2_str(struct ctf2_parser *p, json_t *obj, const char *key, const char **out); /* arena copy */

#endif
