/* vmtrace record: one command records a KVM host and its guests (docs/record.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "common/dirs.h"
#include "common/sigpipe.h"
#include "common/text.h"
#include "record.h"
#include "record/qga.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtrace record [-o DIR] [--tracer lttng|ftrace] [--duration SECONDS]\n"
		"                      [--guest NAME|UUID|PID]... [--no-guests] [--snapshot] [--analyze]\n\n"
		"Records this KVM host and every running guest (root). The host: an LTTng session\n"
		"(kernel + the agent's events) or a tracefs instance of its own, with exactly the\n"
		"events vmtrace reads, buffers sized from the CPU count, and vmtraced writing the\n"
		"guests' identities. Each guest: reached through its QEMU guest agent (qemu-ga over\n"
		"virtio-serial: no network), the same kind of session started in it, stopped at the\n"
		"same moment as the host, its trace brought back. A guest without a reachable agent\n"
		"is recorded from the host side only, and the summary says why.\n\n"
		"  -o, --output DIR        where to write (default ./vmtrace-record-DATE-TIME): new or\n"
		"                          empty; DIR/host, DIR/<guest>, DIR/record.json\n"
		"      --tracer T          lttng or ftrace (default: lttng when its kernel tracer\n"
		"                          loads, else ftrace)\n"
		"  -d, --duration S        stop after S seconds (default: at Ctrl-C)\n"
		"  -g, --guest X           record this guest only (its -name, uuid or QEMU pid; again\n"
		"                          for more)\n"
		"      --no-guests         the host only\n"
		"      --snapshot          flight recorder: nothing written until SIGUSR1 (a snapshot,\n"
		"                          recording goes on) or Ctrl-C (a last snapshot, then stop),\n"
		"                          on every machine at once\n"
		"      --analyze           run `vmtrace analyze DIR` at the end\n"
		"      --force             write into a non-empty DIR\n"
		"      --buffer-kb N       the host's buffer per CPU (default: from CPUs and memory)\n"
		"      --guest-buffer-kb N a guest's buffer per CPU (default 4096)\n"
		"      --guest-timeout S   bound of each guest-agent step (default 30)\n"
		"      --vmtraced PATH     the agent program (default: beside vmtrace, else on PATH)\n"
		"      --no-agent          no identities: no vmtraced on the host, no vmtrace:* events\n"
		"                          in the guests (what identification does without them)\n"
		"      --relay ADDR[:C:D]  LTTng: the guests stream to an lttng-relayd started here,\n"
		"                          listening on ADDR (this host's address the guests reach;\n"
		"                          ports C and D, default 5342 and 5343 or free ones); a guest\n"
		"                          that cannot reach it keeps its trace for the agent to fetch\n"
		"      --debugfs DIR       KVM's folders in DIR/kvm, for vmtrace and the agent (tests)\n"
		"  -h, --help              this help\n\n"
		"Ctrl-C (or --duration) stops every machine and keeps everything; a second Ctrl-C\n"
		"aborts (what was written stays). A guest created while recording is recorded too\n"
		"once its guest agent answers. See vmtrace-record(1) and docs/record.md.\n");
}

static int sig_fd = -1;

static int catch_signals(void)
{
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
	sig_fd = vt_sigpipe_catch(sigs, sizeof(sigs) / sizeof(sigs[0]));
	signal(SIGPIPE, SIG_IGN);
	return sig_fd < 0 ? -1 : 0;
}

static int64_t mono_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		fprintf(stderr, "vmtrace record: %s: a whole number up to %u, not '%s'\n", opt, max, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

enum { OPT_TRACER = 1000, OPT_NO_GUESTS, OPT_SNAPSHOT, OPT_ANALYZE, OPT_FORCE, OPT_BUFFER, OPT_GUEST_BUFFER,
       OPT_GUEST_TIMEOUT, OPT_VMTRACED, OPT_DEBUGFS, OPT_NO_AGENT, OPT_RELAY };

/* Returns 0, 1 for --help (done), or -1 on a bad option (said). */
static int parse_options(int argc, char **argv, struct vt_rec_opts *o)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"tracer", required_argument, NULL, OPT_TRACER},
		{"duration", required_argument, NULL, 'd'},
		{"guest", required_argument, NULL, 'g'},
		{"no-guests", no_argument, NULL, OPT_NO_GUESTS},
		{"snapshot", no_argument, NULL, OPT_SNAPSHOT},
		{"analyze", no_argument, NULL, OPT_ANALYZE},
		{"force", no_argument, NULL, OPT_FORCE},
		{"buffer-kb", required_argument, NULL, OPT_BUFFER},
		{"guest-buffer-kb", required_argument, NULL, OPT_GUEST_BUFFER},
		{"guest-timeout", required_argument, NULL, OPT_GUEST_TIMEOUT},
		{"vmtraced", required_argument, NULL, OPT_VMTRACED},
		{"debugfs", required_argument, NULL, OPT_DEBUGFS},
		{"no-agent", no_argument, NULL, OPT_NO_AGENT},
		{"relay", required_argument, NULL, OPT_RELAY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	o->guest_timeout_s = 30;
	o->select = calloc((size_t)argc, sizeof(*o->select));
	if (!o->select)
		return fprintf(stderr, "vmtrace record: out of memory\n"), -1;
	unsigned v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->outdir = optarg; break;
		case OPT_TRACER:
			if (strcmp(optarg, "lttng") && strcmp(optarg, "ftrace"))
				return fprintf(stderr, "vmtrace record: --tracer: lttng or ftrace, not '%s'\n", optarg), -1;
			o->tracer = strcmp(optarg, "lttng") ? VT_REC_FTRACE : VT_REC_LTTNG;
			o->tracer_chosen = 1;
			break;
		case 'd': {
			char *end;
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration_s > 0) || o->duration_s > 31 * 86400.0)
				return fprintf(stderr, "vmtrace record: --duration: seconds, more than 0, not '%s'\n",
					       optarg), -1;
			break;
		}
		case 'g': o->select[o->nselect++] = optarg; break;
		case OPT_NO_GUESTS: o->no_guests = 1; break;
		case OPT_SNAPSHOT: o->snapshot = 1; break;
		case OPT_ANALYZE: o->analyze = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_BUFFER:
			if (parse_uint("--buffer-kb", optarg, 1u << 22, &v) < 0)
				return -1;
			o->host_buffer_kb = v;
			break;
		case OPT_GUEST_BUFFER:
			if (parse_uint("--guest-buffer-kb", optarg, 1u << 22, &v) < 0)
				return -1;
			o->guest_buffer_kb = v;
			break;
		case OPT_GUEST_TIMEOUT:
			if (parse_uint("--guest-timeout", optarg, 86400, &v) < 0)
				return -1;
			if (v == 0)
				return fprintf(stderr, "vmtrace record: --guest-timeout: at least 1\n"), -1;
			o->guest_timeout_s = (int)v;
			break;
		case OPT_VMTRACED: o->vmtraced = optarg; break;
		case OPT_DEBUGFS: o->paths.debugfs = optarg; break;
		case OPT_NO_AGENT: o->no_agent = 1; break;
		case OPT_RELAY: o->relay = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "vmtrace record: unexpected argument '%s'\n", argv[optind]), -1;
	if (o->no_guests && o->nselect)
		return fprintf(stderr, "vmtrace record: --guest and --no-guests together\n"), -1;
	if (o->relay && o->tracer_chosen && o->tracer != VT_REC_LTTNG)
		return fprintf(stderr, "vmtrace record: --relay: LTTng's relay daemon; not with --tracer ftrace\n"), -1;
	if (o->relay && o->no_guests)
		return fprintf(stderr, "vmtrace record: --relay is for the guests: not with --no-guests\n"), -1;
	if (o->relay)
		o->tracer = VT_REC_LTTNG, o->tracer_chosen = 1;
	return 0;
}

