/* The identity of the machine the agent runs on (a guest names itself with it). */
#include "agent/agent.h"
#include "agent/util.h"

#include <stdio.h>
#include <string.h>

static void note_missing(struct vt_machine_info *m, const char *what)
{
	size_t n = strlen(m->note);
	snprintf(m->note + n, sizeof(m->note) - n, "%s%s", n ? ", " : "", what);
}

void vt_machine_read(const struct vt_agent_paths *paths, struct vt_machine_info *m)
{
	char path[512];
	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/class/dmi/id/product_uuid", vt_agent_sys(paths));
	if (vt_read_small(path, m->product_uuid, sizeof(m->product_uuid)) < 0)
		note_missing(m, "product_uuid (root only; QEMU's -uuid)");
	else if (!vt_uuid_valid(m->product_uuid)) {
		m->product_uuid[0] = '\0';
		note_missing(m, "product_uuid (not a uuid)");
	}
	snprintf(path, sizeof(path), "%s/machine-id", vt_agent_etc(paths));
	if (vt_read_small(path, m->machine_id, sizeof(m->machine_id)) < 0)
		note_missing(m, "machine-id");
	snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", vt_agent_proc(paths));
	if (vt_read_small(path, m->boot_id, sizeof(m->boot_id)) < 0)
		note_missing(m, "boot_id");
	snprintf(path, sizeof(path), "%s/sys/kernel/hostname", vt_agent_proc(paths));
	if (vt_read_small(path, m->hostname, sizeof(m->hostname)) < 0)
		note_missing(m, "hostname");
}
