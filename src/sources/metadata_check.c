#include "sources/metadata_check.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METADATA_MAGIC 0x75D11D57u
#define HEADER_BYTES 37 /* magic, uuid[16], checksum, content_size, packet_size, 5 x u8 */

static uint32_t read_u32(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* Larger than any real metadata; a bigger file is not read whole here. */
#define MAX_METADATA (64L << 20)

/* Appends len bytes to a growing text buffer. */
static int append(char **text, size_t *len, const unsigned char *p, size_t n)
{
	char *t = realloc(*text, *len + n + 1);
	if (!t)
		return -1;
	memcpy(t + *len, p, n);
	*len += n;
	t[*len] = '\0';
	*text = t;
	return 0;
}

/* babeltrace2 2.0.4 divides by a clock's frequency without checking it: a
 * clock block with no `freq` or `freq = 0` kills the process (SIGFPE). */
static int check_clock_frequencies(const char *path, const char *text, struct vt_error *err)
{
	for (const char *p = text; (p = strstr(p, "clock")); p += 5) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'))
			continue;
		const char *q = p + 5;
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '{')
			continue;
		const char *end = strchr(q, '}');
		if (!end)
			return vt_error_set(err, "%s: metadata corrupted: a clock block is not closed", path);
		const char *f = q;
		unsigned long long freq = 0;
		while ((f = strstr(f, "freq")) && f < end) {
			const char *v = f + 4;
			while (isspace((unsigned char)*v))
				v++;
			if (*v == '=') {
				freq = strtoull(v + 1, NULL, 0);
				break;
			}
			f += 4;
		}
		if (!f || f >= end || freq == 0)
			return vt_error_set(err,
					    "%s: the clock has no usable frequency (freq missing or 0), which babeltrace2 "
					    "2.0 cannot read",
					    path);
	}
	return 0;
}

int vt_ctf_check_metadata(const char *path, struct vt_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
	int rc = 0;
	char *text = NULL;
	size_t text_len = 0;
	unsigned char h[HEADER_BYTES];
	if (fseek(f, 0, SEEK_END) != 0) {
		rc = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	long size = ftell(f);
	if (size > MAX_METADATA)
		goto out;
	rewind(f);
	size_t got = fread(h, 1, sizeof(h), f);
	uint32_t magic = got >= 4 ? read_u32(h, 0) : 0;
	int swap = magic == __builtin_bswap32(METADATA_MAGIC);
	if (magic != METADATA_MAGIC && !swap) { /* text metadata */
		unsigned char *all = malloc((size_t)size + 1);
		rewind(f);
		if (!all || fread(all, 1, (size_t)size, f) != (size_t)size || append(&text, &text_len, all, (size_t)size))
			rc = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read: %s", path, strerror(errno ? errno : ENOMEM));
		free(all);
		if (rc == 0)
			rc = check_clock_frequencies(path, text, err);
		goto out;
	}
	long offset = 0;
	while (offset < size) {
		if (fseek(f, offset, SEEK_SET) != 0 || fread(h, 1, sizeof(h), f) != sizeof(h)) {
			rc = vt_error_set(err, "%s: metadata truncated: packet header at byte %ld is cut short", path,
					  offset);
			goto out;
		}
		uint32_t content_bits = read_u32(h + 24, swap), packet_bits = read_u32(h + 28, swap);
		if (read_u32(h, swap) != METADATA_MAGIC || packet_bits % 8 || content_bits > packet_bits ||
		    content_bits < HEADER_BYTES * 8) {
			rc = vt_error_set(err, "%s: metadata corrupted: bad packet header at byte %ld", path, offset);
			goto out;
		}
		if (offset + (long)(packet_bits / 8) > size) {
			rc = vt_error_set(err,
					  "%s: metadata truncated: packet at byte %ld needs %u bytes, the file ends %ld "
					  "bytes later",
					  path, offset, packet_bits / 8, size - offset);
			goto out;
		}
		size_t n = content_bits / 8 - HEADER_BYTES;
		unsigned char *content = malloc(n ? n : 1);
		if (!content || fread(content, 1, n, f) != n || append(&text, &text_len, content, n))
			rc = vt_error_set(err, "%s: cannot read metadata packet at byte %ld", path, offset);
		free(content);
		if (rc)
			goto out;
		offset += packet_bits / 8;
	}
	rc = check_clock_frequencies(path, text ? text : "", err);
out:
	free(text);
	fclose(f);
	return rc;
}
