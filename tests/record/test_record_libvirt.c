/* `vmtrace record --tracer ftrace` with a real libvirt guest (root): libvirtd
 * started when none runs (and stopped after), a transient TCG domain of the
 * nested testbed's L2 image with libvirt's guest agent channel, a fake KVM
 * debugfs folder for its QEMU (as test_record_guests). libvirtd holds the
 * channel's one connection, so vmtrace reaches the agent through virsh.
 * Asserts: record.json says the guest recorded through "libvirt", and its
 * DIR/<name>/<name>.dat holds sched events. Then the session itself, found
 * from the real QEMU's /proc: libvirt's error in one line, and a 3 MB guest
 * file fetched in 1 MiB reads (1.4 MB of virsh output each), intact.
 * Cleans up: the domain destroyed, the daemons it started stopped. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/guest_session.h"
#include "record/qga.h"
#include "record_util.h"
#include "tcg_guest.h"
#include "testutil.h"

static char *dir;
static char name[64], uuid[64];
static int domain_created;
static long started[2]; /* libvirtd, virtlogd: the pids of those this test started */

static int virsh_ok(void)
{
	struct vt_run r;
	vt_run_shell(&r, "virsh -q -c qemu:///system version >/dev/null 2>&1");
	int ok = r.status == 0;
	vt_run_free(&r);
	return ok;
}

static long pid_in(const char *file)
{
	char *s = vt_read_file(file, NULL);
	long pid = s ? atol(s) : 0;
	free(s);
	return pid;
}

/* SIGTERM to a daemon this test started, SIGKILL after 10 s. */
static void stop_daemon(long pid)
{
	if (pid <= 0)
		return;
	kill((pid_t)pid, SIGTERM);
	for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
		usleep(100000);
	if (kill((pid_t)pid, 0) == 0)
		kill((pid_t)pid, SIGKILL);
}

static void cleanup(void)
{
	struct vt_run r;
	if (domain_created) {
		vt_run_shell(&r, "virsh -q -c qemu:///system destroy '%s' 2>&1", name);
		vt_run_free(&r);
		domain_created = 0;
	}
	stop_daemon(started[0]);
	stop_daemon(started[1]);
	started[0] = started[1] = 0;
	if (dir) {
		vt_rmtree(dir);
		free(dir);
		dir = NULL;
	}
}

/* The system libvirtd, started when none answers (no systemd in a container). */
static void start_libvirt(void)
{
	if (access("/usr/sbin/libvirtd", X_OK) != 0)
		vt_skip(VT_SKIP_NO_PROGRAM, "libvirtd not installed (package libvirt-daemon-system)");
	vt_require_program("virsh");
	if (virsh_ok())
		return;
	struct vt_run r;
	if (pid_in("/run/virtlogd.pid") <= 0 || kill((pid_t)pid_in("/run/virtlogd.pid"), 0) != 0) {
		vt_run_shell(&r, "virtlogd -d 2>&1");
		vt_run_free(&r);
		started[1] = pid_in("/run/virtlogd.pid");
	}
	vt_run_shell(&r, "libvirtd -d 2>&1");
	printf("libvirtd -d: %d %s\n", r.status, r.out);
	vt_run_free(&r);
	for (int i = 0; i < 300 && !virsh_ok(); i++)
		usleep(100000);
	started[0] = pid_in("/run/libvirtd.pid");
	if (!virsh_ok())
		vt_skip(VT_SKIP_ENVIRONMENT, "libvirtd started but does not answer on qemu:///system");
}

static void create_domain(void)
{
	char kernel[4300], xml[4300], console[4300];
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
	snprintf(xml, sizeof(xml), "%s/domain.xml", dir);
	snprintf(console, sizeof(console), "%s/%s.console", dir, name);
	struct vt_run r;
	/* A copy: libvirt relabels the files a guest uses, not the testbed's cache. */
	vt_run_shell(&r, "cp '%s' '%s' && chmod 644 '%s' '%s'", tcg_kernel(), kernel, kernel, tcg_image());
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	FILE *f = fopen(xml, "w");
	assert_non_null(f);
	fprintf(f, "<domain type='qemu'>\n <name>%s</name>\n <uuid>%s</uuid>\n <memory unit='MiB'>1024</memory>\n"
		" <vcpu>2</vcpu>\n <os>\n  <type arch='x86_64' machine='pc'>hvm</type>\n  <kernel>%s</kernel>\n"
		"  <initrd>%s</initrd>\n  <cmdline>console=ttyS0 loglevel=4 vt.name=%s vt.mode=agent-only</cmdline>\n"
		" </os>\n <devices>\n  <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		"  <serial type='file'><source path='%s'/><target port='0'/></serial>\n"
		"  <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
		"  <memballoon model='none'/>\n </devices>\n</domain>\n",
		name, uuid, kernel, tcg_image(), name, console);
	fclose(f);
	vt_run_shell(&r, "virsh -q -c qemu:///system create '%s' 2>&1", xml);
	if (r.status != 0)
		fail_msg("virsh create: %s", r.out);
	vt_run_free(&r);
	domain_created = 1;
	time_t t0 = time(NULL);
	for (;;) {
		char *c = vt_read_file(console, NULL);
		int ready = c && strstr(c, "VT-READY");
		free(c);
		if (ready)
			break;
		if (time(NULL) - t0 > 300)
			fail_msg("%s did not boot to VT-READY in 300 s", name);
		sleep(1);
	}
	printf("%s booted (libvirt, TCG) in %ld s\n", name, (long)(time(NULL) - t0));
}

