/* Finding a QEMU's guest agent socket: the command-line forms (current,
 * legacy, libvirt's JSON -device with fd=N), /proc/PID/fd + /proc/net/unix for
 * fd=N on a fake /proc and on a real QEMU given a listening socket as fd,
 * a channel that another client holds (libvirt's message), and the refusals
 * (client chardev, TCP, abstract, forged /proc/net/unix lines). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/qga.h"
#include "record/qga_find.h"
#include "testutil.h"

#define PORT "name=org.qemu.guest_agent.0"

/* argv (NULL-terminated) as /proc/PID/cmdline holds it. */
static size_t cmdline(char *buf, size_t size, const char *const *argv, int final_nul)
{
	size_t n = 0;
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]);
		assert_true(n + l + 1 <= size);
		memcpy(buf + n, argv[i], l + 1);
		n += l + 1;
	}
	return final_nul ? n : n - 1;
}

static int parse(const char *const *argv, struct vt_qga_spec *spec)
{
	char buf[16384];
	size_t n = cmdline(buf, sizeof(buf), argv, 1);
	return vt_qga_parse_cmdline(buf, n, spec);
}

static void test_forms(void **state)
{
	(void)state;
	struct vt_qga_spec s;
	const char *modern[] = {"qemu-system-x86_64", "-chardev", "socket,path=/run/a.sock,server=on,wait=off,id=qga0",
				"-device", "virtio-serial-pci", "-device", "virtserialport,chardev=qga0," PORT, NULL};
	assert_int_equal(parse(modern, &s), 1);
	assert_string_equal(s.path, "/run/a.sock");
	assert_string_equal(s.chardev, "qga0");
	assert_int_equal(s.server, 1);
	assert_int_equal(s.fd, -1);
	assert_int_equal(s.tcp, 0);

	const char *legacy[] = {"/usr/bin/kvm", "-chardev", "socket,path=/tmp/q,,a.sock,server,nowait,id=qga0", "-device",
				"virtio-serial", "-device", "virtserialport,chardev=qga0," PORT, NULL};
	assert_int_equal(parse(legacy, &s), 1);
	assert_string_equal(s.path, "/tmp/q,a.sock");
	assert_int_equal(s.server, 1);

	const char *yes[] = {"qemu", "--device", "driver=virtserialport," PORT ",chardev=c", "--chardev",
			     "backend=socket,id=c,path=/p,server=yes", NULL};
	assert_int_equal(parse(yes, &s), 1);
	assert_string_equal(s.path, "/p");
	assert_int_equal(s.server, 1);

	const char *libvirt[] = {"qemu", "-chardev", "socket,id=charchannel0,fd=33,server=on,wait=off", "-device",
				 "{\"driver\":\"virtserialport\",\"bus\":\"virtio-serial0.0\",\"nr\":1,\"chardev\":"
				 "\"charchannel0\",\"id\":\"channel0\",\"" "name\":\"org.qemu.guest_agent.0\"}", NULL};
	assert_int_equal(parse(libvirt, &s), 1);
	assert_int_equal(s.fd, 33);
	assert_string_equal(s.path, "");

	const char *client[] = {"qemu", "-chardev", "socket,id=q,path=/p", "-device", "virtserialport,chardev=q," PORT, NULL};
	assert_int_equal(parse(client, &s), 1);
	assert_int_equal(s.server, 0);
	const char *noserver[] = {"qemu", "-chardev", "socket,id=q,path=/p,server=off", "-device",
				  "virtserialport,chardev=q," PORT, NULL};
	assert_int_equal(parse(noserver, &s), 1);
	assert_int_equal(s.server, 0);
	const char *tcp[] = {"qemu", "-chardev", "socket,id=q,host=127.0.0.1,port=4444,server=on", "-device",
			     "virtserialport,chardev=q," PORT, NULL};
	assert_int_equal(parse(tcp, &s), 1);
	assert_int_equal(s.tcp, 1);

	/* No agent port: another port name, or its chardev missing. */
	const char *other[] = {"qemu", "-chardev", "socket,id=q,path=/p,server=on", "-device",
			       "virtserialport,chardev=q,name=org.example.0", NULL};
	assert_int_equal(parse(other, &s), 0);
	assert_string_equal(s.chardev, "");
	const char *orphan[] = {"qemu", "-device", "virtserialport,chardev=gone," PORT, NULL};
	assert_int_equal(parse(orphan, &s), 0);
	assert_string_equal(s.chardev, "gone");

	/* No final NUL; an argument too long to be ours is skipped, not cut. */
	char huge[9000];
	memset(huge, 'a', sizeof(huge) - 1);
	memcpy(huge, "socket,id=q,server=on,path=/x", 29);
	huge[sizeof(huge) - 1] = '\0';
	const char *longarg[] = {"qemu", "-device", "virtserialport,chardev=q," PORT, "-chardev", huge, NULL};
	char buf[16384];
	size_t n = cmdline(buf, sizeof(buf), longarg, 0);
	assert_int_equal(vt_qga_parse_cmdline(buf, n, &s), 0);
	const char *last[] = {"qemu", "-device", "virtserialport,chardev=q," PORT, "-chardev",
			      "socket,id=q,server=on,path=/end", NULL};
	n = cmdline(buf, sizeof(buf), last, 0);
	assert_int_equal(vt_qga_parse_cmdline(buf, n, &s), 1);
	assert_string_equal(s.path, "/end");
}

