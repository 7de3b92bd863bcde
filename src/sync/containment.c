#include "common/sort.h"
#include "common/tmpfile.h"
#include "sync/containment.h"
#include "sync/edges.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Guest events kept per trace: enough to pin the offset to a µs, few enough
 * that the search stays fast on long traces. */
#define SAMPLES_PER_TRACE 65536
/* First search: this far around the starting estimate (NTP-grade clocks). */
#define FIRST_RADIUS_NS 5000000
#define REFINE_RADIUS_NS 100000
#define SEGMENTS 8

static struct vt_vcpu_windows *thread_of(struct vt_containment *c, size_t trace, int32_t tid)
{
	if (c->last < c->nthreads && c->threads[c->last].tid == tid && c->threads[c->last].trace == trace)
		return &c->threads[c->last];
	for (size_t i = 0; i < c->nthreads; i++)
		if (c->threads[i].tid == tid && c->threads[i].trace == trace) {
			c->last = i;
			return &c->threads[i];
		}
	if (c->nthreads == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct vt_vcpu_windows *t = realloc(c->threads, cap * sizeof(*t));
		if (!t)
			return NULL;
		c->threads = t;
		c->cap = cap;
	}
	struct vt_vcpu_windows *t = &c->threads[c->nthreads];
	memset(t, 0, sizeof(*t));
	t->trace = trace;
	t->tid = tid;
	t->open = -1;
	c->last = c->nthreads++;
	return t;
}

#define LOG_RECORDS 4096

struct log_record {
	uint64_t thread;
	struct vt_window w;
};

struct vt_window_log {
	int fd;
	uint64_t size; /* bytes written */
	struct log_record buf[LOG_RECORDS];
	size_t fill;
	int failed; /* an errno */
};

static struct vt_window_log *log_new(void)
{
	struct vt_window_log *log = malloc(sizeof(*log));
	if (!log)
		return NULL;
	log->fd = vt_tmpfile("windows", NULL, 0);
	if (log->fd < 0) {
		free(log);
		return NULL;
	}
	log->size = 0;
	log->fill = 0;
	log->failed = 0;
	return log;
}

static void log_flush(struct vt_window_log *log)
{
	size_t size = log->fill * sizeof(*log->buf);
	if (!log->failed)
		log->failed = vt_pwrite_all(log->fd, log->buf, size, log->size);
	log->size += size;
	log->fill = 0;
}

const char *vt_containment_error(const struct vt_containment *c, char *buf, size_t size)
{
	if (!c->log || !c->log->failed)
		return NULL;
	return vt_tmpdir_error(c->log->failed, buf, size);
}

static int push_window(struct vt_vcpu_windows *t, struct vt_window w)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct vt_window *x = realloc(t->w, cap * sizeof(*x));
		if (!x)
			return -1;
		t->w = x;
		t->cap = cap;
	}
	t->w[t->n++] = w;
	return 0;
}

/* Whether host thread k is one of these vCPUs' on these host traces. */
static int wanted(const struct vt_containment *c, size_t k, const size_t *host_traces, size_t nhost,
		  const struct vt_vcpu_map *vcpus, size_t nvcpus)
{
	for (size_t v = 0; v < nvcpus; v++)
		for (size_t h = 0; h < nhost; h++)
			if (c->threads[k].trace == host_traces[h] && c->threads[k].tid == vcpus[v].tid)
				return 1;
	return 0;
}

/* Brings the logged windows of these vCPUs' threads into memory (each thread
 * once): only a guest that needs containment costs memory, only its own. */
static int log_load(const struct vt_containment *c, const size_t *host_traces, size_t nhost,
		    const struct vt_vcpu_map *vcpus, size_t nvcpus)
{
	struct vt_window_log *log = c->log;
	if (!log)
		return 0;
	int any = 0;
	for (size_t i = 0; i < c->nthreads; i++) {
		struct vt_vcpu_windows *t = &c->threads[i];
		if (t->loaded || !wanted(c, i, host_traces, nhost, vcpus, nvcpus))
			continue;
		t->loaded = 1;
		t->cap = t->n;
		t->n = 0;
		if (t->cap && !(t->w = malloc(t->cap * sizeof(*t->w))))
			return -1;
		any = 1;
	}
	if (!any)
		return 0;
	if (log->fill)
		log_flush(log);
	if (log->failed)
		return -1;
	for (uint64_t off = 0; off < log->size;) {
		size_t want = log->size - off < sizeof(log->buf) ? (size_t)(log->size - off) : sizeof(log->buf);
		ssize_t r = pread(log->fd, log->buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (size_t)r % sizeof(*log->buf))
			return -1;
		for (size_t k = 0; k < (size_t)r / sizeof(*log->buf); k++) {
			struct vt_vcpu_windows *t = &c->threads[log->buf[k].thread];
			if (t->loaded && t->n < t->cap && t->w)
				t->w[t->n++] = log->buf[k].w;
		}
		off += (uint64_t)r;
	}
	return 0;
}

