/* vmtrace analyze: where every guest's vCPU time went. (The first slice of the
 * analysis: per vCPU states from the host's events; guest threads, exit
 * statistics and the reports come next.) */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sort.h"
#include "commands.h"
#include "inputs.h"
#include "progress.h"
#include "vmtrace/model.h"
#include "vmtrace/sim.h"
#include "vmtrace/timeline.h"

#ifndef VT_SCENARIO_DIR
#define VT_SCENARIO_DIR "scenarios"
#endif

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace analyze [--method M] [--json [--timeline]] [--guest UUID=PID]... [PATH...]\n\n"
		     "Identifies the machines, synchronizes their clocks, and reports per guest and\n"
		     "per vCPU where the time went: running guest code, in the hypervisor (by exit\n"
		     "reason), preempted on the host (by which thread), idle. With no PATH, simulates\n"
		     "the bundled example (two guests on a contended host) and analyzes it.\n\n"
		     "  --method M        clock synchronization, as for vmtrace sync (default auto)\n"
		     "  --json            one JSON document (docs/json.md)\n"
		     "  --timeline        with --json: every vCPU's intervals [start, end, STATE, detail]\n"
		     "  --guest UUID=PID  the guest with this DMI uuid runs in QEMU process PID\n"
		     "  -h, --help        this help\n");
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

static const char *guest_name(const struct vt_machines *m, const struct vt_vcpu_model *v)
{
	if (v->guest < 0)
		return "(guest not traced)";
	const struct vt_machine *g = &m->machines[v->guest];
	return g->name ? g->name : g->hostname ? g->hostname : g->key;
}

static int cmp_vcpu(const void *a, const void *b)
{
	const struct vt_vcpu_model *x = a, *y = b;
	if (x->qemu_pid != y->qemu_pid)
		return x->qemu_pid < y->qemu_pid ? -1 : 1;
	return (x->vcpu > y->vcpu) - (x->vcpu < y->vcpu);
}

/* A holder that is another guest's vCPU is named as such. */
static void holder_name(const struct vt_machines *m, const struct vt_model *model, const struct vt_holder_time *h,
			char *buf, size_t size)
{
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].tid == h->tid) {
			snprintf(buf, size, "%s vCPU %u", guest_name(m, &model->vcpus[i]), model->vcpus[i].vcpu);
			return;
		}
	snprintf(buf, size, "%s (tid %d)", h->comm, h->tid);
}

static void print_text(const struct vt_machines *m, struct vt_model *model)
{
	vt_qsort(model->vcpus, model->nvcpus, sizeof(*model->vcpus), cmp_vcpu);
	printf("vCPU time on host %s, %.3f s observed\n\n",
	       m->machines[model->host].hostname ? m->machines[model->host].hostname : m->machines[model->host].key,
	       (double)(model->last_ns - model->first_ns) / 1e9);
	for (size_t i = 0; i < model->nvcpus; i++) {
		struct vt_vcpu_model *v = &model->vcpus[i];
		uint64_t all = v->end_ns - v->start_ns;
		printf("%s (QEMU %lld) vCPU %u (tid %d): guest %.1f%%, hypervisor %.1f%%, preempted %.1f%%, idle %.1f%%",
		       guest_name(m, v), (long long)v->qemu_pid, v->vcpu, v->tid, pct(v->totals[VT_VCPU_GUEST], all),
		       pct(v->totals[VT_VCPU_HYPERVISOR], all), pct(v->totals[VT_VCPU_PREEMPTED], all),
		       pct(v->totals[VT_VCPU_IDLE], all));
		if (v->totals[VT_VCPU_UNKNOWN])
			printf(", unknown %.1f%%", pct(v->totals[VT_VCPU_UNKNOWN], all));
		printf("\n");
		vt_qsort(v->by_holder, v->nholders, sizeof(*v->by_holder), cmp_holder);
		vt_qsort(v->by_reason, v->nreasons, sizeof(*v->by_reason), cmp_reason);
		if (v->nholders) {
			printf("    preempted by:");
			for (size_t h = 0; h < v->nholders && h < 3; h++) {
				char name[96];
				holder_name(m, model, &v->by_holder[h], name, sizeof(name));
				printf(" %s %.1f%%%s", name, pct(v->by_holder[h].ns, all),
				       h + 1 < v->nholders && h < 2 ? "," : "");
			}
			printf("\n");
		}
		if (v->nreasons) {
			printf("    hypervisor by exit reason:");
			for (size_t r = 0; r < v->nreasons && r < 3; r++)
				printf(" %llu %.1f%%%s", (unsigned long long)v->by_reason[r].reason,
				       pct(v->by_reason[r].ns, all), r + 1 < v->nreasons && r < 2 ? "," : "");
			printf("\n");
		}
	}
}