static void test_net_unix_line(void **state)
{
	(void)state;
	uint64_t ino;
	unsigned st;
	char path[64];
	const char *l = "0000000000000000: 00000002 00000000 00010000 0001 01 4242 /run/a.sock";
	assert_int_equal(vt_qga_net_unix_line(l, strlen(l), &ino, &st, path, sizeof(path)), 1);
	assert_int_equal(ino, 4242);
	assert_int_equal(st, 1);
	assert_string_equal(path, "/run/a.sock");
	l = "0000000000000000: 00000003 00000000 00000000 0001 03 77";
	assert_int_equal(vt_qga_net_unix_line(l, strlen(l), &ino, &st, path, sizeof(path)), 1);
	assert_string_equal(path, "");
	l = "Num       RefCount Protocol Flags    Type St Inode Path";
	assert_int_equal(vt_qga_net_unix_line(l, strlen(l), &ino, &st, path, sizeof(path)), 0);
	l = "0000000000000000: 00000002 00000000 00010000 0001 01 4242 /a/path/longer/than/the/buffer/we/gave/it/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	assert_int_equal(vt_qga_net_unix_line(l, strlen(l), &ino, &st, path, sizeof(path)), 0);
}

static char *fake; /* a fake /proc */

static void fake_file(const char *rel, const char *data, size_t len)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", fake, rel);
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p \"$(dirname '%s')\"", p);
	vt_run_free(&r);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void fake_process(const char *const *argv, const char *net_unix, const char *fd33)
{
	vt_rmtree(fake);
	char buf[4096];
	size_t n = cmdline(buf, sizeof(buf), argv, 1);
	fake_file("100/cmdline", buf, n);
	fake_file("100/net/unix", net_unix, strlen(net_unix));
	if (fd33) {
		char p[700];
		snprintf(p, sizeof(p), "%s/100/fd", fake);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/100/fd/33", fake);
		assert_int_equal(symlink(fd33, p), 0);
	}
}

#define HEAD "Num       RefCount Protocol Flags    Type St Inode Path\n"
#define LV "/var/lib/libvirt/qemu/channel/target/domain-1-g/org.qemu.guest_agent.0"

