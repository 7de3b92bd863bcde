/* The simulated world: machines, host pCPUs and threads, guests, vCPUs, guest
 * threads, network messages, and the queue of future happenings. */
#ifndef VT_SIM_MODEL_H
#define VT_SIM_MODEL_H

#include <stdint.h>

#include "sim/queue.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "vmtrace/exporters.h"
#include "sim/sim.h"

#define CTX_SIZE 20 /* event context: _tid (int32) + _procname[16] */
#define NO_HOLDER UINT32_MAX

/* Kernel event ids, the same in every machine's metadata (all < 31, so the
 * compact header fits them). */
enum evid {
	EVID_STATEDUMP,
	EVID_IRQ_EXIT,
	EVID_IRQ_ENTRY,
	EVID_NET_RX,
	EVID_NET_TX,
	EVID_SOFTIRQ_ENTRY,
	EVID_SOFTIRQ_EXIT,
	EVID_HYPERCALL,
	EVID_KVM_EXIT,
	EVID_KVM_ENTRY,
	EVID_PROC_EXIT,
	EVID_PROC_FORK,
	EVID_WAKEUP,
	EVID_SWITCH,
	EVID_VMSYNC_GH_GUEST,
	EVID_VMSYNC_HG_GUEST,
	EVID_VMSYNC_GH_HOST,
	EVID_VMSYNC_HG_HOST,
	EVID_USERSPACE_EXIT,
	EVID_PIO,
	EVID_MSR,
	EVID_INJ_VIRQ,
	EVID_TIMER_EXPIRE, /* the host's ticks (scenario host.tick_events) */
	EVID_COUNT
};

/* UST (agent) event ids. */
enum ust_evid {
	UST_MACHINE,
	UST_STATEDUMP_BEGIN,
	UST_GUEST,
	UST_GUEST_VCPU,
	UST_STATEDUMP_END,
	UST_GUEST_CREATED,
	UST_GUEST_DESTROYED,
	UST_VCPU_BOOKS, /* host.agent_books */
	UST_VM_BOOKS,
	UST_PING_OUT, /* guest.ping */
	UST_PING_BACK,
	UST_COUNT
};

/* True states of a vCPU (and of a guest thread while current on it). */
enum vstate {
	VS_IDLE,
	VS_GUEST,
	VS_HYPERVISOR,
	VS_PREEMPTED,
	VS_RUNNABLE, /* guest threads only: waiting for their vCPU */
	VS_SLEEPING, /* guest threads only */
	VS_COUNT
};

#define N_REASONS 64 /* VMX basic exit reasons */

/* VMX exit reasons the model uses. */
enum {
	VMX_EXCEPTION_NMI = 0, /* a guest page fault, without EPT */
	VMX_EXTERNAL_INTERRUPT = 1,
	VMX_CPUID = 10,
	VMX_HLT = 12,
	VMX_INVLPG = 14,
	VMX_VMCALL = 18,
	VMX_CR_ACCESS = 28,
	VMX_IO = 30,
	VMX_MSR_READ = 31,
	VMX_MSR_WRITE = 32,
	VMX_PAUSE = 40,
	VMX_EPT_VIOLATION = 48,
	VMX_EPT_MISCONFIG = 49,
	VMX_APIC_WRITE = 56,
};

/* The exit code a trace shows for a VMX reason: itself, or the SVM code of the
 * same cause on an AMD host (isa 2). */
struct sim;
uint32_t vt_sim_exit_code(const struct sim *s, uint32_t vmx_reason);

struct interval {
	uint64_t start, end;
	uint32_t state, detail;
};

/* Time accounting of one entity: current state since when, totals, and
 * (optionally) the intervals themselves. */
struct acct {
	uint32_t state, detail;
	uint64_t since;
	uint64_t total[VS_COUNT];
	struct interval *iv;
	uint64_t niv, cap_iv;
	uint64_t dropped_iv;
};

