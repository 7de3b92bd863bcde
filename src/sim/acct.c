/* True-state accounting: totals always, intervals when the scenario asks. */
#include "sim/model.h"

#include <stdlib.h>

void vt_sim_acct_init(struct acct *a, uint32_t state, uint64_t t)
{
	a->state = state;
	a->detail = 0;
	a->since = t;
}

static void record(struct sim *s, struct acct *a, uint64_t t)
{
	if (t <= a->since)
		return;
	a->total[a->state] += t - a->since;
	if (!s->sc->truth_intervals)
		return;
	/* Same state and detail as the last interval, and adjacent: extend it. */
	if (a->niv && a->iv[a->niv - 1].end == a->since && a->iv[a->niv - 1].state == a->state &&
	    a->iv[a->niv - 1].detail == a->detail) {
		a->iv[a->niv - 1].end = t;
		return;
	}
	if (a->niv >= s->sc->max_intervals) {
		a->dropped_iv++;
		return;
	}
	if (a->niv == a->cap_iv) {
		uint64_t cap = a->cap_iv ? a->cap_iv * 2 : 256;
		struct interval *iv = realloc(a->iv, cap * sizeof(*iv));
		if (!iv) {
			a->dropped_iv++;
			return;
		}
		a->iv = iv;
		a->cap_iv = cap;
	}
	a->iv[a->niv++] = (struct interval){a->since, t, a->state, a->detail};
}

void vt_sim_acct_set(struct sim *s, struct acct *a, uint32_t state, uint32_t detail, uint64_t t)
{
	if (state == a->state && detail == a->detail)
		return;
	record(s, a, t);
	a->state = state;
	a->detail = detail;
	a->since = t;
}

void vt_sim_acct_close(struct sim *s, struct acct *a, uint64_t t)
{
	record(s, a, t);
	a->since = t;
}

/* A vCPU's state, shared with its current guest thread; HYPERVISOR time is also
 * split by exit reason, PREEMPTED time by the host thread holding the pCPU. */
void vt_sim_vcpu_set_state(struct sim *s, struct vcpu *v, uint32_t state, uint32_t detail, uint64_t t)
{
	struct acct *a = &v->acct;
	if (state == a->state && detail == a->detail)
		return;
	if (t > a->since) {
		if (a->state == VS_HYPERVISOR)
			v->hv_by_reason[a->detail < N_REASONS ? a->detail : 0] += t - a->since;
		else if (a->state == VS_PREEMPTED)
			v->preempted_by[a->detail == NO_HOLDER ? s->swapper_index : a->detail] += t - a->since;
	}
	vt_sim_acct_set(s, a, state, detail, t);
	if (v->cur)
		vt_sim_acct_set(s, &v->cur->acct, state, detail, t);
}

/* Ends a vCPU's accounting at the end of the run. */
void vt_sim_vcpu_close(struct sim *s, struct vcpu *v, uint64_t t)
{
	struct acct *a = &v->acct;
	if (t > a->since) {
		if (a->state == VS_HYPERVISOR)
			v->hv_by_reason[a->detail < N_REASONS ? a->detail : 0] += t - a->since;
		else if (a->state == VS_PREEMPTED)
			v->preempted_by[a->detail == NO_HOLDER ? s->swapper_index : a->detail] += t - a->since;
	}
	vt_sim_acct_close(s, a, t);
}
