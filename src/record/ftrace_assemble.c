/* A capture folder → trace.dat (ftrace_assemble.h). Reading is done first
 * and whole (but for the pages and kallsyms, copied while writing), so that
 * most refusals come before the output is even opened. */
#include "record/ftrace_assemble.h"

#include "common/output.h"
#include "exporters/tracecmd_file.h"
#include "record/ftrace_capdir.h"
#include "record/ftrace_capture.h"
#include "record/ftrace_tracefs.h"
#include "vmtrace/version.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COMMIT_MASK ((1u << 27) - 1) /* the commit word's length bits (libtraceevent's kbuffer) */
#define COPY_PAGES 64

struct text {
	char *s;
	size_t len;
};

struct cpu_in {
	int present;    /* cpuN.raw exists */
	uint64_t size;  /* its whole pages, bytes */
	char *stat;     /* "CPU: N\n" + cpuN.stats */
};

struct asm_ctx {
	struct vt_capdir dir;
	uint32_t page_size, data_off, commit_size;
	struct text header_page, header_event, clock, uname, cmdlines, printk;
	uint64_t kallsyms_size;
	struct vt_tc_file_format *fmt;
	size_t nfmt;
	struct text *fmt_text;
	uint32_t cpus;
	struct cpu_in *cpu;
	int failed; /* a copy callback's error, in err */
	struct vt_error err;
	struct vt_ftrace_assembly info;
};

/* --- reading --------------------------------------------------------------- */

static int read_text(struct asm_ctx *a, const char *name, size_t max, int optional, struct text *t,
		     struct vt_error *err)
{
	int absent;
	t->s = vt_capdir_read(&a->dir, name, max, &t->len, optional ? &absent : NULL, err);
	if (!t->s && optional && absent)
		t->len = 0;
	return t->s || (optional && absent) ? 0 : -1;
}

static int read_page_size(struct asm_ctx *a, struct vt_error *err)
{
	struct text t;
	if (read_text(a, "page_size", 32, 0, &t, err))
		return -1;
	char *end;
	unsigned long v = strtoul(t.s, &end, 10);
	int ok = end != t.s && t.s[0] >= '0' && t.s[0] <= '9' && (!*end || !strcmp(end, "\n"));
	free(t.s);
	if (!ok || v < 4096 || v > 65536 || (v & (v - 1)))
		return vt_error_set(err, "%s/page_size: not a power of two from 4096 to 65536", a->dir.label);
	a->page_size = (uint32_t)v;
	return 0;
}

/* The number after "key:" on the header_page line of field `field`. */
static long header_value(const char *text, const char *field, const char *key)
{
	const char *p = strstr(text, field);
	const char *eol = p ? strchr(p, '\n') : NULL;
	const char *k = p ? strstr(p, key) : NULL;
	if (!k || (eol && k > eol))
		return -1;
	return strtol(k + strlen(key), NULL, 10);
}

/* header_page must describe the page we know: u64 timestamp, a 4 or 8 byte
 * commit at 8, data right after it. */
static int check_header_page(struct asm_ctx *a, struct vt_error *err)
{
	const char *t = a->header_page.s;
	long coff = header_value(t, " commit;", "offset:"), csize = header_value(t, " commit;", "size:");
	long doff = header_value(t, " data;", "offset:");
	if (coff != 8 || (csize != 4 && csize != 8) || doff != 8 + csize)
		return vt_error_set(err, "%s/header_page: not a ring-buffer page header this reader knows",
				    a->dir.label);
	a->commit_size = (uint32_t)csize;
	a->data_off = (uint32_t)doff;
	return 0;
}

