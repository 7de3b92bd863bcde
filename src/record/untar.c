/* The archive as a stream of 512-byte blocks: headers (ustar, GNU long
 * names, pax path/size records), file data written as it comes, padding,
 * the end-of-archive block. Every header is checked (checksum, magic, sizes
 * against the limits) before anything of its entry is written. */
#include "record/untar.h"
#include "record/untar_fs.h"

#include "common/text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 512
/* The longest GNU long name or pax header read (names are bounded far lower). */
#define MAX_META (64u * 1024u)

const struct vt_untar_limits vt_untar_default_limits = {
	.max_bytes = 1ull << 30,
	.max_entries = 100000,
	.max_name = 1024,
	.max_depth = 32,
};

enum state { HEADER, DATA, META, SKIP, PAD, END };
enum meta_kind { META_PAX, META_LONGNAME };

struct vt_untar {
	char dest[512];
	int root;                 /* the destination folder */
	struct vt_untar_limits lim;
	enum state state;
	uint8_t blk[BLOCK];       /* the header being gathered */
	size_t blk_len;
	uint64_t left;            /* bytes of the current entry still to come */
	unsigned pad;             /* padding bytes after it */
	int fd;                   /* the file being written, -1 when none */
	char name[4096];          /* the current entry's clean name */
	enum meta_kind meta_kind;
	char *meta;               /* a pax header or long name being gathered (owned) */
	size_t meta_len;
	char next_name[4096];     /* from a pax path= or a GNU long name, "" when none */
	int64_t next_size;        /* from a pax size=, -1 when none */
	int zero_blocks;
	int failed;               /* an entry was refused: nothing more is read */
	struct vt_untar_stats st;
	uint64_t made;            /* folders created */
};

/* ---- header fields ---- */

/* An octal field (spaces and NULs around it), or GNU base-256 when its
 * first byte has the high bit. -1 when it is neither. */
static int64_t num_field(const uint8_t *f, size_t n)
{
	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1; /* negative or too large */
		uint64_t v = 0;
		for (size_t i = 1; i < n; i++) {
			if (v >> 55)
				return -1;
			v = v << 8 | f[i];
		}
		return (int64_t)v;
	}
	size_t i = 0;
	while (i < n && f[i] == ' ')
		i++;
	uint64_t v = 0;
	int digits = 0;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return digits ? (int64_t)v : -1;
}

static int checksum_ok(const uint8_t *b)
{
	int64_t want = num_field(b + 148, 8);
	uint64_t u = 0;
	int64_t s = 0;
	for (int i = 0; i < BLOCK; i++) {
		uint8_t c = i >= 148 && i < 156 ? ' ' : b[i];
		u += c;
		s += (int8_t)c;
	}
	return want >= 0 && ((uint64_t)want == u || want == s);
}

