/* vmtrace analyze: where every guest's vCPU time went, for a person (text) or
 * a program (--json); the pipeline itself is analysis.c. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sort.h"
#include "analysis.h"
#include "commands.h"
#include "vmtrace/analyses.h"
#include "inputs.h"
#include "progress.h"
#include "shown.h"
#include "vmtrace/model.h"
#include "vmtrace/report.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace analyze [--method M] [--json [--timeline]] [--html FILE] [--guest UUID=PID]...\n"
		     "                       [--finding-threshold NAME=VALUE]... [PATH...]\n\n"
		     "Identifies the machines, synchronizes their clocks, and reports per guest and\n"
		     "per vCPU where the time went: running guest code, in the hypervisor (by exit\n"
		     "reason), preempted on the host (by which thread), idle; first, findings: what\n"
		     "the figures mean (a noisy neighbour, overcommit, no nested paging...), with the\n"
		     "evidence and what to try. With no PATH, simulates\n"
		     "the bundled example (two guests on a contended host) and analyzes it.\n\n"
		     "  --method M        clock synchronization, as for vmtrace sync (default auto)\n"
		     "  --json            one JSON document (docs/json.md)\n"
		     "  --timeline        with --json: every vCPU's intervals [start, end, STATE, detail]\n"
		     "  --html FILE       also write a self-contained HTML report: summary, zoomable\n"
		     "                    timeline of pCPUs, vCPUs and guest threads, tables (docs/reports.md)\n"
		     "  --guest UUID=PID  the guest with this DMI uuid runs in QEMU process PID\n"
		     "  --finding-threshold NAME=VALUE\n"
		     "                    change a rule's threshold (docs/findings.md); 'list' lists\n"
		     "                    them with their defaults\n"
		     VT_WINDOW_HELP
		     "                          (the host's time; +: from its first event; the states at\n"
		     "                          --begin come from the events before it)\n"
		     VT_READER_HELP
		     "  -h, --help        this help\n");
}

/* The thresholds, for --finding-threshold list. */
static void print_thresholds(void)
{
	printf("%-26s %10s  meaning\n", "NAME", "DEFAULT");
	for (int t = 0; t < VT_TH_COUNT; t++)
		printf("%-26s %10g  %s\n", vt_threshold_name((enum vt_threshold)t), vt_threshold_default((enum vt_threshold)t),
		       vt_threshold_doc((enum vt_threshold)t));
}

/* Findings first: what the figures mean, each with its evidence, the
 * thresholds it crossed, its time range (from the first event) and what to try. */
static void print_findings(const struct vt_analysis *a)
{
	const struct vt_findings *fs = &a->findings;
	uint64_t t0 = a->model->first_ns;
	if (!fs->count) {
		printf("findings: none (no rule's threshold was crossed; vmtrace analyze --finding-threshold list)\n\n");
		return;
	}
	printf("findings, most severe first\n");
	for (size_t i = 0; i < fs->count; i++) {
		const struct vt_finding *f = &fs->items[i];
		printf("  [%s] %s: %s\n", vt_severity_name(f->severity), f->id, vt_shown(f->summary));
		printf("      evidence:");
		for (size_t k = 0; k < f->nfigures; k++) {
			if (f->figures[k].integer)
				printf(" %s %.0f%s", f->figures[k].key, f->figures[k].value, k + 1 < f->nfigures ? "," : "");
			else
				printf(" %s %.3g%s", f->figures[k].key, f->figures[k].value, k + 1 < f->nfigures ? "," : "");
		}
		printf("\n      thresholds:");
		for (size_t k = 0; k < f->nthresholds; k++)
			printf(" %s=%g%s", vt_threshold_name(f->thresholds[k].which), f->thresholds[k].value,
			       k + 1 < f->nthresholds ? "," : "");
		printf("\n      when: +%.6f s to +%.6f s\n", f->start_ns > t0 ? (double)(f->start_ns - t0) / 1e9 : 0,
		       f->end_ns > t0 ? (double)(f->end_ns - t0) / 1e9 : 0);
		printf("      what it means: %s\n", vt_shown(f->meaning));
		printf("      what to try: %s\n", vt_shown(f->advice));
	}
	printf("\n");
}