static void on_kvm(struct vt_containment *c, size_t trace, const struct vt_event *ev)
{
	if (ev->tid <= 0)
		return;
	struct vt_vcpu_windows *t = thread_of(c, trace, ev->tid);
	if (!t) {
		c->oom = 1;
		return;
	}
	if (ev->kind == VT_KVM_ENTRY) {
		t->open = (int64_t)ev->ts_ns;
		return;
	}
	if (t->open < 0)
		return; /* an exit whose entry came before the trace */
	struct vt_window w = {t->open, (int64_t)ev->ts_ns};
	t->open = -1;
	if (!c->log && !c->no_log && !(c->log = log_new()))
		c->no_log = 1; /* no temporary file: keep them in memory */
	if (c->log && !t->loaded) {
		c->log->buf[c->log->fill++] = (struct log_record){(uint64_t)(t - c->threads), w};
		t->n++; /* counted now, loaded on demand */
		if (c->log->fill == LOG_RECORDS)
			log_flush(c->log);
		return;
	}
	if (push_window(t, w))
		c->oom = 1;
}

/* Every stride-th event; when full, keep every other one and double the stride. */
static void on_event(struct vt_containment *c, size_t trace, const struct vt_event *ev)
{
	if (ev->cpu < 0)
		return;
	if (trace >= c->ntraces) {
		size_t n = trace + 1;
		struct vt_trace_samples *t = realloc(c->traces, n * sizeof(*t));
		if (!t) {
			c->oom = 1;
			return;
		}
		memset(t + c->ntraces, 0, (n - c->ntraces) * sizeof(*t));
		c->traces = t;
		c->ntraces = n;
	}
	struct vt_trace_samples *t = &c->traces[trace];
	if (!t->stride)
		t->stride = 1;
	if (t->seen++ % t->stride)
		return;
	if (t->n == SAMPLES_PER_TRACE) {
		for (size_t i = 0; i < t->n / 2; i++)
			t->s[i] = t->s[2 * i];
		t->n /= 2;
		t->stride *= 2;
	}
	if (!t->s && !(t->s = malloc(SAMPLES_PER_TRACE * sizeof(*t->s)))) {
		c->oom = 1;
		return;
	}
	t->s[t->n++] = (struct vt_guest_sample){(int64_t)ev->ts_ns, ev->cpu};
}

void vt_containment_feed(struct vt_containment *c, size_t trace, const struct vt_event *ev)
{
	if (ev->kind == VT_KVM_ENTRY || ev->kind == VT_KVM_EXIT)
		on_kvm(c, trace, ev);
	else
		on_event(c, trace, ev);
}

void vt_containment_free(struct vt_containment *c)
{
	if (c->log) {
		close(c->log->fd);
		free(c->log);
	}
	for (size_t i = 0; i < c->nthreads; i++)
		free(c->threads[i].w);
	free(c->threads);
	for (size_t i = 0; i < c->ntraces; i++)
		free(c->traces[i].s);
	free(c->traces);
	memset(c, 0, sizeof(*c));
}

/* One guest event, with the windows of its vCPU. */
#define probe vt_containment_probe

