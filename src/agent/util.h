/* Small file and text helpers shared by the agent's readers. */
#ifndef VT_AGENT_UTIL_H
#define VT_AGENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a small file into buf (NUL-terminated, trailing newline removed).
 * Returns its length, or -1 with errno set. */
long vt_read_small(const char *path, char *buf, size_t size);
/* The same for a regular file only (no FIFO to block on, no symbolic link
 * followed), untrimmed. */
long vt_read_regular(const char *path, char *buf, size_t size);

/* Reads at most max bytes of a file; caller frees. *cut is set when the file
 * held more. Returns NULL with errno set (ENOMEM when out of memory). */
char *vt_read_bounded(const char *path, size_t max, size_t *len, int *cut);

/* Parses a signed/unsigned decimal from a small file; 0 on success. */
int vt_read_i64(const char *path, int64_t *out);
int vt_read_u64(const char *path, uint64_t *out);

/* The decimal digits s[0..n) (n >= 1, digits only, no sign) as a number;
 * -1 when not so or above max. */
int vt_parse_decimal(const char *s, size_t n, uint64_t max, uint64_t *out);

/* Copies src into dst (size bytes), always NUL-terminating. */
void vt_strlcpy(char *dst, const char *src, size_t size);

/* Appends one note to note (size bytes), "; " between notes; cut to fit. */
void vt_note_add(char *note, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* src with its control and invalid bytes escaped, cut to at most 64 shown
 * bytes ("..." then): for quoting a hostile string inside a note. */
const char *vt_note_quote(const char *src, char *buf, size_t size);

#endif
