/* vmtrace info: what each trace is (machine, tracer, clock, time range, events). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "common/text.h"
#include "inputs.h"
#include "shown.h"
#include "vmtrace/identify.h"
#include "vmtrace/sources.h"

#define TOP_KINDS 6

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace info [--json] [--guest UUID=PID]... PATH...\n\n"
		     "Reads every trace found in each PATH (a CTF trace folder, a trace-cmd .dat\n"
		     "file, or any folder holding traces below it, such as an LTTng session or\n"
		     "relayd output) and prints, per trace: path, hostname, domain, tracer,\n"
		     "product_uuid, clock, time range, duration, event count, the most frequent\n"
		     "event kinds, discarded events and backward timestamp steps.\n"
		     "Then the machines: which traces are one machine, which is a host or a\n"
		     "guest, each guest's host, QEMU pid and vCPU threads, and what is missing\n"
		     "where something could not be matched.\n\n"
		     "  --json            one JSON document instead of text\n"
		     "  --guest UUID=PID  the guest with this DMI uuid runs in QEMU process PID\n"
		     VT_WINDOW_HELP
		     "                          (each trace's own clock; +: from the earliest event)\n"
		     VT_READER_HELP
		     "  -h, --help        this help\n\n"
		     "Exit status: 0 when every PATH was read, 1 otherwise, 2 on bad usage.\n");
}

/* s escaped for the terminal, or "none". */
static const char *or_none(const char *s)
{
	return s ? vt_shown(s) : "none";
}

static void format_time(uint64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09llu UTC", (unsigned long long)(ns % 1000000000u));
}

static void format_tracer(const struct vt_trace_info *t, char *buf, size_t size)
{
	if (!t->tracer_name)
		snprintf(buf, size, "unknown");
	else if (t->tracer_major < 0)
		snprintf(buf, size, "%s", t->tracer_name);
	else if (t->tracer_patchlevel < 0)
		snprintf(buf, size, "%s %lld.%lld", t->tracer_name, (long long)t->tracer_major,
			 (long long)t->tracer_minor);
	else
		snprintf(buf, size, "%s %lld.%lld.%lld", t->tracer_name, (long long)t->tracer_major,
			 (long long)t->tracer_minor, (long long)t->tracer_patchlevel);
}

/* Kinds by decreasing count (ties by kind order); returns how many are non-zero. */
static size_t top_kinds(const struct vt_trace_info *t, enum vt_kind out[VT_KIND_COUNT])
{
	size_t n = 0;
	for (int k = 0; k < VT_KIND_COUNT; k++)
		if (t->per_kind[k])
			out[n++] = (enum vt_kind)k;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && t->per_kind[out[j]] > t->per_kind[out[j - 1]]; j--) {
			enum vt_kind x = out[j];
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return n;
}

