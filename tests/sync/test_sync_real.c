/* Synchronization on real traces recorded by others: the synctraces pair (an
 * scp between two machines with unsynchronized clocks), through the command. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_synctraces_accurate(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s sync --json '%s' '%s'", vt_vmtrace_cmd(), vt_testdata("ctf/synctraces/scp_src"),
		     vt_testdata("ctf/synctraces/scp_dest"));
	if (run.status != 0)
		fail_msg("status %d: %s", run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	json_t *clocks = json_object_get(doc, "clocks");
	assert_int_equal(json_array_size(clocks), 2);
	int root = (int)json_integer_value(json_object_get(doc, "root"));
	json_t *other = json_array_get(clocks, root == 0 ? 1 : 0);
	assert_string_equal(json_string_value(json_object_get(other, "quality")), "ACCURATE");
	assert_string_equal(json_string_value(json_object_get(other, "method")), "hull");
	json_t *matches = json_object_get(other, "matches");
	json_int_t to = json_integer_value(json_object_get(matches, "to_reference"));
	json_int_t from = json_integer_value(json_object_get(matches, "from_reference"));
	double slope = json_real_value(json_object_get(other, "slope"));
	double offset = json_real_value(json_object_get(other, "offset_ns"));
	printf("synctraces: %lld + %lld matches, slope %.9f, offset %.0f ns, accuracy %lld ns\n", (long long)to,
	       (long long)from, slope, offset,
	       (long long)json_integer_value(json_object_get(other, "accuracy_ns")));
	assert_true(to >= 10 && from >= 10);
	assert_true(slope > 0.99 && slope < 1.01);
	json_t *lat = json_object_get(other, "latency");
	for (int d = 0; d < 2; d++) {
		json_t *l = json_object_get(lat, d ? "from_reference" : "to_reference");
		assert_int_equal(json_integer_value(json_object_get(l, "negative")), 0);
		assert_true(json_integer_value(json_object_get(l, "min_ns")) >= 0);
	}
	/* Both machines' hostnames, as the traces' env says. */
	json_t *machines = json_object_get(doc, "machines");
	assert_int_equal(json_array_size(machines), 2);
	json_decref(doc);
	vt_run_free(&run);
}

/* The real KVM recording: guests' clocks start from the emulated RTC; the TCP
 * segments exchanged with the host relate them. */
static void test_real_kvm_accurate(void **state)
{
	(void)state;
	const char *path = vt_testdata("real-kvm/run1");
	if (!path) {
		vt_skip_part(VT_SKIP_NO_TESTDATA, "real-kvm absent");
		return;
	}
	struct vt_run run;
	vt_run_shell(&run, "%s sync --json '%s'", vt_vmtrace_cmd(), path);
	assert_int_equal(run.status, 0);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	json_t *clocks = json_object_get(doc, "clocks"), *c;
	size_t i;
	int guests = 0;
	json_array_foreach(clocks, i, c)
	{
		if ((json_int_t)i == json_integer_value(json_object_get(doc, "root")))
			continue;
		assert_string_equal(json_string_value(json_object_get(c, "quality")), "ACCURATE");
		json_t *lat = json_object_get(c, "latency");
		assert_int_equal(json_integer_value(json_object_get(json_object_get(lat, "to_reference"), "negative")), 0);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(lat, "from_reference"), "negative")),
				 0);
		guests++;
	}
	assert_int_equal(guests, 2);
	/* The host is the reference: it has the kvm events. */
	json_t *root = json_array_get(json_object_get(doc, "machines"), (size_t)json_integer_value(json_object_get(doc, "root")));
	assert_string_equal(json_string_value(json_object_get(root, "role")), "host");
	json_decref(doc);
	vt_run_free(&run);
}

/* Without any agent event, each real guest is matched to its QEMU process and
 * vCPU threads from the traces alone, exactly as the recording's manifest says. */
static void test_real_kvm_identified_without_agent(void **state)
{
	(void)state;
	const char *path = vt_testdata("real-kvm/run1");
	if (!path) {
		vt_skip_part(VT_SKIP_NO_TESTDATA, "real-kvm absent");
		return;
	}
	char manifest_path[4200];
	snprintf(manifest_path, sizeof(manifest_path), "%s/manifest.json", path);
	json_t *manifest = json_load_file(manifest_path, 0, NULL);
	assert_non_null(manifest);
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), path);
	assert_int_equal(run.status, 0);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	json_t *machines = json_object_get(doc, "machines"), *g;
	size_t i;
	json_array_foreach(json_object_get(manifest, "guests"), i, g)
	{
		const char *uuid = json_string_value(json_object_get(g, "product_uuid"));
		json_t *found = NULL, *mm;
		size_t j;
		json_array_foreach(machines, j, mm)
		if (!strcmp(json_string_value(json_object_get(mm, "product_uuid")), uuid))
			found = mm;
		assert_non_null(found);
		assert_string_equal(json_string_value(json_object_get(found, "role")), "guest");
		assert_int_equal(json_integer_value(json_object_get(found, "qemu_pid")),
				 json_integer_value(json_object_get(g, "qemu_pid")));
		json_t *want = json_object_get(g, "vcpus"), *got = json_object_get(found, "vcpus");
		assert_int_equal(json_array_size(got), json_array_size(want));
		for (size_t v = 0; v < json_array_size(want); v++) {
			assert_int_equal(json_integer_value(json_object_get(json_array_get(got, v), "vcpu")),
					 json_integer_value(json_object_get(json_array_get(want, v), "id")));
			assert_int_equal(json_integer_value(json_object_get(json_array_get(got, v), "tid")),
					 json_integer_value(json_object_get(json_array_get(want, v), "tid")));
		}
	}
	json_decref(doc);
	json_decref(manifest);
	vt_run_free(&run);
}

/* No messages at all: ABSENT, said plainly, identity kept, exit 0. */
static void test_no_messages(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "%s sync '%s' '%s'", vt_vmtrace_cmd(), vt_testdata("ctf/many-threads"),
		     vt_testdata("ctf/flipping-endianness"));
	assert_int_equal(run.status, 0);
	assert_non_null(strstr(run.out, "ABSENT"));
	assert_non_null(strstr(run.out, "no message matched"));
	vt_run_free(&run);
}

int main(void)
{
	vt_require_testdata("ctf/synctraces");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synctraces_accurate),
		cmocka_unit_test(test_real_kvm_accurate),
		cmocka_unit_test(test_real_kvm_identified_without_agent),
		cmocka_unit_test(test_no_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
