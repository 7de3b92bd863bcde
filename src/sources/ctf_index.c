/* LTTng's packet index (index/FILE.idx beside a data stream file, the CTF
 * index format of lttng-tools' ctf-index.h: a 16-byte header, then one entry
 * per packet, every integer big-endian): the file's packet table, taken only
 * when it is whole and consistent with the file. */
#include "sources/ctf_index.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_MAGIC 0xC1F1DCC1u
#define HEADER_BYTES 16
#define ENTRY_MIN 56 /* index 1.0: offset, sizes, times, discarded, stream id */
#define INDEX_MAX_BYTES (256u << 20)

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* index/NAME.idx beside the stream file at path. */
static int index_path(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(out, size, "%.*sindex/%s.idx", dir, path, slash ? slash + 1 : path);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The whole file at path, at most INDEX_MAX_BYTES; NULL when absent or unreadable. */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf = NULL;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < HEADER_BYTES || st.st_size > INDEX_MAX_BYTES ||
	    !(buf = malloc((size_t)st.st_size)))
		goto out;
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

/* Entries from p: packets one after the other from byte 0 to the file's end,
 * each a whole number of bytes, its content within it. */
static int take_entries(struct vt_ctf_index *idx, const uint8_t *p, size_t n, size_t len, uint64_t file_size)
{
	idx->pkt = calloc(n ? n : 1, sizeof(*idx->pkt));
	if (!idx->pkt)
		return -1;
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++, p += len) {
		struct vt_ctf_index_entry *e = &idx->pkt[i];
		e->offset = be(p, 8);
		e->total_bits = be(p + 8, 8);
		e->content_bits = be(p + 16, 8);
		if (e->offset != next || !e->total_bits || e->total_bits % 8 || e->content_bits > e->total_bits ||
		    e->total_bits / 8 > file_size - e->offset)
			return -1;
		next = e->offset + e->total_bits / 8;
	}
	if (next != file_size)
		return -1;
	idx->n = n;
	return 0;
}

int vt_ctf_index_load(struct vt_ctf_index *idx, const char *stream_path, uint64_t file_size)
{
	memset(idx, 0, sizeof(*idx));
	char path[4300];
	size_t size = 0;
	uint8_t *buf = NULL;
	if (index_path(stream_path, path, sizeof(path)) || !(buf = slurp(path, &size)))
		return 0;
	uint64_t entry = be(buf + 12, 4);
	int ok = be(buf, 4) == INDEX_MAGIC && be(buf + 4, 4) == 1 && entry >= ENTRY_MIN && entry <= 4096 &&
		 (size - HEADER_BYTES) % entry == 0 && size > HEADER_BYTES &&
		 !take_entries(idx, buf + HEADER_BYTES, (size - HEADER_BYTES) / entry, (size_t)entry, file_size);
	free(buf);
	if (!ok)
		vt_ctf_index_free(idx);
	return ok;
}

void vt_ctf_index_free(struct vt_ctf_index *idx)
{
	free(idx->pkt);
	memset(idx, 0, sizeof(*idx));
}
