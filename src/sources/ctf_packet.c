/* The native reader's packets: a packet's header and context read at its
 * start (magic, data stream class, sizes, begin and end times, discarded
 * events counter, cpu_id), every size checked against the file. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sources/ctf_nstream.h"

#define CTF_MAGIC 0xC1FC1FC1u

int vt_nstream_error(const struct vt_nstream *s, uint64_t bit, const char *problem, struct vt_error *err)
{
	return vt_error_set(err, "%s: at byte %" PRIu64 ": %s", s->path, s->pkt_off + bit / 8, problem);
}

/* bt_util_ns_from_value and ns_from_origin of babeltrace2, so that both readers agree to the ns. */
static uint64_t ns_of(uint64_t freq, uint64_t cycles)
{
	if (freq == 1000000000)
		return cycles;
	double ns = 1e9 * (double)cycles / (double)freq;
	return ns >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

int vt_ctf_clock_ns(const struct vt_ctf_clock_class *c, uint64_t cycles, int64_t adjust, uint64_t *ns)
{
	/* An offset that does not fit in ns from the epoch (funky_trace's is 10^18
	 * s): babeltrace2 refuses the trace, babeltrace 1.5 reads it; its events
	 * are read here on the clock without that offset. */
	int64_t v;
	if (__builtin_mul_overflow(c->offset_seconds, (int64_t)1000000000, &v))
		v = 0;
	else
		v += (int64_t)ns_of(c->frequency, c->offset_cycles);
	uint64_t add = ns_of(c->frequency, cycles);
	if (add >= (uint64_t)INT64_MAX || __builtin_add_overflow(v, (int64_t)add, &v) ||
	    __builtin_add_overflow(v, adjust, &v))
		return -1;
	*ns = v < 0 ? 0 : (uint64_t)v;
	return 0;
}

void vt_nstream_note_ts(struct vt_nstream *s, uint64_t ns)
{
	if (s->has_last && ns < s->last_ts)
		s->trace->info->backward_steps++;
	s->has_last = true;
	s->last_ts = ns;
}

static int note_cycles(struct vt_nstream *s, uint64_t cycles, uint64_t bit, struct vt_error *err)
{
	uint64_t ns;
	if (!s->sc->default_clock)
		return 0;
	if (vt_ctf_clock_ns(s->sc->default_clock, cycles, s->trace->adjust_ns, &ns))
		return vt_nstream_error(s, bit, "a timestamp does not fit in ns from the epoch (corrupt clock)", err);
	vt_nstream_note_ts(s, ns);
	return 0;
}

static int role_bit(uint32_t role)
{
	return __builtin_ctz(role);
}

#define ROLE(r, x) ((r)->role[role_bit(x)])
#define SEEN(r, x) ((r)->roles_seen & (x))

/* Which data stream class the packet belongs to; the same for a whole file. */
static int find_class(struct vt_nstream *s, struct vt_error *err)
{
	const struct vt_ctf_trace_class *tc = s->trace->tc;
	struct vt_ctf_reader *r = &s->r;
	const struct vt_ctf_stream_class *sc = NULL;
	if (SEEN(r, VT_CTF_ROLE_STREAM_CLASS_ID))
		sc = vt_ctf_stream_class_find(tc, ROLE(r, VT_CTF_ROLE_STREAM_CLASS_ID));
	else if (tc->nstreams == 1)
		sc = tc->streams[0];
	if (!sc)
		return vt_nstream_error(s, 0, "the packet's data stream class is not in the metadata", err);
	if (s->sc && s->sc != sc)
		return vt_nstream_error(s, 0, "the packet's data stream class differs from the file's first packet's",
					err);
	if (!s->sc)
		for (size_t i = 0; i < tc->nstreams; i++)
			if (tc->streams[i] == sc)
				s->sc_index = i;
	s->sc = sc;
	return 0;
}

/* The file's packet index entry of this packet, when it has a usable index
 * that agrees with the context's sizes (those it gives); one that disagrees
 * is dropped, and the packets are scanned from there on. */
static const struct vt_ctf_index_entry *index_entry(struct vt_nstream *s, uint64_t total, uint64_t content)
{
	const struct vt_ctf_index_entry *e = s->pkt_no < s->index.n ? &s->index.pkt[s->pkt_no] : NULL;
	if (e && e->offset == s->pkt_off && (!total || total == e->total_bits) && (!content || content == e->content_bits))
		return e;
	vt_ctf_index_free(&s->index);
	return NULL;
}

/* Sizes from the context (or the index, where the context gives none), checked:
 * the packet within the file, the content within the packet. */
static int packet_sizes(struct vt_nstream *s, struct vt_error *err)
{
	struct vt_ctf_reader *r = &s->r;
	uint64_t left = (uint64_t)(s->size - s->pkt_off) * 8;
	uint64_t total = SEEN(r, VT_CTF_ROLE_PACKET_TOTAL_LENGTH) ? ROLE(r, VT_CTF_ROLE_PACKET_TOTAL_LENGTH) : 0;
	uint64_t content =
		SEEN(r, VT_CTF_ROLE_PACKET_CONTENT_LENGTH) ? ROLE(r, VT_CTF_ROLE_PACKET_CONTENT_LENGTH) : 0;
	const struct vt_ctf_index_entry *e = s->index.n ? index_entry(s, total, content) : NULL;
	if (e) {
		total = e->total_bits;
		content = e->content_bits;
	}
	if (!total)
		total = content ? content : left;
	if (!content)
		content = total;
	if (total % 8)
		return vt_nstream_error(s, 0, "the packet's size is not a whole number of bytes", err);
	if (total > left)
		return vt_nstream_error(s, 0, "the packet's size passes the end of the file", err);
	if (content > total)
		return vt_nstream_error(s, 0, "the packet's content size is larger than its size", err);
	if (r->pos > content)
		return vt_nstream_error(s, 0, "the packet's header and context pass its content size", err);
	s->pkt_bits = total;
	r->end = content;
	return 0;
}

/* babeltrace2's discarded-events messages: the counter's growth since the
 * stream's previous packet, or its value in the first packet. */
static void discarded(struct vt_nstream *s)
{
	struct vt_ctf_reader *r = &s->r;
	if (!SEEN(r, VT_CTF_ROLE_DISCARDED_COUNTER) || s->peeking)
		return;
	uint64_t now = ROLE(r, VT_CTF_ROLE_DISCARDED_COUNTER);
	s->trace->info->discarded_events += now - (s->has_disc ? s->disc : 0);
	s->has_disc = true;
	s->disc = now;
}

int vt_ctf_packet_begin(struct vt_nstream *s, struct vt_error *err)
{
	if (s->pkt_off >= s->size)
		return 0;
	const struct vt_ctf_trace_class *tc = s->trace->tc;
	struct vt_ctf_reader *r = &s->r;
	r->buf = s->map + s->pkt_off;
	r->pos = 0;
	r->end = (uint64_t)(s->size - s->pkt_off) * 8;
	r->lim = (uint64_t)(s->size - s->pkt_off);
	r->roles_seen = 0;
	for (int i = 0; i < VT_CTF_SCOPE_COUNT; i++)
		r->cap[i].index = NULL;
	if (tc->packet_header && vt_flat_read(r, s->trace->packet_header, tc->packet_header, NULL))
		return vt_nstream_error(s, r->pos, r->error, err);
	if (SEEN(r, VT_CTF_ROLE_PACKET_MAGIC) && ROLE(r, VT_CTF_ROLE_PACKET_MAGIC) != CTF_MAGIC)
		return vt_nstream_error(s, 0, "bad magic number: not a CTF packet", err);
	if (find_class(s, err))
		return -1;
	const struct vt_ctf_ctx_plan *ctx = &s->trace->ctx[s->sc_index];
	s->cpu_cap = (struct vt_ctf_capture){0};
	r->cap[VT_CTF_SCOPE_PACKET_CONTEXT] = (struct vt_ctf_cap_table){ctx->packet, ctx->npacket, &s->cpu_cap};
	r->roles_seen &= ~(uint32_t)(VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP | VT_CTF_ROLE_PACKET_END_TIMESTAMP);
	if (s->sc->packet_context && vt_flat_read(r, ctx->packet_prog, s->sc->packet_context, &s->cpu_cap))
		return vt_nstream_error(s, r->pos, r->error, err);
	r->cap[VT_CTF_SCOPE_PACKET_CONTEXT].index = NULL;
	if (packet_sizes(s, err))
		return -1;
	if (ctx->has_cpu)
		s->cpu = (int32_t)s->cpu_cap.u;
	s->has_end_ts = SEEN(r, VT_CTF_ROLE_PACKET_END_TIMESTAMP) != 0;
	s->end_ts = ROLE(r, VT_CTF_ROLE_PACKET_END_TIMESTAMP);
	discarded(s);
	if (SEEN(r, VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP) && note_cycles(s, r->clock, 0, err))
		return -1;
	s->in_packet = true;
	return 1;
}

/* The packets before this one are done with (the caller let go of their
 * events before the stream moved on): their pages go back, so that the
 * resident memory stays flat however long the file (they stay in the page
 * cache; only the mapping's share of them is dropped). Every 4 MiB. */
static void release_read(struct vt_nstream *s)
{
	static long page;
	if (!page)
		page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
	size_t upto = (size_t)(s->pkt_off < s->size ? s->pkt_off : s->size) / (size_t)page * (size_t)page;
	if (!s->map || upto < s->released + ((size_t)4 << 20))
		return;
	if (madvise((void *)(s->map + s->released), upto - s->released, MADV_DONTNEED) == 0)
		s->released = upto;
}

void vt_ctf_packet_end(struct vt_nstream *s)
{
	if (s->has_end_ts) {
		uint64_t ns;
		if (s->sc->default_clock && !vt_ctf_clock_ns(s->sc->default_clock, s->end_ts, s->trace->adjust_ns, &ns))
			vt_nstream_note_ts(s, ns);
	}
	s->pkt_off += s->pkt_bits / 8;
	s->pkt_no++;
	s->in_packet = false;
	release_read(s);
}
