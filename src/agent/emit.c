/* Fans one statedump out to every sink, in the contract's order. */
#include "vmtrace/agent.h"

void vt_agent_emit_vcpus(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g)
{
	for (size_t v = 0; v < g->nvcpu; v++)
		for (size_t s = 0; s < n; s++)
			if (sinks[s].guest_vcpu)
				sinks[s].guest_vcpu(sinks[s].ctx, g, &g->vcpu[v]);
}

void vt_agent_emit_statedump(const struct vt_agent_sink *sinks, size_t n,
			     const struct vt_guest_list *l)
{
	for (size_t s = 0; s < n; s++)
		if (sinks[s].statedump_begin)
			sinks[s].statedump_begin(sinks[s].ctx);
	for (size_t i = 0; i < l->n; i++) {
		for (size_t s = 0; s < n; s++)
			if (sinks[s].guest)
				sinks[s].guest(sinks[s].ctx, &l->guests[i]);
		vt_agent_emit_vcpus(sinks, n, &l->guests[i]);
	}
	for (size_t s = 0; s < n; s++)
		if (sinks[s].statedump_end)
			sinks[s].statedump_end(sinks[s].ctx);
}
