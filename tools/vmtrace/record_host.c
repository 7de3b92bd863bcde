/* The host's side of `vmtrace record`: an LTTng session (kernel + the agent's
 * UST events) or a tracefs instance of our own, sized from the CPU count,
 * and vmtraced writing the guests' identities into it. */
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/output.h"
#include "record/ftrace_assemble.h"
#include "record/ftrace_rec.h"
#include "record/proc_run.h"

/* The ftrace events the analysis reads (docs/record.md); absent ones are skipped. */
static const char *const ftrace_events[] = {
	"kvm:kvm_entry", "kvm:kvm_exit", "kvm:kvm_userspace_exit", "kvm:kvm_hypercall", "kvm:kvm_pio",
	"kvm:kvm_msr", "kvm:kvm_inj_virq", "sched:sched_switch", "sched:sched_wakeup", "sched:sched_wakeup_new",
	"sched:sched_process_fork", "sched:sched_process_exec", "sched:sched_process_exit",
	"irq:irq_handler_entry", "irq:irq_handler_exit", "irq:softirq_entry", "irq:softirq_exit",
	"net:net_dev_queue", "net:netif_receive_skb",
	"timer:hrtimer_expire_entry", /* the host's ticks: its guest_time is sampled at them */
};

/* Per-CPU buffer: a sixteenth of the memory shared by the CPUs, 1 to 32 MiB each. */
static unsigned buffer_kb_per_cpu(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (cpus < 1 || pages < 1 || psz < 1)
		return 4096;
	unsigned long long kb = (unsigned long long)pages * (unsigned long long)psz / 1024 / 16 / (unsigned long long)cpus;
	return kb < 1024 ? 1024 : kb > 32768 ? 32768 : (unsigned)kb;
}

static unsigned pow2_floor(unsigned v)
{
	unsigned p = 1;
	while (p * 2 <= v)
		p *= 2;
	return p;
}

/* A running vmtraced not started by us (its comm in /proc), 0 when none. */
static pid_t running_agent(const struct vt_agent_paths *paths)
{
	DIR *d = opendir(vt_agent_proc(paths));
	if (!d)
		return 0;
	struct dirent *e;
	pid_t found = 0;
	while (!found && (e = readdir(d))) {
		char *end, path[512], comm[32] = "";
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%ld/comm", vt_agent_proc(paths), pid);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "vmtraced\n"))
				found = (pid_t)pid;
			fclose(f);
		}
	}
	closedir(d);
	return found;
}

/* The agent program: --vmtraced, else beside this vmtrace, else on PATH. */
static int find_agent(const struct vt_rec_opts *o, char *out, size_t size)
{
	if (o->vmtraced) {
		snprintf(out, size, "%s", o->vmtraced);
		return access(out, X_OK) == 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(out, size, "%s/vmtraced", self) < (int)size && access(out, X_OK) == 0)
				return 1;
		}
	}
	const char *path = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof(dirs), "%s:/usr/local/sbin:/usr/sbin", path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/vmtraced", dir);
		if (access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Starts vmtraced with these sinks (and marker file); its log beside the trace. */
static void start_agent(struct vt_rec_host *h, const struct vt_rec_opts *o, const char *sinks, const char *marker)
{
	char prog[PATH_MAX], log[4200];
	if (!find_agent(o, prog, sizeof(prog))) {
		snprintf(h->agent_note, sizeof(h->agent_note),
			 "vmtraced not found (beside vmtrace or on PATH): guests are named by record.json only");
		return;
	}
	snprintf(log, sizeof(log), "%s/vmtraced.log", h->dir);
	const char *argv[10] = {prog, "--sinks", sinks};
	size_t n = 3;
	if (o->snapshot) { /* a snapshot taken by hand (lttng snapshot record) holds a dump too */
		argv[n++] = "--dump-every";
		argv[n++] = "5";
	}
	if (marker) {
		argv[n++] = "--ftrace-marker";
		argv[n++] = marker;
	}
	if (o->paths.debugfs) {
		argv[n++] = "--debugfs";
		argv[n++] = o->paths.debugfs;
	}
	argv[n] = NULL;
	struct vt_error err;
	pid_t pid = vt_proc_spawn(argv, NULL, log, &err);
	if (pid < 0) {
		if (snprintf(h->agent_note, sizeof(h->agent_note), "vmtraced: %s", err.msg) >= (int)sizeof(h->agent_note))
			h->agent_note[sizeof(h->agent_note) - 1] = '\0';
		return;
	}
	h->agent = pid;
	h->agent_ours = 1;
}

/* Until our agent's first statedump is written (its log says it is watching:
 * it says so after the dump), at most 10 s: a recording shorter than a slow
 * dump (many guests, silent QMP monitors) would otherwise hold none. */
static void wait_agent_ready(struct vt_rec_host *h)
{
	char log[4200];
	snprintf(log, sizeof(log), "%s/vmtraced.log", h->dir);
	for (int i = 0; i < 200 && h->agent > 0 && kill(h->agent, 0) == 0; i++) {
		char buf[8192] = "";
		FILE *f = fopen(log, "r");
		if (f) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = '\0';
			fclose(f);
		}
		if (strstr(buf, "watching KVM uevents"))
			return;
		usleep(50000);
	}
}

