/* Root's agent among hostile users: processes started as nobody that call
 * themselves qemu-system-x86_64 (fake_qemu.c) with threads named to break the
 * vCPU indices, -smp beyond KVM, a uuid that is none, a name that writes on
 * terminals and into lines, QMP sockets that are root's, someone else's, or
 * their own answering with lies, garbage, too much or nothing. `vmtrace
 * guests` (JSON and table) and `vmtraced --once` run as root against them:
 * no crash, bounded output, no connection to root's socket, no thread id
 * outside the process that claims it, nothing of theirs in a trace as a KVM
 * guest unless KVM's own evidence says so. */
#include "agent_helpers.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSILENT 10
#define QMP_TIMEOUT_MS 500 /* VT_QMP_TIMEOUT_MS */

static char *dir;
static char bin[700], nobody_dir[700], root_sock[700], debugfs[700];
static int root_listener = -1;
static uid_t nobody_uid;
static gid_t nobody_gid;

/* The fakes, by role. */
static pid_t f_names, f_rootsock, f_hostile, f_huge, f_garbage, f_peer, f_good, f_silent[NSILENT];
static pid_t all[32];
static int nall;

/* The -name "evil\x1b[2J\nPID 1 fake-line\xff\xfe" as JSON gives it back:
 * valid UTF-8, each invalid byte one U+FFFD. */
static const char evil_name_utf8[] = "evil\x1b[2J\nPID 1 fake-line\xef\xbf\xbd\xef\xbf\xbd";

/* Starts bin as nobody with args after argv[0], FAKE_* from the arguments;
 * returns its pid once it printed "ready". */
static pid_t start_fake(const char *const *args, const char *threads, const char *qmp, const char *mode)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	char e_threads[512], e_qmp[800], e_mode[64];
	snprintf(e_threads, sizeof(e_threads), "FAKE_THREADS=%s", threads ? threads : "");
	snprintf(e_qmp, sizeof(e_qmp), "FAKE_QMP=%s", qmp ? qmp : "");
	snprintf(e_mode, sizeof(e_mode), "FAKE_QMP_MODE=%s", mode ? mode : "");
	char *envp[4] = {e_threads, NULL, NULL, NULL};
	if (qmp && mode) {
		envp[1] = e_qmp;
		envp[2] = e_mode;
	}
	const char *argv[32] = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin};
	int n = 5;
	for (; args && *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execve("/usr/bin/setpriv", (char *const *)argv, envp);
		_exit(127);
	}
	close(p[1]);
	assert_true(pid > 0);
	all[nall++] = pid;
	struct pollfd pf = {p[0], POLLIN, 0};
	char buf[16] = "";
	assert_int_equal(poll(&pf, 1, 20000), 1);
	assert_true(read(p[0], buf, sizeof(buf) - 1) > 0);
	assert_non_null(strstr(buf, "ready"));
	close(p[0]);
	return pid;
}

static void sock_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s.sock", nobody_dir, name);
}

/* The agent reads other processes' sockets through /proc: nobody must reach its own files. */
static void make_dirs(void)
{
	struct passwd *pw = getpwnam("nobody");
	assert_non_null(pw);
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	dir = vt_mkdtemp();
	chmod(dir, 0755);
	snprintf(bin, sizeof(bin), "%s/qemu-system-x86_64", dir);
	struct vt_run r;
	vt_run_shell(&r, "cp '%s' '%s' && chmod 755 '%s'", VT_FAKE_QEMU, bin, bin);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	snprintf(nobody_dir, sizeof(nobody_dir), "%s/nobody", dir);
	assert_int_equal(mkdir(nobody_dir, 0755), 0);
	assert_int_equal(chown(nobody_dir, nobody_uid, nobody_gid), 0);
	char root_dir[600];
	snprintf(root_dir, sizeof(root_dir), "%.500s/root", dir);
	assert_int_equal(mkdir(root_dir, 0700), 0);
	snprintf(root_sock, sizeof(root_sock), "%s/root.sock", root_dir);
	snprintf(debugfs, sizeof(debugfs), "%s/debug", dir);
}

