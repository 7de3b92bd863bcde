/* Perfetto / Chrome trace-event JSON, streamed: one complete event ("ph":"X")
 * per interval as the model closes it, so memory stays flat. One process per
 * machine; tracks (tids) per pCPU, vCPU, guest thread and one for messages.
 * Timestamps are µs from base_ns with 3 decimals: every ns kept, and small
 * enough that a double (the viewers' number) holds them exactly. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "vmtrace/report.h"

/* Track ids, apart from any real tid. */
#define TRACK_CPU 1000000
#define TRACK_VCPU 2000000
#define TRACK_THREAD 3000000
#define TRACK_MESSAGES 4000000

struct vt_perfetto {
	FILE *out;
	const struct vt_machines *m;
	uint64_t base;
	uint64_t flows;
	int host;
	int any; /* an event written: the next needs a comma */
};

static void us(char *buf, size_t size, uint64_t ns, uint64_t base)
{
	if (ns >= base)
		snprintf(buf, size, "%" PRIu64 ".%03u", (ns - base) / 1000, (unsigned)((ns - base) % 1000));
	else
		snprintf(buf, size, "-%" PRIu64 ".%03u", (base - ns) / 1000, (unsigned)((base - ns) % 1000));
}

static void json_str(FILE *f, const char *s)
{
	vt_json_write(f, s, 0);
}

static void sep(struct vt_perfetto *p)
{
	fputs(p->any ? ",\n" : "\n", p->out);
	p->any = 1;
}

static int pid_of(int machine)
{
	return machine + 1; /* pid 0 means "no process" to some viewers */
}

/* One complete event; name is a plain word, args a JSON object's members (or ""). */
static void complete(struct vt_perfetto *p, int pid, int tid, uint64_t start, uint64_t end, const char *name,
		     const char *cat, const char *args)
{
	char ts[32], dur[32];
	us(ts, sizeof(ts), start, p->base);
	us(dur, sizeof(dur), end, start);
	sep(p);
	fprintf(p->out, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"cat\":\"%s\",\"name\":", pid, tid, ts,
		dur, cat);
	json_str(p->out, name);
	if (args && *args)
		fprintf(p->out, ",\"args\":{%s}", args);
	fputc('}', p->out);
}

struct vt_perfetto *vt_perfetto_new(FILE *out, const struct vt_machines *m, uint64_t base_ns, struct vt_error *err)
{
	struct vt_perfetto *p = calloc(1, sizeof(*p));
	if (!p) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->out = out;
	p->m = m;
	p->base = base_ns;
	p->host = -1;
	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"vmtrace export\",\"base_ns\":\"%" PRIu64
		     "\",\"clock\":\"the host's, ns from the epoch = base_ns + ts * 1000\"},\n\"traceEvents\":[",
		base_ns);
	for (size_t k = 0; k < m->count; k++) {
		sep(p);
		fprintf(out, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"ts\":0.000,\"name\":\"process_name\",\"args\":{\"name\":",
			pid_of((int)k));
		char name[300];
		snprintf(name, sizeof(name), "%s (%s)", vt_report_machine_name(m, (int)k),
			 m->machines[k].role == VT_ROLE_HOST ? "host" : m->machines[k].role == VT_ROLE_GUEST ? "guest" : "machine");
		json_str(out, name);
		fputs("}}", out);
		sep(p);
		fprintf(out, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"ts\":0.000,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":%d}}",
			pid_of((int)k), m->machines[k].role == VT_ROLE_HOST ? 0 : (int)k + 1);
	}
	return p;
}

static const char *comm_of(const struct vt_model *model, size_t cpu, int32_t tid)
{
	const struct vt_cpu_model *c = &model->cpus[cpu];
	for (size_t k = 0; k < c->nshares; k++)
		if (c->shares[k].tid == tid)
			return c->shares[k].comm;
	if (model->cpu_tid && model->cpu_tid[cpu] == tid)
		return model->cpu_comm[cpu];
	return "?";
}

static void on_cpu(void *ctx, const struct vt_model *model, size_t cpu, const struct vt_cpu_interval *iv)
{
	struct vt_perfetto *p = ctx;
	char name[160], args[64];
	if (iv->tid == 0)
		snprintf(name, sizeof(name), "idle");
	else if (iv->guest >= 0)
		snprintf(name, sizeof(name), "%s %s", vt_report_machine_name(p->m, iv->guest),
			 iv->guest_mode ? "guest code" : "hypervisor");
	else
		snprintf(name, sizeof(name), "%s", comm_of(model, cpu, iv->tid));
	snprintf(args, sizeof(args), "\"tid\":%d", iv->tid);
	complete(p, pid_of(model->host), TRACK_CPU + (int)cpu, iv->start, iv->end, name,
		 iv->tid == 0 ? "idle" : iv->guest >= 0 ? (iv->guest_mode ? "guest" : "hypervisor") : "host", args);
}

