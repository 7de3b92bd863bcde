/* The guest's ping as messages (src/sync/ping.c): which host events bound
 * it, and what a hostile or damaged trace cannot make of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmtrace/event.h"
#include "vmtrace/sync.h"
#include "vmtrace/sync_pairs.h"

enum { HOST = 0, GUEST = 1 };
#define SESSION 0xfedcba9876543210ull

static struct vt_event ev_of(enum vt_kind kind, uint64_t ts, int32_t tid)
{
	struct vt_event ev = {.ts_ns = ts, .kind = kind, .tid = tid, .pid = tid, .cpu = 0};
	return ev;
}

static void ping(struct vt_sync *s, enum vt_kind kind, uint64_t ts, uint64_t seq)
{
	struct vt_event ev = ev_of(kind, ts, 900);
	ev.u.ping = (struct vt_ping){SESSION, seq};
	vt_sync_feed(s, GUEST, &ev);
}

static void host_exit(struct vt_sync *s, uint64_t ts, int32_t tid, uint64_t reason)
{
	struct vt_event ev = ev_of(VT_KVM_EXIT, ts, tid);
	ev.u.kvm_exit = (struct vt_kvm_exit){.exit_reason = reason, .isa = VT_ISA_SVM, .vcpu_id = 0};
	vt_sync_feed(s, HOST, &ev);
}

static void host_call(struct vt_sync *s, uint64_t ts, int32_t tid, uint64_t nr, uint64_t seq)
{
	struct vt_event ev = ev_of(VT_KVM_HYPERCALL, ts, tid);
	ev.u.hypercall = (struct vt_kvm_hypercall){nr, seq, SESSION, 0, 0};
	vt_sync_feed(s, HOST, &ev);
}

static void host_entry(struct vt_sync *s, uint64_t ts, int32_t tid)
{
	struct vt_event ev = ev_of(VT_KVM_ENTRY, ts, tid);
	vt_sync_feed(s, HOST, &ev);
}

struct seen {
	struct vt_msg_pair p[16];
	size_t n;
};

static void collect(void *ctx, const struct vt_msg_pair *pair)
{
	struct seen *s = ctx;
	if (s->n < 16)
		s->p[s->n++] = *pair;
}

static const struct vt_msg_pair *from(const struct seen *s, size_t trace, int64_t send_ns)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].send_trace == trace && s->p[i].send_ns == send_ns)
			return &s->p[i];
	return NULL;
}

/* out (guest) → the exit into the hypercall (host); the next entry (host) → back (guest). */
static void test_one_ping(void **state)
{
	(void)state;
	struct vt_sync *s = vt_sync_new(NULL);
	host_exit(s, 5000, 42, 0x060); /* an interrupt's exit: not the ping's */
	host_entry(s, 5200, 42);
	ping(s, VT_PING_OUT, 10000, 7);
	host_exit(s, 10500, 42, 0x081); /* SVM VMMCALL */
	host_call(s, 10900, 42, VT_PING_HYPERCALL, 7);
	host_entry(s, 11400, 42);
	host_entry(s, 13000, 42); /* a later entry: not the ping's */
	ping(s, VT_PING_BACK, 12000, 7);
	struct seen seen = {0};
	assert_int_equal(vt_sync_message_pairs(s, collect, &seen), 2);
	const struct vt_msg_pair *gh = from(&seen, GUEST, 10000), *hg = from(&seen, HOST, 11400);
	assert_non_null(gh);
	assert_non_null(hg);
	assert_int_equal(gh->recv_trace, HOST);
	assert_int_equal(gh->recv_ns, 10500); /* the exit, tighter than the hypercall's 10900 */
	assert_int_equal(gh->recv_tid, 42);
	assert_int_equal(hg->recv_trace, GUEST);
	assert_int_equal(hg->recv_ns, 12000);
	uint64_t out, host;
	vt_sync_ping_counts(s, &out, &host);
	assert_int_equal(out, 1);
	assert_int_equal(host, 1);
	vt_sync_free(s);
}

/* No hypercall exit traced before it (or one too long before): the hypercall's own time. */
static void test_exit_missing(void **state)
{
	(void)state;
	struct vt_sync *s = vt_sync_new(NULL);
	ping(s, VT_PING_OUT, 10000, 1);
	host_call(s, 10900, 42, VT_PING_HYPERCALL, 1);
	host_entry(s, 11400, 42);
	ping(s, VT_PING_BACK, 12000, 1);
	ping(s, VT_PING_OUT, 20000000, 2);
	host_exit(s, 18000000, 42, 0x081); /* 2.0 ms before: another hypercall's */
	host_call(s, 20000900, 42, VT_PING_HYPERCALL, 2);
	host_entry(s, 20001400, 42);
	ping(s, VT_PING_BACK, 20002000, 2);
	struct seen seen = {0};
	assert_int_equal(vt_sync_message_pairs(s, collect, &seen), 4);
	assert_int_equal(from(&seen, GUEST, 10000)->recv_ns, 10900);
	assert_int_equal(from(&seen, GUEST, 20000000)->recv_ns, 20000900);
	vt_sync_free(s);
}

/* Other hypercalls (the kernel's PV IPIs), an entry on another thread, a
 * ping with no entry after it, pings left out: no message made up. */
static void test_nothing_made_up(void **state)
{
	(void)state;
	struct vt_sync *s = vt_sync_new(NULL);
	ping(s, VT_PING_OUT, 10000, 3);
	host_exit(s, 10500, 42, 0x081);
	host_call(s, 10600, 42, 10 /* KVM_HC_SEND_IPI */, 3);
	host_entry(s, 10700, 42);
	host_call(s, 10900, 43, VT_PING_HYPERCALL, 3);
	host_entry(s, 11000, 44); /* another vCPU thread */
	ping(s, VT_PING_BACK, 12000, 3);
	struct seen seen = {0};
	assert_int_equal(vt_sync_message_pairs(s, collect, &seen), 1); /* the guest → host one only */
	assert_int_equal(seen.p[0].recv_ns, 10900);
	vt_sync_free(s);

	s = vt_sync_new(NULL);
	vt_sync_ignore_pings(s);
	ping(s, VT_PING_OUT, 10000, 4);
	host_exit(s, 10500, 42, 0x081);
	host_call(s, 10900, 42, VT_PING_HYPERCALL, 4);
	host_entry(s, 11400, 42);
	ping(s, VT_PING_BACK, 12000, 4);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vt_sync_message_pairs(s, collect, &seen), 0);
	vt_sync_free(s);
}

/* A trace naming a million threads with ping hypercalls: bounded, no crash. */
static void test_many_threads(void **state)
{
	(void)state;
	struct vt_sync *s = vt_sync_new(NULL);
	for (int32_t tid = 1; tid <= 1100000; tid++)
		host_call(s, 1000 + (uint64_t)tid, tid, VT_PING_HYPERCALL, (uint64_t)tid);
	for (int32_t tid = 1; tid <= 1100000; tid += 1000)
		host_entry(s, 5000000 + (uint64_t)tid, tid);
	uint64_t out, host;
	vt_sync_ping_counts(s, &out, &host);
	assert_int_equal(host, 1100000);
	vt_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_ping),
		cmocka_unit_test(test_exit_missing),
		cmocka_unit_test(test_nothing_made_up),
		cmocka_unit_test(test_many_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
