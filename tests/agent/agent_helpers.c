#include "agent_helpers.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 256
static pid_t children[MAX_CHILDREN];
static int nchildren;
static pid_t sessiond_pid;
static char *fake_debugfs; /* TCG mode: DIR holding kvm/PID-99 folders */
static int kvm_mode = -1;
static int cleanup_registered;

uint64_t vt_h_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void remember(pid_t pid)
{
	if (!cleanup_registered) {
		atexit(vt_h_cleanup);
		cleanup_registered = 1;
	}
	for (int i = 0; i < nchildren; i++)
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
	if (nchildren < MAX_CHILDREN)
		children[nchildren++] = pid;
}

static void forget(pid_t pid)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i] == pid)
			children[i] = 0;
}

int vt_h_slow(void)
{
	static int slow;
	if (!slow) {
		const char *v = getenv("VT_TEST_SLOW");
		slow = v ? atoi(v) : 1;
		if (slow < 1 || slow > 1000)
			slow = 1;
	}
	return slow;
}

int vt_h_kvm_mode(void)
{
	if (kvm_mode >= 0)
		return kvm_mode;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	kvm_mode = fd >= 0;
	if (fd >= 0)
		close(fd);
	if (kvm_mode)
		printf("NOTE: /dev/kvm works: real KVM guests, real kernel uevents\n");
	else
		printf("NOTE: /dev/kvm unusable (%s): TCG guests, KVM uevents injected by root; "
		       "debugfs/tsc-offset checks skipped\n", strerror(errno));
	return kvm_mode;
}

void vt_h_require_qemu(void)
{
	vt_require_program("qemu-system-x86_64");
	if (!vt_h_kvm_mode() && geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "no /dev/kvm, and injecting uevents instead needs root");
}

int vt_h_mount_debugfs(void)
{
	struct stat st;
	if (stat("/sys/kernel/debug/tracing", &st) != 0 && stat("/sys/kernel/debug/kvm", &st) != 0)
		mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (stat("/sys/kernel/tracing/trace_marker", &st) != 0)
		mount("none", "/sys/kernel/tracing", "tracefs", 0, NULL);
	return stat("/sys/kernel/tracing/trace_marker", &st) == 0 ? 0 : -1;
}

int vt_h_inject_uevent(const char *action, pid_t pid)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	struct sockaddr_nl src = {.nl_family = AF_NETLINK};
	bind(fd, (struct sockaddr *)&src, sizeof(src));
	char buf[512];
	int n = snprintf(buf, sizeof(buf),
			 "change@/devices/virtual/misc/kvm%cACTION=change%cDEVPATH=/devices/virtual/misc/kvm%c"
			 "SUBSYSTEM=misc%cEVENT=%s%cPID=%d%cSTATS_PATH=/kvm/%d-99%c",
			 0, 0, 0, 0, action, 0, (int)pid, 0, (int)pid, 0);
	struct sockaddr_nl dst = {.nl_family = AF_NETLINK, .nl_groups = 1};
	ssize_t sent = sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return sent == n ? 0 : -1;
}

static const char *fake_debugfs_dir(void)
{
	if (!fake_debugfs) {
		fake_debugfs = vt_mkdtemp();
		char kvm[600];
		snprintf(kvm, sizeof(kvm), "%s/kvm", fake_debugfs);
		mkdir(kvm, 0755);
		chmod(fake_debugfs, 0755); /* tests read it as nobody too */
	}
	return fake_debugfs;
}

const char *vt_h_debugfs_opt(void)
{
	static char opt[700];
	if (vt_h_kvm_mode())
		return "";
	snprintf(opt, sizeof(opt), "--debugfs %s ", fake_debugfs_dir());
	return opt;
}

/* What KVM_CREATE_VM makes in debugfs, made before the create uevent is sent. */
static void fake_vm_folder(pid_t pid, int vcpus)
{
	char dir[800];
	snprintf(dir, sizeof(dir), "%s/kvm/%d-99", fake_debugfs_dir(), (int)pid);
	mkdir(dir, 0755);
	for (int i = 0; i < vcpus; i++) {
		char v[900];
		snprintf(v, sizeof(v), "%s/vcpu%d", dir, i);
		mkdir(v, 0755);
	}
}

static void fake_vm_folder_remove(pid_t pid)
{
	char dir[800];
	if (!fake_debugfs)
		return;
	snprintf(dir, sizeof(dir), "%s/kvm/%d-99", fake_debugfs, (int)pid);
	vt_rmtree(dir);
}

static int vcpu_threads(pid_t pid)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[400], comm[64] = "";
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "CPU ", 4))
				n++;
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

