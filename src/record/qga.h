/* A client of the QEMU guest agent (qemu-ga) over the unix socket of QEMU's
 * virtio-serial chardev: checked connection, sync, commands with deadlines.
 * The guest is hostile: every answer is bounded and checked, every call ends
 * by its deadline (a guest that never answers costs that, and no more). */
#ifndef VT_RECORD_QGA_H
#define VT_RECORD_QGA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "record/qga_proto.h"
#include "agent/agent.h"
#include "vmtrace/error.h"

/* The longest answer line of an ordinary call (guest-info lists ~50
 * commands in ~4 KiB). File reads and exec statuses raise it for their call. */
#define VT_QGA_MAX_LINE (256u * 1024u)

/* Now on CLOCK_MONOTONIC, in ms: deadlines are instants of this clock. */
int64_t vt_qga_now_ms(void);

struct vt_qga;

/* Connects to the guest agent socket PATH of the QEMU process PID, which
 * must be that process's own: the socket file (not a symlink) belongs to one
 * of PID's uids (PROC/PID/status) and, once connected, the listener's
 * SO_PEERCRED pid is PID. So root never connects to a socket another user
 * planted, nor one of root's own services. Then syncs (guest-sync-delimited).
 * NULL with err on failure. */
struct vt_qga *vt_qga_connect(const struct vt_agent_paths *paths, int64_t pid, const char *path,
			      int64_t deadline, struct vt_error *err);
void vt_qga_close(struct vt_qga *q);

/* The guest agent of libvirt's guest: its domain (by UUID, the QEMU's
 * -uuid) checked to be PID, each call then one virsh process
 * (qga_virsh.h); lv NULL: the defaults. Sync is libvirt's. NULL with err. */
struct vt_qga_libvirt;
struct vt_qga *vt_qga_connect_libvirt(const struct vt_qga_libvirt *lv, int64_t pid, const char *uuid,
				      int64_t deadline, struct vt_error *err);
/* Is q reached through libvirt? */
int vt_qga_is_libvirt(const struct vt_qga *q);

/* "guest agent of pid N (PATH)": how errors name this connection. */
const char *vt_qga_name(const struct vt_qga *q);
/* Puts that name before err's message; returns -1. */
int vt_qga_named(const struct vt_qga *q, struct vt_error *err);

/* guest-sync-delimited with a fresh random id: drops whatever came before
 * the agent's sentinel byte and the answers that are not ours. */
int vt_qga_sync(struct vt_qga *q, int64_t deadline, struct vt_error *err);

/* Sends COMMAND with ARGS (NULL or an object; the reference is stolen)
 * without waiting for its answer; a connection out of step (a call failed
 * before) is synced first. */
int vt_qga_send(struct vt_qga *q, const char *command, json_t *args, int64_t deadline, struct vt_error *err);

/* Reads the answer to the oldest call sent: *ret its "return" value (a new
 * reference). An answer longer than max_line, not JSON, not in the shape of
 * an answer, or none by the deadline: -1 with err, and the next call syncs
 * first. The agent's own error ("error": {"desc"}) is -1 too. */
int vt_qga_recv(struct vt_qga *q, size_t max_line, int64_t deadline, json_t **ret, struct vt_error *err);

/* send + recv. */
int vt_qga_call(struct vt_qga *q, const char *command, json_t *args, size_t max_line, int64_t deadline,
		json_t **ret, struct vt_error *err);

/* ---- commands ---- */

/* guest-info: the agent's version and which commands it allows; -1 naming
 * the missing ones when guest-exec or the file commands are disabled. */
int vt_qga_info(struct vt_qga *q, int64_t deadline, struct vt_qga_info *info, struct vt_error *err);

/* guest-get-host-name into out. */
int vt_qga_host_name(struct vt_qga *q, int64_t deadline, char *out, size_t size, struct vt_error *err);

/* guest-exec of `/bin/sh -c SCRIPT` with its output captured: begin sends
 * it, end reads the guest pid it got. */
int vt_qga_exec_begin(struct vt_qga *q, const char *script, int64_t deadline, struct vt_error *err);
int vt_qga_exec_end(struct vt_qga *q, int64_t deadline, int64_t *gpid, struct vt_error *err);

/* Polls guest-exec-status until the process exited or the deadline: its
 * exit and output (at most max_out bytes of each stream). -1 with err when
 * it is still running at the deadline (st->exited 0), or a call failed. */
int vt_qga_exec_wait(struct vt_qga *q, int64_t gpid, size_t max_out, int64_t deadline,
		     struct vt_qga_exec_status *st, struct vt_error *err);

/* Reads the guest file PATH (guest-file-open/read/close) in chunks of at
 * most chunk bytes, handing each to sink; refuses a file longer than max
 * bytes. sink returns -1 (with err set) to stop. Returns the bytes read. */
typedef int (*vt_qga_sink)(void *ctx, const uint8_t *data, size_t len, struct vt_error *err);
int64_t vt_qga_file_read(struct vt_qga *q, const char *path, size_t chunk, uint64_t max, int64_t deadline,
			 vt_qga_sink sink, void *ctx, struct vt_error *err);

#endif
