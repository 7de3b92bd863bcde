/* The trace.dat file, format version 6 (what `trace-cmd convert --file-version 6`
 * writes; libtracecmd 3.1.6 reads it as it reads a recording): magic, version,
 * endianness, long and page size; header_page, header_event; the ftrace and
 * event formats; kallsyms and printk (empty); saved command lines; the CPU
 * count; options; "flyrecord" and per CPU {offset, size} of its page-aligned
 * pages. libtracecmd's own output API only copies from a live tracefs (and is
 * not in its public header), so the layout is written here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporters/tracecmd_formats.h"
#include "exporters/tracecmd_internal.h"
#include "vmtrace/version.h"

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

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s && *s ? s : dflt);
}

/* An unlinked temporary file beside the output (same file system, so no
 * surprise from a small /tmp). */
static FILE *temp_beside(const char *path)
{
	size_t n = strlen(path);
	char *tmpl = malloc(n + 16);
	if (!tmpl)
		return NULL;
	snprintf(tmpl, n + 16, "%s.cpu.XXXXXX", path);
	int fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
	free(tmpl);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

int vt_tc_writer_open(struct vt_tc_writer **out, const struct vt_tc_writer_options *opt, struct vt_error *err)
{
	*out = NULL;
	const char *path = opt->path ? opt->path : "(null)";
	if (!opt->path || opt->cpus == 0 || opt->cpus > 4096)
		return vt_error_set(err, "%s: cannot write a trace.dat file for %u CPUs", path, opt->cpus);
	struct vt_tc_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return vt_error_set(err, "%s: out of memory", path);
	w->opt = *opt;
	w->path = strdup(opt->path);
	w->hostname = dup_or(opt->hostname, "localhost");
	w->release = dup_or(opt->kernel_release, "unknown");
	w->clock = dup_or(opt->clock, "local");
	w->cpu = calloc(opt->cpus, sizeof(*w->cpu));
	if (!w->path || !w->hostname || !w->release || !w->clock || !w->cpu) {
		vt_tc_writer_abort(w);
		return vt_error_set(err, "%s: out of memory", path);
	}
	/* Fail now rather than at close when the folder is not writable. */
	FILE *probe = fopen(w->path, "wb");
	if (!probe) {
		int e = errno;
		vt_tc_writer_abort(w);
		return vt_error_set(err, "%s: %s", path, strerror(e));
	}
	fclose(probe);
	for (uint32_t c = 0; c < opt->cpus; c++) {
		FILE *tmp = temp_beside(w->path);
		if (!tmp || vt_tc_pages_init(&w->cpu[c], tmp)) {
			int e = tmp ? ENOMEM : errno;
			if (tmp && !w->cpu[c].tmp)
				fclose(tmp);
			unlink(w->path);
			vt_tc_writer_abort(w);
			return vt_error_set(err, "%s: temporary file: %s", path, strerror(e));
		}
	}
	*out = w;
	return 0;
}

void vt_tc_note_comm(struct vt_tc_writer *w, int32_t tid, const char *comm)
{
	if (tid <= 0 || tid >= VT_TC_MAX_TID || !comm || !*comm)
		return;
	if ((size_t)tid >= w->ncomm) {
		size_t n = w->ncomm ? w->ncomm : 1024;
		while (n <= (size_t)tid)
			n *= 2;
		char(*c)[16] = realloc(w->comm, n * sizeof(*c));
		if (!c) {
			w->failed = 1;
			return;
		}
		memset(c + w->ncomm, 0, (n - w->ncomm) * sizeof(*c));
		w->comm = c;
		w->ncomm = n;
	}
	if (strncmp(w->comm[tid], comm, 15))
		snprintf(w->comm[tid], 16, "%s", comm);
}

int vt_tc_writer_event(struct vt_tc_writer *w, uint64_t ts, const struct vt_event *ev)
{
	int rc = vt_tc_encode(w, ts, ev);
	if (rc > 0)
		w->written++;
	else if (rc == 0)
		w->skipped++;
	else
		w->failed = 1;
	return rc;
}

uint64_t vt_tc_writer_written(const struct vt_tc_writer *w)
{
	return w->written;
}

uint64_t vt_tc_writer_skipped(const struct vt_tc_writer *w)
{
	return w->skipped;
}

/* --- the file ------------------------------------------------------------- */

static void put_u16(FILE *f, uint16_t v)
{
	fwrite(&v, 2, 1, f);
}

static void put_u32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void put_u64(FILE *f, uint64_t v)
{
	fwrite(&v, 8, 1, f);
}

/* A text section: u64 (or u32) size, then the bytes. */
static void put_text64(FILE *f, const char *s, size_t n)
{
	put_u64(f, n);
	fwrite(s, 1, n, f);
}

static void put_option(FILE *f, uint16_t id, const void *data, uint32_t size)
{
	put_u16(f, id);
	put_u32(f, size);
	fwrite(data, 1, size, f);
}

static void put_option_str(FILE *f, uint16_t id, const char *s)
{
	put_option(f, id, s, (uint32_t)strlen(s) + 1);
}

static void put_formats(FILE *f)
{
	/* ftrace's own events (only print), then the event systems in table order. */
	uint32_t nftrace = 0;
	for (size_t i = 0; i < vt_tc_nformats; i++)
		nftrace += !strcmp(vt_tc_formats[i].system, "ftrace");
	put_u32(f, nftrace);
	for (size_t i = 0; i < vt_tc_nformats; i++)
		if (!strcmp(vt_tc_formats[i].system, "ftrace"))
			put_text64(f, vt_tc_formats[i].text, strlen(vt_tc_formats[i].text));
	uint32_t nsystems = 0;
	for (size_t i = 0; i < vt_tc_nformats; i++)
		if (strcmp(vt_tc_formats[i].system, "ftrace") &&
		    (i == 0 || strcmp(vt_tc_formats[i].system, vt_tc_formats[i - 1].system)))
			nsystems++;
	put_u32(f, nsystems);
	for (size_t i = 0; i < vt_tc_nformats;) {
		size_t j = i;
		while (j < vt_tc_nformats && !strcmp(vt_tc_formats[j].system, vt_tc_formats[i].system))
			j++;
		if (strcmp(vt_tc_formats[i].system, "ftrace")) {
			fwrite(vt_tc_formats[i].system, 1, strlen(vt_tc_formats[i].system) + 1, f);
			put_u32(f, (uint32_t)(j - i));
			for (size_t k = i; k < j; k++)
				put_text64(f, vt_tc_formats[k].text, strlen(vt_tc_formats[k].text));
		}
		i = j;
	}
}

static void put_cmdlines(const struct vt_tc_writer *w, FILE *f)
{
	uint64_t size = 0;
	char line[40];
	for (size_t tid = 1; tid < w->ncomm; tid++)
		if (w->comm[tid][0])
			size += (uint64_t)snprintf(line, sizeof(line), "%zu %s\n", tid, w->comm[tid]);
	put_u64(f, size);
	for (size_t tid = 1; tid < w->ncomm; tid++)
		if (w->comm[tid][0])
			fprintf(f, "%zu %s\n", tid, w->comm[tid]);
}

static void put_options(const struct vt_tc_writer *w, FILE *f)
{
	char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; vt_tc_clocks[i]; i++) {
		int sel = !strcmp(vt_tc_clocks[i], w->clock);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, sel ? "%s[%s]" : "%s%s", i ? " " : "", vt_tc_clocks[i]);
	}
	int known = strstr(buf, "[") != NULL;
	snprintf(buf + len, sizeof(buf) - len, known ? "\n" : " [%s]\n", w->clock);
	fwrite("options  ", 1, 10, f);
	put_option_str(f, OPT_TRACECLOCK, buf);
	snprintf(buf, sizeof(buf), "Linux %s %s x86_64", w->hostname, w->release);
	put_option_str(f, OPT_UNAME, buf);
	put_option_str(f, OPT_VERSION, "vmtrace " VT_VERSION);
	if (w->opt.has_date) {
		snprintf(buf, sizeof(buf), "%s0x%" PRIx64, w->opt.date_offset_us < 0 ? "-" : "",
			 w->opt.date_offset_us < 0 ? (uint64_t)0 - (uint64_t)w->opt.date_offset_us
						   : (uint64_t)w->opt.date_offset_us);
		put_option_str(f, OPT_DATE, buf);
	}
	if (w->opt.tsc2nsec_mult) {
		uint8_t t[16] = {0};
		memcpy(t, &w->opt.tsc2nsec_mult, 4);
		memcpy(t + 4, &w->opt.tsc2nsec_shift, 4);
		put_option(f, OPT_TSC2NSEC, t, sizeof(t));
	}
	for (uint32_t c = 0; c < w->opt.cpus; c++) {
		snprintf(buf, sizeof(buf),
			 "CPU: %u\nentries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\n"
			 "dropped events: 0\nread events: %" PRIu64 "\n",
			 c, w->cpu[c].events);
		put_option_str(f, OPT_CPUSTAT, buf);
	}
	put_option(f, OPT_CPUCOUNT, &w->opt.cpus, 4);
	put_u16(f, OPT_DONE);
}

