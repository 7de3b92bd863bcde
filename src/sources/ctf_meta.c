/* A trace's metadata file into a trace class: CTF 2 (a JSON text sequence,
 * first byte 0x1E), CTF 1.8 packetized (packets with the 0x75D11D57 header
 * around the text) or CTF 1.8 plain text. */
#include "sources/ctf_ir_build.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METADATA_MAGIC 0x75D11D57u
/* magic, uuid[16], checksum, content_size, packet_size (u32), then compression, encryption and
 * checksum schemes, major, minor (u8) */
#define HEADER_BYTES 37

static uint32_t u32(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* One packet's header checked; *content and *size in bytes. */
static int packet_header(const unsigned char *h, size_t offset, size_t avail, int swap, const unsigned char *uuid,
			 size_t *content, size_t *size, const char *name, struct vt_error *err)
{
	if (avail < HEADER_BYTES)
		return vt_error_set(err, "%s: metadata truncated: the packet at byte %zu is cut short in its header",
				    name, offset);
	if (u32(h, swap) != METADATA_MAGIC)
		return vt_error_set(err, "%s: the metadata packet at byte %zu has a bad magic (0x%08" PRIx32 ")", name,
				    offset, u32(h, swap));
	if (memcmp(h + 4, uuid, 16) != 0)
		return vt_error_set(err, "%s: the metadata packet at byte %zu has another uuid than the first", name,
				    offset);
	uint32_t content_bits = u32(h + 24, swap), packet_bits = u32(h + 28, swap);
	if (h[32] || h[33] || h[34])
		return vt_error_set(err,
				    "%s: the metadata packet at byte %zu is compressed, encrypted or checksummed "
				    "(schemes %u, %u, %u), which CTF 1.8 readers do not support",
				    name, offset, h[32], h[33], h[34]);
	if (h[35] != 1 || h[36] != 8)
		return vt_error_set(err, "%s: the metadata packet at byte %zu says CTF %u.%u, not 1.8", name, offset,
				    h[35], h[36]);
	if (content_bits % 8 || packet_bits % 8 || content_bits < HEADER_BYTES * 8 || content_bits > packet_bits)
		return vt_error_set(err,
				    "%s: the metadata packet at byte %zu has impossible sizes (content %" PRIu32
				    " bits, packet %" PRIu32 " bits)",
				    name, offset, content_bits, packet_bits);
	if (packet_bits / 8 > avail)
		return vt_error_set(err,
				    "%s: metadata truncated: the packet at byte %zu needs %" PRIu32
				    " bytes, the file ends %zu bytes later",
				    name, offset, packet_bits / 8, avail);
	*content = content_bits / 8;
	*size = packet_bits / 8;
	return 0;
}

/* The text of every packet, in order (malloc'd, NUL-terminated). */
static char *unpacketize(const unsigned char *d, size_t len, int swap, size_t *text_len, const char *name,
			 struct vt_error *err)
{
	char *text = malloc(len + 1);
	if (!text) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", name);
		return NULL;
	}
	size_t n = 0;
	for (size_t off = 0; off < len;) {
		size_t content = 0, size = 0;
		if (packet_header(d + off, off, len - off, swap, d + 4, &content, &size, name, err)) {
			free(text);
			return NULL;
		}
		if (content < HEADER_BYTES) { /* packet_header refuses it: said again for the compiler */
			free(text);
			return NULL;
		}
		memcpy(text + n, d + off + HEADER_BYTES, content - HEADER_BYTES);
		n += content - HEADER_BYTES;
		off += size;
	}
	text[n] = '\0';
	*text_len = n;
	return text;
}

static int tsdl_packetized(struct vt_ctf_trace_class **out, const unsigned char *d, size_t len, int swap,
			   const char *name, struct vt_error *err)
{
	size_t n;
	char *text = unpacketize(d, len, swap, &n, name, err);
	if (!text)
		return -1;
	int rc = vt_ctf_tsdl_parse(out, text, n, name, err);
	free(text);
	if (rc == 0 && (*out)->has_uuid && memcmp((*out)->uuid, d + 4, 16) != 0) {
		vt_ctf_trace_class_free(*out);
		*out = NULL;
		return vt_error_set(err, "%s: the metadata packets' uuid is not the trace's", name);
	}
	return rc;
}

int vt_ctf_meta_parse(struct vt_ctf_trace_class **out, const void *data, size_t len, const char *name,
		      struct vt_error *err)
{
	const unsigned char *d = data;
	*out = NULL;
	if (len > VT_CTF_MAX_METADATA_BYTES)
		return vt_error_set(err, "%s: the metadata is larger than %u MiB", name,
				    VT_CTF_MAX_METADATA_BYTES >> 20);
	if (len == 0)
		return vt_error_set(err, "%s: the metadata is empty", name);
	if (d[0] == 0x1E)
		return vt_ctf2_meta_parse(out, data, len, name, err);
	if (len >= 4 && (u32(d, 0) == METADATA_MAGIC || u32(d, 1) == METADATA_MAGIC))
		return tsdl_packetized(out, d, len, u32(d, 1) == METADATA_MAGIC, name, err);
	if (!isprint(d[0]) && !isspace(d[0]))
		return vt_error_set(err,
				    "%s: neither a metadata packet (magic 0x75d11d57) nor text: it starts with byte "
				    "0x%02x",
				    name, d[0]);
	return vt_ctf_tsdl_parse(out, data, len, name, err);
}

int vt_ctf_meta_load(struct vt_ctf_trace_class **out, const char *path, struct vt_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	int rc = buf ? 0 : vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path);
	while (rc == 0) {
		if (len == cap) {
			if (cap > VT_CTF_MAX_METADATA_BYTES) {
				rc = vt_error_set(err, "%s: the metadata is larger than %u MiB", path,
						  VT_CTF_MAX_METADATA_BYTES >> 20);
				break;
			}
			unsigned char *b = realloc(buf, cap * 2);
			if (!b) {
				rc = vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path);
				break;
			}
			buf = b;
			cap *= 2;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				rc = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
			break;
		}
	}
	fclose(f);
	if (rc == 0)
		rc = vt_ctf_meta_parse(out, buf, len, path, err);
	free(buf);
	return rc;
}