struct machine {
	char name[64];       /* folder name: "host" or the guest's name */
	char hostname[64];
	char uuid[37];       /* product_uuid */
	uint32_t index;      /* 0 host, 1.. guests */
	uint32_t ncpus;
	uint8_t trace_uuid[16];
	char clock_uuid[37];
	uint64_t clock_offset_ns; /* metadata offset: clock value 0 on the epoch */
	struct vt_ctf_writer *writer;
	struct vt_ctf_stream **streams;
	uint64_t counts[EVID_COUNT];
	/* Guest clock: epoch = t + offset + drift*(t - t0) + wander(t - t0). */
	double offset_ns, drift, jitter_ns;
	uint64_t wander_period, wander_seed;
	/* Agent trace */
	struct vt_ctf_writer *ust;
	uint64_t ust_counts[UST_COUNT];
	struct guest *guest; /* NULL for the host */
};

enum hrole { HR_HOG, HR_PERIODIC, HR_IO, HR_VCPU, HR_QEMU, HR_NETD, HR_SPAWNER };
/* HS_ABSENT: not forked yet, or exited. */
enum hstate { HS_RUNNING, HS_RUNNABLE, HS_SLEEPING, HS_ABSENT };

struct msgq {
	uint32_t *v;
	uint32_t len, cap;
};

struct hthread {
	uint32_t index;
	int32_t tid, pid;
	char comm[16];
	uint8_t ctx[CTX_SIZE];
	enum hrole role;
	enum hstate state;
	uint32_t cpu; /* current, or last */
	uint64_t work_left;
	uint64_t run_since;
	uint64_t next_period;
	uint32_t gen;
	const struct sc_host_thread *spec;
	struct vcpu *vcpu;   /* HR_VCPU */
	struct guest *guest; /* HR_QEMU */
	struct msgq queue;   /* HR_QEMU, HR_NETD: messages to receive or send */
	uint64_t state_since;
	uint64_t total[4]; /* ns per enum hstate, for truth.json */
	uint64_t vruntime; /* CPU time received, as CFS counts it (wake-up preemption) */
};

struct cpu {
	uint32_t index;
	struct hthread *cur; /* NULL: idle (swapper) */
	struct hthread **rq;
	uint32_t rq_head, rq_len, rq_cap;
	uint32_t tick_gen;
	int need_resched;
	uint64_t min_vruntime; /* the queue's CFS clock: a waking sleeper starts near it */
	uint8_t swapper_ctx[CTX_SIZE];
};

enum vmode { VM_GUEST, VM_ROOT, VM_OFF };

struct gthread {
	int32_t tid;
	char comm[16];
	uint8_t ctx[CTX_SIZE];
	struct vcpu *v;
	const struct sc_guest_thread *spec;
	uint64_t work_left;
	uint32_t gen;
	struct acct acct;
};

struct vcpu {
	struct guest *g;
	uint32_t index;
	struct hthread *th;
	enum vmode mode;
	int halted;   /* thread asleep on HLT */
	int exiting;  /* an exit is queued */
	int hlt_wait; /* last exit was HLT: sleep unless work is pending */
	int dying;    /* the guest shuts down: the thread exits instead of entering */
	int gone;     /* the thread has exited */
	uint64_t alive_start, alive_end; /* when the vCPU thread existed */
	uint32_t gen; /* of the queued step/exit/resume */
	uint64_t entry_t, last_gev_t, progress_t;
	uint32_t exit_reason, last_reason;
	uint64_t exit_info1;
	/* guest scheduler */
	struct gthread *cur; /* NULL: idle */
	struct gthread **rq;
	uint32_t rq_head, rq_len, rq_cap;
	uint64_t spont_left, next_tick;
	int tick_resched;
	int tick_at_exit;      /* a host tick came in guest mode: its event follows the exit */
	struct {               /* an exit whose kvm_exit is traced later (host.exit_traced_late) */
		uint32_t reason, intr_info;
		uint64_t rip, info1, info2, h;
	} late;
	uint64_t exit_t;       /* the last exit */
	uint64_t ticks_in_guest; /* truth: host ticks the kernel's guest_time counts */
	/* The kernel's books (host.agent_books): exits KVM counted, and the run
	 * and runqueue time before the truth's totals last restarted. */
	uint64_t exits, books_run, books_wait;
	/* pending work, handled right after the next entry */
	struct gthread **wake;
	uint32_t wake_len;
	struct msgq recv, send;
	uint32_t vmsync_host_hg; /* cnt to emit as vmsync_hg_host at the next entry (0: none) */
	uint32_t vmsync_guest_hg; /* cnt to emit as vmsync_hg_guest after the next entry */
	uint8_t swapper_ctx[CTX_SIZE];
	/* truth */
	struct acct acct;
	uint64_t hv_by_reason[N_REASONS];
	uint64_t *preempted_by; /* per host thread index, last slot: idle */
};

