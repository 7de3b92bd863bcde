/* The one way the model's parts hand their intervals to the sink: joined here,
 * a sink sees one interval per state however finely the events cut it (an exit
 * and an entry at the same instant, a switch back to the same thread). */
#include "model/internal.h"

int vt_interval_continues(uint64_t start, uint64_t end, uint64_t from, int same)
{
	return end > start && end == from && same;
}

/* The ends of a part's open interval. */
struct ends {
	uint64_t *start, *end;
};

static struct ends open_ends(struct vt_model *model, enum vt_part part, size_t i)
{
	if (part == VT_PART_VCPU)
		return (struct ends){&model->vcpus[i].pending.start, &model->vcpus[i].pending.end};
	if (part == VT_PART_THREAD)
		return (struct ends){&model->threads[i].pending.start, &model->threads[i].pending.end};
	return (struct ends){&model->cpus[i].pending.start, &model->cpus[i].pending.end};
}

int vt_interval_join(struct vt_model *model, enum vt_part part, size_t i, uint64_t from, uint64_t to, int same)
{
	struct ends e = open_ends(model, part, i);
	if (vt_interval_continues(*e.start, *e.end, from, same)) {
		*e.end = to;
		return 1;
	}
	vt_interval_close(model, part, i);
	return 0;
}

/* The open interval stays as it is: a sink may look at the other parts' open
 * intervals while one closes (findings' collector does). */
void vt_interval_close(struct vt_model *model, enum vt_part part, size_t i)
{
	struct ends e = open_ends(model, part, i);
	if (*e.end <= *e.start)
		return; /* nothing opened yet, or emptied by a restart */
	const struct vt_model_sink *s = &model->sink;
	if (part == VT_PART_VCPU && s->vcpu)
		s->vcpu(s->ctx, model, i, &model->vcpus[i].pending);
	else if (part == VT_PART_THREAD && s->thread)
		s->thread(s->ctx, model, i, &model->threads[i].pending);
	else if (part == VT_PART_CPU && s->cpu)
		s->cpu(s->ctx, model, i, &model->cpus[i].pending);
}
