/* libFuzzer target for the kernel's uevent messages: the input is one
 * NETLINK_KOBJECT_UEVENT datagram. A crash, a sanitizer report, or a KVM
 * event accepted with a pid out of range or a STATS_PATH not of the kernel's
 * form for that pid (it is joined to the debugfs path) is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_uevent ev;
	int r = vt_uevent_parse((const char *)data, size, &ev);
	if (r != 0 && r != 1)
		abort();
	if (!memchr(ev.stats_path, '\0', sizeof(ev.stats_path)))
		abort();
	if (r == 1) {
		if (ev.pid <= 0 || ev.pid > INT32_MAX || (ev.action != VT_UEVENT_CREATE && ev.action != VT_UEVENT_DESTROY))
			abort();
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "/kvm/%lld-", (long long)ev.pid);
		const char *fd = ev.stats_path + strlen(prefix);
		if (ev.stats_path[0] && (strncmp(ev.stats_path, prefix, strlen(prefix)) || !*fd ||
					 strspn(fd, "0123456789") != strlen(fd)))
			abort();
	}
	return 0;
}
