/* trace.dat files through libtracecmd: open and describe each file, one
 * stream per CPU of each buffer, records read in each stream's own order. */
#include "sources/tracecmd_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <trace-cmd.h>

#include "sources/tracecmd_decode.h"
#include "sources/tracecmd_probe.h"

/* Exported by libtracecmd 3.x but only declared in its private header. */
const char *tracecmd_get_trace_clock(struct tracecmd_input *handle);
const char *tracecmd_get_cpustats(struct tracecmd_input *handle);
const char *tracecmd_get_uname(struct tracecmd_input *handle);
const char *tracecmd_get_version(struct tracecmd_input *handle);
unsigned long tracecmd_get_flags(struct tracecmd_input *handle);
int tracecmd_cpus(struct tracecmd_input *handle);
unsigned long tracecmd_get_in_file_version(struct tracecmd_input *handle);
unsigned long long tracecmd_get_options_offset(struct tracecmd_input *handle);
#define VT_TRACECMD_FL_IN_USECS (1 << 2) /* timestamps are in ns (trace-cmd prints them as usecs) */

struct vt_tc_file {
	struct vt_trace_info info;
	char *path;
	struct tracecmd_input *handle;
	struct tracecmd_input **instances; /* buffer instances' handles */
	int ninstances;
	struct vt_tc_decoders dec; /* the buffers share one tep */
	char hostname[256], release[256], clock[64];
};

struct vt_tc_stream {
	struct tracecmd_input *handle;
	int cpu;
	uint32_t file;
	struct tep_record *rec; /* the head, NULL when ended */
	uint64_t last_ts;
	bool has_last;
};

struct vt_tc_set {
	struct vt_tc_file *files;
	size_t nfiles;
	struct vt_tc_stream *streams;
	size_t nstreams;
	uint32_t first_trace, first_stream;
};

/* "Linux HOST RELEASE MACHINE" (the file's uname option). */
static void describe_uname(struct vt_tc_file *f, const char *uname)
{
	if (!uname)
		return;
	char sys[64];
	if (sscanf(uname, "%63s %255s %255s", sys, f->hostname, f->release) >= 2)
		f->info.hostname = f->hostname;
	if (f->release[0])
		f->info.kernel_release = f->release;
}

/* "3.1.6 not-a-git-repo" */
static void describe_version(struct vt_trace_info *info, const char *version)
{
	long long major, minor, patch;
	int n = version ? sscanf(version, "%lld.%lld.%lld", &major, &minor, &patch) : 0;
	if (n >= 2) {
		info->tracer_major = major;
		info->tracer_minor = minor;
		info->tracer_patchlevel = n == 3 ? patch : -1;
	}
}

/* Events the kernel lost: "overrun:" (overwritten in the ring buffer) and
 * "dropped events:" (refused when full) per CPU, as the file's cpustats say. */
static uint64_t cpustats_lost(const char *stats)
{
	uint64_t lost = 0;
	for (const char *p = stats; p && *p;) {
		unsigned long long n;
		if (sscanf(p, "overrun: %llu", &n) == 1 || sscanf(p, "dropped events: %llu", &n) == 1)
			lost += n;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return lost;
}

#define VT_TC_OPTION_TSC2NSEC 14
#define VT_TC_SECTION_COMPRESSED 1

/* The TSC frequency behind a tsc2nsec file (ns = cycles * mult >> shift), from
 * its TSC2NSEC option, which libtracecmd reads but does not give out: the TSC
 * sync method relates guest and host cycles, so it needs it. Format 6 options
 * follow "options  "; format 7 ones are in (uncompressed) sections chained by
 * their DONE option. 0 when not found. */
static uint64_t tsc2nsec_freq(const char *path, unsigned long version, uint64_t offset)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t freq = 0;
	for (int sections = 0; offset && sections < 64 && !freq; sections++) {
		if (version >= 7) { /* section header: u16 id, u16 flags, u32 description, u64 size */
			uint8_t h[16];
			uint16_t id, flags;
			if (pread(fd, h, 16, (off_t)offset) != 16)
				break;
			memcpy(&id, h, 2);
			memcpy(&flags, h + 2, 2);
			if (id != 0 || (flags & VT_TC_SECTION_COMPRESSED))
				break;
			offset += 16;
		}
		uint64_t next = 0;
		for (int n = 0; n < 4096; n++) { /* options: u16 id, u32 size, data; id 0 ends */
			uint8_t h[6];
			uint16_t id;
			uint32_t size;
			if (pread(fd, h, 2, (off_t)offset) != 2)
				break;
			memcpy(&id, h, 2);
			if (id == 0 && version < 7)
				break;
			if (pread(fd, h, 6, (off_t)offset) != 6)
				break;
			memcpy(&size, h + 2, 4);
			uint8_t data[16];
			if (id == 0) { /* format 7: the next options section's offset */
				if (size == 8 && pread(fd, data, 8, (off_t)offset + 6) == 8)
					memcpy(&next, data, 8);
				break;
			}
			if (id == VT_TC_OPTION_TSC2NSEC && size >= 16 && pread(fd, data, 16, (off_t)offset + 6) == 16) {
				uint32_t mult, shift;
				memcpy(&mult, data, 4);
				memcpy(&shift, data + 4, 4);
				if (mult && shift < 64)
					freq = (uint64_t)(1e9 * (double)(1ull << shift) / mult + 0.5);
				break;
			}
			offset += 6 + (uint64_t)size;
		}
		offset = version >= 7 ? next : 0;
	}
	close(fd);
	return freq;
}

