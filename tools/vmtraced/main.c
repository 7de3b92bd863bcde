/* vmtraced: writes the guests running on this host (and this machine's identity)
 * into LTTng-UST, ftrace and/or JSON lines, then follows KVM's uevents. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"
#include "ust_sink.h"
#include "agent/agent.h"
#include "vmtrace/version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtraced [OPTIONS]\n\n"
		"The vmtrace agent. Dumps every running KVM guest (QEMU pid, uuid, name, vCPU\n"
		"threads, TSC offsets) and this machine's identity at start, again whenever an\n"
		"LTTng session enables the vmtrace:* events, and on SIGUSR1; then follows KVM's\n"
		"uevents and writes guest_created/guest_destroyed events. Runs in the foreground.\n"
		"Each dump, and the agent as it stops, also writes the kernel's books on each\n"
		"guest (vcpu_books, vm_books: schedstat, guest_time, KVM's exit counters), which\n"
		"`vmtrace analyze` compares with its own figures.\n\n"
		"  -s, --sinks LIST        comma-separated: ust, ftrace, json (default: every one\n"
		"                          available; json goes to stdout)\n"
		"      --once              one dump, then exit\n"
		"      --check-ms N        how often to look whether a session enabled vmtrace:*\n"
		"                          (default 100; 0: never, dump only on SIGUSR1)\n"
		"      --dump-every SECONDS  also dump every SECONDS (0.1 to 86400; default: never):\n"
		"                          a flight-recorder snapshot (lttng snapshot record) keeps\n"
		"                          only its last seconds, so each then holds a dump; run\n"
		"                          `lttng regenerate statedump` before the snapshot too\n"
		"      --no-books          no vcpu_books/vm_books events\n"
		"      --ping[=HZ]         in a KVM guest: a clock ping HZ times a second (0.1 to\n"
		"                          1000; default 10): ping_out, a hypercall the host's\n"
		"                          trace records (kvm_hypercall), ping_back. `vmtrace sync`\n"
		"                          bounds this guest's clock by them (method ping). No\n"
		"                          module and no root needed; costs one VM exit a ping\n"
		"      --trust-root-uevents  also accept uevents sent by root processes (tests)\n"
		"      --ftrace-marker FILE  the ftrace sink writes to FILE, a tracefs instance's\n"
		"                          trace_marker (`vmtrace record` passes its own), instead\n"
		"                          of the top-level /sys/kernel/tracing/trace_marker\n"
		"      --debugfs DIR       read KVM's folders from DIR/kvm instead of\n"
		"                          /sys/kernel/debug/kvm (tests)\n"
		"  -h, --help              this help\n"
		"      --version           print the version\n\n"
		"Needs root for debugfs (tsc-offset) and trace_marker; without root it still\n"
		"dumps QEMU processes from /proc and follows creations and destructions.\n"
		"Only processes that hold a KVM VM fd or have a debugfs folder are written as\n"
		"guests: any user can name a process qemu-system-x86_64 and claim any -uuid.\n"
		"Exits 1 when the json sink asked for with --sinks cannot write.\n");
}

/* Checks in a row that found the vmtrace events on (2 once dumped for them). */
static int on_ticks;

/* lttng-ust offers no callback when a session enables our events; this load is the cheapest check.
 * The dump waits until the events have been on at two checks in a row: a starting session attaches
 * our probes a moment before it turns active, and events in between are dropped (seen on a slow,
 * emulated host: a whole statedump missing from the trace). */
static int ust_tick(void *ctx)
{
	(void)ctx;
	if (!vt_ust_enabled()) {
		on_ticks = 0;
		return 0;
	}
	return on_ticks < 2 && ++on_ticks == 2;
}

/* "2", "0.5": seconds to ms; -1 when not a number in 0.1..86400. */
static int64_t parse_period(const char *arg)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0.1 && v <= 86400))
		return -1;
	return (int64_t)(v * 1000 + 0.5);
}

/* "10", "0.5" Hz (NULL: 10) to a period in ms; -1 when not in 0.1..1000. */
static int parse_rate(const char *arg)
{
	if (!arg)
		return 100;
	char *end;
	errno = 0;
	double hz = strtod(arg, &end);
	if (errno || end == arg || *end || !(hz >= 0.1 && hz <= 1000))
		return -1;
	return (int)(1000 / hz + 0.5);
}