/* First window ending at or after t. */
static size_t first_window(const struct vt_vcpu_windows *w, int64_t t)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->w[mid].end < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First window starting after t. */
static size_t first_after(const struct vt_vcpu_windows *w, int64_t t)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->w[mid].start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Windows one search may weigh, at most: past it the probes are thinned
 * evenly, so the memory stays flat however long the trace (a 10 s large
 * scenario's wide search met 2.6 M windows, 130 MB of edges to sort). */
#define WINDOW_BUDGET (1u << 19)

/* The windows probe p meets within radius of its predicted host time: [*a, *b). */
static void near(const struct probe *p, const struct vt_transform *t, int64_t radius, size_t *a, size_t *b)
{
	int64_t pred = vt_transform_apply(t, p->guest_ts);
	*a = first_window(p->windows, pred - radius);
	*b = first_after(p->windows, pred + radius);
	if (*b < *a)
		*b = *a;
}

/* The correction δ (added to t's predicted host time) covering the most
 * probes, as the middle of the best plateau; *half is its half width. */
static int best_shift(const struct probe *p, size_t n, const struct vt_transform *t, int64_t radius, double *shift,
		      double *half, size_t *covered)
{
	size_t total = 0, a, b;
	for (size_t i = 0; i < n; i++) {
		near(&p[i], t, radius, &a, &b);
		total += b - a;
	}
	size_t step = total > WINDOW_BUDGET ? (total + WINDOW_BUDGET - 1) / WINDOW_BUDGET : 1;
	size_t cap = 2 * total, ne = 0;
	if (step > 1) { /* the thinned probes' windows, counted again */
		cap = 0;
		for (size_t i = 0; i < n; i += step) {
			near(&p[i], t, radius, &a, &b);
			cap += 2 * (b - a);
		}
	}
	struct vt_edge *e = malloc((cap ? cap : 1) * sizeof(*e));
	if (!e)
		return -1;
	for (size_t i = 0; i < n; i += step) {
		int64_t pred = vt_transform_apply(t, p[i].guest_ts);
		const struct vt_vcpu_windows *w = p[i].windows;
		near(&p[i], t, radius, &a, &b);
		for (size_t k = a; k < b; k++) {
			e[ne++] = (struct vt_edge){w->w[k].start - pred, +1};
			e[ne++] = (struct vt_edge){w->w[k].end - pred, -1};
		}
	}
	if (!ne) {
		free(e);
		return -1;
	}
	if (vt_edges_sort(e, ne)) {
		free(e);
		return -1;
	}
	int cur = 0, best = -1;
	int64_t lo = 0, hi = 0;
	for (size_t i = 0; i < ne; i++) {
		cur += e[i].delta;
		if (e[i].delta > 0 && cur > best) {
			best = cur;
			lo = e[i].at;
			hi = i + 1 < ne ? e[i + 1].at : e[i].at;
		} else if (e[i].delta > 0 && cur == best && llabs(e[i].at) < llabs(lo)) {
			lo = e[i].at; /* ties: the plateau nearest the estimate */
			hi = i + 1 < ne ? e[i + 1].at : e[i].at;
		}
	}
	free(e);
	*shift = ((double)lo + (double)hi) / 2;
	*half = ((double)hi - (double)lo) / 2;
	*covered = (size_t)best;
	return 0;
}

/* Least squares of the segments' corrections against guest time. */
static struct vt_transform refit(const struct vt_transform *t, const int64_t *gm, const double *shift, size_t n)
{
	int64_t g0 = gm[n / 2];
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		double x = (double)(gm[i] - g0);
		sx += x;
		sy += shift[i];
		sxx += x * x;
		sxy += x * shift[i];
	}
	double den = (double)n * sxx - sx * sx;
	double c1 = n > 1 && den != 0 ? ((double)n * sxy - sx * sy) / den : 0;
	double c0 = (sy - c1 * sx) / (double)n;
	struct vt_transform r;
	r.x0 = g0;
	r.y0 = vt_transform_apply(t, g0) + (int64_t)llround(c0);
	r.slope = t->slope + c1;
	return r;
}

static int cmp_probe(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;
	return (x->guest_ts > y->guest_ts) - (x->guest_ts < y->guest_ts);
}

static size_t count_inside(const struct probe *p, size_t n, const struct vt_transform *t)
{
	size_t inside = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t h = vt_transform_apply(t, p[i].guest_ts);
		const struct vt_vcpu_windows *w = p[i].windows;
		size_t k = first_window(w, h);
		inside += k < w->n && w->w[k].start <= h;
	}
	return inside;
}

/* Events inside at chance: the mean count with the transform displaced by
 * 2 to 16 ms (steps no tick or timeslice divides), where it is surely wrong.
 * A vCPU nearly always in guest mode holds most events whatever the offset:
 * the count means something only well above this. */
#define CHANCE_TRIES 16
static size_t chance_inside(const struct probe *p, size_t n, const struct vt_transform *t)
{
	size_t sum = 0;
	for (int k = 0; k < CHANCE_TRIES; k++) {
		struct vt_transform d = *t;
		d.y0 += (k % 2 ? -1 : 1) * (int64_t)(k / 2 + 1) * 1999993;
		sum += count_inside(p, n, &d);
	}
	return sum / CHANCE_TRIES;
}

/* The wide search's shift made exact: the shift that puts the most of an
 * even sample of the events inside their windows, within `within` of it
 * (a sample: the radius is tens of ms, each probe meeting hundreds of
 * windows). Returns 0, or -1 with none found. */
#define EXACT_SAMPLE 2048
static int exact_shift(const struct probe *p, size_t n, struct vt_transform *t, int64_t within)
{
	size_t m = n < EXACT_SAMPLE ? n : EXACT_SAMPLE;
	struct probe *s = malloc(m * sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < m; i++)
		s[i] = p[i * n / m];
	double sh, half;
	size_t covered;
	int rc = best_shift(s, m, t, within, &sh, &half, &covered);
	free(s);
	if (rc == 0)
		t->y0 += (int64_t)llround(sh);
	return rc;
}

