/* vmtrace-sim SCENARIO.json -o DIR [--seed N] [--duration-ms MS] [--snapshot-from-ms MS]
 * [--format F] [--stats]:
 * writes one CTF trace (or trace-cmd file, or both) per simulated machine and
 * truth.json into DIR. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/output.h"
#include "dat.h"
#include "outdir.h"
#include "sim/sim.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vmtrace-sim SCENARIO.json -o DIR [options]\n"
		"\n"
		"Simulates a KVM host and its guests as the scenario describes, and writes\n"
		"LTTng-layout CTF traces (DIR/host/kernel, DIR/<guest>/kernel, and the agent's\n"
		"DIR/<machine>/ust/... traces), or trace-cmd files (DIR/<machine>.dat), plus\n"
		"DIR/truth.json, the ground truth.\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR       folder to write into (required): created, or empty,\n"
		"                         or an earlier vmtrace-sim output (its traces are replaced);\n"
		"                         written whole or not at all (a failed or interrupted run\n"
		"                         leaves nothing behind)\n"
		"  -s, --seed N           seed (default: the scenario's); same seed, same bytes\n"
		"  -d, --duration-ms MS   traced duration, overriding the scenario's\n"
		"      --snapshot-from-ms MS\n"
		"                         write a flight-recorder snapshot: drop every event of\n"
		"                         the first MS ms (statedumps and forks too) from every\n"
		"                         trace; truth.json describes the rest, the window\n"
		"  -f, --format F         ctf (default: CTF 1.8, as LTTng 2.13 writes it), ctf2 (the\n"
		"                         same data streams with CTF 2 metadata laid out as LTTng\n"
		"                         2.14 writes it: lttng-modules' for kernel traces,\n"
		"                         lttng-sessiond's for UST), dat (trace-cmd trace.dat\n"
		"                         files), or both (ctf and dat)\n"
		"      --dat-clock C      clock of the .dat files: auto (default: x86-tsc when the\n"
		"                         scenario runs the agent, else mono), x86-tsc, or mono\n"
		"      --stats            print events, wall time and events/s on stderr\n"
		"  -h, --help             this help\n"
		"\n"
		"Scenario format: docs/scenarios.md; truth.json: docs/truth.md;\n"
		".dat files: docs/tracecmd.md.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return -1;
	*out = v;
	return 0;
}

/* The CTF traces of a dat-only run are written aside, then removed: the
 * simulator writes truth.json beside its CTF traces. */
#define CTF_ASIDE ".vmtrace-sim-ctf"

static int run(const struct vt_sim_scenario *sc, struct vt_sim_options *opt, int ctf, int dat,
	       enum vt_dat_clock clock, struct vt_sim_stats *st, struct vt_error *err)
{
	if (!dat)
		return vt_sim_run(sc, opt, st, err);
	const char *dir = opt->outdir;
	char aside[4400], from[4500], to[4500];
	snprintf(aside, sizeof(aside), "%s/" CTF_ASIDE, dir);
	struct vt_sim_dat *d;
	if (vt_sim_dat_open(&d, sc, dir, clock, err))
		return -1;
	struct vt_sim_options o = *opt;
	o.outdir = ctf ? dir : aside;
	o.on_event = vt_sim_dat_on_event;
	o.on_event_arg = d;
	if (vt_sim_run(sc, &o, st, err)) {
		vt_sim_dat_abort(d);
		return -1;
	}
	if (vt_sim_dat_close(d, err))
		return -1;
	if (ctf)
		return 0;
	snprintf(from, sizeof(from), "%s/truth.json", aside);
	snprintf(to, sizeof(to), "%s/truth.json", dir);
	if (rename(from, to))
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", to, strerror(errno));
	if (vt_remove_tree(aside))
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", aside, strerror(errno));
	return 0;
}

