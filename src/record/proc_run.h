/* Running a helper program (lttng, lttng-sessiond, vmtraced) for `vmtrace
 * record`: argv, no shell; its output captured up to a bound; a deadline after
 * which it is killed. Children get their own process group, so a Ctrl-C at the
 * terminal reaches vmtrace alone, which then stops every machine in order. */
#ifndef VT_RECORD_PROC_RUN_H
#define VT_RECORD_PROC_RUN_H

#include <stddef.h>
#include <sys/types.h>

#include "vmtrace/error.h"

struct vt_proc_result {
	int status;     /* exit code; 128 + signal when killed; -1 when the deadline passed */
	char *out;      /* stdout, NUL-terminated (owned: vt_proc_result_free) */
	char *err;      /* stderr, NUL-terminated (owned) */
	size_t out_len, err_len;
	int truncated;  /* more output than the bound: the rest was read and dropped */
};

/* Runs argv[0] (found on PATH) with argv, waits at most timeout_ms (0: no
 * limit), captures at most max_out bytes of each stream. Returns 0 when it
 * ran (whatever its status: see r->status), -1 with err when it could not be
 * started (not installed: "PROG: not found"). */
int vt_proc_run(const char *const argv[], int timeout_ms, size_t max_out, struct vt_proc_result *r,
		struct vt_error *err);
void vt_proc_result_free(struct vt_proc_result *r);

/* A helper started with its stdout and stderr on pipes, collected later:
 * so that a caller can start several before waiting for any. */
struct vt_proc {
	pid_t pid;          /* -1 once collected */
	int out, err;       /* the pipes' read ends */
	int kill_on_excess; /* collect kills it once stdout passes max_out (its answer is refused anyway) */
};

/* Starts argv[0] (on PATH) with argv in its own process group, stdin
 * /dev/null. -1 with err when it cannot be started. */
int vt_proc_start(const char *const argv[], struct vt_proc *p, struct vt_error *err);

/* Reads p's output, at most max_out bytes of each stream, until it ends or
 * deadline_ms (CLOCK_MONOTONIC ms; 0: none), when its process group is
 * killed; reaps it. Then as vt_proc_run. name says the program in errors. */
int vt_proc_collect(struct vt_proc *p, const char *name, long long deadline_ms, size_t max_out,
		    struct vt_proc_result *r, struct vt_error *err);

/* Kills p's process group (SIGKILL), reaps it, closes its pipes: a call
 * abandoned. */
void vt_proc_abandon(struct vt_proc *p);

/* Starts argv in the background, stdout and stderr to the files given (NULL:
 * /dev/null), in its own process group. Returns its pid, or -1 with err. */
pid_t vt_proc_spawn(const char *const argv[], const char *out_path, const char *err_path, struct vt_error *err);

/* SIGTERM, then SIGKILL after grace_ms; reaps it. Returns its status as in
 * vt_proc_result. */
int vt_proc_stop(pid_t pid, int grace_ms);

/* The last line of a program's output (for one-line errors), in buf. */
const char *vt_proc_last_line(const char *text, char *buf, size_t size);

#endif
