#include "sources/tracecmd_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <trace-cmd.h>

int tracecmd_cpus(struct tracecmd_input *handle); /* exported, declared only in a private header */

/* The first line of what the child said that is libtracecmd's (not a
 * sanitizer's report), trimmed, into why; "" when none. */
#define PHASE_DATA "vmtrace-probe: data\n"

static void first_line(int fd, char *why, size_t size, bool *in_data)
{
	char buf[2048];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	why[0] = '\0';
	char *phase = strstr(buf, PHASE_DATA);
	*in_data = phase != NULL;
	if (phase) /* what libtracecmd said before that mark is about the headers, after it about the data */
		memset(phase, ' ', strlen(PHASE_DATA));
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ')
			line++;
		if (*line && *line != '=' && !strstr(line, "Sanitizer") && !strstr(line, "runtime error")) {
			size_t n = strlen(line) < size - 1 ? strlen(line) : size - 1;
			memcpy(why, line, n);
			why[n] = '\0';
			return;
		}
	}
}

static unsigned probe_seconds(const char *path)
{
	struct stat st;
	uint64_t mb = stat(path, &st) == 0 ? (uint64_t)st.st_size >> 20 : 0;
	return 60 + (unsigned)(mb / 4 < 86400 ? mb / 4 : 86400);
}

/* Every record of every CPU, undecoded: kbuffer crashes on some corrupt pages. */
static void read_all(struct tracecmd_input *h)
{
	int cpus = tracecmd_cpus(h);
	for (int cpu = 0; cpu < cpus; cpu++) {
		struct tep_record *rec;
		while ((rec = tracecmd_read_data(h, cpu)))
			tracecmd_free_record(rec);
	}
}

int vt_tc_probe(const char *path, struct vt_error *err)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return 0; /* cannot isolate: go on unprotected */
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return 0;
	}
	if (pid == 0) {
		/* libtracecmd's warnings say why it gives up ("File possibly
		 * truncated..."): the parent keeps the first one. */
		/* A crash must kill the child: not run a handler the parent set
		 * (a test framework's, which would report and exit as if it were
		 * the parent). */
		static const int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
		close(pipefd[0]);
		dup2(pipefd[1], 1); /* some it prints on stdout */
		dup2(pipefd[1], 2);
		setvbuf(stdout, NULL, _IONBF, 0); /* what it said before crashing */
		/* libtracecmd may also loop on a damaged file: give up after far
		 * longer than reading the file takes (it reads > 100 MB/s). */
		alarm(probe_seconds(path));
		tracecmd_set_loglevel(TEP_LOG_WARNING);
		tep_set_loglevel(TEP_LOG_NONE);
		struct tracecmd_input *h =
			tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
		if (h) {
			(void)!write(1, PHASE_DATA, strlen(PHASE_DATA));
			read_all(h);
			int n = tracecmd_buffer_instances(h);
			for (int i = 0; i < n; i++) {
				struct tracecmd_input *b = tracecmd_buffer_instance_handle(h, i);
				if (b) {
					read_all(b);
					tracecmd_close(b);
				}
			}
			tracecmd_close(h);
		}
		_exit(h ? 0 : 3);
	}
	close(pipefd[1]);
	char why[512];
	bool in_data = false;
	first_line(pipefd[0], why, sizeof(why), &in_data);
	close(pipefd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
					       WEXITSTATUS(status) != 3); /* a sanitizer's exit */
	bool refused = WIFEXITED(status) && WEXITSTATUS(status) == 3;
	if (!crashed && !refused)
		return 0;
	const char *what = refused    ? "libtracecmd cannot read its headers"
			   : in_data ? "libtracecmd crashed reading its ring-buffer pages"
				     : "libtracecmd crashed reading its headers";
	if (why[0])
		return vt_error_set(err, "%s: corrupt or truncated trace-cmd file: %s (%s)", path, why, what);
	if (WIFSIGNALED(status))
		return vt_error_set(err, "%s: corrupt or truncated trace-cmd file: %s (%s)", path, what,
				    strsignal(WTERMSIG(status)));
	return vt_error_set(err, "%s: corrupt or truncated trace-cmd file: %s", path, what);
}
