/* Strict base64, as qemu-ga writes it (g_base64_encode: standard alphabet,
 * '=' padding, no line breaks). Anything else is refused, not guessed at. */
#include "record/qga_proto.h"

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t vt_b64_max_decoded(size_t len)
{
	return len / 4 * 3;
}

/* One group of 4 characters (pad: how many '=' end it, only in the last). */
static int b64_group(const char *in, int pad, uint8_t out[3])
{
	int v[4];
	for (int i = 0; i < 4; i++) {
		v[i] = i < 4 - pad ? b64_value((unsigned char)in[i]) : (in[i] == '=' ? 0 : -1);
		if (v[i] < 0)
			return -1;
	}
	uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
	/* The bits the padding leaves unused must be zero (one encoding per input). */
	if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
		return -1;
	out[0] = (uint8_t)(w >> 16);
	out[1] = (uint8_t)(w >> 8);
	out[2] = (uint8_t)w;
	return 3 - pad;
}

long vt_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	if (len % 4)
		return -1;
	int pad = len >= 4 ? (in[len - 1] == '=') + (in[len - 2] == '=') : 0;
	if (pad == 1 && in[len - 2] == '=')
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < len; i += 4) {
		uint8_t b[3];
		int last = i + 4 == len;
		int got = b64_group(in + i, last ? pad : 0, b);
		if (got < 0 || n + (size_t)got > cap)
			return -1;
		for (int k = 0; k < got; k++)
			out[n++] = b[k];
	}
	return (long)n;
}
