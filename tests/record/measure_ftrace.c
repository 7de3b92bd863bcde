/* Figures of the host ftrace recorder (root; not a test: it prints, asserts
 * nothing; docs/record.md quotes it). Usage: measure_ftrace DIR
 * - overhead: the recorder's own CPU time (its process: the streaming thread
 *   and an idle main thread; the load runs in children) per MB of trace,
 *   under `perf bench sched messaging` then `perf bench sched pipe`
 *   (sched-heavy) with the events of `vmtrace record`;
 * - latency: how long start takes, and from its return to the first event
 *   recorded (a marker written at once; the trace clock is mono, so trace
 *   timestamps and CLOCK_MONOTONIC are one time line);
 * - loss: a moderate load (a sleep/wake loop, ~20k events/s) for 3 s with
 *   the kernel's default buffer: lost events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/ftrace_assemble.h"
#include "record/ftrace_rec.h"

static const char *events[] = {"sched:sched_switch", "sched:sched_wakeup", "sched:sched_wakeup_new",
			       "sched:sched_process_fork", "sched:sched_process_exec", "sched:sched_process_exit",
			       "irq:irq_handler_entry", "irq:irq_handler_exit", "irq:softirq_entry",
			       "irq:softirq_exit", "net:net_dev_queue", "net:netif_receive_skb"};
enum { NEVENTS = sizeof(events) / sizeof(events[0]) };

static double now_s(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
	       ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

static uint64_t raw_bytes(const char *capture)
{
	uint64_t sum = 0;
	for (int c = 0; c < 4096; c++) {
		char p[4300];
		struct stat st;
		if (snprintf(p, sizeof(p), "%s/cpu%d.raw", capture, c) >= (int)sizeof(p))
			break;
		if (stat(p, &st) == 0)
			sum += (uint64_t)st.st_size;
	}
	return sum;
}

static struct vt_ftrace_rec *start(const char *capture, uint32_t kb)
{
	struct vt_ftrace_rec_options o = {.events = events, .nevents = NEVENTS, .buffer_kb = kb,
					  .capture_dir = capture};
	struct vt_ftrace_rec *rec;
	struct vt_error err;
	if (vt_ftrace_rec_start(&rec, &o, &err)) {
		fprintf(stderr, "start: %s\n", err.msg);
		exit(1);
	}
	return rec;
}

static void stop(struct vt_ftrace_rec *rec, uint64_t *events_out, uint64_t *lost)
{
	struct vt_error err;
	vt_ftrace_rec_stats(rec, events_out, lost, &err);
	if (vt_ftrace_rec_stop(rec, &err)) {
		fprintf(stderr, "stop: %s\n", err.msg);
		exit(1);
	}
}

static void overhead(const char *dir)
{
	char capture[4200];
	snprintf(capture, sizeof(capture), "%s/overhead", dir);
	struct vt_ftrace_rec *rec = start(capture, 8192);
	double c0 = cpu_s(), w0 = now_s(CLOCK_MONOTONIC);
	if (system("perf bench sched messaging -g 4 -l 500 >/dev/null 2>&1 && "
		   "perf bench sched pipe -l 300000 >/dev/null 2>&1") != 0)
		fprintf(stderr, "perf bench failed: the load was less\n");
	double c1 = cpu_s(), w1 = now_s(CLOCK_MONOTONIC);
	uint64_t n, lost;
	stop(rec, &n, &lost);
	double mb = (double)raw_bytes(capture) / 1e6;
	printf("overhead: %.1f MB of trace (%llu events, %llu lost) in %.2f s; recorder CPU %.3f s = %.1f ms per MB, "
	       "%.2f %% of one CPU\n",
	       mb, (unsigned long long)n, (unsigned long long)lost, w1 - w0, c1 - c0, 1000 * (c1 - c0) / mb,
	       100 * (c1 - c0) / (w1 - w0));
}

static void latency(const char *dir)
{
	char capture[4200], dat[4300], cmd[4600];
	snprintf(capture, sizeof(capture), "%s/latency", dir);
	snprintf(dat, sizeof(dat), "%s/latency.dat", dir);
	double t0 = now_s(CLOCK_MONOTONIC);
	struct vt_ftrace_rec *rec = start(capture, 0);
	double t1 = now_s(CLOCK_MONOTONIC);
	if (write(vt_ftrace_rec_marker_fd(rec), "first\n", 6) != 6)
		perror("marker");
	uint64_t n, lost;
	usleep(200000);
	stop(rec, &n, &lost);
	struct vt_error err;
	if (vt_ftrace_assemble(capture, dat, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "trace-cmd report -t '%s' | awk '/print:.*first/ {printf \"%%.9f\\n\", $3; exit}'", dat);
	FILE *p = popen(cmd, "r");
	double marker = 0;
	if (!p || fscanf(p, "%lf", &marker) != 1)
		fprintf(stderr, "no marker found\n");
	if (p)
		pclose(p);
	snprintf(cmd, sizeof(cmd), "trace-cmd report -t '%s' | awk 'NR==2 {printf \"%%.9f\\n\", $3; exit}'", dat);
	double first = 0;
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%lf", &first) != 1)
		fprintf(stderr, "no event found\n");
	if (p)
		pclose(p);
	printf("latency: start took %.1f ms; first event %.3f ms after start was called; a marker written on "
	       "return recorded %.3f ms after it\n",
	       1000 * (t1 - t0), 1000 * (first - t0), 1000 * (marker - t1));
}

static void loss(const char *dir)
{
	char capture[4200];
	snprintf(capture, sizeof(capture), "%s/loss", dir);
	struct vt_ftrace_rec *rec = start(capture, 0);
	double w0 = now_s(CLOCK_MONOTONIC);
	/* ~6000 sleep/wake cycles a second over 3 s (each a few events) */
	if (system("i=0; while [ $i -lt 40 ]; do perf bench sched pipe -l 5000 >/dev/null 2>&1; sleep 0.05; "
		   "i=$((i+1)); done") != 0)
		fprintf(stderr, "load failed\n");
	double w1 = now_s(CLOCK_MONOTONIC);
	uint64_t n, lost;
	stop(rec, &n, &lost);
	printf("loss: %llu events in %.2f s (%.0f events/s) with the default buffer: %llu lost\n",
	       (unsigned long long)n, w1 - w0, (double)n / (w1 - w0), (unsigned long long)lost);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: measure_ftrace DIR (root)\n");
		return 2;
	}
	overhead(argv[1]);
	latency(argv[1]);
	loss(argv[1]);
	return 0;
}
