/* What the exporter tests share: a simulated scenario, files read whole. */
#ifndef VT_EXPTEST_H
#define VT_EXPTEST_H

#include <stddef.h>

/* Simulates scenarios/<scenario>.json into dir (fails the test otherwise). */
/* extra: more vmtrace-sim options ("" for none). */
void exp_simulate(const char *scenario, const char *dir, const char *extra);
/* The file's bytes, NUL-terminated (NULL when unreadable). */
char *exp_slurp(const char *path, size_t *len);

#endif
