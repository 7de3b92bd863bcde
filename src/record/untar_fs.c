/* Creating an archive's folders and files under the destination: every
 * component opened relative to the destination's fd with O_NOFOLLOW, files
 * created O_EXCL, so nothing lands outside it, whatever is already there. */
#include "record/untar_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folder named by the first n bytes of name (components separated by
 * '/'), made when missing (*made counts them); -1 with errno. */
static int open_parent(int root, const char *name, size_t n, uint64_t *made)
{
	int dir = dup(root);
	for (size_t i = 0; dir >= 0 && i < n;) {
		const char *slash = memchr(name + i, '/', n - i);
		size_t clen = slash ? (size_t)(slash - (name + i)) : n - i;
		char comp[256];
		if (clen >= sizeof(comp)) {
			close(dir);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, name + i, clen);
		comp[clen] = '\0';
		if (mkdirat(dir, comp, 0755) == 0)
			(*made)++;
		else if (errno != EEXIST) {
			int e = errno;
			close(dir);
			errno = e;
			return -1;
		}
		int next = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(dir);
		errno = e;
		dir = next;
		i += clen + 1;
	}
	return dir;
}

/* Splits "a/b/c" into the parent's length (3) and the last component ("c"). */
static const char *split_last(const char *name, size_t *parent_len)
{
	const char *last = strrchr(name, '/');
	*parent_len = last ? (size_t)(last - name) : 0;
	return last ? last + 1 : name;
}

int vt_untar_mkdir(int root, const char *name, uint64_t *made)
{
	size_t plen;
	const char *base = split_last(name, &plen);
	int parent = open_parent(root, name, plen, made);
	if (parent < 0)
		return -1;
	int rc = 0;
	if (mkdirat(parent, base, 0755) == 0) {
		(*made)++;
	} else if (errno == EEXIST) {
		/* Already there (made for an earlier file): only a real folder will do. */
		int fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = fd < 0 ? -1 : close(fd);
	} else {
		rc = -1;
	}
	int e = errno;
	close(parent);
	errno = e;
	return rc;
}

int vt_untar_create(int root, const char *name, unsigned mode, uint64_t *made)
{
	size_t plen;
	const char *base = split_last(name, &plen);
	int parent = open_parent(root, name, plen, made);
	if (parent < 0)
		return -1;
	/* No setuid, setgid or sticky bit, nothing writable by others; always the owner's to read. */
	mode_t m = (mode_t)((mode & 0755) | 0600);
	int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m);
	int e = errno;
	close(parent);
	errno = e;
	return fd;
}

int vt_untar_write(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int vt_untar_open_dest(const char *dest)
{
	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return -1;
	int fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* An existing folder must be empty: an archive adds to nothing. */
	int probe = dup(fd);
	DIR *d = probe >= 0 ? fdopendir(probe) : NULL;
	if (!d) {
		if (probe >= 0)
			close(probe);
		close(fd);
		return -1;
	}
	struct dirent *e;
	int empty = 1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	if (!empty) {
		close(fd);
		errno = ENOTEMPTY;
		return -1;
	}
	return fd;
}
