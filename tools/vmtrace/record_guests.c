/* Every guest of a recording, each in a worker thread of its own: reach its
 * guest agent, start the same kind of session in it, wait for the stop (or
 * snapshots), stop, bring its trace back. A guest whose agent does not
 * answer is recorded from the host side only, and says why. */
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/text.h"
#include "record/ftrace_assemble.h"
#include "record/ftrace_guest_script.h"
#include "record/guest_lttng.h"
#include "record/guest_session.h"
#include "record/qga.h"
#include "record/qga_find.h"

/* The guest's ftrace events: the host's list without kvm:*. */
static const char *const guest_ftrace_events[] = {
	"sched:sched_switch", "sched:sched_wakeup", "sched:sched_wakeup_new", "sched:sched_process_fork",
	"sched:sched_process_exec", "sched:sched_process_exit", "irq:irq_handler_entry", "irq:irq_handler_exit",
	"irq:softirq_entry", "irq:softirq_exit", "net:net_dev_queue", "net:netif_receive_skb",
};

const char *vt_rec_guest_state_name(enum vt_rec_guest_state s)
{
	static const char *const names[] = {"connecting", "starting", "recording", "stopping", "fetching",
					    "recorded", "host-only", "failed"};
	return names[s];
}

void vt_rec_guests_init(struct vt_rec_guests *gs, const struct vt_rec_opts *o)
{
	memset(gs, 0, sizeof(*gs));
	pthread_mutex_init(&gs->mu, NULL);
	pthread_cond_init(&gs->cv, NULL);
	gs->o = o;
	gs->outdir = o->outdir;
}

static void set_state(struct vt_rec_guest *rg, enum vt_rec_guest_state s, const char *why)
{
	pthread_mutex_lock(&rg->all->mu);
	rg->state = s;
	if (why)
		snprintf(rg->why, sizeof(rg->why), "%s", why);
	pthread_mutex_unlock(&rg->all->mu);
}

/* Waits up to ms (or for a change); returns 1 when the recording stops or aborts. */
static int wait_for_change(struct vt_rec_guests *gs, int ms, unsigned *seq)
{
	pthread_mutex_lock(&gs->mu);
	if (!gs->stop && !gs->abort && (!seq || *seq == gs->snapshot_seq)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&gs->cv, &gs->mu, &ts);
	}
	int done = gs->stop || gs->abort;
	pthread_mutex_unlock(&gs->mu);
	return done;
}

static int aborted(struct vt_rec_guests *gs)
{
	pthread_mutex_lock(&gs->mu);
	int a = gs->abort;
	pthread_mutex_unlock(&gs->mu);
	return a;
}

/* The three scripts of this guest's session (free them). */
struct scripts {
	char *start, *stop, *snapshot;
	char guest_dir[128];
};

static int make_scripts(struct vt_rec_guest *rg, struct scripts *sc, struct vt_error *err)
{
	const struct vt_rec_opts *o = rg->all->o;
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->guest_dir, sizeof(sc->guest_dir), "/var/tmp/vmtrace-%ld-%" PRId64, (long)getpid(), rg->info.pid);
	unsigned kb = o->guest_buffer_kb ? o->guest_buffer_kb : 4096;
	if (o->tracer == VT_REC_LTTNG) {
		/* One name per guest: the relay daemon's folders are HOSTNAME/SESSION-DATE. */
		snprintf(rg->session, sizeof(rg->session), "vmtrace-%ld-%" PRId64, (long)getpid(), rg->info.pid);
		struct vt_guest_lttng gl = {rg->session, sc->guest_dir, NULL, 1u << 20, 4, o->snapshot, !o->no_agent,
					    rg->all->relay ? rg->all->relay->url : NULL};
		unsigned n = kb / 1024 < 2 ? 2 : kb / 1024;
		while (n & (n - 1))
			n &= n - 1;
		gl.num_subbuf = n;
		sc->start = vt_guest_lttng_start(&gl);
		sc->stop = vt_guest_lttng_stop(&gl);
		sc->snapshot = vt_guest_lttng_snapshot(&gl);
	} else {
		struct vt_ftrace_guest_options fo = {
			.capture_dir = sc->guest_dir,
			.events = guest_ftrace_events,
			.nevents = sizeof(guest_ftrace_events) / sizeof(guest_ftrace_events[0]),
			.buffer_kb = kb,
			.overwrite = o->snapshot,
			.ping = !o->no_agent, /* the guest's agent's pings, as its LTTng sessions record them */
		};
		sc->start = vt_ftrace_guest_script_start(&fo, err);
		sc->stop = sc->start ? vt_ftrace_guest_script_stop(&fo, err) : NULL;
		sc->snapshot = sc->stop ? vt_ftrace_guest_script_snapshot(&fo, err) : NULL;
	}
	if (sc->start && sc->stop && sc->snapshot)
		return 0;
	if (o->tracer == VT_REC_LTTNG)
		vt_error_set_cause(err, VT_ERR_NOMEM, "cannot make the guest's LTTng scripts (out of memory?)");
	return -1;
}

