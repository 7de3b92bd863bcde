#ifndef VMTRACE_CLI_COMMANDS_H
#define VMTRACE_CLI_COMMANDS_H

#define VT_COMMAND(fn, name, summary) int vt_cmd_##fn(int argc, char **argv);
#include "commands.def"
#undef VT_COMMAND

/* Exit codes shared by every command. */
enum { VT_EXIT_OK = 0, VT_EXIT_FAIL = 1, VT_EXIT_USAGE = 2 };

#endif