static int all_zero(const uint8_t *b)
{
	for (int i = 0; i < BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The raw name: POSIX ustar's prefix "/" name, else the name field. */
static void raw_name(const uint8_t *b, char *out, size_t size)
{
	int posix = !memcmp(b + 257, "ustar\0", 6);
	char name[101], prefix[156];
	memcpy(name, b, 100);
	name[100] = '\0';
	memcpy(prefix, b + 345, 155);
	prefix[155] = '\0';
	if (posix && prefix[0])
		snprintf(out, size, "%s/%s", prefix, name);
	else
		snprintf(out, size, "%s", name);
}

/* ---- errors and notes ---- */

static int fail(struct vt_untar *u, struct vt_error *err, const char *name, const char *what)
{
	u->state = END;
	u->failed = 1;
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	if (!err)
		return -1;
	if (!name)
		return vt_error_set(err, "%s: archive: %s", u->dest, what);
	char safe[256];
	vt_text_line(name, safe, sizeof(safe));
	return vt_error_set(err, "%s: archive entry '%s': %s", u->dest, safe, what);
}

static int fail_errno(struct vt_untar *u, struct vt_error *err, const char *name)
{
	return fail(u, err, name, strerror(errno));
}

static void note_skipped(struct vt_untar *u, const char *name, const char *kind)
{
	u->st.skipped++;
	if (u->st.skipped > 3)
		return;
	char safe[128];
	vt_text_safe(name, safe, sizeof(safe));
	size_t n = strlen(u->st.note);
	snprintf(u->st.note + n, sizeof(u->st.note) - n, "%s'%s' (%s)", n ? ", " : "skipped: ", safe, kind);
}

/* ---- pax records and long names ---- */

/* "LEN key=value\n" records: path= and size= apply to the next entry. */
static int take_pax(struct vt_untar *u, struct vt_error *err)
{
	const char *p = u->meta, *end = u->meta + u->meta_len;
	while (p < end) {
		char *after;
		errno = 0;
		unsigned long len = strtoul(p, &after, 10);
		if (errno || after == p || *after != ' ' || len < 5 || len > (size_t)(end - p) || p[len - 1] != '\n')
			return fail(u, err, NULL, "a malformed pax record");
		const char *kv = after + 1, *rec_end = p + len - 1;
		const char *eq = memchr(kv, '=', (size_t)(rec_end - kv));
		if (!eq)
			return fail(u, err, NULL, "a pax record without '='");
		size_t klen = (size_t)(eq - kv), vlen = (size_t)(rec_end - eq - 1);
		if (klen == 4 && !memcmp(kv, "path", 4)) {
			if (vlen >= sizeof(u->next_name) || memchr(eq + 1, '\0', vlen))
				return fail(u, err, NULL, "a pax path too long or holding a NUL");
			memcpy(u->next_name, eq + 1, vlen);
			u->next_name[vlen] = '\0';
		} else if (klen == 4 && !memcmp(kv, "size", 4)) {
			char num[24];
			if (vlen == 0 || vlen >= sizeof(num) || strspn(eq + 1, "0123456789") < vlen)
				return fail(u, err, NULL, "a pax size that is not a number");
			memcpy(num, eq + 1, vlen);
			num[vlen] = '\0';
			u->next_size = (int64_t)strtoll(num, NULL, 10);
		}
		p += len;
	}
	return 0;
}

static int meta_done(struct vt_untar *u, struct vt_error *err)
{
	if (u->meta_kind == META_PAX)
		return take_pax(u, err);
	size_t n = strnlen(u->meta, u->meta_len);
	if (n >= sizeof(u->next_name))
		return fail(u, err, NULL, "a GNU long name too long");
	memcpy(u->next_name, u->meta, n);
	u->next_name[n] = '\0';
	return 0;
}

/* ---- entries ---- */

static void after_entry(struct vt_untar *u, uint64_t size, enum state st)
{
	u->left = size;
	u->pad = (unsigned)((BLOCK - size % BLOCK) % BLOCK);
	u->state = size ? st : (u->pad ? PAD : HEADER);
	u->next_name[0] = '\0';
	u->next_size = -1;
}

static int begin_meta(struct vt_untar *u, enum meta_kind kind, uint64_t size, struct vt_error *err)
{
	if (size > MAX_META)
		return fail(u, err, NULL, "an extended header longer than 64 KiB");
	free(u->meta);
	u->meta = malloc(size + 1);
	if (!u->meta)
		return fail(u, err, NULL, "out of memory for an extended header");
	u->meta_kind = kind;
	u->meta_len = 0;
	u->meta[size] = '\0';
	u->left = size;
	u->pad = (unsigned)((BLOCK - size % BLOCK) % BLOCK);
	u->state = size ? META : (u->pad ? PAD : HEADER);
	return size ? 0 : meta_done(u, err);
}

static int begin_file(struct vt_untar *u, unsigned mode, uint64_t size, struct vt_error *err)
{
	if (!u->name[0])
		return fail(u, err, ".", "a file without a name");
	if (size > u->lim.max_bytes - u->st.bytes)
		return fail(u, err, u->name, "the archive holds more bytes than the limit");
	u->fd = vt_untar_create(u->root, u->name, mode, &u->made);
	if (u->fd < 0)
		return errno == EEXIST ? fail(u, err, u->name, "already extracted (a duplicate entry)")
				       : fail_errno(u, err, u->name);
	u->st.files++;
	u->st.bytes += size;
	after_entry(u, size, DATA);
	if (u->state != DATA) {
		close(u->fd);
		u->fd = -1;
	}
	return 0;
}

static int begin_dir(struct vt_untar *u, uint64_t size, struct vt_error *err)
{
	if (u->name[0] && vt_untar_mkdir(u->root, u->name, &u->made) < 0)
		return fail_errno(u, err, u->name);
	after_entry(u, size, SKIP);
	return 0;
}

static const char *skipped_kind(char type)
{
	switch (type) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a FIFO";
	default: return NULL;
	}
}

static int entry(struct vt_untar *u, const uint8_t *b, char type, uint64_t size, struct vt_error *err)
{
	char raw[4096];
	const char *why = NULL;
	if (u->next_name[0])
		snprintf(raw, sizeof(raw), "%s", u->next_name);
	else
		raw_name(b, raw, sizeof(raw));
	if (u->next_size >= 0)
		size = (uint64_t)u->next_size;
	if (vt_untar_clean_name(raw, strlen(raw), u->lim.max_name, u->lim.max_depth, u->name, sizeof(u->name), &why) < 0)
		return fail(u, err, raw, why);
	if (u->st.files + u->made + u->st.skipped + 1 > u->lim.max_entries)
		return fail(u, err, raw, "more entries than the limit");
	const char *kind = skipped_kind(type);
	if (kind) {
		note_skipped(u, raw, kind);
		after_entry(u, size, SKIP);
		return 0;
	}
	if (type == '5')
		return begin_dir(u, size, err);
	if (type == '0' || type == '\0' || type == '7') {
		int64_t mode = num_field(b + 100, 8);
		return begin_file(u, mode < 0 ? 0644u : (unsigned)mode, size, err);
	}
	char what[64];
	snprintf(what, sizeof(what), "an entry of type '%c' (0x%02x), not read", type >= 0x20 && type < 0x7f ? type : '?',
		 (unsigned char)type);
	return fail(u, err, raw, what);
}

static int header(struct vt_untar *u, struct vt_error *err)
{
	const uint8_t *b = u->blk;
	if (all_zero(b)) {
		if (++u->zero_blocks == 2)
			u->state = END;
		return 0;
	}
	u->zero_blocks = 0;
	if (memcmp(b + 257, "ustar", 5))
		return fail(u, err, NULL, "not a ustar header");
	if (!checksum_ok(b))
		return fail(u, err, NULL, "a header with a bad checksum");
	int64_t size = num_field(b + 124, 12);
	if (size < 0)
		return fail(u, err, NULL, "a header with a malformed size");
	char type = (char)b[156];
	if (type == 'x' || type == 'L')
		return begin_meta(u, type == 'x' ? META_PAX : META_LONGNAME, (uint64_t)size, err);
	if (type == 'g' || type == 'K' || type == 'V') { /* global pax, long link names, volume labels: unused */
		after_entry(u, (uint64_t)size, SKIP);
		return 0;
	}
	return entry(u, b, type, (uint64_t)size, err);
}

/* ---- the stream ---- */

/* Gathers a header block; handles it once whole. */
static long step_header(struct vt_untar *u, const uint8_t *data, size_t len, struct vt_error *err)
{
	size_t n = len < BLOCK - u->blk_len ? len : BLOCK - u->blk_len;
	memcpy(u->blk + u->blk_len, data, n);
	u->blk_len += n;
	if (u->blk_len == BLOCK) {
		u->blk_len = 0;
		if (header(u, err) < 0)
			return -1;
	}
	return (long)n;
}

/* The current entry ended: close its file, read its metadata. */
static int entry_done(struct vt_untar *u, struct vt_error *err)
{
	enum state was = u->state;
	u->state = u->pad ? PAD : HEADER;
	if (was == DATA) {
		int rc = close(u->fd);
		u->fd = -1;
		if (rc < 0)
			return fail_errno(u, err, u->name);
	}
	return was == META ? meta_done(u, err) : 0;
}

/* An entry's bytes: written (DATA), gathered (META) or skipped (SKIP). */
static long step_body(struct vt_untar *u, const uint8_t *data, size_t len, struct vt_error *err)
{
	size_t n = (uint64_t)len < u->left ? len : (size_t)u->left;
	if (u->state == DATA && vt_untar_write(u->fd, data, n) < 0)
		return fail_errno(u, err, u->name);
	if (u->state == META) {
		memcpy(u->meta + u->meta_len, data, n);
		u->meta_len += n;
	}
	u->left -= n;
	if (u->left == 0 && entry_done(u, err) < 0)
		return -1;
	return (long)n;
}

/* Consumes some of data for the current state; returns how much, -1 on error. */
static long step(struct vt_untar *u, const uint8_t *data, size_t len, struct vt_error *err)
{
	size_t n;
	switch (u->state) {
	case HEADER:
		return step_header(u, data, len, err);
	case PAD:
		n = len < u->pad ? len : u->pad;
		u->pad -= (unsigned)n;
		if (!u->pad)
			u->state = HEADER;
		return (long)n;
	case END:
		return (long)len;
	default:
		return step_body(u, data, len, err);
	}
}

int vt_untar_feed(struct vt_untar *u, const uint8_t *data, size_t len, struct vt_error *err)
{
	if (u->failed)
		return vt_error_set(err, "%s: the archive was refused before", u->dest);
	while (len > 0) {
		long n = step(u, data, len, err);
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

struct vt_untar *vt_untar_begin(const char *dest, const struct vt_untar_limits *lim, struct vt_error *err)
{
	struct vt_untar *u = calloc(1, sizeof(*u));
	if (!u) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dest);
		return NULL;
	}
	snprintf(u->dest, sizeof(u->dest), "%s", dest);
	u->lim = lim ? *lim : vt_untar_default_limits;
	if (u->lim.max_name > 4095)
		u->lim.max_name = 4095;
	u->fd = -1;
	u->next_size = -1;
	u->root = vt_untar_open_dest(dest);
	if (u->root < 0) {
		vt_error_set_cause(err, VT_ERR_IO, "%s: %s", dest,
			     errno == ENOTEMPTY ? "not empty: a guest's files go into a new folder" : strerror(errno));
		free(u);
		return NULL;
	}
	return u;
}

void vt_untar_free(struct vt_untar *u)
{
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	close(u->root);
	free(u->meta);
	free(u);
}

int vt_untar_end(struct vt_untar *u, struct vt_untar_stats *st, struct vt_error *err)
{
	/* Two zero blocks end an archive; one alone at the very end is tolerated. */
	int ended = (u->state == END && !u->failed) || (u->state == HEADER && u->blk_len == 0 && u->zero_blocks == 1);
	int rc = 0;
	if (u->failed)
		rc = vt_error_set(err, "%s: the archive was refused before", u->dest);
	else if (!ended)
		rc = vt_error_set(err, "%s: the archive is truncated (no end-of-archive block)", u->dest);
	u->st.dirs = u->made;
	if (st)
		*st = u->st;
	vt_untar_free(u);
	return rc;
}

int vt_untar_buffer(const char *dest, const uint8_t *data, size_t len, const struct vt_untar_limits *lim,
		    struct vt_untar_stats *st, struct vt_error *err)
{
	struct vt_untar *u = vt_untar_begin(dest, lim, err);
	if (!u)
		return -1;
	if (vt_untar_feed(u, data, len, err) < 0) {
		vt_untar_free(u);
		return -1;
	}
	return vt_untar_end(u, st, err);
}
