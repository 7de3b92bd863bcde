/* Files and folders of an archive, created under a destination folder's fd
 * (names already cleaned by vt_untar_clean_name). */
#ifndef VT_RECORD_UNTAR_FS_H
#define VT_RECORD_UNTAR_FS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

/* Opens DEST (created 0755 when missing; an existing one must be an empty
 * folder, not a symlink). Returns its fd, or -1 with errno. */
int vt_untar_open_dest(const char *dest);

/* The folder NAME under root, its missing parents too; *made counts the
 * folders created. An existing folder is fine, anything else (a file, a
 * symlink) is -1 with errno. */
int vt_untar_mkdir(int root, const char *name, uint64_t *made);

/* A new file NAME under root (missing parents made), mode masked to 0755
 * and given u+rw. -1 with errno (EEXIST when there is one already). */
int vt_untar_create(int root, const char *name, unsigned mode, uint64_t *made);

/* All of data to fd, or -1 with errno. */
int vt_untar_write(int fd, const uint8_t *data, size_t len);

#endif
