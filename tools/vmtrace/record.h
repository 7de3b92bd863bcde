/* `vmtrace record` (cmd_record.c): the host's session (record_host.c), every
 * guest through its QEMU guest agent (record_guests.c), record.json
 * (record_json.c). docs/record.md says what a recording holds. */
#ifndef VMTRACE_CLI_RECORD_H
#define VMTRACE_CLI_RECORD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent/kacct.h"
#include "record/lttng_ctl.h"
#include "record/relayd.h"
#include "agent/agent.h"
#include "vmtrace/error.h"

enum vt_rec_tracer { VT_REC_LTTNG, VT_REC_FTRACE };

struct vt_rec_opts {
	const char *outdir;
	enum vt_rec_tracer tracer;
	int tracer_chosen;          /* --tracer given (else chosen: lttng when its kernel tracer loads) */
	double duration_s;          /* 0: until Ctrl-C */
	char **select;              /* --guest NAME|UUID|PID */
	size_t nselect;
	int no_guests, snapshot, analyze, force;
	int no_agent;               /* no identities written: no vmtraced, no guest UST events */
	unsigned host_buffer_kb;    /* per CPU; 0: sized from the CPU count */
	unsigned guest_buffer_kb;   /* per CPU in a guest; 0: 4096 */
	int guest_timeout_s;        /* each guest-agent step's bound */
	const char *vmtraced;       /* the agent program; NULL: beside vmtrace, else on PATH */
	const char *relay;          /* --relay ADDR[:CTRL:DATA]: guests stream to our lttng-relayd */
	struct vt_agent_paths paths;
};

/* ---- the host ---- */

struct vt_rec_host {
	enum vt_rec_tracer tracer;
	char dir[4096];             /* DIR/host */
	char dat[4200];             /* ftrace: DIR/host/host.dat */
	char capture[4200];         /* ftrace: the capture folder while recording */
	struct vt_lttng_session lttng;
	struct vt_ftrace_rec *ftrace;
	char tracer_version[96];
	char missing[1024];         /* events this kernel lacks */
	char clock[32];
	uint64_t tick_function;     /* tick_sched_timer's address (0: unknown) */
	pid_t agent;                /* the vmtraced giving identities (0: none) */
	int agent_ours;             /* started for this recording */
	int agent_stopped;
	char agent_note[512];       /* why identities come from record.json only */
	uint64_t events, lost, bytes;
	unsigned snapshots;
	int running;
};

int vt_rec_host_start(struct vt_rec_host *h, const struct vt_rec_opts *o, struct vt_error *err);
/* Live figures into h (events: ftrace only; bytes: what lies in DIR/host). */
int vt_rec_host_poll(struct vt_rec_host *h, struct vt_error *err);
/* Identities now (SIGUSR1 to the agent, LTTng's statedump again), then the snapshot. */
int vt_rec_host_snapshot(struct vt_rec_host *h, struct vt_error *err);
/* Stops tracing (the moment every guest is stopped too). */
int vt_rec_host_stop(struct vt_rec_host *h, struct vt_error *err);
/* After stop: the session destroyed, the agent stopped, ftrace's capture
 * assembled into host.dat. */
int vt_rec_host_finish(struct vt_rec_host *h, struct vt_error *err);
/* Whatever state: tracing off, nothing more written (a second Ctrl-C). */
void vt_rec_host_abort(struct vt_rec_host *h);

/* ---- the guests ---- */

enum vt_rec_guest_state {
	VT_REC_G_CONNECTING, VT_REC_G_STARTING, VT_REC_G_RECORDING, VT_REC_G_STOPPING, VT_REC_G_FETCHING,
	VT_REC_G_DONE, VT_REC_G_HOST_ONLY, VT_REC_G_FAILED,
};

