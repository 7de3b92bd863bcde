/* The message pairs sync matched (TCP segments, vmsync hypercalls), read-only:
 * for exporters that draw them (Perfetto flows). */
#ifndef VMTRACE_SYNC_PAIRS_H
#define VMTRACE_SYNC_PAIRS_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One matched message: a send and a receive seen on two different traces
 * (trace numbering as fed to vt_sync_feed; times on each trace's own clock). */
struct vt_msg_pair {
	size_t send_trace, recv_trace;
	int32_t send_tid, recv_tid;
	int64_t send_ns, recv_ns;
	int vmsync; /* 0: a TCP segment, 1: a vmsync hypercall */
};

/* Calls fn for each matched message's sends × receives on different traces
 * (a bridged message has a send on the guest and one on the host). Returns
 * the number of calls. */
VT_API size_t vt_sync_message_pairs(const struct vt_sync *s, void (*fn)(void *ctx, const struct vt_msg_pair *pair),
			     void *ctx);

#ifdef __cplusplus
}
#endif
#endif
