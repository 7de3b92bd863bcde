/* `vmtrace analyze --json`: the whole result as one document (docs/json.md). */
#include <jansson.h>

#include <stdio.h>

#include "analysis.h"
#include "common/text.h"
#include "vmtrace/analyses.h"

/* {"count": n, "by_reason": {"IO": n, ...}}: exits QEMU handled. */
static json_t *userspace_json(uint64_t count, const uint64_t *by_reason)
{
	json_t *o = json_object(), *r = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	for (uint32_t k = 0; k < VT_USERSPACE_REASONS; k++) {
		if (!by_reason[k])
			continue;
		char buf[32];
		json_object_set_new(r, vt_userspace_exit_label(k, buf, sizeof(buf)), json_integer((json_int_t)by_reason[k]));
	}
	json_object_set_new(o, "by_reason", r);
	return o;
}

/* {"reason": ns, ...}: HYPERVISOR time per exit reason. */
static json_t *reasons_json(const struct vt_reason_time *r, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof(key), "%llu", (unsigned long long)r[i].reason);
		json_object_set_new(o, key, json_integer((json_int_t)r[i].ns));
	}
	return o;
}

static json_t *intervals_json(const struct vt_vcpu_model *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->nintervals; i++) {
		const struct vt_vcpu_interval *iv = &v->intervals[i];
		json_t *x = json_array();
		json_array_append_new(x, json_integer((json_int_t)iv->start));
		json_array_append_new(x, json_integer((json_int_t)iv->end));
		json_array_append_new(x, json_string(vt_vcpu_state_name(iv->state)));
		if (iv->detail >= 0)
			json_array_append_new(x, json_integer(iv->detail));
		json_array_append_new(arr, x);
	}
	return arr;
}

