/* CTF 2 metadata as LTTng 2.14 really writes it (lttng-modules 2.14's
 * metadata-ctf-2.c, lttng-sessiond's ctf2-trace-class-visitor.cpp), which the
 * simulator's does not: kernel traces define their packet header, packet
 * context and event header once as field-class aliases and name them, locate
 * lengths and selectors relatively (no origin, the sibling's name), give
 * enumeration labels without CTF 1.8's leading '_', no clock precision, an
 * empty trace class name; UST metadata is pretty-printed with no line feed
 * after a fragment. The simulator's CTF 2 output is rewritten so, and the
 * native reader must give the same events from both. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

static char *tmp;
static char orig[4200], lt[4200];
static int relocated, relabelled; /* so that the rewrite cannot be a no-op */

/* Calls visit on every object inside o (o too), before its members. */
static void each_object(json_t *o, void (*visit)(json_t *obj))
{
	const char *key;
	json_t *v;
	size_t i;
	if (json_is_array(o)) {
		json_array_foreach(o, i, v)
			each_object(v, visit);
		return;
	}
	if (!json_is_object(o))
		return;
	visit(o);
	json_object_foreach(o, key, v)
		each_object(v, visit);
}

/* Locations relative, as lttng-modules writes them: the last path element. */
static void relative_location(json_t *o)
{
	static const char *const keys[] = {"length-field-location", "selector-field-location"};
	for (size_t k = 0; k < 2; k++) {
		json_t *loc = json_object_get(o, keys[k]), *path = json_object_get(loc, "path");
		if (!json_object_get(loc, "origin") || !json_array_size(path))
			continue;
		json_t *last = json_array_get(path, json_array_size(path) - 1);
		json_object_set_new(o, keys[k], json_pack("{s:[O]}", "path", last));
		relocated++;
	}
}

/* Enumeration labels without CTF 1.8's '_' (mappings' keys). */
static void plain_labels(json_t *o)
{
	json_t *maps = json_object_get(o, "mappings"), *v;
	const char *key;
	if (!json_is_object(maps))
		return;
	json_t *plain = json_object();
	json_object_foreach(maps, key, v) {
		relabelled += key[0] == '_';
		json_object_set(plain, key[0] == '_' ? key + 1 : key, v);
	}
	json_object_set_new(o, "mappings", plain);
}

/* Moves o[key] into an alias fragment named name, appended to aliases. */
static void alias(json_t *o, const char *key, const char *name, json_t *aliases)
{
	json_t *fc = json_object_get(o, key);
	if (!fc)
		return;
	json_array_append_new(aliases, json_pack("{s:s, s:s, s:O}", "type", "field-class-alias", "name", name,
						 "field-class", fc));
	json_object_set_new(o, key, json_string(name));
}

