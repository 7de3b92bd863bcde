/* The guest agent's byte stream cut into answer lines, each at most
 * max_line bytes; before a sync answer, everything up to the sentinel byte
 * is dropped (late answers to calls that timed out, a guest's garbage). */
#include "record/qga_proto.h"

#include <stdlib.h>
#include <string.h>

int vt_qga_reader_init(struct vt_qga_reader *r, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	return vt_qga_reader_reserve(r, max_line);
}

void vt_qga_reader_free(struct vt_qga_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int vt_qga_reader_reserve(struct vt_qga_reader *r, size_t max_line)
{
	if (max_line + 1 > r->alloc) {
		char *b = realloc(r->buf, max_line + 1);
		if (!b)
			return -1;
		r->buf = b;
		r->alloc = max_line + 1;
	}
	r->max_line = max_line;
	return 0;
}

char *vt_qga_reader_space(struct vt_qga_reader *r, size_t *room)
{
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	*room = r->alloc - r->len;
	return r->buf + r->len;
}

void vt_qga_reader_commit(struct vt_qga_reader *r, size_t n)
{
	r->len += n <= r->alloc - r->len ? n : 0;
}

/* Drops bytes up to and including the sentinel; 0 when none came yet. */
static int skip_to_sentinel(struct vt_qga_reader *r)
{
	const char *s = memchr(r->buf + r->off, VT_QGA_SENTINEL, r->len - r->off);
	size_t upto = s ? (size_t)(s - r->buf) + 1 : r->len;
	r->dropped += upto - r->off;
	r->off = upto;
	if (s)
		r->want_sentinel = 0;
	return s != NULL;
}

enum vt_qga_next vt_qga_reader_next(struct vt_qga_reader *r, const char **line, size_t *len)
{
	if (r->want_sentinel && !skip_to_sentinel(r))
		return VT_QGA_MORE;
	for (;;) {
		char *start = r->buf + r->off;
		char *nl = memchr(start, '\n', r->len - r->off);
		if (!nl)
			return r->len - r->off > r->max_line ? VT_QGA_TOO_LONG : VT_QGA_MORE;
		size_t n = (size_t)(nl - start);
		r->off += n + 1;
		if (n > r->max_line)
			return VT_QGA_TOO_LONG;
		if (strspn(start, " \t\r") >= n) /* blank line: nothing to answer */
			continue;
		*line = start;
		*len = n;
		return VT_QGA_LINE;
	}
}

void vt_qga_reader_resync(struct vt_qga_reader *r)
{
	r->off = r->len = 0;
	r->want_sentinel = 1;
}
