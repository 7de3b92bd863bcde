/* `vmtrace guests --json` against 3 real QEMU guests, checked against /proc;
 * as root and as nobody; a QMP-only guest; a guest already gone. */
#include "agent_helpers.h"
#include "testutil.h"
#include "agent/agent.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t pids[3];
static const char *uuids[3] = {"6c1b0a53-0000-4000-8000-000000000001", "6c1b0a53-0000-4000-8000-000000000002",
			       "6c1b0a53-0000-4000-8000-000000000003"};
static const char *names[3] = {"vt-guests-a", "vt-guests-b", "vt-guests-c"};
static const int vcpus[3] = {1, 3, 4};

static int setup(void **state)
{
	(void)state;
	vt_h_mount_debugfs();
	for (int i = 0; i < 3; i++) {
		pids[i] = vt_h_qemu_start(names[i], uuids[i], vcpus[i]);
		if (pids[i] <= 0)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		vt_h_qemu_kill(pids[i]);
	vt_h_cleanup();
	return 0;
}

static json_t *find_guest(json_t *doc, pid_t pid)
{
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(doc, "guests"), i, g)
		if (json_integer_value(json_object_get(g, "pid")) == pid)
			return g;
	return NULL;
}

/* What /proc says, read here independently of the library. */
static void check_against_proc(json_t *g, int i)
{
	assert_string_equal(json_string_value(json_object_get(g, "uuid")), uuids[i]);
	assert_string_equal(json_string_value(json_object_get(g, "name")), names[i]);
	assert_int_equal(json_integer_value(json_object_get(g, "vcpus")), vcpus[i]);
	json_t *threads = json_object_get(g, "vcpu_threads");
	assert_int_equal(json_array_size(threads), vcpus[i]);
	for (int v = 0; v < vcpus[i]; v++) {
		json_t *t = json_array_get(threads, (size_t)v);
		assert_int_equal(json_integer_value(json_object_get(t, "vcpu")), v);
		char path[128], comm[64] = "", want[32];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pids[i],
			 (int)json_integer_value(json_object_get(t, "tid")));
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(comm, sizeof(comm), f));
		fclose(f);
		snprintf(want, sizeof(want), "CPU %d/%s", v, vt_h_kvm_mode() ? "KVM" : "TCG");
		assert_int_equal(strncmp(comm, want, strlen(want)), 0);
	}
	char cmd[4096] = "";
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
	FILE *f = fopen(path, "r");
	size_t n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	int seen = 0;
	for (size_t k = 0; k < n; k += strlen(cmd + k) + 1)
		seen |= !strcmp(cmd + k, uuids[i]);
	assert_true(seen);
}

static json_t *run_guests(const char *prefix, const char *opts, char **err_out)
{
	struct vt_run r;
	vt_run_shell(&r, "%s%s guests --json %s", prefix, vt_build_path("vmtrace"), opts);
	if (r.status != 0)
		printf("stderr: %s\n", r.err);
	assert_int_equal(r.status, 0);
	json_error_t je;
	json_t *doc = json_loads(r.out, 0, &je);
	assert_non_null(doc);
	if (err_out)
		*err_out = strdup(r.err);
	vt_run_free(&r);
	return doc;
}

static void test_guests_root(void **state)
{
	(void)state;
	json_t *doc = run_guests("", "", NULL);
	for (int i = 0; i < 3; i++) {
		json_t *g = find_guest(doc, pids[i]);
		assert_non_null(g);
		check_against_proc(g, i);
		if (vt_h_kvm_mode()) {
			/* Real KVM: the debugfs folder and a tsc-offset per vCPU. */
			assert_true(json_is_true(json_object_get(doc, "debugfs")));
			assert_string_equal(json_string_value(json_object_get(g, "accel")), "kvm");
			assert_non_null(strstr(json_string_value(json_object_get(g, "debugfs")), "/kvm/"));
			json_t *t0 = json_array_get(json_object_get(g, "vcpu_threads"), 0);
			assert_true(json_is_integer(json_object_get(t0, "tsc_offset")));
			assert_string_equal(json_string_value(json_object_get(g, "kvm")), "debugfs");
		} else {
			/* TCG: listed with its identity, but nothing says it is KVM. */
			assert_string_equal(json_string_value(json_object_get(g, "accel")), "none");
			assert_string_equal(json_string_value(json_object_get(g, "kvm")), "none");
		}
	}
	json_decref(doc);
	if (!vt_h_kvm_mode()) {
		/* With the folders KVM would have made, they are KVM guests. */
		json_t *fake = run_guests("", vt_h_debugfs_opt(), NULL);
		for (int i = 0; i < 3; i++) {
			json_t *g = find_guest(fake, pids[i]);
			assert_non_null(g);
			check_against_proc(g, i);
			assert_string_equal(json_string_value(json_object_get(g, "accel")), "kvm");
			assert_string_equal(json_string_value(json_object_get(g, "kvm")), "debugfs");
		}
		json_decref(fake);
	}
	/* The table names them too. */
	struct vt_run r;
	vt_run_shell(&r, "%s guests", vt_build_path("vmtrace"));
	assert_int_equal(r.status, 0);
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(r.out, uuids[i]));
	vt_run_free(&r);
}

