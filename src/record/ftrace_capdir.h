/* Reading a capture folder that may come from a guest, so hostile: only
 * plain names inside it, never a symbolic link followed, only regular files
 * and folders, every size bounded. Errors say "CAPTURE/NAME: problem". */
#ifndef VT_RECORD_FTRACE_CAPDIR_H
#define VT_RECORD_FTRACE_CAPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

/* A folder of the capture: its descriptor and its name for messages. */
struct vt_capdir {
	int fd;
	char label[4200];
};

/* Opens the capture folder itself (the caller's path). Returns 0, or -1 with err. */
int vt_capdir_open(struct vt_capdir *d, const char *path, struct vt_error *err);
/* Opens the folder NAME inside parent (no symbolic link). Returns 0, or -1 with err. */
int vt_capdir_sub(struct vt_capdir *d, const struct vt_capdir *parent, const char *name, struct vt_error *err);
void vt_capdir_close(struct vt_capdir *d);

/* Opens the regular file NAME inside d for reading; *size its size.
 * Returns the descriptor, -1 with err, or -2 when absent (err set too). */
int vt_capdir_open_file(const struct vt_capdir *d, const char *name, uint64_t *size, struct vt_error *err);

/* Reads the whole file NAME (at most max bytes, no NUL byte in it) into a
 * new NUL-terminated buffer. NULL with err; *absent = 1 when it does not
 * exist (absent may be NULL: then that is an error like any other). */
char *vt_capdir_read(const struct vt_capdir *d, const char *name, size_t max, size_t *len, int *absent,
		     struct vt_error *err);

/* Whether name is a plain name of [A-Za-z0-9_.-], not starting with '.', at most max bytes. */
int vt_capdir_name_ok(const char *name, size_t max);

/* Entry names of d, sorted (a new array of new strings, *n of them; at
 * most max, else an error). Returns 0, or -1 with err. */
int vt_capdir_list(const struct vt_capdir *d, size_t max, char ***names, size_t *n, struct vt_error *err);
void vt_capdir_list_free(char **names, size_t n);

#endif
