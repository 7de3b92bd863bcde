/* The host's ftrace recorder (ftrace_rec.h): set-up and tear-down of the
 * instance around the capture folder (ftrace_capture.c) and the per-CPU
 * streaming (ftrace_stream.c). */
#include "record/ftrace_rec.h"

#include "record/ftrace_capture.h"
#include "record/ftrace_stream.h"
#include "record/ftrace_tracefs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vt_ftrace_rec {
	char tracefs[VT_FTRACE_PATH], inst[VT_FTRACE_PATH], capture[VT_FTRACE_PATH];
	char clock[32];
	int mounted, overwrite, have_inst;
	uint32_t page_size;
	uint64_t buffer_pages; /* per CPU, for a snapshot's bound */
	uint32_t *cpu_ids;
	struct vt_ftrace_cpu *cpus;
	size_t ncpus;
	const char **skipped; /* weak: the caller's event names */
	size_t nskipped;
	int marker_fd;
	struct vt_ftrace_stream *stream;
};

static int inst_write(struct vt_ftrace_rec *r, const char *file, const char *value, struct vt_error *err)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/%s", r->inst, file);
	return vt_ftrace_write_file(path, value, err);
}

static int instance_name_ok(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* The sub-buffer ("page") size trace_pipe_raw hands out. */
static uint32_t page_size_of(const char *inst)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/buffer_subbuf_size_kb", inst);
	char *t = vt_ftrace_read_file(path, 64, NULL, NULL);
	unsigned long kb = t ? strtoul(t, NULL, 10) : 0;
	free(t);
	long sys = sysconf(_SC_PAGESIZE);
	return kb >= 1 && kb <= 1024 ? (uint32_t)kb * 1024 : (uint32_t)(sys > 0 ? sys : 4096);
}

static uint64_t buffer_pages_of(const char *inst, uint32_t page_size)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/buffer_size_kb", inst);
	char *t = vt_ftrace_read_file(path, 64, NULL, NULL);
	unsigned long long kb = t ? strtoull(t, NULL, 10) : 0; /* "1410" or "1410 (expanded: ...)" */
	free(t);
	return kb * 1024 / page_size + 2;
}

/* Clock, buffer, overwrite and events, with tracing off. */
static int configure(struct vt_ftrace_rec *r, const struct vt_ftrace_rec_options *o, int *ok, struct vt_error *err)
{
	char kb[32];
	snprintf(kb, sizeof(kb), "%u", o->buffer_kb);
	if (inst_write(r, "tracing_on", "0", err) ||
	    vt_ftrace_clock_set(r->inst, o->clock, r->clock, sizeof(r->clock), err) ||
	    (o->buffer_kb && inst_write(r, "buffer_size_kb", kb, err)) ||
	    inst_write(r, "options/overwrite", o->overwrite ? "1" : "0", err))
		return -1;
	size_t skipped;
	if (vt_ftrace_events_enable(r->inst, o->events, o->nevents, ok, &skipped, err))
		return -1;
	r->skipped = calloc(skipped + 1, sizeof(*r->skipped));
	if (!r->skipped)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", r->inst);
	for (size_t i = 0; i < o->nevents; i++)
		if (!ok[i])
			r->skipped[r->nskipped++] = o->events[i];
	r->page_size = page_size_of(r->inst);
	r->buffer_pages = buffer_pages_of(r->inst, r->page_size);
	return 0;
}

static int open_cpus(struct vt_ftrace_rec *r, struct vt_error *err)
{
	uint32_t *ids;
	size_t n = vt_ftrace_online_cpus(&ids, err);
	if (n == 0)
		return -1;
	r->cpu_ids = ids;
	r->cpus = calloc(n, sizeof(*r->cpus));
	if (!r->cpus)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", r->inst);
	for (size_t i = 0; i < n; i++) {
		r->ncpus = i + 1;
		if (vt_ftrace_cpu_open(&r->cpus[i], r->inst, r->capture, ids[i], err))
			return -1;
	}
	return 0;
}

static int begin_capture(struct vt_ftrace_rec *r, const struct vt_ftrace_rec_options *o, const int *ok,
			 struct vt_error *err)
{
	struct vt_ftrace_capture_start c = {r->capture, r->tracefs, r->inst, o->events, ok, o->nevents,
					    r->page_size, o->kallsyms};
	if (vt_ftrace_capture_create(r->capture, err) || vt_ftrace_capture_begin(&c, err) || open_cpus(r, err))
		return -1;
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/trace_marker", r->inst);
	r->marker_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (r->marker_fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	return inst_write(r, "trace", "", err); /* empty the buffer */
}

/* Frees everything; removes the instance (its files closed first). Returns
 * 0, or -1 with err when the instance could not be removed. */
static int release(struct vt_ftrace_rec *r, struct vt_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < r->ncpus; i++)
		vt_ftrace_cpu_close(&r->cpus[i]);
	if (r->marker_fd >= 0)
		close(r->marker_fd);
	if (r->have_inst)
		rc = vt_ftrace_instance_remove(r->inst, err);
	free(r->cpus);
	free(r->cpu_ids);
	free(r->skipped);
	free(r);
	return rc;
}

/* The threads' names come from saved_cmdlines, a cache of 128 pids by
 * default: on a busy host a vCPU thread's name is gone by the end. Raised
 * (never lowered: another recorder may need it), a failure only costs names. */
#define CMDLINES_WANTED 4096

static void raise_cmdlines(struct vt_ftrace_rec *r)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/saved_cmdlines_size", r->tracefs);
	char *now = vt_ftrace_read_file(path, 64, NULL, NULL);
	long n = now ? strtol(now, NULL, 10) : 0;
	free(now);
	if (n > 0 && n < CMDLINES_WANTED) {
		char want[16];
		snprintf(want, sizeof(want), "%d", CMDLINES_WANTED);
		vt_ftrace_write_file(path, want, NULL);
	}
}

