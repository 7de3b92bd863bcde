/* `vmtrace analyze DIR` against the kernel's own books (issue 21): record.json's
 * kernel_accounting (read at the recording's start and end) beside our
 * figures over the same span (docs/json.md, kernel_accounting). */
#ifndef VMTRACE_CLI_KACCT_CHECK_H
#define VMTRACE_CLI_KACCT_CHECK_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "vmtrace/model.h"

struct vt_analysis;

/* A difference above both is a warning (the kernel's resolution and the
 * reads' own slack are far below them; docs/json.md). */
#define VT_KACCT_WARN_REL 0.05
#define VT_KACCT_WARN_NS 20000000ull
#define VT_KACCT_WARN_EXITS 10ull
/* From an exit to the interrupts it left pending (KVM turns them on again
 * before it leaves guest accounting): a few microseconds. */
#define VT_KACCT_IRQ_WINDOW_NS 5000ull

/* Where a row's two reads come from. */
enum vt_kacct_source { VT_KACCT_RECORD_JSON = 0, VT_KACCT_TRACE };

/* Where a vCPU thread is, as its last KVM event says, for the next tick. */
enum vt_kacct_moment {
	VT_KACCT_NO_EXIT,              /* nothing that a tick could follow */
	VT_KACCT_AFTER_EXIT,           /* right after a synchronous exit */
	VT_KACCT_AFTER_INTERRUPT_EXIT, /* right after an interrupt's exit */
	VT_KACCT_IN_GUEST,             /* after an entry, its exit not traced yet */
	VT_KACCT_IN_GUEST_HOST_SEEN,   /* the same, host code already seen on the thread */
};

struct vt_kacct_row {
	enum vt_kacct_source source;
	int64_t pid;
	uint32_t vcpu;
	int32_t tid;
	int64_t t0, t1;          /* CLOCK_MONOTONIC of the two reads */
	uint64_t r0, r1;         /* the same in the host trace's reference time */
	int has_sched, has_gt, has_exits;
	uint64_t k_run, k_wait, k_guest_ticks, k_exits;
	long clk_tck;
	uint64_t ours[VT_VCPU_STATE_COUNT]; /* clipped to [r0, r1] */
	uint64_t our_exits;
	/* The kernel's guest_time is a tick count: a tick taken while the thread
	 * runs guest code (it arrives as an external-interrupt exit, or is
	 * pending at another exit, and is handled before KVM leaves guest
	 * accounting) adds one tick. These are our counts of such ticks and of
	 * all ticks on the thread, in the span. */
	uint64_t guest_ticks, thread_ticks;
	/* With kvm_exit traced late, a tick between entry and exit came in
	 * guest accounting (pending at the exit) or after it (once interrupts
	 * were on again); the trace tells only for the first host code after
	 * the entry before an interrupt's exit. guest_ticks counts the sure
	 * ones, guest_ticks_max all: the kernel's count lies between. */
	uint64_t guest_ticks_max;
	enum vt_kacct_moment moment; /* what the thread's last event says of the moment */
	uint64_t pending_ticks; /* ticks between an entry and its late-traced exit, until its reason */
	uint64_t pending_first; /* of them, one that was the first host code after the entry */
	uint64_t exit_ref; /* that exit's time */
	/* Interrupt and softirq handlers' time while the thread was current: a
	 * kernel with CONFIG_IRQ_TIME_ACCOUNTING (Debian's) leaves it out of the
	 * thread's run time, so the kernel's run lies in [ours - irq_ns, ours]. */
	uint64_t irq_ns;
	int in_model, partial_life; /* its thread was a vCPU thread for only part of the span */
};

struct vt_kacct_vm {
	enum vt_kacct_source source;
	int64_t pid;
	uint64_t r0, r1;
	int has[4];
	uint64_t k[4], ours[4]; /* exits, io_exits, mmio_exits, signal_exits */
};

/* A vCPU thread's (or a VM's) first and last books in one trace, as the
 * host's agent wrote them (vcpu_books, vm_books events). */
