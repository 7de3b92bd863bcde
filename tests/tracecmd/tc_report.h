/* `trace-cmd report` as an independent reader: per-kind counts of a file. */
#ifndef VT_TEST_TC_REPORT_H
#define VT_TEST_TC_REPORT_H

#include <stdint.h>

#include "vmtrace/event.h"

/* The kind a report line's event should become (an independent table). */
enum vt_kind vt_tc_report_kind(const char *name, const char *rest);

/* Counts the records of `trace-cmd report -R FILE` per kind; returns the total. */
uint64_t vt_tc_report_counts(const char *file, uint64_t per_kind[VT_KIND_COUNT]);

#endif
