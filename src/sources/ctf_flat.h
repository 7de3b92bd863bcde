/* Flat read programs of the native reader: a scope's field class tree
 * (ctf_ir.h) compiled once into a list of steps, so an event is read without
 * walking the tree. Runs of fixed-size fields become one block read at fixed
 * offsets after one bounds check, with only the integers somebody uses
 * (slots, roles, the clock, the plan's captures) decoded, byte-aligned
 * little-endian ones with one load; nested structures are inlined, variants
 * get a program per option; what has no flat form (optionals, captured
 * arrays, LEB128...) is a step that calls vt_ctf_read. A program never
 * reports an error itself: vt_flat_read reads the scope again with
 * vt_ctf_read, which says what is wrong and where. */
#ifndef VT_SOURCES_CTF_FLAT_H
#define VT_SOURCES_CTF_FLAT_H

#include <stdint.h>

#include "sources/ctf_read.h"

enum vt_flat_op {
	VT_FLAT_BLOCK,     /* fixed-size fields at fixed offsets */
	VT_FLAT_NT_STRING, /* null-terminated string */
	VT_FLAT_DL_BYTES,  /* dynamic-length string or BLOB */
	VT_FLAT_DL_SKIP,   /* dynamic-length array of integers nobody reads */
	VT_FLAT_VARIANT,
	VT_FLAT_GENERIC, /* vt_ctf_read */
};

/* How a block's field is read. */
enum vt_flat_how {
	VT_FLAT_U8, /* byte-aligned little-endian: one load */
	VT_FLAT_U16,
	VT_FLAT_U32,
	VT_FLAT_U64,
	VT_FLAT_LE56, /* little-endian, at most 56 bits anywhere: one 8-byte load when the file has them */
	VT_FLAT_LE,
	VT_FLAT_BE,
	VT_FLAT_FLOAT,
	VT_FLAT_TEXT,
	VT_FLAT_ARRAY, /* a captured static-length array of count integers of len bits, contiguous */
};

/* A field of a block that somebody uses. */
struct vt_flat_int {
	uint64_t off; /* bits from the block's start */
	uint32_t len; /* bits; TEXT: bytes; ARRAY: an element's bits */
	uint32_t count; /* ARRAY: elements */
	uint8_t be;     /* ARRAY: big-endian elements */
	uint8_t how;  /* enum vt_flat_how */
	uint8_t sext; /* a signed integer */
	uint8_t boolean;
	uint8_t clock; /* updates the default clock */
	int8_t role;   /* the one role's bit, -1: none, -2: several (roles) */
	int32_t slot;  /* -1: none */
	uint32_t roles;
	int32_t cap; /* -1: not captured */
};

struct vt_flat;

struct vt_flat_option {
	const struct vt_ctf_range *ranges; /* weak: the trace class's */
	uint32_t nranges;
	struct vt_flat *prog; /* owned */
	int32_t cap;          /* the option's presence is captured, or -1 */
};

struct vt_flat_step {
	uint8_t op;     /* enum vt_flat_op */
	uint8_t sgn;    /* VARIANT: a signed selector */
	uint32_t align; /* bits, where the step starts */
	uint64_t bits;  /* BLOCK: its size; DL_SKIP: an element's */
	struct vt_flat_int *ints; /* BLOCK (owned) */
	uint32_t nints, capints;
	int32_t cap;               /* NT_STRING, DL_BYTES: capture, or -1 */
	uint32_t slot;             /* DL_*, VARIANT: the length's or selector's */
	const struct vt_ctf_fc *fc; /* GENERIC: what it reads; DL_BYTES: its class (weak) */
	struct vt_flat_option *opts; /* VARIANT (owned) */
	uint32_t nopts;
};

struct vt_flat {
	struct vt_flat_step *steps; /* owned */
	uint32_t n, cap;
};

/* Compiles the scope root fc; index/n: its capture table (ctf_read.h), NULL
 * when it has none. NULL for a NULL fc, and when out of memory (*nomem set). */
struct vt_flat *vt_flat_compile(const struct vt_ctf_fc *fc, const int16_t *index, uint32_t n, int *nomem);
void vt_flat_free(struct vt_flat *f);

/* Runs a program at r->pos. 0, or -1 at the first problem (r->pos then undefined). */
int vt_flat_run(const struct vt_flat *f, struct vt_ctf_reader *r, struct vt_ctf_capture *caps);

/* Reads a field of the scope root fc by its program f (fc's own), or, when
 * there is none or it fails, by vt_ctf_read from the same place: the result
 * and the error are vt_ctf_read's. */
int vt_flat_read(struct vt_ctf_reader *r, const struct vt_flat *f, const struct vt_ctf_fc *fc,
		 struct vt_ctf_capture *caps);

#endif
