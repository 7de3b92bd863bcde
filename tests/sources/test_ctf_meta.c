/* The native CTF reader's metadata layer (src/sources/ctf_ir.h, issue 15):
 * every CTF 1.8 metadata we have (the shared test traces, the real KVM
 * recordings, the bundled example, the simulator's output) loads with the
 * event classes that babeltrace2's rendering of the same metadata declares;
 * known layouts come out as LTTng wrote them; the CTF 2 rewrites of those
 * traces give the same classes as their CTF 1.8 originals; hostile metadata
 * is refused with one clear line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/ctf_ir.h"
#include "ctf_ir_compare.h"
#include "testutil.h"

#define EXAMPLE "examples/ust-hello/trace/ust/uid/0/64-bit"

/* Whether ../shared/testdata/relative (or a program) is there; a part of the test skips when not. */
static int have(const char *relative)
{
	if (vt_testdata(relative) && access(vt_testdata(relative), R_OK) == 0)
		return 1;
	vt_skip_part(VT_SKIP_NO_TESTDATA, "../shared/testdata/%s is absent", relative);
	return 0;
}

static int have_program(const char *program)
{
	struct vt_run r;
	vt_run_shell(&r, "command -v '%s' >/dev/null", program);
	int ok = r.status == 0;
	vt_run_free(&r);
	if (!ok)
		vt_skip_part(VT_SKIP_NO_PROGRAM, "%s is not installed", program);
	return ok;
}

static struct vt_ctf_trace_class *load_dir(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/metadata", dir);
	return vt_ctf_ir_load(path);
}

/* Up to max paths of folders holding a `metadata` file under root (sorted); returns how many. */
static size_t find_metadata(const char *root, char **dirs, size_t max)
{
	struct vt_run r;
	vt_run_shell(&r, "find '%s' -name metadata -type f | sort", root);
	assert_int_equal(r.status, 0);
	size_t n = 0;
	for (char *line = strtok(r.out, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		char *slash = strrchr(line, '/');
		*slash = '\0';
		dirs[n++] = strdup(line);
	}
	vt_run_free(&r);
	return n;
}

#define MAX_STREAMS 16

/* babeltrace2's rendering of the metadata text, its blocks counted line by line: event blocks per
 * stream_id (0 when not given), stream blocks. Independent of the parser under test. */
static void count_blocks(const char *dir, uint64_t per_stream[MAX_STREAMS], size_t *streams)
{
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 --output-format=ctf-metadata '%s'", dir);
	if (r.status != 0)
		fail_msg("babeltrace2 --output-format=ctf-metadata %s: %s", dir, r.err);
	memset(per_stream, 0, MAX_STREAMS * sizeof(*per_stream));
	*streams = 0;
	int in_event = 0;
	unsigned sid = 0;
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "stream {", 8) == 0)
			(*streams)++;
		if (strncmp(line, "event {", 7) == 0) {
			in_event = 1;
			sid = 0;
		} else if (in_event && strstr(line, "stream_id =")) {
			assert_int_equal(sscanf(strstr(line, "=") + 1, "%u", &sid), 1);
			assert_true(sid < MAX_STREAMS);
		} else if (in_event && strncmp(line, "};", 2) == 0) {
			per_stream[sid]++;
			in_event = 0;
		}
	}
	vt_run_free(&r);
}

/* The trace class of dir has the event classes babeltrace2's text declares, each found by its id. */
static void check_counts(const char *dir)
{
	uint64_t per_stream[MAX_STREAMS];
	size_t streams;
	count_blocks(dir, per_stream, &streams);
	struct vt_ctf_trace_class *tc = load_dir(dir);
	uint64_t total = 0;
	for (size_t s = 0; s < MAX_STREAMS; s++)
		total += per_stream[s];
	printf("%s: %zu stream classes, %" PRIu64 " event classes\n", dir, tc->nstreams, total);
	assert_int_equal(tc->major, 1);
	assert_int_equal(tc->minor, 8);
	assert_int_equal(tc->nstreams, streams ? streams : 1);
	assert_int_equal(tc->nevents, total);
	assert_true(total > 0);
	for (size_t s = 0; s < tc->nstreams; s++) {
		const struct vt_ctf_stream_class *sc = tc->streams[s];
		assert_true(sc->id < MAX_STREAMS);
		assert_int_equal(sc->nevents, per_stream[sc->id]);
		assert_ptr_equal(vt_ctf_stream_class_find(tc, sc->id), sc);
		for (size_t e = 0; e < sc->nevents; e++) {
			assert_ptr_equal(vt_ctf_event_class_find(sc, sc->events[e]->id), sc->events[e]);
			assert_ptr_equal(sc->events[e]->stream, sc);
		}
	}
	vt_ctf_trace_class_free(tc);
}

static void tsdl_testdata(void **state)
{
	(void)state;
	if (!have("ctf") || !have("real-kvm") || !have_program("babeltrace2"))
		return;
	char *dirs[64];
	size_t n = find_metadata(vt_testdata("ctf"), dirs, 32);
	n += find_metadata(vt_testdata("real-kvm"), dirs + n, 32);
	dirs[n++] = strdup(vt_source_path(EXAMPLE));
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		check_counts(dirs[i]);
		free(dirs[i]);
	}
}

/* The simulator's traces (what lttng-modules 2.13.9 and lttng-ust would write). */
static void tsdl_simulator(void **state)
{
	(void)state;
	if (!have_program("babeltrace2"))
		return;
	char *out = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s' --duration-ms 50", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/two-guests-ntp.json"), out);
	if (r.status != 0)
		fail_msg("vmtrace-sim: %s", r.err);
	vt_run_free(&r);
	char *dirs[16];
	size_t n = find_metadata(out, dirs, 16);
	assert_true(n >= 6); /* host and two guests, kernel and ust each */
	for (size_t i = 0; i < n; i++) {
		check_counts(dirs[i]);
		free(dirs[i]);
	}
	vt_rmtree(out);
	free(out);
}

static const struct vt_ctf_fc *member(const struct vt_ctf_fc *st, const char *name)
{
	const struct vt_ctf_fc *fc = vt_ctf_fc_member(st, name);
	if (!fc)
		fail_msg("no member \"%s\"", name);
	return fc;
}

static void expect_int(const struct vt_ctf_fc *fc, enum vt_ctf_fc_type type, uint32_t length)
{
	assert_int_equal(fc->type, type);
	assert_int_equal(fc->u.i.length, length);
}

static const struct vt_ctf_option *option(const struct vt_ctf_fc *var, const char *name)
{
	assert_int_equal(var->type, VT_CTF_FC_VARIANT);
	for (uint32_t i = 0; i < var->u.v.noptions; i++)
		if (strcmp(var->u.v.options[i].name, name) == 0)
			return &var->u.v.options[i];
	fail_msg("no option \"%s\"", name);
	return NULL;
}

/* LTTng's compact event header: a 5-bit id enumeration selecting a variant of a 27-bit timestamp, or a
 * 32-bit id and a 64-bit timestamp; the variant reads its selector from the id's slot. */