static void test_find_fake_proc(void **state)
{
	(void)state;
	fake = vt_mkdtemp();
	struct vt_agent_paths paths = {.proc = fake};
	struct vt_qga_endpoint ep;
	struct vt_error err = {0};
	const char *libvirt[] = {"qemu", "-chardev", "socket,id=charchannel0,fd=33,server=on,wait=off", "-device",
				 "{\"driver\":\"virtserialport\",\"chardev\":\"charchannel0\",\"name\":\"org.qemu.guest_agent.0\"}",
				 NULL};
	/* libvirt: fd 33 is a listening socket with libvirt's path, and libvirt is connected. */
	fake_process(libvirt,
		     HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 4242 " LV "\n"
			  "0000000000000000: 00000003 00000000 00000000 0001 03 4243 " LV "\n"
			  "0000000000000000: 00000003 00000000 00000000 0001 03 4244\n",
		     "socket:[4242]");
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), 0);
	assert_string_equal(ep.path, LV);
	assert_int_equal(ep.from_fd, 1);
	assert_int_equal(ep.libvirt, 1);
	assert_int_equal(ep.busy, 1);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), -1);
	printf("libvirt: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "libvirt owns the guest agent channel"));
	assert_non_null(strstr(err.msg, "through `virsh qemu-agent-command`"));
	assert_int_equal(vt_qga_endpoint_is_libvirt(&ep), 1);

	/* libvirtd listening, not connected (yet): still libvirt's. */
	fake_process(libvirt, HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 4242 " LV "\n", "socket:[4242]");
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), 0);
	assert_int_equal(ep.busy, 0);
	assert_int_equal(vt_qga_endpoint_is_libvirt(&ep), 1);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), -1);
	assert_non_null(strstr(err.msg, "libvirt owns the guest agent channel"));

	/* A forged line naming the same inode (a path holding a newline): refused. */
	fake_process(libvirt,
		     HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 99 /tmp/evil\n"
			  "0000000000000000: 00000002 00000000 00010000 0001 01 4242 /root/elsewhere\n"
			  "0000000000000000: 00000002 00000000 00010000 0001 01 4242 " LV "\n",
		     "socket:[4242]");
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "named more than once"));
	/* Abstract and unnamed sockets, and an fd that is not a socket. */
	fake_process(libvirt, HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 4242 @abstract\n",
		     "socket:[4242]");
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "no file name"));
	fake_process(libvirt, HEAD, "/dev/null");
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "not a socket"));

	/* A path chardev: free, then held by another client. */
	const char *plain[] = {"qemu", "-chardev", "socket,id=q,path=/run/q.sock,server=on,wait=off", "-device",
			       "virtserialport,chardev=q," PORT, NULL};
	fake_process(plain, HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 5 /run/q.sock\n", NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), 0);
	assert_string_equal(ep.path, "/run/q.sock");
	assert_int_equal(ep.busy + ep.libvirt + ep.from_fd, 0);
	assert_int_equal(vt_qga_endpoint_is_libvirt(&ep), 0);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), 0);
	fake_process(plain,
		     HEAD "0000000000000000: 00000002 00000000 00010000 0001 01 5 /run/q.sock\n"
			  "0000000000000000: 00000003 00000000 00000000 0001 03 6 /run/q.sock\n",
		     NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), 0);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), -1);
	assert_non_null(strstr(err.msg, "another client is connected"));

	/* What cannot be reached is said. */
	const char *none[] = {"qemu", "-m", "512", NULL};
	fake_process(none, HEAD, NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "no guest agent channel"));
	const char *client[] = {"qemu", "-chardev", "socket,id=q,path=/p", "-device", "virtserialport,chardev=q," PORT, NULL};
	fake_process(client, HEAD, NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "client socket"));
	const char *tcp[] = {"qemu", "-chardev", "socket,id=q,port=4,server=on", "-device", "virtserialport,chardev=q," PORT,
			     NULL};
	fake_process(tcp, HEAD, NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "TCP"));
	const char *file[] = {"qemu", "-chardev", "file,id=q,path=/p", "-device", "virtserialport,chardev=q," PORT, NULL};
	fake_process(file, HEAD, NULL);
	assert_int_equal(vt_qga_find(&paths, 100, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "'file' chardev"));
	assert_int_equal(vt_qga_find(&paths, 101, &ep, &err), -1);
	assert_non_null(strstr(err.msg, "no such process"));
	vt_rmtree(fake);
	free(fake);
}

/* ---- a real QEMU ---- */

static pid_t running_qemu = -1; /* killed at exit, whatever failed */

static void qemu_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	running_qemu = -1;
}

static void qemu_stop_at_exit(void)
{
	if (running_qemu > 0)
		qemu_stop(running_qemu);
}

