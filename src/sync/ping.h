/* The guest's clock ping (docs/sync.md) as messages: the guest's PING_OUT is
 * sent before the host's exit into the ping's hypercall; the host's next entry
 * on that vCPU thread is sent before the guest's PING_BACK. */
#ifndef VT_SYNC_PING_H
#define VT_SYNC_PING_H

#include <stddef.h>
#include <stdint.h>

#include "sync/messages.h"
#include "vmtrace/event.h"

/* Per host thread (or CPU, when the tracer gave no tid): its last hypercall
 * exit, and the ping whose entry is awaited. */
struct vt_ping_thread;
struct vt_ping_feed {
	struct vt_ping_thread *slots;
	size_t count, cap;
	size_t awaiting; /* threads with a ping whose entry has not come */
	uint64_t pings_out, pings_host; /* PING_OUT seen; ping hypercalls seen on hosts */
};

void vt_ping_feed(struct vt_ping_feed *f, struct vt_msg_store *msgs, size_t trace, const struct vt_event *ev);
void vt_ping_feed_free(struct vt_ping_feed *f);

#endif