static void lttng_compact_header(const struct vt_ctf_stream_class *sc, const struct vt_ctf_clock_class *clock)
{
	const struct vt_ctf_fc *eh = sc->event_header, *id = member(eh, "id"), *v = member(eh, "v");
	expect_int(id, VT_CTF_FC_UINT, 5);
	assert_int_equal(id->roles, VT_CTF_ROLE_EVENT_CLASS_ID);
	assert_int_equal(id->u.i.nmappings, 2);
	assert_true(id->slot >= 0);
	assert_int_equal(v->u.v.loc.slot, (uint32_t)id->slot);
	assert_ptr_equal(v->u.v.loc.target, id);
	const struct vt_ctf_option *compact = option(v, "compact"), *extended = option(v, "extended");
	assert_int_equal(compact->nranges, 1);
	assert_int_equal(compact->ranges[0].lower, 0);
	assert_int_equal(compact->ranges[0].upper, 30);
	assert_int_equal(extended->nranges, 1);
	assert_int_equal(extended->ranges[0].lower, 31);
	assert_int_equal(extended->ranges[0].upper, 31);
	const struct vt_ctf_fc *ts = member(compact->fc, "timestamp");
	expect_int(ts, VT_CTF_FC_UINT, 27);
	assert_int_equal(ts->roles, VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP);
	expect_int(member(extended->fc, "id"), VT_CTF_FC_UINT, 32);
	assert_int_equal(member(extended->fc, "id")->roles, VT_CTF_ROLE_EVENT_CLASS_ID);
	expect_int(member(extended->fc, "timestamp"), VT_CTF_FC_UINT, 64);
	assert_ptr_equal(sc->default_clock, clock);
	assert_int_equal(eh->align, 8);
}

static void tsdl_kernel_layout(void **state)
{
	(void)state;
	if (!have("real-kvm/run1/host/kernel/metadata"))
		return;
	struct vt_ctf_trace_class *tc = vt_ctf_ir_load(vt_testdata("real-kvm/run1/host/kernel/metadata"));
	assert_string_equal(vt_ctf_env_string(tc, "hostname"), "l1-host");
	assert_string_equal(vt_ctf_env_string(tc, "product_uuid"), "10100000-0000-4000-8000-000000000001");
	assert_true(tc->has_uuid);
	assert_int_equal(tc->uuid[0], 0x7b);
	assert_int_equal(tc->nclocks, 1);
	const struct vt_ctf_clock_class *clock = vt_ctf_clock_class_find(tc, "monotonic");
	assert_non_null(clock);
	assert_int_equal(clock->frequency, 1000000000);
	assert_int_equal(clock->offset_seconds, 1795648751);
	assert_int_equal(clock->offset_cycles, 318803100);
	assert_true(clock->origin_unix_epoch);
	assert_true(clock->has_uuid);
	assert_int_equal(clock->uuid[0], 0x62);

	const struct vt_ctf_fc *ph = tc->packet_header;
	assert_int_equal(member(ph, "magic")->roles, VT_CTF_ROLE_PACKET_MAGIC);
	assert_int_equal(member(ph, "uuid")->type, VT_CTF_FC_SL_BLOB);
	assert_int_equal(member(ph, "uuid")->u.s.length, 16);
	assert_int_equal(member(ph, "uuid")->roles, VT_CTF_ROLE_METADATA_UUID);
	assert_int_equal(member(ph, "stream_id")->roles, VT_CTF_ROLE_STREAM_CLASS_ID);
	assert_int_equal(member(ph, "stream_instance_id")->roles, VT_CTF_ROLE_STREAM_ID);

	const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, 0);
	assert_non_null(sc);
	const struct vt_ctf_fc *pc = sc->packet_context;
	assert_int_equal(member(pc, "timestamp_begin")->roles, VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP);
	assert_int_equal(member(pc, "timestamp_begin")->u.i.clock, 1);
	assert_int_equal(member(pc, "timestamp_end")->roles, VT_CTF_ROLE_PACKET_END_TIMESTAMP);
	assert_int_equal(member(pc, "content_size")->roles, VT_CTF_ROLE_PACKET_CONTENT_LENGTH);
	assert_int_equal(member(pc, "packet_size")->roles, VT_CTF_ROLE_PACKET_TOTAL_LENGTH);
	assert_int_equal(member(pc, "events_discarded")->roles, VT_CTF_ROLE_DISCARDED_COUNTER);
	assert_int_equal(member(pc, "packet_seq_num")->roles, VT_CTF_ROLE_PACKET_SEQ_NUM);
	assert_int_equal(member(pc, "cpu_id")->roles, 0);
	lttng_compact_header(sc, clock);
	const struct vt_ctf_fc *ctx = sc->event_common_context;
	expect_int(member(ctx, "tid"), VT_CTF_FC_SINT, 32);
	assert_int_equal(member(ctx, "procname")->type, VT_CTF_FC_SL_STRING);
	assert_int_equal(member(ctx, "procname")->u.s.length, 16);

	/* sched_switch, as lttng-modules 2.13 declares it */
	const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(sc, 18);
	assert_non_null(ev);
	assert_string_equal(ev->name, "sched_switch");
	static const struct {
		const char *name;
		enum vt_ctf_fc_type type;
		uint32_t bits;
	} sw[] = {{"prev_comm", VT_CTF_FC_SL_STRING, 16 * 8}, {"prev_tid", VT_CTF_FC_SINT, 32},
		  {"prev_prio", VT_CTF_FC_SINT, 32},          {"prev_state", VT_CTF_FC_SINT, 64},
		  {"next_comm", VT_CTF_FC_SL_STRING, 16 * 8}, {"next_tid", VT_CTF_FC_SINT, 32},
		  {"next_prio", VT_CTF_FC_SINT, 32}};
	assert_int_equal(ev->payload->u.st.nmembers, 7);
	for (size_t i = 0; i < 7; i++) {
		const struct vt_ctf_member *m = &ev->payload->u.st.members[i];
		assert_string_equal(m->name, sw[i].name);
		assert_int_equal(m->fc->type, sw[i].type);
		assert_int_equal(m->fc->type == VT_CTF_FC_SL_STRING ? m->fc->u.s.length * 8 : m->fc->u.i.length,
				 sw[i].bits);
		assert_int_equal(m->fc->align, 8);
	}

	/* net_dev_queue: the network header variant, its options' ranges from the enumeration */
	ev = vt_ctf_event_class_find(sc, 4);
	assert_string_equal(ev->name, "net_dev_queue");
	const struct vt_ctf_fc *type = member(ev->payload, "network_header_type"),
			       *nh = member(ev->payload, "network_header");
	assert_int_equal(nh->u.v.noptions, 3);
	assert_int_equal(nh->u.v.loc.slot, (uint32_t)type->slot);
	const struct vt_ctf_option *ipv4 = option(nh, "ipv4");
	assert_int_equal(ipv4->nranges, 1);
	assert_int_equal(ipv4->ranges[0].lower, 1);
	const struct vt_ctf_fc *proto = member(ipv4->fc, "protocol");
	assert_int_equal(proto->u.i.byte_order, VT_CTF_BE);
	assert_int_equal(proto->u.i.nmappings, 4); /* _unknown, _icmp, _tcp, _udp: _unknown has 4 ranges */
	const struct vt_ctf_fc *th = member(ipv4->fc, "transport_header");
	const struct vt_ctf_option *tcp = option(th, "tcp");
	assert_int_equal(th->u.v.loc.slot, (uint32_t)member(ipv4->fc, "transport_header_type")->slot);
	expect_int(member(tcp->fc, "flags"), VT_CTF_FC_UINT, 9);
	assert_int_equal(member(tcp->fc, "flags")->u.i.base, 16);
	assert_int_equal(member(ipv4->fc, "saddr")->type, VT_CTF_FC_SL_ARRAY);
	assert_int_equal(member(ipv4->fc, "saddr")->u.a.length, 4);

	/* sched_process_fork: a sequence of vtids whose length is the member before it */
	ev = vt_ctf_event_class_find(sc, 15);
	const struct vt_ctf_fc *vtids = member(ev->payload, "vtids");
	assert_int_equal(vtids->type, VT_CTF_FC_DL_ARRAY);
	assert_ptr_equal(vtids->u.a.loc.target, member(ev->payload, "_vtids_length"));
	assert_int_equal(vtids->u.a.loc.slot, (uint32_t)member(ev->payload, "_vtids_length")->slot);
	vt_ctf_trace_class_free(tc);
}

