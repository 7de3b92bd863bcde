/* The guest agent's answers, checked: the shape of each one vmtrace uses,
 * the types and ranges of its members, its base64. A guest that sends
 * anything else gets its call refused with a one-line reason. */
#include "record/qga_proto.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int vt_qga_reply_parse(const char *line, size_t len, json_t **ret, int *is_error, struct vt_error *err)
{
	*ret = NULL;
	*is_error = 0;
	json_error_t je;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return vt_error_set(err, "an answer that is not JSON (%s)", je.text);
	json_t *r = json_object_get(j, "return");
	json_t *e = json_object_get(j, "error");
	if (json_is_object(j) && r && !e) {
		*ret = json_incref(r);
		json_decref(j);
		return 0;
	}
	if (json_is_object(j) && json_is_object(e) && !r) {
		const char *desc = json_string_value(json_object_get(e, "desc"));
		*is_error = 1;
		vt_error_set(err, "the agent says: %s", desc ? desc : "an error without a description");
		json_decref(j);
		return -1;
	}
	json_decref(j);
	return vt_error_set(err, "an answer with neither \"return\" nor \"error\"");
}

int64_t vt_qga_json_count(const json_t *v, int64_t max)
{
	if (!json_is_integer(v))
		return -1;
	json_int_t x = json_integer_value(v);
	return x >= 0 && x <= max ? (int64_t)x : -1;
}

int vt_qga_parse_exec_pid(const json_t *ret, int64_t *pid, struct vt_error *err)
{
	int64_t p = vt_qga_json_count(json_object_get(ret, "pid"), INT32_MAX);
	if (p < 1)
		return vt_error_set(err, "guest-exec answered without a valid pid");
	*pid = p;
	return 0;
}

/* A flag that must be a JSON boolean when present. */
static int opt_bool(const json_t *obj, const char *key, int *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v) {
		*out = 0;
		return 0;
	}
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* Decodes the base64 member KEY (absent: empty) into a new NUL-terminated
 * buffer of at most max bytes; *cut set when it was longer. */
static int take_output(const json_t *ret, const char *key, size_t max, char **out, size_t *len, int *cut,
		       struct vt_error *err)
{
	*out = NULL;
	*len = 0;
	const json_t *v = json_object_get(ret, key);
	if (v && !json_is_string(v))
		return vt_error_set(err, "guest-exec-status's %s is not a string", key);
	const char *s = v ? json_string_value(v) : "";
	size_t slen = v ? json_string_length(v) : 0;
	size_t need = vt_b64_max_decoded(slen);
	uint8_t *buf = malloc(need + 1);
	if (!buf)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory for %zu bytes of %s", need, key);
	long n = vt_b64_decode(s, slen, buf, need);
	if (n < 0) {
		free(buf);
		return vt_error_set(err, "guest-exec-status's %s is not valid base64", key);
	}
	if ((size_t)n > max) {
		n = (long)max;
		*cut = 1;
	}
	buf[n] = '\0';
	*out = (char *)buf;
	*len = (size_t)n;
	return 0;
}

int vt_qga_parse_exec_status(const json_t *ret, size_t max_out, struct vt_qga_exec_status *st,
			     struct vt_error *err)
{
	memset(st, 0, sizeof(*st));
	if (!json_is_object(ret) || !json_is_boolean(json_object_get(ret, "exited")))
		return vt_error_set(err, "guest-exec-status answered without \"exited\"");
	st->exited = json_is_true(json_object_get(ret, "exited"));
	if (opt_bool(ret, "out-truncated", &st->out_cut) < 0 || opt_bool(ret, "err-truncated", &st->err_cut) < 0)
		return vt_error_set(err, "guest-exec-status's *-truncated is not a boolean");
	const json_t *code = json_object_get(ret, "exitcode"), *sig = json_object_get(ret, "signal");
	if (st->exited) {
		int64_t c = code ? vt_qga_json_count(code, 255) : 0;
		int64_t s = sig ? vt_qga_json_count(sig, 127) : 0;
		if (c < 0 || s < 0 || (!code && !sig))
			return vt_error_set(err, "guest-exec-status gave no valid exit code or signal");
		st->exitcode = (int)c;
		st->signal = (int)s;
	}
	if (take_output(ret, "out-data", max_out, &st->out, &st->out_len, &st->out_cut, err) < 0 ||
	    take_output(ret, "err-data", max_out, &st->err, &st->err_len, &st->err_cut, err) < 0) {
		vt_qga_exec_status_free(st);
		return -1;
	}
	return 0;
}

void vt_qga_exec_status_free(struct vt_qga_exec_status *st)
{
	free(st->out);
	free(st->err);
	st->out = st->err = NULL;
	st->out_len = st->err_len = 0;
}

int vt_qga_parse_file_read(const json_t *ret, uint8_t *out, size_t max, size_t *n, int *eof, struct vt_error *err)
{
	const json_t *b = json_object_get(ret, "buf-b64");
	int64_t count = vt_qga_json_count(json_object_get(ret, "count"), (int64_t)max);
	if (!json_is_object(ret) || !json_is_string(b) || !json_is_boolean(json_object_get(ret, "eof")))
		return vt_error_set(err, "guest-file-read answered without count, buf-b64 and eof");
	if (count < 0)
		return vt_error_set(err, "guest-file-read's count is not 0..%zu (what was asked)", max);
	long got = vt_b64_decode(json_string_value(b), json_string_length(b), out, max);
	if (got < 0)
		return vt_error_set(err, "guest-file-read's buf-b64 is not valid base64 of at most "
				    "%zu bytes", max);
	if (got != count)
		return vt_error_set(err, "guest-file-read's count %" PRId64 " is not the %ld bytes "
				    "it sent", count, got);
	*n = (size_t)got;
	*eof = json_is_true(json_object_get(ret, "eof"));
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} commands[] = {
	{"guest-exec", VT_QGA_CMD_EXEC},
	{"guest-exec-status", VT_QGA_CMD_EXEC_STATUS},
	{"guest-file-open", VT_QGA_CMD_FILE_OPEN},
	{"guest-file-read", VT_QGA_CMD_FILE_READ},
	{"guest-file-close", VT_QGA_CMD_FILE_CLOSE},
	{"guest-get-host-name", VT_QGA_CMD_HOST_NAME},
};

static unsigned command_bit(const char *name)
{
	for (size_t i = 0; name && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].bit;
	return 0;
}

int vt_qga_parse_info(const json_t *ret, struct vt_qga_info *info, struct vt_error *err)
{
	memset(info, 0, sizeof(*info));
	const json_t *list = json_object_get(ret, "supported_commands");
	if (!json_is_object(ret) || !json_is_array(list))
		return vt_error_set(err, "guest-info answered without a supported_commands list");
	const char *v = json_string_value(json_object_get(ret, "version"));
	snprintf(info->version, sizeof(info->version), "%s", v ? v : "");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *c = json_array_get(list, i);
		if (json_is_true(json_object_get(c, "enabled")))
			info->enabled |= command_bit(json_string_value(json_object_get(c, "name")));
	}
	return 0;
}

void vt_qga_missing_commands(unsigned enabled, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!(commands[i].bit & VT_QGA_CMD_NEEDED) || (enabled & commands[i].bit))
			continue;
		int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", commands[i].name);
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

int vt_qga_parse_host_name(const json_t *ret, char *out, size_t size, struct vt_error *err)
{
	const char *h = json_string_value(json_object_get(ret, "host-name"));
	if (!h)
		return vt_error_set(err, "guest-get-host-name answered without a host-name");
	snprintf(out, size, "%s", h);
	return 0;
}
