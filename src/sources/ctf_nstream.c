/* The native reader's data streams: events of a mapped file, packet by packet. */
#include "sources/ctf_nstream.h"

#include "sources/ctf_ir_build.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Maps the stream's file number i (the one before unmapped). */
static int map_file(struct vt_nstream *s, size_t i, struct vt_error *err)
{
	if (s->map)
		munmap((void *)s->map, s->size);
	s->map = NULL;
	s->size = 0;
	s->file = i;
	s->path = s->files[i];
	s->pkt_off = 0;
	s->released = 0;
	s->pkt_no = 0;
	vt_ctf_index_free(&s->index);
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", s->path, strerror(e));
	}
	if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int e = errno;
			close(fd);
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot map: %s", s->path, strerror(e));
		}
		s->map = m;
		s->size = (size_t)st.st_size;
		vt_ctf_index_load(&s->index, s->path, s->size);
	}
	close(fd);
	return 0;
}

int vt_nstream_open(struct vt_nstream *s, const struct vt_ntrace *t, char **files, size_t nfiles, struct vt_error *err)
{
	memset(s, 0, sizeof(*s));
	s->files = files;
	s->nfiles = nfiles;
	s->trace = t;
	s->cpu = VT_NO_CPU;
	if (!nfiles)
		return vt_error_set(err, "a data stream of no file");
	s->path = files[0];
	s->r.nslots = t->tc->nslots;
	s->r.slots = calloc(t->tc->nslots ? t->tc->nslots : 1, sizeof(*s->r.slots));
	if (!s->r.slots)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", s->path);
	return map_file(s, 0, err);
}

void vt_nstream_close(struct vt_nstream *s)
{
	if (s->map)
		munmap((void *)s->map, s->size);
	s->map = NULL;
	vt_ctf_index_free(&s->index);
	free(s->r.slots);
	free(s->r.strbuf);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	memset(s, 0, sizeof(*s));
}

int vt_nstream_peek(const struct vt_ntrace *t, const char *path, struct vt_nstream_key *key)
{
	char **files = malloc(sizeof(*files));
	char *copy = strdup(path);
	if (!files || !copy) {
		free(files);
		free(copy);
		return -1;
	}
	files[0] = copy;
	struct vt_nstream s;
	struct vt_error err = {0};
	int rc = -1;
	if (!vt_nstream_open(&s, t, files, 1, &err)) {
		s.peeking = true;
		if (vt_ctf_packet_begin(&s, &err) > 0) {
			const struct vt_ctf_reader *r = &s.r;
			key->has_instance = (r->roles_seen & VT_CTF_ROLE_STREAM_ID) != 0;
			key->instance_id = r->role[__builtin_ctz(VT_CTF_ROLE_STREAM_ID)];
			key->class_id = s.sc->id;
			key->begin = r->clock;
			rc = 0;
		}
	}
	vt_nstream_close(&s);
	return rc;
}

/* Only presence: a capture's value is read only when present, and every
 * read that makes it present sets the value of its kind (ctf_read.h). */
static void reset_captures(struct vt_ctf_capture *caps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		caps[i].present = 0;
}

/* The position in its stream class of the event record class of the header just read, or -1. */
static long event_class(struct vt_nstream *s, uint64_t bit, struct vt_error *err)
{
	struct vt_ctf_reader *r = &s->r;
	long i = -1;
	uint64_t id = 0;
	if (r->roles_seen & VT_CTF_ROLE_EVENT_CLASS_ID) {
		id = r->role[__builtin_ctz(VT_CTF_ROLE_EVENT_CLASS_ID)];
		i = vt_ctf_id_map_get(s->sc->event_ids, id);
	} else if (s->sc->nevents == 1) {
		i = 0;
	}
	if (i < 0 || (size_t)i >= s->sc->nevents) {
		char why[96];
		snprintf(why, sizeof(why), "event record class id %" PRIu64 " is not in the metadata", id);
		vt_nstream_error(s, bit, why, err);
		return -1;
	}
	return i;
}

