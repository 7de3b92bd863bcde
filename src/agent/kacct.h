/* The kernel's own books on one guest's vCPU threads (issue 21): schedstat's
 * run and runqueue-wait time, stat's guest_time, KVM's debugfs counters. Read
 * at a recording's start and end, their differences are a truth the analysis
 * must meet. Everything read is hostile: a value that cannot be read or
 * parsed is "unknown" (its has_ flag clear), never a crash. */
#ifndef VT_AGENT_KACCT_H
#define VT_AGENT_KACCT_H

#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"

/* Bounds: a KVM VM folder holds some 60-90 statistics files (the VM's and the
 * sum of its vCPUs'), a vcpuN folder a handful; more are ignored (cut set). */
#define VT_KACCT_MAX_VM_COUNTERS 128u
#define VT_KACCT_MAX_VCPU_COUNTERS 32u
#define VT_KACCT_NAME_MAX 48u

struct vt_kacct_counter {
	char name[VT_KACCT_NAME_MAX]; /* [a-z0-9_-] only */
	uint64_t value;
};

struct vt_kacct_counters {
	struct vt_kacct_counter *c; /* owned */
	size_t n;
	int cut; /* more numeric files than the bound */
};

struct vt_kacct_thread {
	uint32_t vcpu;
	int32_t tid;
	int64_t mono_ns;        /* CLOCK_MONOTONIC when read */
	int has_sched;          /* schedstat read */
	uint64_t run_ns, wait_ns, timeslices;
	int has_guest_time;     /* stat field 43 read */
	uint64_t guest_ticks;
	struct vt_kacct_counters kvm; /* DEBUGFS/kvm/PID-FD/vcpuN numeric files */
};

struct vt_kacct_guest {
	int64_t pid;
	int64_t mono_ns;                /* CLOCK_MONOTONIC when the VM folder was read */
	long clk_tck;                   /* sysconf(_SC_CLK_TCK): guest_time's unit */
	struct vt_kacct_counters vm;    /* DEBUGFS/kvm/PID-FD numeric files (vCPU stats summed there) */
	struct vt_kacct_thread *threads; /* owned */
	size_t nthreads;
};

/* schedstat text "RUN WAIT SLICES": 0, or -1 when not that. */
int vt_kacct_parse_schedstat(const char *text, uint64_t *run, uint64_t *wait, uint64_t *slices);
/* stat text of a task: its guest_time (field 43, after the comm's last ')'): 0 or -1. */
int vt_kacct_parse_guest_time(const char *text, uint64_t *ticks);

/* The numeric files of dir (regular files named [a-z0-9_-], holding one
 * unsigned decimal), at most max; "prefer" names are read first so a bound
 * never drops them. Returns 0 (out->n may be 0), -1 only when out of memory. */
int vt_kacct_read_dir(const char *dir, size_t max, struct vt_kacct_counters *out);

/* Reads the books of guest pid's vCPU threads (vcpu[i] = index, tid[i] =
 * thread, tid < 0: unknown, left with nothing read). Returns 0, or -1 when out of memory. */
int vt_kacct_read_guest(const struct vt_agent_paths *paths, int64_t pid, const uint32_t *vcpu, const int32_t *tid,
			size_t n, struct vt_kacct_guest *out);
void vt_kacct_guest_free(struct vt_kacct_guest *g);

/* The kernel address of symbol (a function's name) in PROC/kallsyms: 0, or
 * -1 when absent, unreadable, or hidden (kptr_restrict shows it as 0). */
int vt_kacct_symbol(const struct vt_agent_paths *paths, const char *symbol, uint64_t *addr);

/* The value of counter name, or -1 when absent. */
int vt_kacct_get(const struct vt_kacct_counters *c, const char *name, uint64_t *value);

#endif