/* trace_clock names its clock in brackets; uname is one line. */
static int check_identity(struct asm_ctx *a, struct vt_error *err)
{
	const char *open = strchr(a->clock.s, '['), *close = open ? strchr(open, ']') : NULL;
	if (!close || close == open + 1)
		return vt_error_set(err, "%s/trace_clock: no selected clock in it", a->dir.label);
	for (size_t i = 0; i < a->clock.len; i++)
		if ((unsigned char)a->clock.s[i] < ' ' && a->clock.s[i] != '\n')
			return vt_error_set(err, "%s/trace_clock: control characters in it", a->dir.label);
	if (a->uname.s) {
		a->uname.s[strcspn(a->uname.s, "\n")] = '\0';
		a->uname.len = strlen(a->uname.s);
	}
	return 0;
}

static int read_files(struct asm_ctx *a, struct vt_error *err)
{
	if (read_page_size(a, err) || read_text(a, "header_page", VT_CAP_MAX_HEADER, 0, &a->header_page, err) ||
	    read_text(a, "header_event", VT_CAP_MAX_HEADER, 0, &a->header_event, err) ||
	    check_header_page(a, err) || read_text(a, "trace_clock", VT_CAP_MAX_SMALL, 0, &a->clock, err) ||
	    read_text(a, "uname", VT_CAP_MAX_SMALL, 1, &a->uname, err) || check_identity(a, err) ||
	    read_text(a, "saved_cmdlines", VT_CAP_MAX_TEXT, 1, &a->cmdlines, err) ||
	    read_text(a, "printk_formats", VT_CAP_MAX_TEXT, 1, &a->printk, err))
		return -1;
	uint64_t size;
	int fd = vt_capdir_open_file(&a->dir, "kallsyms", &size, err);
	if (fd == -1)
		return -1;
	if (fd >= 0)
		close(fd);
	a->kallsyms_size = fd >= 0 ? size : 0;
	if (a->kallsyms_size > VT_CAP_MAX_KALLSYMS)
		return vt_error_set(err, "%s/kallsyms: more than %u bytes", a->dir.label, VT_CAP_MAX_KALLSYMS);
	return 0;
}

/* --- formats/SYSTEM/EVENT/format ---------------------------------------------- */

static int add_format(struct asm_ctx *a, const struct vt_capdir *sys, const char *system, const char *event,
		      size_t *total, struct vt_error *err)
{
	struct vt_capdir ev;
	if (!vt_capdir_name_ok(event, 128))
		return vt_error_set(err, "%s/%s: not an event name", sys->label, event);
	if (a->nfmt == VT_CAP_MAX_FORMATS)
		return vt_error_set(err, "%s: more than %u event formats", a->dir.label, VT_CAP_MAX_FORMATS);
	if (vt_capdir_sub(&ev, sys, event, err))
		return -1;
	struct text *t = &a->fmt_text[a->nfmt];
	t->s = vt_capdir_read(&ev, "format", VT_CAP_MAX_HEADER, &t->len, NULL, err);
	vt_capdir_close(&ev);
	if (!t->s)
		return -1;
	if ((*total += t->len) > VT_CAP_MAX_TEXT)
		return vt_error_set(err, "%s/formats: more than %u bytes of formats", a->dir.label, VT_CAP_MAX_TEXT);
	a->fmt[a->nfmt++] = (struct vt_tc_file_format){system, {t->s, t->len, NULL, NULL}};
	return 0;
}

static int add_system(struct asm_ctx *a, const struct vt_capdir *formats, const char *system, size_t *total,
		      struct vt_error *err)
{
	struct vt_capdir sys;
	char **events;
	size_t n;
	if (!vt_capdir_name_ok(system, 64))
		return vt_error_set(err, "%s/%s: not an event system name", formats->label, system);
	if (vt_capdir_sub(&sys, formats, system, err))
		return -1;
	int rc = vt_capdir_list(&sys, VT_CAP_MAX_FORMATS, &events, &n, err);
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_format(a, &sys, system, events[i], total, err);
	if (!rc && n == 0)
		rc = vt_error_set(err, "%s: empty", sys.label);
	vt_capdir_list_free(events, n);
	vt_capdir_close(&sys);
	return rc;
}

