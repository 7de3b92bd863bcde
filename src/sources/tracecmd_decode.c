#include "sources/tracecmd_decode.h"

#include <stdlib.h>
#include <string.h>

#include "common/marker.h"

/* "a|b": the first alternative the format has. */
static struct tep_format_field *field_any(struct tep_event *event, const char *names)
{
	char buf[64];
	const char *p = names;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		struct tep_format_field *f = tep_find_field(event, buf);
		if (f)
			return f;
		p = bar ? bar + 1 : NULL;
	}
	return NULL;
}

/* Only the systems whose events the name table means: a "print" or an
 * "irq_handler_entry" of some other system is not ours. "vmsync": the vmsync
 * hypercall pairs as an ftrace module declares them (vmtrace-sim writes them). */
static bool known_system(const char *system)
{
	static const char *const systems[] = {"kvm", "sched", "irq", "net", "ftrace", "vmsync", "timer"};
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		if (system && !strcmp(system, systems[i]))
			return true;
	return false;
}

static void decoder_init(struct vt_tc_decoder *dec, struct tep_event *event)
{
	memset(dec, 0, sizeof(*dec));
	dec->id = event->id;
	dec->name = event->name ? event->name : "(unnamed)";
	dec->kind = VT_OTHER;
	if (!known_system(event->system) || !event->name)
		return;
	if (!strcmp(event->system, "ftrace")) {
		if (!strcmp(event->name, "print")) {
			dec->special = VT_TC_PRINT;
			dec->slot[0] = tep_find_field(event, "buf");
		}
		return;
	}
	const struct vt_event_name *entry = vt_event_name_lookup(event->name);
	if (!entry)
		return;
	dec->kind = entry->kind;
	for (int i = 0; i < VT_DECODER_SLOTS && entry->slots[i]; i++)
		dec->slot[i] = field_any(event, entry->slots[i]);
}

static int by_id(const void *a, const void *b)
{
	const struct vt_tc_decoder *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

int vt_tc_decoders_init(struct vt_tc_decoders *d, struct tep_handle *tep)
{
	memset(d, 0, sizeof(*d));
	d->tep = tep;
	int n = tep_get_events_count(tep);
	if (n <= 0)
		return 0;
	d->dec = calloc((size_t)n, sizeof(*d->dec));
	if (!d->dec)
		return -1;
	for (int i = 0; i < n; i++) {
		struct tep_event *event = tep_get_event(tep, i);
		if (!event)
			continue;
		decoder_init(&d->dec[d->count++], event);
		/* Every format has the same common fields; take them from the first. */
		if (!d->common_type) {
			d->common_type = tep_find_common_field(event, "common_type");
			d->common_pid = tep_find_common_field(event, "common_pid");
		}
	}
	qsort(d->dec, d->count, sizeof(*d->dec), by_id);
	return 0;
}

void vt_tc_decoders_free(struct vt_tc_decoders *d)
{
	free(d->dec);
	memset(d, 0, sizeof(*d));
}

/* The field's bytes lie inside the record. */
static bool inside(const struct tep_record *rec, int offset, int size)
{
	return offset >= 0 && size >= 0 && rec->size >= 0 && (int64_t)offset + size <= rec->size;
}

static uint64_t num(const struct vt_tc_decoders *d, const struct tep_record *rec, const struct tep_format_field *f,
		    uint64_t absent)
{
	if (!f || (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) ||
	    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) || !inside(rec, f->offset, f->size))
		return absent;
	uint64_t v = tep_read_number(d->tep, (const char *)rec->data + f->offset, f->size);
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 && (v >> (f->size * 8 - 1)) & 1)
		v |= ~(uint64_t)0 << (f->size * 8); /* sign-extend: a pid of -1 stays -1 */
	return v;
}

/* Copies a string field (char[N], __data_loc char[], or a trailing char buf[])
 * into out, NUL-terminated; NULL when absent or out of the record. */