static void test_guests_nobody(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		vt_skip_part(VT_SKIP_NO_ROOT, "reading guests as nobody is checked from root (setpriv)");
		return;
	}
	struct vt_run r;
	vt_run_shell(&r, "command -v setpriv");
	int have = r.status == 0;
	vt_run_free(&r);
	if (!have) {
		printf("setpriv missing: not testing as nobody\n");
		return;
	}
	char *err = NULL;
	json_t *doc = run_guests("setpriv --reuid=nobody --regid=nogroup --clear-groups ", "", &err);
	printf("as nobody, stderr: %s", err);
	/* What is missing, and that guests still come from /proc. */
	assert_non_null(strstr(err, "/sys/kernel/debug/kvm"));
	assert_non_null(strstr(err, "guests come from /proc only"));
	assert_false(json_is_true(json_object_get(doc, "debugfs")));
	for (int i = 0; i < 3; i++) {
		json_t *g = find_guest(doc, pids[i]);
		assert_non_null(g);
		check_against_proc(g, i);
		assert_string_equal(json_string_value(json_object_get(g, "accel")), "unknown");
		assert_string_equal(json_string_value(json_object_get(g, "kvm")), "unknown");
	}
	json_decref(doc);
	free(err);
	/* watch follows creations as nobody too (the uevent group is readable by anyone);
	 * root's QEMU shows nobody a sign of KVM, so the creation carries no identity. */
	char *dir = vt_mkdtemp();
	char out[700], errf[700], cmd[1024];
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(errf, sizeof(errf), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "exec setpriv --reuid=nobody --regid=nogroup --clear-groups %s watch --json "
		 "--trust-root-uevents", vt_build_path("vmtrace"));
	pid_t w = vt_h_spawn(cmd, out, errf);
	assert_int_equal(vt_h_wait_for(errf, "following KVM uevents", 1, 10000), 0);
	assert_int_equal(vt_h_inject_uevent("create", pids[2]), 0);
	char needle[128];
	snprintf(needle, sizeof(needle), "\"guest_created\",\"pid\":%d,\"uuid\":\"\",\"name\":\"\",\"vcpus\":0,"
		 "\"kvm\":\"unknown\"}", (int)pids[2]);
	assert_int_equal(vt_h_wait_for(out, needle, 1, 10000), 0);
	assert_int_equal(vt_h_stop(w), 0);
	assert_true(vt_h_count(errf, "not root") == 1);
	vt_rmtree(dir);
	free(dir);
	/* vmtraced as nobody: a dump without failing, root's guests left out of it
	 * (nothing it can read says they are KVM); with readable KVM folders, in. */
	vt_run_shell(&r, "setpriv --reuid=nobody --regid=nogroup --clear-groups %s --once --sinks json",
		     vt_build_path("vmtraced"));
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "not root"));
	assert_non_null(strstr(r.err, "left out of the trace"));
	assert_non_null(strstr(r.out, "\"statedump_end\""));
	assert_null(strstr(r.out, uuids[1]));
	vt_run_free(&r);
	if (!vt_h_kvm_mode()) {
		vt_run_shell(&r, "setpriv --reuid=nobody --regid=nogroup --clear-groups %s --once --sinks json %s",
			     vt_build_path("vmtraced"), vt_h_debugfs_opt());
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, uuids[1]));
		assert_non_null(strstr(r.out, "\"kvm\":\"debugfs\""));
		vt_run_free(&r);
	}
}

/* No thread names: the vCPU thread ids come from QMP query-cpus-fast. */
static void test_guests_qmp(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	char sock[600], qmp[700], cmd[2048];
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", sock);
	snprintf(cmd, sizeof(cmd),
		 "exec qemu-system-x86_64 -accel %s -S -m 16 -smp 2 -nodefaults -display none "
		 "-uuid 6c1b0a53-0000-4000-8000-0000000000aa -name vt-qmp -qmp %s",
		 vt_h_kvm_mode() ? "kvm" : "tcg", qmp);
	char out[700], errp[700];
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
	pid_t pid = vt_h_spawn(cmd, out, errp);
	for (int i = 0; i < 500 * vt_h_slow() && access(sock, F_OK) != 0; i++)
		usleep(10000);
	struct vt_guest_info g;
	struct vt_error e;
	/* QEMU makes its socket before its second vCPU thread, and before its
	 * monitor answers: on a slow (emulated) host QMP can be silent past the
	 * agent's deadline, or name one vCPU, for a while. */
	for (int i = 0;; i++) {
		usleep(100000);
		assert_int_equal(vt_agent_read_guest(NULL, pid, NULL, &g, &e), 0);
		if ((g.tids_from == 2 && g.nvcpu == 2) || i >= 50 * vt_h_slow())
			break;
		printf("QMP not ready after %d00 ms: tids from %d, %zu vCPUs, note '%s'\n", i + 1, g.tids_from,
		       (size_t)g.nvcpu, g.note);
		vt_guest_info_free(&g);
	}
	assert_false(g.gone);
	assert_string_equal(g.name, "vt-qmp");
	assert_string_equal(g.qmp, sock);
	assert_int_equal(g.tids_from, 2);
	assert_int_equal(g.nvcpu, 2);
	assert_string_equal(g.note, "");
	for (int v = 0; v < 2; v++) {
		char path[128];
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)g.vcpu[v].tid);
		assert_int_equal(access(path, F_OK), 0);
		assert_true(g.vcpu[v].tid != pid);
	}
	assert_true(g.vcpu[0].tid != g.vcpu[1].tid);
	vt_guest_info_free(&g);
	vt_h_stop(pid);
	vt_rmtree(dir);
	free(dir);
}

/* A QEMU that exited before it was read is reported as gone, not a crash. */
static void test_guest_gone(void **state)
{
	(void)state;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	struct vt_guest_info g;
	struct vt_error e;
	assert_int_equal(vt_agent_read_guest(NULL, pid, "/kvm/1-1", &g, &e), 0);
	assert_true(g.gone);
	vt_guest_info_free(&g);
}

int main(void)
{
	vt_h_require_qemu();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guests_root),
		cmocka_unit_test(test_guests_nobody),
		cmocka_unit_test(test_guests_qmp),
		cmocka_unit_test(test_guest_gone),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
