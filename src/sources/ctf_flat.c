/* Compiling a scope's field class tree into a flat program (ctf_flat.h). */
#include "sources/ctf_flat.h"

#include <stdlib.h>
#include <string.h>

struct compiler {
	struct vt_flat *f;
	const int16_t *index; /* the scope's capture table (weak), or NULL */
	uint32_t n;
	int open;       /* the last step is a block fields may still join */
	uint32_t guard; /* the open block's start is a multiple of this */
	uint32_t known; /* else: what the position is known to be a multiple of */
	int nomem;
};

static int32_t cap_of(const struct compiler *c, const struct vt_ctf_fc *fc)
{
	uint32_t idx = fc->order & 0xffffff;
	if (!c->index || idx >= c->n)
		return -1;
	return c->index[idx];
}

static uint64_t align_up(uint64_t v, uint32_t a)
{
	return (v + a - 1) & ~(uint64_t)(a - 1);
}

static struct vt_flat_step *add_step(struct compiler *c, enum vt_flat_op op, uint32_t align)
{
	struct vt_flat *f = c->f;
	if (f->n == f->cap) {
		uint32_t cap = f->cap ? 2 * f->cap : 8;
		struct vt_flat_step *s = realloc(f->steps, cap * sizeof(*s));
		if (!s) {
			c->nomem = 1;
			return NULL;
		}
		f->steps = s;
		f->cap = cap;
	}
	struct vt_flat_step *s = &f->steps[f->n++];
	memset(s, 0, sizeof(*s));
	s->op = (uint8_t)op;
	s->align = align ? align : 1;
	s->cap = -1;
	return s;
}

/* Ends the open block: what its end is known to be a multiple of. */
static void close_block(struct compiler *c)
{
	if (!c->open)
		return;
	uint64_t bits = c->f->steps[c->f->n - 1].bits;
	uint64_t low = bits & (~bits + 1);
	c->known = bits && low < c->guard ? (uint32_t)low : c->guard;
	c->open = 0;
}

/* Where a fixed-size field of align bits goes: the open block, or a new one.
 * Its offset in the block is fixed when the block's start is a multiple of align. */
static struct vt_flat_step *place(struct compiler *c, uint32_t align, uint64_t *off)
{
	if (!c->open || align > c->guard) {
		close_block(c);
		if (!add_step(c, VT_FLAT_BLOCK, align))
			return NULL;
		c->open = 1;
		c->guard = align > c->known ? align : c->known;
	}
	struct vt_flat_step *b = &c->f->steps[c->f->n - 1];
	*off = align_up(b->bits, align);
	return b;
}

static int add_int(struct compiler *c, struct vt_flat_step *b, const struct vt_flat_int *fi)
{
	if (b->nints == b->capints) {
		uint32_t cap = b->capints ? 2 * b->capints : 4;
		struct vt_flat_int *p = realloc(b->ints, cap * sizeof(*p));
		if (!p) {
			c->nomem = 1;
			return -1;
		}
		b->ints = p;
		b->capints = cap;
	}
	b->ints[b->nints++] = *fi;
	return 0;
}

static enum vt_flat_how how_of(const struct compiler *c, const struct vt_ctf_fc *fc, uint64_t off)
{
	uint32_t n = fc->u.i.length;
	if (fc->u.i.byte_order == VT_CTF_BE)
		return VT_FLAT_BE;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (c->guard >= 8 && off % 8 == 0)
		return n == 8 ? VT_FLAT_U8 : n == 16 ? VT_FLAT_U16 : n == 32 ? VT_FLAT_U32 : n == 64 ? VT_FLAT_U64 : VT_FLAT_LE;
#else
	(void)c;
	(void)off;
#endif
	return n <= 56 ? VT_FLAT_LE56 : VT_FLAT_LE;
}