pid_t vt_h_qemu_start(const char *name, const char *uuid, int vcpus)
{
	char smp[16], nameopt[256];
	snprintf(smp, sizeof(smp), "%d", vcpus);
	snprintf(nameopt, sizeof(nameopt), "guest=%s,debug-threads=on", name);
	int kvm = vt_h_kvm_mode();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", kvm ? "kvm" : "tcg", "-S",
		       "-m", "16", "-smp", smp, "-nodefaults", "-display", "none", "-no-user-config",
		       "-uuid", uuid, "-name", nameopt, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	remember(pid);
	if (!kvm) {
		/* The kernel would send it from KVM_CREATE_VM: after exec, before vCPUs. */
		char path[64], argv0[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		for (int i = 0; i < 2000 && strncmp(argv0, "qemu-system", 11); i++) {
			FILE *f = fopen(path, "r");
			if (f) {
				if (!fgets(argv0, sizeof(argv0), f))
					argv0[0] = '\0';
				fclose(f);
			}
			if (strncmp(argv0, "qemu-system", 11))
				usleep(500);
		}
		fake_vm_folder(pid, vcpus);
		vt_h_inject_uevent("create", pid);
	}
	/* Ready once every vCPU thread exists (or it died). */
	for (int i = 0; i < 1000 * vt_h_slow(); i++) {
		int n = vcpu_threads(pid);
		if (n >= vcpus)
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			forget(pid);
			return -1;
		}
		usleep(2000);
	}
	return pid;
}

void vt_h_qemu_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	forget(pid);
	if (!vt_h_kvm_mode()) {
		fake_vm_folder_remove(pid);
		vt_h_inject_uevent("destroy", pid);
	}
}

pid_t vt_h_spawn(const char *cmd, const char *out_path, const char *err_path)
{
	/* Truncated before we return: callers wait for what the new process writes. */
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out);
	close(err);
	if (pid > 0)
		remember(pid);
	return pid;
}

int vt_h_stop(pid_t pid)
{
	if (pid <= 0)
		return -1;
	int st = 0;
	kill(pid, SIGTERM);
	for (int i = 0; i < 500 * vt_h_slow(); i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			forget(pid);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	forget(pid);
	return 128 + SIGKILL;
}

int vt_h_count(const char *file, const char *needle)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		for (char *p = line; (p = strstr(p, needle)); p += strlen(needle))
			n++;
	fclose(f);
	return n;
}

int vt_h_wait_for(const char *file, const char *needle, int count, int timeout_ms)
{
	for (long t = 0; t < (long)timeout_ms * vt_h_slow(); t += 5) {
		if (vt_h_count(file, needle) >= count)
			return 0;
		usleep(5000);
	}
	return -1;
}

static char sessiond_home[512];

int vt_h_sessiond_start(const char *home)
{
	if (geteuid() == 0) {
		/* Root's sessiond lives in /var/run/lttng whatever LTTNG_HOME says: give
		 * this test its own, in a private mount namespace its children inherit. */
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			vt_skip(VT_SKIP_ENVIRONMENT, "cannot make a private mount namespace for lttng-sessiond: %s",
				strerror(errno));
		mkdir("/var/run/lttng", 0755);
		if (mount("tmpfs", "/var/run/lttng", "tmpfs", 0, "mode=0755") < 0) {
			vt_skip(VT_SKIP_ENVIRONMENT, "cannot mount a private /var/run/lttng: %s", strerror(errno));
		}
	}
	snprintf(sessiond_home, sizeof(sessiond_home), "%s", home);
	mkdir(home, 0755);
	setenv("LTTNG_HOME", home, 1);
	char out[600], err[600];
	snprintf(out, sizeof(out), "%s/sessiond.out", home);
	snprintf(err, sizeof(err), "%s/sessiond.err", home);
	/* Foreground under our control, so it is ours to kill. */
	sessiond_pid = vt_h_spawn("exec lttng-sessiond --no-kernel", out, err);
	for (int i = 0; i < 500 * vt_h_slow(); i++) {
		struct vt_run r;
		vt_run_shell(&r, "lttng list >/dev/null 2>&1");
		int ok = r.status == 0;
		vt_run_free(&r);
		if (ok)
			return 0;
		if (waitpid(sessiond_pid, NULL, WNOHANG) == sessiond_pid) {
			forget(sessiond_pid);
			sessiond_pid = 0;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

void vt_h_sessiond_stop(void)
{
	if (sessiond_pid > 0) {
		struct vt_run r;
		vt_run_shell(&r, "lttng destroy -a >/dev/null 2>&1");
		vt_run_free(&r);
		vt_h_stop(sessiond_pid); /* it stops its consumer daemons itself */
		sessiond_pid = 0;
	}
}

void vt_h_cleanup(void)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			fake_vm_folder_remove(children[i]);
			children[i] = 0;
		}
	sessiond_pid = 0;
	if (fake_debugfs) {
		vt_rmtree(fake_debugfs);
		free(fake_debugfs);
		fake_debugfs = NULL;
	}
}
