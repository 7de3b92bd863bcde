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

/* "a|b": calls index_of(ctx, name) for each alternative in turn; the first
 * that is not VT_NO_SLOT, or VT_NO_SLOT. */
int16_t vt_event_name_pick(const char *alternatives, int16_t (*index_of)(const void *ctx, const char *name),
			   const void *ctx);

/* One payload slot's value as a reader found it: present when the event
 * class has the member; u its integer value (0 for any other type), s its
 * text when it is a string (weak: valid as long as the event). */
struct vt_slot_value {
	int present;
	uint64_t u;
	const char *s;
};

/* Fills ev->u for kind from its slots' values (ev->u zeroed by the caller).
 * net_header: the lttng-modules >= 2.9 layout, whose network_header the
 * caller decoded into ev->u.net already. */
void vt_event_fill(enum vt_kind kind, const char *name, const struct vt_slot_value *slots, int net_header,
		   struct vt_event *ev);

#endif