static pid_t qemu_start(const char *chardev, int keep_fd)
{
	static int registered;
	if (!registered++)
		atexit(qemu_stop_at_exit);
	char path[4096];
	const char *p = getenv("PATH");
	snprintf(path, sizeof(path), "%s", p ? p : "/usr/bin");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (keep_fd >= 0)
			fcntl(keep_fd, F_SETFD, 0);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-S", "-accel", "tcg", "-display", "none", "-nodefaults",
		       "-m", "64", "-chardev", chardev, "-device", "virtio-serial-pci", "-device",
		       "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0", (char *)NULL);
		_exit(127);
	}
	running_qemu = pid;
	return pid;
}

/* Waits until the QEMU listens on PATH (its chardev is made at start). */
static int wait_socket(const char *path, pid_t pid)
{
	for (int i = 0; i < 600; i++) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(50000);
	}
	return -1;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_real_qemu(void **state)
{
	(void)state;
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "qemu-system-x86_64 not installed");
		return;
	}
	char *dir = vt_mkdtemp();
	char sock[600], chardev[700];
	snprintf(sock, sizeof(sock), "%s/qga.sock", dir);
	snprintf(chardev, sizeof(chardev), "socket,path=%s,server=on,wait=off,id=qga0", sock);
	pid_t pid = qemu_start(chardev, -1);
	assert_int_equal(wait_socket(sock, pid), 0);
	struct vt_qga_endpoint ep;
	struct vt_error err = {0};
	assert_int_equal(vt_qga_find(NULL, pid, &ep, &err), 0);
	assert_string_equal(ep.path, sock);
	assert_int_equal(ep.busy, 0);
	/* The QEMU accepts, but the guest (never started: -S) has no agent: the sync ends by its deadline. */
	int64_t t0 = vt_qga_now_ms();
	struct vt_qga *q = vt_qga_connect(NULL, pid, ep.path, t0 + 1500, &err);
	assert_null(q);
	printf("no agent in the guest: %s (%lld ms)\n", err.msg, (long long)(vt_qga_now_ms() - t0));
	assert_non_null(strstr(err.msg, "is qemu-ga running in the guest?"));
	/* Another client holds the channel: found busy, and said so. */
	int other = connect_to(sock);
	for (int i = 0; i < 100 && !ep.busy; i++) {
		usleep(20000);
		assert_int_equal(vt_qga_find(NULL, pid, &ep, &err), 0);
	}
	assert_int_equal(ep.busy, 1);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), -1);
	assert_non_null(strstr(err.msg, "another client is connected"));
	close(other);
	qemu_stop(pid);

	/* libvirt's way: the listening socket made by someone else and passed as
	 * fd=N, found through /proc/PID/fd and /proc/net/unix, and refused as
	 * libvirt's. (QEMU calls listen() on it again: SO_PEERCRED then names the
	 * QEMU, so a checked connect gets as far as the sync, which no agent answers.) */
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/passed.sock", dir);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	snprintf(chardev, sizeof(chardev), "socket,fd=%d,server=on,wait=off,id=qga0", lfd);
	pid = qemu_start(chardev, lfd);
	int found = -1;
	for (int i = 0; i < 600 && found < 0; i++) {
		usleep(50000);
		found = vt_qga_find(NULL, pid, &ep, &err);
	}
	if (found < 0)
		fail_msg("fd=N: %s", err.msg);
	assert_string_equal(ep.path, sa.sun_path);
	assert_int_equal(ep.from_fd, 1);
	assert_int_equal(ep.libvirt, 1);
	assert_int_equal(vt_qga_endpoint_usable(&ep, &err), -1);
	assert_non_null(strstr(err.msg, "libvirt owns the guest agent channel"));
	q = vt_qga_connect(NULL, pid, ep.path, vt_qga_now_ms() + 1500, &err);
	assert_null(q);
	printf("passed fd: %s\n", err.msg);
	assert_true(strstr(err.msg, "not by the QEMU") || strstr(err.msg, "no sync answer"));
	qemu_stop(pid);
	close(lfd);
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_net_unix_line),
		cmocka_unit_test(test_find_fake_proc),
		cmocka_unit_test(test_real_qemu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
