/* Running a flat program (ctf_flat.h): the per-event hot path of the native
 * reader. Every step checks its bounds once; a block's fields are then read
 * at their fixed offsets. */
#include <string.h>

#include "sources/ctf_bits.h"
#include "sources/ctf_flat.h"

/* Whether len bytes at p hold a NUL: a word at a time, as names are short. */
static int has_nul(const uint8_t *p, uint32_t len)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	uint32_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if ((w - ones) & ~w & highs)
			return 1;
	}
	for (; i < len; i++)
		if (!p[i])
			return 1;
	return 0;
}

/* A captured static-length string: in place when a NUL ends it inside, else copied. */
static int text(struct vt_ctf_reader *r, const uint8_t *p, uint32_t len, struct vt_ctf_capture *c)
{
	vt_ctf_capture_take(c);
	if (has_nul(p, len)) {
		c->s = (const char *)p;
		return 0;
	}
	return vt_ctf_keep_text(r, p, len, c);
}

/* The integer fi at bit at of buf; lim: the bytes readable from buf. */
static uint64_t load(const struct vt_flat_int *fi, const uint8_t *buf, uint64_t at, uint64_t lim)
{
	const uint8_t *p = buf + (at >> 3);
	switch (fi->how) {
	case VT_FLAT_U8:
		return *p;
	case VT_FLAT_U16: {
		uint16_t x;
		memcpy(&x, p, 2);
		return x;
	}
	case VT_FLAT_U32: {
		uint32_t x;
		memcpy(&x, p, 4);
		return x;
	}
	case VT_FLAT_U64: {
		uint64_t x;
		memcpy(&x, p, 8);
		return x;
	}
	case VT_FLAT_LE56: {
		uint64_t x;
		if ((at >> 3) + 8 > lim)
			return vt_bits_le(buf, at, fi->len);
		memcpy(&x, p, 8);
		return (x >> (at & 7)) & vt_bits_mask(fi->len);
	}
	case VT_FLAT_BE:
		return vt_bits_be(buf, at, fi->len);
	default:
		return vt_bits_le(buf, at, fi->len);
	}
}

/* A captured array's length and first elements, as read_array keeps them. */
static int array(const uint8_t *buf, const struct vt_flat_int *fi, uint64_t at, struct vt_ctf_capture *c)
{
	vt_ctf_capture_take(c)->nelems = fi->count;
	for (uint32_t i = 0; i < fi->count && i < VT_CTF_CAPTURE_ELEMS; i++, at += fi->len) {
		uint64_t v = fi->be ? vt_bits_be(buf, at, fi->len) : vt_bits_le(buf, at, fi->len);
		c->elems[i] = fi->sext ? (uint64_t)vt_bits_sext(v, fi->len) : v;
	}
	return 0;
}

static int block_int(struct vt_ctf_reader *r, const struct vt_flat_int *fi, uint64_t at, struct vt_ctf_capture *caps)
{
	if (fi->how == VT_FLAT_TEXT)
		return text(r, r->buf + (at >> 3), fi->len, &caps[fi->cap]);
	if (fi->how == VT_FLAT_ARRAY)
		return array(r->buf, fi, at, &caps[fi->cap]);
	if (fi->how == VT_FLAT_FLOAT) {
		vt_ctf_capture_take(&caps[fi->cap]);
		return 0;
	}
	uint64_t v = load(fi, r->buf, at, r->lim);
	if (fi->sext)
		v = (uint64_t)vt_bits_sext(v, fi->len);
	if (fi->boolean)
		v = v != 0;
	if (fi->slot >= 0 && (uint32_t)fi->slot < r->nslots)
		r->slots[fi->slot] = v;
	if (fi->role >= 0) {
		r->role[fi->role] = v;
		r->roles_seen |= fi->roles;
	} else if (fi->role == -2) {
		for (uint32_t b = 0; b < VT_CTF_ROLE_BITS; b++)
			if (fi->roles & (1u << b))
				r->role[b] = v;
		r->roles_seen |= fi->roles;
	}
	if (fi->clock)
		r->clock = vt_ctf_clock_update(r->clock, v, fi->len);
	if (fi->cap >= 0)
		vt_ctf_capture_take(&caps[fi->cap])->u = v;
	return 0;
}