struct guest {
	uint32_t index; /* machine index */
	const struct sc_guest *sc;
	struct machine *m;
	int32_t pid;
	struct hthread *qemu;
	struct vcpu *vcpus;
	struct gthread *threads;
	uint32_t nthreads;
	uint64_t vm_uid;
	uint32_t vmsync_cnt;
	uint64_t vmsync_next;
	double exit_cdf[SC_EXIT_KINDS];
	double mean_exit_gap; /* ns of guest-mode time between spontaneous exits */
	uint64_t tick_period;
	int startup_pending; /* statedump and agent events, at vCPU 0's first guest step */
	enum { G_UNBORN, G_RUNNING, G_STOPPING, G_GONE } life;
	uint64_t start_t, stop_t; /* true times (stop_t UINT64_MAX: never) */
	uint64_t end_t;           /* when its QEMU process exited, or the end of the run */
	int spawn_pending;        /* QEMU's next run creates its vCPU threads */
	uint32_t vcpus_alive;
};

struct msg {
	uint32_t flow;
	uint32_t seq, ack_seq;
	uint16_t flags, sport, dport;
	uint32_t len;
	uint64_t id;
	uint64_t send_t;
	uint32_t next_free;
};

struct flow {
	const struct sc_flow *sc;
	uint32_t index;
	uint32_t isn, ack_isn;
	uint32_t count, snap_count; /* messages sent, and how many before t_snap */
	struct hthread *netd; /* host sender thread, for flows from the host */
};

struct sim {
	const struct vt_sim_scenario *sc;
	const struct vt_sim_options *opt;
	struct vt_sim_rng rng;
	struct queue q;
	uint64_t now, t0, t_end;
	/* Flight-recorder snapshot: nothing before t_snap is written, and the truth
	 * counts from it (t_snap == t0: the whole run). */
	uint64_t t_snap;
	uint64_t snap_msg_ids, snap_delivered; /* network counts at t_snap */
	struct machine *machines; /* [0] host, [1..] guests */
	uint32_t nmachines;
	struct cpu *cpus;
	uint32_t ncpus;
	struct hthread **hthreads;
	uint32_t nhthreads;
	struct guest *guests;
	uint32_t nguests;
	struct flow *flows;
	uint32_t nflows;
	struct msg *msgs;
	uint32_t nmsgs, cap_msgs, free_msg;
	uint64_t msg_ids, delivered;
	int write; /* traces are being written */
	uint64_t events;
	uint64_t swapper_index; /* preempted_by slot meaning idle */
	struct hthread *spawner; /* starts QEMU for guests that start late */
};

/* Queue event types */
enum qtype {
	Q_CPU_TICK,
	Q_HT_DONE,
	Q_HT_WAKE,
	Q_VCPU_STEP,
	Q_VCPU_EXIT,
	Q_VCPU_RESUME,
	Q_VCPU_EXIT_TRACE, /* a late-traced exit's kvm_exit (host.exit_traced_late) */
	Q_GT_WAKE,
	Q_VMSYNC_TIMER,
	Q_FLOW_SEND,
	Q_NET_ARRIVE,
	Q_GUEST_START,
	Q_GUEST_STOP,
	Q_SNAPSHOT, /* the snapshot window opens: the truth restarts its totals */
};

/* Small costs (ns) of the model's fixed steps. */
#define GUEST_STEP_NS 300      /* from entry to the first guest event, between guest events */
#define EXIT_MARGIN_NS 100     /* from the last guest event (or the entry) to the exit */
/* The host's tick callback (tick_sched_timer) as the simulated kernel has it. */
#define SIM_TICK_FUNCTION 0xffffffff8119a2f0ull
/* With host.exit_traced_late, kvm_exit is traced this long after an exit
 * that came with a tick: the time the host took to handle it. */
#define SIM_LATE_EXIT_NS 3000
/* After an exit KVM keeps the thread in guest accounting while interrupts
 * are still off: a tick that comes then counts as guest time (5 us here). */
#define SIM_EXIT_IRQ_WINDOW_NS 5000
#define RESUME_NS 2500         /* from being switched in to kvm_x86_entry */
#define IDLE_TO_HLT_NS 1500    /* guest idle loop before HLT */
#define SERVICE_NS 6000        /* host per-message processing */

