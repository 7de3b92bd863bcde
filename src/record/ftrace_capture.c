/* Writing the ftrace capture folder's files (ftrace_capture.h). */
#include "record/ftrace_capture.h"
#include "common/dirs.h"

#include "record/ftrace_tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int vt_ftrace_capture_create(const char *dir, struct vt_error *err)
{
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create the capture folder: %s", dir, strerror(errno));
	if (!vt_dir_is_empty(dir))
		return vt_error_set(err, "%s: exists and is not an empty folder", dir);
	return 0;
}

static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int vt_ftrace_capture_put(const char *dir, const char *name, const void *data, size_t n, struct vt_error *err)
{
	char path[VT_FTRACE_PATH];
	if (vt_ftrace_path(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return vt_error_set(err, "%s: path too long", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	int rc = write_all(fd, data, n);
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", path, strerror(e ? e : EIO));
	return 0;
}

/* Copies SRC (a tracefs or /proc file of at most max bytes) to DIR/NAME. */
static int copy_in(const char *dir, const char *name, const char *src, size_t max, struct vt_error *err)
{
	size_t n;
	char *text = vt_ftrace_read_file(src, max, &n, err);
	if (!text)
		return -1;
	int rc = vt_ftrace_capture_put(dir, name, text, n, err);
	free(text);
	return rc;
}

/* formats/SYSTEM/EVENT/format from INST/events/SYSTEM/EVENT/format. */
static int copy_format(const char *dir, const char *inst, const char *sys, const char *ev, struct vt_error *err)
{
	char sub[VT_FTRACE_PATH], src[VT_FTRACE_PATH];
	vt_ftrace_path(sub, sizeof(sub), "%s/formats/%s", dir, sys);
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", sub, strerror(errno));
	vt_ftrace_path(sub, sizeof(sub), "%s/formats/%s/%s", dir, sys, ev);
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", sub, strerror(errno));
	vt_ftrace_path(src, sizeof(src), "%s/events/%s/%s/format", inst, sys, ev);
	return copy_in(sub, "format", src, VT_CAP_MAX_HEADER, err);
}

/* Every events/ftrace/NAME/format: trace-cmd stores them all. */
static int copy_ftrace_formats(const char *dir, const char *inst, struct vt_error *err)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/events/ftrace", inst);
	DIR *d = opendir(path);
	if (!d)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		char fmt[VT_FTRACE_PATH];
		vt_ftrace_path(fmt, sizeof(fmt), "%s/%s/format", path, e->d_name);
		if (e->d_name[0] != '.' && access(fmt, R_OK) == 0) /* eventfs may not give d_type */
			rc = copy_format(dir, inst, "ftrace", e->d_name, err);
	}
	closedir(d);
	return rc;
}

static int copy_formats(const struct vt_ftrace_capture_start *c, struct vt_error *err)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/formats", c->dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	if (copy_ftrace_formats(c->dir, c->inst, err))
		return -1;
	for (size_t i = 0; i < c->nevents; i++) {
		if (!c->ok[i])
			continue;
		const char *colon = strchr(c->events[i], ':');
		char sys[160];
		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - c->events[i]), c->events[i]);
		if (copy_format(c->dir, c->inst, sys, colon + 1, err))
			return -1;
	}
	return 0;
}

static int put_skipped(const struct vt_ftrace_capture_start *c, struct vt_error *err)
{
	size_t len = 0;
	for (size_t i = 0; i < c->nevents; i++)
		len += c->ok[i] ? 0 : strlen(c->events[i]) + 1;
	if (len == 0)
		return 0;
	char *text = malloc(len + 1), *p = text;
	if (!text)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", c->dir);
	for (size_t i = 0; i < c->nevents; i++)
		if (!c->ok[i])
			p += sprintf(p, "%s\n", c->events[i]);
	int rc = vt_ftrace_capture_put(c->dir, "skipped_events", text, len, err);
	free(text);
	return rc;
}

static int put_identity(const struct vt_ftrace_capture_start *c, struct vt_error *err)
{
	struct utsname u;
	char text[1200];
	if (uname(&u) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "uname: %s", strerror(errno));
	int n = snprintf(text, sizeof(text), "%s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
	if (vt_ftrace_capture_put(c->dir, "uname", text, (size_t)n, err))
		return -1;
	n = snprintf(text, sizeof(text), "%u\n", c->page_size);
	return vt_ftrace_capture_put(c->dir, "page_size", text, (size_t)n, err);
}

int vt_ftrace_capture_begin(const struct vt_ftrace_capture_start *c, struct vt_error *err)
{
	char src[VT_FTRACE_PATH];
	vt_ftrace_path(src, sizeof(src), "%s/events/header_page", c->inst);
	if (copy_in(c->dir, "header_page", src, VT_CAP_MAX_HEADER, err))
		return -1;
	vt_ftrace_path(src, sizeof(src), "%s/events/header_event", c->inst);
	if (copy_in(c->dir, "header_event", src, VT_CAP_MAX_HEADER, err) || copy_formats(c, err))
		return -1;
	vt_ftrace_path(src, sizeof(src), "%s/trace_clock", c->inst);
	if (copy_in(c->dir, "trace_clock", src, VT_CAP_MAX_SMALL, err) || put_identity(c, err))
		return -1;
	vt_ftrace_path(src, sizeof(src), "%s/printk_formats", c->tracefs);
	if (access(src, R_OK) == 0 && copy_in(c->dir, "printk_formats", src, VT_CAP_MAX_TEXT, err))
		return -1;
	if (c->kallsyms && copy_in(c->dir, "kallsyms", "/proc/kallsyms", VT_CAP_MAX_KALLSYMS, err))
		return -1;
	return put_skipped(c, err);
}

int vt_ftrace_capture_end(const char *dir, const char *tracefs, const char *inst, const uint32_t *cpus,
			  size_t ncpus, struct vt_error *err)
{
	char src[VT_FTRACE_PATH], name[64];
	for (size_t i = 0; i < ncpus; i++) {
		vt_ftrace_path(src, sizeof(src), "%s/per_cpu/cpu%u/stats", inst, cpus[i]);
		snprintf(name, sizeof(name), "cpu%u.stats", cpus[i]);
		if (copy_in(dir, name, src, VT_CAP_MAX_SMALL, err))
			return -1;
	}
	vt_ftrace_path(src, sizeof(src), "%s/saved_cmdlines", tracefs);
	return copy_in(dir, "saved_cmdlines", src, VT_CAP_MAX_TEXT, err);
}
