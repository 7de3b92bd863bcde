/* The native reader's traces: the trace class loaded from `metadata`, a plan
 * per event record class, the description babeltrace2's path gives
 * (ctf_stream.c, vt_ctf_trace_describe), and the data stream files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sources/ctf_source.h"

static int64_t env_int(const struct vt_ctf_trace_class *tc, const char *name)
{
	for (size_t i = 0; i < tc->nenv; i++)
		if (!strcmp(tc->env[i].name, name))
			return tc->env[i].str ? -1 : tc->env[i].value;
	return -1;
}

static void format_uuid(const uint8_t *u, char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
		 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void describe(const struct vt_ctf_trace_class *tc, struct vt_trace_info *info, char trace_uuid[37],
		     char clock_uuid[37])
{
	info->hostname = vt_ctf_env_string(tc, "hostname");
	info->domain = vt_ctf_env_string(tc, "domain");
	info->tracer_name = vt_ctf_env_string(tc, "tracer_name");
	info->kernel_release = vt_ctf_env_string(tc, "kernel_release");
	info->product_uuid = vt_ctf_env_string(tc, "product_uuid");
	if (info->product_uuid && !*info->product_uuid)
		info->product_uuid = NULL;
	info->tracer_major = env_int(tc, "tracer_major");
	info->tracer_minor = env_int(tc, "tracer_minor");
	info->tracer_patchlevel = env_int(tc, "tracer_patchlevel");
	if (tc->has_uuid) {
		format_uuid(tc->uuid, trace_uuid);
		info->trace_uuid = trace_uuid;
	}
	const struct vt_ctf_clock_class *clock = NULL;
	for (size_t i = 0; i < tc->nstreams && !clock; i++)
		clock = tc->streams[i]->default_clock;
	if (!clock)
		return;
	info->clock.name = clock->name;
	info->clock.freq = clock->frequency;
	info->clock.offset_s = clock->offset_seconds;
	info->clock.offset_cycles = clock->offset_cycles;
	if (clock->has_uuid) {
		format_uuid(clock->uuid, clock_uuid);
		info->clock.uuid = clock_uuid;
	}
}

static int make_plans(struct vt_ntrace *t)
{
	const struct vt_ctf_trace_class *tc = t->tc;
	t->plans = calloc(tc->nstreams ? tc->nstreams : 1, sizeof(*t->plans));
	t->ctx = calloc(tc->nstreams ? tc->nstreams : 1, sizeof(*t->ctx));
	if (!t->plans || !t->ctx)
		return -1;
	int nomem = 0;
	t->packet_header = vt_flat_compile(tc->packet_header, NULL, 0, &nomem);
	if (nomem)
		return -1;
	for (size_t i = 0; i < tc->nstreams; i++) {
		const struct vt_ctf_stream_class *sc = tc->streams[i];
		if (vt_ctf_ctx_plan_init(&t->ctx[i], sc))
			return -1;
		t->plans[i] = calloc(sc->nevents ? sc->nevents : 1, sizeof(**t->plans));
		if (!t->plans[i])
			return -1;
		for (size_t e = 0; e < sc->nevents; e++)
			if (vt_ctf_plan_init(&t->plans[i][e], sc->events[e]))
				return -1;
	}
	return 0;
}

int vt_ntrace_open(struct vt_ntrace *t, const char *dir, struct vt_trace_info *info, char trace_uuid[37],
		   char clock_uuid[37], struct vt_error *err)
{
	memset(t, 0, sizeof(*t));
	t->info = info;
	char path[4200];
	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (vt_ctf_meta_load(&t->tc, path, err))
		return -1;
	if (make_plans(t))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
	describe(t->tc, info, trace_uuid, clock_uuid);
	return 0;
}

void vt_ntrace_close(struct vt_ntrace *t)
{
	if (!t->tc)
		return;
	for (size_t i = 0; i < t->tc->nstreams; i++) {
		if (t->ctx)
			vt_ctf_ctx_plan_fini(&t->ctx[i]);
		for (size_t e = 0; t->plans && t->plans[i] && e < t->tc->streams[i]->nevents; e++)
			vt_ctf_plan_fini(&t->plans[i][e]);
		if (t->plans)
			free(t->plans[i]);
	}
	free(t->plans);
	free(t->ctx);
	vt_flat_free(t->packet_header);
	vt_ctf_trace_class_free(t->tc);
	memset(t, 0, sizeof(*t));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vt_ntrace_files(const char *dir, char ***paths, size_t *n, struct vt_error *err)
{
	*paths = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", dir, strerror(errno));
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		char path[4200];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **p = realloc(*paths, cap * sizeof(*p));
			if (!p)
				goto nomem;
			*paths = p;
		}
		if (!((*paths)[*n] = strdup(path)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*paths, *n, sizeof(**paths), by_name);
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*paths)[i]);
	free(*paths);
	*paths = NULL;
	*n = 0;
	return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
}

/* A data stream: its files, in time order. */
struct group {
	char **files;
	size_t n;
};

