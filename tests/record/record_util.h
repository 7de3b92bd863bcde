/* Shared by the ftrace recording tests: the root + tracefs requirement,
 * `trace-cmd report` as the independent reader, workloads. */
#ifndef VT_TEST_RECORD_UTIL_H
#define VT_TEST_RECORD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Skips the test without root (VT_SKIP_NO_ROOT) or when no tracefs can be
 * found or mounted (VT_SKIP_ENVIRONMENT). */
void rec_require_tracefs(void);

/* One record of `trace-cmd report -t`. */
struct rline {
	char comm[64];
	int pid, cpu;
	uint64_t ts_ns;
	char name[64];
	char *rest; /* the event's fields as printed */
};

struct report {
	struct rline *l;
	size_t n;
	char *text; /* owns the lines' rest */
};

/* `trace-cmd report -t FILE` parsed (fails the test when it fails). */
void report_load(struct report *r, const char *dat);
void report_free(struct report *r);
/* Records named name (NULL: all) on cpu (-1: any) whose rest contains needle (NULL: any). */
size_t report_count(const struct report *r, const char *name, int cpu, const char *needle);

/* Call first in main: runs the workload when this program was started as
 * one (and exits), else notes this program's path for spawn_workload. */
void rec_init(int argc, char **argv);

/* A child that names itself comm, pins itself to cpu (-1: no), then, each
 * of n times, writes "TAG i" to marker_fd (-1: no) and sleeps sleep_us
 * (0: no). Returns its pid; wait_child() reaps it and fails on a bad exit. */
pid_t spawn_workload(const char *comm, int cpu, int marker_fd, const char *tag, int n, unsigned sleep_us);
void wait_child(pid_t pid);

/* The sum of "key: N" over the cpuN.stats files of a capture folder. */
uint64_t capture_stat_sum(const char *capture, const char *key);

/* Whether every regular file directly in dir named cpu*.raw is a whole
 * number of pages (page_size bytes). */
int raw_files_whole(const char *dir, unsigned page_size);

/* What a failed test may leave: the readers of a guest capture (their pids
 * in CAPTURE/.pids) killed, this process's descriptors above 2 closed (a C
 * recorder never stopped), then each named instance turned off and removed.
 * Best effort; names may be NULL. */
void rec_leftovers(const char *guest_capture, const char *const *instances, size_t n);

#endif
