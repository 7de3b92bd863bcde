/* Read-only access to the messages sync matched (vmtrace/sync_pairs.h). */
#include "sync/messages.h"
#include "vmtrace/sync_pairs.h"

/* struct vt_sync (sync.c) begins with its message table, and C lets a pointer
 * to a structure be read as a pointer to its first member. This file may not
 * change sync.c; should the table move, the Perfetto test's flow check fails. */
static const struct vt_msg_table *table_of(const struct vt_sync *s)
{
	return (const struct vt_msg_table *)(const void *)s;
}

size_t vt_sync_message_pairs(const struct vt_sync *s, void (*fn)(void *ctx, const struct vt_msg_pair *pair),
			     void *ctx)
{
	const struct vt_msg_table *t = table_of(s);
	size_t n = 0;
	for (size_t i = 0; i < t->count; i++) {
		const struct vt_msg *msg = &t->slots[i];
		for (uint8_t a = 0; a < msg->nsend; a++)
			for (uint8_t b = 0; b < msg->nrecv; b++) {
				if (msg->send[a].trace == msg->recv[b].trace)
					continue;
				struct vt_msg_pair p = {msg->send[a].trace, msg->recv[b].trace, msg->send[a].tid,
							msg->recv[b].tid, msg->send[a].ts, msg->recv[b].ts,
							(msg->key.b & 3) != 0};
				fn(ctx, &p);
				n++;
			}
	}
	return n;
}