/* acct.c */
void vt_sim_acct_init(struct acct *a, uint32_t state, uint64_t t);
void vt_sim_acct_set(struct sim *s, struct acct *a, uint32_t state, uint32_t detail, uint64_t t);
void vt_sim_acct_close(struct sim *s, struct acct *a, uint64_t t);
void vt_sim_vcpu_set_state(struct sim *s, struct vcpu *v, uint32_t state, uint32_t detail, uint64_t t);

/* The snapshot drops this event (its true time is before the window). */
static inline int vt_sim_dropped(const struct sim *s, uint64_t t)
{
	return t < s->t_snap;
}

/* host.c */
void vt_sim_host_set_state(struct hthread *th, enum hstate state, uint64_t t);
void vt_sim_host_wake(struct sim *s, struct hthread *th, uint64_t t);
void vt_sim_host_block(struct sim *s, struct cpu *c, uint64_t t);
void vt_sim_host_preempt(struct sim *s, struct cpu *c, uint64_t t);
void vt_sim_host_on_tick(struct sim *s, struct cpu *c, uint32_t gen);
void vt_sim_host_on_done(struct sim *s, struct hthread *th, uint32_t gen);

/* vcpu.c */
void vt_sim_vcpu_switched_in(struct sim *s, struct vcpu *v, uint64_t t);
void vt_sim_vcpu_interrupt(struct sim *s, struct vcpu *v, uint64_t t);
void vt_sim_vcpu_kick(struct sim *s, struct vcpu *v, uint64_t t);
void vt_sim_vcpu_request_exit(struct sim *s, struct vcpu *v, uint64_t t, uint32_t reason);
void vt_sim_vcpu_on_step(struct sim *s, struct vcpu *v, uint32_t gen);
void vt_sim_vcpu_on_exit(struct sim *s, struct vcpu *v, uint32_t gen);
void vt_sim_vcpu_on_resume(struct sim *s, struct vcpu *v, uint32_t gen);
void vt_sim_vcpu_on_exit_trace(struct sim *s, struct vcpu *v, uint32_t gen);
void vt_sim_vcpu_on_thread_wake(struct sim *s, struct gthread *gt, uint32_t gen);
void vt_sim_vcpu_on_vmsync_timer(struct sim *s, struct guest *g);
int vt_sim_vcpu_has_pending(const struct sim *s, const struct vcpu *v, uint64_t t);

/* net.c */
void vt_sim_net_start(struct sim *s);
void vt_sim_net_on_send_due(struct sim *s, struct flow *f);
void vt_sim_net_emit_send(struct sim *s, struct machine *m, uint32_t cpu, const uint8_t *ctx, uint32_t msg,
		   uint64_t t);
void vt_sim_net_on_arrive(struct sim *s, uint32_t msg);
void vt_sim_net_service_run(struct sim *s, struct hthread *th, uint64_t t);
void vt_sim_msgq_push(struct sim *s, struct msgq *q, uint32_t v);

/* startup.c */
void vt_sim_startup_host(struct sim *s);
void vt_sim_startup_guest(struct sim *s, struct guest *g, uint64_t t);
void vt_sim_vcpu_close(struct sim *s, struct vcpu *v, uint64_t t);

/* lifecycle.c */
void vt_sim_guest_on_start(struct sim *s, struct guest *g);
void vt_sim_guest_on_stop(struct sim *s, struct guest *g);
void vt_sim_spawner_run(struct sim *s, struct hthread *th, uint64_t t);
void vt_sim_qemu_spawn_vcpus(struct sim *s, struct guest *g, uint64_t t);
void vt_sim_vcpu_exit_thread(struct sim *s, struct vcpu *v, uint64_t t);
void vt_sim_host_exit_thread(struct sim *s, struct cpu *c, uint64_t t);
int vt_sim_guest_alive(const struct guest *g);

/* world.c */
int vt_sim_world_build(struct sim *s, int *oom);
void vt_sim_world_free(struct sim *s);
void vt_sim_random_uuid(struct sim *s, uint8_t out[16]);

/* clock.c */
uint64_t vt_sim_machine_epoch_ns(const struct sim *s, const struct machine *m, uint64_t t);

#endif
