/* The analysis pipeline shared by analyze and export (analysis.h). */
#include "analysis.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "vmtrace/sim.h"
#include "vmtrace/timeline.h"

#ifndef VT_SCENARIO_DIR
#define VT_SCENARIO_DIR "scenarios"
#endif

int vt_analysis_init(struct vt_analysis *a)
{
	memset(a, 0, sizeof(*a));
	a->host = -1;
	vt_findings_config_default(&a->findings_cfg);
	if (vt_pass1_init(&a->p1, 1))
		return -1;
	a->p1.also = vt_kacct_collect; /* the agent's kernel books, for the model's pass */
	a->p1.also_ctx = &a->kacct;
	struct vt_error err = {{0}};
	if (vt_pass1_spill(&a->p1, &err)) /* pass 2 will decode the traces again: slower, same result */
		fprintf(stderr, "vmtrace: %s\n", err.msg);
	return 0;
}

/* No PATH: the bundled example, simulated into a temporary folder. */
static int simulate_example(const char *cmd, char *dir, size_t size)
{
	const char *scenarios = getenv("VMTRACE_SCENARIOS");
	char path[4096];
	snprintf(path, sizeof(path), "%s/two-guests-ntp.json", scenarios ? scenarios : VT_SCENARIO_DIR);
	struct vt_sim_scenario *sc;
	struct vt_error err = {{0}};
	if (vt_sim_scenario_load(&sc, path, &err)) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		return -1;
	}
	snprintf(dir, size, "/tmp/vmtrace-example-XXXXXX");
	int cleanup; /* a half-simulated example is removed on failure or SIGINT; a whole one stays */
	if (!vt_cleanup_mkdtemp(dir, &cleanup)) {
		vt_sim_scenario_free(sc);
		fprintf(stderr, "vmtrace %s: cannot create a temporary folder\n", cmd);
		return -1;
	}
	struct vt_sim_options opt = {.outdir = dir};
	struct vt_sim_stats stats;
	int rc = vt_sim_run(sc, &opt, &stats, &err);
	vt_sim_scenario_free(sc);
	if (rc)
		vt_remove_tree(dir);
	vt_cleanup_forget(cleanup);
	if (rc)
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
	else
		fprintf(stderr, "vmtrace %s: simulated the bundled example into %s\n", cmd, dir);
	return rc;
}

int vt_analysis_prepare(struct vt_analysis *a, const char *cmd, char **paths, int npaths, enum vt_sync_method method)
{
	char *example_path = a->example;
	if (npaths == 0) {
		if (simulate_example(cmd, a->example, sizeof(a->example)))
			return -1;
		paths = &example_path;
		npaths = 1;
	}
	struct vt_error err = {{0}};
	for (int i = 0; i < npaths; i++) {
		if (vt_pass1_read(&a->p1, paths[i], &err)) {
			fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
			a->partial = 1;
		}
		if (vt_kacct_load(&a->kacct, paths[i]) < 0) {
			fprintf(stderr, "vmtrace %s: out of memory\n", cmd);
			return -1;
		}
	}
	if (!a->p1.in.ntraces)
		return -1;
	if (vt_pass1_identify(&a->p1, &a->m, &err) ||
	    vt_sync_finish(a->p1.sync, a->m, a->p1.in.traces, method, &a->r, &err)) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		return -1;
	}
	a->host = a->r->root;
	if (a->host >= 0 && a->m->machines[a->host].role != VT_ROLE_HOST)
		a->host = -1;
	if (a->host < 0 && a->hostless_ok)
		return 0;
	if (a->host < 0) {
		fprintf(stderr, "vmtrace %s: no host trace among the inputs (one with kvm events): the guests' "
				"vCPU states need the host's view\n",
			cmd);
		a->partial = 1;
		return -1;
	}
	return 0;
}