static json_t *intervals_json(const struct vt_vcpu_model *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->nintervals; i++) {
		const struct vt_vcpu_interval *iv = &v->intervals[i];
		json_t *x = json_array();
		json_array_append_new(x, json_integer((json_int_t)iv->start));
		json_array_append_new(x, json_integer((json_int_t)iv->end));
		json_array_append_new(x, json_string(vt_vcpu_state_name(iv->state)));
		if (iv->detail >= 0)
			json_array_append_new(x, json_integer(iv->detail));
		json_array_append_new(arr, x);
	}
	return arr;
}

static json_t *model_json(const struct vt_machines *m, const struct vt_model *model)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		json_t *o = json_object();
		json_object_set_new(o, "guest", v->guest >= 0 ? json_integer(v->guest) : json_null());
		json_object_set_new(o, "guest_name", json_string(guest_name(m, v)));
		json_object_set_new(o, "qemu_pid", json_integer(v->qemu_pid));
		json_object_set_new(o, "vcpu", json_integer(v->vcpu));
		json_object_set_new(o, "tid", json_integer(v->tid));
		json_object_set_new(o, "start_ns", json_integer((json_int_t)v->start_ns));
		json_object_set_new(o, "end_ns", json_integer((json_int_t)v->end_ns));
		json_t *tot = json_object();
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			json_object_set_new(tot, vt_vcpu_state_name((enum vt_vcpu_state)s),
					    json_integer((json_int_t)v->totals[s]));
		json_object_set_new(o, "totals_ns", tot);
		json_t *reasons = json_object();
		for (size_t r = 0; r < v->nreasons; r++) {
			char key[32];
			snprintf(key, sizeof(key), "%llu", (unsigned long long)v->by_reason[r].reason);
			json_object_set_new(reasons, key, json_integer((json_int_t)v->by_reason[r].ns));
		}
		json_object_set_new(o, "hypervisor_by_reason_ns", reasons);
		json_t *holders = json_array();
		for (size_t h = 0; h < v->nholders; h++) {
			json_t *x = json_object();
			json_object_set_new(x, "tid", json_integer(v->by_holder[h].tid));
			json_object_set_new(x, "comm", json_string(v->by_holder[h].comm));
			json_object_set_new(x, "ns", json_integer((json_int_t)v->by_holder[h].ns));
			json_array_append_new(holders, x);
		}
		json_object_set_new(o, "preempted_by", holders);
		json_t *exits = json_array();
		for (size_t e = 0; e < v->nexits; e++) {
			const struct vt_exit_stats *x = &v->exits[e];
			json_t *j = json_object();
			json_object_set_new(j, "reason", json_integer((json_int_t)x->reason));
			json_object_set_new(j, "count", json_integer((json_int_t)x->count));
			json_object_set_new(j, "total_ns", json_integer((json_int_t)x->total_ns));
			json_object_set_new(j, "p50_ns", json_integer((json_int_t)vt_exit_stats_quantile(x, 0.5)));
			json_object_set_new(j, "p99_ns", json_integer((json_int_t)vt_exit_stats_quantile(x, 0.99)));
			json_object_set_new(j, "max_ns", json_integer((json_int_t)x->max_ns));
			json_array_append_new(exits, j);
		}
		json_object_set_new(o, "exits", exits);
		if (model->record_intervals)
			json_object_set_new(o, "intervals", intervals_json(v));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* No PATH: the bundled example, simulated into a temporary folder. */
static int simulate_example(char *dir, size_t size)
{
	const char *scenarios = getenv("VMTRACE_SCENARIOS");
	char path[4096];
	snprintf(path, sizeof(path), "%s/two-guests-ntp.json", scenarios ? scenarios : VT_SCENARIO_DIR);
	struct vt_sim_scenario *sc;
	struct vt_error err = {{0}};
	if (vt_sim_scenario_load(&sc, path, &err)) {
		fprintf(stderr, "vmtrace analyze: %s\n", err.msg);
		return -1;
	}
	snprintf(dir, size, "/tmp/vmtrace-example-XXXXXX");
	if (!mkdtemp(dir)) {
		vt_sim_scenario_free(sc);
		fprintf(stderr, "vmtrace analyze: cannot create a temporary folder\n");
		return -1;
	}
	struct vt_sim_options opt = {.outdir = dir};
	struct vt_sim_stats stats;
	int rc = vt_sim_run(sc, &opt, &stats, &err);
	vt_sim_scenario_free(sc);
	if (rc)
		fprintf(stderr, "vmtrace analyze: %s\n", err.msg);
	else
		fprintf(stderr, "vmtrace analyze: simulated the bundled example into %s\n", dir);
	return rc;
}