static json_t *model_json(const struct vt_machines *m, const struct vt_model *model)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		json_t *o = json_object();
		json_object_set_new(o, "guest", v->guest >= 0 ? json_integer(v->guest) : json_null());
		json_object_set_new(o, "guest_name", vt_json_str(vt_analysis_guest_name(m, v->guest)));
		json_object_set_new(o, "qemu_pid", json_integer(v->qemu_pid));
		json_object_set_new(o, "vcpu", json_integer(v->vcpu));
		json_object_set_new(o, "tid", json_integer(v->tid));
		json_object_set_new(o, "start_ns", json_integer((json_int_t)v->start_ns));
		json_object_set_new(o, "end_ns", json_integer((json_int_t)v->end_ns));
		json_t *tot = json_object();
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			json_object_set_new(tot, vt_vcpu_state_name((enum vt_vcpu_state)s),
					    json_integer((json_int_t)v->totals[s]));
		json_object_set_new(o, "totals_ns", tot);
		json_object_set_new(o, "hypervisor_by_reason_ns", reasons_json(v->by_reason, v->nreasons));
		json_object_set_new(o, "userspace_exits", userspace_json(v->userspace_exits, v->userspace_by_reason));
		json_t *holders = json_array();
		for (size_t h = 0; h < v->nholders; h++) {
			json_t *x = json_object();
			json_object_set_new(x, "tid", json_integer(v->by_holder[h].tid));
			json_object_set_new(x, "comm", vt_json_str(v->by_holder[h].comm));
			json_object_set_new(x, "ns", json_integer((json_int_t)v->by_holder[h].ns));
			json_array_append_new(holders, x);
		}
		json_object_set_new(o, "preempted_by", holders);
		json_t *exits = json_array();
		for (size_t e = 0; e < v->nexits; e++) {
			const struct vt_exit_stats *x = &v->exits[e];
			json_t *j = json_object();
			json_object_set_new(j, "reason", json_integer((json_int_t)x->reason));
			char buf[32];
			json_object_set_new(j, "name", json_string(vt_exit_reason_name(v->isa, x->reason, buf, sizeof(buf))));
			json_object_set_new(j, "count", json_integer((json_int_t)x->count));
			json_object_set_new(j, "total_ns", json_integer((json_int_t)x->total_ns));
			json_object_set_new(j, "p50_ns", json_integer((json_int_t)vt_exit_stats_quantile(x, 0.5)));
			json_object_set_new(j, "p99_ns", json_integer((json_int_t)vt_exit_stats_quantile(x, 0.99)));
			json_object_set_new(j, "max_ns", json_integer((json_int_t)x->max_ns));
			json_array_append_new(exits, j);
		}
		json_object_set_new(o, "exits", exits);
		if (model->record_intervals)
			json_object_set_new(o, "intervals", intervals_json(v));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *cpus_json(const struct vt_model *model)
{
	json_t *arr = json_array();
	for (size_t c = 0; c < model->ncpus; c++) {
		json_t *shares = json_array();
		for (size_t k = 0; k < model->cpus[c].nshares; k++) {
			const struct vt_cpu_share *sh = &model->cpus[c].shares[k];
			json_t *o = json_object();
			json_object_set_new(o, "tid", json_integer(sh->tid));
			json_object_set_new(o, "comm", vt_json_str(sh->comm));
			json_object_set_new(o, "guest", sh->guest >= 0 ? json_integer(sh->guest) : json_null());
			json_object_set_new(o, "guest_mode", json_boolean(sh->guest_mode));
			json_object_set_new(o, "ns", json_integer((json_int_t)sh->ns));
			json_array_append_new(shares, o);
		}
		json_t *o = json_object();
		json_object_set_new(o, "cpu", json_integer((json_int_t)c));
		json_object_set_new(o, "shares", shares);
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *threads_json(const struct vt_machines *m, const struct vt_model *model)
{
	(void)m;
	json_t *arr = json_array();
	for (size_t i = 0; i < model->nthreads; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		json_t *o = json_object();
		json_object_set_new(o, "guest", json_integer(t->guest));
		json_object_set_new(o, "tid", json_integer(t->tid));
		json_object_set_new(o, "comm", vt_json_str(t->comm));
		json_object_set_new(o, "start_ns", json_integer((json_int_t)t->start_ns));
		json_t *tot = json_object();
		for (int s = VT_VCPU_UNKNOWN; s < VT_THREAD_STATE_COUNT; s++)
			json_object_set_new(tot, vt_thread_state_name(s), json_integer((json_int_t)t->totals[s]));
		json_object_set_new(o, "totals_ns", tot);
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Per guest, its vCPUs together (vt_guest_summaries). */
static json_t *guests_json(const struct vt_machines *m, const struct vt_model *model)
{
	json_t *arr = json_array();
	struct vt_guest_summary *gs;
	size_t ng = vt_guest_summaries(model, &gs);
	for (size_t i = 0; i < ng; i++) {
		const struct vt_guest_summary *g = &gs[i];
		json_t *o = json_object();
		json_object_set_new(o, "guest", g->guest >= 0 ? json_integer(g->guest) : json_null());
		json_object_set_new(o, "guest_name", vt_json_str(vt_analysis_guest_name(m, g->guest)));
		json_object_set_new(o, "qemu_pid", json_integer(g->qemu_pid));
		json_object_set_new(o, "vcpus", json_integer((json_int_t)g->nvcpus));
		json_object_set_new(o, "observed_ns", json_integer((json_int_t)g->observed_ns));
		json_t *tot = json_object();
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			json_object_set_new(tot, vt_vcpu_state_name((enum vt_vcpu_state)s), json_integer((json_int_t)g->totals[s]));
		json_object_set_new(o, "totals_ns", tot);
		json_t *holders = json_array();
		for (size_t h = 0; h < g->npreemptors; h++) {
			json_t *x = json_object();
			const struct vt_vcpu_model *v = vt_model_vcpu_by_tid(model, g->preemptors[h].tid);
			json_object_set_new(x, "tid", json_integer(g->preemptors[h].tid));
			json_object_set_new(x, "comm", vt_json_str(g->preemptors[h].comm));
			json_object_set_new(x, "guest", v && v->guest >= 0 ? json_integer(v->guest) : json_null());
			json_object_set_new(x, "ns", json_integer((json_int_t)g->preemptors[h].ns));
			json_array_append_new(holders, x);
		}
		json_object_set_new(o, "preempted_by", holders);
		json_object_set_new(o, "hypervisor_by_reason_ns", reasons_json(g->reasons, g->nreasons));
		json_object_set_new(o, "userspace_exits", userspace_json(g->userspace_exits, g->userspace_by_reason));
		json_array_append_new(arr, o);
	}
	vt_guest_summaries_free(gs, ng);
	return arr;
}

/* A figure: counts and ns as integers, shares and rates as reals. */
static json_t *figure_json(const struct vt_finding_figure *x)
{
	return x->integer ? json_integer((json_int_t)x->value) : json_real(x->value);
}

static json_t *finding_json(const struct vt_analysis *a, const struct vt_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "severity", json_string(vt_severity_name(f->severity)));
	json_object_set_new(o, "guest", f->guest >= 0 ? json_integer(f->guest) : json_null());
	json_object_set_new(o, "guest_name", f->guest >= 0 ? vt_json_str(vt_analysis_guest_name(a->m, f->guest)) : json_null());
	json_object_set_new(o, "qemu_pid", f->qemu_pid >= 0 ? json_integer(f->qemu_pid) : json_null());
	json_object_set_new(o, "vcpu", f->vcpu >= 0 ? json_integer(f->vcpu) : json_null());
	json_object_set_new(o, "tid", f->tid >= 0 ? json_integer(f->tid) : json_null());
	json_object_set_new(o, "comm", f->tid >= 0 ? vt_json_str(f->comm) : json_null());
	json_t *cpus = json_array();
	for (size_t k = 0; k < f->ncpus; k++)
		json_array_append_new(cpus, json_integer(f->cpus[k]));
	json_object_set_new(o, "pcpus", cpus);
	json_object_set_new(o, "trace", f->trace >= 0 && (size_t)f->trace < a->in.ntraces
						? vt_json_str(a->in.traces[f->trace]->path)
						: json_null());
	json_object_set_new(o, "start_ns", json_integer((json_int_t)f->start_ns));
	json_object_set_new(o, "end_ns", json_integer((json_int_t)f->end_ns));
	json_object_set_new(o, "summary", vt_json_str(f->summary));
	json_object_set_new(o, "meaning", vt_json_str(f->meaning));
	json_object_set_new(o, "advice", vt_json_str(f->advice));
	json_t *ev = json_object(), *th = json_object();
	for (size_t k = 0; k < f->nfigures; k++)
		json_object_set_new(ev, f->figures[k].key, figure_json(&f->figures[k]));
	for (size_t k = 0; k < f->nthresholds; k++)
		json_object_set_new(th, vt_threshold_name(f->thresholds[k].which), json_real(f->thresholds[k].value));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "thresholds", th);
	return o;
}

json_t *vt_analysis_findings_json(const struct vt_analysis *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < a->findings.count; i++)
		json_array_append_new(arr, finding_json(a, &a->findings.items[i]));
	return arr;
}

json_t *vt_analysis_json(const struct vt_analysis *a)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "findings", vt_analysis_findings_json(a));
	json_object_set_new(doc, "machines", vt_machines_json(a->m, &a->in));
	json_object_set_new(doc, "untraced_guests", vt_untraced_json(a->m));
	json_object_set_new(doc, "host", a->host >= 0 ? json_integer(a->host) : json_null());
	json_object_set_new(doc, "guests", guests_json(a->m, a->model));
	json_object_set_new(doc, "vcpus", model_json(a->m, a->model));
	json_object_set_new(doc, "threads", threads_json(a->m, a->model));
	json_object_set_new(doc, "cpus", cpus_json(a->model));
	json_object_set_new(doc, "kernel_accounting", vt_kacct_json(&a->kacct, a));
	return doc;
}
