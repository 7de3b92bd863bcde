/* Synchronization of every machine to the root (the host): message pairs per
 * pair of machines, a hull per pair, a spanning tree of the best pairs, and
 * the message latencies once the transforms are applied. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sort.h"
#include "sync/containment.h"
#include "vmtrace/sync_pairs.h"
#include "sync/messages.h"
#include "sync/ping.h"
#include "vmtrace/sync.h"

const char *vt_sync_quality_name(enum vt_sync_quality q)
{
	static const char *const names[] = {"ABSENT", "INCOMPLETE", "APPROXIMATE", "ACCURATE", "FAIL"};
	return (unsigned)q < 5 ? names[q] : "?";
}

const char *vt_sync_method_name(enum vt_sync_method m)
{
	switch (m) {
	case VT_SYNC_TRUSTED:
		return "trusted";
	case VT_SYNC_HULL:
		return "hull";
	case VT_SYNC_CONTAINMENT:
		return "containment";
	case VT_SYNC_TSC:
		return "tsc";
	case VT_SYNC_PING:
		return "ping";
	default:
		return "auto";
	}
}

int vt_sync_method_parse(const char *name, enum vt_sync_method *out)
{
	if (!strcmp(name, "auto"))
		*out = VT_SYNC_AUTO;
	else if (!strcmp(name, "trusted"))
		*out = VT_SYNC_TRUSTED;
	else if (!strcmp(name, "hull"))
		*out = VT_SYNC_HULL;
	else if (!strcmp(name, "containment"))
		*out = VT_SYNC_CONTAINMENT;
	else if (!strcmp(name, "tsc"))
		*out = VT_SYNC_TSC;
	else if (!strcmp(name, "ping"))
		*out = VT_SYNC_PING;
	else
		return -1;
	return 0;
}

int64_t vt_transform_apply(const struct vt_transform *t, int64_t ts)
{
	/* A slope of exactly 1 (the reference, trusted clocks) stays exact in
	 * integers: a double holds ns of the epoch only to 256 ns. */
	if (t->slope == 1.0)
		return t->y0 + (ts - t->x0);
	return t->y0 + (int64_t)llround(t->slope * (double)(ts - t->x0));
}

double vt_transform_offset(const struct vt_transform *t)
{
	return (double)t->y0 - t->slope * (double)t->x0;
}

static struct vt_transform inverse(const struct vt_transform *t)
{
	return (struct vt_transform){1.0 / t->slope, t->y0, t->x0};
}

/* outer(inner(t)), anchored at inner's x0. */
static struct vt_transform compose(const struct vt_transform *outer, const struct vt_transform *inner)
{
	struct vt_transform r;
	r.slope = outer->slope * inner->slope;
	r.x0 = inner->x0;
	r.y0 = outer->y0 + (int64_t)llround(outer->slope * (double)(inner->y0 - outer->x0));
	return r;
}

struct vt_sync {
	struct vt_msg_store msgs;
	struct vt_containment windows;
	struct vt_ping_feed ping;
	int no_containment, no_ping;
};

void vt_sync_ignore_pings(struct vt_sync *s)
{
	s->no_ping = 1;
}

void vt_sync_ping_counts(const struct vt_sync *s, uint64_t *guest_pings, uint64_t *host_pings)
{
	*guest_pings = s->ping.pings_out;
	*host_pings = s->ping.pings_host;
}

void vt_sync_skip_containment(struct vt_sync *s)
{
	s->no_containment = 1;
}

struct vt_sync *vt_sync_new(void)
{
	return calloc(1, sizeof(struct vt_sync));
}

void vt_sync_feed(struct vt_sync *s, size_t trace, const struct vt_event *ev)
{
	if (ev->kind >= VT_NET_SEND && ev->kind <= VT_VMSYNC_HG_HOST)
		vt_msg_store_feed(&s->msgs, trace, ev);
	else if (!s->no_ping && (ev->kind == VT_KVM_EXIT || ev->kind == VT_KVM_ENTRY || ev->kind == VT_KVM_HYPERCALL ||
				 ev->kind == VT_PING_OUT || ev->kind == VT_PING_BACK))
		vt_ping_feed(&s->ping, &s->msgs, trace, ev);
	if (!s->no_containment)
		vt_containment_feed(&s->windows, trace, ev);
}

