/* truth.json, written as a stream (it can hold millions of intervals). */
#include "sim/truth.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/text.h"

const char *const vt_sim_state_names[VS_COUNT] = {"IDLE", "GUEST", "HYPERVISOR", "PREEMPTED",
					       "RUNNABLE", "SLEEPING"};
const char *const vt_sim_event_names[EVID_COUNT] = {
	"lttng_statedump_process_state", "irq_handler_exit", "irq_handler_entry", "net_if_receive_skb",
	"net_dev_queue", "softirq_entry", "softirq_exit", "kvm_x86_hypercall", "kvm_x86_exit",
	"kvm_x86_entry", "sched_process_exit", "sched_process_fork", "sched_wakeup", "sched_switch",
	"vmsync_gh_guest", "vmsync_hg_guest", "vmsync_gh_host", "vmsync_hg_host", "kvm_userspace_exit",
	"kvm_x86_pio", "kvm_x86_msr", "kvm_x86_inj_virq", "timer_hrtimer_expire_entry",
};
const char *const vt_sim_ust_event_names[UST_COUNT] = {
	"vmtrace:machine", "vmtrace:statedump_begin", "vmtrace:guest", "vmtrace:guest_vcpu",
	"vmtrace:statedump_end", "vmtrace:guest_created", "vmtrace:guest_destroyed", "vmtrace:vcpu_books",
	"vmtrace:vm_books",
};

/* The normalized kind (vmtrace/event.h) of each kernel and agent event. */
static const enum vt_kind evid_kind[EVID_COUNT] = {
	[EVID_STATEDUMP] = VT_STATEDUMP_PROCESS, [EVID_IRQ_EXIT] = VT_IRQ_EXIT,
	[EVID_IRQ_ENTRY] = VT_IRQ_ENTRY, [EVID_NET_RX] = VT_NET_RECV, [EVID_NET_TX] = VT_NET_SEND,
	[EVID_SOFTIRQ_ENTRY] = VT_SOFTIRQ_ENTRY, [EVID_SOFTIRQ_EXIT] = VT_SOFTIRQ_EXIT,
	[EVID_HYPERCALL] = VT_KVM_HYPERCALL, [EVID_KVM_EXIT] = VT_KVM_EXIT, [EVID_KVM_ENTRY] = VT_KVM_ENTRY,
	[EVID_PROC_EXIT] = VT_PROCESS_EXIT, [EVID_PROC_FORK] = VT_PROCESS_FORK,
	[EVID_WAKEUP] = VT_SCHED_WAKEUP, [EVID_SWITCH] = VT_SCHED_SWITCH,
	[EVID_VMSYNC_GH_GUEST] = VT_VMSYNC_GH_GUEST, [EVID_VMSYNC_HG_GUEST] = VT_VMSYNC_HG_GUEST,
	[EVID_VMSYNC_GH_HOST] = VT_VMSYNC_GH_HOST, [EVID_VMSYNC_HG_HOST] = VT_VMSYNC_HG_HOST,
	[EVID_USERSPACE_EXIT] = VT_KVM_USERSPACE_EXIT,
	[EVID_PIO] = VT_OTHER, [EVID_MSR] = VT_OTHER, [EVID_INJ_VIRQ] = VT_OTHER,
	[EVID_TIMER_EXPIRE] = VT_TIMER_EXPIRE,
};
static const enum vt_kind ust_kind[UST_COUNT] = {
	[UST_MACHINE] = VT_MACHINE_ID, [UST_STATEDUMP_BEGIN] = VT_STATEDUMP_BEGIN,
	[UST_GUEST] = VT_GUEST_DUMP, [UST_GUEST_VCPU] = VT_GUEST_VCPU,
	[UST_STATEDUMP_END] = VT_STATEDUMP_END, [UST_GUEST_CREATED] = VT_GUEST_CREATED,
	[UST_GUEST_DESTROYED] = VT_GUEST_DESTROYED, [UST_VCPU_BOOKS] = VT_VCPU_BOOKS, [UST_VM_BOOKS] = VT_VM_BOOKS,
	[UST_PING_OUT] = VT_PING_OUT, [UST_PING_BACK] = VT_PING_BACK,
};

