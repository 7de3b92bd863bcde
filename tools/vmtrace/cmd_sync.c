/* vmtrace sync: one clock for every trace. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common/text.h"
#include "inputs.h"
#include "shown.h"
#include "vmtrace/identify.h"
#include "vmtrace/sync.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace sync [--method auto|trusted|hull|containment|tsc|ping] [--json] [--guest UUID=PID]...\n"
		     "                   [--ignore-pings] PATH...\n\n"
		     "Finds which trace is which machine and maps every machine's clock onto the\n"
		     "host's: t_host = slope * t + offset, with the method, its quality (ABSENT,\n"
		     "INCOMPLETE, APPROXIMATE, ACCURATE, FAIL), the slope bounds, the accuracy, the\n"
		     "messages matched each way and their latencies once the clocks are mapped.\n\n"
		     "  --method M        auto (default: the hull where it is ACCURATE or APPROXIMATE,\n"
		     "                    the clocks as they are otherwise), trusted (ptp_kvm +\n"
		     "                    chrony: use the timestamps as they are and check them),\n"
		     "                    hull (convex hull over TCP segments and vmsync hypercalls),\n"
		     "                    containment (guest events inside their vCPU's guest-mode\n"
		     "                    windows on the host: needs no network; auto uses it where\n"
		     "                    no message places a guest), tsc (TSC clocks related by\n"
		     "                    the agent's per-vCPU tsc-offset; auto prefers it), ping\n"
		     "                    (the hull over the guest's pings alone: vmtraced --ping in\n"
		     "                    the guest; auto prefers them to TCP where they place it)\n"
		     "  --ignore-pings    leave the guests' pings out (to measure the other methods\n"
		     "                    against them)\n"
		     "  --json            one JSON document (docs/json.md)\n"
		     "  --guest UUID=PID  the guest with this DMI uuid runs in QEMU process PID\n"
		     VT_WINDOW_HELP
		     "                          (each trace's own clock; +: from the earliest event)\n"
		     VT_READER_HELP
		     "  -h, --help        this help\n\n"
		     "Exit status: 0 when every PATH was read and every clock placed without FAIL,\n"
		     "1 otherwise, 2 on bad usage.\n");
}

/* The machine's hostname (else its key), escaped for the terminal. */
static const char *label(const struct vt_machines *m, int k)
{
	if (k < 0)
		return "none";
	return vt_shown(m->machines[k].hostname ? m->machines[k].hostname : m->machines[k].key);
}

static void print_latency(const char *dir, const struct vt_latency *l)
{
	if (!l->count) {
		printf("  latency %-5s no message\n", dir);
		return;
	}
	printf("  latency %-5s %zu messages: min %lld, p50 %lld, p99 %lld, max %lld ns; %zu received before sent\n", dir,
	       l->count, (long long)l->min, (long long)l->p50, (long long)l->p99, (long long)l->max, l->negative);
}

static void print_text(const struct vt_machines *m, const struct vt_sync_result *r)
{
	for (size_t k = 0; k < r->count; k++) {
		const struct vt_clock_sync *c = &r->machines[k];
		printf("%smachine %s  (%s, %s)\n", k ? "\n" : "", label(m, (int)k), vt_role_name(m->machines[k].role),
		       vt_shown(m->machines[k].key));
		if ((int)k == r->root) {
			printf("  reference     this machine's clock is the reference\n");
			continue;
		}
		printf("  reference     %s, via %s\n", label(m, c->reference), label(m, c->via));
		printf("  method        %s\n", vt_sync_method_name(c->method));
		printf("  quality       %s\n", vt_sync_quality_name(c->quality));
		printf("  why           %s\n", vt_shown(c->why));
		printf("  transform     t_ref = %.12f * t %+.0f ns\n", c->to_ref.slope, vt_transform_offset(&c->to_ref));
		if (c->nknots)
			printf("                (overall line; exactly: piecewise through %zu knots, see --json)\n",
			       c->nknots);
		else
			printf("                (exactly: t_ref = %lld + slope * (t - %lld))\n", (long long)c->to_ref.y0,
			       (long long)c->to_ref.x0);
		if (c->method == VT_SYNC_HULL && c->quality == VT_SYNC_ACCURATE)
			printf("  slope bounds  [%.12f, %.12f]\n", c->slope_min, c->slope_max);
		if (c->accuracy_ns >= 0)
			printf("  accuracy      +/- %lld ns\n", (long long)c->accuracy_ns);
		else
			printf("  accuracy      unbounded\n");
		printf("  matches       %zu to %s, %zu from it\n", c->matches_to_ref, label(m, c->via), c->matches_from_ref);
		if (c->contained_events)
			printf("  contained     %zu of %zu guest events inside their vCPU's guest-mode windows\n",
			       c->contained_explained, c->contained_events);
		print_latency("to", &c->to_ref_latency);
		print_latency("from", &c->from_ref_latency);
	}
}

static json_t *latency_json(const struct vt_latency *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)l->count));
	json_object_set_new(o, "min_ns", l->count ? json_integer(l->min) : json_null());
	json_object_set_new(o, "p50_ns", l->count ? json_integer(l->p50) : json_null());
	json_object_set_new(o, "p99_ns", l->count ? json_integer(l->p99) : json_null());
	json_object_set_new(o, "max_ns", l->count ? json_integer(l->max) : json_null());
	json_object_set_new(o, "negative", json_integer((json_int_t)l->negative));
	return o;
}