static int make_dir(const char *dir, struct vt_error *err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
	return 0;
}

static int start_lttng(struct vt_rec_host *h, const struct vt_rec_opts *o, struct vt_error *err)
{
	struct vt_lttng_session *s = &h->lttng;
	/* The agent's log goes there before the session writes into it. */
	if (make_dir(h->dir, err) < 0)
		return -1;
	if (vt_lttng_prepare(s, 1, err) < 0)
		return -1;
	snprintf(h->tracer_version, sizeof(h->tracer_version), "lttng %s", s->version);
	unsigned per_cpu = o->host_buffer_kb ? o->host_buffer_kb : buffer_kb_per_cpu();
	unsigned subbuf = pow2_floor(per_cpu / 8 < 64 ? 64 : per_cpu / 8);
	/* The agent first: it dumps once the session turns its events on. */
	h->agent = o->no_agent ? 0 : running_agent(&o->paths);
	if (!h->agent && !o->no_agent)
		start_agent(h, o, "ust", NULL);
	if (vt_lttng_setup(s, h->dir, o->snapshot, 1, !o->no_agent, subbuf, 8, err) < 0 || vt_lttng_start(s, err) < 0)
		return -1;
	/* The agent checks every 100 ms whether its events are on, and dumps at the second check. */
	if (h->agent > 0)
		usleep(400000);
	snprintf(h->missing, sizeof(h->missing), "%s", s->missing);
	snprintf(h->clock, sizeof(h->clock), "monotonic");
	return 0;
}

static int start_ftrace(struct vt_rec_host *h, const struct vt_rec_opts *o, struct vt_error *err)
{
	snprintf(h->capture, sizeof(h->capture), "%s/capture", h->dir);
	snprintf(h->dat, sizeof(h->dat), "%s/host.dat", h->dir);
	struct vt_ftrace_rec_options fo = {
		.events = ftrace_events,
		.nevents = sizeof(ftrace_events) / sizeof(ftrace_events[0]),
		.buffer_kb = o->host_buffer_kb ? o->host_buffer_kb : buffer_kb_per_cpu() / (o->snapshot ? 1 : 4),
		.overwrite = o->snapshot,
		.capture_dir = h->capture,
	};
	if (vt_ftrace_rec_start(&h->ftrace, &fo, err) < 0)
		return -1;
	snprintf(h->tracer_version, sizeof(h->tracer_version), "ftrace");
	snprintf(h->clock, sizeof(h->clock), "%s", vt_ftrace_rec_clock(h->ftrace));
	size_t n = 0;
	for (const char *m; (m = vt_ftrace_rec_skipped(h->ftrace, n)); n++)
		snprintf(h->missing + strlen(h->missing), sizeof(h->missing) - strlen(h->missing), "%s%s",
			 n ? "," : "", m);
	char marker[4200];
	snprintf(marker, sizeof(marker), "%s/trace_marker", vt_ftrace_rec_instance(h->ftrace));
	if (!o->no_agent) {
		start_agent(h, o, "ftrace", marker);
		wait_agent_ready(h);
	}
	return 0;
}

