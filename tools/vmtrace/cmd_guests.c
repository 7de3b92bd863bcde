/* vmtrace guests: one statedump of the running guests, printed. */
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
		"usage: vmtrace guests [--json] [--proc DIR] [--debugfs DIR]\n\n"
		"List the KVM guests (QEMU processes) running on this host: pid, uuid, name,\n"
		"vCPU thread ids, and each vCPU's tsc-offset and TSC scaling from debugfs.\n\n"
		"  --json         one JSON document instead of a table\n"
		"  --proc DIR     read processes from DIR instead of /proc (tests)\n"
		"  --debugfs DIR  read KVM's folders from DIR/kvm instead of /sys/kernel/debug/kvm\n"
		"  -h, --help     this help\n\n"
		"Without root, debugfs is not readable: guests still come from /proc (pid, uuid,\n"
		"name, vCPU threads), without tsc-offset or scaling.\n");
}

static const char *accel_name(enum vt_accel a)
{
	return a == VT_ACCEL_KVM ? "kvm" : a == VT_ACCEL_NONE ? "none" : "?";
}

/* A string from the process, for the terminal; "-" when empty. */
static const char *shown(const char *s, char *buf, size_t size)
{
	return s[0] ? vt_text_safe(s, buf, size) : "-";
}

static void print_guest(const struct vt_guest_info *g)
{
	char uuid[300], name[1100], dir[2100];
	printf("%-8" PRId64 " %-36s %-16s %5" PRIu32 " %-5s %-7s %s\n", g->pid, shown(g->uuid, uuid, sizeof(uuid)),
	       shown(g->name, name, sizeof(name)), g->vcpus, accel_name(g->accel),
	       g->kvm == VT_KVM_UNKNOWN ? "?" : vt_kvm_evidence_name(g->kvm), shown(g->debugfs, dir, sizeof(dir)));
	for (size_t v = 0; v < g->nvcpu; v++) {
		const struct vt_vcpu_info *c = &g->vcpu[v];
		printf("         vCPU %-3" PRIu32 " tid %-8" PRId32, c->vcpu, c->tid);
		if (c->has_tsc)
			printf(" tsc-offset %" PRId64, c->tsc_offset);
		if (c->tsc_scaling_ratio)
			printf(" tsc-scaling %" PRIu64 "/2^%" PRIu32, c->tsc_scaling_ratio, c->tsc_scaling_frac_bits);
		printf("\n");
	}
}

static void print_table(const struct vt_guest_list *l)
{
	if (!l->n) {
		printf("no guests running\n");
		return;
	}
	printf("%-8s %-36s %-16s %5s %-5s %-7s %s\n", "PID", "UUID", "NAME", "VCPUS", "ACCEL", "KVM", "DEBUGFS");
	for (size_t i = 0; i < l->n; i++)
		print_guest(&l->guests[i]);
}

/* Each guest's notes on stderr, escaped (they quote the process's own strings). */
static void print_notes(const struct vt_guest_list *l)
{
	char safe[2100];
	for (size_t i = 0; i < l->n; i++)
		if (l->guests[i].note[0])
			fprintf(stderr, "vmtrace guests: pid %" PRId64 ": %s\n", l->guests[i].pid,
				vt_text_safe(l->guests[i].note, safe, sizeof(safe)));
}

int vt_cmd_guests(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"proc", required_argument, NULL, 'p'},
		{"debugfs", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vt_agent_paths paths = {0};
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'p': paths.proc = optarg; break;
		case 'd': paths.debugfs = optarg; break;
		case 'h': usage(stdout); return VT_EXIT_OK;
		default: usage(stderr); return VT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmtrace guests: unexpected argument '%s'\n", argv[optind]);
		return VT_EXIT_USAGE;
	}
	struct vt_guest_list l;
	struct vt_error err;
	if (vt_agent_statedump(&paths, &l, &err) < 0) {
		fprintf(stderr, "vmtrace guests: %s\n", err.msg);
		return VT_EXIT_FAIL;
	}
	char safe[1100];
	if (l.note[0])
		fprintf(stderr, "vmtrace guests: %s%s\n", vt_text_safe(l.note, safe, sizeof(safe)),
			geteuid() != 0 ? "; run as root for the rest" : "");
	print_notes(&l);
	int rc = VT_EXIT_OK;
	if (json) {
		char *s = vt_guest_list_json(&l);
		if (s)
			printf("%s\n", s);
		else
			fprintf(stderr, "vmtrace guests: out of memory\n");
		rc = s ? VT_EXIT_OK : VT_EXIT_FAIL;
		free(s);
	} else {
		print_table(&l);
	}
	vt_guest_list_free(&l);
	return rc;
}
