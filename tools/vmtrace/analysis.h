/* The pipeline behind `vmtrace analyze` and `vmtrace export`: read every PATH
 * (pass 1: identification and sync collectors), identify the machines, put
 * their clocks on the host's, then run the model over every machine's events
 * in reference time (pass 2). */
#ifndef VMTRACE_CLI_ANALYSIS_H
#define VMTRACE_CLI_ANALYSIS_H

#include <jansson.h>
#include <stdio.h>

#include "inputs.h"
#include "kacct_check.h"
#include "vmtrace/findings.h"
#include "vmtrace/model.h"
#include "vmtrace/sync.h"

struct vt_analysis {
	struct vt_cli_session cs;   /* cs.s: the session (owned) */
	struct vt_hints hints;      /* --guest, set before prepare */
	struct vt_inputs in;        /* the session's traces (weak) */
	const struct vt_machines *m;    /* weak, the session's: after prepare */
	const struct vt_sync_result *r;
	struct vt_model *model;         /* weak: after vt_analysis_model */
	int host;    /* machine index of the host modelled */
	int partial; /* a PATH could not be read, or a part could not be analysed: exit 1 */
	int hostless_ok; /* set before prepare: with no host trace, model the guests' own view (host -1) */
	struct vt_findings_config findings_cfg; /* defaults, then --finding-threshold */
	struct vt_findings findings; /* after vt_analysis_model: what the figures mean (weak: the session's) */
	/* Set before vt_analysis_model: figures over this window of reference
	 * (host) time only, relative times from the first event; identification
	 * and clocks still come from the whole traces. */
	struct vt_source_window window;
	int windowed;
	enum vt_reader reader; /* --reader */
	struct vt_kacct kacct; /* record.json's kernel books, when a PATH held them (kacct_check.c) */
	char example[64]; /* the simulated example's folder, when no PATH was given */
	FILE *output; /* set before vt_analysis_model: a result written as the model runs;
		       * once a write to it failed (a full disk) the model stops, silently:
		       * the output's close says why */
};

/* Before any option. Returns 0. */
int vt_analysis_init(struct vt_analysis *a);

/* Pass 1, identification and sync. With no PATH, simulates the bundled
 * example first. Errors are printed as "vmtrace CMD: ..." lines. Returns 0,
 * or -1 when nothing can be analysed. */
int vt_analysis_prepare(struct vt_analysis *a, const char *cmd, char **paths, int npaths, enum vt_sync_method method);

/* Pass 2: the model of the host's vCPUs and its guests' threads. The sink (may
 * be NULL) receives every interval as it closes; record_intervals keeps the
 * vCPUs' in memory (for --timeline). Returns 0, or -1 (printed). */
int vt_analysis_model(struct vt_analysis *a, const char *cmd, int record_intervals, const struct vt_model_sink *sink);

/* The whole result as one JSON document (docs/json.md, vmtrace analyze). */
json_t *vt_analysis_json(const struct vt_analysis *a);

/* findings[] of that document: what the figures mean (docs/json.md). */
json_t *vt_analysis_findings_json(const struct vt_analysis *a);

/* A guest's display name: its -name, else hostname, else its key. */
const char *vt_analysis_guest_name(const struct vt_machines *m, int guest);

void vt_analysis_free(struct vt_analysis *a);

#endif
