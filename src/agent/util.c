#include "agent/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/text.h"

/* At most size - 1 bytes of fd, NUL-terminated; closes fd. Returns the length or -1. */
static long read_fd_small(int fd, char *buf, size_t size)
{
	size_t n = 0;
	while (n + 1 < size) {
		ssize_t got = read(fd, buf + n, size - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

long vt_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = fd < 0 ? -1 : read_fd_small(fd, buf, size);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return n;
}

long vt_read_regular(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return read_fd_small(fd, buf, size);
}

char *vt_read_bounded(const char *path, size_t max, size_t *len, int *cut)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = max < 4096 ? max : 4096, n = 0;
	char *buf = malloc(cap + 1);
	*cut = 0;
	while (buf) {
		if (n == cap && cap < max) {
			size_t next = cap * 2 < max ? cap * 2 : max;
			char *bigger = realloc(buf, next + 1);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap = next;
		}
		/* Full at max: one byte more tells whether the file goes on. */
		char probe;
		ssize_t got = n < cap ? read(fd, buf + n, cap - n) : read(fd, &probe, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		if (n == cap) {
			*cut = 1;
			break;
		}
		n += (size_t)got;
	}
	close(fd);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int vt_read_i64(const char *path, int64_t *out)
{
	char buf[64], *end;
	if (vt_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	*out = v;
	return 0;
}

int vt_read_u64(const char *path, uint64_t *out)
{
	char buf[64], *end;
	if (vt_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	*out = v;
	return 0;
}

void vt_strlcpy(char *dst, const char *src, size_t size)
{
	if (!size)
		return;
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int vt_parse_decimal(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void vt_note_add(char *note, size_t size, const char *fmt, ...)
{
	size_t n = strnlen(note, size);
	if (n + 1 >= size)
		return;
	if (n) {
		snprintf(note + n, size - n, "; ");
		n = strnlen(note, size);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note + n, size - n, fmt, ap);
	va_end(ap);
}

const char *vt_note_quote(const char *src, char *buf, size_t size)
{
	char cut[68];
	size_t n = strlen(src);
	snprintf(cut, sizeof(cut), "%.64s%s", src, n > 64 ? "..." : "");
	return vt_text_safe(cut, buf, size);
}
