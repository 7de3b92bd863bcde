/* vmtrace: one-line errors that name the file and the problem. */
#ifndef VMTRACE_ERROR_H
#define VMTRACE_ERROR_H

#include "vmtrace/api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What kind of failure: so a caller can tell running out of memory (retry
 * with less), a file it cannot read or write (permissions, a full disk), bad
 * data in a trace, and a call the library refuses apart. */
enum vt_error_cause {
	VT_ERR_NONE = 0,
	VT_ERR_NOMEM, /* out of memory */
	VT_ERR_IO,    /* a file or folder could not be opened, read or written */
	VT_ERR_DATA,  /* what was read is corrupt, truncated or not understood */
	VT_ERR_USAGE, /* a call out of order or an argument out of range */
};

/* Filled by any vt_ function that fails; msg is one line, "PATH: problem". */
struct vt_error {
	char msg[1024];
	enum vt_error_cause cause;
};

/* "out of memory", "I/O", "bad data", "usage", "none". */
VT_API const char *vt_error_cause_name(enum vt_error_cause cause);

/* Formats into err (which may be NULL) with its cause; always returns -1 so
 * callers can `return vt_error_set_cause(...)`. */
VT_API int vt_error_set_cause(struct vt_error *err, enum vt_error_cause cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with the most common cause, VT_ERR_DATA (bad data). */
VT_API int vt_error_set(struct vt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A new string formatted as printf would; NULL when out of memory. */
VT_API char *vt_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif
