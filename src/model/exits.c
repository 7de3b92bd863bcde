/* Each vCPU's exits by reason: counts and latency histograms (kvm_exit to the
 * next kvm_entry, like `perf kvm stat`), HYPERVISOR time by reason, and the
 * exits QEMU itself handled (kvm_userspace_exit) by KVM_EXIT_* code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exit_reason.h"
#include "model/internal.h"

const char *vt_userspace_exit_label(uint32_t slot, char *buf, size_t size)
{
	const char *name = slot + 1 < VT_USERSPACE_REASONS ? vt_kvm_exit_name(slot) : NULL;
	if (name)
		return name;
	snprintf(buf, size, slot + 1 < VT_USERSPACE_REASONS ? "%u" : "%u+", slot);
	return buf;
}

static unsigned bucket_of(uint64_t ns)
{
	if (ns < 4)
		return (unsigned)ns;
	unsigned top = 63 - (unsigned)__builtin_clzll(ns);
	unsigned b = top * 4 + (unsigned)((ns >> (top - 2)) & 3);
	return b < VT_EXIT_HIST_BUCKETS ? b : VT_EXIT_HIST_BUCKETS - 1;
}

/* The middle of a bucket's range. */
static uint64_t bucket_value(unsigned b)
{
	if (b < 8) /* 4..7 stay empty: bucket_of skips them */
		return b < 4 ? b : 4;
	unsigned top = b / 4, sub = b % 4;
	uint64_t lo = (1ULL << top) | ((uint64_t)sub << (top - 2));
	return lo + (1ULL << (top - 2)) / 2;
}

uint64_t vt_exit_stats_quantile(const struct vt_exit_stats *e, double q)
{
	if (!e->count)
		return 0;
	uint64_t want = (uint64_t)(q * (double)(e->count - 1)) + 1, seen = 0;
	for (unsigned b = 0; b < VT_EXIT_HIST_BUCKETS; b++) {
		seen += e->hist[b];
		if (seen >= want) {
			uint64_t v = bucket_value(b);
			return v > e->max_ns ? e->max_ns : v;
		}
	}
	return e->max_ns;
}

/* One exit re-entered ns after it left guest mode. */
void vt_exits_count(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns)
{
	struct vt_exit_stats *e = NULL;
	for (size_t i = 0; i < v->nexits && !e; i++)
		if (v->exits[i].reason == reason)
			e = &v->exits[i];
	if (!e) {
		struct vt_exit_stats *x = realloc(v->exits, (v->nexits + 1) * sizeof(*x));
		if (!x) {
			model->oom = 1;
			return;
		}
		v->exits = x;
		e = &v->exits[v->nexits++];
		memset(e, 0, sizeof(*e));
		e->reason = reason;
	}
	e->count++;
	e->total_ns += ns;
	if (ns > e->max_ns)
		e->max_ns = ns;
	e->hist[bucket_of(ns)]++;
}

/* HYPERVISOR time, to the reason of the exit that began it. */
void vt_exits_charge(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns)
{
	for (size_t i = 0; i < v->nreasons; i++)
		if (v->by_reason[i].reason == reason) {
			v->by_reason[i].ns += ns;
			return;
		}
	struct vt_reason_time *r = realloc(v->by_reason, (v->nreasons + 1) * sizeof(*r));
	if (!r) {
		model->oom = 1;
		return;
	}
	v->by_reason = r;
	v->by_reason[v->nreasons++] = (struct vt_reason_time){reason, ns};
}

void vt_exits_userspace(struct vt_vcpu_model *v, uint32_t code)
{
	v->userspace_exits++;
	v->userspace_by_reason[code < VT_USERSPACE_REASONS ? code : VT_USERSPACE_REASONS - 1]++;
}

/* A window restarts: the exits before it are no part of it (their arrays stay, reused). */
void vt_exits_forget(struct vt_vcpu_model *v)
{
	v->nreasons = v->nexits = 0;
	v->userspace_exits = 0;
	memset(v->userspace_by_reason, 0, sizeof(v->userspace_by_reason));
}
