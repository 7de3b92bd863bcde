/* vmtrace watch: follow guests created and destroyed, from the kernel's uevents. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common/text.h"
#include "agent/agent.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtrace watch [--json] [--statedump] [--trust-root-uevents]\n\n"
		"Follow KVM guests as they are created and destroyed, from the kernel's\n"
		"uevents (netlink, no udevd needed, no polling). Stops on Ctrl-C.\n\n"
		"  --json                 JSON lines (the same events vmtraced writes)\n"
		"  --statedump            list the running guests first (kill -USR1 to list again)\n"
		"  --trust-root-uevents   also accept uevents sent by root processes (tests)\n"
		"  -h, --help             this help\n");
}

/* The text sink: strings escaped for the terminal; a failed write stops the watch. */
static char text_error[256];

static void flushed(void)
{
	if (fflush(stdout) != 0 && !text_error[0])
		snprintf(text_error, sizeof(text_error), "standard output: cannot write: %s", strerror(errno));
}

static const char *h_error(void *ctx)
{
	(void)ctx;
	return text_error[0] ? text_error : NULL;
}

static void h_begin(void *ctx)
{
	(void)ctx;
	printf("# running guests\n");
}

static void h_end(void *ctx)
{
	(void)ctx;
	printf("# end of running guests\n");
	flushed();
}

static const char *shown(const char *s, char *buf, size_t size)
{
	return s[0] ? vt_text_safe(s, buf, size) : "-";
}

static void h_guest(void *ctx, const struct vt_guest_info *g)
{
	(void)ctx;
	char uuid[300], name[1100], dir[2100];
	printf("guest pid=%" PRId64 " uuid=%s name=%s vcpus=%" PRIu32 " kvm=%s debugfs=%s\n", g->pid,
	       shown(g->uuid, uuid, sizeof(uuid)), shown(g->name, name, sizeof(name)), g->vcpus,
	       vt_kvm_evidence_name(g->kvm), shown(g->debugfs, dir, sizeof(dir)));
	flushed();
}

static void h_vcpu(void *ctx, const struct vt_guest_info *g, const struct vt_vcpu_info *v)
{
	(void)ctx;
	printf("  vcpu pid=%" PRId64 " vcpu=%" PRIu32 " tid=%" PRId32, g->pid, v->vcpu, v->tid);
	if (v->has_tsc)
		printf(" tsc_offset=%" PRId64, v->tsc_offset);
	printf("\n");
	flushed();
}

static void h_created(void *ctx, const struct vt_guest_info *g)
{
	(void)ctx;
	char uuid[300], name[1100];
	printf("created pid=%" PRId64 " uuid=%s name=%s vcpus=%" PRIu32 " kvm=%s%s\n", g->pid,
	       shown(g->uuid, uuid, sizeof(uuid)), shown(g->name, name, sizeof(name)), g->vcpus,
	       vt_kvm_evidence_name(g->kvm), g->gone ? " (already gone)" : "");
	flushed();
}

static void h_destroyed(void *ctx, int64_t pid)
{
	(void)ctx;
	printf("destroyed pid=%" PRId64 "\n", pid);
	flushed();
}

int vt_cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"statedump", no_argument, NULL, 's'},
		{"trust-root-uevents", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int json = 0, dump = 0, trust = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 's': dump = 1; break;
		case 't': trust = 1; break;
		case 'h': usage(stdout); return VT_EXIT_OK;
		default: usage(stderr); return VT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmtrace watch: unexpected argument '%s'\n", argv[optind]);
		return VT_EXIT_USAGE;
	}
	struct vt_agent_sink sink;
	struct vt_json_sink json_sink;
	if (json)
		vt_json_sink_init(&sink, &json_sink, stdout, "standard output");
	else
		sink = (struct vt_agent_sink){"text", NULL, NULL, h_begin, h_guest, h_vcpu, h_end, h_created,
					      h_destroyed, h_error, NULL, NULL, NULL};
	struct vt_error err;
	if (vt_agent_catch_signals(&err) < 0) { /* before saying we listen */
		fprintf(stderr, "vmtrace watch: %s\n", err.msg);
		return VT_EXIT_FAIL;
	}
	int fd = vt_uevent_open(&err);
	if (fd < 0) {
		fprintf(stderr, "vmtrace watch: %s\n", err.msg);
		return VT_EXIT_FAIL;
	}
	/* Its only sink: output that cannot be written ends the watch. */
	struct vt_agent_loop loop = {.sinks = &sink, .nsinks = 1, .trust_root = trust, .uevent_fd = fd,
				     .stop_on_sink_error = 1};
	if (geteuid() != 0)
		fprintf(stderr, "vmtrace watch: not root: guests are read from /proc only (no tsc-offset); "
				"creations and destructions are still seen\n");
	int rc = VT_EXIT_OK;
	if (dump && vt_agent_loop_statedump(&loop, &err) < 0)
		rc = VT_EXIT_FAIL;
	if (rc == VT_EXIT_OK)
		fprintf(stderr, "vmtrace watch: following KVM uevents (Ctrl-C to stop)\n");
	if (rc == VT_EXIT_OK && vt_agent_loop_run(&loop, &err) < 0)
		rc = VT_EXIT_FAIL;
	/* Output that could not be written is said once, by vmtrace's last check of standard output. */
	if (rc != VT_EXIT_OK && !sink.write_error(sink.ctx))
		fprintf(stderr, "vmtrace watch: %s\n", err.msg);
	close(fd);
	return rc;
}
