#include "sources/tracecmd_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <trace-cmd.h>

int vt_tc_probe(const char *path, struct vt_error *err)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 0; /* cannot isolate: go on unprotected */
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		alarm(60);
		tracecmd_set_loglevel(TEP_LOG_NONE);
		tep_set_loglevel(TEP_LOG_NONE);
		struct tracecmd_input *h =
			tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
		if (h) {
			int n = tracecmd_buffer_instances(h);
			for (int i = 0; i < n; i++) {
				struct tracecmd_input *b = tracecmd_buffer_instance_handle(h, i);
				if (b)
					tracecmd_close(b);
			}
			tracecmd_close(h);
		}
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (WIFSIGNALED(status))
		return vt_error_set(err, "%s: corrupt trace-cmd file: libtracecmd crashed reading its headers (%s)", path,
				    strsignal(WTERMSIG(status)));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return vt_error_set(err, "%s: corrupt trace-cmd file: libtracecmd failed reading its headers", path);
	return 0;
}
