/* `vmtrace record --tracer ftrace` with real guests on this machine (root;
 * TCG, so a fake KVM debugfs folder per QEMU makes them count as KVM, as on a
 * KVM host): the nested testbed's L2 image booted with its guest agent, one
 * QEMU without a guest agent channel, and one whose agent never answers
 * (paused before its OS starts). Asserts:
 * - the guest with an agent is recorded: DIR/<name>/<name>.dat holds its
 *   machine line (its DMI uuid) and sched events; record.json says recorded;
 * - `vmtrace info --json DIR` names that guest by uuid and QEMU pid, with its
 *   vCPU threads (the QEMU's CPU n/TCG threads), from the host's trace;
 * - the other two are recorded host-only, each with why (no channel; no
 *   answer within --guest-timeout), and the silent one costs at most that
 *   bound: the whole run ends within the duration plus a few bounds. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record_util.h"
#include "tcg_guest.h"
#include "testutil.h"

#define UUID1 "5eb0c0de-0001-4000-8000-0000000000a1"
#define UUID2 "5eb0c0de-0002-4000-8000-0000000000a2"
#define UUID3 "5eb0c0de-0003-4000-8000-0000000000a3"

static char *dir;
static struct tcg_guest g1 = {.pid = -1}, g2 = {.pid = -1}, g3 = {.pid = -1};

static void kill_all(void)
{
	tcg_kill(&g1);
	tcg_kill(&g2);
	tcg_kill(&g3);
}

/* The QEMU's vCPU thread ids, by vCPU ("CPU n/TCG" or "CPU n/KVM"). */
static int vcpu_tids(pid_t pid, long tids[2])
{
	char path[200];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d))) {
		char comm[600], name[64] = "";
		snprintf(comm, sizeof(comm), "%s/%s/comm", path, e->d_name);
		FILE *f = fopen(comm, "r");
		unsigned v;
		if (f && fgets(name, sizeof(name), f) && sscanf(name, "CPU %u/", &v) == 1 && v < 2) {
			tids[v] = atol(e->d_name);
			n++;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static json_t *guest_entry(json_t *record, const char *uuid)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(record, "guests"), i, g) {
		const char *u = json_string_value(json_object_get(g, "uuid"));
		if (u && !strcmp(u, uuid))
			return g;
	}
	fail_msg("record.json has no guest %s", uuid);
	return NULL;
}

static void check_record_json(const char *out)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/record.json", out);
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s: %s", path, e.text);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "done");
	json_t *a = guest_entry(doc, UUID1), *b = guest_entry(doc, UUID2), *c = guest_entry(doc, UUID3);
	assert_true(json_is_true(json_object_get(a, "recorded")));
	assert_string_equal(json_string_value(json_object_get(a, "path")), "recguest");
	assert_int_equal(json_integer_value(json_object_get(a, "pid")), g1.pid);
	assert_non_null(strstr(json_string_value(json_object_get(a, "tracer")), "ftrace"));
	for (int i = 0; i < 2; i++) {
		json_t *h = i ? c : b;
		assert_true(json_is_false(json_object_get(h, "recorded")));
		assert_string_equal(json_string_value(json_object_get(h, "state")), "host-only");
		printf("host-only guest %d: %s\n", i, json_string_value(json_object_get(h, "why_not")));
	}
	assert_non_null(strstr(json_string_value(json_object_get(b, "why_not")), "guest agent"));
	json_decref(doc);
}

static void check_guest_dat(const char *out)
{
	char dat[4400];
	snprintf(dat, sizeof(dat), "%s/recguest/recguest.dat", out);
	struct report r;
	report_load(&r, dat);
	assert_true(report_count(&r, "sched_switch", -1, NULL) > 0);
	assert_int_equal(report_count(&r, NULL, -1, "vmtrace: machine product_uuid=" UUID1), 1);
	report_free(&r);
}

static void check_info(const char *out)
{
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), out);
	assert_int_equal(run.status, 0);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	long tids[2] = {0, 0};
	assert_int_equal(vcpu_tids(g1.pid, tids), 2);
	size_t i, found = 0;
	json_t *m;
	json_array_foreach(json_object_get(doc, "machines"), i, m) {
		const char *u = json_string_value(json_object_get(m, "product_uuid"));
		if (!u || strcmp(u, UUID1))
			continue;
		found++;
		assert_string_equal(json_string_value(json_object_get(m, "role")), "guest");
		assert_int_equal(json_integer_value(json_object_get(m, "qemu_pid")), g1.pid);
		json_t *v = json_object_get(m, "vcpus");
		assert_int_equal(json_array_size(v), 2);
		for (size_t k = 0; k < 2; k++) {
			json_t *c = json_array_get(v, k);
			json_int_t n = json_integer_value(json_object_get(c, "vcpu"));
			assert_true(n == 0 || n == 1);
			assert_int_equal(json_integer_value(json_object_get(c, "tid")), tids[n]);
		}
	}
	if (found != 1)
		fail_msg("vmtrace info names guest %s %zu times:\n%s", UUID1, found, run.out);
	json_decref(doc);
	vt_run_free(&run);
}

static void test_record_guests(void **state)
{
	(void)state;
	char debugfs[4300], out[4300];
	snprintf(debugfs, sizeof(debugfs), "%s/debugfs", dir);
	snprintf(out, sizeof(out), "%s/rec", dir);
	tcg_fake_debugfs(debugfs, g1.pid, 2);
	tcg_fake_debugfs(debugfs, g2.pid, 2);
	tcg_fake_debugfs(debugfs, g3.pid, 2);
	struct vt_run run;
	time_t t0 = time(NULL);
	vt_run_shell(&run, "%s record --tracer ftrace --debugfs '%s' --guest-timeout 10 --duration 8 -o '%s'",
		     vt_vmtrace_cmd(), debugfs, out);
	long took = (long)(time(NULL) - t0);
	printf("vmtrace record took %ld s\n%s%s", took, run.out, run.err);
	if (run.status != 0)
		fail_msg("record: status %d", run.status);
	vt_run_free(&run);
	/* The silent agent costs one bound, in parallel with the rest: 8 s + start, stop and fetch under TCG. */
	assert_true(took < 8 + 10 + 60);
	check_record_json(out);
	check_guest_dat(out);
	check_info(out);
}

int main(int argc, char **argv)
{
	rec_init(argc, argv);
	rec_require_tracefs();
	dir = vt_mkdtemp();
	chmod(dir, 0755);
	tcg_prepare(dir);
	atexit(kill_all);
	tcg_boot(&g1, dir, "recguest", UUID1, 1, 0);
	tcg_boot(&g2, dir, "noagent", UUID2, 0, 1);
	tcg_boot(&g3, dir, "silent", UUID3, 1, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_guests),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kill_all();
	vt_rmtree(dir);
	free(dir);
	return rc;
}
