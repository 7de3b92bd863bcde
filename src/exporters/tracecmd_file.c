/* The trace.dat container, version 6 (tracecmd_file.h). Positions are
 * counted here rather than asked with ftell, so that a pipe works too. */
#include "exporters/tracecmd_file.h"

#include <errno.h>
#include <string.h>

enum { /* libtracecmd's option ids (trace-cmd-private.h) */
	OPT_DONE = 0,
	OPT_DATE = 1,
	OPT_CPUSTAT = 2,
	OPT_TRACECLOCK = 4,
	OPT_UNAME = 5,
	OPT_CPUCOUNT = 8,
	OPT_VERSION = 9,
	OPT_TSC2NSEC = 14,
};

struct out {
	FILE *f;
	uint64_t pos;
	int failed; /* errno of the first failure, else 0 */
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->failed || n == 0)
		return;
	if (fwrite(p, 1, n, o->f) != n)
		o->failed = errno ? errno : EIO;
	o->pos += n;
}

static void put_u16(struct out *o, uint16_t v)
{
	put(o, &v, 2);
}

static void put_u32(struct out *o, uint32_t v)
{
	put(o, &v, 4);
}

static void put_u64(struct out *o, uint64_t v)
{
	put(o, &v, 8);
}

static void put_blob(struct out *o, const struct vt_tc_blob *b)
{
	if (o->failed || b->size == 0)
		return;
	if (b->data) {
		put(o, b->data, b->size);
		return;
	}
	errno = 0;
	if (!b->write || b->write(b->ctx, o->f))
		o->failed = errno ? errno : EIO;
	o->pos += b->size;
}

/* A section as libtracecmd reads it: u64 size, then the bytes. */
static void put_sized64(struct out *o, const struct vt_tc_blob *b)
{
	put_u64(o, b->size);
	put_blob(o, b);
}

static void put_sized32(struct out *o, const struct vt_tc_blob *b)
{
	put_u32(o, (uint32_t)b->size);
	put_blob(o, b);
}

static void put_option(struct out *o, uint16_t id, const void *data, uint32_t size)
{
	put_u16(o, id);
	put_u32(o, size);
	put(o, data, size);
}

static void put_option_str(struct out *o, uint16_t id, const char *s)
{
	if (s)
		put_option(o, id, s, (uint32_t)strlen(s) + 1);
}

static int is_ftrace(const struct vt_tc_file_format *f)
{
	return !strcmp(f->system, "ftrace");
}

/* ftrace's own formats, then each other system with its formats. */
static void put_formats(struct out *o, const struct vt_tc_file *d)
{
	uint32_t nftrace = 0, nsystems = 0;
	for (size_t i = 0; i < d->nformats; i++) {
		nftrace += is_ftrace(&d->formats[i]);
		if (!is_ftrace(&d->formats[i]) && (i == 0 || strcmp(d->formats[i].system, d->formats[i - 1].system)))
			nsystems++;
	}
	put_u32(o, nftrace);
	for (size_t i = 0; i < d->nformats; i++)
		if (is_ftrace(&d->formats[i]))
			put_sized64(o, &d->formats[i].text);
	put_u32(o, nsystems);
	for (size_t i = 0; i < d->nformats;) {
		size_t j = i;
		while (j < d->nformats && !strcmp(d->formats[j].system, d->formats[i].system))
			j++;
		if (!is_ftrace(&d->formats[i])) {
			put(o, d->formats[i].system, strlen(d->formats[i].system) + 1);
			put_u32(o, (uint32_t)(j - i));
			for (size_t k = i; k < j; k++)
				put_sized64(o, &d->formats[k].text);
		}
		i = j;
	}
}

static void put_options(struct out *o, const struct vt_tc_file *d)
{
	put(o, "options  ", 10);
	/* The text follows the CPU table (libtracecmd reads it there); the
	 * option only says so. trace-cmd writes it with no data, which
	 * libtracecmd 3.1 then scans past its end: one NUL instead (a text here
	 * would be parsed twice, and the first name leaked). */
	if (d->trace_clock)
		put_option(o, OPT_TRACECLOCK, "", 1);
	put_option_str(o, OPT_UNAME, d->uname);
	put_option_str(o, OPT_VERSION, d->version);
	put_option_str(o, OPT_DATE, d->date);
	if (d->tsc2nsec)
		put_option(o, OPT_TSC2NSEC, d->tsc2nsec, 16);
	for (uint32_t c = 0; d->cpustat && c < d->cpus; c++)
		put_option_str(o, OPT_CPUSTAT, d->cpustat[c]);
	put_option(o, OPT_CPUCOUNT, &d->cpus, 4);
	put_u16(o, OPT_DONE);
}

/* "flyrecord", each CPU's {offset, size}, the clock when the TRACECLOCK option
 * is there (libtracecmd then reads a sized text right after the table: without
 * it, it reads the padding, and when that is under 8 bytes, page data as the
 * size), zeros up to the next page, the pages. */
static void put_flyrecord(struct out *o, const struct vt_tc_file *d)
{
	put(o, "flyrecord", 10);
	uint64_t clock_len = d->trace_clock ? strlen(d->trace_clock) : 0;
	uint64_t off = o->pos + 16ull * d->cpus + (d->trace_clock ? 8 + clock_len : 0);
	off = (off + d->page_size - 1) / d->page_size * d->page_size;
	uint64_t start = off;
	for (uint32_t c = 0; c < d->cpus; c++) {
		put_u64(o, off);
		put_u64(o, d->pages[c].size);
		off += d->pages[c].size;
	}
	if (d->trace_clock) {
		put_u64(o, clock_len);
		put(o, d->trace_clock, (size_t)clock_len);
	}
	static const char zeros[4096];
	while (!o->failed && o->pos < start) {
		uint64_t n = start - o->pos;
		put(o, zeros, n < sizeof(zeros) ? (size_t)n : sizeof(zeros));
	}
	for (uint32_t c = 0; c < d->cpus; c++)
		put_blob(o, &d->pages[c]);
}

int vt_tc_file_write(FILE *f, const struct vt_tc_file *d)
{
	struct out o = {f, 0, 0};
	uint8_t endian_long[2] = {0, d->long_size}; /* little endian */
	put(&o, "\027\010\104tracing6", 12); /* magic, "tracing", version "6\0" */
	put(&o, endian_long, 2);
	put_u32(&o, d->page_size);
	put(&o, "header_page", 12);
	put_sized64(&o, &d->header_page);
	put(&o, "header_event", 13);
	put_sized64(&o, &d->header_event);
	put_formats(&o, d);
	put_sized32(&o, &d->kallsyms);
	put_sized32(&o, &d->printk);
	put_sized64(&o, &d->cmdlines);
	put_u32(&o, d->cpus);
	put_options(&o, d);
	put_flyrecord(&o, d);
	if (!o.failed && ferror(f))
		o.failed = EIO;
	errno = o.failed;
	return o.failed ? -1 : 0;
}
