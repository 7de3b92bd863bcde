/* Machine clocks. The host's is the reference (true time). A guest's reads
 * t + offset + drift*(t - t0) + wander(t - t0), where the wander is a
 * piecewise-linear curve through random knots, one per wander period, within
 * +-jitter: slow enough that the clock never runs backwards. */
#include "sim/model.h"

static double knot(const struct machine *m, uint64_t k)
{
	uint64_t h = vt_sim_hash(m->wander_seed ^ (k * 0x9e3779b97f4a7c15ull));
	return ((double)(h >> 11) * 0x1.0p-53 * 2 - 1) * m->jitter_ns;
}

uint64_t vt_sim_machine_epoch_ns(const struct sim *s, const struct machine *m, uint64_t t)
{
	if (!m->guest)
		return t;
	double dt = (double)(int64_t)(t - s->t0);
	double extra = m->offset_ns + m->drift * dt;
	if (m->jitter_ns > 0) {
		uint64_t u = t - s->t0;
		uint64_t k = u / m->wander_period;
		double frac = (double)(u % m->wander_period) / (double)m->wander_period;
		extra += knot(m, k) + (knot(m, k + 1) - knot(m, k)) * frac;
	}
	return t + (uint64_t)(int64_t)llround(extra);
}
