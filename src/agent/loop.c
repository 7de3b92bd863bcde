/* The agent's loop: kernel uevents in, created/destroyed events out. */
#include "agent/agent.h"
#include "common/sigpipe.h"

#include "common/text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A new guest whose vCPU threads do not exist yet: QEMU creates the VM first. */
struct pending {
	int64_t pid;
	char stats_path[256];
	uint32_t expected;
	int64_t start_ms, next_ms;
	int delay_ms;
};

struct loop_state {
	struct pending *p;
	size_t n, cap;
	int noted;
	int64_t next_dump_ms; /* the periodic dump's due time (dump_every_ms) */
	int64_t next_ping_ms; /* the next clock ping's (ping_ms) */
	uint64_t dumps_seen;  /* l->statedumps when it was last set */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static FILE *log_of(struct vt_agent_loop *l)
{
	return l->log ? l->log : stderr;
}

/* Logs a guest's notes (escaped: they may quote the process's own strings). */
static void log_notes(struct vt_agent_loop *l, const struct vt_guest_info *g)
{
	char safe[2100];
	if (g->note[0])
		fprintf(log_of(l), "vmtrace: pid %" PRId64 ": %s\n", g->pid, vt_text_safe(g->note, safe, sizeof(safe)));
}

/* The first failed sink: an error when the loop stops for it, else noted once. */
static int check_sinks(struct vt_agent_loop *l, struct vt_error *err)
{
	for (size_t i = 0; i < l->nsinks; i++) {
		const char *e = l->sinks[i].write_error ? l->sinks[i].write_error(l->sinks[i].ctx) : NULL;
		if (!e)
			continue;
		if (l->stop_on_sink_error)
			return vt_error_set(err, "%s", e);
		if (!(l->noted_sinks & (1u << (i & 31)))) {
			fprintf(log_of(l), "vmtrace: %s; the %s sink stopped, the others go on\n", e, l->sinks[i].name);
			l->noted_sinks |= 1u << (i & 31);
		}
	}
	return 0;
}

/* A dump that failed is logged and the loop goes on, unless a sink failed
 * and the loop stops for that (it says so once, when it stops). */
static void dump_now(struct vt_agent_loop *l, struct vt_error *err)
{
	struct vt_error ignored;
	if (vt_agent_loop_statedump(l, err) < 0 && check_sinks(l, &ignored) == 0)
		fprintf(log_of(l), "vmtrace: %s\n", err->msg);
}

/* The kernel's books after a dump (l->books), the tick function read once. */
static void emit_books(struct vt_agent_loop *l, const struct vt_guest_list *list)
{
	if (!l->books || !list->n)
		return;
	if (!l->tick_read) {
		l->tick_function = vt_agent_tick_function(l->paths);
		l->tick_read = 1;
	}
	if (vt_agent_emit_books(l->sinks, l->nsinks, l->paths, list, l->tick_function) < 0)
		fprintf(log_of(l), "vmtrace: out of memory: the kernel's books are missing from this dump\n");
}

/* The last books as the agent stops: they close the span the first ones opened. */
static void last_books(struct vt_agent_loop *l)
{
	struct vt_guest_list list;
	struct vt_error ignored;
	if (!l->books || vt_agent_statedump(l->paths, &list, &ignored) < 0)
		return;
	emit_books(l, &list);
	vt_guest_list_free(&list);
}

int vt_agent_loop_statedump(struct vt_agent_loop *l, struct vt_error *err)
{
	struct vt_guest_list list;
	if (vt_agent_statedump(l->paths, &list, err) < 0)
		return -1;
	/* Every dump names the machine first, so any trace that has one knows where it ran. */
	struct vt_machine_info m;
	vt_machine_read(l->paths, &m);
	for (size_t i = 0; i < l->nsinks; i++)
		if (l->sinks[i].machine)
			l->sinks[i].machine(l->sinks[i].ctx, &m);
	size_t left_out = vt_agent_emit_statedump(l->sinks, l->nsinks, &list);
	l->statedumps++;
	emit_books(l, &list);
	if (l->statedumps == 1) {
		if (list.note[0])
			fprintf(log_of(l), "vmtrace: %s\n", list.note);
		for (size_t i = 0; i < list.n; i++)
			log_notes(l, &list.guests[i]);
		if (left_out)
			fprintf(log_of(l), "vmtrace: %zu QEMU process%s left out of the trace: no VM fd and no debugfs "
				"folder says %s KVM (vmtrace guests lists them)\n", left_out, left_out == 1 ? "" : "es",
				left_out == 1 ? "it runs" : "they run");
	}
	vt_guest_list_free(&list);
	return check_sinks(l, err);
}

static size_t tids_known(const struct vt_guest_info *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->nvcpu; i++)
		n += g->vcpu[i].tid >= 0;
	return n;
}

