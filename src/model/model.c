/* The model as a whole: its vCPUs from identification, each event to the part
 * it concerns (the host's to the vCPU state machine, its guests' to their
 * threads), the end or a window's limits for every part, and freeing. */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

/* Every vCPU of the host's QEMU processes (identification's result), in state UNKNOWN. */
static void add_vcpus(struct vt_model *model, const struct vt_machines *m, int host)
{
	const struct vt_kvm_process *procs = m->processes;
	for (size_t i = 0; i < m->nprocesses; i++) {
		if (m->trace_machine[procs[i].host_trace] != (size_t)host)
			continue;
		int64_t pid = procs[i].pid > 0 ? procs[i].pid : -1;
		for (size_t v = 0; v < procs[i].nvcpus; v++)
			if (!vt_vcpu_add(model, procs[i].guest, procs[i].vcpus[v].vcpu, procs[i].vcpus[v].tid, pid))
				break;
	}
}

struct vt_model *vt_model_new(const struct vt_machines *m, int host, struct vt_error *err)
{
	struct vt_model *model = calloc(1, sizeof(*model));
	if (!model) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "model: out of memory");
		return NULL;
	}
	model->host = host;
	model->machines = m;
	model->guest_first = calloc(m->count ? m->count : 1, sizeof(*model->guest_first));
	model->guest_last = calloc(m->count ? m->count : 1, sizeof(*model->guest_last));
	model->host_traces = malloc(sizeof(size_t));
	if (!model->host_traces || !model->guest_first || !model->guest_last) {
		vt_model_free(model);
		vt_error_set_cause(err, VT_ERR_NOMEM, "model: out of memory");
		return NULL;
	}
	if (host < 0)
		return model; /* the guests' own view only: their vCPUs come with their events */
	const struct vt_machine *h = &m->machines[host];
	size_t *ht = realloc(model->host_traces, (h->ntraces ? h->ntraces : 1) * sizeof(size_t));
	if (!ht) {
		vt_model_free(model);
		vt_error_set_cause(err, VT_ERR_NOMEM, "model: out of memory");
		return NULL;
	}
	model->host_traces = ht;
	memcpy(model->host_traces, h->traces, h->ntraces * sizeof(size_t));
	model->nhost_traces = h->ntraces;
	add_vcpus(model, m, host);
	return model;
}

static int is_host_trace(const struct vt_model *model, size_t trace)
{
	for (size_t i = 0; i < model->nhost_traces; i++)
		if (model->host_traces[i] == trace)
			return 1;
	return 0;
}

/* A guest's event: its threads' (with the host's guests, or every guest when
 * there is no host); other machines' events are no part of this model. */
static void feed_guest(struct vt_model *model, size_t trace, uint64_t ts, const struct vt_event *ev)
{
	size_t g = trace < model->machines->ntraces ? model->machines->trace_machine[trace] : (size_t)-1;
	if (g >= model->machines->count)
		return;
	const struct vt_machine *mm = &model->machines->machines[g];
	int ours = model->host < 0 ? mm->role != VT_ROLE_HOST : mm->role == VT_ROLE_GUEST && mm->host == model->host;
	if (!ours)
		return;
	if (model->host < 0) { /* the span observed is the guests' */
		if (!model->first_ns || ts < model->first_ns)
			model->first_ns = ts;
		if (ts > model->last_ns)
			model->last_ns = ts;
	}
	vt_threads_feed(model, (int)g, ts, ev);
}

void vt_model_feed(struct vt_model *model, size_t trace, uint64_t ts, const struct vt_event *ev)
{
	if (!is_host_trace(model, trace)) {
		feed_guest(model, trace, ts, ev);
		return;
	}
	if (!model->first_ns || ts < model->first_ns) {
		if (!model->first_ns)
			for (size_t i = 0; i < model->nvcpus; i++)
				model->vcpus[i].since = ts; /* UNKNOWN from the first event on */
		model->first_ns = ts;
	}
	if (ts > model->last_ns)
		model->last_ns = ts;
	if (vt_pcpu_grow(model, ev->cpu)) {
		model->oom = 1;
		return;
	}
	vt_vcpu_feed(model, ts, ev);
}

void vt_model_finish(struct vt_model *model)
{
	for (size_t c = 0; c < model->ncpus; c++)
		vt_pcpu_account(model, (int32_t)c, model->last_ns);
	for (size_t i = 0; i < model->nvcpus; i++)
		vt_vcpu_finish(model, &model->vcpus[i]);
	for (size_t i = 0; i < model->nthreads; i++)
		vt_thread_finish(model, &model->threads[i]);
	/* The intervals still open go to the sink. */
	for (size_t c = 0; c < model->ncpus; c++)
		vt_interval_close(model, VT_PART_CPU, c);
	for (size_t i = 0; i < model->nthreads; i++)
		vt_interval_close(model, VT_PART_THREAD, i);
	for (size_t i = 0; i < model->nvcpus; i++)
		vt_interval_close(model, VT_PART_VCPU, i);
}

void vt_model_restart(struct vt_model *model, uint64_t ts)
{
	for (size_t c = 0; c < model->ncpus; c++)
		vt_pcpu_restart(model, c, ts);
	for (size_t i = 0; i < model->nvcpus; i++)
		vt_vcpu_restart(model, &model->vcpus[i], ts);
	for (size_t i = 0; i < model->nthreads; i++)
		vt_thread_restart(model, &model->threads[i], ts);
	for (size_t g = 0; g < model->machines->count; g++)
		if (model->guest_first[g] && model->guest_first[g] < ts)
			model->guest_first[g] = ts;
	if (model->first_ns && model->first_ns < ts)
		model->first_ns = ts;
}

void vt_model_finish_at(struct vt_model *model, uint64_t ts)
{
	if (model->first_ns) /* the states reached go on up to the window's end */
		model->last_ns = ts;
	for (size_t g = 0; g < model->machines->count; g++)
		if (model->guest_last[g] > ts)
			model->guest_last[g] = ts;
	vt_model_finish(model);
}

void vt_model_free(struct vt_model *model)
{
	if (!model)
		return;
	for (size_t i = 0; i < model->nvcpus; i++) {
		free(model->vcpus[i].by_reason);
		free(model->vcpus[i].by_holder);
		free(model->vcpus[i].exits);
		free(model->vcpus[i].intervals);
	}
	free(model->vcpus);
	free(model->threads);
	free(model->guest_first);
	free(model->guest_last);
	free(model->host_traces);
	for (size_t c = 0; c < model->ncpus; c++)
		free(model->cpus[c].shares);
	free(model->cpus);
	free(model->cpu_tid);
	free(model->cpu_comm);
	free(model);
}