static int cmp_exit(const void *a, const void *b)
{
	const struct vt_exit_stats *x = a, *y = b;
	return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

/* Exit statistics of one guest: its vCPUs' merged, largest total first. */
static size_t guest_exits(const struct vt_model *model, int guest, int64_t pid, struct vt_exit_stats **out)
{
	struct vt_exit_stats *all = NULL;
	size_t n = 0;
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		if (v->guest != guest || v->qemu_pid != pid)
			continue;
		for (size_t e = 0; e < v->nexits; e++) {
			size_t k;
			for (k = 0; k < n && all[k].reason != v->exits[e].reason; k++)
				;
			if (k == n) {
				struct vt_exit_stats *x = realloc(all, (n + 1) * sizeof(*x));
				if (!x)
					break;
				all = x;
				all[n] = v->exits[e];
				n++;
				continue;
			}
			all[k].count += v->exits[e].count;
			all[k].total_ns += v->exits[e].total_ns;
			if (v->exits[e].max_ns > all[k].max_ns)
				all[k].max_ns = v->exits[e].max_ns;
			for (unsigned b = 0; b < VT_EXIT_HIST_BUCKETS; b++)
				all[k].hist[b] += v->exits[e].hist[b];
		}
	}
	vt_qsort(all, n, sizeof(*all), cmp_exit);
	*out = all;
	return n;
}

static void print_exits(const struct vt_machines *m, const struct vt_model *model)
{
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		int first = 1;
		for (size_t j = 0; j < i; j++)
			first &= !(model->vcpus[j].guest == v->guest && model->vcpus[j].qemu_pid == v->qemu_pid);
		if (!first)
			continue;
		struct vt_exit_stats *e;
		size_t n = guest_exits(model, v->guest, v->qemu_pid, &e);
		printf("\nexits of %s (QEMU %lld), like perf kvm stat: exit to next entry\n", guest_name(m, v),
		       (long long)v->qemu_pid);
		printf("  %8s %10s %12s %10s %10s %10s\n", "reason", "count", "total us", "p50 us", "p99 us", "max us");
		for (size_t k = 0; k < n && k < 8; k++)
			printf("  %8llu %10llu %12.1f %10.2f %10.2f %10.2f\n", (unsigned long long)e[k].reason,
			       (unsigned long long)e[k].count, (double)e[k].total_ns / 1e3,
			       (double)vt_exit_stats_quantile(&e[k], 0.5) / 1e3,
			       (double)vt_exit_stats_quantile(&e[k], 0.99) / 1e3, (double)e[k].max_ns / 1e3);
		free(e);
	}
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
			snprintf(buf, size, "%s vCPU %u %s", guest_name(m, &model->vcpus[i]), model->vcpus[i].vcpu,
				 sh->guest_mode ? "(guest code)" : "(hypervisor)");
			return;
		}
	snprintf(buf, size, sh->tid ? "%s (tid %d)" : "idle", sh->comm, sh->tid);
}

/* The fused per-pCPU view: who held each pCPU. */
static void print_cpus(const struct vt_machines *m, struct vt_model *model)
{
	uint64_t span = model->last_ns - model->first_ns;
	printf("\npCPUs (host threads, and guests in guest code or in the hypervisor)\n");
	for (size_t c = 0; c < model->ncpus; c++) {
		struct vt_cpu_model *cm = &model->cpus[c];
		vt_qsort(cm->shares, cm->nshares, sizeof(*cm->shares), cmp_share);
		printf("  pCPU %zu:", c);
		for (size_t k = 0; k < cm->nshares && k < 4; k++) {
			char name[128];
			share_name(m, model, &cm->shares[k], name, sizeof(name));
			printf(" %s %.1f%%%s", name, pct(cm->shares[k].ns, span), k + 1 < cm->nshares && k < 3 ? "," : "");
		}
		printf("\n");
	}
}

