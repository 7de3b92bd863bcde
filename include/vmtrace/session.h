/* vmtrace: the library's one entry point. A session reads trace PATHs (pass 1,
 * feeding identification and synchronization), names the machines, puts their
 * clocks on the host's, then replays every machine's events in reference time
 * through the model (pass 2) and runs the findings over it:
 *
 *     struct vt_session *s = vt_session_new(&opt, &err);
 *     vt_session_read(s, "trace-folder", &err);   // once per PATH
 *     vt_session_model(s, &model_opt, &err);      // identifies and syncs first
 *     ... vt_session_machines(s), vt_session_clocks(s), vt_session_model_result(s)
 *     vt_session_free(s);
 *
 * The steps run in that order only: a later step runs the earlier ones it
 * needs, and an earlier step after a later one fails with an error.
 * Ownership: what a vt_session_* accessor returns is weak (owned by the
 * session, valid until vt_session_free); what the options point to is read
 * during the call that takes them and copied where kept. */
#ifndef VMTRACE_SESSION_H
#define VMTRACE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/api.h"
#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/findings.h"
#include "vmtrace/identify.h"
#include "vmtrace/model.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vt_session;

struct vt_session_options {
	enum vt_sync_method method;            /* VT_SYNC_AUTO: the most accurate the traces allow */
	const struct vt_guest_hint *hints;     /* weak, copied: guests pinned as --guest UUID=PID */
	size_t nhints;
	const struct vt_source_window *window; /* weak, copied: read only those events of each trace (NULL: all) */
	int messages_only; /* sync keeps only the messages, not what containment needs: much less memory */
	int ignore_pings;  /* leave the guests' pings out of sync (to measure the other methods) */
	int spill;         /* keep what the model reads in a temporary file: pass 2 does not decode again */
	enum vt_reader reader; /* the CTF decoder of both passes (VT_READER_DEFAULT: see vmtrace/sources.h) */
	/* Optional: every event of pass 1, trace in the session's numbering. */
	void (*each_event)(void *ctx, size_t trace, const struct vt_event *ev);
	void *each_event_ctx;
	/* Optional: progress of long work ("PATH" being read, then "analyzing"):
	 * events so far, cheap to call per event; done = 1 once at its end. */
	void (*progress)(void *ctx, const char *what, uint64_t events, int done);
	void *progress_ctx;
	/* Optional: one line that does not stop the work (a folder left out, a
	 * uuid two QEMUs claim): raw bytes of the traces may appear, escape them. */
	void (*warn)(void *ctx, const char *line);
	void *warn_ctx;
};

/* opt may be NULL (all defaults). NULL with err set when out of memory. */
VT_API struct vt_session *vt_session_new(const struct vt_session_options *opt, struct vt_error *err);

/* One more guest pinned (copied); before vt_session_identify. Returns 0, or -1 with err. */
VT_API int vt_session_add_hint(struct vt_session *s, const struct vt_guest_hint *hint, struct vt_error *err);

/* Pass 1 over the traces below one PATH. Returns 0, or -1 with err: that
 * PATH's traces are left out (a bad PATH does not hide the others) and the
 * session goes on. */
VT_API int vt_session_read(struct vt_session *s, const char *path, struct vt_error *err);

/* The traces read so far, numbered across PATHs in reading order. */
VT_API size_t vt_session_trace_count(const struct vt_session *s);
VT_API const struct vt_trace_info *const *vt_session_traces(const struct vt_session *s);

/* Groups the traces into machines and matches guests to their QEMU: the
 * agent's events and hints first, then for guests no agent named, the QEMU
 * threads that carried their TCP, else the QEMU whose guest-mode windows hold
 * their events. Returns 0, or -1 with err (also when no trace was read). */
VT_API int vt_session_identify(struct vt_session *s, struct vt_error *err);

/* Every machine's clock on the reference's (identifies first when needed).
 * Returns 0, or -1 with err. A clock that could not be placed is not an
 * error: its vt_clock_sync says so (quality, why). */
VT_API int vt_session_sync(struct vt_session *s, struct vt_error *err);

struct vt_session_model_options {
	/* Machine index of the host to model; VT_SESSION_HOST_AUTO: the
	 * reference clock's machine when it is a host, else none (-1: the
	 * guests' own view, no vCPU states). */
	int host;
	int record_intervals;              /* keep every vCPU interval in the model (memory grows) */
	const struct vt_model_sink *sink;  /* weak, copied: every interval as it closes (may be NULL) */
	/* Figures over this window of reference time only (NULL: all); relative
	 * times count from the modelled host's first event. */
	const struct vt_source_window *window;
	const struct vt_findings_config *findings; /* weak, copied: run the findings (NULL: none) */
	/* Optional: every event after the model saw it, in reference time. */
	void (*each_event)(void *ctx, size_t machine, uint64_t ref_ns, const struct vt_event *ev);
	void *each_event_ctx;
	/* Optional: asked every 65536 events; nonzero stops the pass (a full disk). */
	int (*stop)(void *ctx);
	void *stop_ctx;
};
#define VT_SESSION_HOST_AUTO (-2)

/* Pass 2 (syncs first when needed): the model, then the findings. Once per
 * session. Returns 0, or -1 with err (out of memory, a trace unreadable,
 * stopped by opt->stop). */
VT_API int vt_session_model(struct vt_session *s, const struct vt_session_model_options *opt, struct vt_error *err);

/* Weak results: NULL before the step that makes them. */
VT_API const struct vt_machines *vt_session_machines(const struct vt_session *s);
VT_API const struct vt_sync_result *vt_session_clocks(const struct vt_session *s);
/* Machine index of the reference clock's host, -1 when the root is no host (after vt_session_sync). */
VT_API int vt_session_host(const struct vt_session *s);
VT_API struct vt_model *vt_session_model_result(const struct vt_session *s);
VT_API const struct vt_findings *vt_session_findings(const struct vt_session *s);
/* The collectors, for what only they can tell (weak). */
VT_API const struct vt_identify *vt_session_identifier(const struct vt_session *s);
VT_API const struct vt_sync *vt_session_syncer(const struct vt_session *s);

VT_API void vt_session_free(struct vt_session *s);

#ifdef __cplusplus
}
#endif
#endif
