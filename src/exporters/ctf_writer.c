/* The CTF stream writer: packet buffers, packet headers and contexts, files. */
#include "vmtrace/exporters.h"
#include "exporters/ctf2_metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CTF_MAGIC 0xC1FC1FC1u
#define METADATA_MAGIC 0x75D11D57u
#define METADATA_PACKET 4096u
#define METADATA_HEADER 37u

struct vt_ctf_writer {
	char *dir;
	uint8_t uuid[16];
	uint32_t nstreams;
	struct vt_ctf_stream *streams;
	int failed_errno; /* first write error */
	char failed_path[256];
};

static int mkdir_p(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Packetized metadata as LTTng writes it: 4 KiB packets, each a 37-byte header
 * then text; or (CTF 2, which has no metadata packets) the text as it is. */
static int write_metadata(const char *dir, const uint8_t uuid[16], const char *text, size_t len, int packetized)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/metadata", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	uint8_t pkt[METADATA_PACKET];
	size_t done = 0;
	int rc = packetized ? 0 : write_all(fd, text, len);
	while (packetized && rc == 0 && done < len) {
		size_t chunk = len - done;
		if (chunk > METADATA_PACKET - METADATA_HEADER)
			chunk = METADATA_PACKET - METADATA_HEADER;
		memset(pkt, 0, sizeof(pkt));
		put32(pkt, METADATA_MAGIC);
		memcpy(pkt + 4, uuid, 16);
		put32(pkt + 20, 0);                                         /* checksum */
		put32(pkt + 24, (uint32_t)((METADATA_HEADER + chunk) * 8)); /* content_size */
		put32(pkt + 28, METADATA_PACKET * 8);                       /* packet_size */
		pkt[32] = 0; /* compression */
		pkt[33] = 0; /* encryption */
		pkt[34] = 0; /* checksum scheme */
		pkt[35] = 1; /* major */
		pkt[36] = 8; /* minor */
		memcpy(pkt + METADATA_HEADER, text + done, chunk);
		rc = write_all(fd, pkt, sizeof(pkt));
		done += chunk;
	}
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static void start_packet(struct vt_ctf_stream *s, uint64_t begin)
{
	s->pos = VT_CTF_EVENT_DATA_OFFSET;
	s->packet_begin = begin;
	s->first_in_packet = 1;
}

/* Fills the header and context of the open packet and writes it whole,
 * padding included, as a ring buffer sub-buffer is. */
static void finish_packet(struct vt_ctf_stream *s, uint64_t end)
{
	struct vt_ctf_writer *w = s->writer;
	uint8_t *p = s->buf;
	put32(p, CTF_MAGIC);
	memcpy(p + 4, w->uuid, 16);
	put32(p + 20, 0);      /* stream_id */
	put64(p + 24, s->cpu); /* stream_instance_id */
	p += VT_CTF_PACKET_HEADER_SIZE;
	put64(p, s->packet_begin);
	put64(p + 8, end);
	put64(p + 16, (uint64_t)s->pos * 8);
	put64(p + 24, (uint64_t)s->cap * 8);
	put64(p + 32, s->packet_seq++);
	put64(p + 40, 0); /* events_discarded */
	put32(p + 48, s->cpu);
	memset(s->buf + s->pos, 0, s->cap - s->pos);
	if (!w->failed_errno && write_all(s->fd, s->buf, s->cap) != 0)
		w->failed_errno = errno ? errno : EIO;
}

void vt_ctf_stream_new_packet(struct vt_ctf_stream *s, uint64_t ts)
{
	/* The packet ends where the next begins: at the event that did not fit. */
	uint64_t end = ts > s->last_ts ? ts : s->last_ts;
	finish_packet(s, end);
	start_packet(s, end);
}

static int open_writer(struct vt_ctf_writer **out, const char *dir, const uint8_t uuid[16], const char *metadata,
		       size_t metadata_len, int packetized, uint32_t nstreams, const char *prefix, size_t packet_size,
		       uint64_t begin_ts, struct vt_error *err)
{
	*out = NULL;
	packet_size = (packet_size + 4095) & ~(size_t)4095;
	if (packet_size < 8192)
		packet_size = 8192;
	if (mkdir_p(dir) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create folder: %s", dir, strerror(errno));
	if (write_metadata(dir, uuid, metadata, metadata_len, packetized) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s/metadata: cannot write: %s", dir, strerror(errno));
	struct vt_ctf_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
	w->dir = strdup(dir);
	memcpy(w->uuid, uuid, 16);
	w->nstreams = nstreams;
	w->streams = calloc(nstreams ? nstreams : 1, sizeof(*w->streams));
	if (!w->dir || !w->streams) {
		vt_ctf_writer_abort(w);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
	}
	for (uint32_t i = 0; i < nstreams; i++)
		w->streams[i].fd = -1;
	for (uint32_t i = 0; i < nstreams; i++) {
		struct vt_ctf_stream *s = &w->streams[i];
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s%u", dir, prefix, i);
		s->writer = w;
		s->cpu = i;
		s->cap = packet_size;
		s->buf = malloc(packet_size);
		s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (!s->buf || s->fd < 0) {
			int e = errno;
			vt_ctf_writer_abort(w);
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", path, strerror(e));
		}
		s->last_ts = begin_ts;
		start_packet(s, begin_ts);
	}
	*out = w;
	return 0;
}

struct vt_ctf_writer *vt_ctf_writer_open(const char *dir, const uint8_t uuid[16],
		       const char *metadata, size_t metadata_len, uint32_t nstreams,
		       const char *prefix, size_t packet_size, uint64_t begin_ts,
		       struct vt_error *err)
{
	struct vt_ctf_writer *out;
	return open_writer(&out, dir, uuid, metadata, metadata_len, 1, nstreams, prefix, packet_size, begin_ts, err)
		       ? NULL
		       : out;
}

struct vt_ctf_writer *vt_ctf_writer_open_ctf2(const char *dir, const uint8_t uuid[16], const char *metadata,
					      size_t metadata_len, uint32_t nstreams, const char *prefix,
					      size_t packet_size, uint64_t begin_ts, struct vt_error *err)
{
	struct vt_ctf_writer *out;
	return open_writer(&out, dir, uuid, metadata, metadata_len, 0, nstreams, prefix, packet_size, begin_ts, err)
		       ? NULL
		       : out;
}

struct vt_ctf_stream *vt_ctf_writer_stream(struct vt_ctf_writer *w, uint32_t index)
{
	return index < w->nstreams ? &w->streams[index] : NULL;
}

void vt_ctf_writer_use_large_headers(struct vt_ctf_writer *w)
{
	for (uint32_t i = 0; i < w->nstreams; i++)
		w->streams[i].large = 1;
}

/* Large header: 16-bit id then a 32-bit timestamp, or id 65535 then the
 * 32-bit id and the 64-bit timestamp. */
uint8_t *vt_ctf_stream_reserve_large(struct vt_ctf_stream *s, uint64_t ts, uint32_t id, size_t len)
{
	int extended = id >= 65535 || s->first_in_packet || ((ts - s->last_ts) >> 32) != 0;
	size_t need = (extended ? 14 : 6) + len;
	if (s->pos + need > s->cap) {
		if (VT_CTF_EVENT_DATA_OFFSET + 14 + len > s->cap)
			return NULL; /* larger than a whole packet */
		vt_ctf_stream_new_packet(s, ts);
		extended = 1;
		need = 14 + len;
	}
	uint8_t *p = s->buf + s->pos;
	if (extended) {
		uint16_t ext = 65535;
		uint32_t id32 = id;
		memcpy(p, &ext, 2);
		memcpy(p + 2, &id32, 4);
		memcpy(p + 6, &ts, 8);
		p += 14;
	} else {
		uint16_t id16 = (uint16_t)id;
		uint32_t ts32 = (uint32_t)ts;
		memcpy(p, &id16, 2);
		memcpy(p + 2, &ts32, 4);
		p += 6;
	}
	s->pos += need;
	s->last_ts = ts;
	s->first_in_packet = 0;
	s->events++;
	return p;
}

uint32_t vt_ctf_writer_stream_count(const struct vt_ctf_writer *w)
{
	return w->nstreams;
}

int vt_ctf_writer_failed(const struct vt_ctf_writer *w)
{
	return w->failed_errno;
}

void vt_ctf_writer_abort(struct vt_ctf_writer *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; w->streams && i < w->nstreams; i++) {
		if (w->streams[i].fd >= 0)
			close(w->streams[i].fd);
		free(w->streams[i].buf);
	}
	free(w->streams);
	free(w->dir);
	free(w);
}

int vt_ctf_writer_close(struct vt_ctf_writer *w, uint64_t end_ts, struct vt_error *err)
{
	for (uint32_t i = 0; i < w->nstreams; i++) {
		struct vt_ctf_stream *s = &w->streams[i];
		uint64_t end = end_ts > s->last_ts ? end_ts : s->last_ts;
		/* A stream with events ends on its last packet; an empty one still
		 * gets one empty packet, as lttng's final flush writes. */
		if (s->pos > VT_CTF_EVENT_DATA_OFFSET || s->packet_seq == 0)
			finish_packet(s, end);
		if (close(s->fd) != 0 && !w->failed_errno)
			w->failed_errno = errno;
		s->fd = -1;
	}
	int rc = 0;
	if (w->failed_errno)
		rc = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write a stream: %s", w->dir,
				  strerror(w->failed_errno));
	vt_ctf_writer_abort(w);
	return rc;
}