/* Counts per normalized kind over all the machine's traces. */
static void kind_counts(FILE *f, const struct machine *m)
{
	uint64_t per[VT_KIND_COUNT] = {0};
	for (int i = 0; i < EVID_COUNT; i++)
		per[evid_kind[i]] += m->counts[i];
	for (int i = 0; i < UST_COUNT; i++)
		per[ust_kind[i]] += m->ust_counts[i];
	fprintf(f, "{");
	int first = 1;
	for (int k = 0; k < VT_KIND_COUNT; k++)
		if (per[k]) {
			fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ", vt_kind_name((enum vt_kind)k), per[k]);
			first = 0;
		}
	fprintf(f, "}");
}

static void counts(FILE *f, const uint64_t *c, const char *const *names, int n)
{
	uint64_t total = 0;
	fprintf(f, "{");
	int first = 1;
	for (int i = 0; i < n; i++) {
		total += c[i];
		if (!c[i])
			continue;
		fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ", names[i], c[i]);
		first = 0;
	}
	fprintf(f, "}, \"events\": %" PRIu64, total);
}

static void totals(FILE *f, const struct acct *a, int nstates)
{
	fprintf(f, "{");
	for (int i = 0; i < nstates; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", vt_sim_state_names[i], a->total[i]);
	fprintf(f, "}");
}

/* `"key": "value"`: names come from the scenario; written escaped whatever they hold. */
static void str_member(FILE *f, const char *key, const char *value)
{
	fprintf(f, "\"%s\": ", key);
	vt_json_write(f, value, 0);
}

static const char *holder_name(const struct sim *s, uint32_t index)
{
	return index < s->nhthreads ? s->hthreads[index]->comm : "swapper";
}

static void intervals(FILE *f, const struct sim *s, const struct acct *a, int vcpu)
{
	if (!s->sc->truth_intervals)
		return;
	fprintf(f, ",\n      \"intervals_dropped\": %" PRIu64 ",\n      \"intervals\": [", a->dropped_iv);
	for (uint64_t i = 0; i < a->niv; i++) {
		const struct interval *iv = &a->iv[i];
		fprintf(f, "%s\n        [%" PRIu64 ", %" PRIu64 ", \"%s\"", i ? "," : "", iv->start, iv->end,
			vt_sim_state_names[iv->state]);
		if (iv->state == VS_HYPERVISOR)
			fprintf(f, ", %u", vt_sim_exit_code(s, iv->detail));
		else if (iv->state == VS_PREEMPTED && vcpu)
			fprintf(f, ", %d", iv->detail < s->nhthreads ? s->hthreads[iv->detail]->tid : 0);
		fprintf(f, "]");
	}
	fprintf(f, "]");
}

static void machine(FILE *f, const struct sim *s, const struct machine *m)
{
	fputs("    {", f);
	str_member(f, "name", m->name);
	fprintf(f, ", \"role\": \"%s\", ", m->guest ? "guest" : "host");
	str_member(f, "hostname", m->hostname);
	fputs(", ", f);
	str_member(f, "product_uuid", m->uuid);
	fputs(",\n", f);
	fprintf(f, "     \"clock\": {\"name\": \"monotonic\", \"uuid\": \"%s\", \"offset_ns\": %" PRIu64 "},\n",
		m->clock_uuid, m->clock_offset_ns);
	if (m->guest) {
		/* Linear part of the clock: guest = host + offset + drift*(host - t0). */
		const struct sc_clock *k = &m->guest->sc->clock;
		static const char *const modes[] = {"none", "ntp", "ptp"};
		uint64_t g0 = s->t0 + (uint64_t)(int64_t)llround(m->offset_ns);
		double slope = 1.0 / (1.0 + m->drift);
		fprintf(f,
			"     \"to_host\": {\"mode\": \"%s\", \"slope\": %.17g, \"offset_ns\": %.17g, "
			"\"guest_ref_ns\": %" PRIu64 ", \"host_ref_ns\": %" PRIu64 ", \"drift_ppm\": %.9g, "
			"\"max_wander_ns\": %.9g},\n",
			modes[k->mode], slope, (double)s->t0 - slope * (double)g0, g0, s->t0,
			k->drift_ppm, m->jitter_ns);
		/* The exact clock: linear between these points (host ns, guest ns). */
		fprintf(f, "     \"clock_knots\": [");
		uint64_t period = m->jitter_ns > 0 ? m->wander_period : s->t_end - s->t0;
		for (uint64_t t = s->t0, n = 0;; t += period, n++) {
			fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", n ? ", " : "", t, vt_sim_machine_epoch_ns(s, m, t));
			if (t >= s->t_end)
				break;
		}
		fprintf(f, "],\n");
	} else {
		fprintf(f, "     \"to_host\": {\"mode\": \"reference\", \"slope\": 1, \"offset_ns\": 0, "
			   "\"guest_ref_ns\": %" PRIu64 ", \"host_ref_ns\": %" PRIu64 ", \"drift_ppm\": 0, "
			   "\"max_wander_ns\": 0},\n",
			s->t0, s->t0);
	}
	fprintf(f, "     \"kind_counts\": ");
	kind_counts(f, m);
	char path[sizeof(m->name) + 32];
	snprintf(path, sizeof(path), "%s/kernel", m->name);
	fputs(",\n     \"traces\": [\n       {", f);
	str_member(f, "path", path);
	fputs(", \"domain\": \"kernel\", \"event_counts\": ", f);
	counts(f, m->counts, vt_sim_event_names, EVID_COUNT);
	fprintf(f, "}");
	if (s->sc->agent) {
		snprintf(path, sizeof(path), "%s/ust/uid/0/64-bit", m->name);
		fputs(",\n       {", f);
		str_member(f, "path", path);
		fputs(", \"domain\": \"ust\", \"event_counts\": ", f);
		counts(f, m->ust_counts, vt_sim_ust_event_names, UST_COUNT);
		fprintf(f, "}");
	}
	fprintf(f, "]}");
}

/* A time as the window sees it: not before the snapshot's start. */
static uint64_t clip(const struct sim *s, uint64_t t)
{
	return t < s->t_snap ? s->t_snap : t;
}

static void guest(FILE *f, const struct sim *s, const struct guest *g)
{
	/* Its guest threads exist while the guest runs. */
	uint64_t run_start = g->life == G_UNBORN ? s->t_end : clip(s, g->vcpus[0].alive_start);
	uint64_t run_end = g->life == G_UNBORN ? s->t_end : clip(s, g->stop_t < s->t_end ? g->stop_t : s->t_end);
	fputs("    {", f);
	str_member(f, "name", g->sc->name);
	fprintf(f, ", \"machine\": %u, ", g->index);
	str_member(f, "uuid", g->sc->uuid);
	fprintf(f, ", \"qemu_pid\": %d, "
		   "\"vm_uid\": %" PRIu64 ",\n     \"start_ns\": %" PRIu64 ", \"stop_ns\": %" PRIu64
		   ", \"end_ns\": %" PRIu64 ", \"vcpus\": [\n",
		(int)g->pid, g->vm_uid, run_start, run_end, g->life == G_UNBORN ? s->t_end : clip(s, g->end_t));
	for (uint32_t i = 0; i < g->sc->vcpus; i++) {
		const struct vcpu *v = &g->vcpus[i];
		fprintf(f, "     {\"vcpu\": %u, \"tid\": %d, ", i, (int)v->th->tid);
		str_member(f, "thread_name", v->th->comm);
		fprintf(f, ", \"start_ns\": %" PRIu64 ", \"end_ns\": %" PRIu64 ",\n      \"totals\": ", clip(s, v->alive_start),
			clip(s, v->alive_end));
		totals(f, &v->acct, 4);
		if (s->sc->tick_events)
			fprintf(f, ",\n      \"ticks_in_guest\": %" PRIu64, v->ticks_in_guest);
		/* keyed by the code the trace shows (SVM codes merge some VMX reasons) */
		fprintf(f, ",\n      \"hypervisor_by_reason\": {");
		int first = 1;
		for (int r = 0; r < N_REASONS; r++) {
			uint32_t code = vt_sim_exit_code(s, (uint32_t)r);
			uint64_t ns = 0;
			int seen_before = 0;
			for (int q = 0; q < r; q++)
				seen_before |= v->hv_by_reason[q] && vt_sim_exit_code(s, (uint32_t)q) == code;
			for (int q = r; q < N_REASONS; q++)
				if (vt_sim_exit_code(s, (uint32_t)q) == code)
					ns += v->hv_by_reason[q];
			if (v->hv_by_reason[r] && !seen_before) {
				fprintf(f, "%s\"%u\": %" PRIu64, first ? "" : ", ", code, ns);
				first = 0;
			}
		}
		fprintf(f, "},\n      \"preempted_by\": [");
		first = 1;
		for (uint32_t h = 0; h <= s->nhthreads; h++)
			if (v->preempted_by[h]) {
				fprintf(f, "%s{\"tid\": %d, ", first ? "" : ", ",
					h < s->nhthreads ? (int)s->hthreads[h]->tid : 0);
				str_member(f, "name", holder_name(s, h));
				fprintf(f, ", \"ns\": %" PRIu64 "}", v->preempted_by[h]);
				first = 0;
			}
		fprintf(f, "]");
		intervals(f, s, &v->acct, 1);
		fprintf(f, "}%s\n", i + 1 < g->sc->vcpus ? "," : "");
	}
	fprintf(f, "    ],\n    \"threads\": [\n");
	for (uint32_t k = 0; k < g->nthreads; k++) {
		const struct gthread *gt = &g->threads[k];
		fprintf(f, "     {\"tid\": %d, ", (int)gt->tid);
		str_member(f, "name", gt->comm);
		fprintf(f, ", \"vcpu\": %u, \"start_ns\": %" PRIu64 ", \"end_ns\": %" PRIu64 ", \"totals\": ",
			gt->v->index, run_start, run_end);
		totals(f, &gt->acct, VS_COUNT);
		intervals(f, s, &gt->acct, 0);
		fprintf(f, "}%s\n", k + 1 < g->nthreads ? "," : "");
	}
	fprintf(f, "    ]}");
}

/* What the scenario is built to show: {id, guest, machine, thread, tid}, the
 * thread's tid resolved by name among the host's threads. */
static void findings(FILE *f, const struct sim *s)
{
	for (uint32_t i = 0; i < s->sc->nfindings; i++) {
		const struct sc_finding *x = &s->sc->findings[i];
		fprintf(f, "%s\n    {", i ? "," : "");
		str_member(f, "id", x->id);
		int machine = -1;
		for (uint32_t k = 1; x->guest[0] && k < s->nmachines; k++)
			if (!strcmp(s->machines[k].name, x->guest))
				machine = (int)k;
		if (machine >= 0) {
			fputs(", ", f);
			str_member(f, "guest", x->guest);
			fprintf(f, ", \"machine\": %d", machine);
		} else {
			fputs(", \"guest\": null, \"machine\": null", f);
		}
		int32_t tid = -1;
		for (uint32_t k = 0; x->thread[0] && k < s->nhthreads; k++)
			if (!strcmp(s->hthreads[k]->comm, x->thread))
				tid = s->hthreads[k]->tid;
		if (tid >= 0) {
			fputs(", ", f);
			str_member(f, "thread", x->thread);
			fprintf(f, ", \"tid\": %d}", (int)tid);
		} else {
			fputs(", \"thread\": null, \"tid\": null}", f);
		}
	}
	if (s->sc->nfindings)
		fputs("\n  ", f);
}

int vt_sim_write_truth(const struct sim *s, const char *outdir, struct vt_error *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/truth.json", outdir);
	FILE *f = fopen(path, "w");
	if (!f)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	fprintf(f, "{\n  \"format\": \"vmtrace-sim-truth\", \"version\": 1,\n");
	fputs("  ", f);
	str_member(f, "scenario", s->sc->name);
	fprintf(f, ", \"seed\": %" PRIu64 ",\n", s->opt->has_seed ? s->opt->seed : s->sc->seed);
	/* A snapshot's truth is its window's: start_ns is where the window opens. */
	fprintf(f, "  \"start_ns\": %" PRIu64 ", \"end_ns\": %" PRIu64 ", \"duration_ns\": %" PRIu64 ",\n",
		s->t_snap, s->t_end, s->t_end - s->t_snap);
	fprintf(f, "  \"run_start_ns\": %" PRIu64 ", \"snapshot\": %s,\n", s->t0, s->t_snap > s->t0 ? "true" : "false");
	if (s->sc->tick_events) /* the kernel's guest_time adds a tick period a tick */
		fprintf(f, "  \"tick_ns\": %" PRIu64 ", \"tick_function\": \"0x%llx\",\n", s->sc->timeslice_ns,
			(unsigned long long)SIM_TICK_FUNCTION);
	fprintf(f, "  \"events\": %" PRIu64 ",\n  \"machines\": [\n", s->events);
	for (uint32_t i = 0; i < s->nmachines; i++) {
		machine(f, s, &s->machines[i]);
		fprintf(f, "%s\n", i + 1 < s->nmachines ? "," : "");
	}
	fprintf(f, "  ],\n  \"host_threads\": [\n");
	for (uint32_t i = 0; i < s->nhthreads; i++) {
		static const char *const roles[] = {"hog", "periodic", "io", "vcpu", "qemu", "sender", "spawner"};
		const struct hthread *th = s->hthreads[i];
		fprintf(f, "    {\"tid\": %d, \"pid\": %d, ", (int)th->tid, (int)th->pid);
		str_member(f, "name", th->comm);
		fprintf(f,
			", \"role\": \"%s\", \"totals\": {\"RUNNING\": %" PRIu64
			", \"RUNNABLE\": %" PRIu64 ", \"SLEEPING\": %" PRIu64 ", \"ABSENT\": %" PRIu64 "}}%s\n",
			roles[th->role], th->total[HS_RUNNING],
			th->total[HS_RUNNABLE], th->total[HS_SLEEPING], th->total[HS_ABSENT],
			i + 1 < s->nhthreads ? "," : "");
	}
	fprintf(f, "  ],\n  \"guests\": [\n");
	for (uint32_t i = 0; i < s->nguests; i++) {
		guest(f, s, &s->guests[i]);
		fprintf(f, "%s\n", i + 1 < s->nguests ? "," : "");
	}
	fprintf(f, "  ],\n  \"network\": {\"messages_sent\": %" PRIu64 ", \"messages_received\": %" PRIu64
		   ", \"flows\": [",
		s->msg_ids - s->snap_msg_ids, s->delivered - s->snap_delivered);
	for (uint32_t i = 0; i < s->nflows; i++) {
		const struct flow *fl = &s->flows[i];
		fprintf(f, "%s\n    {", i ? "," : "");
		str_member(f, "from", s->machines[fl->sc->from].name);
		fputs(", ", f);
		str_member(f, "to", s->machines[fl->sc->to].name);
		fprintf(f, ", \"messages\": %u}", fl->count - fl->snap_count);
	}
	fprintf(f, "]},\n  \"findings\": [");
	findings(f, s);
	fprintf(f, "]\n}\n");
	if (ferror(f) | (fclose(f) != 0))
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}
