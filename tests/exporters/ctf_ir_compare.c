/* Trace classes compared field class by field class (ctf_ir_compare.h). */
#include "ctf_ir_compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* vt_ctf_ir_assert_lttng214: b is LTTng 2.14's CTF 2 for a's CTF 1.8. */
static int lttng214;

/* LTTng 2.14's name for a CTF 1.8 enumeration label: without its '_'. */
static const char *plain_label(const char *name)
{
	return lttng214 && name[0] == '_' ? name + 1 : name;
}

/* Member i of a is CTF 1.8's struct { } align(N) _x_padding before x, which LTTng 2.14 does not write. */
static int padding(const struct vt_ctf_fc *st, uint32_t i)
{
	const char *name = st->u.st.members[i].name, *next;
	const struct vt_ctf_fc *fc = st->u.st.members[i].fc;
	if (!lttng214 || i + 1 >= st->u.st.nmembers || fc->type != VT_CTF_FC_STRUCT || fc->u.st.nmembers)
		return 0;
	next = st->u.st.members[i + 1].name;
	return strncmp(name, next, strlen(next)) == 0 && strcmp(name + strlen(next), "_padding") == 0;
}

static void same_string(const char *a, const char *b, const char *where, const char *what)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s: %s \"%s\" and \"%s\"", where, what, a ? a : "(none)", b ? b : "(none)");
}

static void same_ranges(const struct vt_ctf_range *a, uint32_t na, const struct vt_ctf_range *b, uint32_t nb,
			const char *where)
{
	if (na != nb)
		fail_msg("%s: %u and %u ranges", where, na, nb);
	for (uint32_t i = 0; i < na; i++)
		if (a[i].lower != b[i].lower || a[i].upper != b[i].upper)
			fail_msg("%s: range %u is [%" PRIu64 ", %" PRIu64 "] and [%" PRIu64 ", %" PRIu64 "]", where, i,
				 a[i].lower, a[i].upper, b[i].lower, b[i].upper);
}

/* A location designates the same field: its first target has the same place (scope and pre-order number;
 * LTTng 2.14's: the same scope and class, the numbers shift where padding members went). */
static void same_location(const struct vt_ctf_location *a, const struct vt_ctf_location *b, const char *where)
{
	if (lttng214 && a->target && b->target && a->target->order >> 24 == b->target->order >> 24 &&
	    a->target->type == b->target->type && a->target->u.i.length == b->target->u.i.length)
		return;
	if (!a->target || !b->target || a->target->order != b->target->order)
		fail_msg("%s: the locations designate different fields (%#x and %#x)", where,
			 a->target ? a->target->order : 0, b->target ? b->target->order : 0);
}

static void same_fc(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where);

static void same_members(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	char sub[600];
	uint32_t n = 0, k = 0;
	for (uint32_t i = 0; i < a->u.st.nmembers; i++)
		n += !padding(a, i);
	if (n != b->u.st.nmembers || a->u.st.min_align != b->u.st.min_align)
		fail_msg("%s: %u members aligned on %u, and %u on %u", where, n, a->u.st.min_align, b->u.st.nmembers,
			 b->u.st.min_align);
	for (uint32_t i = 0; i < a->u.st.nmembers; i++) {
		if (padding(a, i))
			continue;
		snprintf(sub, sizeof(sub), "%.400s.%.100s", where, a->u.st.members[i].name);
		same_string(a->u.st.members[i].name, b->u.st.members[k].name, sub, "member");
		same_fc(a->u.st.members[i].fc, b->u.st.members[k++].fc, sub);
	}
}

static void same_options(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	char sub[600];
	if (a->u.v.noptions != b->u.v.noptions)
		fail_msg("%s: %u and %u options", where, a->u.v.noptions, b->u.v.noptions);
	same_location(&a->u.v.loc, &b->u.v.loc, where);
	for (uint32_t i = 0; i < a->u.v.noptions; i++) {
		const struct vt_ctf_option *x = &a->u.v.options[i], *y = &b->u.v.options[i];
		snprintf(sub, sizeof(sub), "%.400s<%.100s>", where, x->name ? x->name : "");
		same_string(x->name, y->name, sub, "option");
		same_ranges(x->ranges, x->nranges, y->ranges, y->nranges, sub);
		same_fc(x->fc, y->fc, sub);
	}
}

