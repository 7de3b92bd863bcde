/* JSON lines on a FILE, and the JSON document of one statedump. */
#include "vmtrace/agent.h"

#include <jansson.h>
#include <stdlib.h>

static const char *accel_name(enum vt_accel a)
{
	return a == VT_ACCEL_KVM ? "kvm" : a == VT_ACCEL_NONE ? "none" : "unknown";
}

static void put(FILE *out, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, out);
		fputc('\n', out);
		fflush(out);
		free(s);
	}
	json_decref(j);
}

static json_t *guest_obj(const char *event, const struct vt_guest_info *g)
{
	json_t *j = json_object();
	if (event)
		json_object_set_new(j, "event", json_string(event));
	json_object_set_new(j, "pid", json_integer(g->pid));
	json_object_set_new(j, "uuid", json_string(g->uuid));
	json_object_set_new(j, "name", json_string(g->name));
	json_object_set_new(j, "vcpus", json_integer(g->vcpus));
	return j;
}

static json_t *vcpu_obj(const char *event, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	json_t *j = json_object();
	if (event) {
		json_object_set_new(j, "event", json_string(event));
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
	json_object_set_new(j, "event", json_string("machine"));
	json_object_set_new(j, "product_uuid", json_string(m->product_uuid));
	json_object_set_new(j, "machine_id", json_string(m->machine_id));
	json_object_set_new(j, "boot_id", json_string(m->boot_id));
	json_object_set_new(j, "hostname", json_string(m->hostname));
	put(ctx, j);
}

static void j_simple(void *ctx, const char *event)
{
	json_t *j = json_object();
	json_object_set_new(j, "event", json_string(event));
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
	json_object_set_new(j, "debugfs", json_string(g->debugfs));
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
	json_object_set_new(j, "event", json_string("guest_destroyed"));
	json_object_set_new(j, "pid", json_integer(pid));
	put(ctx, j);
}

void vt_json_sink_init(struct vt_agent_sink *s, FILE *out)
{
	*s = (struct vt_agent_sink){"json", out, j_machine, j_begin, j_guest, j_vcpu,
				    j_end, j_created, j_destroyed};
}

char *vt_guest_list_json(const struct vt_guest_list *l)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "debugfs", json_boolean(l->debugfs_ok));
	json_object_set_new(doc, "note", json_string(l->note));
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const struct vt_guest_info *g = &l->guests[i];
		json_t *j = guest_obj(NULL, g);
		json_object_set_new(j, "debugfs", json_string(g->debugfs));
		json_object_set_new(j, "accel", json_string(accel_name(g->accel)));
		json_object_set_new(j, "qmp", json_string(g->qmp));
		json_object_set_new(j, "tids_from", json_string(g->tids_from == 1 ? "thread-names" :
							       g->tids_from == 2 ? "qmp" : "none"));
		json_t *vs = json_array();
		for (size_t v = 0; v < g->nvcpu; v++)
			json_array_append_new(vs, vcpu_obj(NULL, g, &g->vcpu[v]));
		json_object_set_new(j, "vcpu_threads", vs);
		json_array_append_new(arr, j);
	}
	json_object_set_new(doc, "guests", arr);
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}
