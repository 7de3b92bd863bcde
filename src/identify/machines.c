/* From what the first pass kept to machines, roles, guests and vCPU threads. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sort.h"
#include "identify/claims.h"
#include "identify/collect.h"
#include "identify/threads.h"

const char *vt_role_name(enum vt_role role)
{
	return role == VT_ROLE_HOST ? "host" : role == VT_ROLE_GUEST ? "guest" : "unknown";
}

static const struct vt_trace_info *vt_info_at(const struct vt_trace_info *const *traces, size_t i)
{
	return traces[i];
}

static size_t find_root(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static void unite(size_t *parent, size_t a, size_t b)
{
	a = find_root(parent, a);
	b = find_root(parent, b);
	if (a != b)
		parent[a > b ? a : b] = a < b ? a : b;
}

static int same_text(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

/* The machine uuid of a trace: its env's product_uuid, else the agent's. */
static const char *trace_uuid(const struct vt_identify *id, const struct vt_trace_info *const *src, size_t t)
{
	const struct vt_trace_info *info = vt_info_at(src, t);
	return info->product_uuid ? info->product_uuid : id->traces[t].machine_uuid;
}

static const char *trace_hostname(const struct vt_identify *id, const struct vt_trace_info *const *src, size_t t)
{
	const struct vt_trace_info *info = vt_info_at(src, t);
	return info->hostname ? info->hostname : id->traces[t].machine_hostname;
}

/* Traces of one machine: same uuid, or same clock uuid and hostname (the kernel
 * and UST traces of one boot share their monotonic clock's uuid). */
static void group_traces(const struct vt_identify *id, const struct vt_trace_info *const *src, size_t *parent)
{
	size_t n = id->ntraces;
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const struct vt_trace_info *a = vt_info_at(src, i), *b = vt_info_at(src, j);
			if (same_text(trace_uuid(id, src, i), trace_uuid(id, src, j)) ||
			    (same_text(a->clock.uuid, b->clock.uuid) &&
			     same_text(trace_hostname(id, src, i), trace_hostname(id, src, j)) &&
			     !(trace_uuid(id, src, i) && trace_uuid(id, src, j))))
				unite(parent, i, j);
		}
}

static int machine_of_uuid(const struct vt_machines *m, const char *uuid)
{
	for (size_t i = 0; uuid && i < m->count; i++)
		if (same_text(m->machines[i].product_uuid, uuid))
			return (int)i;
	return -1;
}

static int is_host_trace(const struct vt_identify *id, const struct vt_trace_info *const *src, size_t t)
{
	const struct vt_trace_info *info = vt_info_at(src, t);
	if (info->per_kind[VT_KVM_ENTRY] || info->per_kind[VT_KVM_EXIT] || info->per_kind[VT_GUEST_DUMP] ||
	    info->per_kind[VT_GUEST_CREATED])
		return 1;
	for (size_t i = 0; i < id->guests.n; i++)
		if (id->guests.v[i].trace == t)
			return 1;
	return 0;
}

static int build_machines(const struct vt_identify *id, const struct vt_trace_info *const *src, struct vt_machines *m)
{
	size_t n = id->ntraces;
	size_t *parent = calloc(n ? n : 1, sizeof(*parent));
	m->trace_machine = calloc(n ? n : 1, sizeof(*m->trace_machine));
	m->machines = calloc(n ? n : 1, sizeof(*m->machines));
	if (!parent || !m->trace_machine || !m->machines) {
		free(parent);
		return -1;
	}
	m->ntraces = n;
	group_traces(id, src, parent);
	for (size_t t = 0; t < n; t++) {
		size_t root = find_root(parent, t);
		size_t k;
		if (root == t) {
			k = m->count++;
			struct vt_machine *mm = &m->machines[k];
			mm->host = -1;
			mm->qemu_pid = -1;
			mm->traces = calloc(n, sizeof(*mm->traces));
			if (!mm->traces) {
				free(parent);
				return -1;
			}
		} else {
			k = m->trace_machine[root];
		}
		m->trace_machine[t] = k;
		struct vt_machine *mm = &m->machines[k];
		mm->traces[mm->ntraces++] = t;
		if (!mm->product_uuid && trace_uuid(id, src, t))
			mm->product_uuid = strdup(trace_uuid(id, src, t));
		if (!mm->hostname && trace_hostname(id, src, t))
			mm->hostname = strdup(trace_hostname(id, src, t));
		if (is_host_trace(id, src, t))
			mm->role = VT_ROLE_HOST;
	}
	free(parent);
	for (size_t k = 0; k < m->count; k++) {
		struct vt_machine *mm = &m->machines[k];
		const struct vt_trace_info *first = vt_info_at(src, mm->traces[0]);
		mm->key = mm->product_uuid ? vt_strdup_printf("uuid:%s", mm->product_uuid)
					   : vt_strdup_printf("clock:%s+host:%s", first->clock.uuid ? first->clock.uuid : "none",
						    mm->hostname ? mm->hostname : "none");
	}
	return 0;
}