void vt_sync_free(struct vt_sync *s)
{
	if (!s)
		return;
	vt_msg_store_free(&s->msgs);
	vt_containment_free(&s->windows);
	vt_ping_feed_free(&s->ping);
	free(s);
}

struct receiving {
	const struct vt_machines *m;
	size_t guest, *host_trace;
	int32_t *tids;
	size_t n, cap;
	int found, oom;
};

static void receiving_one(void *ctx, const struct vt_msg *msg)
{
	struct receiving *c = ctx;
	const struct vt_machines *m = c->m;
	for (uint8_t x = 0; x < msg->nsend; x++) {
		if (m->trace_machine[msg->send[x].trace] != c->guest)
			continue;
		for (uint8_t y = 0; y < msg->nrecv; y++) {
			const struct vt_msg_end *r = &msg->recv[y];
			size_t mr = m->trace_machine[r->trace];
			if (m->machines[mr].role != VT_ROLE_HOST || r->tid <= 0 || (c->found && r->trace != *c->host_trace))
				continue;
			if (c->n == c->cap) {
				size_t cap = c->cap ? c->cap * 2 : 256;
				int32_t *t = c->oom ? NULL : realloc(c->tids, cap * sizeof(*t));
				if (!t) {
					c->oom = 1;
					return;
				}
				c->tids = t;
				c->cap = cap;
			}
			c->tids[c->n++] = r->tid;
			*c->host_trace = r->trace;
			c->found = 1;
		}
	}
}

struct pairing {
	void (*fn)(void *ctx, const struct vt_msg_pair *pair);
	void *ctx;
	size_t n;
};

static void pair_one(void *ctx, const struct vt_msg *msg)
{
	struct pairing *c = ctx;
	for (uint8_t a = 0; a < msg->nsend; a++)
		for (uint8_t b = 0; b < msg->nrecv; b++) {
			if (msg->send[a].trace == msg->recv[b].trace)
				continue;
			struct vt_msg_pair p = {msg->send[a].trace, msg->recv[b].trace, msg->send[a].tid, msg->recv[b].tid,
						msg->send[a].ts,    msg->recv[b].ts,    (msg->key.b & 3) != 0};
			c->fn(c->ctx, &p);
			c->n++;
		}
}

size_t vt_sync_message_pairs(const struct vt_sync *s, void (*fn)(void *ctx, const struct vt_msg_pair *pair),
			     void *ctx)
{
	struct pairing c = {fn, ctx, 0};
	vt_msg_store_each(&s->msgs, pair_one, &c);
	return c.n;
}

size_t vt_sync_receiving_threads(const struct vt_sync *s, const struct vt_machines *m, size_t guest,
				 size_t *host_trace, int32_t **tids)
{
	struct receiving c = {.m = m, .guest = guest, .host_trace = host_trace};
	vt_msg_store_each(&s->msgs, receiving_one, &c);
	*tids = c.tids;
	return c.n;
}

int vt_sync_containment_score(const struct vt_sync *s, const struct vt_machines *m, size_t guest,
			      size_t host_trace, const struct vt_vcpu_map *vcpus, size_t nvcpus, size_t *explained,
			      size_t *events)
{
	const struct vt_machine *g = &m->machines[guest];
	struct vt_transform identity = {1, 0, 0};
	struct vt_containment_result res;
	if (vt_containment_solve(&s->windows, g->traces, g->ntraces, &host_trace, 1, vcpus, nvcpus, &identity, 0, &res))
		return -1;
	*explained = res.explained;
	*events = res.events;
	return 0;
}

/* One message pair between machines a < b: who sent, both times. */
struct pair {
	int a_sent, ping;
	int64_t t_a, t_b;
};

struct link {
	struct pair *p;
	size_t n, cap;
	struct vt_hull_result hull; /* b's time → a's time */
	int64_t (*knots)[2];        /* piecewise b → a when one line FAILs */
	size_t nknots;
	int64_t knot_accuracy;      /* the worst window's accuracy */
	int ping_only;              /* the pairs are the guest's pings alone */
};

static int add_pair(struct link *l, int a_sent, int ping, int64_t t_a, int64_t t_b)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct pair *p = realloc(l->p, cap * sizeof(*p));
		if (!p)
			return -1;
		l->p = p;
		l->cap = cap;
	}
	l->p[l->n++] = (struct pair){a_sent, ping, t_a, t_b};
	return 0;
}

