/* Agent benchmark: uevent-to-event latency over create/destroy cycles, statedump
 * time with 8 guests, CPU time and wake-ups of the agent while idle for 10 s.
 * Built and run by bench/agent; see docs/agent.md for the figures. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"

static int kvm;
static const char *build;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void inject(const char *action, pid_t pid)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	char buf[512];
	int n = snprintf(buf, sizeof(buf),
			 "change@/devices/virtual/misc/kvm%cDEVPATH=/devices/virtual/misc/kvm%cEVENT=%s%cPID=%d%c",
			 0, 0, action, 0, (int)pid, 0);
	struct sockaddr_nl dst = {.nl_family = AF_NETLINK, .nl_groups = 1};
	if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&dst, sizeof(dst)) != n)
		perror("agent_bench: inject");
	close(fd);
}

static int count_vcpu_threads(pid_t pid)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[400], comm[64] = "";
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "CPU ", 4))
				n++;
			fclose(f);
		}
	}
	if (d)
		closedir(d);
	return n;
}

static pid_t qemu(int i, int vcpus, int wait_threads)
{
	char smp[8], name[64], uuid[64];
	snprintf(smp, sizeof(smp), "%d", vcpus);
	snprintf(name, sizeof(name), "guest=bench%d,debug-threads=on", i);
	snprintf(uuid, sizeof(uuid), "be4c0000-0000-4000-8000-%012d", i);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", kvm ? "kvm" : "tcg", "-S", "-m", "16",
		       "-smp", smp, "-nodefaults", "-display", "none", "-no-user-config", "-uuid", uuid, "-name",
		       name, (char *)NULL);
		_exit(127);
	}
	if (!kvm) {
		char path[64], argv0[32] = "";
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		while (strncmp(argv0, "qemu-system", 11)) {
			FILE *f = fopen(path, "r");
			if (f) {
				if (!fgets(argv0, sizeof(argv0), f))
					argv0[0] = 0;
				fclose(f);
			}
		}
		inject("create", pid);
	}
	while (wait_threads && count_vcpu_threads(pid) < vcpus)
		usleep(1000);
	return pid;
}

static void kill_qemu(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (!kvm)
		inject("destroy", pid);
}

/* Waits for this pid's KVM uevent on our own socket; returns when we saw it. */
static uint64_t wait_uevent(int fd, pid_t pid, const char *event)
{
	char want_pid[32], want_ev[32], buf[8192];
	snprintf(want_pid, sizeof(want_pid), "PID=%d", (int)pid);
	snprintf(want_ev, sizeof(want_ev), "EVENT=%s", event);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		uint64_t t = now_ns();
		if (n <= 0)
			return t;
		int p = 0, e = 0;
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
			p |= !strcmp(buf + i, want_pid);
			e |= !strcmp(buf + i, want_ev);
		}
		if (p && e)
			return t;
	}
}

/* Reads agent lines until one holds needle; returns when it arrived. */
static uint64_t wait_line(FILE *f, const char *needle)
{
	char line[4096];
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			return now_ns();
	fprintf(stderr, "agent_bench: agent output ended\n");
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	printf("%-34s n=%-4d p50 %8.1f us   p99 %8.1f us   max %8.1f us\n", what, n, v[n / 2] / 1e3,
	       v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e3, v[n - 1] / 1e3);
}

static pid_t spawn_agent(const char *cmd, FILE **out)
{
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*out = fdopen(p[0], "r");
	return pid;
}

static void latency(int cycles)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "exec %s/vmtrace watch --json --trust-root-uevents", build);
	FILE *out;
	pid_t agent = spawn_agent(cmd, &out);
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	usleep(300000);
	uint64_t *c = calloc((size_t)cycles, sizeof(*c)), *d = calloc((size_t)cycles, sizeof(*d));
	for (int i = 0; i < cycles; i++) {
		char needle[64];
		pid_t pid = qemu(i, 1, 0);
		uint64_t t0 = wait_uevent(fd, pid, "create");
		snprintf(needle, sizeof(needle), "\"guest_created\",\"pid\":%d,", (int)pid);
		c[i] = wait_line(out, needle) - t0;
		while (count_vcpu_threads(pid) < 1)
			usleep(1000);
		kill_qemu(pid);
		t0 = wait_uevent(fd, pid, "destroy");
		snprintf(needle, sizeof(needle), "\"guest_destroyed\",\"pid\":%d}", (int)pid);
		d[i] = wait_line(out, needle) - t0;
	}
	report("uevent -> guest_created", c, cycles);
	report("uevent -> guest_destroyed", d, cycles);
	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	fclose(out);
	close(fd);
	free(c);
	free(d);
}

