/* A real KVM host trace in trace-cmd's format: tests/data/host-kvm.dat, ftrace
 * recorded through tracefs in the nested testbed's L1 (real KVM) while vmtraced
 * ran and a transient QEMU was created and killed, then `trace-cmd extract`
 * (tools/testbed/init-l1, docs/testbed.md). tests/data/host-kvm.json is what
 * the host saw (QEMU pids, uuids, vCPU threads). Also checks a fresh testbed
 * output's ftrace/ (VT_TESTBED_OUT, else out/testbed) when there is one.
 *
 * - `vmtrace info --json`: kvm_entry, kvm_exit and kvm_userspace_exit present,
 *   every per-kind count equal to that of `trace-cmd report`, the host's uuid
 *   from the agent's machine line;
 * - `vmtrace info`: every guest of the manifest, the transient one included,
 *   named with its uuid and QEMU pid (from the agent's trace_marker lines: its
 *   statedump, guest_created and guest_destroyed; there is no guest trace);
 * - `vmtrace analyze --json`: the analyzed vCPUs are exactly the manifest's
 *   (QEMU pid, vCPU number, thread), and each running guest has
 *   kvm_userspace_exit activity (the vCPUs' "userspace_exits"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tc_report.h"
#include "testutil.h"

struct input {
	char dat[4200], manifest[4200];
	const char *label;
};
static struct input inputs[2];
static int ninputs;

static json_t *vmtrace_json(const char *command, const char *file)
{
	struct vt_run run;
	vt_run_shell(&run, "%s %s --json '%s'", vt_vmtrace_cmd(), command, file);
	if (run.status != 0)
		fail_msg("vmtrace %s %s: status %d: %s", command, file, run.status, run.err);
	json_error_t err;
	json_t *doc = json_loads(run.out, 0, &err);
	if (!doc)
		fail_msg("vmtrace %s %s: not JSON (%s); stderr: %s", command, file, err.text, run.err);
	vt_run_free(&run);
	return doc;
}

static json_t *load_manifest(const struct input *in)
{
	json_error_t err;
	json_t *m = json_load_file(in->manifest, 0, &err);
	if (!m)
		fail_msg("%s: %s", in->manifest, err.text);
	return m;
}

static json_int_t kind_count(json_t *per_kind, enum vt_kind k)
{
	json_t *v = json_object_get(per_kind, vt_kind_name(k));
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void test_counts(void **state)
{
	(void)state;
	for (int i = 0; i < ninputs; i++) {
		const struct input *in = &inputs[i];
		json_t *info = vmtrace_json("info", in->dat);
		json_t *traces = json_object_get(info, "traces");
		assert_int_equal(json_array_size(traces), 1);
		json_t *t = json_array_get(traces, 0);
		assert_string_equal(json_string_value(json_object_get(t, "format")), "trace-cmd");
		json_t *per_kind = json_object_get(t, "events_per_kind");
		enum vt_kind must[] = {VT_KVM_ENTRY, VT_KVM_EXIT, VT_KVM_USERSPACE_EXIT, VT_SCHED_SWITCH,
				       VT_MACHINE_ID, VT_STATEDUMP_BEGIN, VT_STATEDUMP_END, VT_GUEST_DUMP,
				       VT_GUEST_VCPU, VT_GUEST_CREATED, VT_GUEST_DESTROYED};
		for (size_t k = 0; k < sizeof(must) / sizeof(must[0]); k++) {
			printf("%s: %s %lld\n", in->label, vt_kind_name(must[k]), (long long)kind_count(per_kind, must[k]));
			if (kind_count(per_kind, must[k]) <= 0)
				fail_msg("%s: no %s event", in->dat, vt_kind_name(must[k]));
		}
		uint64_t report[VT_KIND_COUNT] = {0};
		uint64_t total = vt_tc_report_counts(in->dat, report);
		assert_true(total > 0);
		for (int k = 0; k < VT_KIND_COUNT; k++)
			if ((uint64_t)kind_count(per_kind, (enum vt_kind)k) != report[k])
				fail_msg("%s: %s: vmtrace %lld, trace-cmd report %llu", in->dat, vt_kind_name((enum vt_kind)k),
					 (long long)kind_count(per_kind, (enum vt_kind)k), (unsigned long long)report[k]);
		/* The host machine carries the uuid of vmtraced's machine line. */
		json_t *man = load_manifest(in);
		const char *host_uuid = json_string_value(json_object_get(json_object_get(man, "host"), "product_uuid"));
		json_t *machines = json_object_get(info, "machines");
		int hosts = 0;
		for (size_t k = 0; k < json_array_size(machines); k++) {
			json_t *m = json_array_get(machines, k);
			if (strcmp(json_string_value(json_object_get(m, "role")), "host"))
				continue;
			hosts++;
			assert_non_null(host_uuid);
			assert_string_equal(json_string_value(json_object_get(m, "product_uuid")), host_uuid);
		}
		assert_int_equal(hosts, 1);
		json_decref(man);
		json_decref(info);
	}
}

