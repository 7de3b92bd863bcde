/* The timeline over the spill: one lane per trace, read block by block. */
#include <stdlib.h>

#include "timeline/lane.h"

int vt_spill_lane_next(struct lane *l, struct vt_error *err)
{
	const struct vt_spill_trace *t = &l->spill->traces[l->trace];
	while (l->pos >= (size_t)l->nbuf) {
		if (l->block >= t->nblocks)
			return 0;
		l->nbuf = vt_spill_read_block(l->spill, l->trace, l->block++, l->buf);
		l->pos = 0;
		if (l->nbuf < 0)
			return vt_error_set(err, "the temporary spill file: read failed");
	}
	vt_spill_decode(l->spill, l->trace, &l->buf[l->pos++], &l->event);
	l->head = &l->event;
	return 1;
}

static int open_spill(struct vt_timeline **out, const struct vt_spill *s, const struct vt_machines *m,
			   const struct vt_sync_result *clocks, struct vt_error *err)
{
	*out = NULL;
	if (vt_spill_status(s, err))
		return -1;
	struct vt_timeline *tl = calloc(1, sizeof(*tl));
	if (!tl || !(tl->lanes = calloc(s->ntraces ? s->ntraces : 1, sizeof(*tl->lanes)))) {
		free(tl);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->ntraces && i < m->ntraces; i++) {
		if (!s->traces[i].nblocks)
			continue;
		struct lane *l = &tl->lanes[tl->nlanes++];
		l->spill = s;
		l->trace = i;
		l->machine = m->trace_machine[i];
		l->clock = &clocks->machines[l->machine];
		if (!(l->buf = malloc(VT_SPILL_BLOCK_RECORDS * sizeof(*l->buf)))) {
			vt_timeline_close(tl);
			return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		}
		if (vt_lane_advance(l, err) < 0) {
			vt_timeline_close(tl);
			return -1;
		}
	}
	*out = tl;
	return 0;
}

struct vt_timeline *vt_timeline_open_spill(const struct vt_spill *s, const struct vt_machines *m,
					   const struct vt_sync_result *clocks, struct vt_error *err)
{
	struct vt_timeline *out;
	return open_spill(&out, s, m, clocks, err) ? NULL : out;
}
