/* The guest agent commands vmtrace uses: what the agent allows, its host
 * name, running a shell script, reading a file. */
#include "record/qga.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The base64 of n bytes plus the rest of an answer. */
static size_t answer_bound(size_t n)
{
	return (n + 2) / 3 * 4 + 4096;
}

int vt_qga_info(struct vt_qga *q, int64_t deadline, struct vt_qga_info *info, struct vt_error *err)
{
	json_t *ret;
	if (vt_qga_call(q, "guest-info", NULL, VT_QGA_MAX_LINE, deadline, &ret, err) < 0)
		return -1;
	int rc = vt_qga_parse_info(ret, info, err);
	json_decref(ret);
	if (rc < 0)
		return vt_qga_named(q, err);
	if ((info->enabled & VT_QGA_CMD_NEEDED) != VT_QGA_CMD_NEEDED) {
		char missing[200];
		vt_qga_missing_commands(info->enabled, missing, sizeof(missing));
		return vt_error_set(err, "%s: the guest's qemu-ga does not allow %s (its --block-rpcs or --allow-rpcs, "
				    "set by the guest's administrator): vmtrace cannot trace this guest", vt_qga_name(q),
				    missing);
	}
	return 0;
}

int vt_qga_host_name(struct vt_qga *q, int64_t deadline, char *out, size_t size, struct vt_error *err)
{
	json_t *ret;
	if (vt_qga_call(q, "guest-get-host-name", NULL, VT_QGA_MAX_LINE, deadline, &ret, err) < 0)
		return -1;
	int rc = vt_qga_parse_host_name(ret, out, size, err);
	json_decref(ret);
	return rc < 0 ? vt_qga_named(q, err) : 0;
}

int vt_qga_exec_begin(struct vt_qga *q, const char *script, int64_t deadline, struct vt_error *err)
{
	json_t *args = json_pack("{s:s, s:[s,s], s:b}", "path", "/bin/sh", "arg", "-c", script, "capture-output", 1);
	if (!args)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: a script that is not UTF-8 text, or out of memory", vt_qga_name(q));
	return vt_qga_send(q, "guest-exec", args, deadline, err);
}

int vt_qga_exec_end(struct vt_qga *q, int64_t deadline, int64_t *gpid, struct vt_error *err)
{
	json_t *ret;
	if (vt_qga_recv(q, VT_QGA_MAX_LINE, deadline, &ret, err) < 0)
		return -1;
	int rc = vt_qga_parse_exec_pid(ret, gpid, err);
	json_decref(ret);
	return rc < 0 ? vt_qga_named(q, err) : 0;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int vt_qga_exec_wait(struct vt_qga *q, int64_t gpid, size_t max_out, int64_t deadline, struct vt_qga_exec_status *st,
		     struct vt_error *err)
{
	memset(st, 0, sizeof(*st));
	int64_t pause = 10, started = vt_qga_now_ms();
	int seen_running = 0;
	for (;;) {
		/* Once seen running, the deadline ends the wait without one more call. */
		if (seen_running && vt_qga_now_ms() >= deadline)
			return vt_error_set(err, "%s: guest process %" PRId64 " still runs after %" PRId64 " ms",
					    vt_qga_name(q), gpid, vt_qga_now_ms() - started);
		json_t *ret;
		json_t *args = json_pack("{s:I}", "pid", (json_int_t)gpid);
		if (vt_qga_call(q, "guest-exec-status", args, 2 * answer_bound(max_out), deadline, &ret, err) < 0)
			return -1;
		int rc = vt_qga_parse_exec_status(ret, max_out, st, err);
		json_decref(ret);
		if (rc < 0)
			return vt_qga_named(q, err);
		if (st->exited)
			return 0;
		vt_qga_exec_status_free(st);
		seen_running = 1;
		int64_t left = deadline - vt_qga_now_ms();
		sleep_ms(pause < left ? pause : (left > 0 ? left : 0));
		pause = pause * 2 > 250 ? 250 : pause * 2;
	}
}

/* guest-file-open: the handle, a non-negative integer. */
static int file_open(struct vt_qga *q, const char *path, int64_t deadline, int64_t *handle, struct vt_error *err)
{
	json_t *ret;
	json_t *args = json_pack("{s:s, s:s}", "path", path, "mode", "r");
	if (vt_qga_call(q, "guest-file-open", args, VT_QGA_MAX_LINE, deadline, &ret, err) < 0)
		return -1;
	*handle = vt_qga_json_count(ret, INT64_MAX);
	json_decref(ret);
	if (*handle < 0)
		return vt_error_set(err, "%s: guest-file-open answered without a valid handle", vt_qga_name(q));
	return 0;
}

static void file_close(struct vt_qga *q, int64_t handle, int64_t deadline)
{
	json_t *ret;
	json_t *args = json_pack("{s:I}", "handle", (json_int_t)handle);
	if (vt_qga_call(q, "guest-file-close", args, VT_QGA_MAX_LINE, deadline, &ret, NULL) == 0)
		json_decref(ret);
}

/* One guest-file-read of at most chunk bytes into buf. */
static int file_chunk(struct vt_qga *q, int64_t handle, uint8_t *buf, size_t chunk, int64_t deadline, size_t *n,
		      int *eof, struct vt_error *err)
{
	json_t *ret;
	json_t *args = json_pack("{s:I, s:I}", "handle", (json_int_t)handle, "count", (json_int_t)chunk);
	if (vt_qga_call(q, "guest-file-read", args, answer_bound(chunk), deadline, &ret, err) < 0)
		return -1;
	int rc = vt_qga_parse_file_read(ret, buf, chunk, n, eof, err);
	json_decref(ret);
	return rc < 0 ? vt_qga_named(q, err) : 0;
}

int64_t vt_qga_file_read(struct vt_qga *q, const char *path, size_t chunk, uint64_t max, int64_t deadline,
			 vt_qga_sink sink, void *ctx, struct vt_error *err)
{
	int64_t handle;
	if (chunk == 0 || file_open(q, path, deadline, &handle, err) < 0)
		return chunk ? -1 : vt_error_set(err, "%s: a read of 0-byte chunks", vt_qga_name(q));
	uint8_t *buf = malloc(chunk);
	if (!buf) {
		file_close(q, handle, deadline);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory for a %zu-byte chunk", vt_qga_name(q), chunk);
	}
	uint64_t total = 0;
	int rc = 0, eof = 0;
	while (!eof && rc == 0) {
		size_t n = 0;
		rc = file_chunk(q, handle, buf, chunk, deadline, &n, &eof, err);
		if (rc == 0 && total + n > max)
			rc = vt_error_set(err, "%s: %s is longer than %" PRIu64 " bytes: refused", vt_qga_name(q), path,
					  max);
		if (rc == 0 && n > 0)
			rc = sink(ctx, buf, n, err);
		total += n;
		if (n == 0) /* no progress without eof: take it as the end */
			eof = 1;
	}
	free(buf);
	file_close(q, handle, deadline);
	return rc < 0 ? -1 : (int64_t)total;
}
