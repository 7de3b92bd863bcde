/* Guest agent calls through virsh (qga_virsh.h): one process a call, started
 * by send and waited for by recv, in a FIFO, so that a recording can start
 * every guest's stop script before it waits for any. */
#include "record/qga_virsh.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/proc_run.h"
#include "record/qga.h"

/* Linux's bound on one argument (MAX_ARG_STRLEN, 32 pages), NUL included. */
#define MAX_ARG (128u * 1024u)

struct vt_qga_virsh {
	char virsh[256];
	char uri[512];
	char uuid[64];
	struct vt_proc calls[VT_QGA_VIRSH_MAX_PENDING]; /* a ring: head is the oldest */
	unsigned head, n;
};

struct vt_qga_virsh *vt_qga_virsh_new(const char *virsh, const char *uri, const char *uuid)
{
	struct vt_qga_virsh *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	snprintf(v->virsh, sizeof(v->virsh), "%s", virsh);
	snprintf(v->uri, sizeof(v->uri), "%s", uri);
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	for (unsigned i = 0; i < VT_QGA_VIRSH_MAX_PENDING; i++)
		v->calls[i] = (struct vt_proc){-1, -1, -1, 1};
	return v;
}

void vt_qga_virsh_close(struct vt_qga_virsh *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->n; i++)
		vt_proc_abandon(&v->calls[(v->head + i) % VT_QGA_VIRSH_MAX_PENDING]);
	free(v);
}

unsigned vt_qga_virsh_pending(const struct vt_qga_virsh *v)
{
	return v->n;
}

int vt_qga_virsh_send(struct vt_qga_virsh *v, const char *json, int64_t deadline, struct vt_error *err)
{
	if (v->n == VT_QGA_VIRSH_MAX_PENDING)
		return vt_error_set(err, "more than %d calls wait for an answer", VT_QGA_VIRSH_MAX_PENDING);
	if (strlen(json) >= MAX_ARG)
		return vt_error_set(err, "a command of %zu bytes: longer than virsh can be given", strlen(json));
	int64_t left = deadline - vt_qga_now_ms();
	if (left <= 0)
		return vt_error_set(err, "no time left for the call");
	/* libvirt's own timeout ends first; ours kills virsh if it does not. */
	char secs[24];
	snprintf(secs, sizeof(secs), "%" PRId64, left / 1000 > 0 ? left / 1000 : 1);
	const char *argv[] = {v->virsh, "-q", "-c", v->uri, "qemu-agent-command", v->uuid, "--timeout", secs, json, NULL};
	struct vt_proc *p = &v->calls[(v->head + v->n) % VT_QGA_VIRSH_MAX_PENDING];
	p->kill_on_excess = 1;
	if (vt_proc_start(argv, p, err) < 0)
		return -1;
	v->n++;
	return 0;
}

/* Cuts trailing white space (virsh ends its output with blank lines). */
static size_t trim(char *s, size_t len)
{
	while (len && strchr(" \t\r\n", s[len - 1]))
		s[--len] = '\0';
	return len;
}

int vt_qga_virsh_recv(struct vt_qga_virsh *v, size_t max, int64_t deadline, char **out, size_t *len,
		      struct vt_error *err)
{
	*out = NULL;
	*len = 0;
	if (!v->n)
		return vt_error_set(err, "no call waits for an answer");
	struct vt_proc *p = &v->calls[v->head];
	v->head = (v->head + 1) % VT_QGA_VIRSH_MAX_PENDING;
	v->n--;
	int64_t t0 = vt_qga_now_ms();
	struct vt_proc_result r;
	/* Room for virsh's line breaks, and for stderr's error line. */
	size_t bound = (max > VT_QGA_VIRSH_MAX_ERR ? max : VT_QGA_VIRSH_MAX_ERR) + 16;
	if (vt_proc_collect(p, v->virsh, deadline, bound, &r, err) < 0)
		return -1;
	int rc = -1;
	size_t n = trim(r.out, r.out_len);
	if (r.status == -1) {
		vt_error_set(err, "no answer in time (virsh killed after %" PRId64 " ms)", vt_qga_now_ms() - t0);
	} else if (r.truncated) {
		if (r.out_len >= bound)
			vt_error_set(err, "an answer longer than %zu bytes (virsh killed)", max);
		else
			vt_error_set(err, "virsh wrote more than %zu bytes of errors (killed)", bound);
	} else if (r.status != 0) {
		char line[600];
		vt_qga_virsh_error_line(r.err, line, sizeof(line));
		if (line[0])
			vt_error_set(err, "virsh: %s", line);
		else
			vt_error_set(err, "virsh %s %d and said nothing", r.status > 128 ? "was killed by signal" :
				     "exited with status", r.status > 128 ? r.status - 128 : r.status);
	} else if (n > max) {
		vt_error_set(err, "an answer longer than %zu bytes", max);
	} else if (memchr(r.out, '\0', n)) {
		vt_error_set(err, "an answer with a NUL byte");
	} else {
		*out = r.out;
		*len = n;
		r.out = NULL;
		rc = 0;
	}
	vt_proc_result_free(&r);
	return rc;
}
