/* Bit-level reads of a CTF data stream: fixed-length integers at any bit
 * position in either byte order (CTF's bit numbering: little-endian fields
 * start at a byte's least significant bit, big-endian ones at its most
 * significant), and LEB128. The caller bounds every read: these never look
 * past buf + (pos + length + 7) / 8. */
#ifndef VT_SOURCES_CTF_BITS_H
#define VT_SOURCES_CTF_BITS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t vt_bits_mask(uint32_t n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* n (1..64) bits at bit pos of buf, little-endian. */
static inline uint64_t vt_bits_le(const uint8_t *buf, uint64_t pos, uint32_t n)
{
	uint64_t v = 0;
	if ((pos & 7) == 0 && (n & 7) == 0) {
		const uint8_t *p = buf + (pos >> 3);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		switch (n) { /* one load for the common sizes */
		case 8:
			return p[0];
		case 16: {
			uint16_t x;
			memcpy(&x, p, 2);
			return x;
		}
		case 32: {
			uint32_t x;
			memcpy(&x, p, 4);
			return x;
		}
		case 64:
			memcpy(&v, p, 8);
			return v;
		default:
			break;
		}
#endif
		for (uint32_t i = n >> 3; i-- > 0;)
			v = (v << 8) | p[i];
		return v;
	}
	uint32_t shift = 0;
	while (n) {
		uint32_t bit = (uint32_t)(pos & 7), take = 8 - bit < n ? 8 - bit : n;
		uint64_t part = ((uint64_t)buf[pos >> 3] >> bit) & vt_bits_mask(take);
		v |= part << shift;
		shift += take;
		pos += take;
		n -= take;
	}
	return v;
}

/* n (1..64) bits at bit pos of buf, big-endian. */
static inline uint64_t vt_bits_be(const uint8_t *buf, uint64_t pos, uint32_t n)
{
	uint64_t v = 0;
	if ((pos & 7) == 0 && (n & 7) == 0) {
		const uint8_t *p = buf + (pos >> 3);
		for (uint32_t i = 0; i < n >> 3; i++)
			v = (v << 8) | p[i];
		return v;
	}
	while (n) {
		uint32_t bit = (uint32_t)(pos & 7), take = 8 - bit < n ? 8 - bit : n;
		uint64_t part = ((uint64_t)buf[pos >> 3] >> (8 - bit - take)) & vt_bits_mask(take);
		v = (v << take) | part;
		pos += take;
		n -= take;
	}
	return v;
}

/* Sign-extends the low n (1..64) bits of v. */
static inline int64_t vt_bits_sext(uint64_t v, uint32_t n)
{
	if (n >= 64)
		return (int64_t)v;
	uint64_t sign = UINT64_C(1) << (n - 1);
	v &= vt_bits_mask(n);
	return (int64_t)((v ^ sign) - sign);
}

/* LEB128 at p, at most end - p bytes. Returns the bytes read, 0 when
 * truncated or wider than 64 bits. */
size_t vt_leb128_u(const uint8_t *p, const uint8_t *end, uint64_t *out);
size_t vt_leb128_s(const uint8_t *p, const uint8_t *end, int64_t *out);

#endif
