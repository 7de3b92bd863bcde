/* truth.json: what really happened (format: docs/truth.md). */
#ifndef VT_SIM_TRUTH_H
#define VT_SIM_TRUTH_H

#include "sim/model.h"

int vt_sim_write_truth(const struct sim *s, const char *outdir, struct vt_error *err);

/* Names of states, kernel and agent events, as truth.json spells them. */
extern const char *const vt_sim_state_names[VS_COUNT];
extern const char *const vt_sim_event_names[EVID_COUNT];
extern const char *const vt_sim_ust_event_names[UST_COUNT];

#endif
