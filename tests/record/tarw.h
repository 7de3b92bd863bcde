/* A tiny tar writer for the tests: archives as hostile as we like (names
 * with "..", absolute, links, devices, lying sizes, bad checksums). */
#ifndef VT_TEST_TARW_H
#define VT_TEST_TARW_H

#include <stddef.h>
#include <stdint.h>

struct tarw {
	uint8_t *buf;
	size_t len, cap;
};

/* One ustar header (POSIX magic, or GNU's when gnu): name in the name field
 * (cut at 100 bytes), size as octal (or base-256 past 8 GiB). Returns the
 * header's offset, to corrupt it afterwards. */
size_t tarw_header(struct tarw *t, const char *name, char type, uint64_t size, unsigned mode, const char *link,
		   int gnu);
/* Data bytes, then padding to the block. */
void tarw_data(struct tarw *t, const void *data, size_t n);
/* A regular file with its data. */
void tarw_file(struct tarw *t, const char *name, const char *content);
/* A pax extended header ('x') holding these "key=value" records. */
void tarw_pax(struct tarw *t, const char *const *records, size_t n);
/* Two zero blocks. */
void tarw_end(struct tarw *t);
/* Recomputes the checksum of the header at off. */
void tarw_checksum(struct tarw *t, size_t off);
void tarw_free(struct tarw *t);

#endif
