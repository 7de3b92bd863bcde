/* The host's LTTng session for `vmtrace record`, through the lttng command
 * (lttng-tools 2.13's CLI and its machine interface): the session daemon
 * started when none runs, the kernel tracer checked, a session of our own
 * with the events the analysis reads, then start / stop / snapshot / destroy. */
#ifndef VT_RECORD_LTTNG_CTL_H
#define VT_RECORD_LTTNG_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmtrace/error.h"

/* The kernel events the analysis reads (lttng-modules names), and the
 * contexts it needs; guests take the same without the kvm_ ones. */
extern const char *const vt_lttng_kernel_events[];
extern const size_t vt_lttng_kernel_nevents;

struct vt_lttng_session {
	char name[128];         /* "vmtrace-<pid>-<time>" */
	char output[4096];      /* its output folder (not for snapshot sessions until a snapshot) */
	int snapshot;           /* created with --snapshot */
	int kernel;             /* has a kernel channel */
	int ust;                /* has the vmtrace:* UST events */
	pid_t sessiond;         /* the session daemon we started, 0 when one was running */
	char version[64];       /* "2.13.9" */
	char missing[1024];     /* kernel events this kernel lacks, comma-separated */
	int timeout_ms;         /* each lttng command's deadline */
};

/* lttng's version into s->version, and a session daemon: started (root's,
 * with the kernel tracer) when none answers. Fails in one line when lttng is
 * not installed, or when the kernel tracer is wanted and unavailable
 * ("lttng-modules not loaded: ..."). */
int vt_lttng_prepare(struct vt_lttng_session *s, int want_kernel, struct vt_error *err);

/* Creates the session (output folder, or snapshot mode with that output),
 * a kernel channel sized by subbuf_kb x nsubbuf per CPU, the kernel events
 * this kernel has (the others named in s->missing), the contexts pid, tid,
 * procname; and vmtrace:* in the UST domain when ust. */
int vt_lttng_setup(struct vt_lttng_session *s, const char *output, int snapshot, int kernel, int ust,
		   unsigned subbuf_kb, unsigned nsubbuf, struct vt_error *err);

int vt_lttng_start(struct vt_lttng_session *s, struct vt_error *err);
int vt_lttng_stop(struct vt_lttng_session *s, struct vt_error *err);
/* lttng snapshot record into the session's output (a snapshot-N-... folder). */
int vt_lttng_snapshot(struct vt_lttng_session *s, struct vt_error *err);
/* Events discarded and packets lost so far, summed over every channel. */
int vt_lttng_lost(struct vt_lttng_session *s, uint64_t *discarded, uint64_t *lost_packets, struct vt_error *err);
/* Destroys the session (whatever its state) and stops the daemon we started. */
void vt_lttng_teardown(struct vt_lttng_session *s);

/* Sums every <TAG>N</TAG> of lttng's machine-interface output (for tests). */
uint64_t vt_lttng_mi_sum(const char *xml, const char *tag);

#endif
