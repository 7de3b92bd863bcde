/* The host's LTTng session through the lttng command (lttng_ctl.h). */
#include "record/lttng_ctl.h"
#include "record/proc_run.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const vt_lttng_kernel_events[] = {
	"kvm_x86_entry", "kvm_x86_exit", "kvm_x86_msr", "kvm_x86_pio", "kvm_x86_inj_virq",
	"kvm_userspace_exit", "kvm_x86_hypercall", "sched_switch", "sched_wakeup", "sched_wakeup_new",
	"sched_waking", "sched_process_fork", "sched_process_exec", "sched_process_exit",
	"sched_process_free", "sched_migrate_task", "irq_handler_entry", "irq_handler_exit",
	"irq_softirq_entry", "irq_softirq_exit", "net_dev_queue", "net_if_receive_skb",
	"timer_hrtimer_expire_entry", /* the host's ticks: its guest_time is sampled at them */
	"lttng_statedump_start", "lttng_statedump_end", "lttng_statedump_process_state",
};
const size_t vt_lttng_kernel_nevents = sizeof(vt_lttng_kernel_events) / sizeof(vt_lttng_kernel_events[0]);

enum { OUT_MAX = 8 << 20 };

/* Runs `lttng ARGS...`; 0 when it exited 0, else -1 with its last line. */
static int lttng(struct vt_lttng_session *s, struct vt_proc_result *r, struct vt_error *err, const char *const *args)
{
	const char *argv[32] = {"lttng"};
	size_t n = 1;
	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (vt_proc_run(argv, s->timeout_ms ? s->timeout_ms : 30000, OUT_MAX, r, err) < 0)
		return -1;
	if (r->status == 0)
		return 0;
	char line[512];
	vt_proc_last_line(r->err_len ? r->err : r->out, line, sizeof(line));
	if (r->status < 0)
		vt_error_set(err, "lttng %s: no answer within %d s", args[0], (s->timeout_ms ? s->timeout_ms : 30000) / 1000);
	else
		vt_error_set(err, "lttng %s: %s", args[0], line[0] ? line : "failed");
	vt_proc_result_free(r);
	return -1;
}

#define LTTNG(s, r, err, ...) lttng((s), (r), (err), (const char *const[]){__VA_ARGS__, NULL})

static int daemon_answers(struct vt_lttng_session *s)
{
	struct vt_proc_result r;
	struct vt_error e;
	if (LTTNG(s, &r, &e, "list") < 0)
		return 0;
	vt_proc_result_free(&r);
	return 1;
}

/* Starts root's session daemon and waits until it answers (it loads the
 * kernel tracer's modules first: seconds on a slow host). */
static int start_daemon(struct vt_lttng_session *s, struct vt_error *err)
{
	const char *argv[] = {"lttng-sessiond", "--daemonize", NULL};
	struct vt_proc_result r;
	if (vt_proc_run(argv, 60000, OUT_MAX, &r, err) < 0)
		return -1;
	char line[512];
	vt_proc_last_line(r.err, line, sizeof(line));
	int st = r.status;
	vt_proc_result_free(&r);
	if (st != 0)
		return vt_error_set(err, "lttng-sessiond: %s", line[0] ? line : "did not start");
	for (int i = 0; i < 100; i++) {
		if (daemon_answers(s)) {
			/* Root's daemon says its pid here (its run-as helper is a second process). */
			FILE *f = fopen("/var/run/lttng/lttng-sessiond.pid", "r");
			long pid = 0;
			if (f && fscanf(f, "%ld", &pid) == 1 && pid > 1)
				s->sessiond = (pid_t)pid;
			if (f)
				fclose(f);
			return 0;
		}
		usleep(100000);
	}
	return vt_error_set(err, "lttng-sessiond: started, but does not answer after 10 s");
}

int vt_lttng_prepare(struct vt_lttng_session *s, int want_kernel, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "--version") < 0)
		return -1;
	const char *v = strstr(r.out, "2.");
	snprintf(s->version, sizeof(s->version), "%.*s", v ? (int)strcspn(v, " \n") : 0, v ? v : "");
	vt_proc_result_free(&r);
	if (!daemon_answers(s) && start_daemon(s, err) < 0)
		return -1;
	if (!want_kernel)
		return 0;
	if (LTTNG(s, &r, err, "list", "-k") < 0) {
		char why[sizeof(err->msg)];
		memcpy(why, err->msg, sizeof(why));
		return vt_error_set(err, "the LTTng kernel tracer is not available (lttng-modules not installed or "
				    "not loaded: apt-get install lttng-modules-dkms; or use --tracer ftrace): %s", why);
	}
	vt_proc_result_free(&r);
	return 0;
}

/* Is <name>EVENT</name> in lttng's machine-interface list of kernel events? */
static int mi_has_event(const char *xml, const char *event)
{
	char needle[160];
	snprintf(needle, sizeof(needle), "<name>%s</name>", event);
	return strstr(xml, needle) != NULL;
}

