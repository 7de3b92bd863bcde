/* The table of tracer event names → normalized kinds and their payload slots. */
#ifndef VT_SOURCES_CTF_NAMES_H
#define VT_SOURCES_CTF_NAMES_H

#include "sources/ctf_decode.h"

struct vt_event_name {
	const char *name;
	enum vt_kind kind;
	const char *slots[VT_DECODER_SLOTS]; /* "a|b" accepts either member name */
};

/* The entry for an event name, or NULL (the event is OTHER). */
const struct vt_event_name *vt_event_name_lookup(const char *name);

#endif