int64_t vt_clock_to_ref(const struct vt_clock_sync *c, int64_t t)
{
	if (c->nknots < 2)
		return vt_transform_apply(&c->to_ref, t);
	size_t lo = 0, hi = c->nknots - 1;
	if (t <= c->knots[0][0])
		hi = 1;
	else if (t >= c->knots[hi][0])
		lo = hi - 1;
	else
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (c->knots[mid][0] <= t)
				lo = mid;
			else
				hi = mid;
		}
	hi = lo + 1;
	double slope = (double)(c->knots[hi][1] - c->knots[lo][1]) / (double)(c->knots[hi][0] - c->knots[lo][0]);
	return c->knots[lo][1] + (int64_t)llround(slope * (double)(t - c->knots[lo][0]));
}

static int by_b_time(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;
	return (p->t_b > q->t_b) - (p->t_b < q->t_b);
}

/* Messages each way a window needs before it is worth a line of its own. */
#define MIN_WINDOW_MESSAGES 16
#define MAX_DEPTH 12
#define SPLIT_ABOVE 256

static int push_knot(struct link *l, int64_t b, int64_t a)
{
	int64_t(*k)[2] = realloc(l->knots, (l->nknots + 1) * sizeof(*k));
	if (!k)
		return -1;
	l->knots = k;
	l->knots[l->nknots][0] = b;
	l->knots[l->nknots][1] = a;
	l->nknots++;
	return 0;
}

/* The hull over pairs [from, to) (sorted by b's time): ACCURATE gives a knot at
 * the window's middle; FAIL splits the window in two, down to windows too
 * small to bound the slope. Returns -1 out of memory. */
static int piecewise(struct link *l, size_t from, size_t to, int depth)
{
	struct vt_hull *h = vt_hull_new();
	if (!h)
		return -1;
	size_t each[2] = {0, 0};
	for (size_t i = from; i < to; i++) {
		each[l->p[i].a_sent]++;
		if (vt_hull_add(h, l->p[i].a_sent, l->p[i].t_a, l->p[i].t_b)) {
			vt_hull_free(h);
			return -1;
		}
	}
	struct vt_hull_result r;
	vt_hull_compute(h, &r);
	vt_hull_free(h);
	int small = each[0] < 2 * MIN_WINDOW_MESSAGES || each[1] < 2 * MIN_WINDOW_MESSAGES;
	/* A wandering clock fits a line only piece by piece: split the windows
	 * that contradict one line, and the ones with messages to spare, so that
	 * the knots follow the wander. */
	int plenty = each[0] >= SPLIT_ABOVE && each[1] >= SPLIT_ABOVE;
	if ((r.quality == VT_SYNC_FAIL || plenty) && !small && depth < MAX_DEPTH) {
		size_t mid = from + (to - from) / 2;
		return piecewise(l, from, mid, depth + 1) || piecewise(l, mid, to, depth + 1) ? -1 : 0;
	}
	if (r.quality != VT_SYNC_ACCURATE && r.quality != VT_SYNC_APPROXIMATE)
		return 0; /* this window says nothing reliable: its neighbours' knots span it */
	int64_t mid_b = l->p[from + (to - from) / 2].t_b;
	if (r.accuracy_ns > l->knot_accuracy)
		l->knot_accuracy = r.accuracy_ns;
	return push_knot(l, mid_b, vt_transform_apply(&r.to_ref, mid_b));
}

/* Knots must rise in both coordinates to be a clock; drop the ones that do not. */
static void keep_monotonic(struct link *l)
{
	size_t w = 0;
	for (size_t i = 0; i < l->nknots; i++)
		if (!w || (l->knots[i][0] > l->knots[w - 1][0] && l->knots[i][1] > l->knots[w - 1][1])) {
			l->knots[w][0] = l->knots[i][0];
			l->knots[w][1] = l->knots[i][1];
			w++;
		}
	l->nknots = w;
}

static int try_piecewise(struct link *l)
{
	vt_qsort(l->p, l->n, sizeof(*l->p), by_b_time);
	if (piecewise(l, 0, l->n, 0))
		return -1;
	keep_monotonic(l);
	if (l->nknots < 2) {
		free(l->knots);
		l->knots = NULL;
		l->nknots = 0;
	}
	return 0;
}

struct linking {
	const struct vt_machines *m;
	struct link *links;
	int oom;
};