static int read_formats(struct asm_ctx *a, char ***systems, size_t *nsys, struct vt_error *err)
{
	struct vt_capdir formats;
	size_t total = 0;
	if (vt_capdir_sub(&formats, &a->dir, "formats", err))
		return -1;
	a->fmt = calloc(VT_CAP_MAX_FORMATS, sizeof(*a->fmt));
	a->fmt_text = calloc(VT_CAP_MAX_FORMATS, sizeof(*a->fmt_text));
	int rc = a->fmt && a->fmt_text ? vt_capdir_list(&formats, 1024, systems, nsys, err)
				       : vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", a->dir.label);
	for (size_t i = 0; !rc && i < *nsys; i++)
		rc = add_system(a, &formats, (*systems)[i], &total, err);
	if (!rc && a->nfmt == 0)
		rc = vt_error_set(err, "%s: no event format", formats.label);
	vt_capdir_close(&formats);
	return rc;
}

/* --- cpuN.raw, cpuN.stats ------------------------------------------------------ */

/* N of "cpuN<suffix>" (N without leading zeros, below the CPU limit), or -1. */
static long cpu_of(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	if (n <= 3 + s || strncmp(name, "cpu", 3) || strcmp(name + n - s, suffix))
		return -1;
	long v = 0;
	for (size_t i = 3; i < n - s; i++) {
		if (name[i] < '0' || name[i] > '9' || (i == 3 && name[i] == '0' && n - s > 4))
			return -1;
		v = v * 10 + (name[i] - '0');
		if (v >= (long)VT_CAP_MAX_CPUS)
			return -1;
	}
	return v;
}

static void note(struct asm_ctx *a, const char *fmt, const char *name, uint64_t n)
{
	size_t len = strlen(a->info.note);
	snprintf(a->info.note + len, sizeof(a->info.note) - len, "%s", len ? "; " : "");
	len = strlen(a->info.note);
	snprintf(a->info.note + len, sizeof(a->info.note) - len, fmt, name, (unsigned long long)n);
}

static int add_raw(struct asm_ctx *a, const char *name, uint32_t cpu, struct vt_error *err)
{
	uint64_t size;
	int fd = vt_capdir_open_file(&a->dir, name, &size, err);
	if (fd < 0)
		return -1;
	close(fd);
	if (size % a->page_size)
		note(a, "%s: a torn last page (%llu bytes) left out", name, size % a->page_size);
	a->cpu[cpu].present = 1;
	a->cpu[cpu].size = size - size % a->page_size;
	a->info.pages += a->cpu[cpu].size / a->page_size;
	return 0;
}

static int add_stats(struct asm_ctx *a, const char *name, uint32_t cpu, struct vt_error *err)
{
	struct text t;
	if (read_text(a, name, VT_CAP_MAX_SMALL, 0, &t, err))
		return -1;
	a->cpu[cpu].stat = vt_strdup_printf("CPU: %u\n%s", cpu, t.s);
	a->info.lost += vt_ftrace_stat_field(t.s, "overrun") + vt_ftrace_stat_field(t.s, "dropped events");
	free(t.s);
	return a->cpu[cpu].stat ? 0 : vt_error_set_cause(err, VT_ERR_NOMEM, "%s/%s: out of memory", a->dir.label, name);
}

static int any_raw(const struct asm_ctx *a)
{
	for (uint32_t c = 0; c < a->cpus; c++)
		if (a->cpu[c].present)
			return 1;
	return 0;
}