static long qemu_pid(void)
{
	char pidfile[200];
	snprintf(pidfile, sizeof(pidfile), "/run/libvirt/qemu/%s.pid", name);
	long qemu = pid_in(pidfile);
	assert_true(qemu > 0);
	return qemu;
}

static void test_record_libvirt(void **state)
{
	(void)state;
	char debugfs[4300], out[4300], dat[4500], path[4400];
	long qemu = qemu_pid();
	snprintf(debugfs, sizeof(debugfs), "%s/debugfs", dir);
	snprintf(out, sizeof(out), "%s/rec", dir);
	tcg_fake_debugfs(debugfs, (pid_t)qemu, 2);
	struct vt_run run;
	time_t t0 = time(NULL);
	vt_run_shell(&run, "env -u LIBVIRT_DEFAULT_URI %s record --tracer ftrace --debugfs '%s' --guest %s "
		     "--guest-timeout 30 --duration 3 -o '%s'", vt_vmtrace_cmd(), debugfs, uuid, out);
	printf("vmtrace record took %ld s\n%s%s", (long)(time(NULL) - t0), run.out, run.err);
	if (run.status != 0)
		fail_msg("record: status %d", run.status);
	vt_run_free(&run);

	snprintf(path, sizeof(path), "%s/record.json", out);
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s: %s", path, e.text);
	json_t *g = json_array_get(json_object_get(doc, "guests"), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "guests")), 1);
	assert_string_equal(json_string_value(json_object_get(g, "uuid")), uuid);
	assert_int_equal(json_integer_value(json_object_get(g, "pid")), qemu);
	if (!json_is_true(json_object_get(g, "recorded")))
		fail_msg("not recorded: %s", json_string_value(json_object_get(g, "why_not")));
	assert_string_equal(json_string_value(json_object_get(g, "agent_channel")), "libvirt");
	assert_true(json_string_length(json_object_get(g, "guest_agent")) > 0);
	json_decref(doc);

	snprintf(dat, sizeof(dat), "%s/%s/%s.dat", out, name, name);
	struct report r;
	report_load(&r, dat);
	size_t n = report_count(&r, "sched_switch", -1, NULL);
	printf("%s: %zu sched_switch events\n", dat, n);
	assert_true(n > 0);
	report_free(&r);
}

static void test_session_through_virsh(void **state)
{
	(void)state;
	struct vt_error err;
	int64_t dl = vt_qga_now_ms() + 120000;
	struct vt_guest *g = vt_guest_open(NULL, qemu_pid(), uuid, NULL, dl, &err);
	if (!g)
		fail_msg("%s", err.msg);
	assert_true(vt_qga_is_libvirt(vt_guest_qga(g)));
	json_t *ret;
	assert_int_equal(vt_qga_call(vt_guest_qga(g), "guest-file-open", json_pack("{s:s, s:s}", "path", "/no/such",
				     "mode", "r"), VT_QGA_MAX_LINE, dl, &ret, &err), -1);
	printf("libvirt's error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "virsh: "));
	assert_non_null(strstr(err.msg, "/no/such"));
	struct vt_guest_result res;
	if (vt_guest_script(g, "mkdir -p /tmp/vtlv && head -c 3000000 /dev/urandom > /tmp/vtlv/big && "
			    "md5sum /tmp/vtlv/big", dl, &res, &err) < 0)
		fail_msg("%s", err.msg);
	char sum[40] = "";
	sscanf(res.out, "%32s", sum);
	vt_guest_result_free(&res);
	char host[4300];
	snprintf(host, sizeof(host), "%s/fetched", dir);
	int64_t t0 = vt_qga_now_ms();
	if (vt_guest_fetch(g, "/tmp/vtlv", host, 1, dl, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	printf("3 MB fetched through virsh in %lld ms\n", (long long)(vt_qga_now_ms() - t0));
	struct vt_run r;
	vt_run_shell(&r, "md5sum < '%s/big'", host);
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, sum, 32), 0);
	vt_run_free(&r);
	vt_guest_close(g);
}

int main(int argc, char **argv)
{
	rec_init(argc, argv);
	rec_require_tracefs();
	dir = vt_mkdtemp();
	chmod(dir, 0755);
	atexit(cleanup);
	tcg_prepare(dir);
	start_libvirt();
	unsetenv("LIBVIRT_DEFAULT_URI");
	snprintf(name, sizeof(name), "vtlv-%d", (int)getpid());
	snprintf(uuid, sizeof(uuid), "5eb0c0de-0006-4000-8000-%012x", (unsigned)getpid());
	create_domain();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_libvirt),
		cmocka_unit_test(test_session_through_virsh),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup();
	return rc;
}