/* The synthetic trace of unusual types (12-, 17- and 35-bit integers, a double, a variant on a 3-bit
 * enumeration with a range, a sequence in a nested struct) and a clock with offset_s and offset. */
static void tsdl_funky_layout(void **state)
{
	(void)state;
	if (!have("ctf/funky_trace/metadata"))
		return;
	struct vt_ctf_trace_class *tc = vt_ctf_ir_load(vt_testdata("ctf/funky_trace/metadata"));
	const struct vt_ctf_clock_class *clock = vt_ctf_clock_class_find(tc, "test_clock");
	assert_non_null(clock);
	assert_int_equal(clock->precision, 10);
	assert_true(clock->origin_unix_epoch); /* absolute = TRUE */
	/* offset_s = 1351530929945824323 s, offset = 1234567 cycles at 1 GHz */
	assert_int_equal(clock->offset_seconds, 1351530929945824323ll);
	assert_int_equal(clock->offset_cycles, 1234567);
	const struct vt_ctf_stream_class *sc = tc->streams[0];
	assert_ptr_equal(sc->default_clock, clock); /* its only clock, the timestamps mapping none */
	const struct vt_ctf_event_class *simple = vt_ctf_event_class_find(sc, 0);
	assert_string_equal(simple->name, "Simple Event");
	expect_int(member(simple->payload, "integer_field"), VT_CTF_FC_UINT, 12);
	assert_int_equal(member(simple->payload, "integer_field")->align, 1);
	expect_int(member(simple->payload, "float_field"), VT_CTF_FC_FLOAT, 64);
	assert_int_equal(member(simple->payload, "float_field")->align, 32);
	assert_int_equal(simple->payload->align, 32);
	const struct vt_ctf_event_class *cx = vt_ctf_event_class_find(sc, 2);
	assert_string_equal(cx->name, "Complex Test Event");
	expect_int(member(cx->payload, "uint_35"), VT_CTF_FC_UINT, 35);
	assert_int_equal(member(cx->payload, "uint_35")->u.i.base, 16);
	const struct vt_ctf_fc *st = member(cx->payload, "complex_structure");
	const struct vt_ctf_fc *var = member(st, "variant_value"), *sel = member(st, "variant_selector");
	assert_int_equal(var->u.v.loc.slot, (uint32_t)sel->slot);
	const struct vt_ctf_option *o = option(var, "UINT35_TYPE");
	assert_int_equal(o->nranges, 1);
	assert_int_equal(o->ranges[0].lower, 2);
	assert_int_equal(o->ranges[0].upper, 7);
	const struct vt_ctf_fc *inner = member(st, "inner_structure"), *seq = member(inner, "a_sequence");
	assert_int_equal(seq->type, VT_CTF_FC_DL_ARRAY);
	assert_ptr_equal(seq->u.a.loc.target, member(inner, "seq_len"));
	expect_int(seq->u.a.element, VT_CTF_FC_SINT, 16);
	vt_ctf_trace_class_free(tc);
}

/* The bundled LTTng-UST example: tracef's text sequence, its log level, the big-endian twin. */
static void tsdl_ust_and_big_endian(void **state)
{
	(void)state;
	struct vt_ctf_trace_class *tc = load_dir(vt_source_path(EXAMPLE));
	const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(tc->streams[0], 0);
	assert_string_equal(ev->name, "lttng_ust_tracef:event");
	assert_int_equal(ev->loglevel, 14);
	const struct vt_ctf_fc *msg = member(ev->payload, "msg");
	assert_int_equal(msg->type, VT_CTF_FC_DL_STRING);
	assert_ptr_equal(msg->u.s.loc.target, member(ev->payload, "_msg_length"));
	/* the large header: a 16-bit id enumeration, compact up to 65534 */
	const struct vt_ctf_fc *id = member(tc->streams[0]->event_header, "id");
	expect_int(id, VT_CTF_FC_UINT, 16);
	assert_int_equal(option(member(tc->streams[0]->event_header, "v"), "compact")->ranges[0].upper, 65534);
	assert_string_equal(vt_ctf_env_string(tc, "hostname"), "vm");
	vt_ctf_trace_class_free(tc);

	if (!have("ctf/flipping-endianness/metadata"))
		return;
	tc = vt_ctf_ir_load(vt_testdata("ctf/flipping-endianness/metadata"));
	assert_int_equal(tc->byte_order, VT_CTF_BE);
	const struct vt_ctf_fc *magic = member(tc->packet_header, "magic");
	assert_int_equal(magic->u.i.byte_order, VT_CTF_BE);
	assert_int_equal(magic->u.i.bit_order, VT_CTF_LAST_TO_FIRST);
	assert_int_equal(magic->align, 32);
	assert_string_equal(vt_ctf_env_string(tc, "hostname"), "qemu0");
	vt_ctf_trace_class_free(tc);
}

static int is_text(const struct vt_ctf_fc *fc)
{
	return fc->type == VT_CTF_FC_NT_STRING || fc->type == VT_CTF_FC_SL_STRING || fc->type == VT_CTF_FC_DL_STRING;
}

/* a (CTF 2, as babeltrace2 2.1 rewrote it) and b (the CTF 1.8 original) describe the same fields:
 * names, integer kinds and lengths, mappings, options and their ranges, arrays. The rewrite keeps the
 * data's meaning, not its encoding: text arrays become null-terminated strings, byte orders and
 * alignments follow its own packets. */
static void same_shape(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	if (!a || !b) {
		if (a || b)
			fail_msg("%s: only in CTF %s", where, a ? "2" : "1.8");
		return;
	}
	if (is_text(a) && is_text(b))
		return;
	if (a->type != b->type)
		fail_msg("%s: %s in CTF 2, %s in CTF 1.8", where, vt_ctf_fc_type_name(a->type),
			 vt_ctf_fc_type_name(b->type));
	char sub[512];
	switch (a->type) {
	case VT_CTF_FC_UINT:
	case VT_CTF_FC_SINT:
	case VT_CTF_FC_FLOAT:
		if (a->u.i.length != b->u.i.length || a->u.i.nmappings != b->u.i.nmappings)
			fail_msg("%s: %u bits and %u mappings in CTF 2, %u and %u in CTF 1.8", where, a->u.i.length,
				 a->u.i.nmappings, b->u.i.length, b->u.i.nmappings);
		break;
	case VT_CTF_FC_STRUCT:
		if (a->u.st.nmembers != b->u.st.nmembers)
			fail_msg("%s: %u members in CTF 2, %u in CTF 1.8", where, a->u.st.nmembers, b->u.st.nmembers);
		for (uint32_t i = 0; i < a->u.st.nmembers; i++) {
			snprintf(sub, sizeof(sub), "%.300s.%.100s", where, a->u.st.members[i].name);
			assert_string_equal(a->u.st.members[i].name, b->u.st.members[i].name);
			same_shape(a->u.st.members[i].fc, b->u.st.members[i].fc, sub);
		}
		break;
	case VT_CTF_FC_VARIANT:
		assert_int_equal(a->u.v.noptions, b->u.v.noptions);
		for (uint32_t i = 0; i < a->u.v.noptions; i++) {
			const struct vt_ctf_option *x = &a->u.v.options[i], *y = &b->u.v.options[i];
			snprintf(sub, sizeof(sub), "%.300s<%.100s>", where, x->name);
			assert_string_equal(x->name, y->name);
			assert_int_equal(x->nranges, y->nranges);
			for (uint32_t k = 0; k < x->nranges; k++) {
				assert_int_equal(x->ranges[k].lower, y->ranges[k].lower);
				assert_int_equal(x->ranges[k].upper, y->ranges[k].upper);
			}
			same_shape(x->fc, y->fc, sub);
		}
		break;
	case VT_CTF_FC_SL_ARRAY:
		assert_int_equal(a->u.a.length, b->u.a.length);
		/* fall through */
	case VT_CTF_FC_DL_ARRAY:
		snprintf(sub, sizeof(sub), "%.400s[]", where);
		same_shape(a->u.a.element, b->u.a.element, sub);
		break;
	default:
		break;
	}
}