static int copy_pages(struct vt_tc_pages *c, FILE *f)
{
	char buf[65536];
	if (fflush(c->tmp) || fseek(c->tmp, 0, SEEK_SET))
		return -1;
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			return -1;
	return ferror(c->tmp) ? -1 : 0;
}

static int write_file(struct vt_tc_writer *w, FILE *f)
{
	fwrite("\027\010\104tracing6", 1, 11, f);
	fputc(0, f); /* end of the version string */
	fputc(0, f); /* little endian */
	fputc(8, f); /* sizeof(long) */
	put_u32(f, VT_TC_PAGE_SIZE);
	fwrite("header_page", 1, 12, f);
	put_text64(f, vt_tc_header_page, strlen(vt_tc_header_page));
	fwrite("header_event", 1, 13, f);
	put_text64(f, vt_tc_header_event, strlen(vt_tc_header_event));
	put_formats(f);
	put_u32(f, 0); /* kallsyms */
	put_u32(f, 0); /* printk formats */
	put_cmdlines(w, f);
	put_u32(f, w->opt.cpus);
	put_options(w, f);
	fwrite("flyrecord", 1, 10, f);
	long here = ftell(f);
	if (here < 0)
		return -1;
	uint64_t off = (uint64_t)here + 16ull * w->opt.cpus;
	off = (off + VT_TC_PAGE_SIZE - 1) / VT_TC_PAGE_SIZE * VT_TC_PAGE_SIZE;
	uint64_t start = off;
	for (uint32_t c = 0; c < w->opt.cpus; c++) {
		uint64_t size = w->cpu[c].pages * VT_TC_PAGE_SIZE;
		put_u64(f, off);
		put_u64(f, size);
		off += size;
	}
	for (long pos = ftell(f); pos >= 0 && (uint64_t)pos < start; pos++)
		fputc(0, f);
	for (uint32_t c = 0; c < w->opt.cpus; c++)
		if (copy_pages(&w->cpu[c], f))
			return -1;
	return ferror(f) ? -1 : 0;
}