static void same_integer(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	char sub[600];
	if (a->u.i.length != b->u.i.length || a->u.i.byte_order != b->u.i.byte_order ||
	    a->u.i.bit_order != b->u.i.bit_order || a->u.i.base != b->u.i.base || a->u.i.nmappings != b->u.i.nmappings)
		fail_msg("%s: length, byte order, bit order, base, mappings %u %d %d %u %u and %u %d %d %u %u", where,
			 a->u.i.length, a->u.i.byte_order, a->u.i.bit_order, a->u.i.base, a->u.i.nmappings,
			 b->u.i.length, b->u.i.byte_order, b->u.i.bit_order, b->u.i.base, b->u.i.nmappings);
	/* mapping order: CTF 1.8 declares it, a JSON object (sorted keys) does not keep it */
	for (uint32_t i = 0; i < a->u.i.nmappings; i++) {
		const struct vt_ctf_mapping *x = &a->u.i.mappings[i], *y = NULL;
		for (uint32_t k = 0; k < b->u.i.nmappings && !y; k++)
			if (strcmp(b->u.i.mappings[k].name, plain_label(x->name)) == 0)
				y = &b->u.i.mappings[k];
		if (!y)
			fail_msg("%s: mapping \"%s\" only in one", where, x->name);
		snprintf(sub, sizeof(sub), "%.400s{%.100s}", where, x->name);
		same_ranges(x->ranges, x->nranges, y->ranges, y->nranges, sub);
	}
}

static void same_fc(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	if (!a || !b) {
		if (a || b)
			fail_msg("%s: only in %s", where, a ? "the first" : "the second");
		return;
	}
	if (a->type != b->type || a->align != b->align || a->roles != b->roles || (a->order != b->order && !lttng214))
		fail_msg("%s: %s aligned on %u, roles %#x, place %#x; and %s aligned on %u, roles %#x, place %#x",
			 where, vt_ctf_fc_type_name(a->type), a->align, a->roles, a->order,
			 vt_ctf_fc_type_name(b->type), b->align, b->roles, b->order);
	char sub[600];
	switch (a->type) {
	case VT_CTF_FC_BIT_ARRAY:
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_BOOL:
	case VT_CTF_FC_FLOAT:
	case VT_CTF_FC_VUINT:
	case VT_CTF_FC_VSINT:
		same_integer(a, b, where);
		break;
	case VT_CTF_FC_NT_STRING:
		break;
	case VT_CTF_FC_SL_STRING:
	case VT_CTF_FC_SL_BLOB:
		assert_int_equal(a->u.s.length, b->u.s.length);
		same_string(a->u.s.media_type, b->u.s.media_type, where, "media type");
		break;
	case VT_CTF_FC_DL_STRING:
	case VT_CTF_FC_DL_BLOB:
		same_location(&a->u.s.loc, &b->u.s.loc, where);
		same_string(a->u.s.media_type, b->u.s.media_type, where, "media type");
		break;
	case VT_CTF_FC_STRUCT:
		same_members(a, b, where);
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		if (a->type == VT_CTF_FC_SL_ARRAY)
			assert_int_equal(a->u.a.length, b->u.a.length);
		else
			same_location(&a->u.a.loc, &b->u.a.loc, where);
		snprintf(sub, sizeof(sub), "%.500s[]", where);
		same_fc(a->u.a.element, b->u.a.element, sub);
		break;
	case VT_CTF_FC_OPTIONAL:
		same_location(&a->u.o.loc, &b->u.o.loc, where);
		same_ranges(a->u.o.ranges, a->u.o.nranges, b->u.o.ranges, b->u.o.nranges, where);
		same_fc(a->u.o.fc, b->u.o.fc, where);
		break;
	case VT_CTF_FC_VARIANT:
		same_options(a, b, where);
		break;
	}
}

static void same_clock(const struct vt_ctf_clock_class *a, const struct vt_ctf_clock_class *b, const char *where)
{
	same_string(a->name, b->name, where, "clock");
	same_string(a->description, b->description, where, "clock description");
	if (a->frequency != b->frequency || a->offset_seconds != b->offset_seconds ||
	    a->offset_cycles != b->offset_cycles || a->precision != b->precision ||
	    a->origin_unix_epoch != b->origin_unix_epoch || a->has_uuid != b->has_uuid ||
	    (a->has_uuid && memcmp(a->uuid, b->uuid, 16) != 0))
		fail_msg("%s: clock %s: frequency, offset, precision, origin or uuid differ", where, a->name);
}

static void same_event(const struct vt_ctf_event_class *a, const struct vt_ctf_event_class *b, const char *where)
{
	char sub[600];
	snprintf(sub, sizeof(sub), "%.300s: event %" PRIu64 " %.200s", where, a->id, a->name);
	if (a->id != b->id || a->loglevel != b->loglevel)
		fail_msg("%s: id %" PRIu64 " log level %d, and %" PRIu64 " %d", sub, a->id, a->loglevel, b->id,
			 b->loglevel);
	same_string(a->name, b->name, sub, "name");
	same_string(a->emf_uri, b->emf_uri, sub, "EMF URI");
	same_fc(a->specific_context, b->specific_context, sub);
	same_fc(a->payload, b->payload, sub);
}