static void twin(const char *ctf2_root, const char *ctf1_dir)
{
	char *dirs[2];
	assert_int_equal(find_metadata(ctf2_root, dirs, 2), 1);
	struct vt_ctf_trace_class *a = load_dir(dirs[0]), *b = load_dir(ctf1_dir);
	free(dirs[0]);
	assert_int_equal(a->major, 2);
	assert_int_equal(b->major, 1);
	printf("%s: %zu event classes (CTF 1.8: %zu)\n", ctf2_root, a->nevents, b->nevents);
	assert_true(a->nevents > 0 && a->nevents <= b->nevents);
	assert_string_equal(vt_ctf_env_string(a, "hostname"), vt_ctf_env_string(b, "hostname"));
	assert_int_equal(a->nclocks, 1);
	const struct vt_ctf_clock_class *ca = &a->clocks[0], *cb = &b->clocks[0];
	assert_string_equal(ca->name, cb->name);
	assert_int_equal(ca->frequency, cb->frequency);
	assert_int_equal(ca->offset_seconds, cb->offset_seconds);
	assert_int_equal(ca->offset_cycles, cb->offset_cycles);
	assert_true(ca->has_uuid && cb->has_uuid && memcmp(ca->uuid, cb->uuid, 16) == 0);
	assert_true(ca->origin_unix_epoch && cb->origin_unix_epoch);
	const struct vt_ctf_stream_class *sa = vt_ctf_stream_class_find(a, 0), *sb = vt_ctf_stream_class_find(b, 0);
	assert_ptr_equal(sa->default_clock, ca);
	assert_ptr_equal(sb->default_clock, cb);
	same_shape(sa->event_common_context, sb->event_common_context, "event-record-common-context");
	for (size_t e = 0; e < sa->nevents; e++) {
		const struct vt_ctf_event_class *x = sa->events[e], *y = vt_ctf_event_class_find(sb, x->id);
		if (!y)
			fail_msg("%s: event record class %" PRIu64 " (%s) is not in CTF 1.8", ctf2_root, x->id,
				 x->name);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->loglevel, y->loglevel);
		same_shape(x->payload, y->payload, x->name);
	}
	vt_ctf_trace_class_free(a);
	vt_ctf_trace_class_free(b);
}

static void ctf2_twins(void **state)
{
	(void)state;
	if (!have("ctf2") || !have("ctf") || !have("real-kvm"))
		return;
	char a[4200], b[4200];
	static const char *const kernel[] = {"host", "guest1", "guest2"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s/%s", vt_testdata("ctf2/real-kvm-run1"), kernel[i]);
		snprintf(b, sizeof(b), "%s/%s/kernel", vt_testdata("real-kvm/run1"), kernel[i]);
		twin(a, b);
	}
	snprintf(a, sizeof(a), "%s", vt_testdata("ctf2/many-threads"));
	twin(a, vt_testdata("ctf/many-threads"));
	snprintf(a, sizeof(a), "%s", vt_testdata("ctf2/ust-hello"));
	twin(a, vt_source_path(EXAMPLE));

	/* what CTF 2 says itself: roles, not names */
	char *dirs[1];
	assert_int_equal(find_metadata(vt_testdata("ctf2/real-kvm-run1/host"), dirs, 1), 1);
	struct vt_ctf_trace_class *tc = load_dir(dirs[0]);
	free(dirs[0]);
	assert_int_equal(member(tc->packet_header, "magic")->roles, VT_CTF_ROLE_PACKET_MAGIC);
	assert_int_equal(member(tc->packet_header, "uuid")->type, VT_CTF_FC_SL_BLOB);
	const struct vt_ctf_fc *eh = tc->streams[0]->event_header;
	assert_int_equal(member(eh, "id")->roles, VT_CTF_ROLE_EVENT_CLASS_ID);
	assert_int_equal(member(eh, "timestamp")->roles, VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP);
	assert_non_null(tc->uid);
	assert_true(tc->has_uuid);
	/* net_if_receive_skb's transport header: a selector reached through the network header variant */
	const struct vt_ctf_stream_class *sc = tc->streams[0];
	const struct vt_ctf_event_class *ev = NULL;
	for (size_t e = 0; e < sc->nevents; e++)
		if (strcmp(sc->events[e]->name, "net_if_receive_skb") == 0)
			ev = sc->events[e];
	assert_non_null(ev);
	const struct vt_ctf_fc *nh = member(ev->payload, "network_header");
	const struct vt_ctf_fc *v4 = option(nh, "ipv4")->fc, *v6 = option(nh, "ipv6")->fc;
	const struct vt_ctf_fc *th4 = member(v4, "transport_header"), *th6 = member(v6, "transport_header");
	assert_int_equal(th4->u.v.loc.origin, VT_CTF_SCOPE_EVENT_PAYLOAD);
	assert_ptr_equal(th4->u.v.loc.target, member(v4, "transport_header_type"));
	assert_ptr_equal(th6->u.v.loc.target, member(v6, "transport_header_type"));
	assert_int_equal(th4->u.v.loc.slot, (uint32_t)member(v4, "transport_header_type")->slot);
	assert_int_equal(th6->u.v.loc.slot, (uint32_t)member(v6, "transport_header_type")->slot);
	vt_ctf_trace_class_free(tc);
}

/* CTF 2 beyond what babeltrace2's rewrites use: aliases, variable-length integers, BLOBs, optionals, a
 * variant with an unnamed option and negative ranges, a relative location going one structure up, a bit
 * map, a clock offset with more cycles than a second. */
