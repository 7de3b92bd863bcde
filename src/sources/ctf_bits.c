/* LEB128 (CTF 2 variable-length integers), bounded, refusing more than 64 bits. */
#include "sources/ctf_bits.h"

/* The 10th byte holds bit 63 of the value and, signed, the sign extension
 * above it: unsigned, 0 or 1 fit in 64 bits; signed, 0 (positive) or 0x7f
 * (negative, as INT64_MIN's encoding ends). */
static size_t leb128(const uint8_t *p, const uint8_t *end, int is_signed, uint64_t *out, uint32_t *bits)
{
	uint64_t v = 0;
	uint32_t shift = 0;
	for (size_t i = 0; p + i < end && i < 10; i++) {
		uint64_t b = p[i] & 0x7f;
		if (shift == 63 && (is_signed ? b != 0 && b != 0x7f : b > 1))
			return 0;
		v |= b << shift;
		shift += 7;
		if (!(p[i] & 0x80)) {
			*out = v;
			*bits = shift > 64 ? 64 : shift;
			return i + 1;
		}
	}
	return 0;
}

size_t vt_leb128_u(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint32_t bits;
	return leb128(p, end, 0, out, &bits);
}

size_t vt_leb128_s(const uint8_t *p, const uint8_t *end, int64_t *out)
{
	uint64_t v;
	uint32_t bits;
	size_t n = leb128(p, end, 1, &v, &bits);
	if (n)
		*out = vt_bits_sext(v, bits);
	return n;
}
