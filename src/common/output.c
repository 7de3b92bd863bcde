/* Result files written whole or not at all (output.h). */
#include "common/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vt_output_open(struct vt_output *o, const char *path, struct vt_error *err)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	struct stat st;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return vt_error_set(err, "%s: is a folder", path);
		o->f = fopen(path, "w"); /* a device or a pipe: nothing to keep, nothing to rename */
		return o->f ? 0 : vt_error_set(err, "%s: cannot open: %s", path, strerror(errno));
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(o->tmp))
		return vt_error_set(err, "%s: path too long", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		return vt_error_set(err, "%s: cannot create: %s", path, strerror(errno));
	fchmod(fd, 0644); /* mkstemp's 0600 would hide a report from a web server */
	if (!(o->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		unlink(o->tmp);
		return vt_error_set(err, "%s: cannot create: %s", path, strerror(e));
	}
	return 0;
}

int vt_output_close(struct vt_output *o, int ok, struct vt_error *err)
{
	int bad = ferror(o->f);
	int e = 0;
	if (o->f == stdout)
		bad |= fflush(stdout) != 0;
	else if (fclose(o->f) != 0)
		bad = 1;
	e = errno;
	o->f = NULL;
	if (ok && bad) {
		vt_error_set(err, "%s: cannot write: %s", o->path, strerror(e ? e : EIO));
		ok = 0;
	}
	if (!o->tmp[0])
		return ok ? 0 : -1;
	if (ok && rename(o->tmp, o->path) != 0) {
		vt_error_set(err, "%s: cannot write: %s", o->path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(o->tmp);
	return ok ? 0 : -1;
}

int vt_stdout_close(struct vt_error *err)
{
	int bad = ferror(stdout);
	errno = 0;
	if (fflush(stdout) != 0)
		bad = 1;
	int e = errno;
	if (bad && !e) {
		/* An earlier write failed and its errno is long gone; the output is
		 * already incomplete, so one more byte tells the cause (ENOSPC, EPIPE...). */
		clearerr(stdout);
		if (fputc('\n', stdout) == EOF || fflush(stdout) != 0)
			e = errno;
	}
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad)
		return 0;
	return vt_error_set(err, "standard output: cannot write: %s", strerror(e ? e : EIO));
}
