/* What the command-line output tests share. */
#ifndef VT_CLITEST_H
#define VT_CLITEST_H

#include <stddef.h>

/* Simulates scenarios/<scenario>.json into dir with more options (fails the test otherwise). */
void cli_simulate(const char *scenario, const char *dir, const char *extra);
/* Writes text to path (fails the test otherwise). */
void cli_write(const char *path, const char *text);
/* 1 when the file holds exactly text. */
int cli_holds(const char *path, const char *text);
/* Temporary outputs (names with ".tmp-") anywhere under dir. */
size_t cli_leftovers(const char *dir);
/* Entries of a folder, "." and ".." aside (-1 when it cannot be read). */
long cli_entries(const char *dir);

#endif
