/* What sync's first pass gathers (struct vt_sync, opaque outside src/sync):
 * the message ends every message-based method reads, and what a method feeds
 * for itself (the guests' pings, the guest-mode windows). */
#ifndef VT_SYNC_EVIDENCE_H
#define VT_SYNC_EVIDENCE_H

#include "sync/containment.h"
#include "sync/messages.h"
#include "sync/ping.h"

struct vt_sync {
	struct vt_msg_store msgs;      /* TCP, vmsync and the pings as messages */
	struct vt_containment windows; /* fed by the containment method */
	struct vt_ping_feed ping;      /* fed by the ping method, into msgs */
	unsigned off;                  /* methods not fed: bit 1u << enum vt_sync_method */
};

#endif