static json_t *cpus_json(const struct vt_model *model)
{
	json_t *arr = json_array();
	for (size_t c = 0; c < model->ncpus; c++) {
		json_t *shares = json_array();
		for (size_t k = 0; k < model->cpus[c].nshares; k++) {
			const struct vt_cpu_share *sh = &model->cpus[c].shares[k];
			json_t *o = json_object();
			json_object_set_new(o, "tid", json_integer(sh->tid));
			json_object_set_new(o, "comm", json_string(sh->comm));
			json_object_set_new(o, "guest", sh->guest >= 0 ? json_integer(sh->guest) : json_null());
			json_object_set_new(o, "guest_mode", json_boolean(sh->guest_mode));
			json_object_set_new(o, "ns", json_integer((json_int_t)sh->ns));
			json_array_append_new(shares, o);
		}
		json_t *o = json_object();
		json_object_set_new(o, "cpu", json_integer((json_int_t)c));
		json_object_set_new(o, "shares", shares);
		json_array_append_new(arr, o);
	}
	return arr;
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
		printf("%s  %s lost %llu events (%llu packets): %s\n", any++ ? "" : "\nwhat is missing\n", info->path,
		       (unsigned long long)info->discarded_events, (unsigned long long)info->discarded_packets,
		       mm->role == VT_ROLE_HOST ? "vCPU states and preemption around the losses are approximate"
						: "that guest's thread figures around the losses are approximate");
	}
	for (size_t i = 0; i < model->nvcpus; i++)
		if (model->vcpus[i].guest < 0 && (i == 0 || model->vcpus[i - 1].qemu_pid != model->vcpus[i].qemu_pid))
			printf("%s  QEMU %lld runs a guest whose trace is not among the inputs: its vCPU states are shown, "
			       "its threads cannot be\n",
			       any++ ? "" : "\nwhat is missing\n", (long long)model->vcpus[i].qemu_pid);
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		if (mm->role == VT_ROLE_HOST)
			continue;
		if (mm->role != VT_ROLE_GUEST || mm->host != model->host)
			printf("%s  %s: not matched to a QEMU process on this host (%s): left out\n",
			       any++ ? "" : "\nwhat is missing\n", mm->hostname ? mm->hostname : mm->key,
			       mm->evidence ? mm->evidence : "no evidence");
		else if (r->machines[k].quality == VT_SYNC_FAIL || r->machines[k].quality == VT_SYNC_ABSENT)
			printf("%s  %s: its clock could not be placed (%s): its thread figures may be wrong\n",
			       any++ ? "" : "\nwhat is missing\n", mm->hostname ? mm->hostname : mm->key,
			       r->machines[k].why ? r->machines[k].why : "");
	}
}

/* Pass 2: every machine's events in reference time through the model. */
static int run_model(struct vt_model *model, const struct vt_inputs *in, const struct vt_machines *m,
		     const struct vt_sync_result *r, struct vt_error *err)
{
	struct vt_timeline *tl;
	if (vt_timeline_open(&tl, in->traces, in->ntraces, m, r, err))
		return -1;
	const struct vt_event *ev;
	uint64_t ref, n = 0;
	size_t trace, machine;
	int rc;
	struct vt_progress progress;
	vt_progress_start(&progress, "analyzing");
	while ((rc = vt_timeline_next(tl, &ev, &ref, &trace, &machine, err)) > 0) {
		vt_model_feed(model, trace, ref, ev);
		vt_progress_update(&progress, ++n);
	}
	vt_progress_end(&progress);
	vt_timeline_close(tl);
	vt_model_finish(model);
	return rc < 0 ? -1 : 0;
}

static int cmp_thread(const void *a, const void *b)
{
	const struct vt_thread_model *x = a, *y = b;
	uint64_t lx = x->totals[VT_VCPU_PREEMPTED] + x->totals[VT_VCPU_HYPERVISOR];
	uint64_t ly = y->totals[VT_VCPU_PREEMPTED] + y->totals[VT_VCPU_HYPERVISOR];
	return (lx < ly) - (lx > ly);
}

/* The threads that lost most to the host: preempted plus hypervisor time. */
static void print_threads(const struct vt_machines *m, struct vt_model *model)
{
	if (!model->nthreads) {
		printf("\nguest threads: no guest trace among the inputs (the host's view alone)\n");
		return;
	}
	vt_qsort(model->threads, model->nthreads, sizeof(*model->threads), cmp_thread);
	printf("\nguest threads that lost most time to the host (preempted + hypervisor, of the time they wanted to run)\n");
	for (size_t i = 0; i < model->nthreads && i < 10; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		uint64_t want = t->totals[VT_VCPU_GUEST] + t->totals[VT_VCPU_HYPERVISOR] + t->totals[VT_VCPU_PREEMPTED] +
				t->totals[VT_THREAD_RUNNABLE];
		const struct vt_machine *g = &m->machines[t->guest];
		printf("  %s %s (tid %d): ran %.1f%%, hypervisor %.1f%%, preempted %.1f%%, waiting in the guest %.1f%%\n",
		       g->name ? g->name : g->hostname ? g->hostname : g->key, t->comm, t->tid,
		       pct(t->totals[VT_VCPU_GUEST], want), pct(t->totals[VT_VCPU_HYPERVISOR], want),
		       pct(t->totals[VT_VCPU_PREEMPTED], want), pct(t->totals[VT_THREAD_RUNNABLE], want));
	}
}

