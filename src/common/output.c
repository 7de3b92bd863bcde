/* Result files written whole or not at all (output.h). */
#include "common/output.h"

#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vt_output_open(struct vt_output *o, const char *path, struct vt_error *err)
{
	memset(o, 0, sizeof(*o));
	o->cleanup = -1;
	snprintf(o->path, sizeof(o->path), "%s", path);
	struct stat st;
	if (!strcmp(path, "-")) {
		snprintf(o->path, sizeof(o->path), "standard output");
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return vt_error_set(err, "%s: is a folder", path);
		o->f = fopen(path, "w"); /* a device or a pipe: nothing to keep, nothing to rename */
		return o->f ? 0 : vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(o->tmp))
		return vt_error_set(err, "%s: path too long", path);
	int fd = vt_cleanup_mkstemp(o->tmp, &o->cleanup); /* an interrupted run leaves nothing */
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	fchmod(fd, 0644); /* mkstemp's 0600 would hide a report from a web server */
	if (!(o->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		unlink(o->tmp);
		vt_cleanup_forget(o->cleanup);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(e));
	}
	return 0;
}

/* Flushes and closes f (stdout is only flushed: vt_stdout_close closes it).
 * Returns 0, or the errno of a write that failed, now or earlier. */
static int finish(FILE *f)
{
	int bad = ferror(f);
	errno = 0;
	if (fflush(f) != 0)
		bad = 1;
	int e = errno;
	if (bad && !e) {
		/* An earlier write failed and its errno is long gone; the output is
		 * already incomplete, so one more byte tells the cause (ENOSPC, EPIPE...). */
		clearerr(f);
		if (fputc('\n', f) == EOF || fflush(f) != 0)
			e = errno;
	}
	if (f != stdout && fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	return bad ? (e ? e : EIO) : 0;
}

/* Set once a failed write to stdout was reported: vt_stdout_close says it
 * no second time (the command already fails). */
static int stdout_reported;

int vt_output_close(struct vt_output *o, int ok, struct vt_error *err)
{
	int e = finish(o->f);
	if (e && o->f == stdout)
		stdout_reported = ok;
	o->f = NULL;
	if (ok && e) {
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", o->path, strerror(e));
		ok = 0;
	}
	if (!o->tmp[0])
		return ok ? 0 : -1;
	if (ok && rename(o->tmp, o->path) != 0) {
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", o->path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(o->tmp);
	vt_cleanup_forget(o->cleanup);
	return ok ? 0 : -1;
}

int vt_stdout_close(struct vt_error *err)
{
	int e = finish(stdout);
	if (fclose(stdout) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e || stdout_reported)
		return 0;
	return vt_error_set_cause(err, VT_ERR_IO, "standard output: cannot write: %s", strerror(e));
}
