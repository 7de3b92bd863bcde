#include "sources/tracecmd_decode.h"

#include <stdlib.h>
#include <string.h>

#include "common/marker.h"

/* vt_event_name_pick's lookup in one format: the field found is kept. */
struct field_pick {
	struct tep_event *event;
	struct tep_format_field **found;
};

static int16_t field_index(const void *ctx, const char *name)
{
	const struct field_pick *k = ctx;
	*k->found = tep_find_field(k->event, name);
	return *k->found ? 0 : VT_NO_SLOT;
}

/* "a|b": the first alternative the format has (the table's one parser). */
static struct tep_format_field *field_any(struct tep_event *event, const char *names)
{
	struct tep_format_field *found = NULL;
	struct field_pick k = {event, &found};
	return vt_event_name_pick(names, field_index, &k) == VT_NO_SLOT ? NULL : found;
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

/* An integer field's value into *out (sign-extended). Returns 0 when the
 * field is absent, not an integer, or out of the record. */
static int read_num(const struct vt_tc_decoders *d, const struct tep_record *rec, const struct tep_format_field *f,
		    uint64_t *out)
{
	if (!f || (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) ||
	    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) || !inside(rec, f->offset, f->size))
		return 0;
	uint64_t v = tep_read_number(d->tep, (const char *)rec->data + f->offset, f->size);
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8 && (v >> (f->size * 8 - 1)) & 1)
		v |= ~(uint64_t)0 << (f->size * 8); /* sign-extend: a pid of -1 stays -1 */
	*out = v;
	return 1;
}

static uint64_t num(const struct vt_tc_decoders *d, const struct tep_record *rec, const struct tep_format_field *f,
		    uint64_t absent)
{
	uint64_t v;
	return read_num(d, rec, f, &v) ? v : absent;
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

/* The slots' values read from the record, then the one translation shared
 * with the CTF readers (ctf_fill.c). Strings are copied out, NUL-terminated. */
static void decode_fields(struct vt_tc_decoders *d, const struct vt_tc_decoder *dec, const struct tep_record *rec,
			  struct vt_event *ev)
{
	struct vt_slot_value v[VT_DECODER_SLOTS];
	memset(v, 0, sizeof(v));
	for (int i = 0; i < VT_DECODER_SLOTS; i++) {
		const struct tep_format_field *f = dec->slot[i];
		if (!f)
			continue;
		if (f->flags & (TEP_FIELD_IS_STRING | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_ARRAY)) {
			v[i].s = str(d, rec, f, d->str[i], sizeof(d->str[i]));
			v[i].present = v[i].s != NULL;
		} else {
			v[i].present = read_num(d, rec, f, &v[i].u);
		}
	}
	vt_event_fill(dec->kind, dec->name, v, 0, ev);
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