static void link_one(void *ctx, const struct vt_msg *msg)
{
	struct linking *c = ctx;
	size_t n = c->m->count;
	for (uint8_t x = 0; x < msg->nsend; x++)
		for (uint8_t y = 0; y < msg->nrecv; y++) {
			size_t ms = c->m->trace_machine[msg->send[x].trace];
			size_t mr = c->m->trace_machine[msg->recv[y].trace];
			if (ms == mr)
				continue; /* within one machine: says nothing of clocks */
			size_t a = ms < mr ? ms : mr, b = ms < mr ? mr : ms;
			int64_t ts = msg->send[x].ts, tr = msg->recv[y].ts;
			int ping = (msg->key.b & 3) == VT_MSG_PING;
			if (!c->oom &&
			    add_pair(&c->links[a * n + b], ms == a, ping, ms == a ? ts : tr, ms == a ? tr : ts))
				c->oom = 1;
		}
}

/* The hull over a link's pairs (ping: its pings alone). */
static int hull_of(const struct link *l, int ping_only, struct vt_hull_result *out)
{
	struct vt_hull *h = vt_hull_new();
	if (!h)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if ((!ping_only || l->p[i].ping) && vt_hull_add(h, l->p[i].a_sent, l->p[i].t_a, l->p[i].t_b)) {
			vt_hull_free(h);
			return -1;
		}
	vt_hull_compute(h, out);
	vt_hull_free(h);
	return 0;
}

/* Pings bound a guest's clock within microseconds where TCP's latencies are
 * tens of them, and a TCP pair matched wrong can only hurt: a link with pings
 * that place the guest (ping asked for, or auto and the pings' hull bounds
 * the line) keeps its pings alone. Returns 1 when it did (l->hull is then
 * already theirs), 0 when the link keeps all its pairs, -1 out of memory. */
static int keep_pings(struct link *l, enum vt_sync_method method)
{
	size_t pings = 0;
	for (size_t i = 0; i < l->n; i++)
		pings += l->p[i].ping;
	if (!pings || pings == l->n || (method != VT_SYNC_PING && method != VT_SYNC_AUTO)) {
		l->ping_only = pings && pings == l->n;
		return 0;
	}
	if (hull_of(l, 1, &l->hull))
		return -1;
	if (method == VT_SYNC_AUTO && l->hull.quality != VT_SYNC_ACCURATE && l->hull.quality != VT_SYNC_APPROXIMATE)
		return 0;
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].ping)
			l->p[w++] = l->p[i];
	l->n = w;
	l->ping_only = 1;
	return 1;
}

static int collect_links(const struct vt_sync *s, const struct vt_machines *m, struct link *links,
			 enum vt_sync_method method)
{
	size_t n = m->count;
	struct linking c = {m, links, 0};
	if (vt_msg_store_each(&s->msgs, link_one, &c) || c.oom)
		return -1;
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++) {
			struct link *l = &links[a * n + b];
			int kept = keep_pings(l, method);
			if (kept < 0 || (!kept && hull_of(l, 0, &l->hull)))
				return -1;
			if (l->hull.quality == VT_SYNC_FAIL && try_piecewise(l))
				return -1;
		}
	return 0;
}