/* Root's own socket, which records whether anyone connected. Checked once
 * here: a connection is seen. */
static void root_socket(void)
{
	root_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(root_sock) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, root_sock, strlen(root_sock) + 1);
	assert_int_equal(bind(root_listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(root_listener, 16), 0);
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int a = accept(root_listener, NULL, NULL);
	assert_true(a >= 0);
	close(a);
	close(c);
}

static int setup(void **state)
{
	(void)state;
	make_dirs();
	root_socket();
	const char *names_args[] = {"-uuid", "not-a-uuid\x1b[2J", "-name", "guest=evil\x1b[2J\nPID 1 fake-line\xff\xfe,debug-threads=on",
				    "-smp", "4000000000", NULL};
	f_names = start_fake(names_args, "CPU -1/KVM|CPU 9999999/KVM|CPU 4294967296/KVM|\x1b[31mred|two\nlines|CPU 1/KVM",
			     NULL, NULL);
	char q[800], opt[900];
	const char *qmp_args[] = {"-smp", "2", "-qmp", opt, NULL};
	snprintf(opt, sizeof(opt), "unix:%s,server=on,wait=off", root_sock);
	f_rootsock = start_fake(qmp_args, "w0|w1", NULL, NULL);
	const char *modes[] = {"hostile", "huge", "garbage", "good"};
	pid_t *who[] = {&f_hostile, &f_huge, &f_garbage, &f_good};
	for (int i = 0; i < 4; i++) {
		sock_path(q, sizeof(q), modes[i]);
		snprintf(opt, sizeof(opt), "unix:%s,server=on,wait=off", q);
		*who[i] = start_fake(qmp_args, "w0|w1", q, modes[i]);
	}
	/* A socket of the same user, but another process serves it. */
	sock_path(q, sizeof(q), "good");
	snprintf(opt, sizeof(opt), "unix:%s,server=on,wait=off", q);
	f_peer = start_fake(qmp_args, "w0|w1", NULL, NULL);
	const char *one_args[] = {"-smp", "1", "-qmp", opt, NULL};
	for (int i = 0; i < NSILENT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "silent%d", i);
		sock_path(q, sizeof(q), name);
		snprintf(opt, sizeof(opt), "unix:%s,server=on,wait=off", q);
		f_silent[i] = start_fake(one_args, NULL, q, "silent");
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nall; i++) {
		kill(all[i], SIGKILL);
		waitpid(all[i], NULL, 0);
	}
	if (root_listener >= 0)
		close(root_listener);
	if (dir) {
		vt_rmtree(dir);
		free(dir);
	}
	return 0;
}

static json_t *guest_of(json_t *doc, pid_t pid)
{
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(doc, "guests"), i, g)
		if (json_integer_value(json_object_get(g, "pid")) == pid)
			return g;
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	assert_non_null(s);
	return s;
}

static int is_thread_of(pid_t pid, json_int_t tid)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/task/%lld", (int)pid, (long long)tid);
	return access(path, F_OK) == 0;
}

