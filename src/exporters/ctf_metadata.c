/* Metadata text of an LTTng 2.13 trace: the preamble (types, trace, env, clock,
 * packet context, event headers, stream) and one declaration per event. */
#include "vmtrace/exporters.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void vt_ctf_text_append(struct vt_ctf_text *t, const char *fmt, ...)
{
	if (t->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = t->cap - t->len;
		int n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap ? t->cap * 2 : 8192;
		while (cap - t->len <= (size_t)n)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->oom = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
}

void vt_ctf_text_free(struct vt_ctf_text *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}

void vt_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

/* As lttng-modules starts it (no "CTF 1.8" comment: the metadata is packetized). */
static const char types[] =
	"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
	"typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
	"typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
	"typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
	"typealias integer { size = 64; align = 8; signed = false; } := unsigned long;\n"
	"typealias integer { size = 5; align = 1; signed = false; } := uint5_t;\n"
	"typealias integer { size = 27; align = 1; signed = false; } := uint27_t;\n\n";

static const char clocked_types[] =
	"typealias integer {\n\tsize = 27; align = 1; signed = false;\n\tmap = clock.%1$s.value;\n} := uint27_clock_%1$s_t;\n\n"
	"typealias integer {\n\tsize = 32; align = 8; signed = false;\n\tmap = clock.%1$s.value;\n} := uint32_clock_%1$s_t;\n\n"
	"typealias integer {\n\tsize = 64; align = 8; signed = false;\n\tmap = clock.%1$s.value;\n} := uint64_clock_%1$s_t;\n\n"
	"struct packet_context {\n"
	"\tuint64_clock_%1$s_t timestamp_begin;\n"
	"\tuint64_clock_%1$s_t timestamp_end;\n"
	"\tuint64_t content_size;\n"
	"\tuint64_t packet_size;\n"
	"\tuint64_t packet_seq_num;\n"
	"\tunsigned long events_discarded;\n"
	"\tuint32_t cpu_id;\n"
	"};\n\n"
	"struct event_header_compact {\n"
	"\tenum : uint5_t { compact = 0 ... 30, extended = 31 } id;\n"
	"\tvariant <id> {\n"
	"\t\tstruct {\n\t\t\tuint27_clock_%1$s_t timestamp;\n\t\t} compact;\n"
	"\t\tstruct {\n\t\t\tuint32_t id;\n\t\t\tuint64_clock_%1$s_t timestamp;\n\t\t} extended;\n"
	"\t} v;\n"
	"} align(8);\n\n"
	"struct event_header_large {\n"
	"\tenum : uint16_t { compact = 0 ... 65534, extended = 65535 } id;\n"
	"\tvariant <id> {\n"
	"\t\tstruct {\n\t\t\tuint32_clock_%1$s_t timestamp;\n\t\t} compact;\n"
	"\t\tstruct {\n\t\t\tuint32_t id;\n\t\t\tuint64_clock_%1$s_t timestamp;\n\t\t} extended;\n"
	"\t} v;\n"
	"} align(8);\n\n";

void vt_ctf_meta_preamble(struct vt_ctf_text *t, const struct vt_ctf_meta_desc *d)
{
	char uuid[37];
	vt_uuid_format(d->trace_uuid, uuid);
	if (d->ctf_comment)
		vt_ctf_text_append(t, "/* CTF 1.8 */\n\n");
	vt_ctf_text_append(t, "%s", types);
	vt_ctf_text_append(t,
			   "trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"%s\";\n\tbyte_order = le;\n"
			   "\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint8_t  uuid[16];\n"
			   "\t\tuint32_t stream_id;\n\t\tuint64_t stream_instance_id;\n\t};\n};\n\n",
			   uuid);
	vt_ctf_text_append(t, "env {\n");
	for (size_t i = 0; i < d->nenv; i++) {
		if (d->env[i].str)
			vt_ctf_text_append(t, "\t%s = \"%s\";\n", d->env[i].key, d->env[i].str);
		else
			vt_ctf_text_append(t, "\t%s = %" PRId64 ";\n", d->env[i].key, d->env[i].num);
	}
	vt_ctf_text_append(t, "};\n\n");
	vt_ctf_text_append(t,
			   "clock {\n\tname = \"%s\";\n\tuuid = \"%s\";\n\tdescription = \"%s\";\n"
			   "\tfreq = 1000000000; /* Frequency, in Hz */\n"
			   "\t/* clock value offset from Epoch is: offset * (1/freq) */\n"
			   "\toffset = %" PRIu64 ";\n};\n\n",
			   d->clock_name, d->clock_uuid, d->clock_description, d->clock_offset_ns);
	vt_ctf_text_append(t, clocked_types, d->clock_name);
	vt_ctf_text_append(t,
			   "stream {\n\tid = 0;\n\tevent.header := struct event_header_%s;\n"
			   "\tpacket.context := struct packet_context;\n",
			   d->large_header ? "large" : "compact");
	if (d->event_context)
		vt_ctf_text_append(t, "\tevent.context := struct {\n%s\t};\n", d->event_context);
	vt_ctf_text_append(t, "};\n\n");
}

void vt_ctf_meta_event(struct vt_ctf_text *t, const char *name, uint32_t id, const char *fields)
{
	vt_ctf_text_append(t,
			   "event {\n\tname = \"%s\";\n\tid = %u;\n\tstream_id = 0;\n"
			   "\tfields := struct {\n%s\t};\n};\n\n",
			   name, id, fields);
}

void vt_ctf_meta_event_loglevel(struct vt_ctf_text *t, const char *name, uint32_t id, int loglevel,
				const char *fields)
{
	vt_ctf_text_append(t,
			   "event {\n\tname = \"%s\";\n\tid = %u;\n\tstream_id = 0;\n\tloglevel = %d;\n"
			   "\tfields := struct {\n%s\t};\n};\n\n",
			   name, id, loglevel, fields);
}