int vt_rec_host_start(struct vt_rec_host *h, const struct vt_rec_opts *o, struct vt_error *err)
{
	h->tracer = o->tracer;
	snprintf(h->dir, sizeof(h->dir), "%s/host", o->outdir);
	if (h->tracer == VT_REC_FTRACE && make_dir(h->dir, err) < 0)
		return -1;
	int rc = h->tracer == VT_REC_LTTNG ? start_lttng(h, o, err) : start_ftrace(h, o, err);
	if (rc < 0) {
		vt_rec_host_abort(h);
		return -1;
	}
	h->running = 1;
	/* The host's ticks among its hrtimer events: analyze samples guest time
	 * at them as the kernel's guest_time does (docs/analyze.md). */
	if (vt_kacct_symbol(&o->paths, "tick_sched_timer", &h->tick_function) < 0)
		h->tick_function = 0;
	return 0;
}

int vt_rec_host_poll(struct vt_rec_host *h, struct vt_error *err)
{
	h->bytes = vt_rec_tree_bytes(h->dir);
	if (h->tracer == VT_REC_FTRACE)
		return h->ftrace ? vt_ftrace_rec_stats(h->ftrace, &h->events, &h->lost, err) : 0;
	uint64_t discarded = 0, packets = 0;
	if (vt_lttng_lost(&h->lttng, &discarded, &packets, err) < 0)
		return -1;
	h->lost = discarded;
	return 0;
}

/* The agent dumps again (its SIGUSR1); a moment for the lines to land. */
static void agent_dump_now(struct vt_rec_host *h)
{
	if (h->agent > 0 && kill(h->agent, SIGUSR1) == 0)
		usleep(300000);
}

int vt_rec_host_snapshot(struct vt_rec_host *h, struct vt_error *err)
{
	agent_dump_now(h);
	int rc;
	if (h->tracer == VT_REC_LTTNG) {
		struct vt_proc_result r;
		const char *argv[] = {"lttng", "regenerate", "statedump", "-s", h->lttng.name, NULL};
		if (vt_proc_run(argv, 30000, 1 << 16, &r, NULL) == 0)
			vt_proc_result_free(&r);
		rc = vt_lttng_snapshot(&h->lttng, err);
	} else {
		rc = vt_ftrace_rec_snapshot(h->ftrace, err);
	}
	if (rc == 0)
		h->snapshots++;
	return rc;
}

/* Our agent: stopped once (it holds the instance's trace_marker open, which
 * tracefs needs closed to remove the instance). */
static void stop_agent(struct vt_rec_host *h)
{
	if (h->agent > 0 && h->agent_ours && !h->agent_stopped)
		vt_proc_stop(h->agent, 3000);
	h->agent_stopped = 1;
}

int vt_rec_host_stop(struct vt_rec_host *h, struct vt_error *err)
{
	if (!h->running)
		return 0;
	h->running = 0;
	/* The agent first: as it stops it writes the kernel's last books, which
	 * must land in the trace (and its trace_marker must be closed for ftrace). */
	stop_agent(h);
	if (h->tracer == VT_REC_LTTNG)
		return vt_lttng_stop(&h->lttng, err);
	/* The last figures before the recorder goes. */
	struct vt_error ignore;
	vt_ftrace_rec_stats(h->ftrace, &h->events, &h->lost, &ignore);
	int rc = vt_ftrace_rec_stop(h->ftrace, err);
	h->ftrace = NULL;
	return rc;
}


int vt_rec_host_finish(struct vt_rec_host *h, struct vt_error *err)
{
	stop_agent(h);
	if (h->tracer == VT_REC_LTTNG) {
		struct vt_error e2;
		if (vt_lttng_lost(&h->lttng, &h->lost, &(uint64_t){0}, &e2) < 0)
			h->lost = 0;
		vt_lttng_teardown(&h->lttng);
		h->bytes = vt_rec_tree_bytes(h->dir);
		return 0;
	}
	struct vt_ftrace_assembly a;
	if (vt_ftrace_assemble(h->capture, h->dat, &a, err) < 0)
		return -1; /* the capture folder stays: nothing recorded is lost */
	h->lost = a.lost;
	vt_remove_tree(h->capture);
	h->bytes = vt_rec_tree_bytes(h->dir);
	return 0;
}

void vt_rec_host_abort(struct vt_rec_host *h)
{
	struct vt_error ignore;
	if (h->ftrace)
		vt_ftrace_rec_stop(h->ftrace, &ignore);
	h->ftrace = NULL;
	if (h->tracer == VT_REC_LTTNG && h->lttng.name[0])
		vt_lttng_stop(&h->lttng, &ignore);
	stop_agent(h);
	if (h->tracer == VT_REC_LTTNG)
		vt_lttng_teardown(&h->lttng);
	h->running = 0;
}
