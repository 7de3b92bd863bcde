/* libFuzzer target for the QEMU command-line parser: the input is a
 * /proc/PID/cmdline (any bytes, any NULs, maybe no final NUL). It is parsed
 * directly, then read as the command line of a process in a fake /proc tree
 * by vt_agent_read_guest. A crash, a sanitizer report or a broken promise of
 * the API (an unchecked uuid, a vCPU count past the bound) is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"

static char root[64], proc[96], cmdline[160];

static void remove_tree(void)
{
	char path[160];
	unlink(cmdline);
	snprintf(path, sizeof(path), "%s/1", proc);
	rmdir(path);
	rmdir(proc);
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/vmtrace-fuzz-cmdline-XXXXXX");
	if (!mkdtemp(root))
		exit(1);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	char pid[128];
	snprintf(pid, sizeof(pid), "%s/1", proc);
	if (mkdir(proc, 0755) || mkdir(pid, 0755))
		exit(1);
	snprintf(cmdline, sizeof(cmdline), "%s/cmdline", pid);
	atexit(remove_tree);
	return 0;
}

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_qemu_cmdline q;
	vt_qemu_parse_cmdline((const char *)data, size, &q);
	check_string(q.uuid, sizeof(q.uuid));
	check_string(q.name, sizeof(q.name));
	check_string(q.qmp, sizeof(q.qmp));
	if (q.smp == 0)
		abort();
	FILE *f = fopen(cmdline, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size))
		exit(1);
	fclose(f);
	struct vt_agent_paths paths = {.proc = proc, .debugfs = "/nonexistent"};
	struct vt_guest_info g;
	struct vt_error err;
	if (vt_agent_read_guest(&paths, 1, NULL, &g, &err) == 0) {
		if ((g.uuid[0] && !vt_uuid_valid(g.uuid)) || g.nvcpu > VT_AGENT_MAX_VCPUS || g.smp > VT_AGENT_MAX_VCPUS ||
		    vt_guest_is_kvm(&g))
			abort();
		check_string(g.note, sizeof(g.note));
		vt_guest_info_free(&g);
	}
	return 0;
}