static int cmp_holder(const void *a, const void *b)
{
	const struct vt_holder_time *x = a, *y = b;
	return (x->ns < y->ns) - (x->ns > y->ns);
}

static int cmp_reason(const void *a, const void *b)
{
	const struct vt_reason_time *x = a, *y = b;
	return (x->ns < y->ns) - (x->ns > y->ns);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}


/* "QEMU 2205", or "QEMU pid unknown" when no event named the process. */
static const char *qemu_label(int64_t pid, char *buf, size_t size)
{
	if (pid > 0)
		snprintf(buf, size, "QEMU %lld", (long long)pid);
	else
		snprintf(buf, size, "QEMU pid unknown");
	return buf;
}

static int cmp_vcpu(const void *a, const void *b)
{
	const struct vt_vcpu_model *x = a, *y = b;
	if (x->qemu_pid != y->qemu_pid)
		return x->qemu_pid < y->qemu_pid ? -1 : 1;
	if (x->guest != y->guest) /* pids unknown: by machine */
		return x->guest < y->guest ? -1 : 1;
	return (x->vcpu > y->vcpu) - (x->vcpu < y->vcpu);
}

/* A holder that is another guest's vCPU is named as such. */
static void holder_name(const struct vt_machines *m, const struct vt_model *model, const struct vt_holder_time *h,
			char *buf, size_t size)
{
	const struct vt_vcpu_model *v = vt_model_vcpu_by_tid(model, h->tid);
	if (v)
		snprintf(buf, size, "%s vCPU %u", vt_analysis_guest_name(m, v->guest), v->vcpu);
	else if (h->tid > 0)
		snprintf(buf, size, "%s (tid %d)", h->comm, h->tid);
	else
		snprintf(buf, size, h->tid ? "unknown" : "idle pCPU");
}

/* ": guest 59.8%, hypervisor 3.5%, ..." of a vCPU's (or a guest's vCPUs') time. */
static void print_shares(const char *guest_word, const uint64_t totals[VT_VCPU_STATE_COUNT], uint64_t all)
{
	printf(": %s %.1f%%, hypervisor %.1f%%, preempted %.1f%%, idle %.1f%%", guest_word,
	       pct(totals[VT_VCPU_GUEST], all), pct(totals[VT_VCPU_HYPERVISOR], all), pct(totals[VT_VCPU_PREEMPTED], all),
	       pct(totals[VT_VCPU_IDLE], all));
	if (totals[VT_VCPU_UNKNOWN])
		printf(", unknown %.1f%%", pct(totals[VT_VCPU_UNKNOWN], all));
	printf("\n");
}

/* The three largest holders (sorted by the caller), as shares of all. */
static void print_holders(const char *label, const struct vt_machines *m, const struct vt_model *model,
			  const struct vt_holder_time *h, size_t n, uint64_t all)
{
	if (!n)
		return;
	printf("    %s:", label);
	for (size_t k = 0; k < n && k < 3; k++) {
		char name[96];
		holder_name(m, model, &h[k], name, sizeof(name));
		printf(" %s %.1f%%%s", vt_shown(name), pct(h[k].ns, all), k + 1 < n && k < 2 ? "," : "");
	}
	printf("\n");
}

/* The three exit reasons with most hypervisor time (sorted by the caller), by name. */
static void print_reasons(const char *label, uint32_t isa, const struct vt_reason_time *r, size_t n, uint64_t all)
{
	if (!n)
		return;
	printf("    %s:", label);
	for (size_t k = 0; k < n && k < 3; k++) {
		char buf[32];
		printf(" %s %.1f%%%s", vt_exit_reason_name(isa, r[k].reason, buf, sizeof(buf)), pct(r[k].ns, all),
		       k + 1 < n && k < 2 ? "," : "");
	}
	printf("\n");
}

