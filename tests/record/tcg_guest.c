#include "tcg_guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char cache_kver[600]; /* the testbed cache's kernel folder */
static char kernel[900], image[700];

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The testbed cache's kernel folder with built lttng modules, or skip. */
static void find_testbed(void)
{
	const char *cache = getenv("VT_TESTBED_CACHE");
	cache = cache ? cache : "/var/cache/vmtrace-testbed";
	DIR *d = opendir(cache);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[1200];
		snprintf(p, sizeof(p), "%s/%s/lttng-modules/built", cache, e->d_name);
		if (e->d_name[0] != '.' && access(p, F_OK) == 0) {
			snprintf(cache_kver, sizeof(cache_kver), "%s/%s", cache, e->d_name);
			snprintf(kernel, sizeof(kernel), "%s/root/boot/vmlinuz-%s", cache_kver, e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	if (!cache_kver[0] || access(kernel, R_OK) != 0)
		vt_skip(VT_SKIP_NO_TESTBED, "no testbed cache with built lttng modules and a kernel under %s "
			"(make testbed fetches it)", cache);
}

void tcg_prepare(const char *dir)
{
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "make-initramfs and the guest agent socket checks need root");
	find_testbed();
	vt_require_program("qemu-system-x86_64");
	vt_require_program("flock");
	if (access("/usr/sbin/qemu-ga", X_OK) != 0)
		vt_skip(VT_SKIP_NO_PROGRAM, "/usr/sbin/qemu-ga not installed (package qemu-guest-agent; the image copies it)");
	if (image[0])
		return;
	const char *kver = strrchr(cache_kver, '/') + 1;
	char build[600];
	snprintf(build, sizeof(build), "%s", vt_build_path("vmtraced"));
	*strrchr(build, '/') = '\0';
	snprintf(image, sizeof(image), "%s/l2.img", dir);
	struct vt_run r;
	int64_t t0 = now_ms();
	/* make-initramfs depmods the shared cache: one at a time. */
	vt_run_shell(&r, "VT_TESTBED_BUILD='%s' VT_TESTBED_KVER='%s' flock '%s/../.make-initramfs.lock' '%s' l2 '%s'",
		     build, kver, cache_kver, vt_source_path("tools/testbed/make-initramfs"), image);
	if (r.status != 0)
		fail_msg("make-initramfs l2: %s%s", r.out, r.err);
	printf("image built in %lld ms\n", (long long)(now_ms() - t0));
	vt_run_free(&r);
}

const char *tcg_kernel(void)
{
	return kernel;
}

const char *tcg_image(void)
{
	return image;
}

static void exec_qemu(const struct tcg_guest *g, const char *name, const char *uuid, int agent, int paused)
{
	char serial[800], chardev[800], append[300];
	snprintf(serial, sizeof(serial), "file:%s", g->console);
	snprintf(chardev, sizeof(chardev), "socket,path=%s,server=on,wait=off,id=qga0", g->sock);
	snprintf(append, sizeof(append), "console=ttyS0 loglevel=4 vt.name=%s vt.mode=agent-only", name);
	char named[300];
	snprintf(named, sizeof(named), "%s,debug-threads=on", name);
	const char *argv[40] = {"qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-smp", "2", "-name", named,
				"-nodefaults", "-display", "none", "-serial", serial, "-kernel", kernel, "-initrd", image,
				"-append", append};
	size_t n = 20;
	if (uuid) {
		argv[n++] = "-uuid";
		argv[n++] = uuid;
	}
	if (agent) {
		argv[n++] = "-chardev";
		argv[n++] = chardev;
		argv[n++] = "-device";
		argv[n++] = "virtio-serial-pci";
		argv[n++] = "-device";
		argv[n++] = "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0";
	}
	if (paused)
		argv[n++] = "-S";
	argv[n] = NULL;
	int null = open("/dev/null", O_RDWR), logfd = open(g->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(null, 0);
	dup2(null, 1);
	dup2(logfd, 2);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

void tcg_boot(struct tcg_guest *g, const char *dir, const char *name, const char *uuid, int agent, int paused)
{
	snprintf(g->console, sizeof(g->console), "%s/%s.console", dir, name);
	snprintf(g->sock, sizeof(g->sock), agent ? "%s/%s.qga" : "", dir, name);
	snprintf(g->log, sizeof(g->log), "%s/%s.qemu.log", dir, name);
	fflush(NULL);
	g->pid = fork();
	assert_true(g->pid >= 0);
	if (g->pid == 0)
		exec_qemu(g, name, uuid, agent, paused);
	int64_t t0 = now_ms();
	for (;;) {
		char *c = vt_read_file(g->console, NULL);
		int ready = paused || (c && strstr(c, "VT-READY"));
		if (paused) /* nothing boots: wait for QEMU's vCPU threads */
			usleep(500000);
		if (ready || now_ms() - t0 > 300000 || waitpid(g->pid, NULL, WNOHANG) == g->pid) {
			if (!ready) {
				char *q = vt_read_file(g->log, NULL);
				fail_msg("%s did not boot to VT-READY; QEMU said: %s\nconsole:\n%s", name, q ? q : "",
					 c ? c : "(none)");
			}
			if (c && strstr(c, "ERROR"))
				fail_msg("%s says: %s", name, strstr(c, "ERROR"));
			free(c);
			break;
		}
		free(c);
		usleep(200000);
	}
	if (!paused)
		printf("%s booted (TCG) in %lld ms\n", name, (long long)(now_ms() - t0));
}

void tcg_kill(struct tcg_guest *g)
{
	if (g->pid > 0) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
		g->pid = -1;
	}
}

void tcg_fake_debugfs(const char *debugfs, pid_t qemu, int vcpus)
{
	char path[900];
	snprintf(path, sizeof(path), "%s/kvm/%d-1", debugfs, (int)qemu);
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s'", path);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	for (int v = 0; v < vcpus; v++) {
		vt_run_shell(&r, "mkdir -p '%s/vcpu%d' && echo -%d000 > '%s/vcpu%d/tsc-offset'", path, v, v + 1, path, v);
		assert_int_equal(r.status, 0);
		vt_run_free(&r);
	}
}
