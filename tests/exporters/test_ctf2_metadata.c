/* The CTF 2 metadata writer (src/exporters/ctf2_metadata.c) as a TSDL to
 * CTF 2 converter: every CTF 1.8 metadata we have (the shared test traces,
 * the real KVM recordings, the bundled LTTng-UST example) converts to a CTF 2
 * document that the native parser reads back into the trace class it came
 * from; the CTF 2 that babeltrace2 2.1 wrote for the same traces has the
 * same fragments, roles and payload field classes; what CTF 2 cannot say is
 * refused with one line. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctf_ir_compare.h"
#include "exporters/ctf2_metadata.h"
#include "testutil.h"

#define EXAMPLE "examples/ust-hello/trace/ust/uid/0/64-bit"

/* The CTF 2 text of the metadata at path, the trace class it came from in *from. */
static char *convert(const char *path, struct vt_ctf_trace_class **from, size_t *len)
{
	struct vt_error err = {0};
	*from = vt_ctf_ir_load(path);
	char *text = vt_ctf2_metadata_text(*from, path, VT_CTF2_PLAIN, len, &err);
	if (!text)
		fail_msg("%s", err.msg);
	return text;
}

/* Fragments split at 0x1E (counted by type in types); strict: each is also one JSON object and a
 * newline, as RFC 7464 and LTTng write them (babeltrace2 2.1 writes no newline). Returns how many. */
static size_t fragments(const char *text, size_t len, const char *path, size_t types[5], int strict)
{
	static const char *const names[] = {"\"type\":\"preamble\"", "\"type\":\"trace-class\"",
					    "\"type\":\"clock-class\"", "\"type\":\"data-stream-class\"",
					    "\"type\":\"event-record-class\""};
	size_t n = 0;
	memset(types, 0, 5 * sizeof(*types));
	for (size_t i = 0; i < len; n++) {
		if (text[i] != 0x1E)
			fail_msg("%s: fragment %zu does not start with 0x1E", path, n + 1);
		const char *next = memchr(text + i + 1, 0x1E, len - i - 1), *end = next ? next : text + len;
		if (strict && (end - text < (ptrdiff_t)i + 4 || end[-1] != '\n' || end[-2] != '}' ||
			       text[i + 1] != '{' || memchr(text + i, '\n', (size_t)(end - text) - i - 1)))
			fail_msg("%s: fragment %zu is not one JSON object and a newline", path, n + 1);
		for (size_t k = 0; k < 5; k++) {
			const char *t = memmem(text + i, (size_t)(end - text) - i, names[k], strlen(names[k]));
			if (t && (k != 0 || n == 0))
				types[k]++;
		}
		i = (size_t)(end - text);
	}
	return n;
}

/* path's metadata, converted and read back, is the same trace class. */
static void round_trip(const char *path)
{
	struct vt_ctf_trace_class *from, *back;
	size_t len, types[5];
	char *text = convert(path, &from, &len);
	struct vt_error err = {0};
	if (vt_ctf_meta_parse(&back, text, len, path, &err))
		fail_msg("the CTF 2 of %s does not parse: %s", path, err.msg);
	size_t n = fragments(text, len, path, types, 1);
	printf("%s: %zu fragments, %zu event record classes\n", path, n, from->nevents);
	assert_int_equal(types[0], 1);
	assert_int_equal(types[1], 1);
	assert_int_equal(types[2], from->nclocks);
	assert_int_equal(types[3], from->nstreams);
	assert_int_equal(back->major, 2);
	assert_int_equal(from->major, 1);
	vt_ctf_ir_assert_equal(from, back, path);
	vt_ctf_trace_class_free(back);
	vt_ctf_trace_class_free(from);
	free(text);
}

/* Up to max metadata files under root (sorted); returns how many. */
static size_t find_metadata(const char *root, char **paths, size_t max)
{
	struct vt_run r;
	vt_run_shell(&r, "find '%s' -name metadata -type f | sort", root);
	assert_int_equal(r.status, 0);
	size_t n = 0;
	for (char *line = strtok(r.out, "\n"); line && n < max; line = strtok(NULL, "\n"))
		paths[n++] = strdup(line);
	vt_run_free(&r);
	return n;
}

