/* Rotated sessions: every chunk (archives/<begin>-<end>-<n>/) read as one
 * machine's continuous trace, in order, no event lost or doubled; and what a
 * chunk says about threads (the statedump) holds in the next. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static json_t *run_json(const char *fmt, const char *a, const char *b)
{
	struct vt_run r;
	vt_run_shell(&r, fmt, vt_vmtrace_cmd(), a, b);
	if (r.status)
		fail_msg("status %d: %s", r.status, r.err);
	json_t *doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	vt_run_free(&r);
	return doc;
}

/* A real LTTng-UST session rotated twice while a program writes numbered
 * events: 3 chunks, 3000 events. Its own session daemon, in a private mount
 * namespace with its own /var/run/lttng (root's daemon is machine-wide). */
static void test_rotated_ust(void **state)
{
	(void)state;
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "a private session daemon needs a private /var/run/lttng (root)");
	vt_require_program("lttng-sessiond");
	vt_require_program("unshare");
	char *w = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r,
		     "cd '%s' && printf '%%s\\n' '#include <lttng/tracef.h>' '#include <stdlib.h>' '#include <unistd.h>' "
		     "'int main(int c, char **v) { int n = atoi(v[1]), f = atoi(v[2]);' "
		     "'for (int i = f; i < f + n; i++) { tracef(\"seq %%d\", i); if (i %% 100 == 99) usleep(10000); } return 0; }' "
		     "> gen.c && cc -O2 -o gen gen.c -llttng-ust -ldl -lpthread",
		     w);
	if (r.status)
		vt_skip(VT_SKIP_NO_PROGRAM, "cannot build an LTTng-UST program: %s", r.err);
	vt_run_free(&r);
	vt_run_shell(&r,
		     "cd '%s' && unshare -m sh -ec '"
		     "mount -t tmpfs none /var/run/lttng; export LTTNG_HOME=$PWD/home; mkdir -p home; "
		     "lttng-sessiond --daemonize --no-kernel --pidfile=$PWD/sessiond.pid; "
		     "lttng create rot -o $PWD/sess >/dev/null; lttng enable-event -u lttng_ust_tracef:* >/dev/null; "
		     "lttng start >/dev/null; ./gen 1000 0; lttng rotate >/dev/null; ./gen 1000 1000; "
		     "lttng rotate >/dev/null; ./gen 1000 2000; lttng stop >/dev/null; lttng destroy >/dev/null; "
		     "kill $(cat sessiond.pid)'",
		     w);
	if (r.status)
		vt_skip(VT_SKIP_ENVIRONMENT, "no private LTTng session daemon here: %s", r.err);
	vt_run_free(&r);
	char sess[4200];
	snprintf(sess, sizeof(sess), "%s/sess", w);
	json_t *doc = run_json("%s info --json '%s'%s", sess, "");
	json_t *traces = json_object_get(doc, "traces"), *t;
	size_t i;
	assert_int_equal(json_array_size(traces), 3);
	json_int_t events = 0, last_end = 0;
	json_array_foreach(traces, i, t)
	{
		const char *path = json_string_value(json_object_get(t, "path"));
		char chunk[32];
		snprintf(chunk, sizeof(chunk), "-%zu/", i);
		assert_non_null(strstr(path, "/archives/"));
		assert_non_null(strstr(path, chunk)); /* in the order written */
		json_int_t n = json_integer_value(json_object_get(t, "events"));
		json_int_t first = json_integer_value(json_object_get(t, "first_ns"));
		json_int_t last = json_integer_value(json_object_get(t, "last_ns"));
		printf("chunk %zu: %lld events, %lld .. %lld\n", i, (long long)n, (long long)first, (long long)last);
		assert_int_equal(n, 1000);
		assert_true(first > last_end); /* one after the other, no overlap */
		last_end = last;
		events += n;
	}
	assert_int_equal(events, 3000); /* as many as the program wrote: none lost, none twice */
	json_t *machines = json_object_get(doc, "machines");
	assert_int_equal(json_array_size(machines), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(machines, 0), "traces")), 3);
	json_decref(doc);
	/* What babeltrace2 reads from the chunks, as many. */
	vt_run_shell(&r, "babeltrace2 '%s' | grep -c 'seq '", sess);
	assert_string_equal(r.out, "3000\n");
	vt_run_free(&r);
	vt_rmtree(w);
	free(w);
}

/* The real KVM recording's host trace split in two chunks as a rotation
 * would (the statedump in the first): the guests' QEMU pids and vCPU threads
 * as the manifest says, and the vCPU totals those of the whole trace. */
static void test_rotated_real_kvm(void **state)
{
	(void)state;
	vt_require_testdata("real-kvm/run1");
	vt_require_program("babeltrace2");
	const char *rec = vt_testdata("real-kvm/run1");
	char *w = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r,
		     "cd '%s' && a=host/archives && "
		     "babeltrace2 '%s/host' --end=23:23:14.999999999 -c sink.ctf.fs -p 'path=\"'$a'/20261125T232310+0000-20261125T232315+0000-0\"' && "
		     "babeltrace2 '%s/host' --begin=23:23:15 -c sink.ctf.fs -p 'path=\"'$a'/20261125T232315+0000-20261125T232351+0000-1\"' && "
		     "ln -s '%s/guest1' guest1 && ln -s '%s/guest2' guest2",
		     w, rec, rec, rec, rec);
	if (r.status)
		fail_msg("babeltrace2: %s", r.err);
	vt_run_free(&r);
	json_t *whole = run_json("%s analyze --json '%s'%s", rec, "");
	json_t *split = run_json("%s analyze --json '%s'%s", w, "");
	char path[4200];
	snprintf(path, sizeof(path), "%s/manifest.json", rec);
	json_t *manifest = json_load_file(path, 0, NULL);
	assert_non_null(manifest);
	json_t *g, *v;
	size_t i, k;
	json_array_foreach(json_object_get(manifest, "guests"), i, g)
	{
		json_int_t pid = json_integer_value(json_object_get(g, "qemu_pid"));
		json_array_foreach(json_object_get(g, "vcpus"), k, v)
		{
			json_int_t tid = json_integer_value(json_object_get(v, "tid"));
			json_t *a = NULL, *b = NULL, *x;
			size_t j;
			json_array_foreach(json_object_get(whole, "vcpus"), j, x) if (json_integer_value(json_object_get(x, "tid")) == tid) a = x;
			json_array_foreach(json_object_get(split, "vcpus"), j, x) if (json_integer_value(json_object_get(x, "tid")) == tid) b = x;
			assert_non_null(a);
			assert_non_null(b);
			assert_int_equal(json_integer_value(json_object_get(b, "qemu_pid")), pid);
			assert_int_equal(json_integer_value(json_object_get(b, "vcpu")), json_integer_value(json_object_get(v, "id")));
			assert_true(json_equal(json_object_get(a, "totals_ns"), json_object_get(b, "totals_ns")));
			printf("QEMU %lld vCPU %lld (tid %lld): the same totals in two chunks as in one trace\n", (long long)pid,
			       (long long)json_integer_value(json_object_get(v, "id")), (long long)tid);
		}
	}
	json_decref(manifest);
	json_decref(whole);
	json_decref(split);
	vt_rmtree(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotated_ust),
		cmocka_unit_test(test_rotated_real_kvm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