static void free_scripts(struct scripts *sc)
{
	free(sc->start);
	free(sc->stop);
	free(sc->snapshot);
}

static int64_t deadline_s(int s)
{
	return vt_qga_now_ms() + (int64_t)s * 1000;
}

/* The guest agent, by the deadline; a guest created during the recording
 * keeps trying (its agent starts with its OS) until the recording ends, when
 * it has a channel at all. */
static struct vt_guest *connect_agent(struct vt_rec_guest *rg, struct vt_error *err)
{
	const struct vt_rec_opts *o = rg->all->o;
	struct vt_qga_endpoint ep;
	if (vt_qga_find(&o->paths, rg->info.pid, &ep, err) < 0 ||
	    (!vt_qga_endpoint_is_libvirt(&ep) && vt_qga_endpoint_usable(&ep, err) < 0))
		return NULL; /* no channel (or another client's): waiting would not make one */
	const char *uuid = rg->info.uuid[0] ? rg->info.uuid : NULL;
	for (;;) {
		struct vt_guest *g = vt_guest_open(&o->paths, rg->info.pid, uuid, NULL, deadline_s(o->guest_timeout_s),
						   err);
		if (g || !rg->created_during || wait_for_change(rg->all, 2000, NULL))
			return g;
	}
}

static void take_report(struct vt_rec_guest *rg, struct vt_guest *g)
{
	const struct vt_guest_report *r = vt_guest_report(g);
	pthread_mutex_lock(&rg->all->mu);
	snprintf(rg->agent_version, sizeof(rg->agent_version), "%s", r->agent_version);
	rg->agent_channel = vt_qga_is_libvirt(vt_guest_qga(g)) ? "libvirt" : "socket";
	if (r->tracer[0])
		snprintf(rg->tracer, sizeof(rg->tracer), "%s", r->tracer);
	snprintf(rg->notes, sizeof(rg->notes), "%s", r->notes);
	rg->lost = r->lost;
	rg->has_lost = r->has_lost;
	pthread_mutex_unlock(&rg->all->mu);
}

/* The guest's folder into DIR/<folder>: LTTng's output as it is, ftrace's
 * capture assembled into DIR/<folder>/<folder>.dat. */
static int fetch(struct vt_rec_guest *rg, struct vt_guest *g, const struct scripts *sc, struct vt_error *err)
{
	const struct vt_rec_opts *o = rg->all->o;
	char dest[4400], capture[4500], dat[4800];
	if (snprintf(dest, sizeof(dest), "%s/%s", rg->all->outdir, rg->folder) >= (int)sizeof(dest) ||
	    snprintf(capture, sizeof(capture), "%s/capture", dest) >= (int)sizeof(capture) ||
	    snprintf(dat, sizeof(dat), "%s/%s.dat", dest, rg->folder) >= (int)sizeof(dat))
		return vt_error_set(err, "%s: path too long", rg->all->outdir);
	int64_t dl = deadline_s(o->guest_timeout_s * 20);
	if (vt_guest_report(g)->relayed) {
		rg->relayed = 1; /* on the relay daemon: vt_rec_guests_collect */
		return 0;
	}
	if (o->tracer == VT_REC_LTTNG)
		return vt_guest_fetch(g, sc->guest_dir, dest, 1, dl, NULL, err);
	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create: %s", dest, strerror(errno));
	if (vt_guest_fetch(g, sc->guest_dir, capture, 1, dl, NULL, err) < 0)
		return -1;
	struct vt_ftrace_assembly a;
	if (vt_ftrace_assemble(capture, dat, &a, err) < 0)
		return -1; /* the capture stays beside: nothing recorded is lost */
	pthread_mutex_lock(&rg->all->mu);
	rg->lost = a.lost;
	rg->has_lost = 1;
	pthread_mutex_unlock(&rg->all->mu);
	vt_remove_tree(capture);
	return 0;
}

