/* Decoding a field class tree of a CTF data stream (see ctf_read.h). */
#include "sources/ctf_read.h"

#include <stdlib.h>
#include <string.h>

#include "sources/ctf_bits.h"

uint64_t vt_ctf_clock_update(uint64_t clock, uint64_t value, uint32_t n)
{
	if (n >= 64)
		return value;
	uint64_t mask = vt_bits_mask(n);
	if (value < (clock & mask))
		clock += mask + 1; /* the low bits wrapped */
	return (clock & ~mask) | value;
}

static int fail(struct vt_ctf_reader *r, const char *why)
{
	r->error = why;
	return -1;
}

/* Aligns r->pos to align bits, within the content. */
static int align_to(struct vt_ctf_reader *r, uint32_t align)
{
	uint64_t pos = (r->pos + align - 1) & ~(uint64_t)(align - 1);
	if (pos < r->pos || pos > r->end)
		return fail(r, "a field's alignment passes the packet's content");
	r->pos = pos;
	return 0;
}

static struct vt_ctf_capture *capture_of(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc)
{
	uint32_t scope = fc->order >> 24, idx = fc->order & 0xffffff;
	if (scope >= VT_CTF_SCOPE_COUNT)
		return NULL;
	const struct vt_ctf_cap_table *t = &r->cap[scope];
	if (!t->index || idx >= t->n || t->index[idx] < 0)
		return NULL;
	return vt_ctf_capture_take(&t->caps[t->index[idx]]);
}

static void keep_int(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc, uint64_t v, struct vt_ctf_capture *c)
{
	if (fc->slot >= 0 && (uint32_t)fc->slot < r->nslots)
		r->slots[fc->slot] = v;
	if (fc->roles) {
		for (uint32_t b = 0; b < VT_CTF_ROLE_BITS; b++)
			if (fc->roles & (1u << b))
				r->role[b] = v;
		r->roles_seen |= fc->roles;
	}
	/* A timestamp, or an integer mapped to the clock (CTF 1.8), updates it;
	 * not the packet's end time, which babeltrace2 does not apply either. */
	if (((fc->roles & VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP) || (fc->type == VT_CTF_FC_UINT && fc->u.i.clock)) &&
	    !(fc->roles & VT_CTF_ROLE_PACKET_END_TIMESTAMP))
		r->clock = vt_ctf_clock_update(r->clock, v, fc->type == VT_CTF_FC_VUINT ? 64 : fc->u.i.length);
	r->last_int = v;
	if (c)
		c->u = v;
}

static int read_fixed(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc, struct vt_ctf_capture *c)
{
	uint32_t n = fc->u.i.length;
	if (n == 0 || n > 64)
		return fail(r, "an integer of an impossible length");
	if (align_to(r, fc->align))
		return -1;
	if (r->end - r->pos < n)
		return fail(r, "a field passes the packet's content");
	uint64_t v;
	if (fc->u.i.byte_order == VT_CTF_LE)
		v = vt_bits_le(r->buf, r->pos, n);
	else
		v = vt_bits_be(r->buf, r->pos, n);
	r->pos += n;
	switch (fc->type) {
	case VT_CTF_FC_SINT:
		v = (uint64_t)vt_bits_sext(v, n);
		break;
	case VT_CTF_FC_BOOL:
		v = v != 0;
		break;
	case VT_CTF_FC_FLOAT:
		r->last_int = 0;
		if (c)
			c->u = 0;
		return 0; /* no integer value */
	default:
		break;
	}
	keep_int(r, fc, v, c);
	return 0;
}

static int read_leb(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc, struct vt_ctf_capture *c)
{
	if (align_to(r, 8))
		return -1;
	const uint8_t *p = r->buf + r->pos / 8, *end = r->buf + r->end / 8;
	uint64_t v;
	int64_t sv;
	size_t n = fc->type == VT_CTF_FC_VUINT ? vt_leb128_u(p, end, &v) : vt_leb128_s(p, end, &sv);
	if (!n)
		return fail(r, "a variable-length integer is truncated or wider than 64 bits");
	if (fc->type == VT_CTF_FC_VSINT)
		v = (uint64_t)sv;
	r->pos += 8 * (uint64_t)n;
	keep_int(r, fc, v, c);
	return 0;
}

static int read_nt_string(struct vt_ctf_reader *r, struct vt_ctf_capture *c)
{
	if (align_to(r, 8))
		return -1;
	const uint8_t *p = r->buf + r->pos / 8;
	const uint8_t *nul = memchr(p, 0, (size_t)((r->end - r->pos) / 8));
	if (!nul)
		return fail(r, "a string is not terminated within the packet's content");
	if (c)
		c->s = (const char *)p;
	r->pos += 8 * (uint64_t)(nul - p + 1);
	return 0;
}

static uint64_t slot_value(const struct vt_ctf_reader *r, const struct vt_ctf_location *loc)
{
	return loc->slot < r->nslots ? r->slots[loc->slot] : 0;
}

