/* POSIX sh scripts that record ftrace inside a guest as the host recorder
 * does (ftrace_rec.h), into the same capture folder (ftrace_capture.h), with
 * nothing installed but the kernel's ftrace and a busybox (or coreutils)
 * userland: sh with its read, printf and case; mount, mkdir, rmdir, rm, cat,
 * echo, sleep, kill, uname, dd (no GNU-only flag). The host runs them through
 * the guest agent and fetches the folder (src/record/qga*).
 *
 * start: mounts tracefs if needed, makes the instance (clock, buffer,
 * overwrite, events; absent events listed in CAPTURE/skipped_events), copies
 * the headers and formats, starts one background reader per online CPU
 * (streaming mode), turns tracing on and writes the machine's identity as a
 * trace_marker line in vmtraced's format ("vmtrace: machine product_uuid=...",
 * percent-encoded as vt_marker_format_machine does).
 * A reader wakes every period and moves the whole pages the buffer holds
 * (per_cpu stats' "bytes" says how many, so `dd count=N` never blocks), and
 * goes on at once while it moves an eighth of the buffer or more: a
 * plain `cat trace_pipe_raw` would write one mostly empty page per wake-up
 * (a blocking read returns the page being written as soon as it holds an
 * event, and cat's own wake-ups are sched events), hundreds of MB a minute.
 * stop: asks the readers to finish, turns tracing off, reads what is left
 * (partial pages too, while per_cpu stats count entries), copies stats and
 * saved_cmdlines, removes the instance. With ping, start also runs the
 * guest's `vmtraced --ping` writing into the instance's trace_marker (its
 * clock pings: sync's ping method), and stop ends it first. Exit status 0, or 1 with a
 * "vmtrace-ftrace: ..." line per problem on stderr.
 * snapshot (overwrite mode): moves the whole pages the buffer holds now. */
#ifndef VT_RECORD_FTRACE_GUEST_SCRIPT_H
#define VT_RECORD_FTRACE_GUEST_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

struct vt_ftrace_guest_options {
	const char *capture_dir;   /* the guest's absolute path: created, or an empty folder */
	const char *instance;      /* NULL: "vmtrace-guest" */
	const char *const *events; /* "SYSTEM:EVENT" */
	size_t nevents;
	uint32_t buffer_kb;        /* per CPU; 0: the kernel's default */
	int overwrite;             /* flight recorder: no readers, snapshot/stop read */
	const char *clock;         /* NULL: "mono" when the kernel has it, else "local" */
	unsigned period_ms;        /* readers' longest sleep (0: 250); a sleep that takes
				      no fraction (POSIX's) sleeps 1 s */
	int no_machine_marker;     /* leave out the identity line */
	int ping;                  /* run the guest's `vmtraced --ping` into the instance
				      while recording, when it is installed (docs/agent.md) */
};

/* The scripts' text (free it), or NULL with err (a name that is not plain,
 * a path that is not absolute or holds control characters). */
char *vt_ftrace_guest_script_start(const struct vt_ftrace_guest_options *o, struct vt_error *err);
char *vt_ftrace_guest_script_stop(const struct vt_ftrace_guest_options *o, struct vt_error *err);
char *vt_ftrace_guest_script_snapshot(const struct vt_ftrace_guest_options *o, struct vt_error *err);

#endif
