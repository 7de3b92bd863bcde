/* vmtrace clock-check: in a guest, is the clock set up to follow the host's? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "agent/agent.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtrace clock-check [--json] [--no-chronyc] [--sys DIR] [--etc DIR]\n\n"
		"In a KVM guest: check that ptp_kvm is loaded, that a \"KVM virtual PTP\" clock\n"
		"exists, that chrony uses it as a refclock, and how far off chrony says the\n"
		"clock is. Prints the exact lines to add where something is missing.\n"
		"Exit status: 0 when all is set up, 1 otherwise.\n\n"
		"  --json         JSON instead of text\n"
		"  --no-chronyc   do not run chronyc (config files only)\n"
		"  --sys DIR      read DIR instead of /sys (tests)\n"
		"  --etc DIR      read DIR instead of /etc (tests)\n"
		"  -h, --help     this help\n");
}

int vt_cmd_clock_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"no-chronyc", no_argument, NULL, 'n'},
		{"sys", required_argument, NULL, 's'},
		{"etc", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vt_agent_paths paths = {0};
	int json = 0, chronyc = 1, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'n': chronyc = 0; break;
		case 's': paths.sys = optarg; break;
		case 'e': paths.etc = optarg; break;
		case 'h': usage(stdout); return VT_EXIT_OK;
		default: usage(stderr); return VT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmtrace clock-check: unexpected argument '%s'\n", argv[optind]);
		return VT_EXIT_USAGE;
	}
	struct vt_clock_check cc;
	vt_clock_check_run(&paths, chronyc, &cc);
	if (json) {
		char *s = vt_clock_check_json(&cc);
		printf("%s\n", s);
		free(s);
		int ok = cc.ptp_clock == VT_CHECK_OK && cc.chrony_config == VT_CHECK_OK &&
			 (!chronyc || cc.chrony_phc_selected);
		return ok ? VT_EXIT_OK : VT_EXIT_FAIL;
	}
	return vt_clock_check_print(&cc, stdout) ? VT_EXIT_FAIL : VT_EXIT_OK;
}