static void set_guest(struct vt_machine *g, int host, int64_t pid, const char *name, const char *evidence)
{
	g->role = VT_ROLE_GUEST;
	g->host = host;
	g->qemu_pid = pid;
	if (name && !g->name)
		g->name = strdup(name);
	free(g->evidence);
	g->evidence = strdup(evidence);
}

static int add_untraced(struct vt_machines *m, int host, const struct vt_seen_guest *sg)
{
	struct vt_untraced_guest *u = realloc(m->untraced, (m->nuntraced + 1) * sizeof(*u));
	if (!u)
		return -1;
	m->untraced = u;
	u = &u[m->nuntraced++];
	u->host = host;
	u->pid = sg->pid;
	u->uuid = sg->uuid ? strdup(sg->uuid) : NULL;
	u->name = sg->name ? strdup(sg->name) : NULL;
	return 0;
}

/* A guest whose uuid several live QEMUs claim: tied to none, and says why. */
static int mark_conflict(struct vt_machines *m, struct vt_machine *g, const struct vt_uuid_conflict *c)
{
	if (g->evidence)
		return 0;
	g->evidence = vt_uuid_conflict_describe(m, c);
	return g->evidence ? 0 : -1;
}

/* Claims from the agent's statedumps: those that ended (destroyed) first, so
 * a live claim of the same uuid wins over a guest that was restarted. */
static int match_claims(const struct vt_identify *id, struct vt_machines *m)
{
	for (int live = 0; live < 2; live++)
		for (size_t i = 0; i < id->guests.n; i++) {
			const struct vt_seen_guest *sg = &id->guests.v[i];
			if (sg->destroyed == live)
				continue;
			int host = (int)m->trace_machine[sg->trace];
			int g = machine_of_uuid(m, sg->uuid);
			const struct vt_uuid_conflict *c = vt_claims_conflict(m, host, sg->uuid);
			if (g >= 0 && g != host && c) {
				if (mark_conflict(m, &m->machines[g], c))
					return -1;
			} else if (g >= 0 && g != host) {
				set_guest(&m->machines[g], host, sg->pid, sg->name,
					  "the host's guest statedump (uuid -> QEMU pid)");
			} else if (add_untraced(m, host, sg)) {
				return -1;
			}
		}
	return 0;
}

/* The host threads that ran a vm_uid's hypercalls are that guest's vCPU threads. */
static int by_vmsync_threads(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			     uint64_t vm_uid)
{
	int32_t *tids = malloc((id->vmsyncs.n ? id->vmsyncs.n : 1) * sizeof(*tids));
	if (!tids)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < id->vmsyncs.n; i++) {
		const struct vt_seen_vmsync *s = &id->vmsyncs.v[i];
		if (s->host_side && s->trace == host_trace && s->vm_uid == vm_uid)
			tids[n++] = s->tid;
	}
	m->machines[m->trace_machine[host_trace]].role = VT_ROLE_HOST;
	int rc = vt_threads_tie_guest(id, m, guest, host_trace, tids, n, 1, "its vmsync hypercalls ran");
	free(tids);
	return rc;
}

/* Guests named by a host's agent (or older statedump events), then by vmsync
 * hypercalls, then by the command line. */
