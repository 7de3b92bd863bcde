/* `vmtrace analyze`: with no PATH it simulates the bundled example; --json
 * totals add up per vCPU; without a host trace it says what is missing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Removes the example folder analyze says it simulated into (and only it:
 * other runs of the suite may be simulating beside this one). */
static void remove_example(const char *err)
{
	const char *p = strstr(err, "simulated the bundled example into ");
	if (!p)
		return;
	p += strlen("simulated the bundled example into ");
	char dir[256];
	size_t n = strcspn(p, "\n");
	if (n == 0 || n >= sizeof(dir) || strncmp(p, "/tmp/vmtrace-example-", 21))
		return;
	memcpy(dir, p, n);
	dir[n] = '\0';
	vt_rmtree(dir);
}

/* A vCPU's totals add up exactly to its observed time. */
static void assert_adds_up(json_t *v)
{
	json_t *x;
	const char *key;
	json_int_t sum = 0;
	json_object_foreach(json_object_get(v, "totals_ns"), key, x)
	sum += json_integer_value(x);
	assert_int_equal(sum, json_integer_value(json_object_get(v, "end_ns")) -
				      json_integer_value(json_object_get(v, "start_ns")));
}

static void test_bundled_example_json(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "VMTRACE_SCENARIOS='%s' %s analyze --json", vt_source_path("scenarios"), vt_vmtrace_cmd());
	if (run.status != 0)
		fail_msg("status %d: %s", run.status, run.err);
	remove_example(run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	if (!doc)
		fail_msg("not JSON; stderr: %s", run.err);
	json_t *vcpus = json_object_get(doc, "vcpus"), *v;
	size_t i;
	assert_int_equal(json_array_size(vcpus), 4);
	json_array_foreach(vcpus, i, v)
	{
		json_t *tot = json_object_get(v, "totals_ns");
		assert_adds_up(v);
		assert_true(json_integer_value(json_object_get(tot, "GUEST")) > 0);
		assert_true(json_integer_value(json_object_get(tot, "PREEMPTED")) > 0);
		assert_true(json_array_size(json_object_get(v, "preempted_by")) > 0);
		assert_true(json_integer_value(json_object_get(v, "guest")) >= 0);
	}
	/* Per guest: its vCPUs' totals summed, and its top preemptor the holder
	 * with the most time over its vCPUs. */
	json_t *guests = json_object_get(doc, "guests"), *g;
	assert_int_equal(json_array_size(guests), 2);
	json_array_foreach(guests, i, g)
	{
		json_int_t pid = json_integer_value(json_object_get(g, "qemu_pid")), observed = 0, guest_ns = 0;
		json_int_t top_tid = json_integer_value(json_object_get(json_array_get(json_object_get(g, "preempted_by"), 0), "tid"));
		json_int_t top_ns = json_integer_value(json_object_get(json_array_get(json_object_get(g, "preempted_by"), 0), "ns"));
		json_int_t by_top = 0, nv = 0;
		size_t k;
		json_array_foreach(vcpus, k, v)
		{
			if (json_integer_value(json_object_get(v, "qemu_pid")) != pid)
				continue;
			nv++;
			observed += json_integer_value(json_object_get(v, "end_ns")) - json_integer_value(json_object_get(v, "start_ns"));
			guest_ns += json_integer_value(json_object_get(json_object_get(v, "totals_ns"), "GUEST"));
			json_t *h;
			size_t j;
			json_array_foreach(json_object_get(v, "preempted_by"), j, h)
			if (json_integer_value(json_object_get(h, "tid")) == top_tid)
				by_top += json_integer_value(json_object_get(h, "ns"));
		}
		assert_int_equal(nv, json_integer_value(json_object_get(g, "vcpus")));
		assert_int_equal(observed, json_integer_value(json_object_get(g, "observed_ns")));
		assert_int_equal(guest_ns, json_integer_value(json_object_get(json_object_get(g, "totals_ns"), "GUEST")));
		assert_int_equal(by_top, top_ns);
	}
	json_decref(doc);
	vt_run_free(&run);
	/* The text report names the guests and the states. */
	vt_run_shell(&run, "VMTRACE_SCENARIOS='%s' %s analyze", vt_source_path("scenarios"), vt_vmtrace_cmd());
	remove_example(run.err);
	if (run.status != 0 || !strstr(run.out, "guest1 (QEMU") || !strstr(run.out, "preempted by:") ||
	    !strstr(run.out, "worst offenders:"))
		fail_msg("status %d\nstdout: %s\nstderr: %s", run.status, run.out, run.err);
	vt_run_free(&run);
}

/* A trace with no host (a UST-only example): the analysis says what is
 * missing and still exits 0. */
static void test_no_host(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s analyze '%s'", vt_vmtrace_cmd(), vt_source_path("examples/ust-hello"));
	if (run.status != 0 || !strstr(run.out, "the host's view is missing") || !strstr(run.out, "what is missing"))
		fail_msg("status %d, stdout: %s, stderr: %s", run.status, run.out, run.err);
	vt_run_free(&run);
}

/* A guest's trace without its host: its threads' waiting and sleeping time
 * as the truth says, and their time on a vCPU equal to the truth's guest +
 * hypervisor + preempted, within 0.1 % of the traced time. */
