/* Two traces read event by event (same_events.h). */
#include "same_events.h"

#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

uint64_t vt_assert_same_events(const char *ctf1, const char *ctf2)
{
	struct vt_error err = {0};
	struct vt_source *sa = vt_source_open(&ctf1, 1, &err);
	if (!sa)
		fail_msg("%s", err.msg);
	struct vt_source *sb = vt_source_open(&ctf2, 1, &err);
	if (!sb)
		fail_msg("%s", err.msg);
	assert_int_equal(vt_source_trace_count(sa), vt_source_trace_count(sb));
	const struct vt_event *x, *y;
	uint64_t n = 0;
	int ra;
	while ((ra = vt_source_next(sa, &x, &err)) > 0) {
		assert_int_equal(vt_source_next(sb, &y, &err), 1);
		if (x->ts_ns != y->ts_ns || x->trace != y->trace || x->stream != y->stream || x->cpu != y->cpu ||
		    x->kind != y->kind || strcmp(x->name, y->name) || x->tid != y->tid || x->pid != y->pid ||
		    !same_str(x->procname, y->procname))
			fail_msg("event %llu differs: %s at %llu / %s at %llu", (unsigned long long)n, x->name,
				 (unsigned long long)x->ts_ns, y->name, (unsigned long long)y->ts_ns);
		if (x->kind == VT_SCHED_SWITCH)
			assert_true(x->u.sched_switch.next_tid == y->u.sched_switch.next_tid &&
				    same_str(x->u.sched_switch.next_comm, y->u.sched_switch.next_comm));
		if (x->kind == VT_NET_SEND || x->kind == VT_NET_RECV)
			assert_true(x->u.net.len == y->u.net.len && x->u.net.has_key == y->u.net.has_key &&
				    x->u.net.key.seq == y->u.net.key.seq && same_str(x->u.net.ifname, y->u.net.ifname));
		if (x->kind == VT_KVM_EXIT)
			assert_true(x->u.kvm_exit.exit_reason == y->u.kvm_exit.exit_reason &&
				    x->u.kvm_exit.vcpu_id == y->u.kvm_exit.vcpu_id);
		if (x->kind == VT_GUEST_VCPU)
			assert_true(x->u.guest_vcpu.tid == y->u.guest_vcpu.tid &&
				    x->u.guest_vcpu.tsc_offset == y->u.guest_vcpu.tsc_offset);
		n++;
	}
	assert_int_equal(ra, 0);
	assert_int_equal(vt_source_next(sb, &y, &err), 0);
	for (size_t t = 0; t < vt_source_trace_count(sa); t++) {
		assert_int_equal(vt_source_trace(sa, t)->events, vt_source_trace(sb, t)->events);
		assert_int_equal(vt_source_trace(sa, t)->clock.offset_s, vt_source_trace(sb, t)->clock.offset_s);
	}
	vt_source_close(sa);
	vt_source_close(sb);
	return n;
}