static int match_guests(const struct vt_identify *id, struct vt_machines *m)
{
	if (vt_claims_find_conflicts(id, m) || match_claims(id, m))
		return -1;
	for (size_t i = 0; i < id->vmsyncs.n; i++) {
		const struct vt_seen_vmsync *gs = &id->vmsyncs.v[i];
		if (gs->host_side)
			continue;
		struct vt_machine *g = &m->machines[m->trace_machine[gs->trace]];
		if (g->host >= 0)
			continue;
		for (size_t j = 0; j < id->vmsyncs.n; j++) {
			const struct vt_seen_vmsync *hs = &id->vmsyncs.v[j];
			if (!hs->host_side || hs->vm_uid != gs->vm_uid)
				continue;
			int host = (int)m->trace_machine[hs->trace];
			int32_t pid = vt_collect_pid_of(id, hs->trace, hs->tid);
			if (pid <= 0) {
				int rc = by_vmsync_threads(id, m, m->trace_machine[gs->trace], hs->trace, hs->vm_uid);
				if (rc < 0)
					return -1;
				if (rc > 0)
					break;
			}
			set_guest(g, host, pid > 0 ? pid : -1, NULL, "vmsync hypercalls (vm_uid seen on the host)");
			m->machines[host].role = VT_ROLE_HOST;
			break;
		}
	}
	for (size_t i = 0; i < id->hints.n; i++) {
		int g = machine_of_uuid(m, id->hints.v[i].uuid);
		if (g < 0)
			continue;
		int host = -1;
		for (size_t k = 0; k < m->count && host < 0; k++)
			if (m->machines[k].role == VT_ROLE_HOST && (int)k != g)
				host = (int)k;
		set_guest(&m->machines[g], host, id->hints.v[i].pid, NULL, "--guest on the command line");
	}
	return 0;
}

/* "CPU 3/KVM" → 3 */
static int vcpu_of_thread_name(const char *name, uint32_t *vcpu)
{
	unsigned v;
	char tail[8];
	if (name && sscanf(name, "CPU %u/KV%1[M]", &v, tail) == 2) {
		*vcpu = v;
		return 1;
	}
	return 0;
}

static int add_vcpu(struct vt_machine *g, uint32_t vcpu, int32_t tid, const char *evidence)
{
	for (size_t i = 0; i < g->nvcpus; i++)
		if (g->vcpus[i].vcpu == vcpu)
			return 0; /* the first (best) evidence stands */
	struct vt_vcpu_map *v = realloc(g->vcpus, (g->nvcpus + 1) * sizeof(*v));
	if (!v)
		return -1;
	g->vcpus = v;
	g->vcpus[g->nvcpus++] = (struct vt_vcpu_map){vcpu, tid, evidence, 0, 0, 0, 0};
	return 0;
}

static int vcpu_cmp(const void *a, const void *b)
{
	const struct vt_vcpu_map *x = a, *y = b;
	return (x->vcpu > y->vcpu) - (x->vcpu < y->vcpu);
}

/* vCPU threads: the agent's events; else KVM_EXIT's vcpu_id on a thread of
 * the guest's QEMU (kvm_x86_entry's vcpu_id is garbage on real traces); else
 * "CPU n/KVM" thread names of that QEMU. */
static int match_vcpus_of(const struct vt_identify *id, struct vt_machines *m, size_t k)
{
	struct vt_machine *g = &m->machines[k];
	if (g->role != VT_ROLE_GUEST || g->host < 0 || g->qemu_pid <= 0)
		return 0;
	for (size_t i = 0; i < id->vcpus.n; i++) {
		const struct vt_seen_vcpu *v = &id->vcpus.v[i];
		if (m->trace_machine[v->trace] != (size_t)g->host || v->pid != g->qemu_pid)
			continue;
		if (add_vcpu(g, v->vcpu, v->tid, "agent"))
			return -1;
		struct vt_vcpu_map *added = &g->vcpus[g->nvcpus - 1];
		if (added->vcpu == v->vcpu && added->tid == v->tid) {
			added->has_tsc = 1;
			added->tsc_offset = v->tsc_offset;
			added->tsc_ratio = v->tsc_ratio;
			added->tsc_frac_bits = v->tsc_frac_bits;
		}
	}
	for (size_t i = 0; i < id->exits.n; i++) {
		const struct vt_seen_exit *x = &id->exits.v[i];
		if (m->trace_machine[x->trace] != (size_t)g->host ||
		    vt_collect_pid_of(id, x->trace, x->tid) != g->qemu_pid)
			continue;
		if (add_vcpu(g, x->vcpu, x->tid, "kvm_exit vcpu_id on a QEMU thread"))
			return -1;
	}
	for (size_t i = 0; i < id->exits.n; i++) {
		const struct vt_seen_exit *x = &id->exits.v[i];
		uint32_t vcpu;
		if (m->trace_machine[x->trace] != (size_t)g->host ||
		    vt_collect_pid_of(id, x->trace, x->tid) != g->qemu_pid || !vcpu_of_thread_name(x->procname, &vcpu))
			continue;
		if (add_vcpu(g, vcpu, x->tid, "thread name"))
			return -1;
	}
	vt_qsort(g->vcpus, g->nvcpus, sizeof(*g->vcpus), vcpu_cmp);
	return 0;
}

