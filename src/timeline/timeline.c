/* Each machine's traces through one source (in its own clock's order, which
 * its monotonic transform keeps), the machines merged by reference time. */
#include <stdlib.h>
#include <string.h>

#include "timeline/lane.h"

int vt_lane_advance(struct lane *l, struct vt_error *err)
{
	int rc = l->spill ? vt_spill_lane_next(l, err) : vt_source_next(l->src, &l->head, err);
	if (rc <= 0) {
		l->done = 1;
		return rc;
	}
	int64_t t = vt_clock_to_ref(l->clock, (int64_t)l->head->ts_ns);
	l->head_ref = t < 0 ? 0 : (uint64_t)t;
	return 1;
}

/* The CTF reader of pass 1, so both passes decode alike. */
static enum vt_reader reader_of(const struct vt_trace_info *const *traces, const struct vt_machine *mm)
{
	enum vt_reader r = VT_READER_DEFAULT;
	for (size_t i = 0; i < mm->ntraces; i++)
		if (!vt_reader_parse(traces[mm->traces[i]]->reader, &r))
			break;
	return r;
}

static int open_timeline(struct vt_timeline **out, const struct vt_trace_info *const *traces, size_t ntraces,
		     const struct vt_machines *m, const struct vt_sync_result *clocks, struct vt_error *err)
{
	*out = NULL;
	struct vt_timeline *tl = calloc(1, sizeof(*tl));
	if (!tl || !(tl->lanes = calloc(m->count ? m->count : 1, sizeof(*tl->lanes)))) {
		free(tl);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	}
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		const char **paths = calloc(mm->ntraces ? mm->ntraces : 1, sizeof(*paths));
		if (!paths)
			goto oom;
		for (size_t i = 0; i < mm->ntraces; i++)
			paths[i] = traces[mm->traces[i]]->path;
		struct lane *l = &tl->lanes[tl->nlanes];
		l->src = mm->ntraces ? vt_source_open_with(paths, mm->ntraces, reader_of(traces, mm), err) : NULL;
		free(paths);
		if (!l->src) {
			if (!mm->ntraces)
				continue;
			vt_timeline_close(tl);
			return -1;
		}
		tl->nlanes++;
		l->machine = k;
		l->clock = &clocks->machines[k];
		size_t n = vt_source_trace_count(l->src);
		if (!(l->global = calloc(n ? n : 1, sizeof(*l->global))))
			goto oom;
		/* The same folder under the same path: the same trace. */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < ntraces; j++)
				if (!strcmp(vt_source_trace(l->src, i)->path, traces[j]->path))
					l->global[i] = j;
		if (vt_lane_advance(l, err) < 0) {
			vt_timeline_close(tl);
			return -1;
		}
	}
	*out = tl;
	return 0;
oom:
	vt_timeline_close(tl);
	return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
}

struct vt_timeline *vt_timeline_open(const struct vt_trace_info *const *traces, size_t ntraces,
				     const struct vt_machines *m, const struct vt_sync_result *clocks, struct vt_error *err)
{
	struct vt_timeline *out;
	return open_timeline(&out, traces, ntraces, m, clocks, err) ? NULL : out;
}

int vt_timeline_next(struct vt_timeline *tl, const struct vt_event **ev, uint64_t *ref_ns, size_t *trace,
		     size_t *machine, struct vt_error *err)
{
	if (tl->current && !tl->current->done && vt_lane_advance(tl->current, err) < 0)
		return -1;
	tl->current = NULL;
	/* Few machines: a linear pick beats a heap. */
	for (size_t i = 0; i < tl->nlanes; i++) {
		struct lane *l = &tl->lanes[i];
		if (!l->done && (!tl->current || l->head_ref < tl->current->head_ref))
			tl->current = l;
	}
	if (!tl->current)
		return 0;
	*ev = tl->current->head;
	*ref_ns = tl->current->head_ref;
	*trace = tl->current->spill ? tl->current->trace : tl->current->global[(*ev)->trace];
	*machine = tl->current->machine;
	return 1;
}

void vt_timeline_close(struct vt_timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nlanes; i++) {
		vt_source_close(tl->lanes[i].src);
		free(tl->lanes[i].global);
		free(tl->lanes[i].buf);
	}
	free(tl->lanes);
	free(tl);
}
