/* JSON lines on a FILE, and the JSON document of one statedump. Strings from
 * processes go through vt_json_str: invalid UTF-8 must not drop a key. */
#include "agent/agent.h"
#include "vmtrace/event.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

static const char *accel_name(enum vt_accel a)
{
	return a == VT_ACCEL_KVM ? "kvm" : a == VT_ACCEL_NONE ? "none" : "unknown";
}

static void set_str(json_t *j, const char *key, const char *value)
{
	json_object_set_new(j, key, vt_json_str(value));
}

/* One line, flushed; the first failure is kept and ends the sink's output. */
static void put(struct vt_json_sink *s, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (s->error[0])
		goto out;
	errno = 0;
	if (!text)
		snprintf(s->error, sizeof(s->error), "%s: cannot write: out of memory", s->what);
	else if (fputs(text, s->out) < 0 || fputc('\n', s->out) == EOF || fflush(s->out) != 0)
		snprintf(s->error, sizeof(s->error), "%s: cannot write: %s", s->what,
			 errno ? strerror(errno) : "I/O error");
out:
	free(text);
}

static json_t *guest_obj(const char *event, const struct vt_guest_info *g)
{
	json_t *j = json_object();
	if (event)
		set_str(j, "event", event);
	json_object_set_new(j, "pid", json_integer(g->pid));
	set_str(j, "uuid", g->uuid);
	set_str(j, "name", g->name);
	json_object_set_new(j, "vcpus", json_integer(g->vcpus));
	set_str(j, "kvm", vt_kvm_evidence_name(g->kvm));
	return j;
}

static json_t *vcpu_obj(const char *event, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	json_t *j = json_object();
	if (event) {
		set_str(j, "event", event);
		json_object_set_new(j, "pid", json_integer(g->pid));
	}
	json_object_set_new(j, "vcpu", json_integer(v->vcpu));
	json_object_set_new(j, "tid", json_integer(v->tid));
	json_object_set_new(j, "tsc_offset", v->has_tsc ? json_integer(v->tsc_offset) : json_null());
	json_object_set_new(j, "tsc_scaling_ratio", json_integer((json_int_t)v->tsc_scaling_ratio));
	json_object_set_new(j, "tsc_scaling_frac_bits", json_integer(v->tsc_scaling_frac_bits));
	return j;
}

static void j_machine(void *ctx, const struct vt_machine_info *m)
{
	json_t *j = json_object();
	set_str(j, "event", "machine");
	set_str(j, "product_uuid", m->product_uuid);
	set_str(j, "machine_id", m->machine_id);
	set_str(j, "boot_id", m->boot_id);
	set_str(j, "hostname", m->hostname);
	put(ctx, j);
}

static void j_simple(void *ctx, const char *event)
{
	json_t *j = json_object();
	set_str(j, "event", event);
	put(ctx, j);
}

static void j_begin(void *ctx)
{
	j_simple(ctx, "statedump_begin");
}

static void j_end(void *ctx)
{
	j_simple(ctx, "statedump_end");
}

static void j_guest(void *ctx, const struct vt_guest_info *g)
{
	json_t *j = guest_obj("guest", g);
	set_str(j, "debugfs", g->debugfs);
	put(ctx, j);
}

static void j_vcpu(void *ctx, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	put(ctx, vcpu_obj("guest_vcpu", g, v));
}

static void j_created(void *ctx, const struct vt_guest_info *g)
{
	json_t *j = guest_obj("guest_created", g);
	if (g->gone)
		json_object_set_new(j, "gone", json_true());
	put(ctx, j);
}

static void j_destroyed(void *ctx, int64_t pid)
{
	json_t *j = json_object();
	set_str(j, "event", "guest_destroyed");
	json_object_set_new(j, "pid", json_integer(pid));
	put(ctx, j);
}

/* An unknown value is null. */
static json_t *known(uint64_t v)
{
	return v == VT_BOOKS_UNKNOWN ? json_null() : json_integer((json_int_t)v);
}

static void j_vcpu_books(void *ctx, const struct vt_vcpu_books *b)
{
	json_t *j = json_object();
	set_str(j, "event", "vcpu_books");
	json_object_set_new(j, "pid", json_integer(b->pid));
	json_object_set_new(j, "vcpu", json_integer(b->vcpu));
	json_object_set_new(j, "tid", json_integer(b->tid));
	json_object_set_new(j, "age_ns", json_integer((json_int_t)b->age_ns));
	json_object_set_new(j, "run_ns", known(b->run_ns));
	json_object_set_new(j, "wait_ns", known(b->wait_ns));
	json_object_set_new(j, "timeslices", known(b->timeslices));
	json_object_set_new(j, "guest_ticks", known(b->guest_ticks));
	json_object_set_new(j, "clk_tck", json_integer(b->clk_tck));
	put(ctx, j);
}

static void j_vm_books(void *ctx, const struct vt_vm_books *b)
{
	json_t *j = json_object();
	set_str(j, "event", "vm_books");
	json_object_set_new(j, "pid", json_integer(b->pid));
	json_object_set_new(j, "age_ns", json_integer((json_int_t)b->age_ns));
	json_object_set_new(j, "exits", known(b->exits));
	json_object_set_new(j, "io_exits", known(b->io_exits));
	json_object_set_new(j, "mmio_exits", known(b->mmio_exits));
	json_object_set_new(j, "signal_exits", known(b->signal_exits));
	json_object_set_new(j, "halt_exits", known(b->halt_exits));
	json_object_set_new(j, "irq_exits", known(b->irq_exits));
	char fn[32];
	snprintf(fn, sizeof(fn), "0x%llx", (unsigned long long)b->tick_function);
	set_str(j, "tick_function", b->tick_function ? fn : "");
	put(ctx, j);
}

static void j_ping(void *ctx, int back, const struct vt_ping *p)
{
	json_t *j = json_object();
	set_str(j, "event", back ? "ping_back" : "ping_out");
	/* 64-bit values: JSON numbers lose them above 2^53, so strings */
	char num[24];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)p->session);
	set_str(j, "session", num);
	json_object_set_new(j, "seq", json_integer((json_int_t)p->seq));
	put(ctx, j);
}

static const char *j_error(void *ctx)
{
	struct vt_json_sink *s = ctx;
	return s->error[0] ? s->error : NULL;
}

void vt_json_sink_init(struct vt_agent_sink *s, struct vt_json_sink *j, FILE *out, const char *what)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->what = what;
	*s = (struct vt_agent_sink){"json", j, j_machine, j_begin, j_guest, j_vcpu,
				    j_end, j_created, j_destroyed, j_error, j_vcpu_books, j_vm_books, j_ping};
}

static json_t *guest_doc(const struct vt_guest_info *g)
{
	json_t *j = guest_obj(NULL, g);
	set_str(j, "debugfs", g->debugfs);
	set_str(j, "accel", accel_name(g->accel));
	set_str(j, "qmp", g->qmp);
	set_str(j, "tids_from", g->tids_from == 1 ? "thread-names" : g->tids_from == 2 ? "qmp" : "none");
	json_t *vs = json_array();
	for (size_t v = 0; v < g->nvcpu; v++)
		json_array_append_new(vs, vcpu_obj(NULL, g, &g->vcpu[v]));
	json_object_set_new(j, "vcpu_threads", vs);
	set_str(j, "note", g->note);
	return j;
}

char *vt_guest_list_json(const struct vt_guest_list *l)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "debugfs", json_boolean(l->debugfs_ok));
	set_str(doc, "note", l->note);
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, guest_doc(&l->guests[i]));
	json_object_set_new(doc, "guests", arr);
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}