static void pending_drop(struct loop_state *s, size_t i)
{
	s->p[i] = s->p[--s->n];
}

static int pending_add(struct vt_agent_loop *l, struct loop_state *s, const struct vt_uevent *ev,
		       const struct vt_guest_info *g)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct pending *p = realloc(s->p, cap * sizeof(*p));
		if (!p) {
			fprintf(log_of(l), "vmtrace: guest pid %" PRId64 ": out of memory: its vCPUs are not followed\n",
				ev->pid);
			return -1;
		}
		s->p = p;
		s->cap = cap;
	}
	struct pending *p = &s->p[s->n++];
	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	memcpy(p->stats_path, ev->stats_path, sizeof(p->stats_path));
	p->expected = g->vcpus ? g->vcpus : 1;
	p->start_ms = now_ms();
	p->delay_ms = 20;
	p->next_ms = p->start_ms + p->delay_ms;
	return 0;
}

static void on_create(struct vt_agent_loop *l, struct loop_state *s, const struct vt_uevent *ev)
{
	struct vt_guest_info g;
	struct vt_error err;
	if (vt_agent_read_guest(l->paths, ev->pid, ev->stats_path, &g, &err) < 0) {
		fprintf(log_of(l), "vmtrace: %s\n", err.msg);
		memset(&g, 0, sizeof(g));
		g.pid = ev->pid;
		g.kvm = VT_KVM_UNKNOWN;
	}
	/* Report it even when gone: the destroy that follows needs its create. */
	if (g.gone) {
		l->gone++;
		fprintf(log_of(l), "vmtrace: guest pid %" PRId64 " exited before it could be read\n", ev->pid);
	} else {
		log_notes(l, &g);
	}
	int vcpus_follow = vt_agent_emit_created(l->sinks, l->nsinks, &g);
	l->created++;
	if (vcpus_follow && g.nvcpu && tids_known(&g) == g.nvcpu)
		vt_agent_emit_vcpus(l->sinks, l->nsinks, &g);
	else if (vcpus_follow)
		pending_add(l, s, ev, &g);
	vt_guest_info_free(&g);
}

static void on_destroy(struct vt_agent_loop *l, struct loop_state *s, const struct vt_uevent *ev)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].pid == ev->pid)
			pending_drop(s, i--);
	for (size_t i = 0; i < l->nsinks; i++)
		if (l->sinks[i].guest_destroyed)
			l->sinks[i].guest_destroyed(l->sinks[i].ctx, ev->pid);
	l->destroyed++;
}

/* Re-reads new guests whose follow-up is due; emits their vCPUs once all are there. */
static void follow_up(struct vt_agent_loop *l, struct loop_state *s)
{
	int64_t now = now_ms();
	for (size_t i = 0; i < s->n; i++) {
		struct pending *p = &s->p[i];
		if (p->next_ms > now)
			continue;
		struct vt_guest_info g;
		struct vt_error err;
		if (vt_agent_read_guest(l->paths, p->pid, p->stats_path, &g, &err) < 0 || g.gone || !vt_guest_is_kvm(&g)) {
			vt_guest_info_free(&g);
			pending_drop(s, i--);
			continue;
		}
		size_t known = tids_known(&g);
		int timed_out = now - p->start_ms >= (l->vcpu_wait_ms ? l->vcpu_wait_ms : 5000);
		if ((known && known >= p->expected && known == g.nvcpu) || timed_out) {
			if (timed_out && known < g.nvcpu)
				fprintf(log_of(l), "vmtrace: guest pid %" PRId64 ": %zu of %zu vCPU threads found\n",
					p->pid, known, g.nvcpu);
			vt_agent_emit_vcpus(l->sinks, l->nsinks, &g);
			pending_drop(s, i--);
		} else {
			p->delay_ms = p->delay_ms < 500 ? p->delay_ms * 2 : 500;
			p->next_ms = now + p->delay_ms;
		}
		vt_guest_info_free(&g);
	}
}