static const char rich_ctf2[] =
	"\x1e{\"type\":\"preamble\",\"version\":2,\"uuid\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n"
	"\x1e{\"type\":\"field-class-alias\",\"name\":\"u8\",\"field-class\":{\"type\":\"fixed-length-unsigned-"
	"integer\",\"length\":8,\"byte-order\":\"little-endian\",\"alignment\":8}}\n"
	"\x1e{\"type\":\"field-class-alias\",\"name\":\"u32be\",\"field-class\":{\"type\":\"fixed-length-unsigned-"
	"integer\",\"length\":32,\"byte-order\":\"big-endian\",\"alignment\":8,\"preferred-display-base\":16}}\n"
	"\x1e{\"type\":\"trace-class\",\"uid\":\"x\",\"environment\":{\"hostname\":\"h\",\"n\":-3},\"packet-header-"
	"field-class\":{\"type\":\"structure\",\"member-classes\":[{\"name\":\"magic\",\"field-class\":{\"type\":"
	"\"fixed-length-unsigned-integer\",\"length\":32,\"byte-order\":\"little-endian\",\"alignment\":8,\"roles\":["
	"\"packet-magic-number\"]}},{\"name\":\"uuid\",\"field-class\":{\"type\":\"static-length-blob\",\"length\":16,"
	"\"roles\":[\"metadata-stream-uuid\"]}},{\"name\":\"sid\",\"field-class\":{\"type\":\"variable-length-unsigned-"
	"integer\",\"roles\":[\"data-stream-class-id\"]}}]}}\n"
	"\x1e{\"type\":\"clock-class\",\"id\":\"c\",\"frequency\":1000,\"offset-from-origin\":{\"seconds\":-5,"
	"\"cycles\":2500},\"origin\":\"unix-epoch\",\"uid\":\"c1bc61c1-78f9-437a-8889-67a0d3e400d6\"}\n"
	"\x1e{\"type\":\"data-stream-class\",\"id\":3,\"default-clock-class-id\":\"c\",\"packet-context-field-class\":{"
	"\"type\":\"structure\",\"member-classes\":[{\"name\":\"len\",\"field-class\":{\"type\":\"fixed-length-"
	"unsigned-integer\",\"length\":64,\"byte-order\":\"little-endian\",\"roles\":[\"packet-total-length\"]}}]},"
	"\"event-record-header-field-class\":{\"type\":\"structure\",\"member-classes\":[{\"name\":\"id\",\"field-"
	"class\":{\"type\":\"variable-length-unsigned-integer\",\"roles\":[\"event-record-class-id\"]}},{\"name\":"
	"\"ts\",\"field-class\":{\"type\":\"fixed-length-unsigned-integer\",\"length\":27,\"byte-order\":\"little-"
	"endian\",\"roles\":[\"default-clock-timestamp\"]}}]}}\n"
	"\x1e{\"type\":\"event-record-class\",\"id\":9,\"data-stream-class-id\":3,\"name\":\"ev\",\"attributes\":{"
	"\"lttng.org,2009\":{\"log-level\":\"warning\",\"emf-uri\":\"u\"}},\"specific-context-field-class\":{\"type\":"
	"\"structure\",\"member-classes\":[{\"name\":\"flag\",\"field-class\":{\"type\":\"fixed-length-boolean\","
	"\"length\":8,\"byte-order\":\"little-endian\"}}]},\"payload-field-class\":{\"type\":\"structure\",\"minimum-"
	"alignment\":64,\"member-classes\":[{\"name\":\"n\",\"field-class\":\"u8\"},{\"name\":\"sel\",\"field-class\":{"
	"\"type\":\"fixed-length-signed-integer\",\"length\":16,\"byte-order\":\"little-endian\",\"mappings\":{\"a\":[["
	"-3,-1],[5,5]],\"b\":[[0,0]]}}},{\"name\":\"inner\",\"field-class\":{\"type\":\"structure\",\"member-classes\":"
	"[{\"name\":\"arr\",\"field-class\":{\"type\":\"dynamic-length-array\",\"length-field-location\":{\"path\":["
	"null,\"n\"]},\"element-field-class\":\"u32be\"}},{\"name\":\"opt\",\"field-class\":{\"type\":\"optional\","
	"\"selector-field-location\":{\"origin\":\"event-record-specific-context\",\"path\":[\"flag\"]},\"field-"
	"class\":{\"type\":\"null-terminated-string\"}}},{\"name\":\"s\",\"field-class\":{\"type\":\"dynamic-length-"
	"string\",\"length-field-location\":{\"origin\":\"event-record-payload\",\"path\":[\"n\"]}}},{\"name\":\"b\","
	"\"field-class\":{\"type\":\"dynamic-length-blob\",\"length-field-location\":{\"origin\":\"event-record-"
	"payload\",\"path\":[\"n\"]},\"media-type\":\"image/"
	"png\"}},{\"name\":\"v\",\"field-class\":{\"type\":\"variant\",\"selector-field-location\":{\"origin\":\"event-"
	"record-payload\",\"path\":[\"sel\"]},\"options\":[{\"name\":\"a\",\"selector-field-ranges\":[[-3,-1]],\"field-"
	"class\":{\"type\":\"fixed-length-floating-point-number\",\"length\":64,\"byte-order\":\"little-endian\"}},{"
	"\"selector-field-ranges\":[[0,0]],\"field-class\":{\"type\":\"static-length-string\",\"length\":12}}]}},{"
	"\"name\":\"o2\",\"field-class\":{\"type\":\"optional\",\"selector-field-location\":{\"origin\":\"event-record-"
	"payload\",\"path\":[\"sel\"]},\"selector-field-ranges\":[[1,4]],\"field-class\":{\"type\":\"static-length-"
	"array\",\"length\":3,\"element-field-class\":{\"type\":\"variable-length-signed-integer\"}}}},{\"name\":"
	"\"bits\",\"field-class\":{\"type\":\"fixed-length-bit-map\",\"length\":8,\"byte-order\":\"little-endian\","
	"\"flags\":{\"x\":[[0,3]]}}}]}}]}}\n";

static void ctf2_features(void **state)
{
	(void)state;
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&tc, rich_ctf2, strlen(rich_ctf2), "rich", &err))
		fail_msg("%s", err.msg);
	assert_true(tc->has_uuid);
	assert_int_equal(tc->uuid[15], 16);
	assert_string_equal(tc->uid, "x");
	assert_null(vt_ctf_env_string(tc, "n"));
	assert_int_equal(tc->env[1].value, -3);
	const struct vt_ctf_clock_class *c = vt_ctf_clock_class_find(tc, "c");
	assert_int_equal(c->offset_seconds, -3); /* -5 s + 2500 cycles at 1 kHz */
	assert_int_equal(c->offset_cycles, 500);
	assert_true(c->origin_unix_epoch && c->has_uuid);
	assert_int_equal(member(tc->packet_header, "sid")->type, VT_CTF_FC_VUINT);
	assert_int_equal(member(tc->packet_header, "sid")->roles, VT_CTF_ROLE_STREAM_CLASS_ID);
	const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, 3);
	assert_ptr_equal(sc->default_clock, c);
	assert_int_equal(member(sc->event_header, "ts")->roles, VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP);
	const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(sc, 9);
	assert_string_equal(ev->name, "ev");
	assert_int_equal(ev->loglevel, 4);
	assert_string_equal(ev->emf_uri, "u");
	const struct vt_ctf_fc *p = ev->payload, *n = member(p, "n"), *sel = member(p, "sel"), *in = member(p, "inner");
	assert_int_equal(p->align, 64);
	const struct vt_ctf_fc *arr = member(in, "arr");
	assert_ptr_equal(arr->u.a.loc.target, n);
	assert_int_equal(arr->u.a.element->u.i.byte_order, VT_CTF_BE);
	assert_int_equal(arr->u.a.element->u.i.base, 16);
	assert_ptr_equal(member(in, "opt")->u.o.loc.target, member(ev->specific_context, "flag"));
	assert_int_equal(member(ev->specific_context, "flag")->type, VT_CTF_FC_BOOL);
	assert_int_equal(member(in, "s")->u.s.loc.slot, (uint32_t)n->slot);
	assert_string_equal(member(in, "b")->u.s.media_type, "image/png");
	const struct vt_ctf_fc *v = member(in, "v");
	assert_int_equal(v->u.v.loc.slot, (uint32_t)sel->slot);
	assert_int_equal((int64_t)v->u.v.options[0].ranges[0].lower, -3);
	assert_null(v->u.v.options[1].name);
	assert_int_equal(v->u.v.options[1].fc->type, VT_CTF_FC_SL_STRING);
	expect_int(v->u.v.options[0].fc, VT_CTF_FC_FLOAT, 64);
	const struct vt_ctf_fc *o2 = member(in, "o2");
	assert_int_equal(o2->u.o.nranges, 1);
	assert_int_equal(o2->u.o.fc->u.a.element->type, VT_CTF_FC_VSINT);
	assert_int_equal(member(in, "bits")->type, VT_CTF_FC_BIT_ARRAY);
	assert_int_equal(sel->u.i.nmappings, 2);
	vt_ctf_trace_class_free(tc);
}

