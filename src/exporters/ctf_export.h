/* The synchronized CTF export (ctf_export.c: graphs; ctf_export_copy.c: the
 * filter's message mapping). */
#ifndef VT_EXPORTERS_CTF_EXPORT_H
#define VT_EXPORTERS_CTF_EXPORT_H

#include <babeltrace2/babeltrace.h>

#include "vmtrace/sync.h"

struct vt_ctf_export_filter {
	const struct vt_clock_sync *clock; /* the trace's machine → host time */
	bt_message_iterator **upstream;    /* one per input port, read one after the other */
	size_t nupstream, current;
	uint64_t events;
	const char *failed; /* why a message could not be mapped */
};

/* The message again, its timestamps in host time; NULL with f->failed set, or out of memory. */
const bt_message *vt_ctf_export_map(struct vt_ctf_export_filter *f, bt_self_message_iterator *self,
				    const bt_message *msg);

#endif