/* Records until the recording stops: snapshots on request, then the stop. */
static int record_until_stop(struct vt_rec_guest *rg, struct vt_guest *g, const struct scripts *sc,
			     struct vt_error *err)
{
	struct vt_rec_guests *gs = rg->all;
	pthread_mutex_lock(&gs->mu);
	unsigned seq = gs->snapshot_seq;
	pthread_mutex_unlock(&gs->mu);
	for (;;) {
		int done = wait_for_change(gs, 1000, &seq);
		pthread_mutex_lock(&gs->mu);
		int snap = seq != gs->snapshot_seq && !gs->abort; /* a snapshot asked with the stop comes first */
		seq = gs->snapshot_seq;
		pthread_mutex_unlock(&gs->mu);
		if (snap && vt_guest_script(g, sc->snapshot, deadline_s(gs->o->guest_timeout_s), NULL, err) < 0)
			return -1;
		if (done)
			break;
	}
	if (aborted(gs))
		return vt_error_set(err, "aborted");
	rg->stopped_ms = vt_qga_now_ms();
	set_state(rg, VT_REC_G_STOPPING, NULL);
	return vt_guest_script(g, sc->stop, deadline_s(gs->o->guest_timeout_s), NULL, err);
}

static void *worker(void *arg)
{
	struct vt_rec_guest *rg = arg;
	struct vt_error err;
	struct scripts sc;
	struct vt_guest *g = connect_agent(rg, &err);
	if (!g) {
		set_state(rg, VT_REC_G_HOST_ONLY, err.msg);
		return NULL;
	}
	set_state(rg, VT_REC_G_STARTING, NULL);
	if (make_scripts(rg, &sc, &err) < 0) {
		set_state(rg, VT_REC_G_HOST_ONLY, err.msg);
		free_scripts(&sc);
		vt_guest_close(g);
		return NULL;
	}
	if (!rg->tracer[0])
		snprintf(rg->tracer, sizeof(rg->tracer), "%s", rg->all->o->tracer == VT_REC_LTTNG ? "lttng" : "ftrace");
	int rc = vt_guest_script(g, sc.start, deadline_s(rg->all->o->guest_timeout_s), NULL, &err);
	take_report(rg, g);
	if (rc < 0) {
		set_state(rg, VT_REC_G_HOST_ONLY, err.msg);
	} else {
		rg->started_ms = vt_qga_now_ms();
		set_state(rg, VT_REC_G_RECORDING, NULL);
		rc = record_until_stop(rg, g, &sc, &err);
		take_report(rg, g);
		if (rc == 0 && !aborted(rg->all)) {
			set_state(rg, VT_REC_G_FETCHING, NULL);
			rc = fetch(rg, g, &sc, &err);
		}
		set_state(rg, rc == 0 ? VT_REC_G_DONE : VT_REC_G_FAILED, rc == 0 ? NULL : err.msg);
	}
	if (rg->state == VT_REC_G_DONE && !rg->relayed) {
		char dest[4400];
		snprintf(dest, sizeof(dest), "%s/%s", rg->all->outdir, rg->folder);
		rg->bytes = vt_rec_tree_bytes(dest);
	}
	free_scripts(&sc);
	vt_guest_close(g);
	return NULL;
}

/* A folder name from what the guest is called: its name when plain, else its uuid, else qemu-PID. */
static int plain_name(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n &&
	       s[0] != '.' && s[0] != '-' && strcmp(s, "host") && strcmp(s, "capture");
}