/* Per guest, its vCPUs together: where the time went, who took it. */
static void print_guests(const struct vt_machines *m, const struct vt_model *model)
{
	struct vt_guest_summary *gs;
	size_t ng = vt_guest_summaries(model, &gs);
	for (size_t i = 0; i < ng; i++) {
		const struct vt_guest_summary *g = &gs[i];
		uint64_t all = g->observed_ns;
		char q[40];
		printf("%s (%s, %zu vCPU%s)", vt_shown(vt_analysis_guest_name(m, g->guest)),
		       qemu_label(g->qemu_pid, q, sizeof(q)), g->nvcpus, g->nvcpus == 1 ? "" : "s");
		print_shares("guest code", g->totals, all);
		print_holders("worst offenders", m, model, g->preemptors, g->npreemptors, all);
		if (g->userspace_exits) {
			printf("    exits to QEMU (kvm_userspace_exit): %llu", (unsigned long long)g->userspace_exits);
			const char *sep = " (";
			for (uint32_t r = 0; r < VT_USERSPACE_REASONS; r++)
				if (g->userspace_by_reason[r]) {
					char buf[32];
					printf("%s%s %llu", sep, vt_userspace_exit_label(r, buf, sizeof(buf)),
					       (unsigned long long)g->userspace_by_reason[r]);
					sep = ", ";
				}
			printf("%s\n", *sep == ',' ? ")" : "");
		}
		print_reasons("hypervisor time by exit reason", g->isa, g->reasons, g->nreasons, all);
	}
	vt_guest_summaries_free(gs, ng);
}

static void print_text(const struct vt_machines *m, struct vt_model *model)
{
	vt_qsort(model->vcpus, model->nvcpus, sizeof(*model->vcpus), cmp_vcpu);
	if (model->host < 0) {
		printf("no host trace among the inputs (one with kvm events): the host's view is missing, so the\n"
		       "guests' vCPU time cannot be split into guest code, hypervisor and preemption. Trace the\n"
		       "host too. From the guests' own traces, %.3f s observed:\n",
		       (double)(model->last_ns - model->first_ns) / 1e9);
		return;
	}
	printf("vCPU time on host %s, %.3f s observed\n\n",
	       vt_shown(m->machines[model->host].hostname ? m->machines[model->host].hostname : m->machines[model->host].key),
	       (double)(model->last_ns - model->first_ns) / 1e9);
	print_guests(m, model);
	printf("\nper vCPU\n");
	for (size_t i = 0; i < model->nvcpus; i++) {
		struct vt_vcpu_model *v = &model->vcpus[i];
		uint64_t all = v->end_ns - v->start_ns;
		char q[40];
		printf("%s (%s) vCPU %u (tid %d)", vt_shown(vt_analysis_guest_name(m, v->guest)),
		       qemu_label(v->qemu_pid, q, sizeof(q)), v->vcpu, v->tid);
		print_shares("guest", v->totals, all);
		vt_qsort(v->by_holder, v->nholders, sizeof(*v->by_holder), cmp_holder);
		vt_qsort(v->by_reason, v->nreasons, sizeof(*v->by_reason), cmp_reason);
		print_holders("preempted by", m, model, v->by_holder, v->nholders, all);
		print_reasons("hypervisor by exit reason", v->isa, v->by_reason, v->nreasons, all);
	}
}

static void print_exits(const struct vt_machines *m, const struct vt_model *model)
{
	if (model->host < 0)
		return; /* exits are the host's events */
	struct vt_guest_summary *gs;
	size_t ng = vt_guest_summaries(model, &gs);
	for (size_t i = 0; i < ng; i++) {
		const struct vt_exit_stats *e = gs[i].exits;
		char q[40];
		printf("\nexits of %s (%s), like perf kvm stat: exit to next entry\n",
		       vt_shown(vt_analysis_guest_name(m, gs[i].guest)), qemu_label(gs[i].qemu_pid, q, sizeof(q)));
		printf("  %-20s %10s %12s %10s %10s %10s\n", "reason", "count", "total us", "p50 us", "p99 us", "max us");
		char buf[32];
		for (size_t k = 0; k < gs[i].nexits && k < 8; k++)
			printf("  %-20s %10llu %12.1f %10.2f %10.2f %10.2f\n",
			       vt_exit_reason_name(gs[i].isa, e[k].reason, buf, sizeof(buf)),
			       (unsigned long long)e[k].count, (double)e[k].total_ns / 1e3,
			       (double)vt_exit_stats_quantile(&e[k], 0.5) / 1e3,
			       (double)vt_exit_stats_quantile(&e[k], 0.99) / 1e3, (double)e[k].max_ns / 1e3);
	}
	vt_guest_summaries_free(gs, ng);
}