/* `vmtrace info` names each guest of the manifest, with its uuid and QEMU pid. */
static void test_guests_named(void **state)
{
	(void)state;
	for (int i = 0; i < ninputs; i++) {
		const struct input *in = &inputs[i];
		json_t *man = load_manifest(in);
		struct vt_run run;
		vt_run_shell(&run, "%s info '%s'", vt_vmtrace_cmd(), in->dat);
		assert_int_equal(run.status, 0);
		json_t *guests = json_deep_copy(json_object_get(man, "guests"));
		assert_true(json_array_size(guests) > 0);
		/* The transient QEMU too, from the running agent's guest_created line. */
		json_array_extend(guests, json_object_get(man, "transient_guests"));
		for (size_t g = 0; g < json_array_size(guests); g++) {
			json_t *gj = json_array_get(guests, g);
			char want[512];
			snprintf(want, sizeof(want), "guest   %s (uuid %s) runs on %s as QEMU pid %lld,",
				 json_string_value(json_object_get(gj, "name")),
				 json_string_value(json_object_get(gj, "product_uuid")),
				 json_string_value(json_object_get(json_object_get(man, "host"), "hostname")),
				 (long long)json_integer_value(json_object_get(gj, "qemu_pid")));
			printf("%s: %s\n", in->label, want);
			if (!strstr(run.out, want))
				fail_msg("%s: `vmtrace info` lacks \"%s\":\n%s", in->dat, want, run.out);
		}
		vt_run_free(&run);
		/* The same guests in `info --json`'s untraced_guests. */
		vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), in->dat);
		assert_int_equal(run.status, 0);
		json_t *doc = json_loads(run.out, 0, NULL);
		assert_non_null(doc);
		json_t *untraced = json_object_get(doc, "untraced_guests");
		for (size_t g = 0; g < json_array_size(guests); g++) {
			json_t *gj = json_array_get(guests, g), *u;
			size_t k;
			int found = 0;
			json_array_foreach(untraced, k, u)
			found |= json_integer_value(json_object_get(u, "qemu_pid")) ==
					 json_integer_value(json_object_get(gj, "qemu_pid")) &&
				 !strcmp(json_string_value(json_object_get(u, "uuid")) ? json_string_value(json_object_get(u, "uuid")) : "",
					 json_string_value(json_object_get(gj, "product_uuid")));
			if (!found)
				fail_msg("%s: info --json's untraced_guests lacks QEMU pid %lld", in->dat,
					 (long long)json_integer_value(json_object_get(gj, "qemu_pid")));
		}
		json_decref(doc);
		vt_run_free(&run);
		json_decref(guests);
		json_decref(man);
	}
}

