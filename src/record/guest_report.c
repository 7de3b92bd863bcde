/* What a guest's scripts say: their "vmtrace-KEY: VALUE" lines, and one line
 * for why one failed. The output is the guest's: any bytes, cut to bounds. */
#include "record/guest_session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of "vmtrace-KEY: VALUE" when line (n bytes) is one, into out. */
static int line_value(const char *line, size_t n, const char *key, char *out, size_t size)
{
	char head[32];
	int h = snprintf(head, sizeof(head), "vmtrace-%s: ", key);
	if (h < 0 || (size_t)h > n || memcmp(line, head, (size_t)h))
		return 0;
	size_t v = n - (size_t)h;
	if (v >= size)
		v = size - 1;
	memcpy(out, line + h, v);
	out[v] = '\0';
	out[strcspn(out, "\r")] = '\0';
	return 1;
}

void vt_guest_note(struct vt_guest_report *r, const char *note)
{
	size_t n = strlen(r->notes);
	/* A note that does not fit is cut: the notes are for people. */
	if (n + 1 < sizeof(r->notes) && snprintf(r->notes + n, sizeof(r->notes) - n, "%s%s", n ? "; " : "", note) < 0)
		r->notes[n] = '\0';
}

static void take_line(struct vt_guest_report *r, const char *line, size_t n)
{
	char v[512];
	if (line_value(line, n, "tracer", v, sizeof(v))) {
		size_t n = strnlen(v, sizeof(r->tracer) - 1);
		memcpy(r->tracer, v, n);
		r->tracer[n] = '\0';
	} else if (line_value(line, n, "lost", v, sizeof(v))) {
		char *end;
		unsigned long long x = strtoull(v, &end, 10);
		if (end != v && *end == '\0' && v[0] != '-') {
			r->lost = x;
			r->has_lost = 1;
		}
	} else if (line_value(line, n, "relay", v, sizeof(v))) {
		r->relayed = 1;
	} else if (line_value(line, n, "note", v, sizeof(v))) {
		vt_guest_note(r, v);
	}
}

void vt_guest_report_take(struct vt_guest_report *r, const char *out, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(out + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (out + i)) : len - i;
		take_line(r, out + i, n);
		i += n + 1;
	}
}

/* The last vmtrace-error line of out, into buf; 0 when there is none. */
static int error_line(const char *out, size_t len, char *buf, size_t size)
{
	int found = 0;
	for (size_t i = 0; out && i < len;) {
		const char *nl = memchr(out + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (out + i)) : len - i;
		if (!found)
			found = line_value(out + i, n, "error", buf, size);
		i += n + 1;
	}
	return found;
}

/* The last non-blank line of s, into buf; 0 when there is none. */
static int last_line(const char *s, size_t len, char *buf, size_t size)
{
	while (s && len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (!s || len == 0)
		return 0;
	size_t start = len;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	size_t n = len - start < size - 1 ? len - start : size - 1;
	memcpy(buf, s + start, n);
	buf[n] = '\0';
	return 1;
}

void vt_guest_failure(const struct vt_guest_result *res, char *buf, size_t size)
{
	if (error_line(res->out, res->out_len, buf, size) || error_line(res->err, res->err_len, buf, size))
		return;
	char last[256];
	int has = res->err && last_line(res->err, res->err_len, last, sizeof(last));
	if (res->signal)
		snprintf(buf, size, "killed by signal %d%s%s", res->signal, has ? ": " : "", has ? last : "");
	else
		snprintf(buf, size, "exit %d%s%s", res->exitcode, has ? ": " : "", has ? last : "");
}

char *vt_sh_quote(const char *s)
{
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = malloc(n), *w = q;
	if (!q)
		return NULL;
	*w++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(w, "'\\''", 4);
			w += 4;
		} else {
			*w++ = *p;
		}
	}
	*w++ = '\'';
	*w = '\0';
	return q;
}