static uint64_t slot(const struct vt_ctf_reader *r, uint32_t s)
{
	return s < r->nslots ? r->slots[s] : 0;
}

static int in_ranges(const struct vt_ctf_range *ranges, uint32_t n, uint64_t v, int sgn)
{
	for (uint32_t i = 0; i < n; i++)
		if (sgn ? (int64_t)v >= (int64_t)ranges[i].lower && (int64_t)v <= (int64_t)ranges[i].upper
			: v >= ranges[i].lower && v <= ranges[i].upper)
			return 1;
	return 0;
}

static int variant(const struct vt_flat_step *s, struct vt_ctf_reader *r, struct vt_ctf_capture *caps)
{
	uint64_t v = slot(r, s->slot);
	for (uint32_t i = 0; i < s->nopts; i++)
		if (in_ranges(s->opts[i].ranges, s->opts[i].nranges, v, s->sgn)) {
			if (s->opts[i].cap >= 0)
				vt_ctf_capture_take(&caps[s->opts[i].cap]);
			return vt_flat_run(s->opts[i].prog, r, caps);
		}
	return -1;
}

static int dl_bytes(const struct vt_flat_step *s, struct vt_ctf_reader *r, struct vt_ctf_capture *caps)
{
	uint64_t len = slot(r, s->slot);
	if (len > (r->end - r->pos) / 8)
		return -1;
	const uint8_t *p = r->buf + r->pos / 8;
	r->pos += 8 * len;
	if (s->cap < 0)
		return 0;
	return vt_ctf_keep_text(r, p, len, vt_ctf_capture_take(&caps[s->cap]));
}

static int step(const struct vt_flat_step *s, struct vt_ctf_reader *r, struct vt_ctf_capture *caps)
{
	uint64_t pos = (r->pos + s->align - 1) & ~(uint64_t)(s->align - 1);
	if (pos < r->pos || pos > r->end)
		return -1;
	r->pos = pos;
	switch (s->op) {
	case VT_FLAT_BLOCK:
		if (r->end - pos < s->bits)
			return -1;
		for (uint32_t i = 0; i < s->nints; i++)
			if (block_int(r, &s->ints[i], pos + s->ints[i].off, caps))
				return -1;
		r->pos = pos + s->bits;
		return 0;
	case VT_FLAT_NT_STRING: {
		const uint8_t *p = r->buf + pos / 8;
		const uint8_t *nul = memchr(p, 0, (size_t)((r->end - pos) / 8));
		if (!nul)
			return -1;
		if (s->cap >= 0) {
			vt_ctf_capture_take(&caps[s->cap])->s = (const char *)p;
		}
		r->pos += 8 * (uint64_t)(nul - p + 1);
		return 0;
	}
	case VT_FLAT_DL_BYTES:
		return dl_bytes(s, r, caps);
	case VT_FLAT_DL_SKIP: {
		uint64_t len = slot(r, s->slot);
		if (len > r->end - pos || len > (r->end - pos) / s->bits)
			return -1;
		r->pos += len * s->bits;
		return 0;
	}
	case VT_FLAT_VARIANT:
		return variant(s, r, caps);
	default:
		return vt_ctf_read(r, s->fc);
	}
}

int vt_flat_run(const struct vt_flat *f, struct vt_ctf_reader *r, struct vt_ctf_capture *caps)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (step(&f->steps[i], r, caps))
			return -1;
	return 0;
}

int vt_flat_read(struct vt_ctf_reader *r, const struct vt_flat *f, const struct vt_ctf_fc *fc,
		 struct vt_ctf_capture *caps)
{
	uint64_t start = r->pos;
	if (f && !vt_flat_run(f, r, caps))
		return 0;
	r->pos = start;
	return vt_ctf_read(r, fc);
}