static int cmp_share(const void *a, const void *b)
{
	const struct vt_cpu_share *x = a, *y = b;
	return (x->ns < y->ns) - (x->ns > y->ns);
}

static void share_name(const struct vt_machines *m, const struct vt_model *model, const struct vt_cpu_share *sh,
		       char *buf, size_t size)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == sh->tid) {
			snprintf(buf, size, "%s vCPU %u %s", vt_analysis_guest_name(m, model->vcpus[i].guest), model->vcpus[i].vcpu,
				 sh->guest_mode ? "(guest code)" : "(hypervisor)");
			return;
		}
	snprintf(buf, size, sh->tid ? "%s (tid %d)" : "idle", sh->comm, sh->tid);
}

/* The fused per-pCPU view: who held each pCPU. */
static void print_cpus(const struct vt_machines *m, struct vt_model *model)
{
	if (model->host < 0)
		return;
	uint64_t span = model->last_ns - model->first_ns;
	printf("\npCPUs (host threads, and guests in guest code or in the hypervisor)\n");
	for (size_t c = 0; c < model->ncpus; c++) {
		struct vt_cpu_model *cm = &model->cpus[c];
		vt_qsort(cm->shares, cm->nshares, sizeof(*cm->shares), cmp_share);
		printf("  pCPU %zu:", c);
		for (size_t k = 0; k < cm->nshares && k < 4; k++) {
			char name[128];
			share_name(m, model, &cm->shares[k], name, sizeof(name));
			printf(" %s %.1f%%%s", vt_shown(name), pct(cm->shares[k].ns, span), k + 1 < cm->nshares && k < 3 ? "," : "");
		}
		printf("\n");
	}
}


/* What the figures cannot show, and which figures it affects. */
static void print_caveats(const struct vt_machines *m, const struct vt_model *model, const struct vt_inputs *in,
			  const struct vt_sync_result *r)
{
	int any = 0;
	for (size_t t = 0; t < in->ntraces; t++) {
		const struct vt_trace_info *info = in->traces[t];
		if (!info->discarded_events && !info->discarded_packets)
			continue;
		const struct vt_machine *mm = &m->machines[m->trace_machine[t]];
		printf("%s  %s lost %llu events (%llu packets): %s\n", any++ ? "" : "\nwhat is missing\n", vt_shown(info->path),
		       (unsigned long long)info->discarded_events, (unsigned long long)info->discarded_packets,
		       mm->role == VT_ROLE_HOST ? "vCPU states and preemption around the losses are approximate"
						: "that guest's thread figures around the losses are approximate");
	}
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		if (v->guest >= 0 || (i > 0 && model->vcpus[i - 1].qemu_pid == v->qemu_pid && model->vcpus[i - 1].guest < 0))
			continue;
		if (v->qemu_pid > 0)
			printf("%s  QEMU %lld runs a guest whose trace is not among the inputs: its vCPU states are shown, "
			       "its threads cannot be\n",
			       any++ ? "" : "\nwhat is missing\n", (long long)v->qemu_pid);
		else
			printf("%s  vCPU threads whose process no event names (no statedump, fork or pid context, as in a "
			       "snapshot) and that no guest trace was tied to: their vCPU states are shown together, "
			       "their guest and threads cannot be\n",
			       any++ ? "" : "\nwhat is missing\n");
	}
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		if (mm->role == VT_ROLE_GUEST && mm->host == model->host && mm->qemu_pid <= 0 && mm->evidence)
			printf("%s  %s: %s\n", any++ ? "" : "\nwhat is missing\n",
			       vt_shown(mm->hostname ? mm->hostname : mm->key), vt_shown(mm->evidence));
	}
	if (model->host < 0) {
		printf("%s  no host trace: vCPU states, exit statistics, preemption and the per-pCPU view need it; "
		       "threads' time on a vCPU is not split into guest code, hypervisor and preempted\n",
		       any++ ? "" : "\nwhat is missing\n");
		return;
	}
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		if (mm->role == VT_ROLE_HOST)
			continue;
		if (mm->role != VT_ROLE_GUEST || mm->host != model->host)
			printf("%s  %s: not matched to a QEMU process on this host (%s): left out\n",
			       any++ ? "" : "\nwhat is missing\n", vt_shown(mm->hostname ? mm->hostname : mm->key),
			       mm->evidence ? vt_shown(mm->evidence) : "no evidence");
		else if (r->machines[k].quality == VT_SYNC_FAIL || r->machines[k].quality == VT_SYNC_ABSENT)
			printf("%s  %s: its clock could not be placed (%s): its thread figures may be wrong\n",
			       any++ ? "" : "\nwhat is missing\n", vt_shown(mm->hostname ? mm->hostname : mm->key),
			       vt_shown(r->machines[k].why));
	}
}


