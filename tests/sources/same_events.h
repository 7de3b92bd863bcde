/* For the reader tests: two readings of traces that must give the same events. */
#ifndef VT_TESTS_SAME_EVENTS_H
#define VT_TESTS_SAME_EVENTS_H

#include <stdint.h>

#include "vmtrace/sources.h"

/* Both NULL, or both the same text. */
int vt_same_str(const char *a, const char *b);

/* Why two events differ (time, trace, stream when same_streams, CPU, kind,
 * name, thread, process, every payload field and string), or NULL. */
const char *vt_events_differ(const struct vt_event *a, const struct vt_event *b, int same_streams);

/* Reads sa and sb in step to their ends; fails the cmocka test (naming
 * `what`) at the first event that differs, an error, or when one ends first.
 * Returns how many events. */
uint64_t vt_assert_same_event_stream(struct vt_source *sa, struct vt_source *sb, const char *what, int same_streams);

/* The native reader gives the same events from the traces under a and b,
 * one by one, and the same counts and clock offsets per trace. Returns how many. */
uint64_t vt_assert_same_events(const char *a, const char *b);

#endif
