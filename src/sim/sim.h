/* vmtrace simulator: a deterministic discrete-event model of a KVM host and its
 * guests that writes LTTng-layout CTF traces and the ground truth (truth.json).
 * Scenario format: docs/scenarios.md; truth format: docs/truth.md. */
#ifndef VMTRACE_SIM_H
#define VMTRACE_SIM_H

#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vt_sim_scenario;

/* Reads and checks a scenario file. Errors are one line naming the file, the
 * key and the problem. Returns 0, or -1 with err set. */
int vt_sim_scenario_load(struct vt_sim_scenario **out, const char *path, struct vt_error *err);

/* Same, from text; `origin` names it in error messages. */
int vt_sim_scenario_parse(struct vt_sim_scenario **out, const char *text, const char *origin,
			  struct vt_error *err);

void vt_sim_scenario_free(struct vt_sim_scenario *sc);

/* Called for every event written, in true (host) time order. ev->ts_ns is the
 * event's timestamp on its machine's own clock (ns from the epoch), ev->trace
 * the machine index (0 = host, 1.. = guests in scenario order), ev->cpu the
 * stream (pCPU on the host, vCPU in a guest). */
typedef void (*vt_sim_event_fn)(void *arg, uint64_t true_ns, const struct vt_event *ev);

struct vt_sim_options {
	const char *outdir;     /* where traces and truth.json go; NULL writes nothing */
	uint64_t seed;          /* used when has_seed, else the scenario's */
	int has_seed;
	uint64_t duration_ns;   /* overrides the scenario's when not 0 */
	/* Flight-recorder snapshot: every event before this time (ns after the
	 * start) is dropped from every trace, and truth.json describes only
	 * [start + snapshot_from_ns, end]. Overrides the scenario's when not 0. */
	uint64_t snapshot_from_ns;
	int ctf2;                 /* write CTF 2 metadata (the data streams are the same) */
	vt_sim_event_fn on_event; /* may be NULL */
	void *on_event_arg;
};

struct vt_sim_stats {
	uint64_t events;        /* events written, all traces */
	uint64_t messages;      /* network messages delivered */
	uint64_t start_ns, end_ns; /* traced interval, host time */
	double wall_seconds;    /* wall time of the run */
	double cpu_seconds;     /* CPU time of the process (user + system) during the run */
};

/* Runs a scenario. Returns 0, or -1 with err set. */
int vt_sim_run(const struct vt_sim_scenario *sc, const struct vt_sim_options *opt,
	       struct vt_sim_stats *stats, struct vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
