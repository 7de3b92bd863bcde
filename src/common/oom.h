/* Telling "out of memory" from bad data when a library does not say which:
 * babeltrace2's CTF reader reports a failed mmap of a packet as "Cannot
 * handle state" (under ulimit -v, or strict overcommit). */
#ifndef VT_COMMON_OOM_H
#define VT_COMMON_OOM_H

/* 1 when the process cannot map 8 MiB more now (RLIMIT_AS reached, or the
 * system's commit limit): an error that just happened was then almost surely
 * an allocation failure, whatever its text says. Maps nothing it keeps. */
int vt_out_of_memory_now(void);

#endif
