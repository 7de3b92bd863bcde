/* vmtrace: one-line errors that name the file and the problem. */
#ifndef VMTRACE_ERROR_H
#define VMTRACE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Filled by any vt_ function that fails; msg is one line, "PATH: problem". */
struct vt_error {
	char msg[1024];
};

/* Formats into err (which may be NULL); always returns -1 so callers can `return vt_error_set(...)`. */
int vt_error_set(struct vt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A new string formatted as printf would; NULL when out of memory. */
char *vt_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif
