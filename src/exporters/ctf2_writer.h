/* What the CTF 2 metadata writer's files share (ctf2_metadata.c: field
 * classes and fragments; ctf2_aliases.c: lttng-modules' alias fragments). */
#ifndef VT_EXPORTERS_CTF2_WRITER_H
#define VT_EXPORTERS_CTF2_WRITER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_ir.h"
#include "vmtrace/error.h"

/* The plain layout, or LTTng 2.14's for a kernel or a UST trace. */
enum style { STYLE_PLAIN, STYLE_KERNEL, STYLE_UST };

struct writer {
	const char *name;
	struct vt_error *err;
	int failed;
	enum style style;
	const struct vt_ctf_fc *roots[VT_CTF_SCOPE_COUNT]; /* where a location may start (NULL: none) */
	const struct vt_ctf_fc *parent;                    /* the structure whose member is being written, else NULL */
	uint32_t carry;  /* a dropped padding member's alignment, for the array after it */
	json_t *aliases; /* kernel: the field-class-alias fragments, in writing order */
	size_t nsmall;   /* the first aliases, used inside the others: u32-erc-id, u64-ts */
};

/* Says "NAME: out of memory" (once) and fails the writer; returns NULL. */
json_t *vt_ctf2_write_oom(struct writer *w);

/* fc as a CTF 2 field class (member: its member name, for locations), or
 * NULL with the writer failed. */
json_t *vt_ctf2_fc_json(struct writer *w, const struct vt_ctf_fc *fc, const char *member);

/* Scope s's field class fc, locations relative to it. */
json_t *vt_ctf2_scope_json(struct writer *w, enum vt_ctf_scope s, const struct vt_ctf_fc *fc);

/* Kernel layout: the alias fragments lttng-modules writes, into w->aliases. */
int vt_ctf2_write_kernel_aliases(struct writer *w, const struct vt_ctf_trace_class *tc);

/* A scope's field class fc (stolen), or, kernel layout, its alias's name. */
json_t *vt_ctf2_write_aliased(struct writer *w, json_t *fc);

#endif
