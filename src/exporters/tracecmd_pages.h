/* One CPU's ring-buffer pages for the trace.dat writer. */
#ifndef VT_EXPORTERS_TRACECMD_PAGES_H
#define VT_EXPORTERS_TRACECMD_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VT_TC_PAGE_SIZE 4096u
#define VT_TC_PAGE_HEADER 16u /* u64 timestamp, local_t commit */
#define VT_TC_PAGE_DATA (VT_TC_PAGE_SIZE - VT_TC_PAGE_HEADER)

struct vt_tc_pages {
	uint8_t *page;     /* the page being filled */
	size_t pos;        /* data bytes used in it */
	int open;          /* page holds at least one event */
	uint64_t page_ts;  /* its header's timestamp */
	uint64_t last_ts;  /* the previous event's */
	uint64_t first_ts; /* the CPU's first event's */
	uint64_t events, pages;
	FILE *tmp;         /* full pages, in order */
	int failed;        /* a write failed */
};

/* Takes over tmp. Returns 0, -1 out of memory. */
int vt_tc_pages_init(struct vt_tc_pages *c, FILE *tmp);
void vt_tc_pages_free(struct vt_tc_pages *c);

/* Appends an event header at ts and returns where its LEN data bytes go
 * (zeroed), or NULL on a write error or for an event larger than a page. */
uint8_t *vt_tc_pages_reserve(struct vt_tc_pages *c, uint64_t ts, size_t len);

/* Writes the open page out. Returns 0 or -1. */
int vt_tc_pages_flush(struct vt_tc_pages *c);

#endif
