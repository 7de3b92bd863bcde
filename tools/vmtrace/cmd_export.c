/* vmtrace export: the analysis for other tools. --perfetto writes the model's
 * intervals and the matched messages as trace-event JSON (Perfetto, Chrome's
 * about:tracing); --ctf rewrites every CTF trace in the host's time. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "common/output.h"
#include "commands.h"
#include "inputs.h"
#include "vmtrace/report.h"
#include "vmtrace/sync_pairs.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace export (--perfetto FILE | --ctf OUTDIR)... [--method M] [--guest UUID=PID]... [PATH...]\n\n"
		     "Identifies the machines and synchronizes their clocks as vmtrace analyze does, then\n"
		     "  --perfetto FILE   writes the vCPU, guest-thread and pCPU intervals and the messages\n"
		     "                    between machines as Trace Event JSON: open it in ui.perfetto.dev\n"
		     "                    or chrome://tracing (one process per machine, ts in us, ns kept)\n"
		     "  --ctf OUTDIR      rewrites every CTF trace into OUTDIR with its timestamps in the\n"
		     "                    host's time: babeltrace2 OUTDIR interleaves host and guests;\n"
		     "                    OUTDIR must not exist (or be empty)\n"
		     "  --method M        clock synchronization, as for vmtrace sync (default auto)\n"
		     "  --guest UUID=PID  the guest with this DMI uuid runs in QEMU process PID\n"
		     VT_WINDOW_HELP
		     "                          (--perfetto only; the host's time, as analyze)\n"
		     VT_READER_HELP
		     "  -h, --help        this help\n\n"
		     "With no PATH, simulates the bundled example. Files are written under a temporary\n"
		     "name and renamed when whole: a failed or interrupted run leaves nothing behind.\n"
		     "See docs/reports.md.\n");
}

struct flows {
	struct vt_perfetto *p;
	const struct vt_analysis *a;
	size_t n;
};

static void on_pair(void *ctx, const struct vt_msg_pair *pair)
{
	struct flows *fl = ctx;
	const struct vt_machines *m = fl->a->m;
	if (pair->send_trace >= m->ntraces || pair->recv_trace >= m->ntraces)
		return;
	size_t from = m->trace_machine[pair->send_trace], to = m->trace_machine[pair->recv_trace];
	if (from == to || from >= fl->a->r->count || to >= fl->a->r->count)
		return;
	int64_t s = vt_clock_to_ref(&fl->a->r->machines[from], pair->send_ns);
	int64_t r = vt_clock_to_ref(&fl->a->r->machines[to], pair->recv_ns);
	if (s < 0 || r < 0)
		return;
	vt_perfetto_flow(fl->p, (int)from, pair->send_tid, (uint64_t)s, (int)to, pair->recv_tid, (uint64_t)r,
			 pair->vmsync ? "vmsync" : "TCP");
	fl->n++;
}

static int export_perfetto(struct vt_analysis *a, const char *path)
{
	uint64_t first, last;
	if (vt_report_time_range(a->in.traces, a->in.ntraces, a->m, a->r, &first, &last)) {
		fprintf(stderr, "vmtrace export: no events to export\n");
		return -1;
	}
	struct vt_output out;
	struct vt_error err = {0};
	if (vt_output_open(&out, path, &err)) {
		fprintf(stderr, "vmtrace export: %s\n", err.msg);
		return -1;
	}
	struct vt_perfetto *p = vt_perfetto_new(out.f, a->m, first, &err);
	struct flows fl = {p, a, 0};
	int ok = 0;
	if (!p) {
		fprintf(stderr, "vmtrace export: %s\n", err.msg);
		goto out;
	}
	a->output = out.f; /* a failed write stops the model: the close below says why */
	struct vt_model_sink sink = vt_perfetto_sink(p);
	if (vt_analysis_model(a, "export", 0, &sink) && !ferror(out.f))
		goto out;
	vt_sync_message_pairs(vt_session_syncer(a->cs.s), on_pair, &fl);
	vt_perfetto_finish(p, a->model); /* a write error stays in out.f for the close */
	ok = 1;
out:
	a->output = NULL;
	vt_perfetto_free(p);
	if (vt_output_close(&out, ok, &err)) {
		if (ok)
			fprintf(stderr, "vmtrace export: %s\n", err.msg);
		return -1;
	}
	fprintf(stderr, "vmtrace export: wrote %s (%zu messages as flows)\n", path, fl.n);
	return 0;
}

static int export_ctf(struct vt_analysis *a, const char *outdir)
{
	struct vt_error err = {0};
	size_t done, skipped;
	uint64_t events;
	if (vt_ctf_export(a->in.traces, a->in.ntraces, a->m, a->r, outdir, &done, &skipped, &events, &err)) {
		fprintf(stderr, "vmtrace export: %s\n", err.msg);
		return -1;
	}
	char clock[300] = "host time";
	if (a->host < 0 && a->r->root >= 0) /* guests alone: the reference is one of them */
		snprintf(clock, sizeof(clock), "the time of %s (no host trace)", vt_report_machine_name(a->m, a->r->root));
	fprintf(stderr, "vmtrace export: wrote %zu CTF trace%s (%llu events) in %s into %s\n", done, done == 1 ? "" : "s",
		(unsigned long long)events, clock, outdir);
	if (skipped)
		fprintf(stderr, "vmtrace export: %zu trace.dat file%s not exported (only CTF traces are rewritten)\n",
			skipped, skipped == 1 ? "" : "s");
	return 0;
}

int vt_cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{"perfetto", required_argument, NULL, 'p'},
		{"ctf", required_argument, NULL, 'c'},
		{"method", required_argument, NULL, 'm'},
		{"guest", required_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		VT_WINDOW_OPTIONS,
		VT_READER_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *perfetto = NULL, *ctf = NULL;
	enum vt_sync_method method = VT_SYNC_AUTO;
	struct vt_analysis a;
	if (vt_analysis_init(&a)) {
		fprintf(stderr, "vmtrace export: out of memory\n");
		vt_analysis_free(&a);
		return VT_EXIT_FAIL;
	}
	int rc = VT_EXIT_USAGE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int shared = vt_sync_option("export", c, optarg, &a.hints, &method);
		if (!shared)
			shared = vt_window_option("export", c, optarg, &a.window, &a.windowed);
		if (!shared)
			shared = vt_reader_option("export", c, optarg, &a.reader);
		if (shared < 0)
			goto out;
		if (shared)
			continue;
		switch (c) {
		case 'p':
			perfetto = optarg;
			break;
		case 'c':
			ctf = optarg;
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
	if (!perfetto && !ctf) {
		fprintf(stderr, "vmtrace export: nothing to export: give --perfetto FILE or --ctf OUTDIR\n");
		usage(stderr);
		goto out;
	}
	if (ctf && a.windowed) {
		fprintf(stderr, "vmtrace export: --begin/--end cut --perfetto only: --ctf copies whole traces "
				"(cut them with babeltrace2 --begin/--end)\n");
		goto out;
	}
	rc = VT_EXIT_FAIL;
	/* CTF needs only the clocks: guests alone are rewritten onto the root's */
	a.hostless_ok = !perfetto;
	if (vt_analysis_prepare(&a, "export", argv + optind, argc - optind, method))
		goto out;
	if (ctf && export_ctf(&a, ctf))
		goto out;
	if (perfetto && export_perfetto(&a, perfetto))
		goto out;
	rc = a.partial ? VT_EXIT_FAIL : VT_EXIT_OK;
out:
	vt_analysis_free(&a);
	return rc;
}
