/* The API examples (examples/api) build against the installed library through
 * pkg-config and print what the commands print on the same traces: the
 * guests' totals as `vmtrace analyze --json`, the clocks as `vmtrace sync --json`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *prefix, *demo;

static void run_ok(struct vt_run *run, const char *what)
{
	if (run->status != 0)
		fail_msg("%s failed (%d): %s%s", what, run->status, run->out, run->err);
}

static json_t *command_json(const char *args)
{
	struct vt_run run;
	vt_run_shell(&run, "'%s' %s --json '%s'", vt_build_path("vmtrace"), args, demo);
	run_ok(&run, args);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	vt_run_free(&run);
	return doc;
}

static json_t *guest_of(json_t *guests, long long qemu)
{
	size_t i;
	json_t *g;
	json_array_foreach(guests, i, g) if (json_integer_value(json_object_get(g, "qemu_pid")) == qemu) return g;
	return NULL;
}

static void test_guest_totals(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "'%s/api/guest_totals' '%s'", prefix, demo);
	run_ok(&run, "guest_totals");
	json_t *doc = command_json("analyze");
	json_t *guests = json_object_get(doc, "guests");
	size_t lines = 0;
	for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		long long qemu;
		size_t vcpus;
		unsigned long long observed;
		const char *at = strstr(line, " qemu=");
		assert_non_null(at);
		assert_int_equal(sscanf(at, " qemu=%lld vcpus=%zu observed_ns=%llu", &qemu, &vcpus, &observed), 3);
		json_t *g = guest_of(guests, qemu);
		assert_non_null(g);
		assert_int_equal(vcpus, json_integer_value(json_object_get(g, "vcpus")));
		assert_int_equal(observed, json_integer_value(json_object_get(g, "observed_ns")));
		json_t *totals = json_object_get(g, "totals_ns");
		double sum = 0;
		static const char *const states[] = {"IDLE", "GUEST", "HYPERVISOR", "PREEMPTED"};
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			const char *st = states[k];
			char key[32];
			snprintf(key, sizeof(key), " %s=", st);
			const char *p = strstr(line, key);
			assert_non_null(p);
			double shown = strtod(p + strlen(key), NULL);
			double want = 100.0 * (double)json_integer_value(json_object_get(totals, st)) / (double)observed;
			assert_true(shown > want - 0.006 && shown < want + 0.006);
			sum += shown;
		}
		assert_true(sum > 99.0 && sum <= 100.05); /* unknown is the rest */
	}
	assert_int_equal(lines, json_array_size(guests));
	assert_int_equal(lines, 2); /* two-guests-ntp */
	json_decref(doc);
	vt_run_free(&run);
}

static void test_clock_transforms(void **state)
{
	(void)state;
	struct vt_run run;
	vt_run_shell(&run, "'%s/api/clock_transforms' '%s'", prefix, demo);
	run_ok(&run, "clock_transforms");
	json_t *doc = command_json("sync");
	json_t *clocks = json_object_get(doc, "clocks");
	size_t placed = 0, references = 0;
	for (char *line = strtok(run.out, "\n"); line; line = strtok(NULL, "\n")) {
		size_t k;
		if (sscanf(line, "machine %zu", &k) != 1)
			continue;
		json_t *c = json_array_get(clocks, k);
		assert_non_null(c);
		if (strstr(line, " reference")) {
			assert_int_equal(json_integer_value(json_object_get(doc, "root")), k);
			references++;
			continue;
		}
		char method[32], quality[32];
		long long accuracy;
		const char *at = strstr(line, " method=");
		assert_non_null(at);
		assert_int_equal(sscanf(at, " method=%31s quality=%31s slope=%*f accuracy_ns=%lld", method, quality, &accuracy), 3);
		assert_string_equal(method, json_string_value(json_object_get(c, "method")));
		assert_string_equal(quality, json_string_value(json_object_get(c, "quality")));
		assert_int_equal(accuracy, json_integer_value(json_object_get(c, "accuracy_ns")));
		placed++;
	}
	assert_int_equal(references, 1);
	assert_int_equal(placed, 2);
	json_decref(doc);
	vt_run_free(&run);
}

static int setup(void **state)
{
	(void)state;
	prefix = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "cmake --install '%s' --prefix '%s/usr' >/dev/null && cp -r '%s' '%s/api' && "
		     "export PKG_CONFIG_PATH=$(dirname $(find '%s/usr' -name vmtrace.pc)) && "
		     "make -s -C '%s/api' CFLAGS='-O2 -Wall -Wextra -Werror' && "
		     "'%s' '%s/two-guests-ntp.json' -d 1000 -o '%s/demo'",
		     vt_build_path(""), prefix, vt_source_path("examples/api"), prefix, prefix, prefix,
		     vt_build_path("vmtrace-sim"), vt_source_path("scenarios"), prefix);
	run_ok(&run, "install, build and simulate");
	vt_run_free(&run);
	/* The examples run on the installed library, not the build tree's. */
	char lib[8192];
	vt_run_shell(&run, "dirname $(find '%s/usr' -name 'libvmtrace.so' | head -1)", prefix);
	snprintf(lib, sizeof(lib), "%s", strtok(run.out, "\n"));
	vt_run_free(&run);
	setenv("LD_LIBRARY_PATH", lib, 1);
	if (asprintf(&demo, "%s/demo", prefix) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(prefix);
	free(prefix);
	free(demo);
	return 0;
}

int main(void)
{
	if (VT_SANITIZED)
		vt_skip(VT_SKIP_BUILD_VARIANT, "a sanitized library cannot be linked into a plain program");
	vt_require_program("pkg-config");
	vt_require_program("make");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_totals),
		cmocka_unit_test(test_clock_transforms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