static void thread_name(pid_t pid, json_int_t tid, char *out, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/task/%lld/comm", (int)pid, (long long)tid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, (int)size, f));
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static json_int_t tid_of(json_t *g, size_t vcpu)
{
	json_t *t = json_array_get(json_object_get(g, "vcpu_threads"), vcpu);
	assert_non_null(t);
	assert_int_equal(json_integer_value(json_object_get(t, "vcpu")), vcpu);
	return json_integer_value(json_object_get(t, "tid"));
}

/* What every fake must look like: all keys there, bounded, its own threads, not KVM. */
static void check_every_fake(json_t *g, pid_t pid)
{
	static const char *const keys[] = {"pid", "uuid", "name", "vcpus", "kvm", "debugfs", "accel",
					   "qmp", "tids_from", "vcpu_threads", "note"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		assert_non_null(json_object_get(g, keys[k]));
	json_t *threads = json_object_get(g, "vcpu_threads");
	assert_true(json_integer_value(json_object_get(g, "vcpus")) <= 4096);
	assert_int_equal(json_array_size(threads), json_integer_value(json_object_get(g, "vcpus")));
	for (size_t v = 0; v < json_array_size(threads); v++) {
		json_int_t tid = tid_of(g, v);
		assert_true(tid == -1 || is_thread_of(pid, tid));
	}
	assert_string_equal(str(g, "kvm"), "none");
	assert_string_equal(str(g, "accel"), "none");
}

static json_t *guests_json(double *ms)
{
	struct vt_run r;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	vt_run_shell(&r, "%s guests --json", vt_build_path("vmtrace"));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (ms)
		*ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	assert_int_equal(r.status, 0);
	assert_null(memchr(r.err, 0x1b, r.err_len)); /* notes quote the fakes' strings escaped */
	json_error_t je;
	json_t *doc = json_loads(r.out, 0, &je);
	if (!doc)
		printf("not JSON (%s): %.300s\n", je.text, r.out);
	assert_non_null(doc);
	vt_run_free(&r);
	return doc;
}

static void test_guests_json(void **state)
{
	(void)state;
	json_t *doc = guests_json(NULL);
	for (int i = 0; i < nall; i++) {
		json_t *g = guest_of(doc, all[i]);
		assert_non_null(g);
		check_every_fake(g, all[i]);
	}
	/* Names: the thread "CPU 1/KVM" is vCPU 1; every other one is refused. */
	json_t *g = guest_of(doc, f_names);
	printf("names fake: note %s\n", str(g, "note"));
	assert_string_equal(str(g, "uuid"), "");
	assert_string_equal(str(g, "name"), evil_name_utf8);
	assert_int_equal(json_integer_value(json_object_get(g, "vcpus")), 2);
	char comm[64];
	thread_name(f_names, tid_of(g, 1), comm, sizeof(comm));
	assert_string_equal(comm, "CPU 1/KVM");
	assert_int_equal(tid_of(g, 0), -1);
	assert_non_null(strstr(str(g, "note"), "is not a uuid"));
	assert_non_null(strstr(str(g, "note"), "-smp 4000000000: more vCPUs than KVM allows (4096): ignored"));
	assert_non_null(strstr(str(g, "note"), "3 threads named \"CPU n/...\" ignored"));
	/* Root's socket: not even connected to. */
	g = guest_of(doc, f_rootsock);
	assert_string_equal(str(g, "tids_from"), "none");
	assert_non_null(strstr(str(g, "note"), "the socket belongs to uid 0"));
	/* Lies over its own socket: only vCPU 1 on its thread w1 is believed. */
	g = guest_of(doc, f_hostile);
	printf("hostile QMP fake: note %s\n", str(g, "note"));
	assert_string_equal(str(g, "tids_from"), "qmp");
	assert_int_equal(tid_of(g, 0), -1);
	thread_name(f_hostile, tid_of(g, 1), comm, sizeof(comm));
	assert_string_equal(comm, "w1");
	assert_non_null(strstr(str(g, "note"), "5 answers refused"));
	g = guest_of(doc, f_huge);
	assert_string_equal(str(g, "tids_from"), "none");
	assert_non_null(strstr(str(g, "note"), "an answer longer than 65536 bytes"));
	g = guest_of(doc, f_garbage);
	assert_string_equal(str(g, "tids_from"), "none");
	assert_non_null(strstr(str(g, "note"), "no answer within"));
	/* A good monitor works through all the checks... */
	g = guest_of(doc, f_good);
	assert_string_equal(str(g, "tids_from"), "qmp");
	thread_name(f_good, tid_of(g, 0), comm, sizeof(comm));
	assert_string_equal(comm, "w0");
	/* ...but not for a process that names it as its own. */
	g = guest_of(doc, f_peer);
	assert_string_equal(str(g, "tids_from"), "none");
	char served[128];
	snprintf(served, sizeof(served), "the socket is served by pid %d, not by the QEMU", (int)f_good);
	assert_non_null(strstr(str(g, "note"), served));
	json_decref(doc);
}

/* Ten monitors that accept and never answer are asked at once: the dump
 * waits about one timeout, not ten. */
static void test_silent_monitors(void **state)
{
	(void)state;
	double ms;
	json_t *doc = guests_json(&ms);
	printf("vmtrace guests --json with %d silent monitors (and the others): %.0f ms\n", NSILENT, ms);
	for (int i = 0; i < NSILENT; i++) {
		json_t *g = guest_of(doc, f_silent[i]);
		assert_non_null(strstr(str(g, "note"), "no answer within 500 ms"));
		assert_null(strstr(str(g, "note"), "used up"));
	}
	json_decref(doc);
	assert_true(ms < NSILENT * QMP_TIMEOUT_MS * 0.6);
}

/* The table: the name cannot move the cursor or start a line of its own. */
static void test_guests_table(void **state)
{
	(void)state;
	struct vt_run r;
	vt_run_shell(&r, "%s guests", vt_build_path("vmtrace"));
	assert_int_equal(r.status, 0);
	assert_null(memchr(r.out, 0x1b, r.out_len));
	assert_null(memchr(r.out, 0xff, r.out_len));
	int lines = 0;
	char pid[32];
	snprintf(pid, sizeof(pid), "%d ", (int)f_names);
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "fake-line"))
			continue;
		lines++;
		assert_int_equal(strncmp(line, pid, strlen(pid)), 0); /* on the fake's own line */
		assert_non_null(strstr(line, "evil\\x1b[2J\\x0aPID 1 fake-line\\xff\\xfe"));
	}
	assert_int_equal(lines, 1);
	vt_run_free(&r);
}