static int has_sink(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"sinks", required_argument, NULL, 's'},
		{"once", no_argument, NULL, 'o'},
		{"check-ms", required_argument, NULL, 'c'},
		{"dump-every", required_argument, NULL, 'e'},
		{"trust-root-uevents", no_argument, NULL, 't'},
		{"no-books", no_argument, NULL, 'b'},
		{"ping", optional_argument, NULL, 'p'},
		{"debugfs", required_argument, NULL, 'd'},
		{"ftrace-marker", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *sinks_opt = NULL, *marker_path = NULL;
	struct vt_agent_paths paths = {0};
	int once = 0, trust = 0, check_ms = 100, books = 1, ping_ms = 0, c;
	int64_t dump_every_ms = 0;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sinks_opt = optarg; break;
		case 'o': once = 1; break;
		case 'c': check_ms = atoi(optarg); break;
		case 'e':
			if ((dump_every_ms = parse_period(optarg)) < 0) {
				fprintf(stderr, "vmtraced: --dump-every wants seconds from 0.1 to 86400, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 't': trust = 1; break;
		case 'b': books = 0; break;
		case 'p':
			if ((ping_ms = parse_rate(optarg)) < 0) {
				fprintf(stderr, "vmtraced: --ping wants a rate from 0.1 to 1000 Hz, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd': paths.debugfs = optarg; break;
		case 'm': marker_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("vmtraced %s\n", VT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmtraced: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	const char *list = sinks_opt ? sinks_opt : "ust,ftrace,json";
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (!((n == 3 && !strncmp(p, "ust", 3)) || (n == 6 && !strncmp(p, "ftrace", 6)) ||
		      (n == 4 && !strncmp(p, "json", 4)))) {
			fprintf(stderr, "vmtraced: unknown sink '%.*s' (ust, ftrace, json)\n", (int)n, p);
			return 2;
		}
		p += n + (p[n] == ',');
	}

	struct vt_agent_sink sinks[3];
	size_t nsinks = 0;
	struct vt_marker_sink marker = {-1};
	struct vt_json_sink json;
	struct vt_error err;
	char names[64] = "";
	if (has_sink(list, "ust")) {
		vt_ust_sink_init(&sinks[nsinks++]);
		strcat(names, " ust");
	}
	if (has_sink(list, "ftrace")) {
		if ((marker_path ? vt_marker_sink_open_path(&marker, marker_path, &err)
				 : vt_marker_sink_open(&marker, NULL, &err)) == 0) {
			vt_marker_sink_init(&sinks[nsinks++], &marker);
			strcat(names, " ftrace");
		} else if (sinks_opt) {
			fprintf(stderr, "vmtraced: %s\n", err.msg);
			return 1;
		} else {
			fprintf(stderr, "vmtraced: no ftrace sink: %s\n", err.msg);
		}
	}
	if (has_sink(list, "json")) {
		vt_json_sink_init(&sinks[nsinks++], &json, stdout, "standard output");
		strcat(names, " json");
	}
	if (geteuid() != 0)
		fprintf(stderr, "vmtraced: not root: no debugfs (tsc-offset, scaling) and no trace_marker; "
				"guests still come from /proc and uevents are still followed\n");

	/* Asked for by name, or in a one-shot run, json output that is lost is a failure. */
	int json_matters = has_sink(list, "json") && (once || (sinks_opt && has_sink(sinks_opt, "json")));
	struct vt_agent_loop loop = {.paths = &paths, .sinks = sinks, .nsinks = nsinks, .trust_root = trust,
				     .uevent_fd = -1, .stop_on_sink_error = json_matters, .dump_every_ms = dump_every_ms,
				     .books = books};
	struct vt_pinger pinger;
	if (ping_ms) {
		if (vt_pinger_open(&pinger, &err) < 0) {
			fprintf(stderr, "vmtraced: --ping: %s\n", err.msg);
			return 1;
		}
		loop.ping = &pinger;
		loop.ping_ms = ping_ms;
	}
	int rc = 0;
	if (!once) {
		/* A SIGUSR1 sent as soon as we look ready must not kill us. */
		if (vt_agent_catch_signals(&err) < 0) {
			fprintf(stderr, "vmtraced: %s\n", err.msg);
			return 1;
		}
		/* Open the socket before the dump, so no guest falls between the two. */
		loop.uevent_fd = vt_uevent_open(&err);
		if (loop.uevent_fd < 0) {
			fprintf(stderr, "vmtraced: %s\n", err.msg);
			return 1;
		}
	}
	/* Events already on: the dump at start is theirs. */
	on_ticks = has_sink(list, "ust") && vt_ust_enabled() ? 2 : 0;
	if (vt_agent_loop_statedump(&loop, &err) < 0) {
		fprintf(stderr, "vmtraced: %s\n", err.msg);
		rc = 1;
	} else if (!once) {
		if (has_sink(list, "ust") && check_ms > 0) {
			loop.tick = ust_tick;
			loop.tick_ms = check_ms;
		}
		fprintf(stderr, "vmtraced: sinks:%s; watching KVM uevents\n", names);
		if (vt_agent_loop_run(&loop, &err) < 0) {
			fprintf(stderr, "vmtraced: %s\n", err.msg);
			rc = 1;
		}
		fprintf(stderr, "vmtraced: stopped: %llu created, %llu destroyed, %llu dumps, %llu pings\n",
			(unsigned long long)loop.created, (unsigned long long)loop.destroyed,
			(unsigned long long)loop.statedumps, (unsigned long long)loop.pings);
	}
	if (loop.uevent_fd >= 0)
		close(loop.uevent_fd);
	vt_marker_sink_close(&marker);
	/* What stdio still holds must reach standard output too (said once: not after a sink's error). */
	if (rc == 0 && json_matters && vt_stdout_close(&err) < 0) {
		fprintf(stderr, "vmtraced: %s\n", err.msg);
		rc = 1;
	}
	return rc;
}
