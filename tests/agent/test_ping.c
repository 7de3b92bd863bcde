/* The guest's clock ping (src/agent/ping.c): the order of its events around
 * the hypercall in every sink, its marker lines read back, and vmtraced
 * --ping refusing a machine that is not a KVM guest. */
#include "testutil.h"
#include "agent/agent.h"
#include "vmtrace/event.h"

#include <cpuid.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake {
	FILE *json;
	long json_at_call; /* bytes the json sink had written when the hypercall was made */
	uint64_t nr, a0, a1;
	int calls;
};

static long fake_call(void *ctx, uint64_t nr, uint64_t a0, uint64_t a1)
{
	struct fake *f = ctx;
	fflush(f->json);
	f->json_at_call = ftell(f->json);
	f->nr = nr;
	f->a0 = a0;
	f->a1 = a1;
	f->calls++;
	return -1; /* what KVM answers user space: -KVM_EPERM (KVM_EPERM is EPERM, 1) */
}

static void test_order_and_values(void **state)
{
	(void)state;
	struct fake f = {0};
	f.json = tmpfile();
	assert_non_null(f.json);
	struct vt_json_sink js;
	struct vt_agent_sink sink;
	vt_json_sink_init(&sink, &js, f.json, "a temporary file");
	struct vt_pinger p;
	vt_pinger_fake(&p, fake_call, &f);
	assert_true(p.session != 0);
	for (int i = 0; i < 3; i++) {
		vt_agent_ping(&p, &sink, 1);
		assert_int_equal(f.calls, i + 1);
		assert_int_equal(f.nr, VT_PING_HYPERCALL);
		assert_int_equal(f.a0, (uint64_t)i);
		assert_int_equal(f.a1, p.session);
		assert_int_equal(p.last_ret, -1);
		/* before the call: exactly the ping_out line of this ping */
		fflush(f.json);
		long end = ftell(f.json);
		assert_true(f.json_at_call > 0 && f.json_at_call < end);
	}
	rewind(f.json);
	char line[512], session[32];
	snprintf(session, sizeof(session), "%llu", (unsigned long long)p.session);
	for (int i = 0; i < 6; i++) {
		assert_non_null(fgets(line, sizeof(line), f.json));
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "event")), i % 2 ? "ping_back" : "ping_out");
		/* as a string: 64 bits survive every JSON reader */
		assert_string_equal(json_string_value(json_object_get(j, "session")), session);
		assert_int_equal(json_integer_value(json_object_get(j, "seq")), i / 2);
		json_decref(j);
	}
	fclose(f.json);
}

/* ftrace's lines, read back as trace-cmd's and our readers do; a hostile line is refused. */
static void test_marker_round_trip(void **state)
{
	(void)state;
	char line[256], buf[256];
	struct vt_ping in = {UINT64_MAX, 18446744073709551614ull};
	for (int back = 0; back < 2; back++) {
		size_t n = vt_marker_format_ping(line, sizeof(line), back, &in);
		assert_true(n > 0 && line[n - 1] == '\n');
		struct vt_event ev;
		assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
		assert_int_equal(ev.kind, back ? VT_PING_BACK : VT_PING_OUT);
		assert_true(ev.u.ping.session == in.session);
		assert_true(ev.u.ping.seq == in.seq);
	}
	const char *bad[] = {"vmtrace: ping_out session=-1 seq=2", "vmtrace: ping_back session=1 seq=x",
			     "vmtrace: ping_out session=99999999999999999999999 seq=1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vt_event ev;
		if (vt_marker_parse(bad[i], &ev, buf, sizeof(buf)) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static int kvm_guest(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return 0;
	char sig[13] = {0};
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	return !strcmp(sig, "KVMKVMKVM");
}

/* In a KVM guest the hypercall is made and KVM refuses it to user space
 * (-KVM_EPERM); anywhere else --ping fails in one line that says why. The
 * vmtraced child runs natively even when this test runs under valgrind, whose
 * CPUID hides the hypervisor: its own outcome says which it saw. */
static void test_kvm_or_refused(void **state)
{
	(void)state;
	struct vt_pinger p;
	struct vt_error err = {0};
	int kvm = kvm_guest();
	if (kvm) {
		assert_int_equal(vt_pinger_open(&p, &err), 0);
		vt_agent_ping(&p, NULL, 0);
		assert_int_equal(p.last_ret, -1);
	} else {
		assert_int_equal(vt_pinger_open(&p, &err), -1);
		assert_true(strstr(err.msg, "KVM") || strstr(err.msg, "virtual machine"));
	}
	struct vt_run r;
	vt_run_shell(&r, "timeout 3 %s --ping=50 --sinks json", vt_build_path("vmtraced"));
	if (r.status == 124) {
		/* Still pinging when stopped: a KVM guest, pings bracketed by their events. */
		const char *out = strstr(r.out, "{\"event\":\"ping_out\"");
		assert_non_null(out);
		assert_non_null(strstr(out, "{\"event\":\"ping_back\""));
		if (!kvm) { /* only valgrind's CPUID may hide the KVM the child found */
			const char *preload = getenv("LD_PRELOAD");
			assert_non_null(preload);
			assert_non_null(strstr(preload, "vgpreload"));
			printf("NOTE: vmtraced pinged where this process sees no KVM (valgrind's CPUID)\n");
		}
	} else {
		assert_false(kvm);
		assert_int_equal(r.status, 1);
		const char *last = strstr(r.err, "vmtraced: --ping: ");
		assert_non_null(last);
		assert_true(strchr(last, '\n') == last + strlen(last) - 1); /* one line, the last */
	}
	vt_run_free(&r);
	vt_run_shell(&r, "%s --ping=5000 --sinks json", vt_build_path("vmtraced"));
	assert_int_equal(r.status, 2);
	vt_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_values),
		cmocka_unit_test(test_marker_round_trip),
		cmocka_unit_test(test_kvm_or_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