/* CTF 2 as its drafts spelled it (Trace Compass's CTF2-7.0-* test traces): a clock class's "name" and
 * byte "uuid", "default-clock-class-name", "user-attributes", enumeration types, and field locations as
 * [scope, member...] arrays read as their 2.0 spellings. */
static const char draft_ctf2[] =
	"\x1e{\"type\":\"preamble\",\"version\":2}\n"
	"\x1e{\"type\":\"trace-class\"}\n"
	"\x1e{\"type\":\"clock-class\",\"name\":\"mono\",\"frequency\":1000,\"uuid\":[77,118,219,114,228,15,64,158,"
	"186,48,83,45,48,157,80,72]}\n"
	"\x1e{\"type\":\"data-stream-class\",\"default-clock-class-name\":\"mono\"}\n"
	"\x1e{\"type\":\"event-record-class\",\"name\":\"yo\",\"user-attributes\":{\"babeltrace.org,2020\":{\"log-"
	"level\":\"debug:line\"}},\"payload-field-class\":{\"type\":\"structure\",\"member-classes\":[{\"name\":"
	"\"tag\",\"field-class\":{\"type\":\"fixed-length-signed-enumeration\",\"length\":8,\"byte-order\":\"big-"
	"endian\",\"mappings\":{\"A\":[[-1,-1]],\"B\":[[1,1]]}}},{\"name\":\"var\",\"field-class\":{\"type\":"
	"\"variant\",\"selector-field-location\":[\"event-record-payload\",\"tag\"],\"options\":[{\"name\":\"A\","
	"\"selector-field-ranges\":[[-1,-1]],\"field-class\":{\"type\":\"null-terminated-string\"}},{\"name\":\"B\","
	"\"selector-field-ranges\":[[1,1]],\"field-class\":{\"type\":\"variable-length-unsigned-enumeration\","
	"\"mappings\":{\"x\":[[0,9]]}}}]}}]}}\n";

static void ctf2_draft(void **state)
{
	(void)state;
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&tc, draft_ctf2, strlen(draft_ctf2), "draft", &err))
		fail_msg("%s", err.msg);
	const struct vt_ctf_clock_class *c = vt_ctf_clock_class_find(tc, "mono");
	assert_non_null(c);
	assert_true(c->has_uuid);
	assert_int_equal(c->uuid[0], 77);
	assert_int_equal(c->uuid[15], 72);
	const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, 0);
	assert_ptr_equal(sc->default_clock, c);
	const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(sc, 0);
	assert_int_equal(ev->loglevel, 13);
	const struct vt_ctf_fc *tag = member(ev->payload, "tag"), *var = member(ev->payload, "var");
	expect_int(tag, VT_CTF_FC_SINT, 8);
	assert_int_equal(tag->u.i.nmappings, 2);
	assert_int_equal(var->u.v.loc.slot, (uint32_t)tag->slot);
	assert_int_equal(var->u.v.options[1].fc->type, VT_CTF_FC_VUINT);
	assert_int_equal(var->u.v.options[1].fc->u.i.nmappings, 1);
	vt_ctf_trace_class_free(tc);
}

/* Thousands of event classes in several streams, ids scattered: each found by its id. */
static void many_event_classes(void **state)
{
	(void)state;
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(
		text + len, cap - len,
		"/* CTF 1.8 */\ntypealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
		"trace { major = 1; minor = 8; byte_order = le; };\n"
		"stream { id = 0; }; stream { id = 1; }; stream { id = 7; };\n");
	const unsigned n = 3000;
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(
			text + len, cap - len,
			"event { name = \"e%u\"; id = %u; stream_id = %u; fields := struct { uint32_t _x; "
			"}; };\n",
			i, (i * 7919u) % 100003u, i % 3 == 2 ? 7 : i % 3);
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&tc, text, len, "many", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(tc->nevents, n);
	assert_int_equal(tc->nstreams, 3);
	for (unsigned i = 0; i < n; i++) {
		const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, i % 3 == 2 ? 7 : i % 3);
		const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(sc, (i * 7919u) % 100003u);
		assert_non_null(ev);
		assert_int_equal(atoi(ev->name + 1), i);
	}
	assert_null(vt_ctf_event_class_find(tc->streams[0], 100004));
	assert_null(vt_ctf_stream_class_find(tc, 2));
	vt_ctf_trace_class_free(tc);
	free(text);
}

static void refused(const void *data, size_t len, const char *want);

/* TSDL's literal forms, escapes, scoped declarations and the ways a sequence names its length. */
static void tsdl_literals_and_paths(void **state)
{
	(void)state;
	static const char text[] =
		"/* CTF 1.8 */ // a line comment\n"
		"typealias integer { size = 0x20; align = 010; signed = false; base = hex; } := uint32_t;\n"
		"typealias integer { size = 16; align = 8; signed = true; } := int16_t;\n"
		"trace { major = 1; minor = 8; byte_order = network; };\n"
		"env { quote = \"a\\\"b\\tc\\x41\\101\"; neg = -0x10; big = 9223372036854775807LL; };\n"
		"clock { name = \"c\"; freq = 1000000000; offset = -1; };\n"
		"stream { id = 5; event.context := struct { uint32_t ctxlen; }; };\n"
		"event { name = e; id = 7UL; stream_id = 5; fields := struct {\n"
		"  enum : int16_t { NEG = -3 ... -1, ZERO, TWO = 2, CH = 'A', LAST = 0x7fff } kind;\n"
		"  uint32_t len;\n"
		"  struct {\n"
		"    typealias integer { size = 8; align = 8; signed = false; } := byte;\n"
		"    byte a[len];\n"
		"    byte b[event.fields.len];\n"
		"    byte c[stream.event.context.ctxlen];\n"
		"    struct { byte d[len]; } deeper;\n"
		"  } inner;\n"
		"}; };\n";
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&tc, text, strlen(text), "literals", &err))
		fail_msg("%s", err.msg);
	assert_string_equal(vt_ctf_env_string(tc, "quote"), "a\"b\tcAA");
	assert_int_equal(tc->env[1].value, -16);
	assert_int_equal(tc->env[2].value, INT64_MAX);
	assert_int_equal(tc->clocks[0].offset_seconds, -1);
	assert_int_equal(tc->clocks[0].offset_cycles, 999999999);
	const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, 5);
	const struct vt_ctf_event_class *ev = vt_ctf_event_class_find(sc, 7);
	const struct vt_ctf_fc *kind = member(ev->payload, "kind"), *len = member(ev->payload, "len");
	assert_int_equal(kind->type, VT_CTF_FC_SINT);
	assert_int_equal(kind->u.i.byte_order, VT_CTF_BE);
	assert_int_equal(kind->u.i.nmappings, 5);
	assert_int_equal((int64_t)kind->u.i.mappings[0].ranges[0].lower, -3);
	assert_int_equal(kind->u.i.mappings[1].ranges[0].lower, 0); /* implicit: after -1 */
	assert_int_equal(kind->u.i.mappings[3].ranges[0].lower, 'A');
	assert_int_equal(kind->u.i.mappings[4].ranges[0].upper, 0x7fff);
	expect_int(len, VT_CTF_FC_UINT, 32);
	assert_int_equal(len->align, 8);
	assert_int_equal(len->u.i.base, 16);
	const struct vt_ctf_fc *in = member(ev->payload, "inner");
	assert_ptr_equal(member(in, "a")->u.a.loc.target, len);
	assert_ptr_equal(member(in, "b")->u.a.loc.target, len);
	assert_int_equal(member(in, "b")->u.a.loc.origin, VT_CTF_SCOPE_EVENT_PAYLOAD);
	assert_ptr_equal(member(in, "c")->u.a.loc.target, member(sc->event_common_context, "ctxlen"));
	assert_ptr_equal(member(member(in, "deeper"), "d")->u.a.loc.target, len);
	vt_ctf_trace_class_free(tc);
	/* the typealias inside inner is gone outside it */
	char bad[512];
	int n = snprintf(bad, sizeof(bad),
			 "/* CTF 1.8 */ trace { byte_order = le; }; event { name = e; fields := struct {"
			 " struct { typealias integer { size = 8; } := byte; byte a; } s; byte b; }; };");
	refused(bad, (size_t)n, "unknown type \"byte\"");
}

