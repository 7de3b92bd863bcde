/* What synchronization's first pass knows that identification's does not:
 * for machines no agent named, which QEMU process carried their TCP, and in
 * which QEMU's vCPU windows their events fall. */
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "common/text.h"
#include "session/internal.h"
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

static int has_vcpu(const struct vt_machine *g, uint32_t vcpu)
{
	for (size_t i = 0; i < g->nvcpus; i++)
		if (g->vcpus[i].vcpu == vcpu)
			return 1;
	return 0;
}

/* One vCPU at a time for guests whose QEMU no event names (a snapshot: no
 * statedump, no fork): vCPU n is the unclaimed thread exiting with vcpu_id n
 * in whose guest-mode windows the guest's events on its CPU n fall. It
 * completes a guest tied by some of its threads (vmsync hypercalls run on
 * vCPU 0 only) and ties one nothing else did. A clear winner only; clocks
 * within milliseconds, as for by_containment. */
static int by_vcpu_windows(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m)
{
	for (size_t k = 0; k < m->count; k++) {
		struct vt_machine *g = &m->machines[k];
		if (g->role == VT_ROLE_HOST || (g->host >= 0 && g->qemu_pid > 0))
			continue; /* a known QEMU: its threads came with its pid */
		struct vt_kvm_process *procs;
		size_t nprocs = vt_identify_kvm_processes(id, m, &procs);
		/* The candidates: threads of no known process, tied to no guest. */
		size_t ncand = 0;
		for (size_t i = 0; i < nprocs; i++)
			ncand += procs[i].pid == 0 && procs[i].guest < 0 ? procs[i].nvcpus : 0;
		struct cand {
			size_t host_trace;
			struct vt_vcpu_map map;
			double share;
		} *c = malloc((ncand ? ncand : 1) * sizeof(*c));
		if (!c) {
			vt_kvm_processes_free(procs, nprocs);
			return -1;
		}
		size_t n = 0;
		for (size_t i = 0; i < nprocs; i++) {
			if (procs[i].pid != 0 || procs[i].guest >= 0 ||
			    (g->host >= 0 && m->trace_machine[procs[i].host_trace] != (size_t)g->host))
				continue;
			for (size_t v = 0; v < procs[i].nvcpus; v++) {
				if (has_vcpu(g, procs[i].vcpus[v].vcpu))
					continue;
				size_t in, of;
				c[n] = (struct cand){procs[i].host_trace, procs[i].vcpus[v], 0};
				if (!vt_sync_containment_score(s, m, k, c[n].host_trace, &c[n].map, 1, &in, &of) && of)
					c[n].share = (double)in / (double)of;
				n++;
			}
		}
		vt_kvm_processes_free(procs, nprocs);
		int rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			double second = 0;
			int best = 1;
			for (size_t j = 0; j < n; j++) {
				if (j == i || c[j].map.vcpu != c[i].map.vcpu)
					continue;
				best &= c[j].share < c[i].share;
				if (c[j].share > second)
					second = c[j].share;
			}
			if (!best || c[i].share < 0.95 || second > 0.8 * c[i].share || has_vcpu(g, c[i].map.vcpu))
				continue;
			c[i].map.evidence = "its events on that vCPU fall inside the thread's guest-mode windows";
			rc = vt_identify_add_vcpu(id, m, k, c[i].host_trace, &c[i].map);
		}
		free(c);
		if (rc)
			return -1;
	}
	return 0;
}

int vt_session_refine(const struct vt_sync *s, const struct vt_identify *id, struct vt_machines *m)
{
	return by_tcp_threads(s, id, m) || by_containment(s, id, m) || by_vcpu_windows(s, id, m) ? -1 : 0;
}
