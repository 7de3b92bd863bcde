/* DIR/record.json: what a recording holds, where, and what was lost or left
 * out (docs/record.md). `vmtrace analyze DIR` reads its guests as hints. */
#include "record.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/output.h"
#include "common/text.h"
#include "vmtrace/version.h"

uint64_t vt_rec_tree_bytes(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			sum += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			char sub[4200];
			snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
			sum += vt_rec_tree_bytes(sub);
		}
	}
	closedir(d);
	return sum;
}

/* The recording's own cost on the host: CPU seconds of vmtrace record (its
 * ftrace readers, guest workers) and of the children it has reaped (a
 * sessiond, vmtraced, relayd it started, with their own children). The
 * kernel's tracing cost, in the traced threads, is not in it. */
static json_t *recorder_cpu(void)
{
	struct rusage self, kids;
	if (getrusage(RUSAGE_SELF, &self) < 0 || getrusage(RUSAGE_CHILDREN, &kids) < 0)
		return json_null();
	double a = (double)self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + (double)self.ru_stime.tv_sec +
		   self.ru_stime.tv_usec / 1e6;
	double b = (double)kids.ru_utime.tv_sec + kids.ru_utime.tv_usec / 1e6 + (double)kids.ru_stime.tv_sec +
		   kids.ru_stime.tv_usec / 1e6;
	return json_pack("{s:f,s:f}", "vmtrace", a, "children", b);
}

static json_t *iso_time(int64_t realtime_ns)
{
	if (!realtime_ns)
		return json_null();
	time_t t = (time_t)(realtime_ns / 1000000000);
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(realtime_ns / 1000000 % 1000));
	return json_string(buf);
}

static json_t *str_list(const char *comma_list)
{
	json_t *a = json_array();
	char buf[2048];
	snprintf(buf, sizeof(buf), "%s", comma_list ? comma_list : "");
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, vt_json_str(t));
	return a;
}

static json_t *host_json(const struct vt_rec_summary *s)
{
	const struct vt_rec_host *h = s->host;
	struct utsname u;
	json_t *o = json_object();
	uname(&u);
	json_object_set_new(o, "hostname", vt_json_str(u.nodename));
	json_object_set_new(o, "kernel", vt_json_str(u.release));
	json_object_set_new(o, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(o, "path", json_string(h->tracer == VT_REC_LTTNG ? "host" : "host/host.dat"));
	json_object_set_new(o, "tracer", vt_json_str(h->tracer_version));
	json_object_set_new(o, "clock", vt_json_str(h->clock));
	char tick[24];
	snprintf(tick, sizeof(tick), "0x%" PRIx64, h->tick_function);
	json_object_set_new(o, "tick_function", h->tick_function ? json_string(tick) : json_null());
	json_object_set_new(o, "events_missing", str_list(h->missing));
	if (h->tracer == VT_REC_FTRACE)
		json_object_set_new(o, "events", json_integer((json_int_t)h->events));
	json_object_set_new(o, "lost_events", json_integer((json_int_t)h->lost));
	json_object_set_new(o, "bytes", json_integer((json_int_t)h->bytes));
	json_object_set_new(o, "snapshots", json_integer(h->snapshots));
	json_object_set_new(o, "agent", h->agent ? json_integer(h->agent) : json_null());
	json_object_set_new(o, "agent_started", json_boolean(h->agent_ours));
	json_object_set_new(o, "agent_note", vt_json_str(h->agent_note));
	json_object_set_new(o, "first_event_ms", json_integer(s->first_event_ms));
	json_object_set_new(o, "recorder_cpu_s", recorder_cpu());
	return o;
}

/* JSON integers are signed 64-bit: a larger value (hostile, or a counter
 * that wrapped) is unknown. */
static json_t *u64_json(int has, uint64_t v)
{
	return has && v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_null();
}

static json_t *counters_json(const struct vt_kacct_counters *c)
{
	json_t *o = json_object();
	for (size_t i = 0; i < c->n; i++)
		json_object_set_new(o, c->c[i].name, u64_json(1, c->c[i].value)); /* names are [a-z0-9_-] */
	return o;
}

static json_t *kthread_json(const struct vt_kacct_thread *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "mono_ns", t->mono_ns ? json_integer(t->mono_ns) : json_null());
	json_object_set_new(o, "run_ns", u64_json(t->has_sched, t->run_ns));
	json_object_set_new(o, "wait_ns", u64_json(t->has_sched, t->wait_ns));
	json_object_set_new(o, "timeslices", u64_json(t->has_sched, t->timeslices));
	json_object_set_new(o, "guest_time_ticks", u64_json(t->has_guest_time, t->guest_ticks));
	json_object_set_new(o, "kvm", counters_json(&t->kvm));
	json_object_set_new(o, "kvm_cut", json_boolean(t->kvm.cut));
	return o;
}