static int has_pid(json_t *ev, pid_t pid)
{
	return json_integer_value(json_object_get(ev, "pid")) == pid;
}

/* vmtraced as root: every line JSON; no fake written as a guest, with its
 * claimed identity or otherwise (nothing says it runs KVM). */
static void test_vmtraced_leaves_them_out(void **state)
{
	(void)state;
	struct vt_run r;
	vt_run_shell(&r, "%s --once --sinks json", vt_build_path("vmtraced"));
	assert_int_equal(r.status, 0);
	assert_null(memchr(r.err, 0x1b, r.err_len));
	assert_non_null(strstr(r.err, "left out of the trace"));
	int events = 0;
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		for (int i = 0; i < nall; i++)
			assert_false(has_pid(ev, all[i]));
		events++;
		json_decref(ev);
	}
	assert_true(events >= 3); /* machine, statedump_begin, statedump_end */
	vt_run_free(&r);
}

static void vm_folder(pid_t pid)
{
	char path[900];
	snprintf(path, sizeof(path), "%s/kvm/%d-9/vcpu0", debugfs, (int)pid);
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s' '%s/../vcpu1'", path, path);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
}

/* As if these users could open /dev/kvm: KVM's folders for two fakes. Then
 * they are guests, with their hostile strings escaped in every sink, and
 * still only their own threads. */
