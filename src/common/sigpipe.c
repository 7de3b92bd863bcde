/* Signals onto a pipe (sigpipe.h). */
#include "common/sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int pipe_fds[2] = {-1, -1};

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	/* A full pipe already holds enough to wake the loop. */
	if (write(pipe_fds[1], &b, 1) < 0) {
	}
	errno = saved;
}

int vt_sigpipe_catch(const int *sigs, size_t n)
{
	if (pipe_fds[0] < 0 && pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < n; i++)
		sigaction(sigs[i], &sa, NULL);
	return pipe_fds[0];
}