/* An LTTng kernel tracer that loads: its module loaded, or one modprobe can find. */
static int lttng_kernel_likely(void)
{
	struct stat st;
	if (stat("/sys/module/lttng_tracer", &st) == 0)
		return system("command -v lttng >/dev/null 2>&1") == 0;
	return system("command -v lttng >/dev/null 2>&1 && modprobe -n -q lttng-tracer 2>/dev/null") == 0;
}

/* The output folder: made, or an empty one (a non-empty one with --force), with room. */
static int prepare_outdir(struct vt_rec_opts *o, char *made, size_t size)
{
	if (!o->outdir) {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(made, size, "vmtrace-record-%Y%m%d-%H%M%S", &tm);
		o->outdir = made;
	}
	char shown[600];
	vt_text_safe(o->outdir, shown, sizeof(shown));
	struct stat st;
	if (stat(o->outdir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return fprintf(stderr, "vmtrace record: %s: exists and is not a folder\n", shown), -1;
		if (!vt_dir_is_empty(o->outdir) && !o->force)
			return fprintf(stderr, "vmtrace record: %s: not empty (--force to write into it)\n", shown), -1;
	} else if (mkdir(o->outdir, 0755) < 0) {
		return fprintf(stderr, "vmtrace record: %s: cannot create: %s\n", shown, strerror(errno)), -1;
	}
	struct statvfs vfs;
	if (statvfs(o->outdir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < (64u << 20))
		return fprintf(stderr, "vmtrace record: %s: only %" PRIu64 " KiB free: too little to record\n", shown,
			       (uint64_t)vfs.f_bavail * vfs.f_frsize / 1024), -1;
	return 0;
}

/* Room left where the recording goes, in bytes (UINT64_MAX when unknown). */
static uint64_t room(const char *dir)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) != 0)
		return UINT64_MAX;
	return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