static void test_guest_without_host(void **state)
{
	(void)state;
	char *tmp = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s/two-guests-ntp.json' -d 1000 -o '%s/sim' >/dev/null && %s analyze --json '%s/sim/guest1'",
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios"), tmp, vt_vmtrace_cmd(), tmp);
	if (run.status != 0)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_null(json_object_get(doc, "host")));
	char path[4200];
	snprintf(path, sizeof(path), "%s/sim/truth.json", tmp);
	json_t *truth = json_load_file(path, 0, NULL);
	assert_non_null(truth);
	int64_t duration = json_integer_value(json_object_get(truth, "duration_ns"));
	json_t *g = json_array_get(json_object_get(truth, "guests"), 0), *t, *ours;
	size_t i, j, checked = 0;
	json_array_foreach(json_object_get(g, "threads"), i, t)
	{
		json_array_foreach(json_object_get(doc, "threads"), j, ours)
		{
			if (json_integer_value(json_object_get(ours, "tid")) != json_integer_value(json_object_get(t, "tid")))
				continue;
			json_t *want = json_object_get(t, "totals"), *got = json_object_get(ours, "totals_ns");
			int64_t on_want = 0, on_got = 0;
			const char *on[] = {"GUEST", "HYPERVISOR", "PREEMPTED"};
			for (int k = 0; k < 3; k++) {
				on_want += json_integer_value(json_object_get(want, on[k]));
				on_got += json_integer_value(json_object_get(got, on[k]));
			}
			on_got += json_integer_value(json_object_get(got, "UNKNOWN"));
			printf("%s: on a vCPU %lld / %lld\n", json_string_value(json_object_get(t, "name")),
			       (long long)on_got, (long long)on_want);
			assert_true(llabs(on_got - on_want) * 1000 <= duration);
			const char *own[] = {"RUNNABLE", "SLEEPING"};
			for (int k = 0; k < 2; k++) {
				int64_t w = json_integer_value(json_object_get(want, own[k]));
				int64_t o = json_integer_value(json_object_get(got, own[k]));
				printf("  %s %lld / %lld\n", own[k], (long long)o, (long long)w);
				assert_true(llabs(o - w) * 1000 <= duration);
			}
			checked++;
		}
	}
	assert_true(checked > 0);
	json_decref(truth);
	json_decref(doc);
	vt_run_free(&run);
	vt_run_shell(&run, "%s analyze '%s/sim/guest1'", vt_vmtrace_cmd(), tmp);
	if (run.status != 0 || !strstr(run.out, "the host's view is missing") || !strstr(run.out, "waiting"))
		fail_msg("status %d, stdout: %s", run.status, run.out);
	vt_run_free(&run);
	vt_rmtree(tmp);
	free(tmp);
}

/* Sets events_discarded (cumulative, as LTTng writes it) to `lost` in every
 * packet of a stream file from the third on: babeltrace2 then reports `lost`
 * events discarded between the second and third packets. */
static void mark_lost(const char *file, uint64_t lost)
{
	FILE *f = fopen(file, "r+b");
	assert_non_null(f);
	unsigned char ctx[64];
	long off = 0;
	for (int packet = 0; fseek(f, off, SEEK_SET) == 0 && fread(ctx, 1, sizeof(ctx), f) == sizeof(ctx); packet++) {
		uint64_t bits;
		memcpy(&bits, ctx + 56, 8); /* packet_size, in bits (little endian, as written) */
		assert_true(bits >= 8 * 88 && bits % 8 == 0);
		if (packet >= 2) {
			assert_int_equal(fseek(f, off + 72, SEEK_SET), 0); /* events_discarded */
			assert_int_equal(fwrite(&lost, 8, 1, f), 1);
		}
		off += (long)(bits / 8);
	}
	fclose(f);
}

/* Lost events and a missing guest trace: the analysis goes on, exits 0,
 * and says what is missing and which figures it affects. */
static void test_missing_parts(void **state)
{
	(void)state;
	char *tmp = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s/two-guests-ntp.json' -d 1000 -o '%s/sim' >/dev/null && rm -rf '%s/sim/guest2'",
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios"), tmp, tmp);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	char chan[4200];
	snprintf(chan, sizeof(chan), "%s/sim/host/kernel/chan_0", tmp);
	mark_lost(chan, 50);
	vt_run_shell(&run, "%s analyze '%s/sim'", vt_vmtrace_cmd(), tmp);
	if (run.status != 0 || !strstr(run.out, "what is missing") || !strstr(run.out, "lost 50 events") ||
	    !strstr(run.out, "vCPU states and preemption around the losses are approximate") ||
	    !strstr(run.out, "runs a guest whose trace is not among the inputs") ||
	    !strstr(run.out, "guest1 (QEMU"))
		fail_msg("status %d\nstdout: %s\nstderr: %s", run.status, run.out, run.err);
	vt_run_free(&run);
	/* Its vCPU figures are still there, adding up. */
	vt_run_shell(&run, "%s analyze --json '%s/sim'", vt_vmtrace_cmd(), tmp);
	assert_int_equal(run.status, 0);
	json_t *doc = json_loads(run.out, 0, NULL), *v;
	assert_non_null(doc);
	size_t i, untraced = 0;
	json_array_foreach(json_object_get(doc, "vcpus"), i, v)
	{
		assert_adds_up(v);
		untraced += json_is_null(json_object_get(v, "guest"));
	}
	assert_int_equal(untraced, 2); /* guest2's two vCPUs */
	json_decref(doc);
	vt_run_free(&run);
	vt_rmtree(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_example_json),
		cmocka_unit_test(test_no_host),
		cmocka_unit_test(test_guest_without_host),
		cmocka_unit_test(test_missing_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