static int read_event(struct vt_nstream *s, struct vt_error *err)
{
	struct vt_ctf_reader *r = &s->r;
	const struct vt_ntrace *t = s->trace;
	uint64_t start = r->pos;
	s->event_pos = start;
	r->roles_seen &= ~(uint32_t)VT_CTF_ROLE_EVENT_CLASS_ID;
	r->strused = 0;
	const struct vt_ctf_ctx_plan *ctx = &t->ctx[s->sc_index];
	if (s->sc->event_header && vt_flat_read(r, ctx->header, s->sc->event_header, NULL))
		return vt_nstream_error(s, r->pos, r->error, err);
	uint64_t cycles = r->clock;
	long ei = event_class(s, start, err);
	if (ei < 0)
		return -1;
	const struct vt_ctf_event_class *ec = s->sc->events[ei];
	const struct vt_ctf_plan *plan = &t->plans[s->sc_index][ei];
	s->head_plan = plan;
	if (ctx->any_common) {
		reset_captures(s->ctx_caps, VT_PLAN_CTX_COUNT);
		r->cap[VT_CTF_SCOPE_EVENT_COMMON_CONTEXT] =
			(struct vt_ctf_cap_table){ctx->common, ctx->ncommon, s->ctx_caps};
	}
	if (s->sc->event_common_context &&
	    vt_flat_read(r, ctx->common_prog, s->sc->event_common_context, s->ctx_caps))
		return vt_nstream_error(s, r->pos, r->error, err);
	r->cap[VT_CTF_SCOPE_EVENT_COMMON_CONTEXT].index = NULL;
	if (ec->specific_context && vt_flat_read(r, plan->specific, ec->specific_context, NULL))
		return vt_nstream_error(s, r->pos, r->error, err);
	if (plan->index) {
		reset_captures(s->caps, plan->ncaps);
		r->cap[VT_CTF_SCOPE_EVENT_PAYLOAD] = (struct vt_ctf_cap_table){plan->index, plan->n, s->caps};
	}
	if (ec->payload && vt_flat_read(r, plan->payload, ec->payload, s->caps))
		return vt_nstream_error(s, r->pos, r->error, err);
	r->cap[VT_CTF_SCOPE_EVENT_PAYLOAD].index = NULL;
	if (r->pos == start)
		return vt_nstream_error(s, start, "an event record of no size", err);
	s->head_ts = 0; /* without a clock, events keep their stream order at time 0 */
	if (s->sc->default_clock && vt_ctf_clock_ns(s->sc->default_clock, cycles, t->adjust_ns, &s->head_ts))
		return vt_nstream_error(s, start, "a timestamp does not fit in ns from the epoch (corrupt clock)", err);
	vt_nstream_note_ts(s, s->head_ts);
	return 0;
}

int vt_nstream_advance(struct vt_nstream *s, struct vt_error *err)
{
	for (;;) {
		if (!s->in_packet) {
			int rc = vt_ctf_packet_begin(s, err);
			if (rc < 0)
				return rc;
			if (rc == 0 && s->file + 1 < s->nfiles) { /* the stream goes on in its next file */
				if (map_file(s, s->file + 1, err))
					return -1;
				continue;
			}
			if (rc == 0)
				return 0;
		}
		if (s->r.pos < s->r.end)
			return read_event(s, err) ? -1 : 1;
		vt_ctf_packet_end(s);
	}
}

void vt_nstream_decode_head(const struct vt_nstream *s, struct vt_event *ev)
{
	const struct vt_ctf_plan *plan = s->head_plan;
	ev->cpu = s->cpu;
	ev->tid = VT_NO_TID;
	ev->pid = VT_NO_TID;
	ev->procname = NULL;
	const struct vt_ctf_ctx_plan *ctx = &s->trace->ctx[s->sc_index];
	if (ctx->any_common) {
		const struct vt_ctf_capture *c = s->ctx_caps;
		if (c[VT_PLAN_CTX_TID].present)
			ev->tid = (int32_t)c[VT_PLAN_CTX_TID].u;
		if (c[VT_PLAN_CTX_PID].present)
			ev->pid = (int32_t)c[VT_PLAN_CTX_PID].u;
		ev->procname = vt_ctf_capture_str(&s->r, &c[VT_PLAN_CTX_PROCNAME]);
	}
	vt_ctf_plan_fill(plan, &s->r, s->caps, ev);
}
