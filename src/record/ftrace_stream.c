/* Per-CPU streaming of trace_pipe_raw into cpuN.raw (ftrace_stream.h). */
#include "record/ftrace_stream.h"

#include "record/ftrace_tracefs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIPE_BYTES (256u << 10) /* splice's go-between: 64 pages a call */

int vt_ftrace_cpu_open(struct vt_ftrace_cpu *c, const char *inst, const char *capture, uint32_t cpu,
		       struct vt_error *err)
{
	char in[VT_FTRACE_PATH];
	memset(c, 0, sizeof(*c));
	c->cpu = cpu;
	c->in = c->out = c->pipe[0] = c->pipe[1] = -1;
	vt_ftrace_path(in, sizeof(in), "%s/per_cpu/cpu%u/trace_pipe_raw", inst, cpu);
	vt_ftrace_path(c->path, sizeof(c->path), "%s/cpu%u.raw", capture, cpu);
	c->in = open(in, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->in < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", in, strerror(errno));
	/* No O_APPEND: splice() refuses to write into an append-only file. */
	c->out = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->out < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", c->path, strerror(errno));
	if (pipe2(c->pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: pipe: %s", in, strerror(errno));
	fcntl(c->pipe[1], F_SETPIPE_SZ, PIPE_BYTES); /* a smaller pipe only means more calls */
	return 0;
}

void vt_ftrace_cpu_close(struct vt_ftrace_cpu *c)
{
	int *fds[] = {&c->in, &c->out, &c->pipe[0], &c->pipe[1]};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* After a failed write: keep the whole pages written, drop a torn one. */
static int cut(struct vt_ftrace_cpu *c, uint32_t page_size, int e, struct vt_error *err)
{
	c->bytes -= c->bytes % page_size;
	if (ftruncate(c->out, (off_t)c->bytes) != 0) {
	} /* the error below is the one to tell */
	return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", c->path, strerror(e ? e : EIO));
}

/* Empties the pipe's n bytes into the file. */
static int pipe_to_file(struct vt_ftrace_cpu *c, size_t n, uint32_t page_size, struct vt_error *err)
{
	while (n > 0) {
		ssize_t m = splice(c->pipe[0], NULL, c->out, NULL, n, SPLICE_F_MOVE);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return cut(c, page_size, m < 0 ? errno : ENOSPC, err);
		n -= (size_t)m;
		c->bytes += (uint64_t)m;
	}
	return 0;
}

static int write_page(struct vt_ftrace_cpu *c, const char *page, uint32_t page_size, struct vt_error *err)
{
	for (size_t done = 0; done < page_size;) {
		ssize_t w = write(c->out, page + done, page_size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cut(c, page_size, w < 0 ? errno : ENOSPC, err);
		done += (size_t)w;
		c->bytes += (uint64_t)w;
	}
	return 0;
}

/* read() pages until EAGAIN (each read gives one page, partial or not). */
static long read_pages(struct vt_ftrace_cpu *c, uint32_t page_size, uint64_t max, struct vt_error *err)
{
	char *page = malloc(page_size);
	long moved = 0;
	if (!page)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", c->path);
	while (!max || (uint64_t)moved < max) {
		ssize_t n = read(c->in, page, page_size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			moved = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read CPU %u's buffer: %s", c->path, c->cpu, strerror(errno));
		else if (n > 0 && n != (ssize_t)page_size)
			moved = vt_error_set(err, "%s: CPU %u's buffer gave %zd bytes, not a page", c->path, c->cpu, n);
		else if (n > 0 && write_page(c, page, page_size, err) == 0) {
			moved++;
			continue;
		} else if (n > 0)
			moved = -1;
		break;
	}
	free(page);
	return moved;
}

long vt_ftrace_cpu_move_full(struct vt_ftrace_cpu *c, uint32_t page_size, uint64_t max, struct vt_error *err)
{
	long moved = 0;
	size_t chunk = PIPE_BYTES / page_size; /* pages a call */
	while (!c->use_read && (!max || (uint64_t)moved < max)) {
		uint64_t left = max ? max - (uint64_t)moved : chunk;
		size_t want = (left < chunk ? (size_t)left : chunk) * page_size;
		ssize_t n = splice(c->in, NULL, c->pipe[1], NULL, want, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && moved == 0 && c->bytes == 0)
			c->use_read = 1; /* a sub-buffer larger than a page: no splice */
		else if (n < 0 && errno != EAGAIN)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot splice CPU %u's buffer: %s", c->path, c->cpu, strerror(errno));
		if (n <= 0)
			break;
		if (pipe_to_file(c, (size_t)n, page_size, err))
			return -1;
		moved += (long)((size_t)n / page_size);
	}
	return c->use_read ? read_pages(c, page_size, max, err) : moved;
}

int vt_ftrace_cpu_drain(struct vt_ftrace_cpu *c, uint32_t page_size, struct vt_error *err)
{
	if (vt_ftrace_cpu_move_full(c, page_size, 0, err) < 0)
		return -1;
	return read_pages(c, page_size, 0, err) < 0 ? -1 : 0;
}

/* --- the thread ------------------------------------------------------------ */

struct vt_ftrace_stream {
	struct vt_ftrace_cpu *cpus; /* weak: the recorder's */
	size_t n;
	uint32_t page_size;
	int period_ms;
	char tracing_on[VT_FTRACE_PATH];
	int wake[2]; /* written by stop */
	pthread_t thread;
	pthread_mutex_t lock;
	int failed;
	struct vt_error err; /* under lock */
};

/* Waits for data, the period, or stop (1). */
static int wait_round(struct vt_ftrace_stream *s, struct pollfd *pfd, int with_cpus)
{
	size_t n = with_cpus ? s->n + 1 : 1;
	struct pollfd *p = with_cpus ? pfd : &pfd[s->n];
	if (poll(p, n, s->period_ms) < 0 && errno != EINTR)
		usleep(1000 * (useconds_t)s->period_ms); /* never spin */
	return (pfd[s->n].revents & POLLIN) != 0;
}

static void fail(struct vt_ftrace_stream *s, const struct vt_error *e)
{
	pthread_mutex_lock(&s->lock);
	s->failed = 1;
	s->err = *e;
	pthread_mutex_unlock(&s->lock);
	vt_ftrace_write_file(s->tracing_on, "0", NULL); /* stop: what was written stays */
}

static void *stream_main(void *arg)
{
	struct vt_ftrace_stream *s = arg;
	struct pollfd *pfd = calloc(s->n + 1, sizeof(*pfd));
	if (!pfd) {
		struct vt_error e;
		vt_error_set_cause(&e, VT_ERR_NOMEM, "ftrace recorder: out of memory");
		fail(s, &e);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		pfd[i] = (struct pollfd){s->cpus[i].in, POLLIN, 0};
	pfd[s->n] = (struct pollfd){s->wake[0], POLLIN, 0};
	int moved = 1;
	while (!wait_round(s, pfd, moved)) {
		struct vt_error e;
		moved = 0;
		for (size_t i = 0; i < s->n; i++) {
			long m = vt_ftrace_cpu_move_full(&s->cpus[i], s->page_size, 0, &e);
			if (m < 0) {
				fail(s, &e);
				free(pfd);
				return NULL;
			}
			moved |= m > 0;
		}
		/* Woken with no whole page to move: wait the period on stop alone. */
	}
	free(pfd);
	return NULL;
}

int vt_ftrace_stream_start(struct vt_ftrace_stream **out, struct vt_ftrace_cpu *cpus, size_t n, uint32_t page_size,
			   unsigned period_ms, const char *tracing_on, struct vt_error *err)
{
	struct vt_ftrace_stream *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "ftrace recorder: out of memory");
	s->cpus = cpus;
	s->n = n;
	s->page_size = page_size;
	s->period_ms = period_ms ? (int)period_ms : 500;
	vt_ftrace_path(s->tracing_on, sizeof(s->tracing_on), "%s", tracing_on);
	pthread_mutex_init(&s->lock, NULL);
	if (pipe2(s->wake, O_CLOEXEC) != 0) {
		free(s);
		return vt_error_set_cause(err, VT_ERR_IO, "ftrace recorder: pipe: %s", strerror(errno));
	}
	/* The thread takes no signal: the command's main thread is the one that
	 * must see SIGINT (stop) or SIGTERM. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&s->thread, NULL, stream_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		close(s->wake[0]);
		close(s->wake[1]);
		free(s);
		return vt_error_set_cause(err, VT_ERR_IO, "ftrace recorder: cannot start its thread: %s", strerror(e));
	}
	*out = s;
	return 0;
}

int vt_ftrace_stream_failed(struct vt_ftrace_stream *s, struct vt_error *err)
{
	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	int failed = s->failed;
	if (failed && err)
		*err = s->err;
	pthread_mutex_unlock(&s->lock);
	return failed ? -1 : 0;
}

int vt_ftrace_stream_stop(struct vt_ftrace_stream *s, struct vt_error *err)
{
	if (!s)
		return 0;
	if (write(s->wake[1], "x", 1) != 1) {
	} /* a pipe of ours with room: cannot fail */
	pthread_join(s->thread, NULL);
	int rc = vt_ftrace_stream_failed(s, err);
	close(s->wake[0]);
	close(s->wake[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return rc;
}
