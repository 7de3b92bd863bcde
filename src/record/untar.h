/* A minimal tar reader for archives a guest made (ustar, GNU and pax
 * headers tolerated) that writes only regular files and folders, only under
 * its destination, whatever the archive says: no absolute name, no '..', no
 * symlink, hard link, device or FIFO (those are skipped and said), no
 * setuid/setgid/sticky bit, bounded names, sizes and counts. Fed in pieces,
 * as the archive arrives. */
#ifndef VT_RECORD_UNTAR_H
#define VT_RECORD_UNTAR_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

struct vt_untar_limits {
	uint64_t max_bytes;  /* total of the files' contents */
	uint64_t max_entries; /* files and folders created */
	size_t max_name;     /* longest name, in bytes (at most 4095) */
	unsigned max_depth;  /* most folders deep */
};

/* 1 GiB, 100000 entries, 1024-byte names, 32 deep. */
extern const struct vt_untar_limits vt_untar_default_limits;

struct vt_untar_stats {
	uint64_t files, dirs, bytes;
	uint64_t skipped;    /* entries that are not files nor folders */
	char note[512];      /* what was skipped, "" when nothing (names escaped) */
};

struct vt_untar;

/* Creates DEST (a new folder, or an existing empty one that is not a
 * symlink) and gets ready to read an archive into it. NULL with err. */
struct vt_untar *vt_untar_begin(const char *dest, const struct vt_untar_limits *lim, struct vt_error *err);

/* The next len bytes of the archive. -1 with err ("DEST: NAME: problem")
 * at the first entry refused; nothing more is written then. */
int vt_untar_feed(struct vt_untar *u, const uint8_t *data, size_t len, struct vt_error *err);

/* Checks the archive ended (its end-of-archive block came), fills *st
 * (NULL: not wanted) and frees u. -1 with err for a truncated archive.
 * What was written stays: the caller removes DEST after a failure. */
int vt_untar_end(struct vt_untar *u, struct vt_untar_stats *st, struct vt_error *err);

/* Frees u without checks (after a failure). */
void vt_untar_free(struct vt_untar *u);

/* A whole archive in memory into DEST. */
int vt_untar_buffer(const char *dest, const uint8_t *data, size_t len, const struct vt_untar_limits *lim,
		    struct vt_untar_stats *st, struct vt_error *err);

/* ---- names (untar_name.c) ---- */

/* An archive's entry name made relative and clean: "./a//b/" gives "a/b".
 * -1 with *why for an absolute name, a '..' component, a control character,
 * a component longer than 255 bytes, a name longer than max_name or deeper
 * than max_depth. An empty result (the archive's "./") is 0 with out "". */
int vt_untar_clean_name(const char *raw, size_t len, size_t max_name, unsigned max_depth, char *out, size_t size,
			const char **why);

#endif