static int cmp_thread(const void *a, const void *b)
{
	const struct vt_thread_model *x = a, *y = b;
	uint64_t lx = x->totals[VT_VCPU_PREEMPTED] + x->totals[VT_VCPU_HYPERVISOR];
	uint64_t ly = y->totals[VT_VCPU_PREEMPTED] + y->totals[VT_VCPU_HYPERVISOR];
	return (lx < ly) - (lx > ly);
}

static int cmp_waiting(const void *a, const void *b)
{
	const struct vt_thread_model *x = a, *y = b;
	return (x->totals[VT_THREAD_RUNNABLE] < y->totals[VT_THREAD_RUNNABLE]) -
	       (x->totals[VT_THREAD_RUNNABLE] > y->totals[VT_THREAD_RUNNABLE]);
}

/* Without the host: what each guest's own trace says, running (on a vCPU, in
 * whatever state the host held it), waiting in its run queue, sleeping. */
static void print_threads_hostless(const struct vt_machines *m, struct vt_model *model)
{
	vt_qsort(model->threads, model->nthreads, sizeof(*model->threads), cmp_waiting);
	printf("\nguest threads that waited most in their guest's run queue\n");
	for (size_t i = 0; i < model->nthreads && i < 10; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		uint64_t on_vcpu = 0, all = 0;
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			on_vcpu += t->totals[s];
		for (int s = 0; s < VT_THREAD_STATE_COUNT; s++)
			all += t->totals[s];
		printf("  %s %s (tid %d): on a vCPU %.1f%% (guest code, hypervisor or preempted: unknown without the "
		       "host), waiting %.1f%%, sleeping %.1f%%\n",
		       vt_shown(vt_analysis_guest_name(m, t->guest)), vt_shown(t->comm), t->tid, pct(on_vcpu, all),
		       pct(t->totals[VT_THREAD_RUNNABLE], all), pct(t->totals[VT_THREAD_SLEEPING], all));
	}
}

/* The threads that lost most to the host: preempted plus hypervisor time. */
static void print_threads(const struct vt_machines *m, struct vt_model *model)
{
	if (!model->nthreads) {
		printf("\nguest threads: no guest trace among the inputs (the host's view alone)\n");
		return;
	}
	if (model->host < 0) {
		print_threads_hostless(m, model);
		return;
	}
	vt_qsort(model->threads, model->nthreads, sizeof(*model->threads), cmp_thread);
	printf("\nguest threads that lost most time to the host (preempted + hypervisor, of the time they wanted to run)\n");
	for (size_t i = 0; i < model->nthreads && i < 10; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		uint64_t want = t->totals[VT_VCPU_GUEST] + t->totals[VT_VCPU_HYPERVISOR] + t->totals[VT_VCPU_PREEMPTED] +
				t->totals[VT_THREAD_RUNNABLE];
		printf("  %s %s (tid %d): ran %.1f%%, hypervisor %.1f%%, preempted %.1f%%, waiting in the guest %.1f%%\n",
		       vt_shown(vt_analysis_guest_name(m, t->guest)), vt_shown(t->comm), t->tid,
		       pct(t->totals[VT_VCPU_GUEST], want), pct(t->totals[VT_VCPU_HYPERVISOR], want),
		       pct(t->totals[VT_VCPU_PREEMPTED], want), pct(t->totals[VT_THREAD_RUNNABLE], want));
	}
}