int vt_analysis_model(struct vt_analysis *a, const char *cmd, int record_intervals, const struct vt_model_sink *sink)
{
	struct vt_error err = {{0}};
	a->model = vt_model_new(a->p1.id, a->m, a->host);
	if (!a->model) {
		fprintf(stderr, "vmtrace %s: out of memory\n", cmd);
		return -1;
	}
	a->model->record_intervals = record_intervals;
	/* The findings' collector sees every vCPU interval first, then passes it on. */
	struct vt_findings_collector *fc = vt_findings_collector_new(&a->findings_cfg);
	if (!fc) {
		fprintf(stderr, "vmtrace %s: out of memory\n", cmd);
		return -1;
	}
	/* The kernel's books see the intervals before the caller's sink. */
	struct vt_model_sink ks;
	if (vt_kacct_any(&a->kacct)) {
		ks = vt_kacct_sink(&a->kacct, a, sink);
		sink = &ks;
	}
	a->model->sink = vt_findings_collector_sink(fc, sink);
	struct vt_timeline *tl;
	if (a->p1.spill && vt_timeline_open_spill(&tl, a->p1.spill, a->m, a->r, &err)) {
		/* Kept in pass 1 or read again: the same events for the model. */
		fprintf(stderr, "vmtrace %s: %s: reading the traces again\n", cmd, err.msg);
		vt_spill_free(a->p1.spill);
		a->p1.spill = NULL;
	}
	if (!a->p1.spill && vt_timeline_open(&tl, a->p1.in.traces, a->p1.in.ntraces, a->m, a->r, &err)) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		vt_findings_collector_free(fc);
		return -1;
	}
	const struct vt_event *ev;
	uint64_t ref, n = 0;
	size_t trace, machine;
	int rc;
	struct vt_progress progress;
	vt_progress_start(&progress, "analyzing");
	uint64_t begin = 0, end = 0;
	int based = 0, restarted = !a->windowed, past = 0;
	while ((rc = vt_timeline_next(tl, &ev, &ref, &trace, &machine, &err)) > 0) {
		/* Relative times: from the modelled host's first event (where its
		 * figures start), or the first event when there is no host. */
		if (a->windowed && !based && (a->host < 0 || machine == (size_t)a->host)) {
			begin = a->window.begin + (a->window.begin_rel ? ref : 0);
			end = a->window.end ? a->window.end + (a->window.end_rel ? ref : 0) : 0;
			based = 1;
		}
		if (based && end && ref > end) {
			past = 1;
			break;
		}
		/* Every event before the window sets the states its start has. */
		if (based && !restarted && ref >= begin) {
			if (n)
				vt_model_restart(a->model, begin);
			restarted = 1;
		}
		vt_model_feed(a->model, trace, ref, ev);
		if (a->host >= 0 && machine == (size_t)a->host && (a->kacct.nrows || a->kacct.nvms))
			vt_kacct_event(&a->kacct, ref, ev);
		vt_progress_update(&progress, ++n);
		if ((n & 0xffff) == 0 && a->output && ferror(a->output))
			break; /* no use going on for minutes */
	}
	vt_progress_end(&progress);
	vt_timeline_close(tl);
	if (!restarted) /* the window starts after the last event */
		vt_model_restart(a->model, begin);
	if (past)
		vt_model_finish_at(a->model, end);
	else
		vt_model_finish(a->model);
	if (rc < 0) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		vt_findings_collector_free(fc);
		return -1;
	}
	vt_kacct_finish(&a->kacct, a->model);
	/* Before anything reorders the model's vCPUs: the collector keeps their indices. */
	struct vt_findings_input in = {a->model, a->m, a->r, (const struct vt_trace_info *const *)a->p1.in.traces,
				       a->p1.in.ntraces, fc};
	int frc = a->model->oom ? 0 : vt_findings_run(&in, &a->findings_cfg, &a->findings, &err);
	vt_findings_collector_free(fc);
	if (frc) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		return -1;
	}
	if (a->output && ferror(a->output))
		return -1;
	if (a->model->oom) {
		fprintf(stderr, "vmtrace %s: out of memory while modelling\n", cmd);
		return -1;
	}
	return 0;
}

const char *vt_analysis_guest_name(const struct vt_machines *m, int guest)
{
	if (guest < 0 || (size_t)guest >= m->count)
		return "(guest not traced)";
	const struct vt_machine *g = &m->machines[guest];
	return g->name ? g->name : g->hostname ? g->hostname : g->key;
}

void vt_analysis_free(struct vt_analysis *a)
{
	vt_findings_free(&a->findings);
	vt_kacct_free(&a->kacct);
	vt_model_free(a->model);
	vt_sync_result_free(a->r);
	vt_machines_free(a->m);
	vt_pass1_free(&a->p1);
	memset(a, 0, sizeof(*a));
}