static int read_cpus(struct asm_ctx *a, char **names, size_t n, struct vt_error *err)
{
	a->cpu = calloc(VT_CAP_MAX_CPUS, sizeof(*a->cpu));
	if (!a->cpu)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", a->dir.label);
	for (size_t i = 0; i < n; i++) {
		long raw = cpu_of(names[i], ".raw"), stats = cpu_of(names[i], ".stats");
		int is_cpu_file = !strncmp(names[i], "cpu", 3) &&
				  (strstr(names[i], ".raw") || strstr(names[i], ".stats"));
		if (is_cpu_file && raw < 0 && stats < 0)
			return vt_error_set(err, "%s/%s: not a CPU file name (cpuN.raw, cpuN.stats, N < %u)",
					    a->dir.label, names[i], VT_CAP_MAX_CPUS);
		if ((raw >= 0 && add_raw(a, names[i], (uint32_t)raw, err)) ||
		    (stats >= 0 && add_stats(a, names[i], (uint32_t)stats, err)))
			return -1;
		long cpu = raw >= 0 ? raw : stats; /* a CPU with stats alone is one without pages */
		if (cpu >= 0 && (uint32_t)cpu + 1 > a->cpus)
			a->cpus = (uint32_t)cpu + 1;
	}
	if (!any_raw(a))
		return vt_error_set(err, "%s: no cpuN.raw in it", a->dir.label);
	for (uint32_t c = 0; c < a->cpus; c++)
		if (!a->cpu[c].stat && !(a->cpu[c].stat = vt_strdup_printf("CPU: %u\n", c)))
			return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", a->dir.label);
	a->info.cpus = a->cpus;
	return 0;
}

/* --- writing ------------------------------------------------------------------- */

struct page_src {
	struct asm_ctx *a;
	uint32_t cpu;
};

/* A copy callback's failure: its message kept for vt_ftrace_assemble's err. */
static int copy_fail(struct asm_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int copy_fail(struct asm_ctx *a, const char *fmt, ...)
{
	if (!a->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(a->err.msg, sizeof(a->err.msg), fmt, ap);
		va_end(ap);
	}
	a->failed = 1;
	errno = EINVAL;
	return -1;
}

/* Checks the pages in buf (each commit within its page) and writes them. */
static int put_pages(struct asm_ctx *a, const char *name, const uint8_t *buf, size_t n, uint64_t first, FILE *f)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t commit = 0;
		memcpy(&commit, buf + i * a->page_size + 8, a->commit_size);
		if ((commit & COMMIT_MASK) > a->page_size - a->data_off)
			return copy_fail(a, "%s/%s: page %llu is damaged (its length is past the page)", a->dir.label,
					 name, (unsigned long long)(first + i));
	}
	return fwrite(buf, a->page_size, n, f) == n ? 0 : -1;
}

