/* What synchronization's first pass knows that identification's does not:
 * for machines no agent named, which QEMU process carried their TCP, and in
 * which QEMU's vCPU windows their events fall. */
#include <stdlib.h>

#include "vmtrace/sync.h"

static int by_tcp_threads(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m)
{
	for (size_t k = 0; k < m->count; k++) {
		if (m->machines[k].role == VT_ROLE_HOST || m->machines[k].host >= 0)
			continue;
		size_t host_trace = 0;
		int32_t *tids = NULL;
		size_t n = vt_sync_receiving_threads(s, m, k, &host_trace, &tids);
		int rc = n ? vt_identify_guest_by_threads(id, m, k, host_trace, tids, n,
							  "its TCP reached the host through that QEMU's threads")
			   : 0;
		free(tids);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Last resort: the QEMU process in whose vCPUs' guest-mode windows the
 * machine's events fall (clocks within milliseconds). A clear winner only. */
static int by_containment(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m)
{
	struct vt_kvm_process *procs;
	size_t nprocs = vt_identify_kvm_processes(id, m, &procs);
	int rc = 0;
	for (size_t k = 0; k < m->count && rc == 0; k++) {
		if (m->machines[k].role == VT_ROLE_HOST || m->machines[k].host >= 0)
			continue;
		double best = 0, second = 0;
		size_t winner = nprocs, best_in = 0, best_n = 0;
		for (size_t i = 0; i < nprocs; i++) {
			size_t in, n;
			if (procs[i].claimed || vt_sync_containment_score(s, m, k, procs[i].host_trace, procs[i].vcpus,
									  procs[i].nvcpus, &in, &n))
				continue;
			double share = n ? (double)in / (double)n : 0;
			if (share > best) {
				second = best;
				best = share;
				winner = i;
				best_in = in;
				best_n = n;
			} else if (share > second) {
				second = share;
			}
		}
		if (winner == nprocs || best < 0.95 || second > 0.8 * best)
			continue;
		char *why = vt_strdup_printf("its events fall inside the guest-mode windows of QEMU pid %lld's vCPUs "
					     "(%zu of %zu); no agent event or TCP said so",
					     (long long)procs[winner].pid, best_in, best_n);
		rc = vt_identify_set_guest(id, m, k, procs[winner].host_trace, procs[winner].pid, why);
		procs[winner].claimed = 1;
	}
	vt_kvm_processes_free(procs, nprocs);
	return rc;
}

int vt_sync_refine_identity(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m)
{
	return by_tcp_threads(s, id, m) || by_containment(s, id, m) ? -1 : 0;
}
