/* The parsed scenario: what vt_sim_scenario_load() checks and vt_sim_run() reads. */
#ifndef VT_SIM_SCENARIO_H
#define VT_SIM_SCENARIO_H

#include <stdint.h>

#include "sim/sim.h"

#define SC_NAME 64

enum sc_host_kind { SC_HOG, SC_PERIODIC, SC_IO };
enum sc_clock_mode { SC_CLOCK_NONE, SC_CLOCK_NTP, SC_CLOCK_PTP };

/* Spontaneous exit kinds a guest's mix weighs (timer, HLT and vmsync exits
 * come from the model itself). */
enum sc_exit_kind {
	SC_EXIT_IO,
	SC_EXIT_MMIO,
	SC_EXIT_MSR_READ,
	SC_EXIT_MSR_WRITE,
	SC_EXIT_EPT,
	SC_EXIT_HYPERCALL,
	SC_EXIT_CPUID,
	SC_EXIT_APIC,
	SC_EXIT_PAUSE,
	SC_EXIT_PF,     /* guest page fault intercepted: shadow paging (no EPT/NPT) */
	SC_EXIT_INVLPG, /* intercepted only with shadow paging */
	SC_EXIT_CR3,    /* CR3 load: intercepted only with shadow paging */
	SC_EXIT_KINDS
};

struct sc_host_thread {
	char name[16];
	enum sc_host_kind kind;
	uint32_t count;
	uint64_t burst_ns, sleep_ns, period_ns;
};

struct sc_guest_thread {
	char name[16];
	uint32_t count;
	uint64_t burst_ns, sleep_ns;
	int32_t vcpu; /* -1: spread over the vCPUs */
};

struct sc_clock {
	enum sc_clock_mode mode;
	double offset_ns;  /* guest minus host at the start */
	double drift_ppm;
	double jitter_ns;  /* amplitude of the slow wander */
	uint64_t wander_period_ns;
};

struct sc_guest {
	char name[SC_NAME];
	char hostname[SC_NAME];
	char uuid[37];
	char kernel_release[SC_NAME];
	int32_t qemu_pid; /* 0: chosen by the simulator */
	uint32_t vcpus;
	struct sc_clock clock;
	double exit_rate_hz; /* spontaneous exits per second of guest-mode time */
	double mix[SC_EXIT_KINDS];
	uint32_t tick_hz;
	uint64_t vmsync_period_ns; /* 0: no vmsync (nor ping) */
	int ping;                  /* the hypercalls are vmtraced's pings (guest.ping), not vmsync's */
	uint64_t start_ns;         /* QEMU started this long after the trace start (0: already running) */
	uint64_t stop_ns;          /* guest shut down at this time after the trace start (0: never) */
	int lock_spin;             /* its vCPUs spin (PAUSE exits) while a sibling vCPU is preempted */
	struct sc_guest_thread *threads;
	uint32_t nthreads;
};

struct sc_flow {
	uint32_t from, to; /* machine index: 0 host, 1.. guests */
	double rate_hz;
	uint64_t latency_ns, jitter_ns;
	uint32_t len;
	uint64_t from_ns, until_ns; /* it sends in [from, until) of the run; until 0: to the end */
};

/* A finding the scenario is built to show (written into truth.json). */
struct sc_finding {
	char id[SC_NAME];
	char guest[SC_NAME]; /* "" when not about one guest */
	char thread[16];     /* a host thread's name (the noisy neighbour), "" */
};

struct vt_sim_scenario {
	char origin[512];
	char name[SC_NAME];
	uint64_t seed;
	uint64_t duration_ns;
	uint64_t snapshot_from_ns; /* 0: the whole run is traced */
	uint64_t start_epoch_ns;
	uint64_t packet_size;
	int truth_intervals;
	uint64_t max_intervals; /* per vCPU and per thread */

	char hostname[SC_NAME];
	char host_uuid[37];
	char host_kernel_release[SC_NAME];
	uint32_t cpus;
	uint64_t timeslice_ns;
	int agent;
	int entry_vcpu_garbage;
	int tick_events; /* the host's ticks as hrtimer_expire_entry events */
	int agent_books; /* the agent writes the kernel's books (vcpu_books, vm_books) */
	int exit_traced_late; /* kvm_exit traced after the interrupts pending at the exit (SVM, Linux < 6.x) */
	int svm; /* AMD: SVM exit codes, isa 2 */
	struct sc_host_thread *host_threads;
	uint32_t nhost_threads;

	struct sc_guest *guests;
	uint32_t nguests;
	struct sc_flow *flows;
	uint32_t nflows;
	struct sc_finding *findings;
	uint32_t nfindings;
};

#endif
