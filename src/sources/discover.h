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
 * below path, in sorted order. Fails with a one-line error when path is missing,
 * unreadable, not a folder, or holds no trace, or a trace file cannot be read. */
int vt_discover_ctf(const char *path, struct vt_path_list *out, struct vt_error *err);

void vt_path_list_free(struct vt_path_list *list);

#endif
