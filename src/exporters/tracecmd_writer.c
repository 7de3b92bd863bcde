/* The trace.dat writer: events into per-CPU pages (tracecmd_events.c,
 * tracecmd_pages.c), then the file through the shared version-6 container
 * (tracecmd_file.c) with the format table of tracecmd_formats.c.
 * libtracecmd's own output API only copies from a live tracefs (and is not in
 * its public header), so the layout is written here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporters/tracecmd_file.h"
#include "exporters/tracecmd_formats.h"
#include "exporters/tracecmd_internal.h"
#include "vmtrace/version.h"

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

static int open_writer(struct vt_tc_writer **out, const struct vt_tc_writer_options *opt, struct vt_error *err)
{
	*out = NULL;
	const char *path = opt->path ? opt->path : "(null)";
	if (!opt->path || opt->cpus == 0 || opt->cpus > 4096)
		return vt_error_set(err, "%s: cannot write a trace.dat file for %u CPUs", path, opt->cpus);
	struct vt_tc_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path);
	w->opt = *opt;
	w->path = strdup(opt->path);
	w->hostname = dup_or(opt->hostname, "localhost");
	w->release = dup_or(opt->kernel_release, "unknown");
	w->clock = dup_or(opt->clock, "local");
	w->cpu = calloc(opt->cpus, sizeof(*w->cpu));
	if (!w->path || !w->hostname || !w->release || !w->clock || !w->cpu) {
		vt_tc_writer_abort(w);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path);
	}
	/* Fail now rather than at close when the folder is not writable. */
	FILE *probe = fopen(w->path, "wb");
	if (!probe) {
		int e = errno;
		vt_tc_writer_abort(w);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(e));
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
			return vt_error_set_cause(err, VT_ERR_IO, "%s: temporary file: %s", path, strerror(e));
		}
	}
	*out = w;
	return 0;
}

struct vt_tc_writer *vt_tc_writer_open(const struct vt_tc_writer_options *opt, struct vt_error *err)
{
	struct vt_tc_writer *out;
	return open_writer(&out, opt, err) ? NULL : out;
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

static uint64_t cmdlines_size(const struct vt_tc_writer *w)
{
	uint64_t size = 0;
	char line[40];
	for (size_t tid = 1; tid < w->ncomm; tid++)
		if (w->comm[tid][0])
			size += (uint64_t)snprintf(line, sizeof(line), "%zu %s\n", tid, w->comm[tid]);
	return size;
}

static int put_cmdlines(void *ctx, FILE *f)
{
	const struct vt_tc_writer *w = ctx;
	for (size_t tid = 1; tid < w->ncomm; tid++)
		if (w->comm[tid][0] && fprintf(f, "%zu %s\n", tid, w->comm[tid]) < 0)
			return -1;
	return 0;
}

static int copy_pages(void *ctx, FILE *f)
{
	struct vt_tc_pages *c = ctx;
	char buf[65536];
	if (fflush(c->tmp) || fseek(c->tmp, 0, SEEK_SET))
		return -1;
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			return -1;
	return ferror(c->tmp) ? -1 : 0;
}

/* The trace_clock file's text: the known clocks, the selected one in brackets. */
static void clock_text(const char *clock, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; vt_tc_clocks[i]; i++) {
		int sel = !strcmp(vt_tc_clocks[i], clock);
		len += (size_t)snprintf(buf + len, size - len, sel ? "%s[%s]" : "%s%s", i ? " " : "", vt_tc_clocks[i]);
	}
	int known = strstr(buf, "[") != NULL;
	snprintf(buf + len, size - len, known ? "\n" : " [%s]\n", clock);
}

/* The options' texts, kept in one allocation while the file is written. */
struct texts {
	char clock[512], uname[600], date[40];
	uint8_t tsc2nsec[16];
	const char **cpustat;
	char (*stat)[160];
};

static int make_texts(const struct vt_tc_writer *w, struct texts *t)
{
	clock_text(w->clock, t->clock, sizeof(t->clock));
	snprintf(t->uname, sizeof(t->uname), "Linux %s %s x86_64", w->hostname, w->release);
	if (w->opt.has_date)
		snprintf(t->date, sizeof(t->date), "%s0x%" PRIx64, w->opt.date_offset_us < 0 ? "-" : "",
			 w->opt.date_offset_us < 0 ? (uint64_t)0 - (uint64_t)w->opt.date_offset_us
						   : (uint64_t)w->opt.date_offset_us);
	memset(t->tsc2nsec, 0, sizeof(t->tsc2nsec));
	memcpy(t->tsc2nsec, &w->opt.tsc2nsec_mult, 4);
	memcpy(t->tsc2nsec + 4, &w->opt.tsc2nsec_shift, 4);
	t->cpustat = calloc(w->opt.cpus, sizeof(*t->cpustat));
	t->stat = calloc(w->opt.cpus, sizeof(*t->stat));
	if (!t->cpustat || !t->stat)
		return -1;
	for (uint32_t c = 0; c < w->opt.cpus; c++) {
		snprintf(t->stat[c], sizeof(t->stat[c]),
			 "CPU: %u\nentries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\n"
			 "dropped events: 0\nread events: %" PRIu64 "\n",
			 c, w->cpu[c].events);
		t->cpustat[c] = t->stat[c];
	}
	return 0;
}

static int write_file(struct vt_tc_writer *w, FILE *f)
{
	struct texts t = {0};
	struct vt_tc_file_format *fmt = calloc(vt_tc_nformats, sizeof(*fmt));
	struct vt_tc_blob *pages = calloc(w->opt.cpus, sizeof(*pages));
	int rc = -1;
	if (!fmt || !pages || make_texts(w, &t)) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < vt_tc_nformats; i++)
		fmt[i] = (struct vt_tc_file_format){vt_tc_formats[i].system,
						    {vt_tc_formats[i].text, strlen(vt_tc_formats[i].text), NULL, NULL}};
	for (uint32_t c = 0; c < w->opt.cpus; c++)
		pages[c] = (struct vt_tc_blob){NULL, w->cpu[c].pages * VT_TC_PAGE_SIZE, copy_pages, &w->cpu[c]};
	struct vt_tc_file d = {
		.page_size = VT_TC_PAGE_SIZE,
		.long_size = 8,
		.header_page = {vt_tc_header_page, strlen(vt_tc_header_page), NULL, NULL},
		.header_event = {vt_tc_header_event, strlen(vt_tc_header_event), NULL, NULL},
		.formats = fmt,
		.nformats = vt_tc_nformats,
		.cmdlines = {NULL, cmdlines_size(w), put_cmdlines, w},
		.cpus = w->opt.cpus,
		.trace_clock = t.clock,
		.uname = t.uname,
		.version = "vmtrace " VT_VERSION,
		.date = w->opt.has_date ? t.date : NULL,
		.tsc2nsec = w->opt.tsc2nsec_mult ? t.tsc2nsec : NULL,
		.cpustat = t.cpustat,
		.pages = pages,
	};
	rc = vt_tc_file_write(f, &d);
out:;
	int e = errno;
	free(t.cpustat);
	free(t.stat);
	free(fmt);
	free(pages);
	errno = e;
	return rc;
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
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write the trace.dat file: %s", w->path, e ? strerror(e) : "write error");
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