static void statedump(void)
{
	pid_t vms[8];
	for (int i = 0; i < 8; i++)
		vms[i] = qemu(100 + i, 2, 1);
	enum { N = 50 };
	uint64_t t[N];
	struct vt_error err;
	size_t found = 0;
	for (int i = 0; i < N; i++) {
		struct vt_guest_list l;
		uint64_t t0 = now_ns();
		if (vt_agent_statedump(NULL, &l, &err) < 0) {
			fprintf(stderr, "agent_bench: %s\n", err.msg);
			exit(1);
		}
		t[i] = now_ns() - t0;
		found = l.n;
		vt_guest_list_free(&l);
	}
	char what[64];
	snprintf(what, sizeof(what), "statedump, %zu guests x 2 vCPUs", found);
	report(what, t, N);
	uint64_t w[20];
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s/vmtrace guests --json >/dev/null 2>&1", build);
	for (int i = 0; i < 20; i++) {
		uint64_t t0 = now_ns();
		if (system(cmd) != 0)
			fprintf(stderr, "agent_bench: vmtrace guests failed\n");
		w[i] = now_ns() - t0;
	}
	report("`vmtrace guests --json` (process)", w, 20);
	for (int i = 0; i < 8; i++)
		kill_qemu(vms[i]);
}

/* ns on CPU (schedstat, finer than clock ticks) and context switches (= wake-ups) of every thread. */
static void usage_of(pid_t pid, uint64_t *ticks, uint64_t *switches)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	*ticks = *switches = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[400], line[1024];
		snprintf(path, sizeof(path), "%s/%s/schedstat", dir, e->d_name);
		FILE *f = fopen(path, "r");
		unsigned long long ns;
		if (f && fgets(line, sizeof(line), f) && sscanf(line, "%llu", &ns) == 1)
			*ticks += ns;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "%s/%s/status", dir, e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long long v;
			if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
				*switches += v;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static void idle(const char *label, const char *args, int seconds)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "exec %s/%s", build, args);
	FILE *out;
	pid_t pid = spawn_agent(cmd, &out);
	sleep(1);
	uint64_t t0, s0, t1, s1;
	usage_of(pid, &t0, &s0);
	uint64_t w0 = now_ns();
	sleep((unsigned)seconds);
	usage_of(pid, &t1, &s1);
	double wall = (double)(now_ns() - w0) / 1e9;
	printf("idle %-34s %2.0f s: CPU %8.3f ms, %5llu wake-ups (%.1f/s)\n", label, wall,
	       (double)(t1 - t0) / 1e6, (unsigned long long)(s1 - s0), (double)(s1 - s0) / wall);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	fclose(out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: agent_bench BUILD_DIR [CYCLES] [IDLE_SECONDS]\n");
		return 2;
	}
	build = argv[1];
	int cycles = argc > 2 ? atoi(argv[2]) : 100;
	int secs = argc > 3 ? atoi(argv[3]) : 10;
	int fd = open("/dev/kvm", O_RDWR);
	kvm = fd >= 0;
	if (fd >= 0)
		close(fd);
	printf("agent_bench: %s guests (%s), %d cycles\n", kvm ? "KVM" : "TCG",
	       kvm ? "kernel uevents" : "no /dev/kvm: uevents injected by root, the kernel's format", cycles);
	latency(cycles);
	statedump();
	idle("vmtrace watch", "vmtrace watch --json", secs);
	idle("vmtraced --check-ms 100 (default)", "vmtraced --sinks ust,json", secs);
	idle("vmtraced --check-ms 0", "vmtraced --sinks ust,json --check-ms 0", secs);
	return 0;
}