static int match_vcpus(const struct vt_identify *id, struct vt_machines *m)
{
	for (size_t k = 0; k < m->count; k++)
		if (match_vcpus_of(id, m, k))
			return -1;
	return 0;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* A pid runs guests when one of its threads exits from guest mode. */
static int is_kvm_process(const struct vt_identify *id, size_t trace, int32_t pid)
{
	trace = vt_collect_canon(id, trace);
	for (size_t i = 0; i < id->exits.n; i++)
		if (id->exits.v[i].trace == trace && vt_collect_pid_of(id, trace, id->exits.v[i].tid) == pid)
			return 1;
	return 0;
}

/* No process named: the vCPU threads themselves (a copy: they get sorted). */
/* m->processes as the matches now stand (below). */
static int refresh_processes(const struct vt_identify *id, struct vt_machines *m);

static int by_vcpu_threads(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			   const int32_t *tids, size_t ntids)
{
	int32_t *copy = malloc((ntids ? ntids : 1) * sizeof(*copy));
	if (!copy)
		return -1;
	memcpy(copy, tids, ntids * sizeof(*copy));
	int rc = vt_threads_tie_guest(id, m, guest, host_trace, copy, ntids, 0, "its messages reached the host");
	free(copy);
	return rc < 0 || refresh_processes(id, m) ? -1 : rc;
}

int vt_identify_guest_by_threads(const struct vt_identify *id, struct vt_machines *m, size_t guest,
				 size_t host_trace, const int32_t *tids, size_t ntids, const char *evidence)
{
	struct vt_machine *g = &m->machines[guest];
	if (g->host >= 0 || g->role == VT_ROLE_HOST || host_trace >= m->ntraces)
		return 0;
	/* The QEMU process most of these threads belong to. */
	int32_t *pids = malloc((ntids ? ntids : 1) * sizeof(*pids));
	if (!pids)
		return -1;
	size_t total = 0;
	for (size_t i = 0; i < ntids; i++) {
		int32_t pid = vt_collect_pid_of(id, host_trace, tids[i]);
		if (pid > 0)
			pids[total++] = pid;
	}
	vt_qsort(pids, total, sizeof(*pids), cmp_i32);
	int32_t best_pid = -1;
	size_t best = 0;
	for (size_t i = 0, run; i < total; i += run) {
		for (run = 1; i + run < total && pids[i + run] == pids[i]; run++)
			;
		if (run > best && is_kvm_process(id, host_trace, pids[i])) {
			best = run;
			best_pid = pids[i];
		}
	}
	free(pids);
	/* A clear majority, or the evidence is not evidence. */
	if (best_pid <= 0 || best * 10 < total * 9)
		return by_vcpu_threads(id, m, guest, host_trace, tids, ntids);
	char *why = vt_strdup_printf("%s: %zu of %zu of its messages went through threads of QEMU pid %d", evidence,
				     best, total, best_pid);
	return vt_identify_set_guest(id, m, guest, host_trace, best_pid, why) ? -1 : 1;
}

int vt_identify_set_guest(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			  int64_t pid, char *evidence_owned)
{
	struct vt_machine *g = &m->machines[guest];
	if (!evidence_owned)
		return -1;
	free(g->evidence);
	g->evidence = evidence_owned;
	g->role = VT_ROLE_GUEST;
	g->host = (int)m->trace_machine[host_trace];
	g->qemu_pid = pid;
	return match_vcpus_of(id, m, guest) || refresh_processes(id, m) ? -1 : 0;
}

int vt_identify_add_vcpu(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			 const struct vt_vcpu_map *map)
{
	if (guest >= m->count || host_trace >= m->ntraces)
		return 0;
	struct vt_machine *g = &m->machines[guest];
	struct vt_vcpu_map *v = realloc(g->vcpus, (g->nvcpus + 1) * sizeof(*v));
	if (!v)
		return -1;
	g->vcpus = v;
	g->vcpus[g->nvcpus++] = *map;
	vt_qsort(g->vcpus, g->nvcpus, sizeof(*g->vcpus), vcpu_cmp);
	if (g->host < 0) {
		char *why = vt_strdup_printf("its events on each vCPU fall inside the guest-mode windows of one vCPU "
					     "thread of host trace %zu; QEMU pid unknown: no statedump, fork, pid context or "
					     "agent event names their process",
					     host_trace);
		if (!why)
			return -1;
		free(g->evidence);
		g->evidence = why;
		g->role = VT_ROLE_GUEST;
		g->host = (int)m->trace_machine[host_trace];
		g->qemu_pid = -1;
	}
	return refresh_processes(id, m);
}

/* The guest a process of a host trace runs: by its pid, else (pid unknown)
 * by the vCPU thread identification tied to a guest. */
static int guest_of(const struct vt_machines *m, size_t trace, int32_t pid, int32_t tid)
{
	for (size_t g = 0; pid > 0 && g < m->count; g++)
		if (m->machines[g].qemu_pid == pid && m->machines[g].host == (int)m->trace_machine[trace])
			return (int)g;
	return pid > 0 ? -1 : vt_threads_owner(m, trace, tid);
}

/* Sets *oom when it ran out of memory (what was found so far is kept). */
static size_t kvm_processes(const struct vt_identify *id, const struct vt_machines *m, struct vt_kvm_process **out,
			    int *oom)
{
	struct vt_kvm_process *p = NULL;
	size_t n = 0;
	*out = NULL;
	*oom = 0;
	for (size_t i = 0; i < id->exits.n; i++) {
		const struct vt_seen_exit *x = &id->exits.v[i];
		/* Without statedump or pid context a vCPU thread's process is unknown:
		 * such threads are grouped by the guest they were tied to (pid 0),
		 * those of no guest together; still modelled, never matched by pid. */
		int32_t pid = vt_collect_pid_of(id, x->trace, x->tid);
		if (pid <= 0)
			pid = 0;
		int guest = guest_of(m, x->trace, pid, x->tid);
		size_t k;
		for (k = 0; k < n && !(p[k].host_trace == x->trace && p[k].pid == pid && p[k].guest == guest); k++)
			;
		if (k == n) {
			struct vt_kvm_process *q = realloc(p, (n + 1) * sizeof(*q));
			if (!q) {
				*oom = 1;
				break;
			}
			p = q;
			memset(&p[n], 0, sizeof(p[n]));
			p[n].host_trace = x->trace;
			p[n].pid = pid;
			p[n].guest = guest;
			p[n].claimed = guest >= 0 || pid == 0; /* pid 0: not a process a guest can be matched to */
			n++;
		}
		struct vt_vcpu_map *v = realloc(p[k].vcpus, (p[k].nvcpus + 1) * sizeof(*v));
		if (!v) {
			*oom = 1;
			break;
		}
		p[k].vcpus = v;
		p[k].vcpus[p[k].nvcpus++] = (struct vt_vcpu_map){x->vcpu, x->tid, "kvm_exit vcpu_id", 0, 0, 0, 0};
	}
	*out = p;
	return n;
}

size_t vt_identify_kvm_processes(const struct vt_identify *id, const struct vt_machines *m,
				 struct vt_kvm_process **out)
{
	int oom;
	return kvm_processes(id, m, out, &oom);
}

void vt_kvm_processes_free(struct vt_kvm_process *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].vcpus);
	free(p);
}

