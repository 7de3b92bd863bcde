/* Helpers of the simulator tests: record the simulator's events in-process,
 * read truth.json, and check the invariants the simulator promises. */
#ifndef VT_TEST_SIMCHECK_H
#define VT_TEST_SIMCHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtrace/event.h"
#include "sim/sim.h"

struct simrec {
	uint64_t t;     /* true (host) time */
	uint64_t ts;    /* own clock, ns from the epoch */
	uint32_t trace; /* machine index */
	int32_t cpu, tid;
	uint32_t kind;
	int32_t prev_tid, next_tid; /* SCHED_SWITCH */
	uint32_t seq, ack, flags;   /* NET_SEND / NET_RECV; VMSYNC_*: seq = cnt */
	uint64_t vm_uid;            /* VMSYNC_* */
	int ust;                    /* a vmtrace: agent event */
};

struct simlog {
	struct simrec *r;
	size_t n, cap;
	int out_of_order; /* true time went backwards */
};

/* The vt_sim_event_fn that appends to a struct simlog. */
void simlog_record(void *arg, uint64_t true_ns, const struct vt_event *ev);
void simlog_free(struct simlog *log);

/* Path of a shipped scenario. */
const char *scenario_path(const char *name);

/* Shipped scenarios the tests run (all but the large one), NULL-terminated. */
extern const char *const test_scenarios[];

/* Runs a scenario in-process into outdir (may be NULL) for duration_ms, recording
 * into log (may be NULL). Fails the test on error. */
void run_scenario(const char *name, const char *outdir, uint64_t duration_ms, uint64_t seed,
		  struct simlog *log);

/* Loads DIR/truth.json (fails the test when it cannot). */
json_t *load_truth(const char *dir);

/* Each check fails the test (cmocka) with a message naming what broke. */
void check_guest_mode_containment(const struct simlog *log, json_t *truth);
void check_messages(const struct simlog *log, uint64_t min_latency_ns);
void check_totals(json_t *truth);
void check_one_pcpu(const struct simlog *log);
void check_counts(const struct simlog *log, json_t *truth);
/* vmsync: each guest cause is followed by its host effect, each host cause by
 * its guest effect, keyed by (vm_uid, cnt), on that guest's vCPU thread.
 * Returns the number of pairs. */
size_t check_vmsync(const struct simlog *log, json_t *truth);

#endif
