/* Two readings of traces compared event by event (same_events.h). */
#include "same_events.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "testutil.h"

int vt_same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The string members of each kind's payload, by offset in the union. */
struct str_field {
	enum vt_kind kind;
	size_t off;
};
#define U(m) offsetof(struct vt_event, u.m) - offsetof(struct vt_event, u)
static const struct str_field str_fields[] = {
	{VT_SCHED_SWITCH, U(sched_switch.prev_comm)},
	{VT_SCHED_SWITCH, U(sched_switch.next_comm)},
	{VT_SCHED_WAKEUP, U(sched_wakeup.comm)},
	{VT_PROCESS_FORK, U(fork.parent_comm)},
	{VT_PROCESS_FORK, U(fork.child_comm)},
	{VT_PROCESS_EXEC, U(exec.filename)},
	{VT_PROCESS_EXIT, U(exit.comm)},
	{VT_STATEDUMP_PROCESS, U(statedump_process.name)},
	{VT_NET_SEND, U(net.ifname)},
	{VT_NET_RECV, U(net.ifname)},
	{VT_MACHINE_ID, U(machine.product_uuid)},
	{VT_MACHINE_ID, U(machine.machine_id)},
	{VT_MACHINE_ID, U(machine.boot_id)},
	{VT_MACHINE_ID, U(machine.hostname)},
	{VT_GUEST_DUMP, U(guest.uuid)},
	{VT_GUEST_DUMP, U(guest.name)},
	{VT_GUEST_DUMP, U(guest.kvm)},
	{VT_GUEST_CREATED, U(guest.uuid)},
	{VT_GUEST_CREATED, U(guest.name)},
	{VT_GUEST_CREATED, U(guest.kvm)},
	{VT_GUEST_DESTROYED, U(guest.uuid)},
	{VT_GUEST_DESTROYED, U(guest.name)},
	{VT_GUEST_DESTROYED, U(guest.kvm)},
	{VT_IRQ_ENTRY, U(irq.name)},
	{VT_IRQ_EXIT, U(irq.name)},
};

const char *vt_events_differ(const struct vt_event *a, const struct vt_event *b, int same_streams)
{
	if (a->ts_ns != b->ts_ns)
		return "ts_ns";
	if (a->trace != b->trace)
		return "trace";
	if (same_streams && a->stream != b->stream)
		return "stream";
	if (a->cpu != b->cpu)
		return "cpu";
	if (a->kind != b->kind)
		return "kind";
	if (!vt_same_str(a->name, b->name))
		return "name";
	if (a->tid != b->tid || a->pid != b->pid)
		return "tid/pid";
	if (!vt_same_str(a->procname, b->procname))
		return "procname";
	if (a->kind == VT_OTHER)
		return NULL;
	unsigned char ua[sizeof(a->u)], ub[sizeof(b->u)];
	memcpy(ua, &a->u, sizeof(ua));
	memcpy(ub, &b->u, sizeof(ub));
	for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]); i++) {
		if (str_fields[i].kind != a->kind)
			continue;
		const char *sa, *sb;
		memcpy(&sa, ua + str_fields[i].off, sizeof(sa));
		memcpy(&sb, ub + str_fields[i].off, sizeof(sb));
		if (!vt_same_str(sa, sb))
			return "a string of the payload";
		memset(ua + str_fields[i].off, 0, sizeof(sa));
		memset(ub + str_fields[i].off, 0, sizeof(sb));
	}
	return memcmp(ua, ub, sizeof(ua)) ? "a field of the payload" : NULL;
}

uint64_t vt_assert_same_event_stream(struct vt_source *sa, struct vt_source *sb, const char *what, int same_streams)
{
	struct vt_error ea = {0}, eb = {0};
	uint64_t count = 0;
	for (;;) {
		const struct vt_event *x, *y;
		int ra = vt_source_next(sa, &x, &ea), rb = vt_source_next(sb, &y, &eb);
		if (ra < 0)
			fail_msg("%s: %s", what, ea.msg);
		if (rb < 0)
			fail_msg("%s: %s", what, eb.msg);
		if (ra != rb)
			fail_msg("%s: after %" PRIu64 " events, the %s reading ends first", what, count,
				 ra ? "second" : "first");
		if (!ra)
			return count;
		const char *why = vt_events_differ(x, y, same_streams);
		if (why)
			fail_msg("%s: event %" PRIu64 " (%s at %" PRIu64 " / %s at %" PRIu64 ") differs: %s", what,
				 count, x->name, x->ts_ns, y->name, y->ts_ns, why);
		count++;
	}
}

uint64_t vt_assert_same_events(const char *a, const char *b)
{
	struct vt_error err = {0};
	struct vt_source *sa = vt_source_open_with(&a, 1, VT_READER_NATIVE, &err);
	if (!sa)
		fail_msg("%s", err.msg);
	struct vt_source *sb = vt_source_open_with(&b, 1, VT_READER_NATIVE, &err);
	if (!sb)
		fail_msg("%s", err.msg);
	assert_int_equal(vt_source_trace_count(sa), vt_source_trace_count(sb));
	uint64_t n = vt_assert_same_event_stream(sa, sb, a, 1);
	for (size_t t = 0; t < vt_source_trace_count(sa); t++) {
		assert_int_equal(vt_source_trace(sa, t)->events, vt_source_trace(sb, t)->events);
		assert_int_equal(vt_source_trace(sa, t)->clock.offset_s, vt_source_trace(sb, t)->clock.offset_s);
	}
	vt_source_close(sa);
	vt_source_close(sb);
	return n;
}