static int rank(const struct link *l)
{
	if (l->nknots >= 2)
		return 4;
	switch (l->hull.quality) {
	case VT_SYNC_ACCURATE:
		return 4;
	case VT_SYNC_APPROXIMATE:
		return 3;
	case VT_SYNC_INCOMPLETE:
		return 2;
	default: /* FAIL without knots, ABSENT: nothing to build on */
		return 0;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void latency_stats(int64_t *v, size_t n, struct vt_latency *out)
{
	memset(out, 0, sizeof(*out));
	out->count = n;
	if (!n)
		return;
	vt_qsort(v, n, sizeof(*v), cmp_i64);
	out->min = v[0];
	out->max = v[n - 1];
	out->p50 = v[n / 2];
	out->p99 = v[(size_t)((double)(n - 1) * 0.99)];
	for (size_t i = 0; i < n && v[i] < 0; i++)
		out->negative++;
}

/* A message received before it was sent by more than the claimed accuracy
 * proves the claim false: a guest clock that jumped (seen on the nested
 * testbed: 14 ms ahead for half a second) where knots joined by lines cannot
 * follow it. The accuracy then covers the worst contradiction, and a clock
 * that contradicts its messages is not ACCURATE. Returns -1 out of memory. */
static int honest(struct vt_clock_sync *c)
{
	size_t neg = c->to_ref_latency.negative + c->from_ref_latency.negative;
	int64_t worst = 0;
	if (c->to_ref_latency.count && c->to_ref_latency.min < worst)
		worst = c->to_ref_latency.min;
	if (c->from_ref_latency.count && c->from_ref_latency.min < worst)
		worst = c->from_ref_latency.min;
	if (!neg || c->accuracy_ns < 0 || -worst <= c->accuracy_ns)
		return 0;
	char *why = vt_strdup_printf("%s; but %zu messages arrive before they were sent, by up to %.3f ms: the clock "
				     "jumped where the transform cannot follow (accuracy widened to cover them)",
				     c->why ? c->why : "", neg, (double)-worst / 1e6);
	if (!why)
		return -1;
	free(c->why);
	c->why = why;
	c->accuracy_ns = -worst;
	if (c->quality == VT_SYNC_ACCURATE)
		c->quality = VT_SYNC_APPROXIMATE;
	return 0;
}

/* Latencies of the messages between machine k and its `via`, once both are mapped to the root. */
static int measure(struct vt_sync_result *r, const struct link *links, size_t n, size_t k)
{
	struct vt_clock_sync *c = &r->machines[k];
	if (c->via < 0)
		return 0;
	size_t a = k < (size_t)c->via ? k : (size_t)c->via, b = k < (size_t)c->via ? (size_t)c->via : k;
	const struct link *l = &links[a * n + b];
	int64_t *to = malloc((l->n ? l->n : 1) * sizeof(*to)), *from = malloc((l->n ? l->n : 1) * sizeof(*from));
	if (!to || !from) {
		free(to);
		free(from);
		return -1;
	}
	size_t nto = 0, nfrom = 0;
	for (size_t i = 0; i < l->n; i++) {
		int64_t ra = vt_clock_to_ref(&r->machines[a], l->p[i].t_a);
		int64_t rb = vt_clock_to_ref(&r->machines[b], l->p[i].t_b);
		int k_sent = (l->p[i].a_sent && k == a) || (!l->p[i].a_sent && k == b);
		int64_t lat = l->p[i].a_sent ? rb - ra : ra - rb;
		if (k_sent)
			to[nto++] = lat;
		else
			from[nfrom++] = lat;
	}
	latency_stats(to, nto, &c->to_ref_latency);
	latency_stats(from, nfrom, &c->from_ref_latency);
	free(to);
	free(from);
	return honest(c);
}

static int pick_root(const struct vt_machines *m)
{
	for (size_t k = 0; k < m->count; k++)
		if (m->machines[k].role == VT_ROLE_HOST)
			return (int)k;
	return 0;
}

/* The transform of machine k from its link with `via` (already placed). */
/* The hull's claim holds over its messages' span; where machine k's traces
 * go on past it, a line the slope bounds allow drifts farther from the
 * estimate by the slope's uncertainty times the distance (a testbed guest's
 * trace ran 4 s past its last TCP segment: its hull was 1.38 ms off the
 * pings where it claimed +/- 1.32 ms). k_is_b: k's times are the pairs' t_b. */
static void beyond_messages(struct vt_clock_sync *c, const struct link *l, int k_is_b, const struct vt_machines *m,
			    const struct vt_trace_info *const *traces, size_t k)
{
	if (c->quality != VT_SYNC_ACCURATE || c->accuracy_ns < 0 || !traces || !l->n)
		return;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < l->n; i++) {
		int64_t t = k_is_b ? l->p[i].t_b : l->p[i].t_a;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	int64_t out = 0;
	const struct vt_machine *mk = &m->machines[k];
	for (size_t i = 0; i < mk->ntraces; i++) {
		const struct vt_trace_info *t = traces[mk->traces[i]];
		if (!t || !t->events)
			continue;
		if ((int64_t)t->first_ns < lo && lo - (int64_t)t->first_ns > out)
			out = lo - (int64_t)t->first_ns;
		if ((int64_t)t->last_ns > hi && (int64_t)t->last_ns - hi > out)
			out = (int64_t)t->last_ns - hi;
	}
	double tilt = fmax(c->slope_max - c->to_ref.slope, c->to_ref.slope - c->slope_min);
	if (out > 0 && tilt > 0)
		c->accuracy_ns += (int64_t)ceil(tilt * (double)out);
}

static void place(struct vt_sync_result *r, const struct link *links, size_t n, size_t k, size_t via,
		  enum vt_sync_method method, const struct vt_machines *m, const struct vt_trace_info *const *traces)
{
	struct vt_clock_sync *c = &r->machines[k];
	size_t a = k < via ? k : via, b = k < via ? via : k;
	const struct vt_hull_result *h = &links[a * n + b].hull;
	c->via = (int)via;
	c->reference = r->root;
	c->quality = h->quality;
	c->matches_to_ref = k == b ? h->to_ref_count : h->from_ref_count;
	c->matches_from_ref = k == b ? h->from_ref_count : h->to_ref_count;
	/* tsc falls back as auto does where the TSC relation is unknown. */
	int use_hull = method == VT_SYNC_HULL || method == VT_SYNC_CONTAINMENT || method == VT_SYNC_PING ||
		       ((method == VT_SYNC_AUTO || method == VT_SYNC_TSC) && (h->quality == VT_SYNC_ACCURATE || h->quality == VT_SYNC_APPROXIMATE ||
						   links[a * n + b].nknots >= 2));
	size_t total = c->matches_to_ref + c->matches_from_ref;
	if (!use_hull) {
		c->method = VT_SYNC_TRUSTED;
		c->to_ref = (struct vt_transform){1, 0, 0};
		c->accuracy_ns = -1;
		if (method == VT_SYNC_TRUSTED)
			c->why = vt_strdup_printf("trusted clocks, as asked: timestamps used as they are, checked against %zu "
					  "messages",
					  total);
		else
			c->why = vt_strdup_printf("the hull is %s with %zu messages: clocks taken as they are",
					  vt_sync_quality_name(h->quality), total);
		return;
	}
	const struct link *l = &links[a * n + b];
	c->method = l->ping_only ? VT_SYNC_PING : VT_SYNC_HULL;
	const char *what = l->ping_only ? "guest pings (hypercall round trips)" : "messages";
	const char *no_ping = method == VT_SYNC_PING && !l->ping_only
				      ? "no ping between them (run vmtraced --ping in the guest): "
				      : "";
	if (l->nknots >= 2 && method != VT_SYNC_CONTAINMENT) {
		c->knots = malloc(l->nknots * sizeof(*c->knots));
		if (c->knots) {
			for (size_t i = 0; i < l->nknots; i++) {
				int64_t mine = k == b ? l->knots[i][0] : l->knots[i][1];
				int64_t theirs = k == b ? l->knots[i][1] : l->knots[i][0];
				c->knots[i][0] = mine;
				c->knots[i][1] = vt_clock_to_ref(&r->machines[via], theirs);
			}
			c->nknots = l->nknots;
			size_t last = l->nknots - 1;
			c->to_ref.x0 = c->knots[0][0];
			c->to_ref.y0 = c->knots[0][1];
			c->to_ref.slope = (double)(c->knots[last][1] - c->knots[0][1]) /
					  (double)(c->knots[last][0] - c->knots[0][0]);
			c->quality = VT_SYNC_ACCURATE;
			c->accuracy_ns = l->knot_accuracy;
			c->why = vt_strdup_printf("%sno single line fits the %zu + %zu %s exchanged with machine %zu "
						  "(the clock wanders): convex hull per time window, %zu knots",
						  no_ping, c->matches_to_ref, c->matches_from_ref, what, via, l->nknots);
			return;
		}
	}
	struct vt_transform k_to_via = k == b ? h->to_ref : inverse(&h->to_ref);
	c->to_ref = compose(&r->machines[via].to_ref, &k_to_via);
	c->slope_min = h->slope_min;
	c->slope_max = h->slope_max;
	if (k == a && h->has_slope_min && h->has_slope_max) { /* bounds of the inverse line */
		c->slope_min = 1.0 / h->slope_max;
		c->slope_max = 1.0 / h->slope_min;
	}
	c->accuracy_ns = h->accuracy_ns;
	beyond_messages(c, l, k == b, m, traces, k);
	c->why = vt_strdup_printf("%sconvex hull over %zu + %zu %s exchanged with machine %zu: %s", no_ping,
				  c->matches_to_ref, c->matches_from_ref, what, via, vt_sync_quality_name(h->quality));
}

/* Containment for a guest whose host is traced: when asked, or (auto) when
 * no message placed it well. The search starts from what the messages gave,
 * or from the clocks as they are. */
static void contain(const struct vt_sync *s, const struct vt_machines *m, struct vt_sync_result *r, int k,
		    enum vt_sync_method method)
{
	const struct vt_machine *g = &m->machines[k];
	struct vt_clock_sync *c = &r->machines[k];
	if (g->role != VT_ROLE_GUEST || g->host < 0 || !g->nvcpus || k == r->root)
		return;
	int wanted = method == VT_SYNC_CONTAINMENT ||
		     (method == VT_SYNC_AUTO && c->quality != VT_SYNC_ACCURATE && c->quality != VT_SYNC_APPROXIMATE);
	if (!wanted)
		return;
	const struct vt_transform *host_to_ref = &r->machines[g->host].to_ref;
	struct vt_transform ref_to_host = inverse(host_to_ref);
	struct vt_transform start = compose(&ref_to_host, &c->to_ref);
	struct vt_containment_result res;
	const struct vt_machine *h = &m->machines[g->host];
	if (vt_containment_solve(&s->windows, g->traces, g->ntraces, h->traces, h->ntraces, g->vcpus, g->nvcpus, &start,
				 1, &res)) {
		char tmp[700];
		const char *failed = vt_containment_error(&s->windows, tmp, sizeof(tmp));
		if (method == VT_SYNC_CONTAINMENT || failed) {
			free(c->why);
			c->why = failed ? vt_strdup_printf("containment: its temporary file: %s", failed)
					: vt_strdup_printf("containment impossible: no guest-mode windows of its vCPU "
							   "threads, or too few guest events on its vCPUs");
		}
		return;
	}
	c->method = VT_SYNC_CONTAINMENT;
	c->to_ref = compose(host_to_ref, &res.to_host);
	free(c->knots); /* one line now: containment fits the whole trace */
	c->knots = NULL;
	c->nknots = 0;
	c->via = g->host;
	c->accuracy_ns = res.accuracy_ns;
	c->contained_events = res.events;
	c->contained_explained = res.explained;
	double share = res.events ? 100.0 * (double)res.explained / (double)res.events : 0;
	/* Clock jitter leaves some events just outside their window whatever the
	 * transform: a clear majority inside is the signature of the right one. */
	c->quality = share >= 95.0 ? VT_SYNC_ACCURATE : share >= 60.0 ? VT_SYNC_APPROXIMATE : VT_SYNC_FAIL;
	free(c->why);
	c->why = vt_strdup_printf("containment: %zu of %zu guest events (%.2f%%) fall inside their vCPU's guest-mode "
				  "windows on the host%s",
				  res.explained, res.events, share,
				  method == VT_SYNC_AUTO ? " (no message placed this guest well)" : "");
}

/* The TSC method for a guest when its traces and its host's count TSC cycles
 * and the agent recorded the vCPUs' tsc-offset: exact, so auto prefers it. */
static void tsc(const struct vt_machines *m, const struct vt_trace_info *const *traces, struct vt_sync_result *r,
		int k, enum vt_sync_method method)
{
	const struct vt_machine *g = &m->machines[k];
	struct vt_clock_sync *c = &r->machines[k];
	if ((method != VT_SYNC_TSC && method != VT_SYNC_AUTO) || k == r->root)
		return;
	const char *missing = NULL;
	if (g->role != VT_ROLE_GUEST || g->host != r->root || !traces)
		missing = "not a guest of the reference host";
	else if (!g->nvcpus || !g->vcpus[0].has_tsc)
		missing = "no tsc-offset from the agent (run vmtraced on the host)";
	else if (!vt_clock_is_tsc(&traces[g->traces[0]]->clock) ||
		 !vt_clock_is_tsc(&traces[m->machines[g->host].traces[0]]->clock))
		missing = "the traces do not use TSC clocks";
	if (missing) {
		if (method == VT_SYNC_TSC) {
			char *why = vt_strdup_printf("tsc impossible (%s); %s", missing, c->why ? c->why : "");
			free(c->why);
			c->why = why;
		}
		return;
	}
	const struct vt_trace_info *gt = traces[g->traces[0]];
	const struct vt_trace_info *ht = traces[m->machines[g->host].traces[0]];
	const struct vt_vcpu_map *v = &g->vcpus[0];
	struct vt_transform t;
	if (vt_tsc_transform(&gt->clock, &ht->clock, v->tsc_offset, v->tsc_ratio, v->tsc_frac_bits, &t))
		return;
	c->method = VT_SYNC_TSC;
	c->quality = VT_SYNC_ACCURATE;
	c->to_ref = t;
	c->via = g->host;
	c->accuracy_ns = 0;
	free(c->knots);
	c->knots = NULL;
	c->nknots = 0;
	free(c->why);
	c->why = vt_strdup_printf("TSC clocks: the agent's tsc-offset %lld of vCPU %u relates them exactly",
				  (long long)v->tsc_offset, v->vcpu);
}

int vt_sync_finish(struct vt_sync *s, const struct vt_machines *m, const struct vt_trace_info *const *traces,
		   enum vt_sync_method method, struct vt_sync_result **out, struct vt_error *err)
{
	*out = NULL;
	size_t n = m->count;
	struct vt_sync_result *r = calloc(1, sizeof(*r));
	struct link *links = calloc(n ? n * n : 1, sizeof(*links));
	int *placed = calloc(n ? n : 1, sizeof(*placed));
	int rc = -1;
	const char *why = vt_msg_store_error(&s->msgs);
	if (why) {
		free(r);
		free(links);
		free(placed);
		return vt_error_set(err, "synchronization: the temporary file of messages: %s", why);
	}
	if (!r || !links || !placed || s->msgs.mem.oom)
		goto out;
	r->count = n;
	r->machines = calloc(n ? n : 1, sizeof(*r->machines));
	if (!r->machines || collect_links(s, m, links, method))
		goto out;
	r->root = n ? pick_root(m) : -1;
	for (size_t k = 0; k < n; k++) {
		r->machines[k].reference = r->root;
		r->machines[k].via = -1;
		r->machines[k].to_ref = (struct vt_transform){1, 0, 0};
		r->machines[k].accuracy_ns = -1;
	}
	if (n) {
		placed[r->root] = 1;
		r->machines[r->root].method = method == VT_SYNC_TRUSTED ? VT_SYNC_TRUSTED : VT_SYNC_HULL;
		r->machines[r->root].quality = VT_SYNC_ACCURATE;
		r->machines[r->root].accuracy_ns = 0;
		r->machines[r->root].why = strdup("the reference: every other clock is mapped to this one");
	}
	/* Prim's tree: always the best link from a placed machine to an unplaced one. */
	for (;;) {
		int best = -1, best_via = -1, best_rank = -1;
		size_t best_n = 0;
		for (size_t k = 0; k < n; k++) {
			if (placed[k])
				continue;
			for (size_t v = 0; v < n; v++) {
				if (!placed[v])
					continue;
				const struct link *l = &links[(k < v ? k : v) * n + (k < v ? v : k)];
				int rk = rank(l);
				if (rk > best_rank || (rk == best_rank && l->n > best_n)) {
					best = (int)k;
					best_via = (int)v;
					best_rank = rk;
					best_n = l->n;
				}
			}
		}
		if (best < 0)
			break;
		placed[best] = 1;
		if (best_rank == 0) { /* no message with any placed machine */
			struct vt_clock_sync *c = &r->machines[best];
			c->method = VT_SYNC_TRUSTED;
			c->quality = VT_SYNC_ABSENT;
			c->why = strdup("no message matched with any other machine: clocks taken as they are, "
					"unverified (trace TCP traffic with the host, or use vmsync)");
			continue;
		}
		place(r, links, n, (size_t)best, (size_t)best_via, method, m, traces);
	}
	for (size_t k = 0; k < n; k++)
		tsc(m, traces, r, (int)k, method);
	for (size_t k = 0; k < n; k++)
		if (r->machines[k].method != VT_SYNC_TSC)
			contain(s, m, r, (int)k, method);
	for (size_t k = 0; k < n; k++)
		if (measure(r, links, n, k))
			goto out;
	rc = 0;
out:
	for (size_t i = 0; links && i < n * n; i++) {
		free(links[i].p);
		free(links[i].knots);
	}
	free(links);
	free(placed);
	if (rc) {
		vt_sync_result_free(r);
		return vt_error_set(err, "synchronization: out of memory");
	}
	*out = r;
	return 0;
}

void vt_sync_result_free(struct vt_sync_result *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->count; k++) {
		free(r->machines[k].why);
		free(r->machines[k].knots);
	}
	free(r->machines);
	free(r);
}