static void print_text(const struct vt_trace_info *t)
{
	char tracer[128], a[64], b[64];
	format_tracer(t, tracer, sizeof(tracer));
	printf("trace %s\n", vt_shown(t->path));
	printf("  hostname        %s\n", or_none(t->hostname));
	printf("  domain          %s\n", or_none(t->domain));
	printf("  tracer          %s\n", vt_shown(tracer));
	if (t->kernel_release)
		printf("  kernel          %s\n", vt_shown(t->kernel_release));
	printf("  product_uuid    %s\n", or_none(t->product_uuid));
	if (t->clock.name)
		printf("  clock           %s, %llu Hz, offset %lld s + %llu cycles, uuid %s\n", vt_shown(t->clock.name),
		       (unsigned long long)t->clock.freq, (long long)t->clock.offset_s,
		       (unsigned long long)t->clock.offset_cycles, or_none(t->clock.uuid));
	else
		printf("  clock           none\n");
	printf("  streams         %u\n", t->streams);
	if (t->events) {
		format_time(t->first_ns, a, sizeof(a));
		format_time(t->last_ns, b, sizeof(b));
		printf("  time range      %llu .. %llu ns\n", (unsigned long long)t->first_ns,
		       (unsigned long long)t->last_ns);
		printf("                  %s .. %s\n", a, b);
		uint64_t d = t->last_ns - t->first_ns;
		printf("  duration        %llu.%09llu s\n", (unsigned long long)(d / 1000000000u),
		       (unsigned long long)(d % 1000000000u));
	} else {
		printf("  time range      none (no events)\n");
	}
	printf("  events          %llu\n", (unsigned long long)t->events);
	enum vt_kind order[VT_KIND_COUNT];
	size_t n = top_kinds(t, order);
	printf("  top kinds      ");
	for (size_t i = 0; i < n && i < TOP_KINDS; i++)
		printf(" %s %llu%s", vt_kind_name(order[i]), (unsigned long long)t->per_kind[order[i]],
		       i + 1 < n && i + 1 < TOP_KINDS ? "," : "");
	printf("%s\n", n ? "" : " none");
	printf("  discarded       %llu events, %llu packets\n", (unsigned long long)t->discarded_events,
	       (unsigned long long)t->discarded_packets);
	printf("  backward steps  %llu\n", (unsigned long long)t->backward_steps);
}

json_t *json_str_or_null(const char *s)
{
	return s ? vt_json_str(s) : json_null();
}

static json_t *trace_json(const struct vt_trace_info *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", vt_json_str(t->path));
	json_object_set_new(o, "format", json_string(t->format));
	json_object_set_new(o, "reader", json_str_or_null(t->reader));
	json_object_set_new(o, "hostname", json_str_or_null(t->hostname));
	json_object_set_new(o, "domain", json_str_or_null(t->domain));
	json_t *tracer = json_object();
	json_object_set_new(tracer, "name", json_str_or_null(t->tracer_name));
	json_object_set_new(tracer, "major", t->tracer_major >= 0 ? json_integer(t->tracer_major) : json_null());
	json_object_set_new(tracer, "minor", t->tracer_minor >= 0 ? json_integer(t->tracer_minor) : json_null());
	json_object_set_new(tracer, "patchlevel",
			    t->tracer_patchlevel >= 0 ? json_integer(t->tracer_patchlevel) : json_null());
	json_object_set_new(o, "tracer", tracer);
	json_object_set_new(o, "kernel_release", json_str_or_null(t->kernel_release));
	json_object_set_new(o, "product_uuid", json_str_or_null(t->product_uuid));
	json_object_set_new(o, "trace_uuid", json_str_or_null(t->trace_uuid));
	if (t->clock.name) {
		json_t *c = json_object();
		json_object_set_new(c, "name", vt_json_str(t->clock.name));
		json_object_set_new(c, "uuid", json_str_or_null(t->clock.uuid));
		json_object_set_new(c, "freq_hz", json_integer((json_int_t)t->clock.freq));
		json_object_set_new(c, "offset_s", json_integer(t->clock.offset_s));
		json_object_set_new(c, "offset_cycles", json_integer((json_int_t)t->clock.offset_cycles));
		json_object_set_new(o, "clock", c);
	} else {
		json_object_set_new(o, "clock", json_null());
	}
	json_object_set_new(o, "streams", json_integer(t->streams));
	/* ns from the epoch fit in int64 until 2262. */
	json_object_set_new(o, "first_ns", t->events ? json_integer((json_int_t)t->first_ns) : json_null());
	json_object_set_new(o, "last_ns", t->events ? json_integer((json_int_t)t->last_ns) : json_null());
	json_object_set_new(o, "duration_ns",
			    json_integer(t->events ? (json_int_t)(t->last_ns - t->first_ns) : 0));
	json_object_set_new(o, "events", json_integer((json_int_t)t->events));
	json_t *kinds = json_object();
	for (int k = 0; k < VT_KIND_COUNT; k++)
		if (t->per_kind[k])
			json_object_set_new(kinds, vt_kind_name((enum vt_kind)k),
					    json_integer((json_int_t)t->per_kind[k]));
	json_object_set_new(o, "events_per_kind", kinds);
	json_object_set_new(o, "discarded_events", json_integer((json_int_t)t->discarded_events));
	json_object_set_new(o, "discarded_packets", json_integer((json_int_t)t->discarded_packets));
	json_object_set_new(o, "backward_steps", json_integer((json_int_t)t->backward_steps));
	return o;
}

