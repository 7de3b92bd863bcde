/* Folders. */
#ifndef VT_COMMON_DIRS_H
#define VT_COMMON_DIRS_H

/* 1 when dir is a folder holding nothing but . and .., else 0 (also when it
 * cannot be read). */
int vt_dir_is_empty(const char *dir);

#endif
