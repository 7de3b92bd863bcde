#include "tarw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *grow(struct tarw *t, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	uint8_t *p = t->buf + t->len;
	memset(p, 0, n);
	t->len += n;
	return p;
}

void tarw_checksum(struct tarw *t, size_t off)
{
	uint8_t *h = t->buf + off;
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

size_t tarw_header(struct tarw *t, const char *name, char type, uint64_t size, unsigned mode, const char *link,
		   int gnu)
{
	size_t off = t->len;
	uint8_t *h = grow(t, 512);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	snprintf((char *)h + 100, 8, "%07o", mode & 07777777);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	if (size < (1ull << 33)) {
		snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	} else {
		h[124] = 0x80;
		for (int i = 0; i < 8; i++)
			h[135 - i] = (uint8_t)(size >> (8 * i));
	}
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strlen(link) < 100 ? strlen(link) : 100);
	memcpy(h + 257, gnu ? "ustar  \0" : "ustar\0" "00", 8);
	tarw_checksum(t, off);
	return off;
}

void tarw_data(struct tarw *t, const void *data, size_t n)
{
	size_t padded = (n + 511) / 512 * 512;
	uint8_t *p = grow(t, padded);
	memcpy(p, data, n);
}

void tarw_file(struct tarw *t, const char *name, const char *content)
{
	tarw_header(t, name, '0', strlen(content), 0644, NULL, 0);
	tarw_data(t, content, strlen(content));
}

void tarw_pax(struct tarw *t, const char *const *records, size_t n)
{
	char body[8192];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		/* The length counts itself: try until it fits. */
		size_t rl = strlen(records[i]) + 3;
		char rec[4200];
		for (;;) {
			int w = snprintf(rec, sizeof(rec), "%zu %s\n", rl, records[i]);
			if ((size_t)w == rl)
				break;
			rl = (size_t)w;
		}
		memcpy(body + len, rec, rl);
		len += rl;
	}
	tarw_header(t, "PaxHeaders/x", 'x', len, 0644, NULL, 0);
	tarw_data(t, body, len);
}

void tarw_end(struct tarw *t)
{
	grow(t, 1024);
}

void tarw_free(struct tarw *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}