/* The machine's hostname (else its key), escaped for the terminal. */
static const char *machine_label(const struct vt_machines *m, int k)
{
	if (k < 0)
		return "none";
	const struct vt_machine *mm = &m->machines[k];
	return vt_shown(mm->hostname ? mm->hostname : mm->key);
}

static void print_machines_text(const struct vt_machines *m, const struct vt_inputs *all)
{
	printf("\nmachines\n");
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		printf("  %-7s %s  (%s)\n", vt_role_name(mm->role), machine_label(m, (int)k), vt_shown(mm->key));
		for (size_t i = 0; i < mm->ntraces; i++)
			printf("          trace %s\n", vt_shown(all->traces[mm->traces[i]]->path));
		if (mm->role == VT_ROLE_GUEST) {
			printf("          host %s, QEMU pid ", machine_label(m, mm->host));
			if (mm->qemu_pid > 0)
				printf("%lld", (long long)mm->qemu_pid);
			else
				printf("unknown");
			if (mm->name)
				printf(", name %s", vt_shown(mm->name));
			printf("\n          vCPU threads");
			for (size_t i = 0; i < mm->nvcpus; i++)
				printf(" %u->%d", mm->vcpus[i].vcpu, mm->vcpus[i].tid);
			if (mm->nvcpus)
				printf(" (from %s)\n", vt_shown(mm->vcpus[0].evidence));
			else
				printf(" unknown (no vmtraced vCPU events, no kvm_exit on a thread of that QEMU)\n");
		}
		if (mm->evidence)
			printf("          %s: %s\n", mm->role == VT_ROLE_GUEST ? "matched by" : "not matched",
			       vt_shown(mm->evidence));
	}
	for (size_t i = 0; i < m->nuntraced; i++)
		printf("  guest   %s (uuid %s) runs on %s as QEMU pid %lld, but no input trace is of it\n",
		       m->untraced[i].name ? vt_shown(m->untraced[i].name) : "?",
		       m->untraced[i].uuid ? vt_shown(m->untraced[i].uuid) : "unknown", machine_label(m, m->untraced[i].host),
		       (long long)m->untraced[i].pid);
}

json_t *vt_machines_json(const struct vt_machines *m, const struct vt_inputs *all)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < m->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		json_t *o = json_object();
		json_object_set_new(o, "key", vt_json_str(mm->key));
		json_object_set_new(o, "role", json_string(vt_role_name(mm->role)));
		json_object_set_new(o, "hostname", json_str_or_null(mm->hostname));
		json_object_set_new(o, "product_uuid", json_str_or_null(mm->product_uuid));
		json_t *traces = json_array();
		for (size_t i = 0; i < mm->ntraces; i++)
			json_array_append_new(traces, vt_json_str(all->traces[mm->traces[i]]->path));
		json_object_set_new(o, "traces", traces);
		if (mm->role == VT_ROLE_GUEST) {
			json_object_set_new(o, "host", mm->host >= 0 ? json_integer(mm->host) : json_null());
			json_object_set_new(o, "qemu_pid", mm->qemu_pid > 0 ? json_integer(mm->qemu_pid) : json_null());
			json_object_set_new(o, "name", json_str_or_null(mm->name));
			json_t *vcpus = json_array();
			for (size_t i = 0; i < mm->nvcpus; i++) {
				json_t *v = json_object();
				json_object_set_new(v, "vcpu", json_integer(mm->vcpus[i].vcpu));
				json_object_set_new(v, "tid", json_integer(mm->vcpus[i].tid));
				json_object_set_new(v, "evidence", vt_json_str(mm->vcpus[i].evidence));
				json_array_append_new(vcpus, v);
			}
			json_object_set_new(o, "vcpus", vcpus);
		}
		json_object_set_new(o, "evidence", json_str_or_null(mm->evidence));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *vt_untraced_json(const struct vt_machines *m)
{
	json_t *arr = json_array();
	for (size_t i = 0; m && i < m->nuntraced; i++) {
		const struct vt_untraced_guest *u = &m->untraced[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_str_or_null(u->name));
		json_object_set_new(o, "uuid", json_str_or_null(u->uuid));
		json_object_set_new(o, "host", json_integer(u->host));
		json_object_set_new(o, "qemu_pid", json_integer(u->pid));
		json_array_append_new(arr, o);
	}
	return arr;
}