/* A fixed-length integer, boolean, float or bit array. */
static int fixed_int(struct compiler *c, const struct vt_ctf_fc *fc)
{
	uint64_t off;
	struct vt_flat_step *b = place(c, fc->align, &off);
	if (!b)
		return -1;
	b->bits = off + fc->u.i.length;
	struct vt_flat_int fi = {.off = off, .len = fc->u.i.length, .role = -1, .slot = -1, .cap = cap_of(c, fc)};
	if (fc->type == VT_CTF_FC_FLOAT) { /* no integer value: only a capture's presence */
		fi.how = VT_FLAT_FLOAT;
		return fi.cap >= 0 ? add_int(c, b, &fi) : 0;
	}
	fi.how = (uint8_t)how_of(c, fc, off);
	fi.sext = fc->type == VT_CTF_FC_SINT;
	fi.boolean = fc->type == VT_CTF_FC_BOOL;
	fi.slot = fc->slot;
	fi.roles = fc->roles;
	fi.role = !fc->roles ? -1 : (fc->roles & (fc->roles - 1)) ? -2 : (int8_t)__builtin_ctz(fc->roles);
	fi.clock = ((fc->roles & VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP) || (fc->type == VT_CTF_FC_UINT && fc->u.i.clock)) &&
		   !(fc->roles & VT_CTF_ROLE_PACKET_END_TIMESTAMP);
	if (fi.slot < 0 && !fi.roles && !fi.clock && fi.cap < 0)
		return 0; /* nobody reads it: only its bits count */
	return add_int(c, b, &fi);
}

/* Bits of a field whose every part is byte-aligned, whole bytes, and read by
 * nobody (no slot, role, clock or capture), or -1. */
static int64_t unread_bits(const struct compiler *c, const struct vt_ctf_fc *fc, uint32_t depth)
{
	if (depth > VT_CTF_MAX_DEPTH || fc->align > 8 || fc->slot >= 0 || fc->roles || cap_of(c, fc) >= 0)
		return -1;
	switch (fc->type) {
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_FLOAT:
	case VT_CTF_FC_BIT_ARRAY:
		return fc->u.i.length % 8 || fc->u.i.clock || !fc->u.i.length || fc->u.i.length > 64
			       ? -1
			       : (int64_t)fc->u.i.length;
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_SL_BLOB:
		return fc->u.s.length <= VT_CTF_MAX_STATIC_LENGTH ? 8 * (int64_t)fc->u.s.length : -1;
	case VT_CTF_FC_STRUCT: {
		int64_t sum = 0;
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++) {
			int64_t m = unread_bits(c, fc->u.st.members[i].fc, depth + 1);
			if (m < 0 || sum > INT64_MAX / 2 - m)
				return -1;
			sum += m;
		}
		return sum;
	}
	case VT_CTF_FC_SL_ARRAY: {
		int64_t e = unread_bits(c, fc->u.a.element, depth + 1);
		/* elements of no size: vt_ctf_read still bounds their count by the content */
		if (e <= 0 || fc->u.a.length > VT_CTF_MAX_STATIC_LENGTH ||
		    (e && (uint64_t)e > (uint64_t)INT64_MAX / 4 / (fc->u.a.length + 1)))
			return -1;
		return e * (int64_t)fc->u.a.length;
	}
	default:
		return -1;
	}
}

/* Bytes read as one (vt_ctf_read aligns strings and BLOBs to a byte). */
static int fixed_bytes(struct compiler *c, const struct vt_ctf_fc *fc, uint64_t bits, int text)
{
	uint64_t off;
	struct vt_flat_step *b = place(c, 8, &off);
	if (!b)
		return -1;
	b->bits = off + bits;
	if (!text)
		return 0;
	struct vt_flat_int fi = {
		.off = off, .len = (uint32_t)(bits / 8), .how = VT_FLAT_TEXT, .role = -1, .slot = -1, .cap = cap_of(c, fc)};
	return add_int(c, b, &fi);
}

/* A step of its own after the open block; known: what its end is a multiple of. */
static struct vt_flat_step *own_step(struct compiler *c, enum vt_flat_op op, uint32_t align, uint32_t known)
{
	close_block(c);
	struct vt_flat_step *s = add_step(c, op, align);
	c->known = known;
	return s;
}

static int generic(struct compiler *c, const struct vt_ctf_fc *fc)
{
	struct vt_flat_step *s = own_step(c, VT_FLAT_GENERIC, 1, 1);
	if (!s)
		return -1;
	s->fc = fc;
	return 0;
}

