/* tracefs for the ftrace recorder: finding (or mounting) it, an instance of
 * our own, its clock, buffer and events, and small files read and written
 * with every error said as "PATH: problem". */
#ifndef VT_RECORD_FTRACE_TRACEFS_H
#define VT_RECORD_FTRACE_TRACEFS_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

#define VT_FTRACE_PATH 4096

/* Formats a path into buf; returns 0, or -1 when it did not fit (buf then
 * holds a cut path, which opens nothing of ours). */
int vt_ftrace_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The tracefs folder: `given` when not NULL (it must hold instances/), else
 * a mounted tracefs, else debugfs's tracing/, else tracefs mounted now at
 * /sys/kernel/tracing (*mounted set to 1). Returns 0, or -1 with err. */
int vt_ftrace_tracefs_find(const char *given, char *path, size_t size, int *mounted, struct vt_error *err);

/* Writes s into a tracefs file (as `echo -n s > path`). Returns 0, or -1 with err. */
int vt_ftrace_write_file(const char *path, const char *s, struct vt_error *err);

/* Reads a whole tracefs (or /proc) file of at most max bytes into a new
 * NUL-terminated buffer (*len its length). Returns it, or NULL with err
 * (larger than max included). */
char *vt_ftrace_read_file(const char *path, size_t max, size_t *len, struct vt_error *err);

/* Creates TRACEFS/instances/NAME (path receives it). Returns 0, or -1 with
 * err (already there: another recorder's, or one left by a killed run). */
int vt_ftrace_instance_create(const char *tracefs, const char *name, char *path, size_t size,
			      struct vt_error *err);
/* Removes it. A file of it still open somewhere makes the kernel refuse
 * (EBUSY): waits up to 2 s for such a holder to go. Returns 0, or -1 with err. */
int vt_ftrace_instance_remove(const char *path, struct vt_error *err);

/* Whether name is SYSTEM:EVENT with both parts of [A-Za-z0-9_]. */
int vt_ftrace_event_name_ok(const char *name);

/* Selects the instance's clock: `want`, or when NULL "mono" if the kernel
 * has it, else "local". chosen receives the name. Returns 0, or -1 with err
 * (a clock asked for that the kernel lacks). */
int vt_ftrace_clock_set(const char *inst, const char *want, char *chosen, size_t size, struct vt_error *err);

/* Enables each event in the instance; an event the kernel lacks (no
 * events/SYSTEM/EVENT, or its enable refused) is left out and counted in
 * *skipped with ok[i] = 0. Returns 0, or -1 with err (a bad name, or no
 * event at all). */
int vt_ftrace_events_enable(const char *inst, const char *const *events, size_t n, int *ok, size_t *skipped,
			    struct vt_error *err);

/* The online CPUs (from /sys/devices/system/cpu/online, e.g. "0-3,6"): a new
 * array of CPU numbers, sorted. Returns their count (> 0), or 0 with err. */
size_t vt_ftrace_online_cpus(uint32_t **cpus, struct vt_error *err);

/* Parses a CPU list "0-3,6\n" into a new sorted array; 0 when malformed
 * or over 4096 CPUs. */
size_t vt_ftrace_parse_cpulist(const char *text, uint32_t **cpus);

/* A number field of a per_cpu stats text ("overrun: 12"), or 0. */
uint64_t vt_ftrace_stat_field(const char *stats, const char *key);

#endif