struct vt_kacct_books {
	size_t trace;
	int vm;         /* vm_books; else vcpu_books */
	int64_t pid;
	int32_t tid;    /* vcpu_books */
	uint64_t t0, t1; /* the two reads on the trace's clock (event time minus its age) */
	size_t count;
	struct vt_vcpu_books v0, v1;
	struct vt_vm_books m0, m1;
};

/* At most this many threads and VMs per input (a hostile trace could name millions). */
#define VT_KACCT_MAX_BOOKS 65536u

struct vt_kacct {
	struct vt_kacct_row *rows;
	size_t nrows;
	struct vt_kacct_vm *vms;
	size_t nvms;
	struct vt_kacct_books *books; /* from the traces, pass 1 */
	size_t nbooks;
	size_t *books_index;     /* open addressing: 1 + the entry's index, 0 empty */
	size_t books_index_size;
	int books_cut;           /* more than VT_KACCT_MAX_BOOKS */
	int clock_ok;            /* the host's trace clock is CLOCK_MONOTONIC */
	char clock_note[256];
	int64_t offset_ns;       /* reference = monotonic + offset */
	uint64_t lost;           /* events the host's tracer lost */
	uint64_t tick_function;  /* record.json's tick_sched_timer address, 0: unknown */
	uint64_t ticks;          /* the host's tick events seen */
	uint64_t *last_tick;     /* per host CPU: the last tick's time (0: none) */
	uint8_t *in_softirq;     /* per host CPU: a softirq runs (entry seen, not its exit) */
	uint8_t *irq_depth;      /* per host CPU: handlers (hard and soft) entered, not left */
	uint64_t *irq_since;     /* per host CPU: when the outermost one began */
	int32_t *cur_tid;        /* per host CPU: the thread on it (sched_switch), -1: unknown */
	size_t ncpus;
	uint64_t period_votes[4]; /* consecutive ticks of a CPU 1/HZ apart, per candidate HZ */
	uint64_t tick_ns;        /* 1/HZ as the ticks show it, 0: unknown */
	struct vt_model_sink next;
};

/* Reads DIR/record.json's kernel_accounting into *k (appended). Returns the
 * vCPUs added (0: none there), -1 when out of memory. */
int vt_kacct_load(struct vt_kacct *k, const char *dir);
/* Pass 1: keeps each thread's and VM's first and last books (any event may
 * come; others are ignored). */
void vt_kacct_collect(void *ctx, size_t trace, const struct vt_event *ev);
/* Are there kernel books to compare, from record.json or the traces? */
int vt_kacct_any(const struct vt_kacct *k);
/* The books of the host's traces as rows and VMs (kacct_books.c), for the
 * threads and VMs record.json did not give: 0, -1 when out of memory. */
int vt_kacct_books_rows(struct vt_kacct *k, const struct vt_analysis *a);
/* Before the model runs: the host trace's clock and losses, the books of
 * the host's traces become rows where record.json had none; a sink that sees
 * every vCPU interval then passes it on to next. */
struct vt_model_sink vt_kacct_sink(struct vt_kacct *k, const struct vt_analysis *a, const struct vt_model_sink *next);
/* Every host event as the model is fed. */
void vt_kacct_event(struct vt_kacct *k, uint64_t ref, const struct vt_event *ev);
/* After the model: which rows' threads it knew, for the whole span or not. */
void vt_kacct_finish(struct vt_kacct *k, const struct vt_model *model);
void vt_kacct_print(const struct vt_kacct *k, const struct vt_analysis *a, FILE *out);
json_t *vt_kacct_json(const struct vt_kacct *k, const struct vt_analysis *a);
/* The HTML report's table (vt_html_report_set_table): fills t, its cells
 * owned by *cells (free with vt_kacct_table_free). 0, 1 when there is
 * nothing to show, -1 when out of memory. */
struct vt_html_table;
int vt_kacct_table(const struct vt_kacct *k, const struct vt_analysis *a, struct vt_html_table *t, char ***cells);
void vt_kacct_table_free(char **cells, const struct vt_html_table *t);
void vt_kacct_free(struct vt_kacct *k);

#endif