struct run {
	struct vt_rec_opts o;
	struct vt_relayd relay;
	struct vt_rec_host host;
	struct vt_rec_guests guests;
	struct vt_rec_summary sum;
	int uevent_fd;
	int tty;
	int stopping, aborting;
	const char *status;
	char error[1024];
	int64_t t0;
};

static void say_error(struct run *r, const char *status, const char *msg)
{
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s", msg);
	r->status = status;
}

static void human_bytes(uint64_t b, char *buf, size_t size)
{
	if (b >= (1u << 30))
		snprintf(buf, size, "%.1f GB", (double)b / (1u << 30));
	else
		snprintf(buf, size, "%.1f MB", (double)b / (1u << 20));
}

/* The live line on a terminal: elapsed time, the host's figures, each guest's state. */
static void status_line(struct run *r)
{
	if (!r->tty)
		return;
	int64_t s = (mono_ns(CLOCK_MONOTONIC) - r->t0) / 1000000000;
	char size[32], guests[512], ev[48] = "";
	human_bytes(r->host.bytes, size, sizeof(size));
	if (r->host.tracer == VT_REC_FTRACE)
		snprintf(ev, sizeof(ev), ", %" PRIu64 " events", r->host.events);
	vt_rec_guests_status(&r->guests, guests, sizeof(guests));
	fprintf(stderr, "\r\033[K[%02" PRId64 ":%02" PRId64 "] host %s%s, lost %" PRIu64 "%s%s  (Ctrl-C stops)",
		s / 60, s % 60, size, ev, r->host.lost, guests[0] ? " | " : "", guests);
	fflush(stderr);
}

/* A KVM guest created while recording (its uevent): into the recording. */
static void on_uevent(struct run *r)
{
	struct vt_uevent ev;
	struct vt_error err;
	if (vt_uevent_recv(r->uevent_fd, 0, &ev, &err) != 1 || ev.action != VT_UEVENT_CREATE)
		return;
	struct vt_guest_info g;
	/* QEMU makes the VM before its vCPU threads: a moment for them to exist. */
	usleep(200000);
	if (vt_agent_read_guest(&r->o.paths, ev.pid, ev.stats_path, &g, &err) == 0 && !g.gone)
		vt_rec_guests_add(&r->guests, &g);
	vt_guest_info_free(&g);
}