static int setup(struct vt_ftrace_rec *r, const struct vt_ftrace_rec_options *o, struct vt_error *err)
{
	char name[80];
	if (o->instance && !instance_name_ok(o->instance))
		return vt_error_set(err, "instance '%s': not a plain name", o->instance);
	snprintf(name, sizeof(name), "%s", o->instance ? o->instance : "");
	if (!o->instance)
		snprintf(name, sizeof(name), "vmtrace-%ld", (long)getpid());
	if (vt_ftrace_path(r->capture, sizeof(r->capture), "%s", o->capture_dir))
		return vt_error_set(err, "%s: path too long", o->capture_dir);
	if (vt_ftrace_tracefs_find(o->tracefs, r->tracefs, sizeof(r->tracefs), &r->mounted, err) ||
	    vt_ftrace_instance_create(r->tracefs, name, r->inst, sizeof(r->inst), err))
		return -1;
	r->have_inst = 1;
	raise_cmdlines(r);
	int *ok = calloc(o->nevents + 1, sizeof(*ok));
	if (!ok)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", r->inst);
	int rc = configure(r, o, ok, err) || begin_capture(r, o, ok, err) ? -1 : 0;
	free(ok);
	if (rc || inst_write(r, "tracing_on", "1", err))
		return -1;
	if (o->overwrite)
		return 0;
	char on[VT_FTRACE_PATH];
	vt_ftrace_path(on, sizeof(on), "%s/tracing_on", r->inst);
	return vt_ftrace_stream_start(&r->stream, r->cpus, r->ncpus, r->page_size, o->period_ms, on, err);
}

int vt_ftrace_rec_start(struct vt_ftrace_rec **out, const struct vt_ftrace_rec_options *o, struct vt_error *err)
{
	*out = NULL;
	if (!o->capture_dir)
		return vt_error_set(err, "ftrace recorder: no capture folder given");
	struct vt_ftrace_rec *r = calloc(1, sizeof(*r));
	if (!r)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "ftrace recorder: out of memory");
	r->marker_fd = -1;
	r->overwrite = o->overwrite;
	if (setup(r, o, err)) {
		if (r->have_inst)
			inst_write(r, "tracing_on", "0", NULL);
		release(r, NULL);
		return -1;
	}
	*out = r;
	return 0;
}

const char *vt_ftrace_rec_tracefs(const struct vt_ftrace_rec *r, int *mounted)
{
	if (mounted)
		*mounted = r->mounted;
	return r->tracefs;
}

const char *vt_ftrace_rec_clock(const struct vt_ftrace_rec *r)
{
	return r->clock;
}

const char *vt_ftrace_rec_instance(const struct vt_ftrace_rec *r)
{
	return r->inst;
}

const char *vt_ftrace_rec_skipped(const struct vt_ftrace_rec *r, size_t i)
{
	return i < r->nskipped ? r->skipped[i] : NULL;
}

size_t vt_ftrace_rec_cpus(const struct vt_ftrace_rec *r, const uint32_t **cpus)
{
	*cpus = r->cpu_ids;
	return r->ncpus;
}

int vt_ftrace_rec_marker_fd(const struct vt_ftrace_rec *r)
{
	return r->marker_fd;
}

int vt_ftrace_rec_stats(struct vt_ftrace_rec *r, uint64_t *events, uint64_t *lost, struct vt_error *err)
{
	*events = *lost = 0;
	for (size_t i = 0; i < r->ncpus; i++) {
		char path[VT_FTRACE_PATH];
		vt_ftrace_path(path, sizeof(path), "%s/per_cpu/cpu%u/stats", r->inst, r->cpu_ids[i]);
		char *s = vt_ftrace_read_file(path, VT_CAP_MAX_SMALL, NULL, NULL);
		if (!s)
			continue; /* a CPU gone offline: its last counts are in the capture at stop */
		*events += vt_ftrace_stat_field(s, "entries") + vt_ftrace_stat_field(s, "read events");
		*lost += vt_ftrace_stat_field(s, "overrun") + vt_ftrace_stat_field(s, "dropped events");
		free(s);
	}
	return vt_ftrace_stream_failed(r->stream, err);
}

int vt_ftrace_rec_snapshot(struct vt_ftrace_rec *r, struct vt_error *err)
{
	if (!r->overwrite)
		return 0;
	for (size_t i = 0; i < r->ncpus; i++)
		if (vt_ftrace_cpu_move_full(&r->cpus[i], r->page_size, r->buffer_pages, err) < 0)
			return -1;
	return 0;
}

/* Keeps the first error: later ones are often its consequences. */
static void keep_first(int *rc, struct vt_error *err, const struct vt_error *e)
{
	if (*rc == 0 && err)
		*err = *e;
	*rc = -1;
}

int vt_ftrace_rec_stop(struct vt_ftrace_rec *r, struct vt_error *err)
{
	struct vt_error e;
	int rc = 0;
	if (vt_ftrace_stream_stop(r->stream, &e))
		keep_first(&rc, err, &e);
	if (inst_write(r, "tracing_on", "0", &e))
		keep_first(&rc, err, &e);
	for (size_t i = 0; i < r->ncpus && rc == 0; i++)
		if (vt_ftrace_cpu_drain(&r->cpus[i], r->page_size, &e))
			keep_first(&rc, err, &e);
	/* The counts and names are small: try them even after a full disk. */
	if (vt_ftrace_capture_end(r->capture, r->tracefs, r->inst, r->cpu_ids, r->ncpus, &e))
		keep_first(&rc, err, &e);
	if (release(r, &e))
		keep_first(&rc, err, &e);
	return rc;
}