static void rewrite(const char *path, int kernel)
{
	size_t len;
	char *text = vt_read_file(path, &len);
	assert_non_null(text);
	json_t *frags = json_array(), *aliases = json_array();
	for (char *p = text, *end = text + len; p < end;) {
		char *rs = memchr(p + 1, 0x1e, (size_t)(end - p - 1));
		size_t n = (size_t)((rs ? rs : end) - p);
		json_error_t jerr;
		json_t *f = json_loadb(p + 1, n - 1, 0, &jerr);
		if (!f)
			fail_msg("%s: %s", path, jerr.text);
		const char *type = json_string_value(json_object_get(f, "type"));
		if (!strcmp(type, "clock-class"))
			json_object_del(f, "precision");
		if (!strcmp(type, "trace-class")) {
			json_object_set_new(f, "name", json_string(""));
			if (kernel)
				alias(f, "packet-header-field-class", "pkt-header", aliases);
		}
		if (!strcmp(type, "data-stream-class") && kernel) {
			char name[64];
			json_int_t id = json_integer_value(json_object_get(f, "id"));
			snprintf(name, sizeof(name), "pkt-ctx-%lld", (long long)id);
			alias(f, "packet-context-field-class", name, aliases);
			snprintf(name, sizeof(name), "er-header-%lld", (long long)id);
			alias(f, "event-record-header-field-class", name, aliases);
		}
		if (kernel)
			each_object(f, relative_location);
		each_object(f, plain_labels);
		json_array_append_new(frags, f);
		p = rs ? rs : end;
	}
	free(text);
	assert_true(json_array_size(aliases) == 0 || kernel);
	printf("%s: %zu fragments, %zu aliases\n", path, json_array_size(frags), json_array_size(aliases));
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	size_t i;
	json_t *f;
	/* the aliases right after the preamble, before anything names them */
	json_t *order = json_array();
	json_array_append(order, json_array_get(frags, 0));
	json_array_extend(order, aliases);
	for (i = 1; i < json_array_size(frags); i++)
		json_array_append(order, json_array_get(frags, i));
	json_array_foreach(order, i, f) {
		char *s = json_dumps(f, kernel ? JSON_COMPACT : JSON_INDENT(2) | JSON_SORT_KEYS);
		assert_non_null(s);
		fprintf(out, "\x1e%s%s", s, kernel ? "\n" : "");
		free(s);
	}
	assert_int_equal(fclose(out), 0);
	json_decref(order);
	json_decref(aliases);
	json_decref(frags);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Both readings event by event: time, place, kind, names, the fields the
 * analysis reads most. */
static void test_same_events(void **state)
{
	(void)state;
	const char *a = orig, *b = lt;
	struct vt_error err = {0};
	struct vt_source *sa = vt_source_open(&a, 1, &err);
	if (!sa)
		fail_msg("%s", err.msg);
	struct vt_source *sb = vt_source_open(&b, 1, &err);
	if (!sb)
		fail_msg("the LTTng 2.14 layout: %s", err.msg);
	assert_int_equal(vt_source_trace_count(sa), vt_source_trace_count(sb));
	const struct vt_event *x, *y;
	uint64_t n = 0;
	int ra, rb;
	while ((ra = vt_source_next(sa, &x, &err)) > 0) {
		rb = vt_source_next(sb, &y, &err);
		assert_int_equal(rb, 1);
		if (x->ts_ns != y->ts_ns || x->trace != y->trace || x->stream != y->stream || x->cpu != y->cpu ||
		    x->kind != y->kind || strcmp(x->name, y->name) || x->tid != y->tid || x->pid != y->pid ||
		    !same_str(x->procname, y->procname))
			fail_msg("event %llu differs: %s at %llu / %s at %llu", (unsigned long long)n, x->name,
				 (unsigned long long)x->ts_ns, y->name, (unsigned long long)y->ts_ns);
		if (x->kind == VT_SCHED_SWITCH)
			assert_true(x->u.sched_switch.next_tid == y->u.sched_switch.next_tid &&
				    same_str(x->u.sched_switch.next_comm, y->u.sched_switch.next_comm));
		if (x->kind == VT_NET_SEND || x->kind == VT_NET_RECV)
			assert_true(x->u.net.len == y->u.net.len && x->u.net.has_key == y->u.net.has_key &&
				    x->u.net.key.seq == y->u.net.key.seq && same_str(x->u.net.ifname, y->u.net.ifname));
		if (x->kind == VT_KVM_EXIT)
			assert_true(x->u.kvm_exit.exit_reason == y->u.kvm_exit.exit_reason &&
				    x->u.kvm_exit.vcpu_id == y->u.kvm_exit.vcpu_id);
		if (x->kind == VT_GUEST_VCPU)
			assert_true(x->u.guest_vcpu.tid == y->u.guest_vcpu.tid &&
				    x->u.guest_vcpu.tsc_offset == y->u.guest_vcpu.tsc_offset);
		n++;
	}
	assert_int_equal(ra, 0);
	assert_int_equal(vt_source_next(sb, &y, &err), 0);
	for (size_t t = 0; t < vt_source_trace_count(sa); t++) {
		assert_int_equal(vt_source_trace(sa, t)->events, vt_source_trace(sb, t)->events);
		assert_int_equal(vt_source_trace(sa, t)->clock.offset_s, vt_source_trace(sb, t)->clock.offset_s);
	}
	printf("%llu events equal\n", (unsigned long long)n);
	assert_true(n > 1000);
	vt_source_close(sa);
	vt_source_close(sb);
}

int main(void)
{
	tmp = vt_mkdtemp();
	snprintf(orig, sizeof(orig), "%s/sim", tmp);
	snprintf(lt, sizeof(lt), "%s/lttng214", tmp);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s' -d 300 --format ctf2 && cp -r '%s' '%s'", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios/two-guests-ntp.json"), orig, orig, lt);
	if (run.status != 0) {
		fprintf(stderr, "vmtrace-sim: %s", run.err);
		return 1;
	}
	vt_run_free(&run);
	vt_run_shell(&run, "find '%s' -name metadata | sort", lt);
	int nmeta = 0;
	for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n"), nmeta++)
		rewrite(line, strstr(line, "/kernel/") != NULL);
	vt_run_free(&run);
	printf("%d locations made relative, %d labels without '_'\n", relocated, relabelled);
	if (nmeta < 4 || !relocated || !relabelled) {
		fprintf(stderr, "the rewrite met %d metadata files, %d locations, %d labels: nothing to test\n", nmeta,
			relocated, relabelled);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_events),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
