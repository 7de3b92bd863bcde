/* The analysis pipeline shared by analyze and export (analysis.h). */
#include "analysis.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "sim/sim.h"

#ifndef VT_SCENARIO_DIR
#define VT_SCENARIO_DIR "scenarios"
#endif

int vt_analysis_init(struct vt_analysis *a)
{
	memset(a, 0, sizeof(*a));
	a->host = -1;
	vt_findings_config_default(&a->findings_cfg);
	return 0;
}

/* No PATH: the bundled example, simulated into a temporary folder. */
static int simulate_example(const char *cmd, char *dir, size_t size)
{
	const char *scenarios = getenv("VMTRACE_SCENARIOS");
	char path[4096];
	snprintf(path, sizeof(path), "%s/two-guests-ntp.json", scenarios ? scenarios : VT_SCENARIO_DIR);
	struct vt_sim_scenario *sc;
	struct vt_error err = {0};
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
	/* The agent's kernel books are collected in pass 1 for the model's pass;
	 * the spill saves pass 2 decoding the traces again. */
	struct vt_session_options opt = {.method = method, .spill = 1, .reader = a->reader, .each_event = vt_kacct_collect,
					 .each_event_ctx = &a->kacct};
	if (!vt_cli_session_new(&a->cs, cmd, &opt, &a->hints))
		return -1;
	struct vt_error err = {0};
	for (int i = 0; i < npaths; i++) {
		if (vt_cli_session_read(&a->cs, paths[i], &err)) {
			fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
			a->partial = 1;
		}
		if (vt_kacct_load(&a->kacct, paths[i]) < 0) {
			fprintf(stderr, "vmtrace %s: out of memory\n", cmd);
			return -1;
		}
	}
	a->in = vt_inputs_of(a->cs.s);
	if (!a->in.ntraces)
		return -1;
	if (vt_session_sync(a->cs.s, &err)) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		return -1;
	}
	a->m = vt_session_machines(a->cs.s);
	a->r = vt_session_clocks(a->cs.s);
	a->host = vt_session_host(a->cs.s);
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

/* The host's events in reference time, for the kernel's books. */
static void host_event(void *ctx, size_t machine, uint64_t ref, const struct vt_event *ev)
{
	struct vt_analysis *a = ctx;
	if (a->host >= 0 && machine == (size_t)a->host && (a->kacct.nrows || a->kacct.nvms))
		vt_kacct_event(&a->kacct, ref, ev);
}

/* A failed write to the output (a full disk): no use going on for minutes. */
static int output_failed(void *ctx)
{
	const struct vt_analysis *a = ctx;
	return a->output && ferror(a->output);
}

int vt_analysis_model(struct vt_analysis *a, const char *cmd, int record_intervals, const struct vt_model_sink *sink)
{
	/* The kernel's books see the intervals before the caller's sink. */
	struct vt_model_sink ks;
	if (vt_kacct_any(&a->kacct)) {
		ks = vt_kacct_sink(&a->kacct, a, sink);
		sink = &ks;
	}
	struct vt_session_model_options opt = {
		.host = a->host,
		.record_intervals = record_intervals,
		.sink = sink,
		.window = a->windowed ? &a->window : NULL,
		.findings = &a->findings_cfg,
		.each_event = host_event,
		.each_event_ctx = a,
		.stop = output_failed,
		.stop_ctx = a,
	};
	struct vt_error err = {0};
	int rc = vt_session_model(a->cs.s, &opt, &err);
	a->model = vt_session_model_result(a->cs.s);
	if (output_failed(a)) /* the output's close says why */
		return -1;
	if (rc) {
		fprintf(stderr, "vmtrace %s: %s\n", cmd, err.msg);
		return -1;
	}
	vt_kacct_finish(&a->kacct, a->model);
	a->findings = *vt_session_findings(a->cs.s);
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
	vt_kacct_free(&a->kacct);
	vt_session_free(a->cs.s);
	vt_hints_free(&a->hints);
	memset(a, 0, sizeof(*a));
}
