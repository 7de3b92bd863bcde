/* Temporary outputs removed on SIGINT/SIGTERM (cleanup.h). Everything the
 * handler reaches is async-signal-safe: fixed slots, and system calls only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "common/cleanup.h"

#include "common/oom.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 16
#define MAX_DEPTH 32 /* deeper than any trace layout we write; the stack stays < 100 KiB */

/* SIGABRT too: GLib (inside babeltrace2) aborts when an allocation fails. */
static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGABRT};

struct slot {
	volatile sig_atomic_t used; /* written last on add, first on forget */
	char path[4200];
};

static struct slot slots[SLOTS];
static volatile pid_t child;
static volatile sig_atomic_t cleaning;
static char oom_line[128]; /* "PROG: out of memory\n", said when an abort was one */

/* One record of getdents64 (the kernel's layout; glibc's readdir allocates). */
struct dirent64_rec {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int remove_at(int dirfd, const char *name, int depth);

/* Removes every entry of an open folder. Entries removed while reading may
 * shift the rest, so it reads again from the start until a pass finds none. */
static int empty_folder(int fd, int depth)
{
	int rc = 0;
	for (;;) {
		char buf[2048] __attribute__((aligned(8)));
		int seen = 0, removed = 0;
		long n;
		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
			for (long off = 0; off < n;) {
				struct dirent64_rec *d = (struct dirent64_rec *)(buf + off);
				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				seen = 1;
				if (remove_at(fd, d->d_name, depth + 1) == 0)
					removed = 1;
				else
					rc = -1;
			}
		if (n < 0)
			return -1;
		if (!seen || !removed)
			return seen ? -1 : rc;
	}
}

static int remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if (depth >= MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = empty_folder(fd, depth);
	int e = errno;
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (rc)
		errno = e;
	return -1;
}

int vt_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path, 0);
}

static void on_signal(int sig)
{
	int saved = errno;
	if (!cleaning) {
		cleaning = 1;
		if (child > 0) {
			kill(child, SIGKILL);
			while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
				;
		}
		for (int i = 0; i < SLOTS; i++)
			if (slots[i].used)
				remove_at(AT_FDCWD, slots[i].path, 0);
		if (sig == SIGABRT && vt_out_of_memory_now() && write(2, oom_line, strlen(oom_line)) < 0)
			cleaning = 2; /* nowhere to say it */
	}
	/* Die of the same signal (SA_RESETHAND made it the default), so that the
	 * exit status says "killed by SIGINT". */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(sig, &dfl, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	errno = saved;
}

/* Signals held while a temporary output is created and registered: it never
 * exists unregistered, however early the signal comes. */
static void hold(int block, sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&set, signals[i]);
	if (block)
		sigprocmask(SIG_BLOCK, &set, old);
	else
		sigprocmask(SIG_SETMASK, old, NULL);
}

void vt_cleanup_on_signals(const char *prog)
{
	snprintf(oom_line, sizeof(oom_line), "%s: out of memory\n", prog);
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESETHAND | SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old;
		if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(signals[i], &sa, NULL);
	}
}

int vt_cleanup_add(const char *path)
{
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		if (s->used)
			continue;
		if (snprintf(s->path, sizeof(s->path), "%s", path) >= (int)sizeof(s->path))
			return -1;
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* the path is whole before the handler may see it */
		s->used = 1;
		return i;
	}
	return -1;
}

int vt_cleanup_mkstemp(char *template, int *handle)
{
	sigset_t old;
	hold(1, &old);
	int fd = mkstemp(template);
	int e = errno;
	*handle = fd >= 0 ? vt_cleanup_add(template) : -1;
	hold(0, &old);
	errno = e;
	return fd;
}

char *vt_cleanup_mkdtemp(char *template, int *handle)
{
	sigset_t old;
	hold(1, &old);
	char *dir = mkdtemp(template);
	int e = errno;
	*handle = dir ? vt_cleanup_add(template) : -1;
	hold(0, &old);
	errno = e;
	return dir;
}

void vt_cleanup_forget(int handle)
{
	if (handle >= 0 && handle < SLOTS)
		slots[handle].used = 0;
}

void vt_cleanup_child(pid_t pid)
{
	child = pid;
}

/* The child's registry is empty; its SIGABRT handler stays, to say when
 * an abort was for want of memory. */
static void after_fork(void)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old;
		if (signals[i] != SIGABRT && sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == on_signal)
			signal(signals[i], SIG_DFL);
	}
	for (int i = 0; i < SLOTS; i++)
		slots[i].used = 0;
	child = 0;
}

pid_t vt_cleanup_fork(void)
{
	sigset_t old;
	pid_t parent = getpid();
	hold(1, &old);
	pid_t pid = fork();
	int e = errno;
	if (pid == 0) {
		after_fork();
		/* The parent killed otherwise (SIGKILL) must not leave it writing. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	} else if (pid > 0) {
		child = pid;
	}
	hold(0, &old);
	errno = e;
	return pid;
}
