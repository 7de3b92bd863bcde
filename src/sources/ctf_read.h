/* Decoding one field class tree of a CTF data stream (ctf_ir.h) at a bit
 * position, bounded by an end: integers into the trace class's value slots
 * (lengths and selectors), roles (magic, ids, sizes, timestamps) into the
 * reader, the default clock updated as CTF says, and the fields a plan asks
 * for (by their pre-order number in their scope) captured. No allocation but
 * the string buffer's growth. */
#ifndef VT_SOURCES_CTF_READ_H
#define VT_SOURCES_CTF_READ_H

#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_ir.h"

#define VT_CTF_ROLE_BITS 11
#define VT_CTF_CAPTURE_ELEMS 16

/* A field a plan wants: an integer's value, a string's text, the first
 * elements of an integer array, or only that it was there (a variant option).
 * Between events only `present` is reset; vt_ctf_capture_take clears the
 * rest when a field is captured. */
struct vt_ctf_capture {
	int present;
	uint64_t u;    /* integers (signed: sign-extended), booleans; 0 otherwise */
	const char *s; /* null-terminated strings: weak, into the mapped file */
	size_t soff;   /* other strings: offset in the reader's string buffer, when s == NULL */
	int has_soff;
	uint32_t nelems; /* arrays: length */
	uint64_t elems[VT_CTF_CAPTURE_ELEMS];
};

/* Marks c present, its values cleared, for a read to set. */
static inline struct vt_ctf_capture *vt_ctf_capture_take(struct vt_ctf_capture *c)
{
	c->present = 1;
	c->u = 0;
	c->s = NULL;
	c->has_soff = 0;
	c->nelems = 0;
	return c;
}

/* Which fields of one scope to capture: index[order] >= 0 is the capture. */
struct vt_ctf_cap_table {
	const int16_t *index; /* weak */
	uint32_t n;
	struct vt_ctf_capture *caps; /* weak */
};

struct vt_ctf_reader {
	const uint8_t *buf; /* the packet's first byte (weak: the mapping) */
	uint64_t pos, end;  /* bits from buf; end: the content's end */
	uint64_t lim;       /* bytes readable from buf: to the mapping's end */
	uint64_t *slots;    /* the trace class's nslots (owned by the stream) */
	uint32_t nslots;
	uint64_t clock; /* the default clock's value, in cycles */
	uint64_t role[VT_CTF_ROLE_BITS];
	uint32_t roles_seen;
	struct vt_ctf_cap_table cap[VT_CTF_SCOPE_COUNT];
	char *strbuf; /* owned by the stream; captured non-terminated strings */
	size_t strused, strcap;
	uint64_t last_int; /* the last integer read */
	const char *error; /* why the last read failed (static text) */
};

/* Reads a field of class fc at r->pos. Returns 0, or -1 with r->error set
 * and r->pos where the problem is. */
int vt_ctf_read(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc);

/* Keeps a string's text (len bytes at p, up to its first NUL) in the string
 * buffer as c's. 0, or -1 when out of memory (r->error set). */
int vt_ctf_keep_text(struct vt_ctf_reader *r, const uint8_t *p, uint64_t len, struct vt_ctf_capture *c);

/* The text of a capture (NULL when it is no string). */
static inline const char *vt_ctf_capture_str(const struct vt_ctf_reader *r, const struct vt_ctf_capture *c)
{
	if (!c->present)
		return NULL;
	if (c->s)
		return c->s;
	return c->has_soff && c->soff < r->strused ? r->strbuf + c->soff : NULL;
}

/* CTF's clock update by an n-bit value: its low bits, with a wrap. */
uint64_t vt_ctf_clock_update(uint64_t clock, uint64_t value, uint32_t n);

#endif
