/* What the HTML and Perfetto exporters share: names and the time range. */
#include "vmtrace/report.h"

const char *vt_report_machine_name(const struct vt_machines *m, int machine)
{
	if (!m || machine < 0 || (size_t)machine >= m->count)
		return "(guest not traced)";
	const struct vt_machine *g = &m->machines[machine];
	return g->name ? g->name : g->hostname ? g->hostname : g->key;
}

int vt_report_time_range(const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
			 const struct vt_sync_result *r, uint64_t *first, uint64_t *last)
{
	int any = 0;
	*first = *last = 0;
	for (size_t t = 0; t < ntraces; t++) {
		if (!traces[t] || !traces[t]->events)
			continue;
		size_t mi = m->trace_machine[t];
		if (mi >= r->count)
			continue;
		int64_t a = vt_clock_to_ref(&r->machines[mi], (int64_t)traces[t]->first_ns);
		int64_t b = vt_clock_to_ref(&r->machines[mi], (int64_t)traces[t]->last_ns);
		if (a < 0)
			a = 0;
		if (b < a)
			b = a;
		if (!any || (uint64_t)a < *first)
			*first = (uint64_t)a;
		if (!any || (uint64_t)b > *last)
			*last = (uint64_t)b;
		any = 1;
	}
	return any ? 0 : -1;
}