static void same_stream(const struct vt_ctf_stream_class *a, const struct vt_ctf_stream_class *b, const char *where)
{
	char sub[600];
	snprintf(sub, sizeof(sub), "%.400s: stream class %" PRIu64, where, a->id);
	if (a->id != b->id || a->nevents != b->nevents)
		fail_msg("%s: %zu and %zu event classes (stream class ids %" PRIu64 " and %" PRIu64 ")", sub,
			 a->nevents, b->nevents, a->id, b->id);
	same_string(a->default_clock ? a->default_clock->name : NULL, b->default_clock ? b->default_clock->name : NULL,
		    sub, "default clock");
	same_fc(a->packet_context, b->packet_context, sub);
	same_fc(a->event_header, b->event_header, sub);
	same_fc(a->event_common_context, b->event_common_context, sub);
	for (size_t e = 0; e < a->nevents; e++)
		same_event(a->events[e], b->events[e], sub);
}

/* LTTng 2.14 writes the version of its own tracer, 2.14.0. */
static int lttng214_version(const struct vt_ctf_trace_class *b, size_t k)
{
	const char *name = b->env[k].name;
	if (!lttng214 || b->env[k].str)
		return 0;
	if (strcmp(name, "tracer_minor") == 0 || strcmp(name, "tracer_patchlevel") == 0)
		return b->env[k].value == (strcmp(name, "tracer_minor") == 0 ? 14 : 0) ? 1 : -1;
	return 0;
}

void vt_ctf_ir_assert_lttng214(const struct vt_ctf_trace_class *a, const struct vt_ctf_trace_class *b, const char *what)
{
	lttng214 = 1;
	vt_ctf_ir_assert_equal(a, b, what);
	lttng214 = 0;
}

void vt_ctf_ir_assert_equal(const struct vt_ctf_trace_class *a, const struct vt_ctf_trace_class *b, const char *what)
{
	if (a->has_uuid != b->has_uuid || (a->has_uuid && memcmp(a->uuid, b->uuid, 16) != 0))
		fail_msg("%s: the trace uuids differ", what);
	if (a->nenv != b->nenv || a->nclocks != b->nclocks || a->nstreams != b->nstreams || a->nevents != b->nevents)
		fail_msg("%s: %zu/%zu/%zu/%zu and %zu/%zu/%zu/%zu environment entries/clocks/streams/events", what,
			 a->nenv, a->nclocks, a->nstreams, a->nevents, b->nenv, b->nclocks, b->nstreams, b->nevents);
	for (size_t i = 0; i < a->nenv; i++) {
		const char *s = vt_ctf_env_string(b, a->env[i].name);
		size_t k = 0;
		while (k < b->nenv && strcmp(b->env[k].name, a->env[i].name) != 0)
			k++;
		int version = k < b->nenv ? lttng214_version(b, k) : 0;
		if (k == b->nenv || (a->env[i].str == NULL) != (s == NULL) || version < 0 ||
		    (s ? strcmp(s, a->env[i].str) != 0 : a->env[i].value != b->env[k].value && !version))
			fail_msg("%s: environment entry %s differs", what, a->env[i].name);
	}
	for (size_t i = 0; i < a->nclocks; i++)
		same_clock(&a->clocks[i], &b->clocks[i], what);
	same_fc(a->packet_header, b->packet_header, what);
	for (size_t s = 0; s < a->nstreams; s++)
		same_stream(a->streams[s], b->streams[s], what);
}

uint32_t vt_ctf_ir_roles(const struct vt_ctf_fc *fc)
{
	if (!fc)
		return 0;
	uint32_t r = fc->roles;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++)
			r |= vt_ctf_ir_roles(fc->u.st.members[i].fc);
		break;
	case VT_CTF_FC_VARIANT:
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			r |= vt_ctf_ir_roles(fc->u.v.options[i].fc);
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		r |= vt_ctf_ir_roles(fc->u.a.element);
		break;
	case VT_CTF_FC_OPTIONAL:
		r |= vt_ctf_ir_roles(fc->u.o.fc);
		break;
	default:
		break;
	}
	return r;
}

struct vt_ctf_trace_class *vt_ctf_ir_load(const char *path)
{
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_load(&tc, path, &err))
		fail_msg("%s", err.msg);
	return tc;
}
