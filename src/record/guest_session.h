/* One guest of a recording, reached through its QEMU guest agent: run the
 * tracer's start, stop and snapshot scripts in it and bring its trace
 * folder back. Nothing is installed in the guest but its tracer; no network.
 *
 * Scripts are POSIX sh run as `/bin/sh -c SCRIPT` by qemu-ga (as root).
 * Their output may hold lines "vmtrace-KEY: VALUE" that the session reads:
 *   vmtrace-tracer: NAME VERSION   the tracer ("lttng 2.13.9")
 *   vmtrace-lost: N                events the tracer lost
 *   vmtrace-error: TEXT            why the script failed (with a non-zero exit)
 *   vmtrace-note: TEXT             something to tell the user
 *   vmtrace-relay: URL             the trace streams to that lttng-relayd
 * Any other line is the script's own. Exit 0 is success. */
#ifndef VT_RECORD_GUEST_SESSION_H
#define VT_RECORD_GUEST_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "record/qga.h"
#include "record/untar.h"
#include "agent/agent.h"
#include "vmtrace/error.h"

struct vt_guest_limits {
	size_t max_output;         /* kept of a script's stdout and of its stderr */
	uint64_t max_fetch;        /* bytes of one fetched archive */
	size_t chunk;              /* bytes asked by one guest-file-read */
	struct vt_untar_limits untar;
};

/* 64 KiB of output, 4 GiB archives (and 4 GiB of files), 1 MiB chunks. */
extern const struct vt_guest_limits vt_guest_default_limits;

/* What is known of a guest, for record.json and the status line. Strings
 * from the guest hold its bytes: escape them (vt_json_str, vt_text_safe). */
struct vt_guest_report {
	int64_t pid;            /* the QEMU process */
	char socket[512];       /* the agent's socket */
	char agent_version[64]; /* qemu-ga's, as it says */
	char host_name[256];    /* guest-get-host-name, "" when not said */
	char tracer[128];       /* "lttng 2.13.9" from vmtrace-tracer, "" when not said */
	uint64_t lost;          /* from vmtrace-lost (the last said) */
	int has_lost;
	int relayed;            /* said vmtrace-relay: the trace is on the relay, not in the guest */
	char notes[512];        /* vmtrace-note lines, "; "-separated, cut */
	char error[1024];       /* the first failure, one line; "" while all went well */
};

struct vt_guest;

/* Finds PID's guest agent, connects (checked: vt_qga_connect), syncs, asks
 * guest-info (which must allow guest-exec and the file commands) and the
 * host name, all by the deadline. A libvirt channel is reached through
 * virsh instead (vt_qga_connect_libvirt, its domain by UUID: the QEMU's
 * -uuid, NULL when it has none). lim NULL: the defaults. NULL with err. */
struct vt_guest *vt_guest_open(const struct vt_agent_paths *paths, int64_t pid, const char *uuid,
			       const struct vt_guest_limits *lim, int64_t deadline, struct vt_error *err);
void vt_guest_close(struct vt_guest *g);

/* The same over a connection made otherwise (its ownership passes to the
 * guest, even on failure): guest-info, host name. */
struct vt_guest *vt_guest_attach(struct vt_qga *q, int64_t pid, const char *socket, const struct vt_guest_limits *lim,
				 int64_t deadline, struct vt_error *err);

const struct vt_guest_report *vt_guest_report(const struct vt_guest *g);
struct vt_qga *vt_guest_qga(struct vt_guest *g);

/* A finished script: its exit and output (owned; vt_guest_result_free). */
struct vt_guest_result {
	int exitcode, signal;
	char *out, *err;
	size_t out_len, err_len;
	int64_t ms;             /* from begin to the end seen */
};
void vt_guest_result_free(struct vt_guest_result *r);

/* Runs SCRIPT: begin sends it and returns at once (so that a recording can
 * start the stop scripts of all guests at nearly the same moment), end waits
 * for it by the deadline. Its vmtrace- lines go into the report. A script
 * that exits non-zero, is killed, or still runs at the deadline: -1 with err
 * (its vmtrace-error line, else its last line of stderr, else its exit), and
 * that goes into the report's error too. res may be NULL. */
int vt_guest_script_begin(struct vt_guest *g, const char *script, int64_t deadline, struct vt_error *err);
int vt_guest_script_end(struct vt_guest *g, int64_t deadline, struct vt_guest_result *res, struct vt_error *err);
int vt_guest_script(struct vt_guest *g, const char *script, int64_t deadline, struct vt_guest_result *res,
		    struct vt_error *err);

/* Runs scripts[i] in guests[i], all begun before any is waited for, all
 * waited for until the one deadline: the slowest guest costs its time, not
 * the sum. Returns how many failed (each says why in its report's error). */
size_t vt_guest_script_all(struct vt_guest *const *guests, const char *const *scripts, size_t n, int64_t deadline);

/* Fetches the guest folder GUEST_DIR into HOST_DIR (new or empty): tar in
 * the guest (`tar -C GUEST_DIR -cf GUEST_DIR.vmtrace.tar .`, busybox's will
 * do), guest-file-read, our own checked untar (untar.h), then the archive
 * removed in the guest, and GUEST_DIR too when remove is set. A failure
 * removes what was written of HOST_DIR. st may be NULL. */
int vt_guest_fetch(struct vt_guest *g, const char *guest_dir, const char *host_dir, int remove, int64_t deadline,
		   struct vt_untar_stats *st, struct vt_error *err);

/* ---- script output (guest_report.c) ---- */

/* Reads the vmtrace- lines of a script's output into r. */
void vt_guest_report_take(struct vt_guest_report *r, const char *out, size_t len);
/* Adds a note to r's notes ("; "-separated, cut when full). */
void vt_guest_note(struct vt_guest_report *r, const char *note);
/* Why a script failed, one line, into buf: its vmtrace-error line, else the
 * last line of its stderr, else its exit status. */
void vt_guest_failure(const struct vt_guest_result *res, char *buf, size_t size);

/* s single-quoted for sh (NULL when out of memory; free it). */
char *vt_sh_quote(const char *s);

#endif
