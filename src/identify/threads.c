/* Guests tied to vCPU threads whose process no event names: a snapshot or a
 * cut trace has lost the statedump and the forks, but every thread that runs
 * kvm_exit is still a vCPU thread, and the guest's TCP is received in its
 * context (tap) and its vmsync hypercalls run on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "identify/collect.h"
#include "identify/threads.h"

int vt_threads_vcpu_of(const struct vt_identify *id, size_t trace, int32_t tid, uint32_t *vcpu)
{
	trace = vt_collect_canon(id, trace);
	for (size_t i = 0; i < id->exits.n; i++)
		if (id->exits.v[i].trace == trace && id->exits.v[i].tid == tid) {
			*vcpu = id->exits.v[i].vcpu;
			return 1;
		}
	return 0;
}

int vt_threads_owner(const struct vt_machines *m, size_t host_trace, int32_t tid)
{
	int host = (int)m->trace_machine[host_trace];
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *g = &m->machines[k];
		if (g->role != VT_ROLE_GUEST || g->host != host)
			continue;
		for (size_t v = 0; v < g->nvcpus; v++)
			if (g->vcpus[v].tid == tid)
				return (int)k;
	}
	return -1;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

struct picked {
	int32_t tid;
	uint32_t vcpu;
	size_t count;
};

/* The vCPU threads among tids (with repeats) that carry a real share of them;
 * NULL with *n 0 when none, or when out of memory (*oom). */
static struct picked *pick_threads(const struct vt_identify *id, const struct vt_machines *m, size_t host_trace,
				   int32_t *tids, size_t ntids, size_t floor, size_t *n, size_t *on_vcpus, int *oom)
{
	struct picked *p = malloc((ntids ? ntids : 1) * sizeof(*p));
	*n = *on_vcpus = 0;
	if (!p) {
		*oom = 1;
		return NULL;
	}
	vt_qsort(tids, ntids, sizeof(*tids), cmp_i32);
	/* A few messages through an unrelated context (softirq in whatever ran) are noise. */
	if (!floor)
		floor = ntids / 100 > 2 ? ntids / 100 : 2;
	for (size_t i = 0, run; i < ntids; i += run) {
		for (run = 1; i + run < ntids && tids[i + run] == tids[i]; run++)
			;
		uint32_t vcpu;
		if (!vt_threads_vcpu_of(id, host_trace, tids[i], &vcpu) || vt_threads_owner(m, host_trace, tids[i]) >= 0)
			continue;
		*on_vcpus += run;
		if (run >= floor)
			p[(*n)++] = (struct picked){tids[i], vcpu, run};
	}
	return p;
}

/* One process, or none known: the pid they share (-1), or -2 when two differ. */
static int64_t shared_pid(const struct vt_identify *id, size_t trace, const struct picked *p, size_t n)
{
	int64_t pid = -1;
	for (size_t i = 0; i < n; i++) {
		int32_t q = vt_collect_pid_of(id, trace, p[i].tid);
		if (q <= 0)
			continue;
		if (pid > 0 && q != pid)
			return -2;
		pid = q;
	}
	return pid;
}

/* Two threads claiming one vCPU index are two VMs: the evidence does not decide. */
static int distinct_vcpus(const struct picked *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (p[i].vcpu == p[j].vcpu)
				return 0;
	return 1;
}

static int add_picked(struct vt_machine *g, const struct picked *p, size_t n, const char *evidence)
{
	struct vt_vcpu_map *v = realloc(g->vcpus, (g->nvcpus + n) * sizeof(*v));
	if (!v)
		return -1;
	g->vcpus = v;
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t k = 0; k < g->nvcpus; k++)
			dup |= g->vcpus[k].vcpu == p[i].vcpu;
		if (!dup)
			g->vcpus[g->nvcpus++] = (struct vt_vcpu_map){p[i].vcpu, p[i].tid, evidence, 0, 0, 0, 0};
	}
	return 0;
}

/* "2234 (vCPU 0), 2235 (vCPU 1)" */
static char *thread_list(const struct picked *p, size_t n)
{
	size_t cap = n * 40 + 1;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t len = 0;
	s[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++) {
		int w = snprintf(s + len, cap - len, "%s%d (vCPU %u)", i ? ", " : "", p[i].tid, p[i].vcpu);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return s;
}

int vt_threads_tie_guest(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			 int32_t *tids, size_t ntids, size_t floor, const char *what)
{
	struct vt_machine *g = &m->machines[guest];
	if (g->host >= 0 || g->role == VT_ROLE_HOST || host_trace >= m->ntraces || !ntids)
		return 0;
	size_t n, on_vcpus;
	int oom = 0;
	struct picked *p = pick_threads(id, m, host_trace, tids, ntids, floor, &n, &on_vcpus, &oom);
	int64_t pid = p ? shared_pid(id, host_trace, p, n) : -2;
	/* Nearly all of them on vCPU threads of one VM, or it is not evidence. */
	if (oom || !n || on_vcpus * 10 < ntids * 9 || pid == -2 || !distinct_vcpus(p, n)) {
		free(p);
		return oom ? -1 : 0;
	}
	char *list = thread_list(p, n);
	char *why = list ? vt_strdup_printf("%s on vCPU threads %s (%zu of %zu)%s", what, list, on_vcpus, ntids,
					    pid > 0 ? ""
						    : "; QEMU pid unknown: no statedump, fork, pid context or agent "
						      "event names the process of these threads")
			 : NULL;
	free(list);
	if (!why) {
		free(p);
		return -1;
	}
	free(g->evidence);
	g->evidence = why;
	g->role = VT_ROLE_GUEST;
	g->host = (int)m->trace_machine[host_trace];
	g->qemu_pid = pid > 0 ? pid : -1;
	int rc = add_picked(g, p, n, "kvm_exit vcpu_id on a thread that carried its messages");
	free(p);
	return rc ? -1 : 1;
}