int vt_cmd_info(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"guest", required_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		VT_WINDOW_OPTIONS,
		VT_READER_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int json = 0, c, windowed = 0, shared;
	enum vt_reader reader = VT_READER_DEFAULT;
	struct vt_source_window window = {0};
	struct vt_guest_hint hints[64];
	size_t nhints = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if ((shared = vt_window_option("info", c, optarg, &window, &windowed)) != 0 ||
		    (shared = vt_reader_option("info", c, optarg, &reader)) != 0) {
			if (shared < 0)
				return VT_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'g':
			if (nhints == 64 || vt_parse_guest_hint("info", optarg, &hints[nhints]))
				return VT_EXIT_USAGE;
			nhints++;
			break;
		case 'h':
			usage(stdout);
			return VT_EXIT_OK;
		default:
			usage(stderr);
			return VT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vmtrace info: no PATH given\n");
		usage(stderr);
		return VT_EXIT_USAGE;
	}

	json_t *doc = json_object(), *traces = json_array(), *errors = json_array();
	struct vt_session_options opt = {.window = windowed ? &window : NULL, .reader = reader};
	struct vt_hints given = {hints, nhints};
	struct vt_cli_session cs;
	int ready = vt_cli_session_new(&cs, "info", &opt, &given) != NULL;
	struct vt_inputs all = {0};
	int failed = 0;
	for (int i = optind; i < argc; i++) {
		struct vt_error err = {0};
		size_t before = all.ntraces;
		if (!ready || vt_cli_session_read(&cs, argv[i], &err)) {
			failed = 1;
			fprintf(stderr, "vmtrace info: %s\n", ready ? err.msg : "out of memory");
			json_t *e = json_object();
			json_object_set_new(e, "path", vt_json_str(argv[i]));
			json_object_set_new(e, "error", vt_json_str(ready ? err.msg : "out of memory"));
			json_array_append_new(errors, e);
			continue;
		}
		all = vt_inputs_of(cs.s);
		/* Print as each PATH is read, so a later failure loses nothing. */
		for (size_t t = before; t < all.ntraces; t++) {
			if (json) {
				json_array_append_new(traces, trace_json(all.traces[t]));
			} else {
				if (t > 0)
					printf("\n");
				print_text(all.traces[t]);
			}
		}
		fflush(stdout);
	}
	const struct vt_machines *machines = NULL;
	struct vt_error err = {0};
	if (ready && all.ntraces) {
		if (vt_session_identify(cs.s, &err)) {
			fprintf(stderr, "vmtrace info: %s\n", err.msg);
			failed = 1;
		}
		machines = vt_session_machines(cs.s);
	}
	if (machines && !json)
		print_machines_text(machines, &all);
	json_object_set_new(doc, "traces", traces);
	json_object_set_new(doc, "machines", machines ? vt_machines_json(machines, &all) : json_array());
	json_object_set_new(doc, "untraced_guests", vt_untraced_json(machines));
	json_object_set_new(doc, "errors", errors);
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("\n");
	}
	vt_session_free(cs.s);
	json_decref(doc);
	return failed ? VT_EXIT_FAIL : VT_EXIT_OK;
}