static void describe(struct vt_tc_file *f)
{
	struct vt_trace_info *info = &f->info;
	info->path = f->path;
	info->format = "trace-cmd";
	info->reader = "libtracecmd";
	info->domain = "kernel";
	info->tracer_name = "trace-cmd";
	info->tracer_major = info->tracer_minor = info->tracer_patchlevel = -1;
	describe_uname(f, tracecmd_get_uname(f->handle));
	describe_version(info, tracecmd_get_version(f->handle));
	const char *clock = tracecmd_get_trace_clock(f->handle);
	snprintf(f->clock, sizeof(f->clock), "%s", clock && *clock ? clock : "local");
	bool in_ns = strcmp(f->clock, "x86-tsc") != 0 && strcmp(f->clock, "counter") != 0;
	/* libtracecmd keeps this flag on an x86-tsc file only when the file says
	 * how to turn cycles into ns (recorded with --tsc2nsec). */
	if (!strcmp(f->clock, "x86-tsc") && (tracecmd_get_flags(f->handle) & VT_TRACECMD_FL_IN_USECS)) {
		snprintf(f->clock, sizeof(f->clock), "tsc2nsec");
		in_ns = true;
	}
	info->clock.name = f->clock;
	info->clock.freq = in_ns ? 1000000000u : 0; /* raw TSC or counter: frequency unknown */
	if (!strcmp(f->clock, "tsc2nsec")) { /* ns made from cycles: the TSC's own frequency */
		uint64_t hz = tsc2nsec_freq(f->path, tracecmd_get_in_file_version(f->handle),
					    tracecmd_get_options_offset(f->handle));
		if (hz)
			info->clock.freq = hz;
	}
	info->discarded_events = cpustats_lost(tracecmd_get_cpustats(f->handle));
}

static int bad_file(const char *path, struct vt_error *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(errno));
	char magic[VT_TC_MAGIC_LEN];
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, VT_TC_MAGIC, VT_TC_MAGIC_LEN))
		return vt_error_set(err, "%s: not a trace-cmd file (no trace.dat magic at its start)", path);
	return 0;
}

static int open_file(struct vt_tc_file *f, struct vt_error *err)
{
	if (bad_file(f->path, err) || vt_tc_probe(f->path, err))
		return -1;
	f->handle = tracecmd_open(f->path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!f->handle)
		return vt_error_set(err, "%s: corrupt or truncated trace-cmd file: libtracecmd cannot read its headers",
				    f->path);
	int n = tracecmd_buffer_instances(f->handle);
	if (n > 0) {
		f->instances = calloc((size_t)n, sizeof(*f->instances));
		if (!f->instances)
			return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", f->path);
		for (int i = 0; i < n; i++) {
			f->instances[i] = tracecmd_buffer_instance_handle(f->handle, i);
			if (!f->instances[i])
				return vt_error_set(err, "%s: corrupt trace-cmd file: cannot read buffer '%s'", f->path,
						    tracecmd_buffer_instance_name(f->handle, i));
			f->ninstances = i + 1;
		}
	}
	if (vt_tc_decoders_init(&f->dec, tracecmd_get_tep(f->handle)))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", f->path);
	describe(f);
	return 0;
}

static int cpus_of(struct tracecmd_input *h)
{
	int n = tracecmd_cpus(h);
	return n > 0 ? n : 0;
}