static json_t *sync_json(const struct vt_machines *m, const struct vt_sync_result *r)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < r->count; k++) {
		const struct vt_clock_sync *c = &r->machines[k];
		json_t *o = json_object();
		json_object_set_new(o, "machine", json_integer((json_int_t)k));
		json_object_set_new(o, "key", vt_json_str(m->machines[k].key));
		json_object_set_new(o, "hostname", json_str_or_null(m->machines[k].hostname));
		json_object_set_new(o, "reference", json_integer(c->reference));
		json_object_set_new(o, "via", c->via >= 0 ? json_integer(c->via) : json_null());
		json_object_set_new(o, "method", json_string(vt_sync_method_name(c->method)));
		json_object_set_new(o, "quality", json_string(vt_sync_quality_name(c->quality)));
		json_object_set_new(o, "slope", json_real(c->to_ref.slope));
		json_object_set_new(o, "offset_ns", json_real(vt_transform_offset(&c->to_ref)));
		json_t *anchor = json_object();
		json_object_set_new(anchor, "x0_ns", json_integer(c->to_ref.x0));
		json_object_set_new(anchor, "y0_ns", json_integer(c->to_ref.y0));
		json_object_set_new(o, "anchor", anchor);
		json_t *knots = json_array();
		for (size_t i = 0; i < c->nknots; i++) {
			json_t *kn = json_array();
			json_array_append_new(kn, json_integer(c->knots[i][0]));
			json_array_append_new(kn, json_integer(c->knots[i][1]));
			json_array_append_new(knots, kn);
		}
		json_object_set_new(o, "knots", knots);
		int bounded = c->method == VT_SYNC_HULL && c->quality == VT_SYNC_ACCURATE && (int)k != r->root;
		json_object_set_new(o, "slope_min", bounded ? json_real(c->slope_min) : json_null());
		json_object_set_new(o, "slope_max", bounded ? json_real(c->slope_max) : json_null());
		json_object_set_new(o, "accuracy_ns", c->accuracy_ns >= 0 ? json_integer(c->accuracy_ns) : json_null());
		json_t *matches = json_object();
		json_object_set_new(matches, "to_reference", json_integer((json_int_t)c->matches_to_ref));
		json_object_set_new(matches, "from_reference", json_integer((json_int_t)c->matches_from_ref));
		json_object_set_new(o, "matches", matches);
		json_t *lat = json_object();
		json_object_set_new(lat, "to_reference", latency_json(&c->to_ref_latency));
		json_object_set_new(lat, "from_reference", latency_json(&c->from_ref_latency));
		json_object_set_new(o, "latency", lat);
		json_t *cont = json_object();
		json_object_set_new(cont, "events", json_integer((json_int_t)c->contained_events));
		json_object_set_new(cont, "explained", json_integer((json_int_t)c->contained_explained));
		json_object_set_new(o, "containment", c->contained_events ? cont : (json_decref(cont), json_null()));
		json_object_set_new(o, "why", json_str_or_null(c->why));
		json_array_append_new(arr, o);
	}
	return arr;
}

int vt_cmd_sync(int argc, char **argv)
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"method", required_argument, NULL, 'm'},
		{"guest", required_argument, NULL, 'g'},
		{"ignore-pings", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		VT_WINDOW_OPTIONS,
		VT_READER_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int json = 0, c, windowed = 0;
	struct vt_source_window window = {0};
	struct vt_session_options opt = {.method = VT_SYNC_AUTO};
	struct vt_hints hints = {0};
	struct vt_cli_session cs = {0};
	int rc = VT_EXIT_USAGE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int shared = vt_sync_option("sync", c, optarg, &hints, &opt.method);
		if (!shared)
			shared = vt_window_option("sync", c, optarg, &window, &windowed);
		if (!shared)
			shared = vt_reader_option("sync", c, optarg, &opt.reader);
		if (shared < 0)
			goto out;
		if (shared)
			continue;
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'P':
			opt.ignore_pings = 1;
			break;
		case 'h':
			usage(stdout);
			rc = VT_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vmtrace sync: no PATH given\n");
		usage(stderr);
		goto out;
	}
	rc = VT_EXIT_FAIL;
	opt.window = windowed ? &window : NULL;
	if (!vt_cli_session_new(&cs, "sync", &opt, &hints))
		goto out;
	int failed = 0;
	struct vt_error err = {0};
	for (int i = optind; i < argc; i++)
		if (vt_cli_session_read(&cs, argv[i], &err)) {
			fprintf(stderr, "vmtrace sync: %s\n", err.msg);
			failed = 1;
		}
	if (vt_session_trace_count(cs.s) && vt_session_sync(cs.s, &err)) {
		fprintf(stderr, "vmtrace sync: %s\n", err.msg);
		failed = 1;
	}
	const struct vt_machines *m = vt_session_machines(cs.s);
	const struct vt_sync_result *r = vt_session_clocks(cs.s);
	struct vt_inputs in = vt_inputs_of(cs.s);
	enum vt_sync_method method = opt.method;
	if (r) {
		for (size_t k = 0; k < r->count; k++)
			failed |= r->machines[k].quality == VT_SYNC_FAIL;
		if (json) {
			json_t *doc = json_object();
			json_object_set_new(doc, "method", json_string(vt_sync_method_name(method)));
			json_object_set_new(doc, "root", json_integer(r->root));
			json_object_set_new(doc, "machines", vt_machines_json(m, &in));
			json_object_set_new(doc, "untraced_guests", vt_untraced_json(m));
			json_object_set_new(doc, "clocks", sync_json(m, r));
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			printf("\n");
			json_decref(doc);
		} else {
			print_text(m, r);
		}
	}
	rc = failed ? VT_EXIT_FAIL : VT_EXIT_OK;
out:
	vt_session_free(cs.s);
	vt_hints_free(&hints);
	return rc;
}