static int copy_raw(void *ctx, FILE *f)
{
	struct page_src *p = ctx;
	struct asm_ctx *a = p->a;
	char name[32];
	uint64_t size, left = a->cpu[p->cpu].size, done = 0;
	snprintf(name, sizeof(name), "cpu%u.raw", p->cpu);
	int fd = vt_capdir_open_file(&a->dir, name, &size, &a->err);
	uint8_t *buf = fd >= 0 ? malloc((size_t)a->page_size * COPY_PAGES) : NULL;
	int rc = 0;
	if (fd < 0) { /* its message is in a->err already */
		a->failed = 1;
		errno = EINVAL;
		rc = -1;
	} else if (!buf) {
		errno = ENOMEM;
		rc = -1;
	}
	while (!rc && left > 0) {
		size_t n = left / a->page_size < COPY_PAGES ? (size_t)(left / a->page_size) : COPY_PAGES;
		ssize_t got = pread(fd, buf, n * a->page_size, (off_t)(done * a->page_size));
		if (got != (ssize_t)(n * a->page_size))
			rc = copy_fail(a, "%s/%s: changed while read (%llu pages expected)", a->dir.label, name,
				       (unsigned long long)(a->cpu[p->cpu].size / a->page_size));
		else
			rc = put_pages(a, name, buf, n, done, f);
		done += n;
		left -= n * a->page_size;
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int copy_kallsyms(void *ctx, FILE *f)
{
	struct asm_ctx *a = ctx;
	uint64_t size;
	int fd = vt_capdir_open_file(&a->dir, "kallsyms", &size, &a->err);
	char buf[65536];
	uint64_t left = a->kallsyms_size;
	int rc = fd < 0 || size < left ? copy_fail(a, "%s/kallsyms: changed while read", a->dir.label) : 0;
	while (!rc && left > 0) {
		ssize_t got = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		if (got <= 0)
			rc = copy_fail(a, "%s/kallsyms: changed while read", a->dir.label);
		else if (fwrite(buf, 1, (size_t)got, f) != (size_t)got)
			rc = -1;
		else
			left -= (uint64_t)got;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static struct vt_tc_blob mem_blob(const struct text *t)
{
	return (struct vt_tc_blob){t->s, t->s ? t->len : 0, NULL, NULL};
}

static int write_dat(struct asm_ctx *a, const char *dat_path, struct vt_error *err)
{
	struct page_src *src = calloc(a->cpus, sizeof(*src));
	struct vt_tc_blob *pages = calloc(a->cpus, sizeof(*pages));
	const char **stat = calloc(a->cpus, sizeof(*stat));
	struct vt_output out;
	int rc = -1;
	if (!src || !pages || !stat) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dat_path);
		goto done;
	}
	for (uint32_t c = 0; c < a->cpus; c++) {
		src[c] = (struct page_src){a, c};
		pages[c] = (struct vt_tc_blob){NULL, a->cpu[c].size, copy_raw, &src[c]};
		stat[c] = a->cpu[c].stat;
	}
	struct vt_tc_file d = {
		.page_size = a->page_size,
		.long_size = (uint8_t)a->commit_size,
		.header_page = mem_blob(&a->header_page),
		.header_event = mem_blob(&a->header_event),
		.formats = a->fmt,
		.nformats = a->nfmt,
		.kallsyms = {NULL, a->kallsyms_size, copy_kallsyms, a},
		.printk = mem_blob(&a->printk),
		.cmdlines = mem_blob(&a->cmdlines),
		.cpus = a->cpus,
		.trace_clock = a->clock.s,
		.uname = a->uname.s,
		.version = "vmtrace " VT_VERSION,
		.cpustat = stat,
		.pages = pages,
	};
	if (vt_output_open(&out, dat_path, err))
		goto done;
	int ok = vt_tc_file_write(out.f, &d) == 0, e = errno;
	struct vt_error close_err;
	rc = vt_output_close(&out, ok, &close_err); /* not ok: the temporary file removed */
	if (!ok && a->failed && err)
		*err = a->err;
	else if (!ok)
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", dat_path, strerror(e ? e : EIO));
	else if (rc && err)
		*err = close_err;
done:
	free(src);
	free(pages);
	free(stat);
	return rc;
}

static void free_ctx(struct asm_ctx *a)
{
	struct text *t[] = {&a->header_page, &a->header_event, &a->clock, &a->uname, &a->cmdlines, &a->printk};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		free(t[i]->s);
	for (size_t i = 0; i < a->nfmt; i++)
		free(a->fmt_text[i].s);
	free(a->fmt);
	free(a->fmt_text);
	for (uint32_t c = 0; a->cpu && c < VT_CAP_MAX_CPUS; c++)
		free(a->cpu[c].stat);
	free(a->cpu);
	vt_capdir_close(&a->dir);
}

int vt_ftrace_assemble(const char *capture_dir, const char *dat_path, struct vt_ftrace_assembly *info,
		       struct vt_error *err)
{
	struct asm_ctx a;
	memset(&a, 0, sizeof(a));
	a.dir.fd = -1;
	char **systems = NULL, **names = NULL;
	size_t nsys = 0, nnames = 0;
	int rc = vt_capdir_open(&a.dir, capture_dir, err) || read_files(&a, err) ||
			 read_formats(&a, &systems, &nsys, err) ||
			 vt_capdir_list(&a.dir, 2 * VT_CAP_MAX_CPUS + 64, &names, &nnames, err) ||
			 read_cpus(&a, names, nnames, err) || write_dat(&a, dat_path, err)
		 ? -1
		 : 0;
	if (info)
		*info = a.info;
	/* the formats' system names point into systems: freed last */
	free_ctx(&a);
	vt_capdir_list_free(systems, nsys);
	vt_capdir_list_free(names, nnames);
	return rc;
}
