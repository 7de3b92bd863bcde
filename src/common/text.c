/* Valid UTF-8 and terminal-safe text from hostile strings (text.h). */
#include "common/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t vt_utf8_seq_len(const unsigned char *s, size_t n)
{
	if (!n)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Bytes vt_utf8_clean writes for s, NUL excluded. */
static size_t clean_len(const unsigned char *s, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(s + i, n - i);
		out += k ? k : 3;
		i += k ? k : 1;
	}
	return out;
}

char *vt_utf8_clean(const char *s, char *buf, size_t size)
{
	if (!size)
		return buf;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(p + i, n - i);
		const char *from = k ? (const char *)p + i : replacement;
		size_t len = k ? k : 3;
		if (o + len + 1 > size)
			break;
		memcpy(buf + o, from, len);
		o += len;
		i += k ? k : 1;
	}
	buf[o] = '\0';
	return buf;
}

char *vt_utf8_clean_dup(const char *s)
{
	const char *src = s ? s : "";
	size_t size = clean_len((const unsigned char *)src, strlen(src)) + 1;
	char *buf = malloc(size);
	return buf ? vt_utf8_clean(src, buf, size) : NULL;
}

json_t *vt_json_str(const char *s)
{
	const char *src = s ? s : "";
	size_t n = strlen(src);
	if (clean_len((const unsigned char *)src, n) == n)
		return json_stringn(src, n); /* already valid: no copy */
	char *clean = vt_utf8_clean_dup(src);
	if (!clean)
		return NULL;
	json_t *j = json_string(clean);
	free(clean);
	return j;
}

/* Does the valid sequence at p need a \uXXXX in JSON (in_script: inside <script>)? */
static int json_escaped(const unsigned char *p, size_t k, int in_script)
{
	if (k == 1)
		return p[0] < 0x20 || p[0] == 0x7f || (in_script && (p[0] == '<' || p[0] == '>' || p[0] == '&'));
	/* U+2028 and U+2029 end a line in JavaScript before ES2019 */
	return in_script && k == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
}

void vt_json_write(FILE *f, const char *s, int in_script)
{
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(p + i, n - i);
		if (!k)
			fputs(replacement, f);
		else if (k == 1 && (p[i] == '"' || p[i] == '\\'))
			fprintf(f, "\\%c", p[i]);
		else if (json_escaped(p + i, k, in_script))
			fprintf(f, "\\u%04x", k == 1 ? p[i] : 0x2000u + (p[i + 2] - 0x80u));
		else
			fwrite(p + i, 1, k, f);
		i += k ? k : 1;
	}
	fputc('"', f);
}

/* C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F). */
static int is_control(const unsigned char *p, size_t k)
{
	if (k == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return k == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* Appends piece to buf (o bytes so far) when it fits with the NUL; returns 0, or -1 when it does not. */
static int put(char *buf, size_t size, size_t *o, const char *piece, size_t len)
{
	if (*o + len + 1 > size)
		return -1;
	memcpy(buf + *o, piece, len);
	*o += len;
	return 0;
}

/* The walk behind vt_text_safe and vt_text_line: one_line keeps backslashes
 * and turns line breaks and tabs into spaces. */
static char *escape(const char *s, char *buf, size_t size, int one_line)
{
	if (!size)
		return buf;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(p + i, n - i);
		size_t bytes = k ? k : 1;
		char esc[16];
		size_t len = 0;
		const char *from = esc;
		if (one_line && (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) {
			from = " ";
			len = 1;
		} else if (p[i] == '\\') {
			from = one_line ? "\\" : "\\\\";
			len = one_line ? 1 : 2;
		} else if (k && !is_control(p + i, k)) {
			from = (const char *)p + i;
			len = k;
		} else {
			/* A C1 control is two bytes: escape both, so nothing of it stays raw. */
			for (size_t b = 0; b < bytes; b++)
				len += (size_t)snprintf(esc + len, sizeof(esc) - len, "\\x%02x", p[i + b]);
		}
		if (put(buf, size, &o, from, len))
			break;
		i += bytes;
	}
	buf[o] = '\0';
	return buf;
}

char *vt_text_safe(const char *s, char *buf, size_t size)
{
	return escape(s, buf, size, 0);
}

char *vt_text_line(const char *s, char *buf, size_t size)
{
	return escape(s, buf, size, 1);
}

int vt_text_needs_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(p + i, n - i);
		if (!k || is_control(p + i, k) || p[i] == '\\')
			return 1;
		i += k;
	}
	return 0;
}