static int add_streams(struct vt_tc_set *set, struct vt_error *err)
{
	size_t total = 0;
	for (size_t i = 0; i < set->nfiles; i++) {
		struct vt_tc_file *f = &set->files[i];
		total += (size_t)cpus_of(f->handle);
		for (int b = 0; b < f->ninstances; b++)
			total += (size_t)cpus_of(f->instances[b]);
	}
	set->streams = calloc(total ? total : 1, sizeof(*set->streams));
	if (!set->streams)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < set->nfiles; i++) {
		struct vt_tc_file *f = &set->files[i];
		for (int b = -1; b < f->ninstances; b++) {
			struct tracecmd_input *h = b < 0 ? f->handle : f->instances[b];
			for (int cpu = 0; cpu < cpus_of(h); cpu++) {
				struct vt_tc_stream *s = &set->streams[set->nstreams++];
				s->handle = h;
				s->cpu = cpu;
				s->file = (uint32_t)i;
				f->info.streams++;
			}
		}
	}
	return 0;
}

int vt_tc_open(struct vt_tc_set **out, char **paths, size_t npaths, uint32_t first_trace, uint32_t first_stream,
	       struct vt_error *err)
{
	*out = NULL;
	struct vt_tc_set *set = calloc(1, sizeof(*set));
	if (set)
		set->files = calloc(npaths ? npaths : 1, sizeof(*set->files));
	if (!set || !set->files) {
		free(set);
		for (size_t i = 0; i < npaths; i++)
			free(paths[i]);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	}
	set->first_trace = first_trace;
	set->first_stream = first_stream;
	set->nfiles = npaths;
	for (size_t i = 0; i < npaths; i++)
		set->files[i].path = paths[i];
	/* Our errors are one line naming the file; the libraries' own warnings
	 * would be more lines on stderr. */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	for (size_t i = 0; i < npaths; i++)
		if (open_file(&set->files[i], err))
			goto fail;
	if (add_streams(set, err))
		goto fail;
	*out = set;
	return 0;
fail:
	vt_tc_close(set);
	return -1;
}

size_t vt_tc_trace_count(const struct vt_tc_set *set)
{
	return set ? set->nfiles : 0;
}

struct vt_trace_info *vt_tc_trace_info(struct vt_tc_set *set, size_t index)
{
	return set && index < set->nfiles ? &set->files[index].info : NULL;
}

size_t vt_tc_stream_count(const struct vt_tc_set *set)
{
	return set ? set->nstreams : 0;
}

int vt_tc_advance(struct vt_tc_set *set, size_t k, struct vt_error *err)
{
	(void)err; /* libtracecmd tells the end of a CPU's data and a page it cannot read apart only in its log */
	struct vt_tc_stream *s = &set->streams[k];
	if (s->rec)
		tracecmd_free_record(s->rec);
	s->rec = tracecmd_read_data(s->handle, s->cpu);
	if (!s->rec)
		return 0;
	struct vt_trace_info *info = &set->files[s->file].info;
	if (s->has_last && s->rec->ts < s->last_ts)
		info->backward_steps++;
	s->has_last = true;
	s->last_ts = s->rec->ts;
	return 1;
}

uint64_t vt_tc_head_ts(const struct vt_tc_set *set, size_t k)
{
	return set->streams[k].rec->ts;
}

uint32_t vt_tc_stream_trace(const struct vt_tc_set *set, size_t k)
{
	return set->first_trace + set->streams[k].file;
}

void vt_tc_decode_head(struct vt_tc_set *set, size_t k, struct vt_event *ev)
{
	struct vt_tc_stream *s = &set->streams[k];
	ev->ts_ns = s->rec->ts;
	ev->trace = set->first_trace + s->file;
	ev->stream = set->first_stream + (uint32_t)k;
	ev->cpu = s->cpu;
	vt_tc_decode(&set->files[s->file].dec, s->rec, ev);
}

void vt_tc_close(struct vt_tc_set *set)
{
	if (!set)
		return;
	for (size_t k = 0; k < set->nstreams; k++)
		if (set->streams[k].rec)
			tracecmd_free_record(set->streams[k].rec);
	for (size_t i = 0; i < set->nfiles; i++) {
		struct vt_tc_file *f = &set->files[i];
		vt_tc_decoders_free(&f->dec);
		for (int b = 0; b < f->ninstances; b++)
			tracecmd_close(f->instances[b]);
		free(f->instances);
		if (f->handle)
			tracecmd_close(f->handle);
		free(f->path);
	}
	free(set->files);
	free(set->streams);
	free(set);
}
