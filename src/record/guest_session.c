/* A guest of a recording: its agent found and checked, scripts run in it,
 * its trace folder fetched. Each call ends by its deadline; a failure is
 * kept as one line in the guest's report, so that the recording goes on
 * with the other guests. */
#include "record/guest_internal.h"

#include "record/qga_find.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct vt_guest_limits vt_guest_default_limits = {
	.max_output = 64 * 1024,
	.max_fetch = 4ull << 30,
	.chunk = 1 << 20,
	.untar = {.max_bytes = 4ull << 30, .max_entries = 100000, .max_name = 1024, .max_depth = 32},
};

const struct vt_guest_report *vt_guest_report(const struct vt_guest *g)
{
	return &g->rep;
}

struct vt_qga *vt_guest_qga(struct vt_guest *g)
{
	return g->qga;
}

int vt_guest_failed(struct vt_guest *g, const struct vt_error *e)
{
	if (!g->rep.error[0])
		snprintf(g->rep.error, sizeof(g->rep.error), "%s", e->msg);
	return -1;
}

static int agent_ready(struct vt_guest *g, int64_t deadline, struct vt_error *err)
{
	struct vt_qga_info info;
	if (vt_qga_info(g->qga, deadline, &info, err) < 0)
		return -1;
	snprintf(g->rep.agent_version, sizeof(g->rep.agent_version), "%s", info.version);
	if (info.enabled & VT_QGA_CMD_HOST_NAME)
		vt_qga_host_name(g->qga, deadline, g->rep.host_name, sizeof(g->rep.host_name), NULL);
	return 0;
}

struct vt_guest *vt_guest_attach(struct vt_qga *q, int64_t pid, const char *socket, const struct vt_guest_limits *lim,
				 int64_t deadline, struct vt_error *err)
{
	struct vt_guest *g = calloc(1, sizeof(*g));
	if (!g) {
		vt_qga_close(q);
		vt_error_set_cause(err, VT_ERR_NOMEM, "pid %" PRId64 ": out of memory", pid);
		return NULL;
	}
	g->qga = q;
	g->lim = lim ? *lim : vt_guest_default_limits;
	g->rep.pid = pid;
	snprintf(g->rep.socket, sizeof(g->rep.socket), "%s", socket);
	if (agent_ready(g, deadline, err) < 0) {
		vt_guest_close(g);
		return NULL;
	}
	return g;
}

struct vt_guest *vt_guest_open(const struct vt_agent_paths *paths, int64_t pid, const char *uuid,
			       const struct vt_guest_limits *lim, int64_t deadline, struct vt_error *err)
{
	struct vt_qga_endpoint ep;
	if (vt_qga_find(paths, pid, &ep, err) < 0)
		return NULL;
	struct vt_qga *q = NULL;
	if (vt_qga_endpoint_is_libvirt(&ep))
		q = vt_qga_connect_libvirt(NULL, pid, uuid, deadline, err);
	else if (vt_qga_endpoint_usable(&ep, err) == 0)
		q = vt_qga_connect(paths, pid, ep.path, deadline, err);
	return q ? vt_guest_attach(q, pid, ep.path, lim, deadline, err) : NULL;
}

void vt_guest_close(struct vt_guest *g)
{
	if (!g)
		return;
	vt_qga_close(g->qga);
	free(g);
}

void vt_guest_result_free(struct vt_guest_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int vt_guest_script_begin(struct vt_guest *g, const char *script, int64_t deadline, struct vt_error *err)
{
	struct vt_error e;
	g->begun_ms = vt_qga_now_ms();
	g->running = 0;
	if (vt_qga_exec_begin(g->qga, script, deadline, &e) < 0) {
		vt_guest_failed(g, &e);
		return vt_error_set(err, "%s", e.msg);
	}
	g->running = 1;
	return 0;
}

/* The status of a finished script into res (which takes its output). */
static void take_status(struct vt_guest *g, struct vt_qga_exec_status *st, struct vt_guest_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exitcode = st->exitcode;
	res->signal = st->signal;
	res->out = st->out;
	res->err = st->err;
	res->out_len = st->out_len;
	res->err_len = st->err_len;
	res->ms = vt_qga_now_ms() - g->begun_ms;
	st->out = st->err = NULL;
	vt_guest_report_take(&g->rep, res->out, res->out_len);
}

int vt_guest_script_end(struct vt_guest *g, int64_t deadline, struct vt_guest_result *res, struct vt_error *err)
{
	struct vt_guest_result mine;
	struct vt_guest_result *r = res ? res : &mine;
	memset(r, 0, sizeof(*r));
	struct vt_error e;
	if (!g->running) {
		vt_error_set(&e, "%s: no script was started", vt_qga_name(g->qga));
		return vt_error_set(err, "%s", e.msg);
	}
	g->running = 0;
	int64_t gpid;
	struct vt_qga_exec_status st;
	if (vt_qga_exec_end(g->qga, deadline, &gpid, &e) < 0 ||
	    vt_qga_exec_wait(g->qga, gpid, g->lim.max_output, deadline, &st, &e) < 0) {
		vt_guest_failed(g, &e);
		return vt_error_set(err, "%s", e.msg);
	}
	take_status(g, &st, r);
	int rc = 0;
	if (r->exitcode || r->signal) {
		char why[512];
		vt_guest_failure(r, why, sizeof(why));
		vt_error_set(&e, "%s: guest script failed: %s", vt_qga_name(g->qga), why);
		vt_guest_failed(g, &e);
		rc = vt_error_set(err, "%s", e.msg);
	}
	if (!res)
		vt_guest_result_free(&mine);
	return rc;
}

int vt_guest_script(struct vt_guest *g, const char *script, int64_t deadline, struct vt_guest_result *res,
		    struct vt_error *err)
{
	if (res)
		memset(res, 0, sizeof(*res));
	if (vt_guest_script_begin(g, script, deadline, err) < 0)
		return -1;
	return vt_guest_script_end(g, deadline, res, err);
}

struct waiter {
	struct vt_guest *g;
	int64_t deadline;
	int rc;          /* -1 until its script ended well */
	int threaded;    /* t was started */
	pthread_t t;
};

static void *wait_one(void *arg)
{
	struct waiter *w = arg;
	w->rc = vt_guest_script_end(w->g, w->deadline, NULL, NULL);
	return NULL;
}

/* Each guest waited for in its own thread: a guest that never answers holds
 * only its own wait, and all of them end by the one deadline. */
size_t vt_guest_script_all(struct vt_guest *const *guests, const char *const *scripts, size_t n, int64_t deadline)
{
	struct waiter *w = calloc(n ? n : 1, sizeof(*w));
	size_t failures = 0;
	for (size_t i = 0; i < n; i++) {
		int begun = vt_guest_script_begin(guests[i], scripts[i], deadline, NULL) == 0;
		if (!w) /* no memory for threads: one after the other */
			failures += !begun || vt_guest_script_end(guests[i], deadline, NULL, NULL) < 0;
		else
			w[i] = (struct waiter){guests[i], deadline, begun ? 0 : -1, 0, 0};
	}
	for (size_t i = 0; w && i < n; i++) {
		if (w[i].rc < 0)
			continue;
		w[i].threaded = pthread_create(&w[i].t, NULL, wait_one, &w[i]) == 0;
		if (!w[i].threaded)
			wait_one(&w[i]);
	}
	for (size_t i = 0; w && i < n; i++) {
		if (w[i].threaded)
			pthread_join(w[i].t, NULL);
		failures += w[i].rc < 0;
	}
	free(w);
	return failures;
}
