/* Matching messages across traces: a TCP segment by (seq, ack_seq, flags), a
 * vmsync hypercall by (vm_uid, cnt); the first occurrence on each trace counts. */
#ifndef VT_SYNC_MESSAGES_H
#define VT_SYNC_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/event.h"

/* Sends (or receives) of one message kept, on distinct traces: two covers a
 * guest and the host bridging for it; more are rare and dropped. */
#define VT_MSG_ENDS 2

/* The low 2 bits of key.b: what kind of message. */
enum { VT_MSG_TCP = 0, VT_MSG_VMSYNC_GH = 1, VT_MSG_VMSYNC_HG = 2, VT_MSG_PING = 3 };

struct vt_msg_key {
	uint64_t a, b; /* tcp: seq<<32|ack_seq, flags<<2; vmsync: vm_uid, cnt<<2|type;
			  ping: session, seq<<3|host_to_guest<<2|VT_MSG_PING */
};

struct vt_msg_end {
	uint32_t trace;
	int32_t tid; /* the thread in whose context the tracer saw it */
	int64_t ts;
};

struct vt_msg {
	struct vt_msg_key key;
	uint8_t used, nsend, nrecv; /* used: 1 a message, 2 one whose key repeats on a trace (not matched) */
	struct vt_msg_end send[VT_MSG_ENDS], recv[VT_MSG_ENDS];
};

/* Messages in one dense array; the hash slots hold indices (+1, 0 = empty),
 * so the half-empty hash costs 4 bytes a slot, not a whole message. */
struct vt_msg_table {
	struct vt_msg *slots; /* the messages, slots[0..count) */
	size_t count, room;
	uint32_t *index;
	size_t cap;
	int oom;
};

/* Records the event when it is one end of a message. */
void vt_msg_table_feed(struct vt_msg_table *t, size_t trace, const struct vt_event *ev);
void vt_msg_table_free(struct vt_msg_table *t);

/* Every message of a trace set, with memory that does not grow with the
 * traces: the ends go to an unlinked temporary file as they come, and are
 * matched at the end in as many partitions (by key) as it takes for each to
 * fit a fixed budget. With no temporary file, one table in memory. */
struct vt_msg_log;
struct vt_msg_store {
	struct vt_msg_table mem; /* everything, when there is no log */
	struct vt_msg_log *log;
	int no_log;
};

void vt_msg_store_feed(struct vt_msg_store *s, size_t trace, const struct vt_event *ev);
/* One end of a message whose key the caller made (the ping's). */
void vt_msg_store_put(struct vt_msg_store *s, const struct vt_msg_key *key, int is_send, size_t trace, int32_t tid,
		      int64_t ts);
/* Calls fn for every message that has a send or a receive (messages of one
 * partition at a time: do not keep the pointer). Returns 0, or -1 when out of
 * memory or the temporary file failed. */
int vt_msg_store_each(const struct vt_msg_store *s, void (*fn)(void *ctx, const struct vt_msg *m), void *ctx);
/* Why the temporary file failed (strerror), or NULL. */
const char *vt_msg_store_error(const struct vt_msg_store *s);
void vt_msg_store_free(struct vt_msg_store *s);

#endif
