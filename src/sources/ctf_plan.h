/* What the native reader captures of an event record class, computed once:
 * the payload members a normalized kind reads (ctf_names.c's slots, "a|b"
 * alternatives resolved), lttng-modules' network_header parts, and a stream
 * class's context members (tid, pid, procname, the packet's cpu_id). */
#ifndef VT_SOURCES_CTF_PLAN_H
#define VT_SOURCES_CTF_PLAN_H

#include "sources/ctf_decode.h"
#include "sources/ctf_flat.h"
#include "sources/ctf_read.h"

/* Captures of an event's payload: the kind's slots, then network_header's parts. */
enum {
	VT_PLAN_NET_IPV4 = VT_DECODER_SLOTS, /* the ipv4 option was selected */
	VT_PLAN_NET_IPV6,
	VT_PLAN_NET_IP, /* per family (+ 8 * family): */
	VT_PLAN_IP_SADDR = 0,
	VT_PLAN_IP_DADDR,
	VT_PLAN_IP_TCP, /* the tcp option was selected */
	VT_PLAN_IP_SPORT,
	VT_PLAN_IP_DPORT,
	VT_PLAN_IP_SEQ,
	VT_PLAN_IP_ACK_SEQ,
	VT_PLAN_IP_FLAGS,
	VT_PLAN_CAPTURES = VT_PLAN_NET_IP + 16,
};

struct vt_ctf_plan {
	const char *name; /* weak: the trace class's */
	enum vt_kind kind;
	int net_header;    /* the lttng-modules >= 2.9 network_header layout */
	int ip_addr[2];    /* the ip struct has saddr and daddr */
	int ip_tcp[2];     /* its transport variant has a usable tcp option */
	uint32_t ncaps;    /* captures used: 0 .. ncaps - 1 */
	int16_t *index;    /* payload pre-order number -> capture, or -1 (owned) */
	uint32_t n;
	struct vt_flat *specific, *payload; /* their read programs, NULL when absent (owned) */
};

/* Captures of the contexts: common context, then the packet context's. */
enum { VT_PLAN_CTX_TID, VT_PLAN_CTX_PID, VT_PLAN_CTX_PROCNAME, VT_PLAN_CTX_COUNT };

struct vt_ctf_ctx_plan {
	int16_t *common; /* owned */
	uint32_t ncommon;
	int any_common;
	int16_t *packet; /* owned: cpu_id -> 0 */
	uint32_t npacket;
	int has_cpu;
	struct vt_flat *header, *common_prog, *packet_prog; /* read programs, NULL when absent (owned) */
};

/* Returns 0, or -1 when out of memory. */
int vt_ctf_plan_init(struct vt_ctf_plan *p, const struct vt_ctf_event_class *ec);
void vt_ctf_plan_fini(struct vt_ctf_plan *p);
int vt_ctf_ctx_plan_init(struct vt_ctf_ctx_plan *p, const struct vt_ctf_stream_class *sc);
void vt_ctf_ctx_plan_fini(struct vt_ctf_ctx_plan *p);

/* Fills ev's kind, name and payload from the captures the reader made. */
void vt_ctf_plan_fill(const struct vt_ctf_plan *p, const struct vt_ctf_reader *r, const struct vt_ctf_capture *caps,
		      struct vt_event *ev);

#endif
