/* Hostile-safe reading of a capture folder (ftrace_capdir.h). */
#include "record/ftrace_capdir.h"

#include "record/ftrace_tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vt_capdir_open(struct vt_capdir *d, const char *path, struct vt_error *err)
{
	snprintf(d->label, sizeof(d->label), "%s", path);
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open the capture folder: %s", path, strerror(errno));
	return 0;
}

/* Why openat(dir, name, O_NOFOLLOW...) failed with e (O_DIRECTORY says
 * ENOTDIR for a link to a folder, not ELOOP: ask the entry itself). */
static const char *why_not_opened(int dir, const char *name, int e)
{
	struct stat st;
	if ((e == ELOOP || e == ENOTDIR) && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return "is a symbolic link";
	return e == ENOTDIR ? "is not a folder" : strerror(e);
}

int vt_capdir_sub(struct vt_capdir *d, const struct vt_capdir *parent, const char *name, struct vt_error *err)
{
	vt_ftrace_path(d->label, sizeof(d->label), "%s/%s", parent->label, name);
	d->fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", d->label, why_not_opened(parent->fd, name, errno));
	return 0;
}

void vt_capdir_close(struct vt_capdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int vt_capdir_open_file(const struct vt_capdir *d, const char *name, uint64_t *size, struct vt_error *err)
{
	/* O_NONBLOCK: a FIFO put there must not hang us before fstat refuses it. */
	int fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		vt_error_set(err, "%s/%s: %s", d->label, name, e == ENOENT ? "missing" : why_not_opened(d->fd, name, e));
		return e == ENOENT ? -2 : -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vt_error_set(err, "%s/%s: not a regular file", d->label, name);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int read_exact(int fd, char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t got = read(fd, buf + done, n - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return 0;
}

char *vt_capdir_read(const struct vt_capdir *d, const char *name, size_t max, size_t *len, int *absent,
		     struct vt_error *err)
{
	uint64_t size;
	if (absent)
		*absent = 0;
	int fd = vt_capdir_open_file(d, name, &size, err);
	if (fd == -2 && absent)
		*absent = 1;
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (size > max)
		vt_error_set(err, "%s/%s: %llu bytes, more than the %zu allowed", d->label, name,
			     (unsigned long long)size, max);
	else if (!(buf = malloc((size_t)size + 1)))
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s/%s: out of memory", d->label, name);
	else if (read_exact(fd, buf, (size_t)size)) {
		vt_error_set_cause(err, VT_ERR_IO, "%s/%s: cannot read: %s", d->label, name, errno ? strerror(errno) : "truncated");
		free(buf);
		buf = NULL;
	} else if (memchr(buf, '\0', (size_t)size)) {
		vt_error_set(err, "%s/%s: not text (a NUL byte in it)", d->label, name);
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (buf) {
		buf[size] = '\0';
		if (len)
			*len = (size_t)size;
	}
	return buf;
}

int vt_capdir_name_ok(const char *name, size_t max)
{
	size_t n = strlen(name);
	if (n == 0 || n > max || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vt_capdir_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int vt_capdir_list(const struct vt_capdir *d, size_t max, char ***names, size_t *n, struct vt_error *err)
{
	*names = NULL;
	*n = 0;
	int fd = dup(d->fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot list: %s", d->label, strerror(errno));
	}
	rewinddir(dir);
	char **v = calloc(max + 1, sizeof(*v));
	struct dirent *e;
	int rc = v ? 0 : vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", d->label);
	while (!rc && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == max)
			rc = vt_error_set(err, "%s: more than %zu entries", d->label, max);
		else if (!(v[*n] = strdup(e->d_name)))
			rc = vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", d->label);
		else
			(*n)++;
	}
	closedir(dir);
	if (rc) {
		vt_capdir_list_free(v, *n);
		*n = 0;
		return -1;
	}
	qsort(v, *n, sizeof(*v), cmp_str);
	*names = v;
	return 0;
}
