/* What the source fuzz targets do with each input once it is on disk: open
 * the path as any command would and read every event (at most a million, so
 * that an input cannot make a run endless). Errors are the expected outcome
 * of most inputs; only a crash, a hang or a sanitizer report is a finding. */
#ifndef VT_FUZZ_READ_H
#define VT_FUZZ_READ_H

#include <stddef.h>

void vt_fuzz_read_all(const char *path);

/* The bundled example trace folder: $VT_FUZZ_EXAMPLE, else built_in. */
const char *vt_fuzz_example(const char *built_in);

/* Copies from_dir/name to to_dir/name (the example's files beside the
 * input). Exits 1 when it cannot. */
void vt_fuzz_copy(const char *from_dir, const char *to_dir, const char *name);

/* A fresh folder under /tmp for the inputs; at exit the files named there
 * (relative to it, in order: files before their folders) and it are
 * removed. Exits 1 when it cannot be made. */
const char *vt_fuzz_workdir(const char *const *names, size_t n);

#endif
