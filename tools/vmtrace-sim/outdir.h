/* Preparing vmtrace-sim's output folder. */
#ifndef VT_SIM_OUTDIR_H
#define VT_SIM_OUTDIR_H

#include <stddef.h>

/* Returns 0 when DIR can receive a run (after removing an earlier run's
 * traces), or -1 with a one-line reason in why. */
int vt_sim_prepare_outdir(const char *dir, char *why, size_t why_len);

/* Removes a file or a folder with everything in it (absent is fine). Returns 0 or -1 (errno). */
int vt_sim_remove_tree(const char *path);

#endif