int vt_ctf_keep_text(struct vt_ctf_reader *r, const uint8_t *p, uint64_t len, struct vt_ctf_capture *c)
{
	const uint8_t *nul = memchr(p, 0, (size_t)len);
	size_t n = nul ? (size_t)(nul - p) : (size_t)len;
	if (r->strused + n + 1 > r->strcap) {
		size_t cap = r->strcap ? r->strcap : 256;
		while (cap < r->strused + n + 1)
			cap *= 2;
		char *b = realloc(r->strbuf, cap);
		if (!b)
			return fail(r, "out of memory");
		r->strbuf = b;
		r->strcap = cap;
	}
	memcpy(r->strbuf + r->strused, p, n);
	r->strbuf[r->strused + n] = '\0';
	c->soff = r->strused;
	c->has_soff = 1;
	r->strused += n + 1;
	return 0;
}

static int read_bytes(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc, struct vt_ctf_capture *c)
{
	uint64_t len = fc->type == VT_CTF_FC_SL_STRING || fc->type == VT_CTF_FC_SL_BLOB ? fc->u.s.length
											: slot_value(r, &fc->u.s.loc);
	if (align_to(r, 8))
		return -1;
	if (len > (r->end - r->pos) / 8)
		return fail(r, "a string or BLOB passes the packet's content");
	const uint8_t *p = r->buf + r->pos / 8;
	r->pos += 8 * len;
	if (c && (fc->type == VT_CTF_FC_SL_STRING || fc->type == VT_CTF_FC_DL_STRING))
		return vt_ctf_keep_text(r, p, len, c);
	return 0;
}

/* Whether v is in ranges (compared as signed values for a signed selector). */
static int in_ranges(const struct vt_ctf_range *ranges, uint32_t n, uint64_t v, int is_signed)
{
	for (uint32_t i = 0; i < n; i++) {
		if (is_signed ? (int64_t)v >= (int64_t)ranges[i].lower && (int64_t)v <= (int64_t)ranges[i].upper
			      : v >= ranges[i].lower && v <= ranges[i].upper)
			return 1;
	}
	return 0;
}

static int selector_signed(const struct vt_ctf_location *loc)
{
	return loc->target && (loc->target->type == VT_CTF_FC_SINT || loc->target->type == VT_CTF_FC_VSINT);
}

/* An element that is an integer nobody looks at: the whole array is skipped at once. */
static int plain_element(const struct vt_ctf_fc *e)
{
	return (e->type == VT_CTF_FC_UINT || e->type == VT_CTF_FC_SINT) && e->slot < 0 && !e->roles && !e->u.i.clock &&
	       e->u.i.length % e->align == 0;
}

static int read_array(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc, struct vt_ctf_capture *c)
{
	uint64_t len = fc->type == VT_CTF_FC_SL_ARRAY ? fc->u.a.length : slot_value(r, &fc->u.a.loc);
	const struct vt_ctf_fc *e = fc->u.a.element;
	if (align_to(r, fc->align))
		return -1;
	if (len > r->end - r->pos)
		return fail(r, "an array passes the packet's content");
	if (c)
		c->nelems = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	if (!c && plain_element(e)) {
		if (len > (r->end - r->pos) / e->u.i.length)
			return fail(r, "an array passes the packet's content");
		r->pos += len * e->u.i.length;
		return 0;
	}
	for (uint64_t i = 0; i < len; i++) {
		if (vt_ctf_read(r, e))
			return -1;
		if (c && i < VT_CTF_CAPTURE_ELEMS && e->type != VT_CTF_FC_STRUCT) {
			c->elems[i] = r->last_int; /* the element's value: the last integer read */
		}
	}
	return 0;
}

int vt_ctf_read(struct vt_ctf_reader *r, const struct vt_ctf_fc *fc)
{
	struct vt_ctf_capture *c = capture_of(r, fc);
	switch (fc->type) {
	case VT_CTF_FC_BIT_ARRAY:
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_FLOAT:
		return read_fixed(r, fc, c);
	case VT_CTF_FC_VUINT:
	case VT_CTF_FC_VSINT:
		return read_leb(r, fc, c);
	case VT_CTF_FC_NT_STRING:
		return read_nt_string(r, c);
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_DL_STRING:
	case VT_CTF_FC_SL_BLOB:
	case VT_CTF_FC_DL_BLOB:
		return read_bytes(r, fc, c);
	case VT_CTF_FC_STRUCT:
		if (align_to(r, fc->align))
			return -1;
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++)
			if (vt_ctf_read(r, fc->u.st.members[i].fc))
				return -1;
		return 0;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		return read_array(r, fc, c);
	case VT_CTF_FC_OPTIONAL: {
		uint64_t v = slot_value(r, &fc->u.o.loc);
		int on = fc->u.o.loc.target && fc->u.o.loc.target->type == VT_CTF_FC_BOOL
				 ? v != 0
				 : in_ranges(fc->u.o.ranges, fc->u.o.nranges, v, selector_signed(&fc->u.o.loc));
		return on ? vt_ctf_read(r, fc->u.o.fc) : 0;
	}
	case VT_CTF_FC_VARIANT: {
		uint64_t v = slot_value(r, &fc->u.v.loc);
		int sgn = selector_signed(&fc->u.v.loc);
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			if (in_ranges(fc->u.v.options[i].ranges, fc->u.v.options[i].nranges, v, sgn))
				return vt_ctf_read(r, fc->u.v.options[i].fc);
		return fail(r, "a variant's selector selects none of its options");
	}
	}
	return fail(r, "an unknown field class");
}
