/* The kernel's books into the trace (issue 21): each vCPU thread's schedstat
 * and guest_time and each VM's KVM counters, as agent events. The analysis
 * takes a thread's first and last books in a trace as the two reads whose
 * difference its own figures must meet, so a snapshot holding any two dumps
 * is checked as a whole recording is. */
#include "agent/agent.h"
#include "vmtrace/event.h"

#include <stdlib.h>
#include <time.h>

#include "agent/kacct.h"

static int64_t mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint64_t age(int64_t read_ns)
{
	int64_t now = mono_now();
	return read_ns > 0 && now > read_ns ? (uint64_t)(now - read_ns) : 0;
}

static uint64_t counter(const struct vt_kacct_counters *c, const char *name)
{
	uint64_t v;
	return vt_kacct_get(c, name, &v) == 0 ? v : VT_BOOKS_UNKNOWN;
}

uint64_t vt_agent_tick_function(const struct vt_agent_paths *paths)
{
	uint64_t addr;
	return vt_kacct_symbol(paths, "tick_sched_timer", &addr) == 0 ? addr : 0;
}

/* One guest: its threads' books, then its VM's. */
static int emit_guest(const struct vt_agent_sink *sinks, size_t n, const struct vt_agent_paths *paths,
		      const struct vt_guest_info *g, uint64_t tick_function)
{
	size_t nv = g->nvcpu, written = 0;
	uint32_t *idx = calloc(nv ? nv : 1, sizeof(*idx));
	int32_t *tid = calloc(nv ? nv : 1, sizeof(*tid));
	struct vt_kacct_guest k;
	int rc = -1;
	if (!idx || !tid)
		goto out;
	for (size_t v = 0; v < nv; v++) {
		idx[v] = g->vcpu[v].vcpu;
		tid[v] = g->vcpu[v].tid;
	}
	if (vt_kacct_read_guest(paths, g->pid, idx, tid, nv, &k) < 0) {
		vt_kacct_guest_free(&k);
		goto out;
	}
	for (size_t i = 0; i < k.nthreads; i++) {
		const struct vt_kacct_thread *t = &k.threads[i];
		if (!t->has_sched && !t->has_guest_time)
			continue; /* an unknown thread, or one that is gone */
		struct vt_vcpu_books b = {
			.pid = g->pid,
			.vcpu = t->vcpu,
			.tid = t->tid,
			.age_ns = age(t->mono_ns),
			.run_ns = t->has_sched ? t->run_ns : VT_BOOKS_UNKNOWN,
			.wait_ns = t->has_sched ? t->wait_ns : VT_BOOKS_UNKNOWN,
			.timeslices = t->has_sched ? t->timeslices : VT_BOOKS_UNKNOWN,
			.guest_ticks = t->has_guest_time ? t->guest_ticks : VT_BOOKS_UNKNOWN,
			.clk_tck = k.clk_tck > 0 && k.clk_tck < 1000000 ? (uint32_t)k.clk_tck : 0,
		};
		for (size_t s = 0; s < n; s++)
			if (sinks[s].vcpu_books)
				sinks[s].vcpu_books(sinks[s].ctx, &b);
		written++;
	}
	if (k.mono_ns > 0) {
		struct vt_vm_books b = {
			.pid = g->pid,
			.age_ns = age(k.mono_ns),
			.exits = counter(&k.vm, "exits"),
			.io_exits = counter(&k.vm, "io_exits"),
			.mmio_exits = counter(&k.vm, "mmio_exits"),
			.signal_exits = counter(&k.vm, "signal_exits"),
			.halt_exits = counter(&k.vm, "halt_exits"),
			.irq_exits = counter(&k.vm, "irq_exits"),
			.tick_function = tick_function,
		};
		for (size_t s = 0; s < n; s++)
			if (sinks[s].vm_books)
				sinks[s].vm_books(sinks[s].ctx, &b);
	}
	vt_kacct_guest_free(&k);
	rc = (int)written;
out:
	free(idx);
	free(tid);
	return rc;
}

int vt_agent_emit_books(const struct vt_agent_sink *sinks, size_t n, const struct vt_agent_paths *paths,
			const struct vt_guest_list *l, uint64_t tick_function)
{
	int total = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct vt_guest_info *g = &l->guests[i];
		if (!vt_guest_is_kvm(g) || g->gone)
			continue;
		int w = emit_guest(sinks, n, paths, g, tick_function);
		if (w < 0)
			return -1;
		total += w;
	}
	return total;
}
