#include "vmtrace/error.h"

#include "common/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Head bytes kept of a message too long for vt_error: the rest is its tail,
 * which holds the problem ("PATH: problem" with a path of thousands of bytes). */
#define HEAD 200
#define GAP " [...] "

/* The first byte at or after p that starts a UTF-8 sequence. */
static const char *seq_start(const char *p)
{
	while (((unsigned char)*p & 0xc0) == 0x80)
		p++;
	return p;
}

/* line (folded) into msg; too long, its middle gives way, never its end. */
static void keep_ends(char *msg, size_t size, const char *line)
{
	size_t n = strlen(line);
	if (n < size) {
		memcpy(msg, line, n + 1);
		return;
	}
	const char *head_end = seq_start(line + HEAD); /* line is longer than HEAD */
	const char *tail = seq_start(line + n - (size - 1 - HEAD - strlen(GAP)) + 3);
	snprintf(msg, size, "%.*s%s%s", (int)(head_end - line), line, GAP, tail);
}

static const char *const cause_names[] = {
	[VT_ERR_NONE] = "none", [VT_ERR_NOMEM] = "out of memory", [VT_ERR_IO] = "I/O",
	[VT_ERR_DATA] = "bad data", [VT_ERR_USAGE] = "usage",
};

const char *vt_error_cause_name(enum vt_error_cause cause)
{
	return (unsigned)cause < sizeof(cause_names) / sizeof(cause_names[0]) ? cause_names[cause] : "none";
}

static void set(struct vt_error *err, enum vt_error_cause cause, const char *fmt, va_list ap)
{
	err->cause = cause;
	char *raw = NULL;
	int n = vasprintf(&raw, fmt, ap);
	char *line = n >= 0 ? malloc(4 * (size_t)n + 1) : NULL;
	if (line) {
		/* A message is one line that a terminal shows as it is: fold whatever
		 * a library or a trace handed us (line breaks, escape sequences, bad bytes). */
		vt_text_line(raw, line, 4 * (size_t)n + 1);
		keep_ends(err->msg, sizeof(err->msg), line);
	} else {
		snprintf(err->msg, sizeof(err->msg), "out of memory (while reporting an error)");
		err->cause = VT_ERR_NOMEM;
	}
	if (n >= 0)
		free(raw);
	free(line);
}

int vt_error_set_cause(struct vt_error *err, enum vt_error_cause cause, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set(err, cause, fmt, ap);
	va_end(ap);
	return -1;
}

int vt_error_set(struct vt_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	set(err, VT_ERR_DATA, fmt, ap);
	va_end(ap);
	return -1;
}

char *vt_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}