static void choose_folder(struct vt_rec_guests *gs, struct vt_rec_guest *rg)
{
	const struct vt_guest_info *g = &rg->info;
	if (plain_name(g->name))
		snprintf(rg->folder, sizeof(rg->folder), "%s", g->name);
	else if (g->uuid[0])
		snprintf(rg->folder, sizeof(rg->folder), "%s", g->uuid);
	else
		snprintf(rg->folder, sizeof(rg->folder), "qemu-%" PRId64, g->pid);
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i] != rg && !strcmp(gs->g[i]->folder, rg->folder)) {
			size_t len = strlen(rg->folder);
			snprintf(rg->folder + len, sizeof(rg->folder) - len, "-%" PRId64, g->pid);
			break;
		}
}

static int copy_info(struct vt_guest_info *dst, const struct vt_guest_info *src)
{
	*dst = *src;
	dst->vcpu = NULL;
	if (!src->nvcpu)
		return 0;
	dst->vcpu = malloc(src->nvcpu * sizeof(*dst->vcpu));
	if (!dst->vcpu)
		return -1;
	memcpy(dst->vcpu, src->vcpu, src->nvcpu * sizeof(*dst->vcpu));
	return 0;
}

static struct vt_rec_guest *add_guest(struct vt_rec_guests *gs, const struct vt_guest_info *g, int during)
{
	struct vt_rec_guest *rg = calloc(1, sizeof(*rg));
	struct vt_rec_guest **arr = rg ? realloc(gs->g, (gs->n + 1) * sizeof(*arr)) : NULL;
	if (!arr || copy_info(&rg->info, g) < 0) {
		free(rg);
		fprintf(stderr, "vmtrace record: guest pid %" PRId64 ": out of memory, not recorded\n", g->pid);
		return NULL;
	}
	gs->g = arr;
	rg->all = gs;
	rg->created_during = during;
	rg->created_ms = vt_qga_now_ms();
	pthread_mutex_lock(&gs->mu);
	gs->g[gs->n++] = rg;
	choose_folder(gs, rg);
	pthread_mutex_unlock(&gs->mu);
	if (pthread_create(&rg->thread, NULL, worker, rg) == 0)
		rg->joinable = 1;
	else
		set_state(rg, VT_REC_G_FAILED, "cannot start its worker thread");
	return rg;
}

static int selected(const struct vt_rec_opts *o, const struct vt_guest_info *g, int *used)
{
	if (!o->nselect)
		return 1;
	int hit = 0;
	for (size_t i = 0; i < o->nselect; i++) {
		const char *s = o->select[i];
		char *end;
		long long pid = strtoll(s, &end, 10);
		if (!strcmp(s, g->name) || (g->uuid[0] && !strcasecmp(s, g->uuid)) || (!*end && pid == g->pid)) {
			if (used)
				used[i] = 1;
			hit = 1;
		}
	}
	return hit;
}

size_t vt_rec_guests_start(struct vt_rec_guests *gs, const struct vt_guest_list *l)
{
	const struct vt_rec_opts *o = gs->o;
	int *used = calloc(o->nselect + 1, sizeof(*used));
	size_t started = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct vt_guest_info *g = &l->guests[i];
		if (!vt_guest_is_kvm(g) || !selected(o, g, used))
			continue;
		started += add_guest(gs, g, 0) != NULL;
	}
	for (size_t i = 0; used && i < o->nselect; i++)
		if (!used[i]) {
			char shown[600];
			fprintf(stderr, "vmtrace record: --guest %s: no running KVM guest has that name, uuid or pid\n",
				vt_text_safe(o->select[i], shown, sizeof(shown)));
		}
	free(used);
	return started;
}

void vt_rec_guests_add(struct vt_rec_guests *gs, const struct vt_guest_info *g)
{
	if (gs->o->no_guests || !vt_guest_is_kvm(g) || !selected(gs->o, g, NULL))
		return;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i]->info.pid == g->pid)
			return;
	add_guest(gs, g, 1);
}

