/* A process that calls itself QEMU, for test_agent_hostile: started as an
 * unprivileged user under the name qemu-system-x86_64, it names its threads
 * as told and may serve QMP on a socket of its own with hostile answers, then
 * waits to be killed. Its command line is for the agent to read; what it does
 * comes from the environment:
 *   FAKE_THREADS    thread names separated by '|' (any other bytes, ESC and newline too)
 *   FAKE_QMP        a socket path to listen on
 *   FAKE_QMP_MODE   good | hostile | huge | garbage | silent
 * Prints "ready" on stdout once its threads are named and it listens. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_THREADS 16

static pid_t tids[MAX_THREADS]; /* in the order of FAKE_THREADS */
static const char *names_of[MAX_THREADS];
static int nthreads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t named = PTHREAD_COND_INITIALIZER;

static void *thread_main(void *arg)
{
	int i = (int)(long)arg;
	prctl(PR_SET_NAME, names_of[i], 0, 0, 0);
	pthread_mutex_lock(&lock);
	tids[i] = gettid();
	nthreads++;
	pthread_cond_signal(&named);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

static void start_threads(char *names)
{
	int want = 0;
	for (char *save = NULL, *n = strtok_r(names, "|", &save); n && want < MAX_THREADS;
	     n = strtok_r(NULL, "|", &save)) {
		pthread_t t;
		names_of[want] = n;
		if (pthread_create(&t, NULL, thread_main, (void *)(long)want) == 0)
			want++;
	}
	pthread_mutex_lock(&lock);
	while (nthreads < want)
		pthread_cond_wait(&named, &lock);
	pthread_mutex_unlock(&lock);
}

static void say(int fd, const char *s)
{
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0) {
	}
}

/* The answer to query-cpus-fast in each mode (malloc'ed). */
static char *cpus_answer(const char *mode)
{
	size_t size = 1 << 20;
	char *a = malloc(size);
	pid_t t0 = nthreads > 0 ? tids[0] : getpid(), t1 = nthreads > 1 ? tids[1] : getpid();
	if (!strcmp(mode, "good")) {
		snprintf(a, size, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": %d}, {\"cpu-index\": 1, \"thread-id\": %d}]}\n",
			 (int)t0, (int)t1);
	} else if (!strcmp(mode, "hostile")) {
		/* Only vCPU 1 -> t1 may be believed. */
		snprintf(a, size,
			 "{\"return\": [{\"cpu-index\": 4294967296, \"thread-id\": %d}, {\"cpu-index\": -1, \"thread-id\": %d},"
			 " {\"cpu-index\": 0, \"thread-id\": 1}, {\"cpu-index\": 5000, \"thread-id\": %d},"
			 " {\"cpu-index\": 1, \"thread-id\": %d}, {\"cpu-index\": 1, \"thread-id\": %d}]}\n",
			 (int)t0, (int)t0, (int)t0, (int)t1, (int)t0);
	} else { /* huge: far more than the agent reads in one line */
		size_t n = snprintf(a, size, "{\"return\": [");
		for (int i = 0; n + 64 < size - 8; i++)
			n += (size_t)snprintf(a + n, size - n, "{\"cpu-index\": %d, \"thread-id\": %d},", i, (int)t0);
		snprintf(a + n, size - n, "{}]}\n");
	}
	return a;
}

/* One connection: greeting, then an answer to each command line. */
static void serve(int fd, const char *mode)
{
	say(fd, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n");
	char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t got = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (got <= 0)
			break;
		len += (size_t)got;
		buf[len] = '\0';
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			if (!strcmp(mode, "garbage")) {
				say(fd, "\xff\xfe}{][ not json\n{\"event\": \"STOP\"}\n{\"return\": [{\"cpu-index\": 0,\n");
			} else if (strstr(buf, "qmp_capabilities")) {
				say(fd, "{\"return\": {}}\n");
			} else if (strstr(buf, "query-cpus-fast")) {
				char *a = cpus_answer(mode);
				say(fd, a);
				free(a);
			}
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
	}
	close(fd);
}

static void *serve_thread(void *arg)
{
	int fd = (int)(long)arg;
	serve(fd, getenv("FAKE_QMP_MODE"));
	return NULL;
}

static void listen_qmp(const char *path, const char *mode)
{
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 64) < 0) {
		fprintf(stderr, "fake_qemu: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (!strcmp(mode, "silent"))
			continue; /* accepted, never answered, never closed */
		pthread_t t;
		if (pthread_create(&t, NULL, serve_thread, (void *)(long)fd) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
}

int main(void)
{
	char *names = getenv("FAKE_THREADS");
	if (names)
		start_threads(names);
	const char *qmp = getenv("FAKE_QMP"), *mode = getenv("FAKE_QMP_MODE");
	if (qmp && mode)
		listen_qmp(qmp, mode);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
