/* vmtrace: the command line. Dispatches to one function per command. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common/cleanup.h"
#include "common/output.h"
#include "vmtrace/version.h"

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
#define VT_COMMAND(fn, name, summary) {name, summary, vt_cmd_##fn},
#include "commands.def"
#undef VT_COMMAND
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vmtrace COMMAND [OPTIONS] [ARGS]\n\n"
		     "Trace KVM hosts and guests with the tracers you already use, then find\n"
		     "which trace is which machine, put them on one clock and see where time went.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`vmtrace COMMAND --help` for a command's options; man vmtrace for more.\n");
}

/* Whatever a command printed must have reached its destination (a full disk,
 * /dev/full): else exit 1 with one line, never 0 over a truncated result. */
static int finish(const char *name, int rc)
{
	struct vt_error err;
	if (vt_stdout_close(&err) == 0)
		return rc;
	fprintf(stderr, "vmtrace %s: %s\n", name, err.msg);
	return rc == VT_EXIT_OK ? VT_EXIT_FAIL : rc;
}

int main(int argc, char **argv)
{
	/* Past a file-size limit, a write fails (EFBIG, reported with the file's
	 * name) instead of the process being killed with nothing said. */
	signal(SIGXFSZ, SIG_IGN);
	vt_cleanup_on_signals("vmtrace"); /* an interrupted run leaves no temporary file or folder */
	if (argc < 2) {
		usage(stderr);
		return VT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish("--help", VT_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmtrace %s\n", VT_VERSION);
		return finish("--version", VT_EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish(commands[i].name, commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "vmtrace: unknown command '%s' (try vmtrace --help)\n", argv[1]);
	return VT_EXIT_USAGE;
}
