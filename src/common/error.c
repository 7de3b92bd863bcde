#include "vmtrace/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vt_error_set(struct vt_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* A message is one line: fold whatever a library handed us. */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return -1;
}
