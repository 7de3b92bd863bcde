/* Small file helpers shared by the agent's readers. */
#ifndef VT_AGENT_UTIL_H
#define VT_AGENT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads a small file into buf (NUL-terminated, trailing newline removed).
 * Returns its length, or -1 with errno set. */
long vt_read_small(const char *path, char *buf, size_t size);

/* Reads a whole file of any size; caller frees. Returns NULL with errno set. */
char *vt_read_all(const char *path, size_t *len);

/* Parses a signed/unsigned decimal from a small file; 0 on success. */
int vt_read_i64(const char *path, int64_t *out);
int vt_read_u64(const char *path, uint64_t *out);

/* Copies src into dst (size bytes), always NUL-terminating. */
void vt_strlcpy(char *dst, const char *src, size_t size);

#endif