/* An error about the temporary folder names DIR, where the user looks. */
static void say(const char *msg, const struct vt_sim_outdir *o)
{
	size_t l = strlen(o->tmp);
	if (l && !strncmp(msg, o->tmp, l))
		fprintf(stderr, "vmtrace-sim: %s%s\n", o->dir, msg + l);
	else
		fprintf(stderr, "vmtrace-sim: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"duration-ms", required_argument, NULL, 'd'},
		{"snapshot-from-ms", required_argument, NULL, 'F'},
		{"stats", no_argument, NULL, 'S'},
		{"format", required_argument, NULL, 'f'},
		{"dat-clock", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vt_sim_options opt = {0};
	int stats = 0, ctf = 1, dat = 0, c;
	enum vt_dat_clock dat_clock = VT_DAT_CLOCK_AUTO;
	uint64_t ms;
	while ((c = getopt_long(argc, argv, "o:s:d:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.outdir = optarg;
			break;
		case 's':
			if (parse_u64(optarg, &opt.seed)) {
				fprintf(stderr, "vmtrace-sim: --seed: not a number: %s\n", optarg);
				return 2;
			}
			opt.has_seed = 1;
			break;
		case 'd':
			if (parse_u64(optarg, &ms) || ms == 0 || ms > 3600000) {
				fprintf(stderr, "vmtrace-sim: --duration-ms: must be 1 to 3600000: %s\n", optarg);
				return 2;
			}
			opt.duration_ns = ms * 1000000ull;
			break;
		case 'F': /* checked against the duration by vt_sim_run */
			if (parse_u64(optarg, &ms) || ms == 0 || ms > 3600000) {
				fprintf(stderr, "vmtrace-sim: --snapshot-from-ms: must be 1 to 3600000: %s\n", optarg);
				return 2;
			}
			opt.snapshot_from_ns = ms * 1000000ull;
			break;
		case 'S':
			stats = 1;
			break;
		case 'f':
			opt.ctf2 = !strcmp(optarg, "ctf2");
			ctf = !strcmp(optarg, "ctf") || !strcmp(optarg, "both") || opt.ctf2;
			dat = !strcmp(optarg, "dat") || !strcmp(optarg, "both");
			if (!ctf && !dat) {
				fprintf(stderr, "vmtrace-sim: --format: ctf, ctf2, dat or both: %s\n", optarg);
				return 2;
			}
			break;
		case 'C':
			if (!strcmp(optarg, "auto"))
				dat_clock = VT_DAT_CLOCK_AUTO;
			else if (!strcmp(optarg, "x86-tsc") || !strcmp(optarg, "tsc"))
				dat_clock = VT_DAT_CLOCK_TSC;
			else if (!strcmp(optarg, "mono"))
				dat_clock = VT_DAT_CLOCK_MONO;
			else {
				fprintf(stderr, "vmtrace-sim: --dat-clock: auto, x86-tsc or mono: %s\n", optarg);
				return 2;
			}
			break;
		case 'h': {
			usage(stdout);
			struct vt_error err;
			if (vt_stdout_close(&err) == 0)
				return 0;
			fprintf(stderr, "vmtrace-sim: %s\n", err.msg);
			return 1;
		}
		default: /* getopt said what */
			fprintf(stderr, "vmtrace-sim: see vmtrace-sim --help\n");
			return 2;
		}
	}
	if (optind != argc - 1 || !opt.outdir) {
		fprintf(stderr, "vmtrace-sim: %s (see vmtrace-sim --help)\n",
			optind >= argc ? "missing SCENARIO.json" : optind < argc - 1 ? "one scenario only" : "missing -o DIR");
		return 2;
	}
	vt_cleanup_on_signals("vmtrace-sim"); /* an interrupted run leaves nothing behind */
	struct vt_error err = {0};
	struct vt_sim_scenario *sc;
	if (vt_sim_scenario_load(&sc, argv[optind], &err)) {
		fprintf(stderr, "vmtrace-sim: %s\n", err.msg);
		return 1;
	}
	char why[4400];
	struct vt_sim_outdir out;
	if (vt_sim_outdir_open(&out, opt.outdir, why, sizeof(why))) {
		fprintf(stderr, "vmtrace-sim: %s\n", why);
		vt_sim_scenario_free(sc);
		return 1;
	}
	opt.outdir = out.tmp;
	struct vt_sim_stats st;
	int rc = run(sc, &opt, ctf, dat, dat_clock, &st, &err);
	vt_sim_scenario_free(sc);
	if (rc)
		say(err.msg, &out);
	if (vt_sim_outdir_close(&out, rc == 0, why, sizeof(why))) {
		if (!rc)
			say(why, &out);
		return 1;
	}
	/* --stats: its line is the output asked for; lost (2>/dev/full), the run failed */
	if (stats && (fprintf(stderr,
			"vmtrace-sim: %" PRIu64 " events, %" PRIu64 " messages, %.3f s wall, %.0f events/s; "
			"%.3f s CPU, %.0f events/s of CPU\n",
			st.events, st.messages, st.wall_seconds,
			st.wall_seconds > 0 ? (double)st.events / st.wall_seconds : 0.0, st.cpu_seconds,
			st.cpu_seconds > 0 ? (double)st.events / st.cpu_seconds : 0.0) < 0 ||
		      fflush(stderr) != 0))
		return 1;
	return 0;
}