static const char *str(const struct vt_tc_decoders *d, const struct tep_record *rec,
		       const struct tep_format_field *f, char *out, size_t size)
{
	if (!f)
		return NULL;
	int offset = f->offset, len = f->size;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		/* 32 bits: length << 16 | offset (from the record's start, or from
		 * the end of this field when relative). */
		if (f->size != 4 || !inside(rec, f->offset, 4))
			return NULL;
		uint32_t loc = (uint32_t)tep_read_number(d->tep, (const char *)rec->data + f->offset, 4);
		offset = (int)(loc & 0xffff);
		len = (int)(loc >> 16);
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			offset += f->offset + f->size;
	} else if (f->size == 0) {
		len = rec->size - offset; /* "char buf[]": up to the record's end */
	}
	if (!inside(rec, offset, len))
		return NULL;
	size_t n = (size_t)len < size - 1 ? (size_t)len : size - 1;
	memcpy(out, (const char *)rec->data + offset, n);
	out[n] = '\0';
	return out;
}

static const struct vt_tc_decoder *find(struct vt_tc_decoders *d, int id)
{
	if (d->last && d->last->id == id)
		return d->last;
	size_t lo = 0, hi = d->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->dec[mid].id < id)
			lo = mid + 1;
		else if (d->dec[mid].id > id)
			hi = mid;
		else
			return d->last = &d->dec[mid];
	}
	return NULL;
}

#define U(i, absent) num(d, rec, s[i], (uint64_t)(absent))
#define S(i) str(d, rec, s[i], d->str[i], sizeof(d->str[i]))

static void decode_fields(struct vt_tc_decoders *d, const struct vt_tc_decoder *dec, const struct tep_record *rec,
			  struct vt_event *ev)
{
	struct tep_format_field *const *s = dec->slot;
	switch (dec->kind) {
	case VT_KVM_ENTRY:
		ev->u.kvm_entry.vcpu_id = (uint32_t)U(0, VT_NO_VCPU);
		break;
	case VT_KVM_EXIT:
		ev->u.kvm_exit.exit_reason = U(0, 0);
		ev->u.kvm_exit.isa = (uint32_t)U(1, VT_ISA_UNKNOWN);
		ev->u.kvm_exit.vcpu_id = (uint32_t)U(2, VT_NO_VCPU);
		ev->u.kvm_exit.guest_rip = U(3, 0);
		ev->u.kvm_exit.info1 = U(4, 0);
		ev->u.kvm_exit.info2 = U(5, 0);
		break;
	case VT_KVM_HYPERCALL:
		ev->u.hypercall.nr = U(0, 0);
		ev->u.hypercall.a0 = U(1, 0);
		ev->u.hypercall.a1 = U(2, 0);
		ev->u.hypercall.a2 = U(3, 0);
		ev->u.hypercall.a3 = U(4, 0);
		break;
	case VT_KVM_USERSPACE_EXIT:
		ev->u.userspace_exit.reason = (uint32_t)U(0, 0);
		ev->u.userspace_exit.err = (int32_t)U(1, 0);
		break;
	case VT_SCHED_SWITCH: /* ftrace's prev_pid/next_pid are thread ids */
		ev->u.sched_switch.prev_tid = (int32_t)U(0, VT_NO_TID);
		ev->u.sched_switch.next_tid = (int32_t)U(1, VT_NO_TID);
		ev->u.sched_switch.prev_prio = (int32_t)U(2, 0);
		ev->u.sched_switch.next_prio = (int32_t)U(3, 0);
		ev->u.sched_switch.prev_state = (int64_t)U(4, 0);
		ev->u.sched_switch.prev_comm = S(5);
		ev->u.sched_switch.next_comm = S(6);
		break;
	case VT_SCHED_WAKEUP:
		ev->u.sched_wakeup.tid = (int32_t)U(0, VT_NO_TID);
		ev->u.sched_wakeup.target_cpu = (int32_t)U(1, VT_NO_CPU);
		ev->u.sched_wakeup.prio = (int32_t)U(2, 0);
		ev->u.sched_wakeup.comm = S(3);
		break;
	case VT_PROCESS_FORK:
		ev->u.fork.parent_tid = (int32_t)U(0, VT_NO_TID);
		ev->u.fork.parent_pid = (int32_t)U(1, VT_NO_TID);
		ev->u.fork.child_tid = (int32_t)U(2, VT_NO_TID);
		ev->u.fork.child_pid = (int32_t)U(3, VT_NO_TID);
		ev->u.fork.parent_comm = S(4);
		ev->u.fork.child_comm = S(5);
		break;
	case VT_PROCESS_EXEC:
		ev->u.exec.tid = (int32_t)U(0, VT_NO_TID);
		ev->u.exec.old_tid = (int32_t)U(1, VT_NO_TID);
		ev->u.exec.filename = S(2);
		break;
	case VT_PROCESS_EXIT:
		ev->u.exit.tid = (int32_t)U(0, VT_NO_TID);
		ev->u.exit.comm = S(1);
		break;
	case VT_NET_SEND:
	case VT_NET_RECV: /* ftrace's net events carry no TCP header */
		ev->u.net.len = (uint32_t)U(0, 0);
		ev->u.net.ifname = S(1);
		break;
	case VT_VMSYNC_GH_GUEST:
	case VT_VMSYNC_HG_GUEST:
	case VT_VMSYNC_GH_HOST:
	case VT_VMSYNC_HG_HOST:
		ev->u.vmsync.cnt = U(0, 0);
		ev->u.vmsync.vm_uid = U(1, 0);
		break;
	case VT_IRQ_ENTRY:
	case VT_IRQ_EXIT:
		ev->u.irq.irq = (int32_t)U(0, 0);
		ev->u.irq.ret = (int32_t)U(1, 0);
		ev->u.irq.name = S(2);
		break;
	case VT_SOFTIRQ_ENTRY:
	case VT_SOFTIRQ_EXIT:
		ev->u.softirq.vec = (uint32_t)U(0, 0);
		break;
	case VT_TIMER_EXPIRE:
		ev->u.timer.timer = U(0, 0);
		ev->u.timer.function = U(1, 0);
		break;
	default:
		break;
	}
}

