/* The table of sync methods, and their names. Adding a method: its file
 * (method_*.c) with its ops, its enum value in vmtrace/sync.h, and a line
 * here at the place its precision earns it. */
#include <stdlib.h>
#include <string.h>

#include "sync/method.h"

/* From the most precise evidence to the least. A claimed accuracy is not
 * comparable across methods: the hull over every pair contains the pings'
 * constraints and so always claims tighter, but one TCP segment matched wrong
 * narrows it falsely; so auto ranks the methods that place a machine by what
 * their evidence can do, as trace-cmd ranks its protocols by accuracy. */
const struct vt_sync_method_ops *const vt_sync_methods[] = {
	&vt_method_tsc,         /* exact: KVM's own arithmetic */
	&vt_method_ping,        /* hypercall round trips: microseconds */
	&vt_method_hull,        /* TCP through network stacks: tens of microseconds */
	&vt_method_containment, /* the guest-mode windows: as wide as the guest runs between exits */
	&vt_method_trusted,     /* the clocks as they are */
};
const size_t vt_sync_nmethods = sizeof(vt_sync_methods) / sizeof(vt_sync_methods[0]);
_Static_assert(sizeof(vt_sync_methods) / sizeof(vt_sync_methods[0]) <= VT_SYNC_MAX_METHODS,
	       "the policy keeps one candidate a method on the stack");

const struct vt_sync_method_ops *vt_sync_method_find(enum vt_sync_method id)
{
	for (size_t i = 0; i < vt_sync_nmethods; i++)
		if (vt_sync_methods[i]->id == id)
			return vt_sync_methods[i];
	return NULL;
}

const char *vt_sync_method_name(enum vt_sync_method m)
{
	const struct vt_sync_method_ops *ops = vt_sync_method_find(m);
	return ops ? ops->name : "auto";
}

int vt_sync_method_parse(const char *name, enum vt_sync_method *out)
{
	if (!strcmp(name, "auto")) {
		*out = VT_SYNC_AUTO;
		return 0;
	}
	for (size_t i = 0; i < vt_sync_nmethods; i++)
		if (!strcmp(name, vt_sync_methods[i]->name)) {
			*out = vt_sync_methods[i]->id;
			return 0;
		}
	return -1;
}

const char *vt_sync_quality_name(enum vt_sync_quality q)
{
	static const char *const names[] = {"ABSENT", "INCOMPLETE", "APPROXIMATE", "ACCURATE", "FAIL"};
	return (unsigned)q < sizeof(names) / sizeof(names[0]) ? names[q] : "?";
}

void vt_sync_candidate_clear(struct vt_sync_candidate *c)
{
	free(c->clock.why);
	free(c->clock.knots);
	memset(c, 0, sizeof(*c));
}
