/* Temporary files that vanish with the process: made in $TMPDIR (else /tmp)
 * and unlinked at once. */
#ifndef VT_COMMON_TMPFILE_H
#define VT_COMMON_TMPFILE_H

#include <stddef.h>
#include <stdint.h>

/* $TMPDIR, else /tmp. */
const char *vt_tmpdir(void);

/* Why a temporary file failed, naming the folder and the way out:
 * "TMPDIR /x: No space left on device; set TMPDIR to a folder with more room".
 * Returns buf. */
const char *vt_tmpdir_error(int e, char *buf, size_t size);

/* A descriptor of a new unlinked file named after `what` ("spill"), or -1
 * with errno set; path (may be NULL) receives the name it had, for messages. */
int vt_tmpfile(const char *what, char *path, size_t size);

/* Writes all of buf at offset off. Returns 0, or an errno. */
int vt_pwrite_all(int fd, const void *buf, size_t size, uint64_t off);

#endif