static void test_vmtraced_with_evidence(void **state)
{
	(void)state;
	vm_folder(f_names);
	vm_folder(f_hostile);
	int ftrace = 0;
	FILE *on = vt_h_mount_debugfs() == 0 ? fopen("/sys/kernel/tracing/tracing_on", "r") : NULL;
	if (on) {
		ftrace = fgetc(on) == '1';
		fclose(on);
	}
	struct vt_run r;
	vt_run_shell(&r, "%s --once --sinks json%s --debugfs %s", vt_build_path("vmtraced"), ftrace ? ",ftrace" : "",
		     debugfs);
	assert_int_equal(r.status, 0);
	int guests = 0, vcpus = 0, books = 0, vm_books = 0;
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *ev = json_loads(line, 0, NULL);
		assert_non_null(ev);
		const char *kind = json_string_value(json_object_get(ev, "event"));
		if (!strcmp(kind, "guest") && has_pid(ev, f_names)) {
			guests++;
			assert_string_equal(str(ev, "kvm"), "debugfs");
			assert_string_equal(str(ev, "uuid"), "");
			assert_string_equal(str(ev, "name"), evil_name_utf8);
			assert_int_equal(json_integer_value(json_object_get(ev, "vcpus")), 2);
		} else if (!strcmp(kind, "guest_vcpu") && (has_pid(ev, f_names) || has_pid(ev, f_hostile))) {
			vcpus++;
			json_int_t tid = json_integer_value(json_object_get(ev, "tid"));
			pid_t owner = has_pid(ev, f_names) ? f_names : f_hostile;
			assert_true(tid == -1 || is_thread_of(owner, tid));
		} else if (!strcmp(kind, "guest") && has_pid(ev, f_hostile)) {
			guests++;
		} else if (!strcmp(kind, "vcpu_books") && (has_pid(ev, f_names) || has_pid(ev, f_hostile))) {
			/* The kernel's books: only of the guest's own threads, read from /proc. */
			books++;
			pid_t owner = has_pid(ev, f_names) ? f_names : f_hostile;
			assert_true(is_thread_of(owner, json_integer_value(json_object_get(ev, "tid"))));
			assert_true(json_is_integer(json_object_get(ev, "run_ns")));
		} else if (!strcmp(kind, "vm_books") && (has_pid(ev, f_names) || has_pid(ev, f_hostile))) {
			vm_books++;
		} else {
			for (int i = 0; i < nall; i++) /* the others still have no evidence */
				assert_false(has_pid(ev, all[i]));
		}
		json_decref(ev);
	}
	assert_int_equal(guests, 2);
	assert_int_equal(vcpus, 4);
	assert_true(books >= 1 && books <= vcpus);
	assert_int_equal(vm_books, 2); /* a VM folder each */
	vt_run_free(&r);
	if (!ftrace) {
		printf("tracefs not mounted or tracing_on is 0: trace_marker part not checked\n");
		return;
	}
	/* trace_marker: one line, every byte of the name percent-encoded. */
	char needle[256];
	snprintf(needle, sizeof(needle), "vmtrace: guest pid=%d uuid= name=evil%%1B[2J%%0APID%%201%%20fake-line%%FF%%FE vcpus=2 kvm=debugfs",
		 (int)f_names);
	vt_run_shell(&r, "cat /sys/kernel/tracing/trace"); /* tracefs files have no size to read by */
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, needle));
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strncmp(line, "PID 1 fake-line", 15) != 0);
	vt_run_free(&r);
}

/* Last: after all of the above, nobody ever connected to root's socket. */
static void test_root_socket_untouched(void **state)
{
	(void)state;
	int a = accept(root_listener, NULL, NULL);
	assert_int_equal(a, -1);
	assert_int_equal(errno, EAGAIN);
}

int main(void)
{
	if (geteuid() != 0)
		vt_skip(VT_SKIP_NO_ROOT, "needs root (the agent's view as root of other users' processes)");
	vt_require_program("setpriv");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guests_json),
		cmocka_unit_test(test_silent_monitors),
		cmocka_unit_test(test_guests_table),
		cmocka_unit_test(test_vmtraced_leaves_them_out),
		cmocka_unit_test(test_vmtraced_with_evidence),
		cmocka_unit_test(test_root_socket_untouched),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