static json_t *threads_json(const struct vt_machines *m, const struct vt_model *model)
{
	(void)m;
	json_t *arr = json_array();
	for (size_t i = 0; i < model->nthreads; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		json_t *o = json_object();
		json_object_set_new(o, "guest", json_integer(t->guest));
		json_object_set_new(o, "tid", json_integer(t->tid));
		json_object_set_new(o, "comm", json_string(t->comm));
		json_object_set_new(o, "start_ns", json_integer((json_int_t)t->start_ns));
		json_t *tot = json_object();
		for (int s = VT_VCPU_UNKNOWN; s < VT_THREAD_STATE_COUNT; s++)
			json_object_set_new(tot, vt_thread_state_name(s), json_integer((json_int_t)t->totals[s]));
		json_object_set_new(o, "totals_ns", tot);
		json_array_append_new(arr, o);
	}
	return arr;
}

int vt_cmd_analyze(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"method", required_argument, NULL, 'm'},
		{"guest", required_argument, NULL, 'g'},
		{"timeline", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int json = 0, timeline = 0, c;
	enum vt_sync_method method = VT_SYNC_AUTO;
	struct vt_pass1 p1;
	if (vt_pass1_init(&p1, 1)) {
		fprintf(stderr, "vmtrace analyze: out of memory\n");
		vt_pass1_free(&p1);
		return VT_EXIT_FAIL;
	}
	int rc = VT_EXIT_USAGE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 't':
			timeline = 1;
			break;
		case 'm':
			if (vt_sync_method_parse(optarg, &method)) {
				fprintf(stderr, "vmtrace analyze: unknown method '%s'\n", optarg);
				goto out;
			}
			break;
		case 'g': {
			struct vt_guest_hint hint;
			if (vt_parse_guest_hint("analyze", optarg, &hint))
				goto out;
			vt_identify_add_hint(p1.id, &hint);
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
	char example[64];
	char *example_path = example;
	char **paths = argv + optind;
	int npaths = argc - optind;
	if (npaths == 0) {
		if (simulate_example(example, sizeof(example)))
			goto out;
		paths = &example_path;
		npaths = 1;
	}
	struct vt_error err = {{0}};
	int failed = 0;
	for (int i = 0; i < npaths; i++)
		if (vt_pass1_read(&p1, paths[i], &err)) {
			fprintf(stderr, "vmtrace analyze: %s\n", err.msg);
			failed = 1;
		}
	struct vt_machines *m = NULL;
	struct vt_sync_result *r = NULL;
	struct vt_model *model = NULL;
	if (!p1.in.ntraces || vt_pass1_identify(&p1, &m, &err) ||
	    vt_sync_finish(p1.sync, m, p1.in.traces, method, &r, &err)) {
		if (p1.in.ntraces)
			fprintf(stderr, "vmtrace analyze: %s\n", err.msg);
		goto done;
	}
	int host = r->root;
	if (host < 0 || m->machines[host].role != VT_ROLE_HOST) {
		fprintf(stderr, "vmtrace analyze: no host trace among the inputs (one with kvm events): the guests' "
				"vCPU states need the host's view\n");
		failed = 1;
		goto done;
	}
	model = vt_model_new(p1.id, m, host);
	if (model)
		model->record_intervals = timeline && json;
	if (!model || run_model(model, &p1.in, m, r, &err)) {
		fprintf(stderr, "vmtrace analyze: %s\n", model ? err.msg : "out of memory");
		failed = 1;
		goto done;
	}
	if (json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "machines", vt_machines_json(m, &p1.in));
		json_object_set_new(doc, "host", json_integer(host));
		json_object_set_new(doc, "vcpus", model_json(m, model));
		json_object_set_new(doc, "threads", threads_json(m, model));
		json_object_set_new(doc, "cpus", cpus_json(model));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
		json_decref(doc);
	} else {
		print_text(m, model);
		print_exits(m, model);
		print_threads(m, model);
		print_cpus(m, model);
		print_caveats(m, model, &p1.in, r);
	}
	rc = failed ? VT_EXIT_FAIL : VT_EXIT_OK;
done:
	vt_model_free(model);
	vt_sync_result_free(r);
	vt_machines_free(m);
out:
	vt_pass1_free(&p1);
	return rc;
}