int vt_cmd_analyze(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"method", required_argument, NULL, 'm'},
		{"guest", required_argument, NULL, 'g'},
		{"timeline", no_argument, NULL, 't'},
		{"html", required_argument, NULL, 'H'},
		{"finding-threshold", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		VT_WINDOW_OPTIONS,
		VT_READER_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int json = 0, timeline = 0, c;
	const char *html = NULL;
	struct vt_html_report *report = NULL;
	struct vt_html_table ktable = {0};
	char **kcells = NULL;
	enum vt_sync_method method = VT_SYNC_AUTO;
	struct vt_analysis a;
	if (vt_analysis_init(&a) == 0)
		a.hostless_ok = 1; /* a guest alone still shows its threads, and says what is missing */
	else {
		fprintf(stderr, "vmtrace analyze: out of memory\n");
		vt_analysis_free(&a);
		return VT_EXIT_FAIL;
	}
	int rc = VT_EXIT_USAGE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int shared = vt_sync_option("analyze", c, optarg, &a.hints, &method);
		if (!shared)
			shared = vt_window_option("analyze", c, optarg, &a.window, &a.windowed);
		if (!shared)
			shared = vt_reader_option("analyze", c, optarg, &a.reader);
		if (shared < 0)
			goto out;
		if (shared)
			continue;
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 't':
			timeline = 1;
			break;
		case 'H':
			html = optarg;
			break;
		case 'F': {
			if (!strcmp(optarg, "list")) {
				print_thresholds();
				rc = VT_EXIT_OK;
				goto out;
			}
			struct vt_error err = {0};
			if (vt_findings_config_set(&a.findings_cfg, optarg, &err)) {
				fprintf(stderr, "vmtrace analyze: --finding-threshold %s\n", vt_shown(err.msg));
				goto out;
			}
			break;
		}
		case 'h':
			usage(stdout);
			rc = VT_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	rc = VT_EXIT_FAIL;
	if (vt_analysis_prepare(&a, "analyze", argv + optind, argc - optind, method))
		goto out;
	/* The report's rows come from the model's sink, within a fixed budget. */
	uint64_t first = 0, last = 0;
	if (html && !vt_report_time_range(a.in.traces, a.in.ntraces, a.m, a.r, &first, &last) &&
	    !(report = vt_html_report_new(first, last, NULL, NULL))) {
		fprintf(stderr, "vmtrace analyze: out of memory\n");
		goto out;
	}
	struct vt_model_sink sink = report ? vt_html_report_sink(report) : (struct vt_model_sink){0};
	if (vt_analysis_model(&a, "analyze", timeline && json, report ? &sink : NULL))
		goto out;
	if (html) {
		struct vt_error err = {0};
		const char *title = a.host < 0 ? "guests only: no host trace among the inputs"
				    : a.m->machines[a.host].hostname ? a.m->machines[a.host].hostname : "host";
		if (report)
			vt_html_report_set_findings(report, &a.findings);
		if (report && vt_kacct_table(&a.kacct, &a, &ktable, &kcells) < 0) {
			fprintf(stderr, "vmtrace analyze: out of memory\n");
			goto out;
		}
		if (report && kcells)
			vt_html_report_set_table(report, &ktable);
		if (!report || vt_html_report_write(report, a.model, a.m, title, html, &err)) {
			fprintf(stderr, "vmtrace analyze: %s\n", report ? err.msg : "no events for the HTML report");
			goto out;
		}
	}
	if (json) {
		json_t *doc = vt_analysis_json(&a);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(doc);
	} else {
		print_findings(&a);
		print_text(a.m, a.model);
		print_exits(a.m, a.model);
		print_threads(a.m, a.model);
		print_cpus(a.m, a.model);
		print_caveats(a.m, a.model, &a.in, a.r);
		vt_kacct_print(&a.kacct, &a, stdout);
	}
	rc = a.partial ? VT_EXIT_FAIL : VT_EXIT_OK;
out:
	vt_kacct_table_free(kcells, &ktable);
	vt_html_report_free(report);
	vt_analysis_free(&a);
	return rc;
}
