/* Unlinked temporary files (tmpfile.h). */
#include "common/tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int vt_tmpfile(const char *what, char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");
	char name[4096];
	snprintf(name, sizeof(name), "%s/vmtrace-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
	int fd = mkstemp(name);
	if (path)
		snprintf(path, size, "%s", name);
	if (fd >= 0)
		unlink(name); /* gone with the process, whatever happens */
	return fd;
}

int vt_pwrite_all(int fd, const void *buf, size_t size, uint64_t off)
{
	const char *p = buf;
	for (size_t done = 0; done < size;) {
		ssize_t w = pwrite(fd, p + done, size - done, (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		done += (size_t)w;
	}
	return 0;
}