static int member(struct compiler *c, const struct vt_ctf_fc *fc, uint32_t depth);

/* A structure's alignment and members, inlined. */
static int struct_body(struct compiler *c, const struct vt_ctf_fc *fc, uint32_t depth)
{
	uint64_t off;
	if (!place(c, fc->align, &off))
		return -1;
	c->f->steps[c->f->n - 1].bits = off;
	for (uint32_t i = 0; i < fc->u.st.nmembers; i++)
		if (member(c, fc->u.st.members[i].fc, depth + 1))
			return -1;
	return 0;
}

/* A captured static-length array of contiguous integers nobody else reads
 * (lttng-modules' addresses): its first elements kept; 1, or 0 when it is
 * not one. */
static int captured_array(struct compiler *c, const struct vt_ctf_fc *fc, int32_t cap)
{
	const struct vt_ctf_fc *e = fc->u.a.element;
	if ((e->type != VT_CTF_FC_UINT && e->type != VT_CTF_FC_SINT) || e->slot >= 0 || e->roles || e->u.i.clock ||
	    cap_of(c, e) >= 0 || !e->u.i.length || e->u.i.length > 64 || e->u.i.length % e->align ||
	    fc->align != e->align || fc->u.a.length > VT_CTF_MAX_STATIC_LENGTH)
		return 0;
	uint64_t off;
	struct vt_flat_step *b = place(c, fc->align, &off);
	if (!b)
		return -1;
	b->bits = off + fc->u.a.length * e->u.i.length;
	struct vt_flat_int fi = {.off = off,
				 .len = e->u.i.length,
				 .count = (uint32_t)fc->u.a.length,
				 .be = e->u.i.byte_order == VT_CTF_BE,
				 .how = VT_FLAT_ARRAY,
				 .sext = e->type == VT_CTF_FC_SINT,
				 .role = -1,
				 .slot = -1,
				 .cap = cap};
	return add_int(c, b, &fi) ? -1 : 1;
}

static int variant(struct compiler *c, const struct vt_ctf_fc *fc, uint32_t depth)
{
	close_block(c);
	uint32_t known = c->known;
	struct vt_flat_option *opts = calloc(fc->u.v.noptions ? fc->u.v.noptions : 1, sizeof(*opts));
	if (!opts) {
		c->nomem = 1;
		return -1;
	}
	for (uint32_t i = 0; i < fc->u.v.noptions; i++) {
		struct compiler sub = {.index = c->index, .n = c->n, .known = known};
		const struct vt_ctf_fc *ofc = fc->u.v.options[i].fc;
		opts[i].ranges = fc->u.v.options[i].ranges;
		opts[i].nranges = fc->u.v.options[i].nranges;
		opts[i].cap = cap_of(c, ofc); /* the step marks a captured option present */
		sub.f = opts[i].prog = calloc(1, sizeof(*sub.f));
		if (!sub.f || (opts[i].cap >= 0 && ofc->type == VT_CTF_FC_STRUCT ? struct_body(&sub, ofc, depth + 1)
										 : member(&sub, ofc, depth + 1))) {
			for (uint32_t k = 0; k <= i; k++)
				vt_flat_free(opts[k].prog);
			free(opts);
			c->nomem = 1;
			return -1;
		}
	}
	struct vt_flat_step *s = own_step(c, VT_FLAT_VARIANT, 1, 1);
	if (!s) {
		for (uint32_t k = 0; k < fc->u.v.noptions; k++)
			vt_flat_free(opts[k].prog);
		free(opts);
		return -1;
	}
	const struct vt_ctf_fc *sel = fc->u.v.loc.target;
	s->sgn = sel && (sel->type == VT_CTF_FC_SINT || sel->type == VT_CTF_FC_VSINT);
	s->slot = fc->u.v.loc.slot;
	s->opts = opts;
	s->nopts = fc->u.v.noptions;
	return 0;
}

