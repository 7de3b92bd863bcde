/* Unlinked temporary files (tmpfile.h). */
#include "common/tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *vt_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

const char *vt_tmpdir_error(int e, char *buf, size_t size)
{
	const char *set = getenv("TMPDIR");
	const char *way = e == ENOSPC || e == EDQUOT ? "set TMPDIR to a folder with more room"
			  : e == EFBIG		     ? "raise the file-size limit (ulimit -f)"
						     : "set TMPDIR to a folder you can write to";
	snprintf(buf, size, "%s %s: %s; %s", set && *set ? "TMPDIR" : "temporary folder", vt_tmpdir(), strerror(e),
		 way);
	return buf;
}

int vt_tmpfile(const char *what, char *path, size_t size)
{
	char name[4096];
	snprintf(name, sizeof(name), "%s/vmtrace-%s-XXXXXX", vt_tmpdir(), what);
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