/* A one-line error that names the metadata and says `want`; no trace class. */
static void refused(const void *data, size_t len, const char *want)
{
	struct vt_ctf_trace_class *tc = (void *)1;
	struct vt_error err = {0};
	int rc = vt_ctf_meta_parse(&tc, data, len, "bad/metadata", &err);
	printf("  %s\n", err.msg);
	if (rc != -1)
		fail_msg("accepted; wanted an error saying \"%s\"", want);
	assert_null(tc);
	assert_true(strncmp(err.msg, "bad/metadata", 12) == 0);
	assert_null(strchr(err.msg, '\n'));
	if (!strstr(err.msg, want))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
}

static void refused_text(const char *text, const char *want)
{
	refused(text, strlen(text), want);
}

static const char prefix[] = "/* CTF 1.8 */\n"
			     "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
			     "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
			     "trace { major = 1; minor = 8; byte_order = le; };\n"
			     "stream { id = 0; };\n";

/* An event whose payload is body. */
static void refused_fields(const char *body, const char *want)
{
	char text[8192];
	int n = snprintf(text, sizeof(text), "%sevent {\n name = \"e\";\n id = 0;\n fields := struct {\n%s\n };\n};\n",
			 prefix, body);
	refused(text, (size_t)n, want);
}

static void hostile_tsdl(void **state)
{
	(void)state;
	/* the prefix with a benign payload is fine */
	char text[16384];
	int n = snprintf(text, sizeof(text), "%sevent { name = \"e\"; id = 0; fields := struct { uint32_t x; }; };",
			 prefix);
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	assert_int_equal(vt_ctf_meta_parse(&tc, text, (size_t)n, "ok", &err), 0);
	vt_ctf_trace_class_free(tc);

	refused(prefix, strlen(prefix) - 9, "expected"); /* truncated in a block */
	refused_text("/* CTF 1.8 */\ntypealias integer { size = 8;",
		     "expected an attribute name, found the end of the metadata");
	refused_text("/* CTF 1.8 */ /* unclosed", "comment is not closed");
	refused("", 0, "empty");
	refused_text("/* CTF 1.8 */\n", "no trace block");
	refused_fields("uint8_t x[99999999999];", "array length");
	refused_fields("uint8_t x[99999999999999999999999];", "does not fit 64 bits");
	refused_fields("uint32_t len; uint8_t x[nope];", "\"nope\", which does not exist");
	refused_fields("uint8_t x[len]; uint32_t len;", "does not come before it");
	refused_fields("string s; uint8_t x[s];", "not an unsigned integer");
	refused_fields("uint32_t t; variant <t> { uint8_t a; uint32_t b; } v;", "tag is not an enumeration");
	refused_fields("variant { uint8_t a; } v;", "does not exist");
	refused_fields("integer { size = 0; } x;", "size is 0, not 1 to 64");
	refused_fields("integer { size = 65; } x;", "size is 65, not 1 to 64");
	refused_fields("integer { size = 8; align = 3; } x;", "not a power of two");
	refused_fields("integer { size = 8; colour = red; } x;",
		       "bad/metadata:10: unknown attribute \"colour\" in an integer");
	refused_fields("floating_point { exp_dig = 5; mant_dig = 11; } f;", "neither 32 nor 64 bits");
	refused_fields("enum : uint8_t { A = 300 } e;", "does not fit its 8-bit integer");
	refused_fields("enum : uint8_t { A = 5 ... 2 } e;", "end is below its start");
	refused_fields("enum : uint8_t { A = 255, B } e;", "implicit enumerator value does not fit");
	refused_fields("uint32_t x; uint8_t x;", "two members");
	refused_fields("mystery_t x;", "unknown type \"mystery_t\"");
	refused_fields("string s = \"\\q\";", "unknown escape");
	refused_fields(
		"uint8_t a[2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2][2]"
		"[2][2][2][2];",
		"too many array dimensions");
	char deep[4096] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "struct { ");
	strcat(deep, "uint8_t x; ");
	for (int i = 0; i < 40; i++)
		strcat(deep, "} s; ");
	refused_fields(deep, "nest more than 32 deep");
	/* aliases that double at each level: stopped by the depth bound or the size bound, quickly */
	n = snprintf(text, sizeof(text), "%stypealias struct { uint32_t a; uint32_t b; } := t0;\n", prefix);
	for (int i = 1; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "typealias struct { t%d a; t%d b; } := t%d;\n", i - 1,
			      i - 1, i);
	refused(text, (size_t)n, "more than 64 MiB once expanded");
	n = snprintf(text, sizeof(text), "%sclock { name = c; freq = 0; };", prefix);
	refused(text, (size_t)n, "frequency of 0");
	n = snprintf(text, sizeof(text), "%sevent { name = \"e\"; stream_id = 4; };", prefix);
	refused(text, (size_t)n, "data stream class 4, which the metadata does not declare");
	n = snprintf(text, sizeof(text), "%sevent { name = \"a\"; id = 3; }; event { name = \"b\"; id = 3; };", prefix);
	refused(text, (size_t)n, "have id 3 (\"a\" and \"b\")");
	n = snprintf(text, sizeof(text), "%stypealias integer { size = 32; map = clock.nope.value; } := t;", prefix);
	refused(text, (size_t)n, "clock \"nope\", which is not declared before");
	n = snprintf(text, sizeof(text), "/* CTF 1.8 */ trace { major = 2; minor = 0; byte_order = le; };");
	refused(text, (size_t)n, "not 1.8");
}