/* Guests left unmatched: say what is missing and how to get it. */
static void explain_unmatched(struct vt_machines *m)
{
	int hosts = 0;
	for (size_t k = 0; k < m->count; k++)
		hosts += m->machines[k].role == VT_ROLE_HOST;
	for (size_t k = 0; k < m->count; k++) {
		struct vt_machine *mm = &m->machines[k];
		if (mm->role == VT_ROLE_HOST || mm->evidence)
			continue;
		if (!hosts)
			mm->evidence = strdup("no host trace (one with kvm events or vmtraced's guest statedump) "
					      "among the inputs: add the host's trace to place this machine");
		else if (!mm->product_uuid)
			mm->evidence = strdup("this trace carries no machine uuid (lttng-modules < 2.12 and no "
					      "vmtraced `machine` event): run vmtraced in the guest, or pass "
					      "--guest UUID=PID");
		else
			mm->evidence = vt_strdup_printf("no host statedump names uuid %s: run vmtraced on the host while "
					      "tracing, or pass --guest %s=QEMU_PID",
					      mm->product_uuid, mm->product_uuid);
	}
}

static int canonicalize(struct vt_identify *id, const struct vt_machines *m);

/* m->processes as the matches now stand. Returns 0, or -1 out of memory. */
static int refresh_processes(const struct vt_identify *id, struct vt_machines *m)
{
	vt_kvm_processes_free(m->processes, m->nprocesses);
	int oom;
	m->nprocesses = kvm_processes(id, m, &m->processes, &oom);
	return oom ? -1 : 0;
}