/* ftrace:print: a vmtraced marker line becomes its GUEST_* / MACHINE_ID event;
 * any other print, or a malformed marker line, stays OTHER. */
static void decode_print(struct vt_tc_decoders *d, const struct vt_tc_decoder *dec, const struct tep_record *rec,
			 struct vt_event *ev)
{
	const char *line = str(d, rec, dec->slot[0], d->print, sizeof(d->print));
	if (!line || vt_marker_parse(line, ev, d->marker, sizeof(d->marker)) != 1) {
		ev->kind = VT_OTHER;
		memset(&ev->u, 0, sizeof(ev->u));
	}
	ev->name = dec->name;
}

void vt_tc_decode(struct vt_tc_decoders *d, const struct tep_record *rec, struct vt_event *ev)
{
	ev->kind = VT_OTHER;
	ev->name = "(unknown)";
	ev->tid = VT_NO_TID;
	ev->pid = VT_NO_TID; /* ftrace records carry the thread id only */
	ev->procname = NULL;
	int id = (int)num(d, rec, d->common_type, (uint64_t)-1);
	const struct vt_tc_decoder *dec = id >= 0 ? find(d, id) : NULL;
	if (!dec)
		return;
	ev->name = dec->name;
	ev->tid = (int32_t)num(d, rec, d->common_pid, (uint64_t)VT_NO_TID);
	if (ev->tid > 0) {
		/* The saved command lines know the thread's name at the end of the recording. */
		const char *comm = tep_data_comm_from_pid(d->tep, ev->tid);
		ev->procname = comm && strcmp(comm, "<...>") ? comm : NULL;
	}
	if (dec->special == VT_TC_PRINT) {
		decode_print(d, dec, rec, ev);
		return;
	}
	ev->kind = dec->kind;
	if (dec->kind == VT_OTHER)
		return;
	memset(&ev->u, 0, sizeof(ev->u));
	decode_fields(d, dec, rec, ev);
}