/* A packetized metadata file: a bad magic, a packet cut short, a compressed packet. */
static void hostile_packets(void **state)
{
	(void)state;
	if (!have("real-kvm/run1/host/kernel/metadata"))
		return;
	size_t len;
	unsigned char *d = (unsigned char *)vt_read_file(vt_testdata("real-kvm/run1/host/kernel/metadata"), &len);
	assert_non_null(d);
	uint32_t packet_bits;
	memcpy(&packet_bits, d + 28, 4);
	size_t second = packet_bits / 8;
	assert_true(second < len);
	d[second] ^= 0xff;
	refused(d, len, "packet at byte 4096 has a bad magic");
	d[second] ^= 0xff;
	refused(d, second + 100, "metadata truncated: the packet at byte 4096 needs");
	refused(d, second + 20, "cut short in its header");
	d[second + 32] = 1;
	refused(d, len, "compressed, encrypted or checksummed");
	d[second + 32] = 0;
	d[second + 5] ^= 1;
	refused(d, len, "another uuid");
	d[second + 5] ^= 1;
	d[0] = 0x01;
	refused(d, len, "neither a metadata packet");
	free(d);
}

static const char ctf2_prefix[] = "\x1e{\"type\":\"preamble\",\"version\":2}\n"
				  "\x1e{\"type\":\"trace-class\"}\n"
				  "\x1e{\"type\":\"data-stream-class\"}\n";

static void refused_ctf2(const char *payload, const char *want)
{
	char text[8192];
	int n = snprintf(text, sizeof(text),
			 "%s\x1e{\"type\":\"event-record-class\",\"name\":\"e\",\"payload-field-class\":{\"type\":"
			 "\"structure\",\"member-classes\":[%s]}}\n",
			 ctf2_prefix, payload);
	refused(text, (size_t)n, want);
}

#define U8 "{\"type\":\"fixed-length-unsigned-integer\",\"length\":8,\"byte-order\":\"little-endian\"}"

static void hostile_ctf2(void **state)
{
	(void)state;
	char text[8192];
	int n = snprintf(text, sizeof(text),
			 "%s\x1e{\"type\":\"event-record-class\",\"payload-field-class\":{\"type\":\"structure\","
			 "\"member-classes\":[{\"name\":\"n\",\"field-class\":" U8 "},{\"name\":\"a\",\"field-class\":"
			 "{\"type\":\"dynamic-length-array\",\"length-field-location\":{\"path\":[\"n\"]},"
			 "\"element-field-class\":" U8 "}}]}}\n",
			 ctf2_prefix);
	struct vt_ctf_trace_class *tc;
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&tc, text, (size_t)n, "ok", &err))
		fail_msg("%s", err.msg);
	const struct vt_ctf_fc *a = member(tc->streams[0]->events[0]->payload, "a");
	assert_ptr_equal(a->u.a.loc.target, member(tc->streams[0]->events[0]->payload, "n"));
	vt_ctf_trace_class_free(tc);

	refused_text("\x1e{\"type\":\"trace-class\"}", "the first fragment is not the preamble");
	refused_text("\x1e{\"type\":\"preamble\",\"version\":3}", "\"version\" is not 2");
	refused_text("\x1e{\"type\":\"preamble\",\"version\":2", "not JSON");
	refused_text("\x1e{\"type\":\"preamble\",\"version\":2}\x1e[]", "not an object");
	refused_ctf2("{\"name\":\"x\",\"field-class\":{\"type\":\"fixed-length-unsigned-integer\",\"length\":0,"
		     "\"byte-order\":\"little-endian\"}}",
		     "of 0 bits");
	refused_ctf2("{\"name\":\"x\",\"field-class\":{\"type\":\"fixed-length-signed-integer\",\"length\":65,"
		     "\"byte-order\":\"big-endian\"}}",
		     "of 65 bits");
	refused_ctf2("{\"name\":\"x\",\"field-class\":{\"type\":\"fixed-length-unsigned-integer\",\"length\":8}}",
		     "byte-order");
	refused_ctf2("{\"name\":\"x\",\"field-class\":{\"type\":\"quantum-field\"}}", "unknown field class type");
	refused_ctf2("{\"name\":\"x\",\"field-class\":{\"type\":\"static-length-array\",\"length\":4294967296,"
		     "\"element-field-class\":" U8 "}}",
		     "at most 16777216");
	refused_ctf2("{\"name\":\"a\",\"field-class\":{\"type\":\"dynamic-length-array\",\"length-field-location\":"
		     "{\"origin\":\"event-record-payload\",\"path\":[\"nope\"]},\"element-field-class\":" U8 "}}",
		     "which does not exist");
	refused_ctf2("{\"name\":\"s\",\"field-class\":{\"type\":\"null-terminated-string\"}},{\"name\":\"a\","
		     "\"field-class\":{\"type\":\"dynamic-length-blob\",\"length-field-location\":{\"path\":[\"s\"]}}}",
		     "not an unsigned integer");
	refused_ctf2("{\"name\":\"v\",\"field-class\":{\"type\":\"variant\",\"selector-field-location\":{\"path\":"
		     "[\"later\"]},\"options\":[{\"selector-field-ranges\":[[0,0]],\"field-class\":" U8 "}]}},"
		     "{\"name\":\"later\",\"field-class\":" U8 "}",
		     "does not come before it");
	refused_ctf2("{\"name\":\"x\",\"field-class\":" U8 "},{\"name\":\"x\",\"field-class\":" U8 "}", "two members");
	refused_ctf2("{\"name\":\"x\",\"field-class\":\"no-such-alias\"}", "unknown field class alias");
	char deep[4096] = "{\"name\":\"x\",\"field-class\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "{\"type\":\"static-length-array\",\"length\":1,\"element-field-class\":");
	strcat(deep, U8);
	for (int i = 0; i < 40; i++)
		strcat(deep, "}");
	strcat(deep, "}");
	refused_ctf2(deep, "nest more than 32 deep");
	/* an alias defined by itself: bounded by the depth */
	n = snprintf(text, sizeof(text),
		     "\x1e{\"type\":\"preamble\",\"version\":2}\x1e{\"type\":\"field-class-alias\",\"name\":\"a\","
		     "\"field-class\":\"a\"}");
	refused(text, (size_t)n, "unknown field class alias");
	n = snprintf(
		text, sizeof(text),
		"\x1e{\"type\":\"preamble\",\"version\":2}\x1e{\"type\":\"clock-class\",\"id\":\"c\",\"frequency\":0}");
	refused(text, (size_t)n, "no usable \"frequency\"");
	n = snprintf(text, sizeof(text),
		     "%s\x1e{\"type\":\"data-stream-class\",\"id\":1,\"default-clock-class-id\":\"nope\"}",
		     ctf2_prefix);
	refused(text, (size_t)n, "\"nope\" is not declared before");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tsdl_testdata),
		cmocka_unit_test(tsdl_simulator),
		cmocka_unit_test(tsdl_kernel_layout),
		cmocka_unit_test(tsdl_funky_layout),
		cmocka_unit_test(tsdl_ust_and_big_endian),
		cmocka_unit_test(ctf2_twins),
		cmocka_unit_test(many_event_classes),
		cmocka_unit_test(ctf2_features),
		cmocka_unit_test(ctf2_draft),
		cmocka_unit_test(tsdl_literals_and_paths),
		cmocka_unit_test(hostile_tsdl),
		cmocka_unit_test(hostile_packets),
		cmocka_unit_test(hostile_ctf2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