static void take_snapshot(struct run *r)
{
	struct vt_error err;
	vt_rec_guests_snapshot(&r->guests);
	if (vt_rec_host_snapshot(&r->host, &err) < 0)
		fprintf(stderr, "\nvmtrace record: snapshot: %s\n", err.msg);
	else if (r->tty)
		fprintf(stderr, "\nvmtrace record: snapshot %u taken\n", r->host.snapshots);
}

/* Signals: the first Ctrl-C stops, a second aborts; SIGUSR1 takes a snapshot. */
static void on_signals(struct run *r)
{
	unsigned char sig[16];
	ssize_t n = read(sig_fd, sig, sizeof(sig));
	for (ssize_t i = 0; i < n; i++) {
		if (sig[i] == SIGUSR1) {
			if (r->o.snapshot)
				take_snapshot(r);
			continue;
		}
		if (r->stopping)
			r->aborting = 1;
		r->stopping = 1;
	}
}

static int write_json(struct run *r);

/* The guests' states as one number: record.json is written again when it changes
 * (a script can wait there for every guest to record). */
static uint64_t states_signature(struct vt_rec_guests *gs)
{
	uint64_t sig = 0;
	pthread_mutex_lock(&gs->mu);
	for (size_t i = 0; i < gs->n; i++)
		sig = sig * 31 + (uint64_t)gs->g[i]->state + 1;
	pthread_mutex_unlock(&gs->mu);
	return sig;
}

/* Records until Ctrl-C, the duration, a full disk or a failed host recorder. */
static void record_loop(struct run *r)
{
	uint64_t written = states_signature(&r->guests);
	int64_t end = r->o.duration_s > 0 ? r->t0 + (int64_t)(r->o.duration_s * 1e9) : 0;
	while (!r->stopping) {
		int64_t now = mono_ns(CLOCK_MONOTONIC);
		int wait = 1000;
		if (end && end - now < 1000000000LL)
			wait = end > now ? (int)((end - now) / 1000000) : 0;
		struct pollfd p[2] = {{sig_fd, POLLIN, 0}, {r->uevent_fd, POLLIN, 0}};
		int n = poll(p, r->uevent_fd >= 0 ? 2 : 1, wait);
		if (n > 0 && (p[0].revents & POLLIN))
			on_signals(r);
		if (n > 0 && r->uevent_fd >= 0 && (p[1].revents & POLLIN))
			on_uevent(r);
		struct vt_error err;
		if (vt_rec_host_poll(&r->host, &err) < 0) {
			say_error(r, "failed", err.msg);
			break;
		}
		if (room(r->o.outdir) < (32u << 20)) {
			say_error(r, "stopped: disk full", "the output's file system is nearly full (32 MiB left)");
			break;
		}
		if (end && mono_ns(CLOCK_MONOTONIC) >= end)
			break;
		uint64_t sig = states_signature(&r->guests);
		if (sig != written) {
			written = sig;
			write_json(r);
		}
		status_line(r);
	}
	if (r->o.snapshot && !r->aborting && !strcmp(r->status, "recording"))
		take_snapshot(r); /* Ctrl-C in flight-recorder mode: the last picture */
}

/* Waits for the guests' fetches; a second Ctrl-C stops waiting. */
static void wait_guests(struct run *r)
{
	for (;;) {
		int busy = 0;
		pthread_mutex_lock(&r->guests.mu);
		for (size_t i = 0; i < r->guests.n; i++)
			busy |= r->guests.g[i]->state < VT_REC_G_DONE;
		pthread_mutex_unlock(&r->guests.mu);
		if (!busy || r->aborting)
			break;
		struct pollfd p = {sig_fd, POLLIN, 0};
		if (poll(&p, 1, 250) > 0)
			on_signals(r);
		if (r->tty) {
			char guests[512];
			vt_rec_guests_status(&r->guests, guests, sizeof(guests));
			fprintf(stderr, "\r\033[Kstopped; bringing the guests' traces back: %s", guests);
		}
	}
	if (r->aborting)
		vt_rec_guests_abort(&r->guests);
	else
		vt_rec_guests_join(&r->guests);
}

