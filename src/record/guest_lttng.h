/* The LTTng scripts a guest session runs (guest_session.h): a kernel
 * session recording the guest events `vmtrace record` wants, its stop, its
 * snapshot. Guests need lttng-tools, lttng-modules and a running
 * lttng-sessiond (root); nothing else. */
#ifndef VT_RECORD_GUEST_LTTNG_H
#define VT_RECORD_GUEST_LTTNG_H

#include <stdint.h>

/* The guest's kernel events (the host's list minus kvm_*, with
 * lttng-modules' names); those the guest kernel lacks are left out and said
 * (vmtrace-note). lttng_statedump_* are always enabled too. */
extern const char vt_guest_lttng_events[];

struct vt_guest_lttng {
	const char *session;  /* the LTTng session name: letters, digits, '_', '-', '.' (at most 64) */
	const char *output;   /* the guest folder the trace goes to: absolute, must not exist */
	const char *events;   /* comma-separated kernel events; NULL: vt_guest_lttng_events */
	uint64_t subbuf_size; /* bytes per sub-buffer (a power of two); 0: 1 MiB */
	unsigned num_subbuf;  /* sub-buffers per CPU (a power of two); 0: 4 */
	int snapshot;         /* a snapshot session: overwrite mode, written by the snapshot script */
	int agent_events;     /* also the UST events of a vmtraced running in the guest (its machine
				 identity); nothing is lost when none runs */
	const char *url;      /* NULL, or net://ADDR:CTRL:DATA: the session streams to that
				 lttng-relayd (says vmtrace-relay: URL), and when the guest cannot
				 reach it, is written to output instead (says why in a note) */
};

/* The scripts, as new strings (free them); NULL when an option is not
 * valid or out of memory. start: create --output (or --set-url), enable-channel with the
 * buffer size, enable-event -k, add-context -k pid,tid,procname, start;
 * says vmtrace-tracer. stop: stop (says vmtrace-lost: the events LTTng
 * discarded) and destroy. snapshot: `lttng snapshot record` (a new
 * snapshot-N-... folder under output each time). */
char *vt_guest_lttng_start(const struct vt_guest_lttng *o);
char *vt_guest_lttng_stop(const struct vt_guest_lttng *o);
char *vt_guest_lttng_snapshot(const struct vt_guest_lttng *o);

#endif
