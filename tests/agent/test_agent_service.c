/* dist/vmtraced.service: systemd-analyze verify finds nothing to say, and the
 * capabilities it keeps are enough: root with only its CapabilityBoundingSet
 * (setpriv, as systemd would set them) still writes trace_marker, lists
 * debugfs, and tells another user's process is not KVM (its /proc/PID/fd);
 * without CAP_DAC_READ_SEARCH or CAP_SYS_PTRACE it could not. No running
 * systemd is needed. */
#include "agent_helpers.h"
#include "testutil.h"

#include <ctype.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *unit;
static pid_t fake; /* killed by teardown whatever happens */
static char caps[256]; /* "+sys_ptrace,+net_admin" from CapabilityBoundingSet */

/* The unit's CapabilityBoundingSet as setpriv's list. */
static void read_caps(void)
{
	const char *line = strstr(unit, "\nCapabilityBoundingSet=");
	assert_non_null(line);
	line += strlen("\nCapabilityBoundingSet=");
	size_t n = 0;
	while (*line && *line != '\n') {
		size_t len = strcspn(line, " \n");
		assert_int_equal(strncmp(line, "CAP_", 4), 0);
		n += (size_t)snprintf(caps + n, sizeof(caps) - n, "%s+", n ? "," : "");
		for (size_t i = 4; i < len; i++)
			caps[n++] = (char)tolower((unsigned char)line[i]); /* CAP_SYS_PTRACE -> sys_ptrace */
		caps[n] = '\0';
		line += len;
		line += strspn(line, " ");
	}
	printf("capabilities kept: %s\n", caps);
}

static void test_verify(void **state)
{
	(void)state;
	struct vt_run r;
	vt_run_shell(&r, "command -v systemd-analyze");
	int have = r.status == 0;
	vt_run_free(&r);
	if (!have) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "systemd-analyze missing (apt-get install systemd): unit not verified");
		return;
	}
	/* The installed path does not exist here: the built vmtraced stands in. */
	char *dir = vt_mkdtemp(), path[700];
	snprintf(path, sizeof(path), "%s/vmtraced.service", dir);
	vt_run_shell(&r, "sed 's|/usr/local/sbin/vmtraced|%s|' %s > %s && systemd-analyze verify --man=no %s",
		     vt_build_path("vmtraced"), VT_SERVICE_FILE, path, path);
	printf("systemd-analyze verify: exit %d\n%s%s", r.status, r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, ""); /* unknown keys are only warned about */
	vt_run_free(&r);
	vt_rmtree(dir);
	free(dir);
}

/* A process of nobody's that calls itself QEMU. */
static pid_t start_fake(const char *bin)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/usr/bin/setpriv", "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "-smp",
		      "1", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	struct pollfd pf = {p[0], POLLIN, 0};
	char buf[16] = "";
	assert_int_equal(poll(&pf, 1, 20000), 1);
	assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
	close(p[0]);
	return pid;
}

/* What root with only these capabilities sees of the fake. */
static char *kvm_of(const char *with_caps, char *note, size_t size)
{
	struct vt_run r;
	vt_run_shell(&r, "setpriv --no-new-privs --bounding-set=-all,%s --inh-caps=-all %s guests --json", with_caps,
		     vt_build_path("vmtrace"));
	assert_int_equal(r.status, 0);
	json_t *doc = json_loads(r.out, 0, NULL), *g;
	assert_non_null(doc);
	snprintf(note, size, "%s", json_string_value(json_object_get(doc, "note")));
	char *kvm = NULL;
	size_t i;
	json_array_foreach(json_object_get(doc, "guests"), i, g)
		if (json_integer_value(json_object_get(g, "pid")) == fake)
			kvm = strdup(json_string_value(json_object_get(g, "kvm")));
	json_decref(doc);
	vt_run_free(&r);
	assert_non_null(kvm);
	return kvm;
}

static void test_capabilities(void **state)
{
	(void)state;
	read_caps();
	assert_null(strstr(caps, "sys_admin"));
	assert_null(strstr(caps, "dac_override"));
	char *dir = vt_mkdtemp(), bin[700];
	chmod(dir, 0755);
	snprintf(bin, sizeof(bin), "%s/qemu-system-x86_64", dir);
	struct vt_run r;
	vt_run_shell(&r, "cp '%s' '%s' && chmod 755 '%s'", VT_FAKE_QEMU, bin, bin);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	fake = start_fake(bin);
	char note[600];
	char *kvm = kvm_of(caps, note, sizeof(note));
	printf("with %s: the fake is kvm \"%s\"; note: %s\n", caps, kvm, note);
	assert_string_equal(kvm, "none"); /* its fds were read */
	assert_null(strstr(note, "needs root"));
	free(kvm);
	/* The controls: each of the two is needed to read them. */
	kvm = kvm_of("+dac_read_search,+net_admin", note, sizeof(note));
	assert_string_equal(kvm, "unknown");
	free(kvm);
	kvm = kvm_of("+sys_ptrace,+net_admin", note, sizeof(note));
	assert_string_equal(kvm, "unknown");
	free(kvm);
	/* trace_marker, as the unit runs it. */
	if (vt_h_mount_debugfs() == 0) {
		vt_run_shell(&r, "setpriv --no-new-privs --bounding-set=-all,%s --inh-caps=-all %s --once --sinks json,ftrace",
			     caps, vt_build_path("vmtraced"));
		printf("vmtraced --once --sinks json,ftrace with %s: exit %d\n%s", caps, r.status, r.err);
		assert_int_equal(r.status, 0);
		vt_run_free(&r);
	} else {
		printf("no tracefs: trace_marker not checked\n");
	}
	vt_rmtree(dir);
	free(dir);
}

static int teardown(void **state)
{
	(void)state;
	if (fake > 0) {
		kill(fake, SIGKILL);
		waitpid(fake, NULL, 0);
	}
	return 0;
}

int main(void)
{
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "needs root (the unit runs vmtraced as root)");
	vt_require_program("setpriv");
	unit = vt_read_file(VT_SERVICE_FILE, NULL);
	if (!unit) {
		printf("%s: cannot read\n", VT_SERVICE_FILE);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_capabilities),
	};
	int rc = cmocka_run_group_tests(tests, NULL, teardown);
	free(unit);
	return rc;
}