/* What was recorded where, and the analyze line. */
static void print_summary(struct run *r)
{
	char size[32], shown[1200];
	human_bytes(r->host.bytes, size, sizeof(size));
	if (r->tty)
		fprintf(stderr, "\r\033[K");
	printf("recorded in %s (%s)\n", vt_text_safe(r->o.outdir, shown, sizeof(shown)), r->status);
	printf("  host     %-9s %s, lost %" PRIu64 " events%s%s\n", r->host.tracer_version, size, r->host.lost,
	       r->host.missing[0] ? "; not in this kernel: " : "", r->host.missing);
	if (r->host.agent_note[0])
		printf("           %s\n", vt_text_safe(r->host.agent_note, shown, sizeof(shown)));
	pthread_mutex_lock(&r->guests.mu);
	for (size_t i = 0; i < r->guests.n; i++) {
		const struct vt_rec_guest *g = r->guests.g[i];
		char name[300], b[32];
		vt_text_safe(g->folder, name, sizeof(name));
		if (g->state == VT_REC_G_DONE) {
			human_bytes(g->bytes, b, sizeof(b));
			printf("  %-8s %-9s %s, lost %s events (QEMU pid %" PRId64 ")\n", name, g->tracer, b,
			       g->has_lost ? (snprintf(shown, sizeof(shown), "%" PRIu64, g->lost), shown) : "?",
			       g->info.pid);
		} else {
			printf("  %-8s %s (QEMU pid %" PRId64 "): %s\n", name, vt_rec_guest_state_name(g->state),
			       g->info.pid, vt_text_safe(g->why, shown, sizeof(shown)));
		}
	}
	if (!r->guests.n)
		printf("  no guest recorded%s\n", r->o.no_guests ? " (--no-guests)" : "");
	pthread_mutex_unlock(&r->guests.mu);
	printf("analyze it: vmtrace analyze %s\n", vt_text_safe(r->o.outdir, shown, sizeof(shown)));
}

static int write_json(struct run *r)
{
	struct vt_error err;
	r->sum = (struct vt_rec_summary){&r->o, &r->host, &r->guests, r->status, r->error,
					 r->sum.start_realtime_ns, r->sum.stop_realtime_ns, r->sum.start_mono_ns,
					 r->sum.stop_mono_ns, r->sum.first_event_ms};
	if (vt_rec_write_json(&r->sum, &err) == 0)
		return 0;
	fprintf(stderr, "vmtrace record: %s\n", err.msg);
	return -1;
}

/* The relay daemon stopped (its files closed), the relayed guests' folders
 * moved into place, its own folder removed when nothing else is left. */
static void stop_relay(struct run *r)
{
	if (!r->o.relay || !r->relay.dir[0])
		return;
	vt_relayd_stop(&r->relay);
	struct vt_error err;
	if (!r->aborting)
		vt_rec_guests_collect(&r->guests);
	if (vt_relayd_finish(&r->relay, &err) < 0)
		fprintf(stderr, "vmtrace record: %s\n", err.msg);
}

