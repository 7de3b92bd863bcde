/* What the source fuzz targets do with each input once it is on disk: open
 * the path as any command would and read every event (at most a million, so
 * that an input cannot make a run endless). Errors are the expected outcome
 * of most inputs; only a crash, a hang or a sanitizer report is a finding. */
#ifndef VT_FUZZ_READ_H
#define VT_FUZZ_READ_H

void vt_fuzz_read_all(const char *path);

#endif
