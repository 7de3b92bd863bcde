/* For the CTF 2 tests: two trace directories that must read the same. */
#ifndef VT_TESTS_SAME_EVENTS_H
#define VT_TESTS_SAME_EVENTS_H

#include <stdint.h>

/* The native reader gives the same events from the traces under a and b,
 * one by one (time, trace, stream, CPU, kind, name, thread, process, and the
 * fields the analysis reads most), and the same counts and clock offsets per
 * trace; fails the cmocka test at the first difference. Returns how many. */
uint64_t vt_assert_same_events(const char *a, const char *b);

#endif
