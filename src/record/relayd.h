/* The lttng-relayd `vmtrace record --relay` runs on the host: guests stream
 * their LTTng session to it over the network instead of keeping it for the
 * guest agent to bring back. It writes under DIR/.relay (its own layout:
 * HOSTNAME/SESSION-DATE-TIME/...), and each guest's folder is moved to
 * DIR/<guest> once the daemon has stopped. It has no authentication: it
 * listens only while recording, and only on the address given. */
#ifndef VT_RECORD_RELAYD_H
#define VT_RECORD_RELAYD_H

#include <sys/types.h>

#include "vmtrace/error.h"

struct vt_relayd {
	char addr[256];     /* where the guests reach it: an IPv4 address or a host name */
	unsigned ctrl, data; /* its control and data ports */
	char url[320];      /* for `lttng create --set-url`: net://ADDR:CTRL:DATA */
	char dir[4200];     /* DIR/.relay */
	pid_t pid;          /* 0 when not running */
};

/* "ADDR" or "ADDR:CTRL:DATA" into r (ports 0 when not given); -1 with err. */
int vt_relayd_parse(struct vt_relayd *r, const char *spec, struct vt_error *err);

/* Starts lttng-relayd writing under OUTDIR/.relay, listening on r->addr
 * (ports: those given, else LTTng's 5342/5343 when free, else free ones
 * the system picks; its live port on 127.0.0.1), and waits until it accepts
 * connections (5 s at most). Its log: OUTDIR/.relay/relayd.log. */
int vt_relayd_start(struct vt_relayd *r, const char *outdir, struct vt_error *err);

/* Stops it (its files closed) and reaps it; nothing when it is not running. */
void vt_relayd_stop(struct vt_relayd *r);

/* Moves the one folder SESSION-YYYYMMDD-HHMMSS the daemon wrote for session
 * (under any HOSTNAME: a guest's name is its own) to dest (which must not
 * exist). -1 with err when there is none, or more than one. */
int vt_relayd_collect(const struct vt_relayd *r, const char *session, const char *dest, struct vt_error *err);

/* After every collect: DIR/.relay removed when nothing but its log and
 * empty HOSTNAME folders are left (else kept, and said in err, -1). */
int vt_relayd_finish(struct vt_relayd *r, struct vt_error *err);

#endif
