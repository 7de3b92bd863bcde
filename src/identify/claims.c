/* uuid claims of host agents: who else claims the same uuid at the same time. */
#include "identify/claims.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sort.h"

static int host_of(const struct vt_machines *m, const struct vt_seen_guest *g)
{
	return (int)m->trace_machine[g->trace];
}

/* Alive at the end of a trace of that host: no destroy followed its claim. */
static int alive(const struct vt_identify *id, const struct vt_machines *m, int host, int64_t pid)
{
	for (size_t i = 0; i < id->guests.n; i++) {
		const struct vt_seen_guest *g = &id->guests.v[i];
		if (g->pid == pid && host_of(m, g) == host && !g->destroyed)
			return 1;
	}
	return 0;
}

const struct vt_uuid_conflict *vt_claims_conflict(const struct vt_machines *m, int host, const char *uuid)
{
	for (size_t i = 0; uuid && i < m->nconflicts; i++)
		if (m->conflicts[i].host == host && !strcasecmp(m->conflicts[i].uuid, uuid))
			return &m->conflicts[i];
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The distinct live pids claiming g's uuid on g's host (into pids, id->guests.n room). */
static size_t live_claimants(const struct vt_identify *id, const struct vt_machines *m,
			     const struct vt_seen_guest *g, int64_t *pids)
{
	size_t n = 0;
	for (size_t j = 0; j < id->guests.n; j++) {
		const struct vt_seen_guest *o = &id->guests.v[j];
		if (!o->uuid || host_of(m, o) != host_of(m, g) || strcasecmp(o->uuid, g->uuid) ||
		    !alive(id, m, host_of(m, o), o->pid))
			continue;
		size_t k;
		for (k = 0; k < n && pids[k] != o->pid; k++)
			;
		if (k == n)
			pids[n++] = o->pid;
	}
	return n;
}

static int add_conflict(struct vt_machines *m, int host, const char *uuid, const int64_t *pids, size_t n)
{
	struct vt_uuid_conflict *c = realloc(m->conflicts, (m->nconflicts + 1) * sizeof(*c));
	if (!c)
		return -1;
	m->conflicts = c;
	c = &c[m->nconflicts];
	c->uuid = strdup(uuid);
	c->pids = malloc(n * sizeof(*c->pids));
	if (!c->uuid || !c->pids) {
		free(c->uuid);
		free(c->pids);
		return -1;
	}
	memcpy(c->pids, pids, n * sizeof(*pids));
	vt_qsort(c->pids, n, sizeof(*c->pids), cmp_i64);
	c->npids = n;
	c->host = host;
	m->nconflicts++;
	return 0;
}

int vt_claims_find_conflicts(const struct vt_identify *id, struct vt_machines *m)
{
	int64_t *pids = malloc((id->guests.n ? id->guests.n : 1) * sizeof(*pids));
	if (!pids)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < id->guests.n && rc == 0; i++) {
		const struct vt_seen_guest *g = &id->guests.v[i];
		if (!g->uuid || vt_claims_conflict(m, host_of(m, g), g->uuid))
			continue;
		size_t n = live_claimants(id, m, g, pids);
		if (n >= 2)
			rc = add_conflict(m, host_of(m, g), g->uuid, pids, n);
	}
	free(pids);
	return rc;
}

char *vt_uuid_conflict_describe(const struct vt_machines *m, const struct vt_uuid_conflict *c)
{
	const struct vt_machine *host = &m->machines[c->host];
	char list[256] = "";
	size_t len = 0, shown = 0;
	for (; shown < c->npids && len + 24 < sizeof(list); shown++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%" PRId64, shown ? ", " : "", c->pids[shown]);
	return vt_strdup_printf("uuid %s is claimed by %zu QEMU processes alive at once on %s (pids %s%s): "
				"at most one runs that guest, so its trace is tied to none of them "
				"(pass --guest %s=PID to choose)",
				c->uuid, c->npids, host->hostname ? host->hostname : host->key, list,
				shown < c->npids ? ", ..." : "", c->uuid);
}

void vt_claims_free(struct vt_machines *m)
{
	for (size_t i = 0; i < m->nconflicts; i++) {
		free(m->conflicts[i].uuid);
		free(m->conflicts[i].pids);
	}
	free(m->conflicts);
	m->conflicts = NULL;
	m->nconflicts = 0;
}
