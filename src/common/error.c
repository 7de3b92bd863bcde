#include "vmtrace/error.h"

#include "common/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vt_error_set(struct vt_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char raw[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* A message is one line that a terminal shows as it is: fold whatever a
	 * library or a trace handed us (line breaks, escape sequences, bad bytes). */
	vt_text_line(raw, err->msg, sizeof(err->msg));
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