static void on_vcpu(void *ctx, const struct vt_model *model, size_t vcpu, const struct vt_vcpu_interval *iv)
{
	struct vt_perfetto *p = ctx;
	const struct vt_vcpu_model *v = &model->vcpus[vcpu];
	char args[128] = "", name[32];
	if (iv->state == VT_VCPU_HYPERVISOR && iv->detail >= 0)
		snprintf(args, sizeof(args), "\"exit_reason\":%lld,\"exit_name\":\"%s\"", (long long)iv->detail,
			 vt_exit_reason_name(v->isa, (uint64_t)iv->detail, name, sizeof(name)));
	else if (iv->state == VT_VCPU_PREEMPTED && iv->detail >= 0)
		snprintf(args, sizeof(args), "\"holder_tid\":%lld", (long long)iv->detail);
	complete(p, pid_of(v->guest >= 0 ? v->guest : model->host), TRACK_VCPU + (int)vcpu, iv->start, iv->end,
		 vt_vcpu_state_name(iv->state), "vcpu", args);
}

static void on_thread(void *ctx, const struct vt_model *model, size_t thread, const struct vt_thread_interval *iv)
{
	struct vt_perfetto *p = ctx;
	const struct vt_thread_model *t = &model->threads[thread];
	char args[64] = "";
	if (iv->vcpu >= 0 && (size_t)iv->vcpu < model->nvcpus)
		snprintf(args, sizeof(args), "\"vcpu\":%u", model->vcpus[iv->vcpu].vcpu);
	complete(p, pid_of(t->guest), TRACK_THREAD + (int)thread, iv->start, iv->end, vt_thread_state_name(iv->state),
		 "thread", args);
}

struct vt_model_sink vt_perfetto_sink(struct vt_perfetto *p)
{
	return (struct vt_model_sink){on_vcpu, on_thread, on_cpu, p};
}

void vt_perfetto_flow(struct vt_perfetto *p, int from_machine, int32_t from_tid, uint64_t send_ns, int to_machine,
		      int32_t to_tid, uint64_t recv_ns, const char *what)
{
	char args[96], ts[32];
	uint64_t id = ++p->flows;
	snprintf(args, sizeof(args), "\"tid\":%d,\"flow\":%" PRIu64, from_tid, id);
	complete(p, pid_of(from_machine), TRACK_MESSAGES, send_ns, send_ns + 1, "send", "message", args);
	us(ts, sizeof(ts), send_ns, p->base);
	sep(p);
	fprintf(p->out, "{\"ph\":\"s\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"id\":%" PRIu64 ",\"cat\":\"message\",\"name\":",
		pid_of(from_machine), TRACK_MESSAGES, ts, id);
	json_str(p->out, what);
	fputc('}', p->out);
	snprintf(args, sizeof(args), "\"tid\":%d,\"flow\":%" PRIu64, to_tid, id);
	complete(p, pid_of(to_machine), TRACK_MESSAGES, recv_ns, recv_ns + 1, "receive", "message", args);
	us(ts, sizeof(ts), recv_ns, p->base);
	sep(p);
	fprintf(p->out,
		"{\"ph\":\"f\",\"bp\":\"e\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"id\":%" PRIu64 ",\"cat\":\"message\",\"name\":",
		pid_of(to_machine), TRACK_MESSAGES, ts, id);
	json_str(p->out, what);
	fputc('}', p->out);
}

static void track_name(struct vt_perfetto *p, int pid, int tid, int sort, const char *name)
{
	sep(p);
	fprintf(p->out, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"ts\":0.000,\"name\":\"thread_name\",\"args\":{\"name\":", pid, tid);
	json_str(p->out, name);
	fputs("}}", p->out);
	sep(p);
	fprintf(p->out,
		"{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"ts\":0.000,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%d}}",
		pid, tid, sort);
}

int vt_perfetto_finish(struct vt_perfetto *p, const struct vt_model *model)
{
	char name[200];
	for (size_t c = 0; c < model->ncpus; c++) {
		snprintf(name, sizeof(name), "pCPU %zu", c);
		track_name(p, pid_of(model->host), TRACK_CPU + (int)c, (int)c, name);
	}
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		/* the test (and a reader) finds the vCPU by QEMU pid and number here */
		if (v->qemu_pid > 0)
			snprintf(name, sizeof(name), "vCPU %u (QEMU %lld, tid %d)", v->vcpu, (long long)v->qemu_pid, v->tid);
		else
			snprintf(name, sizeof(name), "vCPU %u (QEMU pid unknown, tid %d)", v->vcpu, v->tid);
		track_name(p, pid_of(v->guest >= 0 ? v->guest : model->host), TRACK_VCPU + (int)i, 10000 + (int)i, name);
	}
	for (size_t i = 0; i < model->nthreads; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		snprintf(name, sizeof(name), "%s (tid %d)", t->comm, t->tid);
		track_name(p, pid_of(t->guest), TRACK_THREAD + (int)i, 20000 + (int)i, name);
	}
	for (size_t k = 0; k < p->m->count; k++)
		track_name(p, pid_of((int)k), TRACK_MESSAGES, 90000, "messages");
	fputs("\n]}\n", p->out);
	return ferror(p->out) ? -1 : 0;
}

void vt_perfetto_free(struct vt_perfetto *p)
{
	free(p);
}