struct vt_rec_guest {
	struct vt_guest_info info;  /* from the statedump (vcpu owned) */
	char folder[256];           /* DIR/<folder>: its name when safe, else uuid, else qemu-PID */
	int created_during;         /* appeared during the recording */
	int64_t created_ms, started_ms, stopped_ms;
	enum vt_rec_guest_state state;
	char why[1024];             /* host-only or failed: why, one line */
	char tracer[128];           /* "lttng 2.13.9", "ftrace" */
	char agent_version[64];
	const char *agent_channel;  /* "socket", "libvirt" (through virsh); NULL before its agent answered */
	char notes[512];
	char session[64];           /* its LTTng session's name (unique per guest: the relay's folders) */
	int relayed;                /* its trace went to the relay daemon: collected after the stop */
	uint64_t lost, bytes;
	int has_lost;
	/* The kernel's books on its vCPU threads at the start and the stop
	 * (issue 21); a guest created during the recording has no start. */
	struct vt_kacct_guest kstart, kend;
	int has_kstart, has_kend;
	pthread_t thread;
	int joinable;
	struct vt_rec_guests *all;
};

struct vt_rec_guests {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, abort;
	unsigned snapshot_seq;      /* raised: every recording guest takes a snapshot */
	struct vt_rec_guest **g;
	size_t n;
	const struct vt_rec_opts *o;
	const char *outdir;
	const struct vt_relayd *relay; /* running: guests' LTTng sessions stream to it */
};

void vt_rec_guests_init(struct vt_rec_guests *gs, const struct vt_rec_opts *o);
/* The statedump's guests that carry KVM evidence and match --guest (all when
 * none is given); each gets its worker. Says on stderr which --guest matched
 * nothing. Returns the count started. */
size_t vt_rec_guests_start(struct vt_rec_guests *gs, const struct vt_guest_list *l);
/* A guest created during the recording (a KVM uevent): recorded too when its
 * agent answers before the end. */
void vt_rec_guests_add(struct vt_rec_guests *gs, const struct vt_guest_info *g);
void vt_rec_guests_snapshot(struct vt_rec_guests *gs);
/* Every guest stops now (their stop scripts all begun before any is waited
 * for); fetching follows in each worker. */
void vt_rec_guests_stop(struct vt_rec_guests *gs);
void vt_rec_guests_abort(struct vt_rec_guests *gs);
/* Waits for every worker (the fetches). */
void vt_rec_guests_join(struct vt_rec_guests *gs);
/* After join, the relay daemon stopped: each relayed guest's folder moved
 * from the daemon's tree to DIR/<folder> (a failure: that guest failed). */
void vt_rec_guests_collect(struct vt_rec_guests *gs);
void vt_rec_guests_free(struct vt_rec_guests *gs);
/* The kernel's books of every guest's vCPU threads now: at the start (right
 * after tracing is on) or the end (right before it stops). */
void vt_rec_guests_kacct(struct vt_rec_guests *gs, const struct vt_agent_paths *paths, int end);
/* "guest1 recording, guest2 host-only (no agent)": for the status line. */
void vt_rec_guests_status(struct vt_rec_guests *gs, char *buf, size_t size);
const char *vt_rec_guest_state_name(enum vt_rec_guest_state s);

/* ---- record.json ---- */

struct vt_rec_summary {
	const struct vt_rec_opts *o;
	const struct vt_rec_host *host;
	struct vt_rec_guests *guests;
	const char *status;         /* "recording", "done", "stopped: disk full", "aborted", "failed" */
	const char *error;          /* "" or the one line that ended it */
	int64_t start_realtime_ns, stop_realtime_ns;
	int64_t start_mono_ns, stop_mono_ns;
	int64_t first_event_ms;     /* start → tracing on, host */
};

/* Writes DIR/record.json whole (docs/record.md). */
int vt_rec_write_json(const struct vt_rec_summary *s, struct vt_error *err);

/* Size of a folder tree (files only, no symbolic link followed). */
uint64_t vt_rec_tree_bytes(const char *dir);

#endif