static int by_first_file(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->files[0], ((const struct group *)b)->files[0]);
}

static int same_stream(const struct vt_nstream_key *a, const struct vt_nstream_key *b)
{
	return a->has_instance && b->has_instance && a->class_id == b->class_id && a->instance_id == b->instance_id;
}

/* ctf.fs's data streams: the files whose first packets name the same stream
 * class and instance are one stream (a trace rotated by size), read in the
 * order of their begin times; streams in the order of their first files. */
static int group_files(const struct vt_ntrace *t, char **files, size_t n, struct group **out, size_t *nout)
{
	struct vt_nstream_key *keys = calloc(n ? n : 1, sizeof(*keys));
	int *ok = calloc(n ? n : 1, sizeof(*ok)), *used = calloc(n ? n : 1, sizeof(*used));
	struct group *groups = calloc(n ? n : 1, sizeof(*groups));
	size_t ng = 0;
	int rc = -1;
	if (!keys || !ok || !used || !groups)
		goto out;
	for (size_t f = 0; f < n; f++)
		ok[f] = vt_nstream_peek(t, files[f], &keys[f]) == 0;
	for (size_t f = 0; f < n; f++) {
		if (used[f])
			continue;
		struct group *g = &groups[ng++];
		size_t *idx = calloc(n - f, sizeof(*idx));
		if (!idx || !(g->files = calloc(n - f, sizeof(*g->files)))) {
			free(idx);
			goto out;
		}
		for (size_t h = f; h < n; h++) {
			if (used[h] || (h != f && !(ok[f] && ok[h] && same_stream(&keys[f], &keys[h]))))
				continue;
			size_t k = g->n++; /* by begin time, then name (files are in name order) */
			while (k > 0 && ok[h] && keys[h].begin < keys[idx[k - 1]].begin) {
				idx[k] = idx[k - 1];
				k--;
			}
			idx[k] = h;
			used[h] = 1;
		}
		for (size_t k = 0; k < g->n; k++) {
			g->files[k] = files[idx[k]];
			files[idx[k]] = NULL;
		}
		free(idx);
	}
	qsort(groups, ng, sizeof(*groups), by_first_file);
	rc = 0;
out:
	if (rc)
		for (size_t i = 0; i < ng; i++)
			free(groups[i].files);
	if (rc) {
		free(groups);
		groups = NULL;
		ng = 0;
	}
	free(keys);
	free(ok);
	free(used);
	*out = groups;
	*nout = ng;
	return rc;
}

/* Each trace's class, then its data streams, numbered as the graph numbers them. */
int vt_ctf_native_build(struct vt_source *src, struct vt_error *err)
{
	src->ntr = calloc(src->ntraces, sizeof(*src->ntr));
	struct group **groups = calloc(src->ntraces, sizeof(*groups));
	size_t *ngroups = calloc(src->ntraces, sizeof(*ngroups));
	int rc = -1;
	if (!src->ntr || !groups || !ngroups) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		goto out;
	}
	size_t total = 0;
	for (size_t i = 0; i < src->ntraces; i++) {
		struct vt_ctf_trace *t = &src->traces[i];
		char **files;
		size_t nfiles;
		if (vt_ntrace_open(&src->ntr[i], t->path, &t->info, t->trace_uuid, t->clock_uuid, err) ||
		    vt_ntrace_files(t->path, &files, &nfiles, err))
			goto out;
		int bad = group_files(&src->ntr[i], files, nfiles, &groups[i], &ngroups[i]);
		for (size_t f = 0; f < nfiles; f++)
			free(files[f]);
		free(files);
		if (bad) {
			vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", t->path);
			goto out;
		}
		t->described = true;
		t->info.streams = (uint32_t)ngroups[i];
		vt_ctf_same_clock(src, i);
		src->ntr[i].adjust_ns = t->adjust_ns;
		total += ngroups[i];
	}
	src->nat = calloc(total ? total : 1, sizeof(*src->nat));
	src->streams = calloc(total ? total : 1, sizeof(*src->streams));
	if (!src->nat || !src->streams) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < src->ntraces; i++)
		for (size_t g = 0; g < ngroups[i]; g++) {
			struct group *gr = &groups[i][g];
			char **files = gr->files;
			gr->files = NULL; /* the stream owns them now, even when it fails */
			if (vt_nstream_open(&src->nat[src->nstreams++], &src->ntr[i], files, gr->n, err))
				goto out;
		}
	rc = 0;
out:
	for (size_t i = 0; groups && i < src->ntraces; i++) {
		for (size_t g = 0; g < ngroups[i]; g++) {
			for (size_t k = 0; groups[i][g].files && k < groups[i][g].n; k++)
				free(groups[i][g].files[k]);
			free(groups[i][g].files);
		}
		free(groups[i]);
	}
	free(groups);
	free(ngroups);
	return rc;
}

void vt_ctf_native_destroy(struct vt_source *src)
{
	for (size_t i = 0; src->nat && i < src->nstreams; i++)
		vt_nstream_close(&src->nat[i]);
	free(src->nat);
	src->nat = NULL;
}