static int dl_array(struct compiler *c, const struct vt_ctf_fc *fc)
{
	const struct vt_ctf_fc *e = fc->u.a.element;
	if (cap_of(c, fc) >= 0 || cap_of(c, e) >= 0 || (e->type != VT_CTF_FC_UINT && e->type != VT_CTF_FC_SINT) ||
	    e->slot >= 0 || e->roles || e->u.i.clock || !e->u.i.length || e->u.i.length > 64 ||
	    e->u.i.length % e->align)
		return generic(c, fc);
	struct vt_flat_step *s = own_step(c, VT_FLAT_DL_SKIP, fc->align, 1);
	if (!s)
		return -1;
	s->bits = e->u.i.length;
	s->slot = fc->u.a.loc.slot;
	return 0;
}

static int member(struct compiler *c, const struct vt_ctf_fc *fc, uint32_t depth)
{
	if (depth > VT_CTF_MAX_DEPTH)
		return generic(c, fc);
	int32_t cap = cap_of(c, fc);
	int64_t bits;
	struct vt_flat_step *s;
	switch (fc->type) {
	case VT_CTF_FC_BIT_ARRAY:
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_FLOAT:
		if (!fc->u.i.length || fc->u.i.length > 64)
			return generic(c, fc);
		return fixed_int(c, fc);
	case VT_CTF_FC_SL_STRING:
		if (fc->u.s.length > VT_CTF_MAX_STATIC_LENGTH || fc->align > 8)
			return generic(c, fc);
		return fixed_bytes(c, fc, 8 * fc->u.s.length, cap >= 0);
	case VT_CTF_FC_NT_STRING:
	case VT_CTF_FC_DL_STRING:
		if (!(s = own_step(c, fc->type == VT_CTF_FC_NT_STRING ? VT_FLAT_NT_STRING : VT_FLAT_DL_BYTES, 8, 8)))
			return -1;
		s->cap = cap;
		s->fc = fc;
		if (fc->type == VT_CTF_FC_DL_STRING)
			s->slot = fc->u.s.loc.slot;
		return 0;
	case VT_CTF_FC_STRUCT:
		return cap >= 0 ? generic(c, fc) : struct_body(c, fc, depth);
	case VT_CTF_FC_VARIANT:
		return cap >= 0 ? generic(c, fc) : variant(c, fc, depth);
	case VT_CTF_FC_DL_ARRAY:
		return dl_array(c, fc);
	case VT_CTF_FC_SL_ARRAY:
		if (cap >= 0) {
			int rc = captured_array(c, fc, cap);
			return rc ? (rc < 0 ? -1 : 0) : generic(c, fc);
		}
		/* fall through */
	default: /* SL blobs (their bytes are read by nobody, whatever their role) and
		  * byte-aligned arrays of fields nobody reads are skipped whole */
		if (fc->type == VT_CTF_FC_SL_BLOB && cap < 0 && fc->u.s.length <= VT_CTF_MAX_STATIC_LENGTH)
			return fixed_bytes(c, fc, 8 * fc->u.s.length, 0);
		if (fc->type == VT_CTF_FC_SL_ARRAY && fc->align == 8 && (bits = unread_bits(c, fc, 0)) >= 0)
			return fixed_bytes(c, fc, (uint64_t)bits, 0);
		if (fc->type == VT_CTF_FC_DL_BLOB && cap < 0) {
			if (!(s = own_step(c, VT_FLAT_DL_BYTES, 8, 8)))
				return -1;
			s->fc = fc;
			s->slot = fc->u.s.loc.slot;
			return 0;
		}
		return generic(c, fc);
	}
}

struct vt_flat *vt_flat_compile(const struct vt_ctf_fc *fc, const int16_t *index, uint32_t n, int *nomem)
{
	if (!fc)
		return NULL;
	struct compiler c = {.index = index, .n = n, .known = 1};
	c.f = calloc(1, sizeof(*c.f));
	if (!c.f || member(&c, fc, 0)) {
		vt_flat_free(c.f);
		*nomem = 1;
		return NULL;
	}
	return c.f;
}

void vt_flat_free(struct vt_flat *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->n; i++) {
		free(f->steps[i].ints);
		for (uint32_t k = 0; k < f->steps[i].nopts; k++)
			vt_flat_free(f->steps[i].opts[k].prog);
		free(f->steps[i].opts);
	}
	free(f->steps);
	free(f);
}
