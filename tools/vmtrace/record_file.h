/* DIR/record.json, written by `vmtrace record` (docs/record.md), read back by
 * analyze for its guests' hints (record_hints.c) and the kernel's counters
 * (kacct_check.c). */
#ifndef VMTRACE_CLI_RECORD_FILE_H
#define VMTRACE_CLI_RECORD_FILE_H

#include <jansson.h>

/* The document (a new reference) when DIR/record.json exists, is JSON
 * without duplicate keys and says "format": "vmtrace-record"; else NULL. */
json_t *vt_record_file_load(const char *dir);

#endif