int vt_identify_finish(struct vt_identify *id, const struct vt_trace_info *const *traces, size_t ntraces,
		       struct vt_machines **out, struct vt_error *err)
{
	*out = NULL;
	if (ntraces && !vt_collect_trace(id, ntraces - 1))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "identification: out of memory");
	id->ntraces = ntraces; /* the rest of the grown table is unused */
	const struct vt_trace_info *const *src = traces;
	struct vt_machines *m = calloc(1, sizeof(*m));
	if (!m || id->oom || build_machines(id, src, m) || canonicalize(id, m) || match_guests(id, m) ||
	    match_vcpus(id, m) || refresh_processes(id, m)) {
		vt_machines_free(m);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "identification: out of memory");
	}
	explain_unmatched(m);
	*out = m;
	return 0;
}

/* One machine's traces as one: what was seen is filed under its first trace,
 * seen once. Called once the machines are known, before any match. */
static int canonicalize(struct vt_identify *id, const struct vt_machines *m)
{
	id->canon = malloc((m->ntraces ? m->ntraces : 1) * sizeof(*id->canon));
	if (!id->canon)
		return -1;
	id->ncanon = m->ntraces;
	for (size_t t = 0; t < m->ntraces; t++)
		id->canon[t] = m->machines[m->trace_machine[t]].traces[0];
#define CANON(vec)                                                                                                  \
	for (size_t i = 0; i < id->vec.n; i++)                                                                      \
		id->vec.v[i].trace = vt_collect_canon(id, id->vec.v[i].trace)
	CANON(guests);
	CANON(vcpus);
	CANON(exits);
	CANON(threads);
	vt_collect_threads_unindex(id);
	CANON(vmsyncs);
#undef CANON
	/* A vCPU thread seen on several chunks: once (the model makes one vCPU per entry). */
	size_t kept = 0;
	for (size_t i = 0; i < id->exits.n; i++) {
		const struct vt_seen_exit *x = &id->exits.v[i];
		int dup = 0;
		for (size_t j = 0; j < kept && !dup; j++)
			dup = id->exits.v[j].trace == x->trace && id->exits.v[j].tid == x->tid && id->exits.v[j].vcpu == x->vcpu;
		if (dup)
			free(x->procname);
		else
			id->exits.v[kept++] = *x;
	}
	id->exits.n = kept;
	return 0;
}

void vt_machines_free(struct vt_machines *m)
{
	if (!m)
		return;
	for (size_t k = 0; k < m->count; k++) {
		struct vt_machine *mm = &m->machines[k];
		free(mm->key);
		free(mm->product_uuid);
		free(mm->hostname);
		free(mm->traces);
		free(mm->name);
		free(mm->vcpus);
		free(mm->evidence);
	}
	for (size_t i = 0; i < m->nuntraced; i++) {
		free(m->untraced[i].uuid);
		free(m->untraced[i].name);
	}
	free(m->untraced);
	vt_kvm_processes_free(m->processes, m->nprocesses);
	vt_claims_free(m);
	free(m->machines);
	free(m->trace_machine);
	free(m);
}
