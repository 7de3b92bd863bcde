/* Ring-buffer pages of one CPU, as the kernel fills them: a page header
 * {u64 timestamp, local_t commit}, then events with a 32-bit header
 * (type_len:5, time_delta:27), TIME_EXTEND before a delta that needs more than
 * 27 bits. Full pages go to the CPU's temporary file. */
#include "exporters/tracecmd_pages.h"

#include <stdlib.h>
#include <string.h>

#define TS_BITS 27
#define TYPE_TIME_EXTEND 30
#define MAX_SMALL_DATA (28 * 4) /* larger data: type_len 0 and a length word */

int vt_tc_pages_init(struct vt_tc_pages *c, FILE *tmp)
{
	memset(c, 0, sizeof(*c));
	c->tmp = tmp;
	c->page = calloc(1, VT_TC_PAGE_SIZE);
	return c->page ? 0 : -1;
}

void vt_tc_pages_free(struct vt_tc_pages *c)
{
	free(c->page);
	if (c->tmp)
		fclose(c->tmp);
	memset(c, 0, sizeof(*c));
}

int vt_tc_pages_flush(struct vt_tc_pages *c)
{
	if (!c->open)
		return 0;
	uint64_t commit = c->pos;
	memcpy(c->page, &c->page_ts, 8);
	memcpy(c->page + 8, &commit, 8);
	memset(c->page + VT_TC_PAGE_HEADER + c->pos, 0, VT_TC_PAGE_DATA - c->pos);
	c->open = 0;
	c->pages++;
	if (fwrite(c->page, VT_TC_PAGE_SIZE, 1, c->tmp) != 1)
		c->failed = 1;
	return c->failed ? -1 : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

uint8_t *vt_tc_pages_reserve(struct vt_tc_pages *c, uint64_t ts, size_t len)
{
	if (c->failed)
		return NULL;
	if (ts < c->last_ts)
		ts = c->last_ts;
	size_t dlen = len ? (len + 3) & ~(size_t)3 : 4;
	size_t rec = dlen <= MAX_SMALL_DATA ? 4 + dlen : 8 + dlen;
	if (rec > VT_TC_PAGE_DATA)
		return NULL; /* larger than a page: the kernel refuses it too */
	uint64_t delta = c->open ? ts - c->last_ts : 0;
	size_t ext = delta >> TS_BITS ? 8 : 0;
	if (c->open && c->pos + ext + rec > VT_TC_PAGE_DATA) {
		if (vt_tc_pages_flush(c))
			return NULL;
	}
	if (!c->open) {
		c->open = 1;
		c->pos = 0;
		c->page_ts = ts;
		delta = 0;
		ext = 0;
		if (!c->events)
			c->first_ts = ts;
	}
	uint8_t *p = c->page + VT_TC_PAGE_HEADER + c->pos;
	if (ext) {
		put32(p, TYPE_TIME_EXTEND | (uint32_t)(delta & ((1u << TS_BITS) - 1)) << 5);
		put32(p + 4, (uint32_t)(delta >> TS_BITS));
		p += 8;
		delta = 0;
	}
	if (dlen <= MAX_SMALL_DATA) {
		put32(p, (uint32_t)(dlen / 4) | (uint32_t)delta << 5);
		p += 4;
	} else {
		put32(p, (uint32_t)delta << 5); /* type_len 0: the length follows */
		put32(p + 4, (uint32_t)dlen + 4);
		p += 8;
	}
	memset(p, 0, dlen);
	c->pos += ext + rec;
	c->last_ts = ts;
	c->events++;
	return p;
}
