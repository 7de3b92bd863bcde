/* Fans events out to every sink, in the contract's order. A process is only
 * written as a guest, with the identity it claims, when the kernel's evidence
 * says it runs a KVM VM: anyone can name a process qemu-system-x86_64. */
#include "agent/agent.h"

#include <string.h>

void vt_agent_emit_vcpus(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g)
{
	for (size_t v = 0; v < g->nvcpu; v++)
		for (size_t s = 0; s < n; s++)
			if (sinks[s].guest_vcpu)
				sinks[s].guest_vcpu(sinks[s].ctx, g, &g->vcpu[v]);
}

size_t vt_agent_emit_statedump(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_list *l)
{
	size_t left_out = 0;
	for (size_t s = 0; s < n; s++)
		if (sinks[s].statedump_begin)
			sinks[s].statedump_begin(sinks[s].ctx);
	for (size_t i = 0; i < l->n; i++) {
		if (!vt_guest_is_kvm(&l->guests[i])) {
			left_out++;
			continue;
		}
		for (size_t s = 0; s < n; s++)
			if (sinks[s].guest)
				sinks[s].guest(sinks[s].ctx, &l->guests[i]);
		vt_agent_emit_vcpus(sinks, n, &l->guests[i]);
	}
	for (size_t s = 0; s < n; s++)
		if (sinks[s].statedump_end)
			sinks[s].statedump_end(sinks[s].ctx);
	return left_out;
}

int vt_agent_emit_created(const struct vt_agent_sink *sinks, size_t n, const struct vt_guest_info *g)
{
	/* The kernel said a VM was made, but this process shows no sign of it
	 * (gone, or not KVM): its pid only, so the destroy that follows pairs. */
	struct vt_guest_info bare = {.pid = g->pid, .kvm = g->kvm, .accel = g->accel, .gone = g->gone};
	const struct vt_guest_info *shown = vt_guest_is_kvm(g) ? g : &bare;
	for (size_t s = 0; s < n; s++)
		if (sinks[s].guest_created)
			sinks[s].guest_created(sinks[s].ctx, shown);
	return shown == g && !g->gone;
}