int vt_tc_writer_close(struct vt_tc_writer *w, struct vt_error *err)
{
	if (!w)
		return 0;
	int rc = w->failed ? -1 : 0;
	int e = 0;
	for (uint32_t c = 0; c < w->opt.cpus && !rc; c++)
		if (vt_tc_pages_flush(&w->cpu[c]))
			rc = -1, e = errno;
	if (!rc) {
		FILE *f = fopen(w->path, "wb");
		if (!f)
			rc = -1, e = errno;
		else {
			if (write_file(w, f))
				rc = -1, e = errno;
			if (fclose(f) && !rc)
				rc = -1, e = errno;
		}
	}
	if (rc) {
		unlink(w->path);
		vt_error_set(err, "%s: cannot write the trace.dat file: %s", w->path, e ? strerror(e) : "write error");
	}
	vt_tc_writer_abort(w);
	return rc;
}

void vt_tc_writer_abort(struct vt_tc_writer *w)
{
	if (!w)
		return;
	for (uint32_t c = 0; w->cpu && c < w->opt.cpus; c++)
		vt_tc_pages_free(&w->cpu[c]);
	free(w->cpu);
	free(w->comm);
	free(w->path);
	free(w->hostname);
	free(w->release);
	free(w->clock);
	free(w);
}