/* Starts the host and the guests; 0, or -1 said. */
static int start(struct run *r)
{
	struct vt_error err;
	struct vt_guest_list list = {0};
	if (!r->o.no_guests && vt_agent_statedump(&r->o.paths, &list, &err) < 0) {
		fprintf(stderr, "vmtrace record: %s: recording the host only\n", err.msg);
		memset(&list, 0, sizeof(list));
	}
	if (r->o.relay && (vt_relayd_parse(&r->relay, r->o.relay, &err) < 0 ||
			   vt_relayd_start(&r->relay, r->o.outdir, &err) < 0)) {
		fprintf(stderr, "vmtrace record: %s\n", err.msg);
		vt_guest_list_free(&list);
		return -1;
	}
	if (r->relay.pid > 0) {
		r->guests.relay = &r->relay;
		if (r->tty)
			fprintf(stderr, "vmtrace record: guests stream to lttng-relayd at %s\n", r->relay.url);
	}
	r->uevent_fd = r->o.no_guests ? -1 : vt_uevent_open(&err);
	r->t0 = mono_ns(CLOCK_MONOTONIC);
	r->sum.start_mono_ns = r->t0;
	r->sum.start_realtime_ns = mono_ns(CLOCK_REALTIME);
	if (vt_rec_host_start(&r->host, &r->o, &err) < 0) {
		fprintf(stderr, "vmtrace record: %s\n", err.msg);
		vt_guest_list_free(&list);
		stop_relay(r);
		return -1;
	}
	r->sum.first_event_ms = (mono_ns(CLOCK_MONOTONIC) - r->t0) / 1000000;
	vt_rec_guests_start(&r->guests, &list);
	vt_guest_list_free(&list);
	vt_rec_guests_kacct(&r->guests, &r->o.paths, 0); /* tracing is on: the counters' span lies inside the trace */
	return 0;
}

static int run_record(struct run *r)
{
	if (start(r) < 0)
		return VT_EXIT_FAIL;
	write_json(r); /* an interrupted run still says what it was */
	record_loop(r);
	struct vt_error err;
	/* Every machine at once: the guests' stop scripts begin, the host stops. */
	vt_rec_guests_stop(&r->guests);
	vt_rec_guests_kacct(&r->guests, &r->o.paths, 1); /* still tracing */
	r->sum.stop_mono_ns = mono_ns(CLOCK_MONOTONIC);
	r->sum.stop_realtime_ns = mono_ns(CLOCK_REALTIME);
	if (vt_rec_host_stop(&r->host, &err) < 0)
		say_error(r, "failed", err.msg);
	wait_guests(r);
	stop_relay(r);
	if (vt_rec_host_finish(&r->host, &err) < 0)
		say_error(r, "failed", err.msg);
	if (r->aborting)
		r->status = "aborted";
	else if (!strcmp(r->status, "recording"))
		r->status = "done";
	int json_ok = write_json(r) == 0;
	print_summary(r);
	if (r->error[0])
		fprintf(stderr, "vmtrace record: %s\n", r->error);
	return !json_ok || strcmp(r->status, "done") ? VT_EXIT_FAIL : VT_EXIT_OK;
}


int vt_cmd_record(int argc, char **argv)
{
	static struct run r; /* the signal pipe outlives nothing; static keeps the big struct off the stack */
	memset(&r, 0, sizeof(r));
	int p = parse_options(argc, argv, &r.o);
	if (p != 0) {
		free(r.o.select);
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	}
	char made[128];
	int rc = VT_EXIT_FAIL;
	if (geteuid() != 0) {
		fprintf(stderr, "vmtrace record: needs root (kernel tracing, debugfs, the guests' agents): try sudo\n");
	} else if (prepare_outdir(&r.o, made, sizeof(made)) == 0 && catch_signals() == 0) {
		if (!r.o.tracer_chosen) {
			r.o.tracer = lttng_kernel_likely() ? VT_REC_LTTNG : VT_REC_FTRACE;
			fprintf(stderr, "vmtrace record: tracer %s%s\n", r.o.tracer == VT_REC_LTTNG ? "lttng" : "ftrace",
				r.o.tracer == VT_REC_LTTNG ? "" : " (no LTTng kernel tracer here; --tracer lttng to insist)");
		}
		r.status = "recording";
		r.uevent_fd = -1;
		r.tty = isatty(2);
		vt_rec_guests_init(&r.guests, &r.o);
		rc = run_record(&r);
		if (!r.aborting)
			vt_rec_guests_free(&r.guests); /* aborted: workers may still be in a fetch; exit ends them */
		if (r.uevent_fd >= 0)
			close(r.uevent_fd);
	}
	if (rc == VT_EXIT_OK && r.o.analyze) {
		fflush(stdout);
		char *av[] = {"analyze", (char *)r.o.outdir, NULL};
		rc = vt_cmd_analyze(2, av);
	}
	free(r.o.select);
	return rc;
}
