/* vmtrace stage 2, identify: which traces are which machine, which machine is
 * a host or a guest, which QEMU process runs each guest, which host thread
 * runs each vCPU. Fed events during a first pass, then finished. */
#ifndef VMTRACE_IDENTIFY_H
#define VMTRACE_IDENTIFY_H

#include "vmtrace/api.h"

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/sources.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vt_role { VT_ROLE_UNKNOWN = 0, VT_ROLE_HOST, VT_ROLE_GUEST };

/* "host", "guest", "unknown". */
VT_API const char *vt_role_name(enum vt_role role);

struct vt_vcpu_map {
	uint32_t vcpu;
	int32_t tid; /* host thread running the vCPU */
	const char *evidence; /* static: "agent", "kvm_exit vcpu_id", "thread name" */
	/* From the agent (debugfs): guest_tsc = host_tsc * ratio / 2^frac_bits + offset. */
	int has_tsc;
	int64_t tsc_offset;
	uint64_t tsc_ratio; /* 0: not scaled */
	uint32_t tsc_frac_bits;
};

struct vt_machine {
	char *key;          /* owned: what identifies it: "uuid:...", or "clock:...+host:..." */
	char *product_uuid; /* owned; NULL when unknown */
	char *hostname;     /* owned; NULL when unknown */
	enum vt_role role;
	size_t *traces; /* owned: indices into the source's traces */
	size_t ntraces;
	/* Guests only: */
	int host;         /* index of its host machine, -1 when not matched */
	int64_t qemu_pid; /* -1 when unknown */
	char *name;       /* owned: QEMU's -name, NULL when unknown */
	struct vt_vcpu_map *vcpus; /* owned */
	size_t nvcpus;
	char *evidence; /* owned: how the guest was matched to its host, or what is missing */
};

/* A guest the host's agent named but no trace belongs to. */
struct vt_untraced_guest {
	int host;
	int64_t pid;
	char *uuid, *name; /* owned */
};

/* One uuid claimed by several QEMU processes alive at once on one host (a
 * user's process can claim any -uuid): at most one of them runs the guest it
 * names, so identification ties that guest's trace to none of them, unless
 * other evidence (vmsync, --guest UUID=PID) decides. */
struct vt_uuid_conflict {
	char *uuid;    /* owned */
	int host;      /* machine index */
	int64_t *pids; /* owned: npids (2 or more), ascending */
	size_t npids;
};

/* A process on a host trace that ran guests: threads of it exited guest mode. */
struct vt_kvm_process {
	size_t host_trace;
	int64_t pid; /* 0: unknown (no statedump, fork or pid context) */
	int guest;   /* machine index of the guest it runs, -1 when not matched */
	struct vt_vcpu_map *vcpus; /* owned: from kvm_exit's vcpu_id */
	size_t nvcpus;
	int claimed; /* already the QEMU of a matched guest */
};

struct vt_machines {
	struct vt_machine *machines; /* owned, like every pointer here: vt_machines_free */
	size_t count;
	size_t *trace_machine; /* owned: source trace index → machine index */
	size_t ntraces;
	struct vt_untraced_guest *untraced; /* owned */
	size_t nuntraced;
	struct vt_uuid_conflict *conflicts; /* owned; also said in the guest machine's evidence */
	size_t nconflicts;
	/* Owned: the processes of host traces whose threads ran guests, with the
	 * guest each runs as matched so far (the model's vCPUs); kept current by
	 * vt_identify_finish and vt_identify_set_guest. */
	struct vt_kvm_process *processes;
	size_t nprocesses;
};

/* "uuid U is claimed by N QEMU processes alive at once on HOST (pids A, B):
 * ..." (malloc'ed; NULL when out of memory). The uuid is the trace's bytes. */
VT_API char *vt_uuid_conflict_describe(const struct vt_machines *m, const struct vt_uuid_conflict *c);

struct vt_identify;

/* Guests pinned on the command line (--guest UUID=PID) override the traces. */
struct vt_guest_hint {
	const char *uuid; /* weak: copied by whoever keeps the hint */
	int64_t pid;
};

/* NULL with err set when out of memory (as every constructor: owned, vt_identify_free). */
VT_API struct vt_identify *vt_identify_new(struct vt_error *err);
VT_API int vt_identify_add_hint(struct vt_identify *id, const struct vt_guest_hint *hint);

/* Looks at one event of trace number `trace` (the caller's numbering, the same
 * as in vt_identify_finish); cheap for the kinds identification ignores. */
VT_API void vt_identify_feed(struct vt_identify *id, size_t trace, const struct vt_event *ev);

/* Groups the traces into machines and matches guests; traces[i] describes
 * trace number i, read whole. Returns 0 or -1 with err. */
VT_API int vt_identify_finish(struct vt_identify *id, const struct vt_trace_info *const *traces, size_t ntraces,
		       struct vt_machines **out, struct vt_error *err);

/* Later evidence for a machine no agent named: host threads (on host trace
 * host_trace) that handled its messages. When most belong to one QEMU process,
 * the machine becomes that process's guest (with its vCPU threads). Returns 1
 * when matched, 0 when the evidence does not decide, -1 out of memory. */
VT_API int vt_identify_guest_by_threads(const struct vt_identify *id, struct vt_machines *m, size_t guest,
				 size_t host_trace, const int32_t *tids, size_t ntids, const char *evidence);


/* Every such process; *out is malloc'ed (free with vt_kvm_processes_free). */
VT_API size_t vt_identify_kvm_processes(const struct vt_identify *id, const struct vt_machines *m,
				 struct vt_kvm_process **out);
VT_API void vt_kvm_processes_free(struct vt_kvm_process *p, size_t n);

/* Makes machine `guest` the guest of QEMU `pid` on host trace `host_trace`,
 * with its vCPU threads, and records why. Returns 0, or -1 out of memory. */
VT_API int vt_identify_set_guest(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
			  int64_t pid, char *evidence_owned);

/* Ties vCPU map->vcpu of machine `guest` to host thread map->tid of host
 * trace host_trace (map->evidence says why), for a guest whose QEMU no event
 * names; a machine not yet placed becomes that host's guest, pid unknown.
 * Returns 0, or -1 out of memory. */
VT_API int vt_identify_add_vcpu(const struct vt_identify *id, struct vt_machines *m, size_t guest, size_t host_trace,
				const struct vt_vcpu_map *map);

VT_API void vt_identify_free(struct vt_identify *id);
VT_API void vt_machines_free(struct vt_machines *machines);

/* Machine index of a trace. */
static inline size_t vt_machine_of_trace(const struct vt_machines *m, size_t trace)
{
	return m->trace_machine[trace];
}

#ifdef __cplusplus
}
#endif
#endif