/* kernel_accounting (docs/record.md): both reads, per vCPU thread. */
static json_t *kacct_json(const struct vt_rec_guest *rg)
{
	if (!rg->has_kstart || !rg->has_kend)
		return json_null();
	const struct vt_kacct_guest *a = &rg->kstart, *b = &rg->kend;
	json_t *o = json_object();
	json_object_set_new(o, "clk_tck", json_integer(a->clk_tck));
	json_t *vm = json_object();
	json_object_set_new(vm, "start_mono_ns", a->mono_ns ? json_integer(a->mono_ns) : json_null());
	json_object_set_new(vm, "end_mono_ns", b->mono_ns ? json_integer(b->mono_ns) : json_null());
	json_object_set_new(vm, "start", counters_json(&a->vm));
	json_object_set_new(vm, "end", counters_json(&b->vm));
	json_object_set_new(vm, "cut", json_boolean(a->vm.cut || b->vm.cut));
	json_object_set_new(o, "vm", vm);
	json_t *v = json_array();
	for (size_t i = 0; i < a->nthreads && i < b->nthreads; i++) {
		const struct vt_kacct_thread *x = &a->threads[i], *y = &b->threads[i];
		json_t *c = json_object();
		json_object_set_new(c, "vcpu", json_integer(x->vcpu));
		json_object_set_new(c, "tid", json_integer(x->tid));
		json_object_set_new(c, "start", kthread_json(x));
		json_object_set_new(c, "end", kthread_json(y));
		json_array_append_new(v, c);
	}
	json_object_set_new(o, "vcpus", v);
	return o;
}

static json_t *guest_json(const struct vt_rec_guest *rg, const char *outdir)
{
	const struct vt_guest_info *g = &rg->info;
	json_t *o = json_object();
	json_object_set_new(o, "name", vt_json_str(g->name));
	json_object_set_new(o, "uuid", vt_json_str(g->uuid));
	json_object_set_new(o, "pid", json_integer(g->pid));
	json_t *v = json_array();
	for (size_t i = 0; i < g->nvcpu; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "vcpu", json_integer(g->vcpu[i].vcpu));
		json_object_set_new(c, "tid", json_integer(g->vcpu[i].tid));
		json_array_append_new(v, c);
	}
	json_object_set_new(o, "vcpu_threads", v);
	json_object_set_new(o, "created_during_recording", json_boolean(rg->created_during));
	json_object_set_new(o, "state", json_string(vt_rec_guest_state_name(rg->state)));
	int recorded = rg->state == VT_REC_G_DONE;
	char path[600];
	if (rg->state == VT_REC_G_DONE || rg->state == VT_REC_G_FAILED)
		snprintf(path, sizeof(path), "%s", rg->folder);
	else
		path[0] = '\0';
	(void)outdir;
	json_object_set_new(o, "path", path[0] ? vt_json_str(path) : json_null());
	json_object_set_new(o, "recorded", json_boolean(recorded));
	json_object_set_new(o, "why_not", vt_json_str(recorded ? "" : rg->why));
	json_object_set_new(o, "tracer", vt_json_str(rg->tracer));
	json_object_set_new(o, "guest_agent", vt_json_str(rg->agent_version));
	json_object_set_new(o, "agent_channel", rg->agent_channel ? json_string(rg->agent_channel) : json_null());
	json_object_set_new(o, "lost_events", rg->has_lost ? json_integer((json_int_t)rg->lost) : json_null());
	json_object_set_new(o, "bytes", json_integer((json_int_t)rg->bytes));
	json_object_set_new(o, "notes", vt_json_str(rg->notes));
	json_object_set_new(o, "relayed", json_boolean(rg->relayed));
	json_object_set_new(o, "start_latency_ms",
			    rg->started_ms ? json_integer(rg->started_ms - rg->created_ms) : json_null());
	json_object_set_new(o, "kernel_accounting", kacct_json(rg));
	return o;
}

static json_t *summary_json(const struct vt_rec_summary *s)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "format", json_string("vmtrace-record"));
	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(doc, "vmtrace", json_string(VT_VERSION));
	json_object_set_new(doc, "status", vt_json_str(s->status));
	json_object_set_new(doc, "error", vt_json_str(s->error));
	json_object_set_new(doc, "tracer", json_string(s->o->tracer == VT_REC_LTTNG ? "lttng" : "ftrace"));
	json_object_set_new(doc, "snapshot_mode", json_boolean(s->o->snapshot));
	json_object_set_new(doc, "agent", json_boolean(!s->o->no_agent));
	json_object_set_new(doc, "relay", s->guests->relay ? vt_json_str(s->guests->relay->url) : json_null());
	json_object_set_new(doc, "started", iso_time(s->start_realtime_ns));
	json_object_set_new(doc, "stopped", iso_time(s->stop_realtime_ns));
	json_object_set_new(doc, "duration_s", s->stop_mono_ns ? json_real((double)((s->stop_mono_ns - s->start_mono_ns) / 1000000) / 1e3)
								: json_null());
	json_object_set_new(doc, "host", host_json(s));
	json_t *guests = json_array();
	pthread_mutex_lock(&s->guests->mu);
	for (size_t i = 0; i < s->guests->n; i++)
		json_array_append_new(guests, guest_json(s->guests->g[i], s->o->outdir));
	pthread_mutex_unlock(&s->guests->mu);
	json_object_set_new(doc, "guests", guests);
	return doc;
}

int vt_rec_write_json(const struct vt_rec_summary *s, struct vt_error *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/record.json", s->o->outdir);
	json_t *doc = summary_json(s);
	struct vt_output out;
	if (vt_output_open(&out, path, err) < 0) {
		json_decref(doc);
		return -1;
	}
	int ok = json_dumpf(doc, out.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', out.f) != EOF;
	json_decref(doc);
	return vt_output_close(&out, ok, err);
}