static void testdata_round_trip(void **state)
{
	(void)state;
	char *paths[64];
	size_t n = 0;
	char example[4200];
	snprintf(example, sizeof(example), "%s/metadata", vt_source_path(EXAMPLE));
	round_trip(example);
	if (!vt_testdata("ctf") || access(vt_testdata("ctf"), R_OK) != 0 || !vt_testdata("real-kvm") ||
	    access(vt_testdata("real-kvm"), R_OK) != 0)
		vt_skip(VT_SKIP_NO_TESTDATA, "../shared/testdata/ctf or real-kvm is absent");
	n = find_metadata(vt_testdata("ctf"), paths, 32);
	n += find_metadata(vt_testdata("real-kvm"), paths + n, 32);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		round_trip(paths[i]);
		free(paths[i]);
	}
}

/* The roles found in each scope of a stream class (and the packet header). */
static void scope_roles(const struct vt_ctf_trace_class *tc, uint32_t out[3])
{
	out[0] = vt_ctf_ir_roles(tc->packet_header);
	out[1] = vt_ctf_ir_roles(tc->streams[0]->packet_context);
	out[2] = vt_ctf_ir_roles(tc->streams[0]->event_header);
}

static int is_text(const struct vt_ctf_fc *fc)
{
	return fc->type == VT_CTF_FC_NT_STRING || fc->type == VT_CTF_FC_SL_STRING || fc->type == VT_CTF_FC_DL_STRING;
}

/* Field class types member by member; babeltrace2's rewrite turns text arrays into null-terminated strings. */
static void same_types(const struct vt_ctf_fc *a, const struct vt_ctf_fc *b, const char *where)
{
	if (!a || !b) {
		if (a || b)
			fail_msg("%s: a payload on one side only", where);
		return;
	}
	if (is_text(a) && is_text(b))
		return;
	if (a->type != b->type)
		fail_msg("%s: %s (babeltrace2) and %s (ours)", where, vt_ctf_fc_type_name(a->type),
			 vt_ctf_fc_type_name(b->type));
	if (a->type == VT_CTF_FC_STRUCT) {
		assert_int_equal(a->u.st.nmembers, b->u.st.nmembers);
		for (uint32_t i = 0; i < a->u.st.nmembers; i++) {
			assert_string_equal(a->u.st.members[i].name, b->u.st.members[i].name);
			same_types(a->u.st.members[i].fc, b->u.st.members[i].fc, where);
		}
	} else if (a->type == VT_CTF_FC_VARIANT) {
		assert_int_equal(a->u.v.noptions, b->u.v.noptions);
		for (uint32_t i = 0; i < a->u.v.noptions; i++)
			same_types(a->u.v.options[i].fc, b->u.v.options[i].fc, where);
	} else if (a->type == VT_CTF_FC_SL_ARRAY || a->type == VT_CTF_FC_DL_ARRAY) {
		same_types(a->u.a.element, b->u.a.element, where);
	}
}

/* babeltrace2's CTF 2 (bt2_root, one metadata file under it) and ours from the CTF 1.8 original. */
static void twin(const char *bt2_root, const char *ctf1_metadata)
{
	char *paths[2];
	assert_int_equal(find_metadata(bt2_root, paths, 2), 1);
	struct vt_ctf_trace_class *theirs = vt_ctf_ir_load(paths[0]), *from, *ours;
	size_t len, len2, types[5], their_types[5];
	char *text = convert(ctf1_metadata, &from, &len), *their_text = vt_read_file(paths[0], &len2);
	struct vt_error err = {0};
	assert_non_null(their_text);
	if (vt_ctf_meta_parse(&ours, text, len, ctf1_metadata, &err))
		fail_msg("%s", err.msg);
	fragments(text, len, ctf1_metadata, types, 1);
	fragments(their_text, len2, paths[0], their_types, 0);
	printf("%s: %zu event record classes, ours %zu\n", paths[0], their_types[4], types[4]);
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(types[k], their_types[k]);
	assert_true(their_types[4] > 0 && their_types[4] <= types[4]); /* babeltrace2 keeps those that occurred */
	uint32_t r1[3], r2[3];
	scope_roles(theirs, r1);
	scope_roles(ours, r2);
	for (int s = 0; s < 3; s++)
		if (r1[s] != r2[s])
			fail_msg("%s: scope %d has roles %#x in babeltrace2's CTF 2, %#x in ours", paths[0], s, r1[s],
				 r2[s]);
	const struct vt_ctf_stream_class *a = theirs->streams[0], *b = ours->streams[0];
	same_types(a->event_common_context, b->event_common_context, "event-record-common-context");
	for (size_t e = 0; e < a->nevents; e++) {
		const struct vt_ctf_event_class *x = a->events[e], *y = vt_ctf_event_class_find(b, x->id);
		if (!y)
			fail_msg("%s: event record class %" PRIu64 " is not in ours", paths[0], x->id);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->loglevel, y->loglevel);
		same_types(x->payload, y->payload, x->name);
	}
	assert_string_equal(theirs->clocks[0].name, ours->clocks[0].name);
	assert_int_equal(theirs->clocks[0].offset_seconds, ours->clocks[0].offset_seconds);
	assert_int_equal(theirs->clocks[0].offset_cycles, ours->clocks[0].offset_cycles);
	vt_ctf_trace_class_free(theirs);
	vt_ctf_trace_class_free(ours);
	vt_ctf_trace_class_free(from);
	free(text);
	free(their_text);
	free(paths[0]);
}

