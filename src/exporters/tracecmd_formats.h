/* The ftrace headers and event formats the trace.dat writer declares: the
 * text of a real kernel's tracefs files (Linux 6.18, x86-64), plus the
 * vmsync events as an ftrace module would declare them. */
#ifndef VT_EXPORTERS_TRACECMD_FORMATS_H
#define VT_EXPORTERS_TRACECMD_FORMATS_H

#include <stddef.h>

struct vt_tc_format {
	const char *system, *name;
	int id;
	const char *text; /* the events/SYSTEM/NAME/format file */
};

/* Event ids, as in the format texts. */
enum {
	VT_TCF_PRINT = 5,
	VT_TCF_KVM_USERSPACE_EXIT = 42,
	VT_TCF_KVM_MSR = 99,
	VT_TCF_KVM_INJ_VIRQ = 102,
	VT_TCF_KVM_EXIT = 103,
	VT_TCF_KVM_PIO = 110,
	VT_TCF_KVM_HYPERCALL = 114,
	VT_TCF_KVM_ENTRY = 115,
	VT_TCF_SOFTIRQ_EXIT = 222,
	VT_TCF_SOFTIRQ_ENTRY = 223,
	VT_TCF_IRQ_EXIT = 224,
	VT_TCF_IRQ_ENTRY = 225,
	VT_TCF_HRTIMER_EXPIRE_ENTRY = 357,
	VT_TCF_EXEC = 365,
	VT_TCF_FORK = 366,
	VT_TCF_EXIT = 369,
	VT_TCF_SWITCH = 372,
	VT_TCF_WAKEUP_NEW = 373,
	VT_TCF_WAKEUP = 374,
	VT_TCF_NETIF_RECEIVE_SKB = 2303,
	VT_TCF_NET_DEV_QUEUE = 2304,
	VT_TCF_VMSYNC_GH_GUEST = 3001, /* then HG_GUEST, GH_HOST, HG_HOST */
};

extern const struct vt_tc_format vt_tc_formats[];
extern const size_t vt_tc_nformats;

/* events/header_page and events/header_event. */
extern const char vt_tc_header_page[];
extern const char vt_tc_header_event[];

/* The trace_clock file's list of clocks, the selected one in brackets. */
extern const char *const vt_tc_clocks[];

#endif