/* The analyzed vCPUs are exactly the manifest's, each guest shows kvm_userspace_exit activity. */
static void test_vcpus(void **state)
{
	(void)state;
	for (int i = 0; i < ninputs; i++) {
		const struct input *in = &inputs[i];
		json_t *man = load_manifest(in);
		json_t *an = vmtrace_json("analyze", in->dat);
		json_t *vcpus = json_object_get(an, "vcpus");
		json_t *guests = json_object_get(man, "guests");
		size_t expected = 0;
		for (size_t g = 0; g < json_array_size(guests); g++) {
			json_t *gj = json_array_get(guests, g);
			json_int_t pid = json_integer_value(json_object_get(gj, "qemu_pid"));
			json_t *mv = json_object_get(gj, "vcpus");
			long long userspace = 0;
			for (size_t k = 0; k < json_array_size(mv); k++) {
				json_int_t id = json_integer_value(json_object_get(json_array_get(mv, k), "id"));
				json_int_t tid = json_integer_value(json_object_get(json_array_get(mv, k), "tid"));
				expected++;
				json_t *found = NULL;
				for (size_t a = 0; a < json_array_size(vcpus); a++) {
					json_t *v = json_array_get(vcpus, a);
					if (json_integer_value(json_object_get(v, "tid")) == tid)
						found = v;
				}
				if (!found)
					fail_msg("%s: %s vCPU %lld (tid %lld) not analyzed", in->dat,
						 json_string_value(json_object_get(gj, "name")), (long long)id, (long long)tid);
				assert_int_equal(json_integer_value(json_object_get(found, "qemu_pid")), pid);
				assert_int_equal(json_integer_value(json_object_get(found, "vcpu")), id);
				json_t *ue = json_object_get(found, "userspace_exits");
				long long n = json_is_object(ue) ? (long long)json_integer_value(json_object_get(ue, "count")) : -1;
				printf("%s: %s QEMU %lld vCPU %lld tid %lld: userspace_exits %lld\n", in->label,
				       json_string_value(json_object_get(gj, "name")), (long long)pid, (long long)id,
				       (long long)tid, n);
				assert_true(n >= 0); /* the field is there */
				userspace += n;
			}
			if (userspace <= 0)
				fail_msg("%s: no kvm_userspace_exit for %s", in->dat,
					 json_string_value(json_object_get(gj, "name")));
			/* The per-guest count is the sum of its vCPUs'. */
			json_t *ag = NULL, *aguests = json_object_get(an, "guests");
			for (size_t a = 0; a < json_array_size(aguests); a++)
				if (json_integer_value(json_object_get(json_array_get(aguests, a), "qemu_pid")) == pid)
					ag = json_array_get(aguests, a);
			assert_non_null(ag);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(ag, "userspace_exits"), "count")),
					 userspace);
		}
		/* No other vCPU: the transient QEMU (-S) never ran one. */
		assert_int_equal(json_array_size(vcpus), expected);
		json_decref(an);
		json_decref(man);
	}
}

int main(void)
{
	vt_require_program("trace-cmd");
	struct input *in = &inputs[0];
	snprintf(in->dat, sizeof(in->dat), "%s", vt_source_path("tests/data/host-kvm.dat"));
	snprintf(in->manifest, sizeof(in->manifest), "%s", vt_source_path("tests/data/host-kvm.json"));
	in->label = "tests/data";
	if (access(in->dat, R_OK) == 0 && access(in->manifest, R_OK) == 0)
		ninputs++;
	else
		printf("no tests/data/host-kvm.dat or host-kvm.json\n");
	const char *env = getenv("VT_TESTBED_OUT");
	char *out = strdup(env && *env ? env : vt_source_path("out/testbed"));
	in = &inputs[ninputs];
	/* The testbed's ftrace recording (`vmtrace record --tracer ftrace`): the host's file alone. */
	snprintf(in->dat, sizeof(in->dat), "%s/ftrace/host/host.dat", out);
	snprintf(in->manifest, sizeof(in->manifest), "%s/ftrace/manifest.json", out);
	in->label = "testbed";
	if (access(in->dat, R_OK) == 0 && access(in->manifest, R_OK) == 0)
		ninputs++;
	else
		printf("no testbed ftrace output in %s/ftrace: only the committed recording\n", out);
	free(out);
	if (!ninputs)
		vt_skip(VT_SKIP_NO_TESTBED, "no real KVM ftrace recording (tests/data/host-kvm.dat; `make testbed` makes one)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_guests_named),
		cmocka_unit_test(test_vcpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