static void babeltrace2_twins(void **state)
{
	(void)state;
	static const char *const need[] = {"ctf2", "ctf", "real-kvm"};
	for (size_t i = 0; i < 3; i++)
		if (!vt_testdata(need[i]) || access(vt_testdata(need[i]), R_OK) != 0)
			vt_skip(VT_SKIP_NO_TESTDATA, "../shared/testdata/%s is absent", need[i]);
	char a[4200], b[4200];
	static const char *const kernel[] = {"host", "guest1", "guest2"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s/%s", vt_testdata("ctf2/real-kvm-run1"), kernel[i]);
		snprintf(b, sizeof(b), "%s/%s/kernel/metadata", vt_testdata("real-kvm/run1"), kernel[i]);
		twin(a, b);
	}
	snprintf(b, sizeof(b), "%s/metadata", vt_testdata("ctf/many-threads"));
	twin(vt_testdata("ctf2/many-threads"), b);
	snprintf(b, sizeof(b), "%s/metadata", vt_source_path(EXAMPLE));
	twin(vt_testdata("ctf2/ust-hello"), b);
}

/* What CTF 2 cannot say is refused with one line naming the metadata. */
static void refused(void **state)
{
	(void)state;
	static const char tsdl[] =
		"/* CTF 1.8 */\ntrace { major = 1; minor = 8; byte_order = le; };\n"
		"stream { event.header := struct { integer { size = 32; align = 8; signed = false; } id; }; };\n"
		"event { name = \"%s\"; id = 0; fields := struct { %s }; };\n";
	static const struct {
		const char *name, *fields, *want;
		enum vt_ctf2_layout layout;
	} cases[] = {
		{"bad\xff", "integer { size = 8; align = 8; signed = false; } x;",
		 "event name \"bad\\xff\" is not UTF-8", VT_CTF2_PLAIN},
		{"e", "integer { size = 8; align = 32; signed = false; encoding = UTF8; } t[4];", "aligned on 32 bits",
		 VT_CTF2_PLAIN},
		{"e", "enum : integer { size = 64; align = 8; signed = false; } { big = 18446744073709551615 } x;",
		 "beyond what a JSON integer", VT_CTF2_PLAIN},
		/* LTTng 2.14's labels lose CTF 1.8's '_': two would be one */
		{"e", "enum : integer { size = 8; align = 8; signed = false; } { \"_a\" = 0, a = 1 } x;",
		 "two enumeration labels are \"a\" without their '_'", VT_CTF2_LTTNG_214},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		size_t len;
		struct vt_error err = {0};
		snprintf(text, sizeof(text), tsdl, cases[i].name, cases[i].fields);
		char *out = vt_ctf2_metadata_convert(text, strlen(text), "t/metadata", cases[i].layout, &len, &err);
		if (out)
			fail_msg("case %zu converted: %s", i, out);
		if (!strstr(err.msg, cases[i].want) || strncmp(err.msg, "t/metadata: ", 12) != 0 ||
		    strchr(err.msg, '\n'))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err.msg, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused),
		cmocka_unit_test(babeltrace2_twins),
		cmocka_unit_test(testdata_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