/* Coarse, then fine: each pass corrects the offset per segment of the trace
 * and fits a line through the corrections (the drift). *worst: the claim.
 * Returns 0, or -1 when no segment found a window. */
static int passes(const struct probe *p, size_t n, struct vt_transform *t, double *worst)
{
	for (int pass = 0; pass < 3; pass++) {
		int64_t radius = pass == 0 ? FIRST_RADIUS_NS : REFINE_RADIUS_NS;
		int64_t gm[SEGMENTS];
		double shift[SEGMENTS], halves[SEGMENTS];
		size_t used = 0;
		for (size_t s = 0; s < SEGMENTS; s++) {
			size_t a = n * s / SEGMENTS, b = n * (s + 1) / SEGMENTS;
			double sh, half;
			size_t covered;
			if (best_shift(p + a, b - a, t, radius, &sh, &half, &covered))
				continue;
			gm[used] = p[(a + b) / 2].guest_ts;
			halves[used] = half;
			shift[used++] = sh;
		}
		if (!used)
			return -1;
		struct vt_transform fit = refit(t, gm, shift, used);
		/* The claim must hold in every segment: the line's distance from the
		 * segment's best offset plus that offset's own half width, at worst
		 * (an average hid segments the line misses by more). */
		*worst = 0;
		for (size_t s = 0; s < used; s++) {
			double best = (double)vt_transform_apply(t, gm[s]) + shift[s];
			double e = fabs((double)vt_transform_apply(&fit, gm[s]) - best) + halves[s];
			if (e > *worst)
				*worst = e;
		}
		*t = fit;
	}
	return 0;
}

int vt_containment_solve(const struct vt_containment *c, const size_t *guest_traces, size_t nguest,
			 const size_t *host_traces, size_t nhost, const struct vt_vcpu_map *vcpus, size_t nvcpus,
			 const struct vt_transform *start, int wide, struct vt_containment_result *out)
{
	memset(out, 0, sizeof(*out));
	out->to_host = *start;
	out->accuracy_ns = -1;
	if (log_load(c, host_traces, nhost, vcpus, nvcpus))
		return -1;
	size_t total = 0;
	for (size_t g = 0; g < nguest; g++)
		if (guest_traces[g] < c->ntraces)
			total += c->traces[guest_traces[g]].n;
	struct probe *p = malloc((total ? total : 1) * sizeof(*p));
	if (!p)
		return -1;
	size_t n = 0;
	for (size_t g = 0; g < nguest; g++) {
		if (guest_traces[g] >= c->ntraces)
			continue;
		const struct vt_trace_samples *s = &c->traces[guest_traces[g]];
		for (size_t i = 0; i < s->n; i++) {
			const struct vt_vcpu_windows *w = NULL;
			for (size_t v = 0; v < nvcpus && !w; v++) {
				if (vcpus[v].vcpu != (uint32_t)s->s[i].cpu)
					continue;
				for (size_t k = 0; k < c->nthreads && !w; k++)
					for (size_t h = 0; h < nhost && !w; h++)
						if (c->threads[k].trace == host_traces[h] &&
						    c->threads[k].tid == vcpus[v].tid && c->threads[k].n)
							w = &c->threads[k];
			}
			if (w)
				p[n++] = (struct probe){s->s[i].ts, w};
		}
	}
	if (n < SEGMENTS * 4) {
		free(p);
		return -1;
	}
	vt_qsort(p, n, sizeof(*p), cmp_probe);
	struct vt_transform t = *start;
	double worst = 0;
	/* none found near: as bad as none inside */
	int near = passes(p, n, &t, &worst) == 0;
	size_t inside = near ? count_inside(p, n, &t) : 0;
	/* Most events outside: the clocks may be much farther apart than the
	 * first search reaches (seen: a nested testbed's ftrace guests, 10-15 s). */
	int64_t shift, within;
	if (wide && inside * 10 < n * 6 && vt_containment_wide_shift(p, n, start, &shift, &within) == 0) {
		struct vt_transform far = *start;
		far.y0 += shift;
		double far_worst = 0;
		if (exact_shift(p, n, &far, within) == 0 && passes(p, n, &far, &far_worst) == 0) {
			size_t far_inside = count_inside(p, n, &far);
			if (far_inside > inside || !near) {
				t = far;
				worst = far_worst;
				inside = far_inside;
				near = 1;
			}
		}
	}
	if (!near) {
		free(p);
		return -1;
	}
	out->to_host = t;
	out->events = n;
	out->explained = inside;
	out->chance = chance_inside(p, n, &t);
	/* No better than chance: the offset is anywhere the search looked. */
	out->accuracy_ns = inside < out->chance + (n - out->chance) / 2 ? -1 : (int64_t)llround(worst);
	free(p);
	return 0;
}