/* The events of ours this kernel has, comma-separated, into list; the others into s->missing. */
static int kernel_events(struct vt_lttng_session *s, char *list, size_t size, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "--mi", "xml", "list", "-k") < 0)
		return -1;
	size_t n = 0, m = 0;
	list[0] = s->missing[0] = '\0';
	for (size_t i = 0; i < vt_lttng_kernel_nevents; i++) {
		const char *ev = vt_lttng_kernel_events[i];
		int has = mi_has_event(r.out, ev);
		char *dst = has ? list : s->missing;
		size_t *len = has ? &n : &m, cap = has ? size : sizeof(s->missing);
		int w = snprintf(dst + *len, cap - *len, "%s%s", *len ? "," : "", ev);
		if (w > 0 && *len + (size_t)w < cap)
			*len += (size_t)w;
	}
	vt_proc_result_free(&r);
	if (!n)
		return vt_error_set(err, "lttng list -k: this kernel has none of the events vmtrace reads");
	return 0;
}

int vt_lttng_setup(struct vt_lttng_session *s, const char *output, int snapshot, int kernel, int ust,
		   unsigned subbuf_kb, unsigned nsubbuf, struct vt_error *err)
{
	snprintf(s->name, sizeof(s->name), "vmtrace-%ld-%ld", (long)getpid(), (long)time(NULL));
	snprintf(s->output, sizeof(s->output), "%s", output);
	s->snapshot = snapshot;
	struct vt_proc_result r;
	char out_opt[4200], subbuf[32], num[32], events[2048];
	snprintf(out_opt, sizeof(out_opt), "--output=%s", output);
	if (snapshot ? LTTNG(s, &r, err, "create", s->name, "--snapshot", out_opt) < 0
		     : LTTNG(s, &r, err, "create", s->name, out_opt) < 0)
		return -1;
	vt_proc_result_free(&r);
	if (kernel) {
		snprintf(subbuf, sizeof(subbuf), "--subbuf-size=%uk", subbuf_kb);
		snprintf(num, sizeof(num), "--num-subbuf=%u", nsubbuf);
		if (kernel_events(s, events, sizeof(events), err) < 0 ||
		    LTTNG(s, &r, err, "enable-channel", "-k", "-s", s->name, subbuf, num,
			  snapshot ? "--overwrite" : "--discard", "vmtrace") < 0)
			return -1;
		vt_proc_result_free(&r);
		if (LTTNG(s, &r, err, "enable-event", "-k", "-s", s->name, "-c", "vmtrace", events) < 0)
			return -1;
		vt_proc_result_free(&r);
		if (LTTNG(s, &r, err, "add-context", "-k", "-s", s->name, "-c", "vmtrace", "-t", "pid", "-t", "tid",
			  "-t", "procname") < 0)
			return -1;
		vt_proc_result_free(&r);
		s->kernel = 1;
	}
	if (ust) {
		if (LTTNG(s, &r, err, "enable-event", "-u", "-s", s->name, "vmtrace:*") < 0)
			return -1;
		vt_proc_result_free(&r);
		s->ust = 1;
	}
	return 0;
}

int vt_lttng_start(struct vt_lttng_session *s, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "start", s->name) < 0)
		return -1;
	vt_proc_result_free(&r);
	return 0;
}

int vt_lttng_stop(struct vt_lttng_session *s, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "stop", s->name) < 0)
		return -1;
	vt_proc_result_free(&r);
	return 0;
}

int vt_lttng_snapshot(struct vt_lttng_session *s, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "snapshot", "record", "-s", s->name) < 0)
		return -1;
	vt_proc_result_free(&r);
	return 0;
}

uint64_t vt_lttng_mi_sum(const char *xml, const char *tag)
{
	char open[64];
	snprintf(open, sizeof(open), "<%s>", tag);
	uint64_t sum = 0;
	for (const char *p = xml; (p = strstr(p, open)); p += strlen(open))
		sum += strtoull(p + strlen(open), NULL, 10);
	return sum;
}

int vt_lttng_lost(struct vt_lttng_session *s, uint64_t *discarded, uint64_t *lost_packets, struct vt_error *err)
{
	struct vt_proc_result r;
	if (LTTNG(s, &r, err, "--mi", "xml", "list", s->name) < 0)
		return -1;
	*discarded = vt_lttng_mi_sum(r.out, "discarded_events");
	*lost_packets = vt_lttng_mi_sum(r.out, "lost_packets");
	vt_proc_result_free(&r);
	return 0;
}

void vt_lttng_teardown(struct vt_lttng_session *s)
{
	struct vt_proc_result r;
	if (s->name[0] && LTTNG(s, &r, NULL, "destroy", s->name) == 0)
		vt_proc_result_free(&r);
	s->name[0] = '\0';
	if (s->sessiond > 0) {
		/* Not our child (it daemonized): SIGTERM, then wait for it to be gone. */
		kill(s->sessiond, SIGTERM);
		for (int i = 0; i < 100 && kill(s->sessiond, 0) == 0; i++)
			usleep(50000);
		s->sessiond = 0;
	}
}
