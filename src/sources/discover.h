/* Finding trace folders below a path. */
#ifndef VT_SOURCES_DISCOVER_H
#define VT_SOURCES_DISCOVER_H

#include <stddef.h>

#include "vmtrace/error.h"

struct vt_path_list {
	char **paths;
	size_t count, cap;
};

/* Appends every CTF trace folder (a folder holding a `metadata` file) found at or
 * below path to ctf, and every trace-cmd file to dat (path itself when it is a
 * file with trace-cmd's magic or a .dat name; `*.dat` files in the folders
 * walked, not inside CTF traces), in sorted order. Symlinked folders are
 * followed; a folder reached again (a symlink or bind mount loop, or the same
 * folder by two ways) is walked once, and *note (when note is not NULL) is
 * then a one-line note saying so (caller frees), else NULL. Fails with a
 * one-line error when path is missing, unreadable, neither a folder nor a
 * trace-cmd file, or holds no trace, when a CTF trace file or a .dat file is
 * not a readable regular file (a FIFO, a device, a socket), or when folders
 * nest more than a thousand deep. */
int vt_discover(const char *path, struct vt_path_list *ctf, struct vt_path_list *dat, char **note,
		struct vt_error *err);

void vt_path_list_free(struct vt_path_list *list);

#endif