static void broadcast(struct vt_rec_guests *gs, int stop, int abort, int snap)
{
	pthread_mutex_lock(&gs->mu);
	gs->stop |= stop;
	gs->abort |= abort;
	gs->snapshot_seq += (unsigned)snap;
	pthread_cond_broadcast(&gs->cv);
	pthread_mutex_unlock(&gs->mu);
}

void vt_rec_guests_snapshot(struct vt_rec_guests *gs)
{
	broadcast(gs, 0, 0, 1);
}

void vt_rec_guests_stop(struct vt_rec_guests *gs)
{
	broadcast(gs, 1, 0, 0);
}

void vt_rec_guests_abort(struct vt_rec_guests *gs)
{
	broadcast(gs, 1, 1, 0);
}

void vt_rec_guests_join(struct vt_rec_guests *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i]->joinable) {
			pthread_join(gs->g[i]->thread, NULL);
			gs->g[i]->joinable = 0;
		}
}

void vt_rec_guests_collect(struct vt_rec_guests *gs)
{
	for (size_t i = 0; gs->relay && i < gs->n; i++) {
		struct vt_rec_guest *rg = gs->g[i];
		if (rg->state != VT_REC_G_DONE || !rg->relayed)
			continue;
		char dest[4400];
		struct vt_error err;
		snprintf(dest, sizeof(dest), "%s/%s", gs->outdir, rg->folder);
		if (vt_relayd_collect(gs->relay, rg->session, dest, &err) < 0)
			set_state(rg, VT_REC_G_FAILED, err.msg);
		else
			rg->bytes = vt_rec_tree_bytes(dest);
	}
}

void vt_rec_guests_free(struct vt_rec_guests *gs)
{
	vt_rec_guests_abort(gs);
	vt_rec_guests_join(gs);
	for (size_t i = 0; i < gs->n; i++) {
		vt_guest_info_free(&gs->g[i]->info);
		vt_kacct_guest_free(&gs->g[i]->kstart);
		vt_kacct_guest_free(&gs->g[i]->kend);
		free(gs->g[i]);
	}
	free(gs->g);
	pthread_cond_destroy(&gs->cv);
	pthread_mutex_destroy(&gs->mu);
	memset(gs, 0, sizeof(*gs));
}

void vt_rec_guests_kacct(struct vt_rec_guests *gs, const struct vt_agent_paths *paths, int end)
{
	pthread_mutex_lock(&gs->mu);
	for (size_t i = 0; i < gs->n; i++) {
		struct vt_rec_guest *rg = gs->g[i];
		const struct vt_guest_info *g = &rg->info;
		/* Only both ends make a difference: no end without a start. */
		if ((end && !rg->has_kstart) || (!end && rg->has_kstart))
			continue;
		uint32_t *idx = calloc(g->nvcpu ? g->nvcpu : 1, sizeof(*idx));
		int32_t *tid = calloc(g->nvcpu ? g->nvcpu : 1, sizeof(*tid));
		struct vt_kacct_guest *k = end ? &rg->kend : &rg->kstart;
		if (idx && tid) {
			for (size_t v = 0; v < g->nvcpu; v++) {
				idx[v] = g->vcpu[v].vcpu;
				tid[v] = g->vcpu[v].tid;
			}
			if (vt_kacct_read_guest(paths, g->pid, idx, tid, g->nvcpu, k) == 0)
				*(end ? &rg->has_kend : &rg->has_kstart) = 1;
			else
				vt_kacct_guest_free(k); /* out of memory: none rather than half */
		}
		free(idx);
		free(tid);
	}
	pthread_mutex_unlock(&gs->mu);
}

void vt_rec_guests_status(struct vt_rec_guests *gs, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	pthread_mutex_lock(&gs->mu);
	for (size_t i = 0; i < gs->n && len + 1 < size; i++) {
		const struct vt_rec_guest *rg = gs->g[i];
		int w = snprintf(buf + len, size - len, "%s%s %s", i ? ", " : "", rg->folder,
				 vt_rec_guest_state_name(rg->state));
		if (w < 0)
			break;
		len += (size_t)w < size - len ? (size_t)w : size - len - 1;
	}
	pthread_mutex_unlock(&gs->mu);
}