/* ms within +/- 10 % of ms, drawn from n (no state, no libc rand). */
static int64_t jittered(int ms, uint64_t n)
{
	uint64_t h = (n + 1) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	int64_t span = ms / 5;
	return ms - ms / 10 + (span > 0 ? (int64_t)(h % (uint64_t)(span + 1)) : 0);
}

static int timeout_for(struct vt_agent_loop *l, struct loop_state *s, int64_t next_tick)
{
	int64_t now = now_ms(), due = -1;
	for (size_t i = 0; i < s->n; i++)
		if (due < 0 || s->p[i].next_ms < due)
			due = s->p[i].next_ms;
	if (l->tick_ms > 0 && (due < 0 || next_tick < due))
		due = next_tick;
	if (l->dump_every_ms > 0 && (due < 0 || s->next_dump_ms < due))
		due = s->next_dump_ms;
	if (l->ping && l->ping_ms > 0 && (due < 0 || s->next_ping_ms < due))
		due = s->next_ping_ms;
	if (due < 0)
		return -1; /* nothing scheduled: sleep until an event */
	return due <= now ? 0 : (int)(due - now);
}

static int sig_fd = -1;

int vt_agent_catch_signals(struct vt_error *err)
{
	const int sigs[] = {SIGINT, SIGTERM, SIGUSR1, SIGHUP};
	if (sig_fd < 0 && (sig_fd = vt_sigpipe_catch(sigs, sizeof(sigs) / sizeof(sigs[0]))) < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "pipe: %s", strerror(errno));
	return 0;
}

int vt_agent_loop_run(struct vt_agent_loop *l, struct vt_error *err)
{
	if (vt_agent_catch_signals(err) < 0)
		return -1;
	int sfd = sig_fd;
	struct loop_state s = {0};
	int64_t next_tick = now_ms() + l->tick_ms;
	s.next_dump_ms = now_ms() + l->dump_every_ms;
	s.next_ping_ms = now_ms();
	s.dumps_seen = l->statedumps;
	int rc = 0, running = 1;
	while (running) {
		struct pollfd fds[2] = {{l->uevent_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
		int n = poll(fds, 2, timeout_for(l, &s, next_tick));
		if (n < 0 && errno != EINTR) {
			rc = vt_error_set_cause(err, VT_ERR_IO, "poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && (fds[1].revents & POLLIN)) {
			unsigned char sig[16];
			ssize_t got = read(sfd, sig, sizeof(sig));
			int dump = 0;
			for (ssize_t i = 0; i < got; i++) {
				if (sig[i] == SIGINT || sig[i] == SIGTERM)
					running = 0;
				else
					dump = 1; /* several SIGUSR1 at once: one dump */
			}
			if (running && dump)
				dump_now(l, err);
		}
		if (n > 0 && (fds[0].revents & POLLIN)) {
			struct vt_uevent ev;
			int r = vt_uevent_recv(l->uevent_fd, l->trust_root, &ev, err);
			if (r == 1 && ev.action == VT_UEVENT_CREATE)
				on_create(l, &s, &ev);
			else if (r == 1)
				on_destroy(l, &s, &ev);
			else if (r == -2) {
				/* The kernel dropped uevents: a statedump tells the truth again. */
				l->resyncs++;
				fprintf(log_of(l), "vmtrace: uevents were lost (socket overflow); dumping all guests again\n");
				dump_now(l, err);
			} else if (r < 0) {
				rc = -1;
				break;
			}
		}
		follow_up(l, &s);
		if (l->tick_ms > 0 && now_ms() >= next_tick) {
			next_tick = now_ms() + l->tick_ms;
			if (l->tick(l->tick_ctx))
				dump_now(l, err);
		}
		if (l->dump_every_ms > 0 && running && now_ms() >= s.next_dump_ms)
			dump_now(l, err);
		if (l->ping && l->ping_ms > 0 && running && now_ms() >= s.next_ping_ms) {
			vt_agent_ping(l->ping, l->sinks, l->nsinks);
			l->pings++;
			s.next_ping_ms = now_ms() + jittered(l->ping_ms, l->pings);
		}
		if (l->statedumps != s.dumps_seen) { /* any dump restarts the period */
			s.dumps_seen = l->statedumps;
			s.next_dump_ms = now_ms() + l->dump_every_ms;
		}
		if (check_sinks(l, err) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0) {
		last_books(l);
		rc = check_sinks(l, err);
	}
	free(s.p);
	return rc;
}
