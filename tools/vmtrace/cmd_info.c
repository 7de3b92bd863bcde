#include <stdio.h>
#include "commands.h"
int vt_cmd_info(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "vmtrace info: being written\n");
	return VT_EXIT_FAIL;
}
