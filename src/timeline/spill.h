/* The spill: what the model reads of every trace, kept by pass 1 in one
 * compact temporary file, so that pass 2 reads 32-byte records instead of
 * decoding the traces a second time. Memory stays flat: each trace has one
 * block in memory while writing, one while reading. */
#ifndef VT_TIMELINE_SPILL_H
#define VT_TIMELINE_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/event.h"
#include "vmtrace/timeline.h"

/* 64 KiB of records per block. */
#define VT_SPILL_BLOCK_RECORDS 2048

struct vt_spill_record {
	uint64_t ts;
	uint32_t kind_cpu; /* kind (low 7 bits), a flag (bit 7), cpu + 1 (high 24 bits) */
	int32_t tid;
	int32_t a, b;
	uint32_t c, d;
};

struct vt_spill_block {
	uint64_t offset;
	uint32_t records;
};

struct vt_spill_trace {
	struct vt_spill_record *block; /* being filled */
	size_t fill;
	struct vt_spill_block *blocks; /* written, in order */
	size_t nblocks, cap;
	uint8_t *cpu_seen;   /* a bit per cpu: its first event is kept whatever its kind */
	size_t ncpu_bytes;
	int started;
};

struct vt_spill {
	int fd;
	uint64_t end; /* file size */
	struct vt_spill_trace *traces;
	size_t ntraces;
	/* comm strings, interned: id → text, and a hash index */
	char **strings;
	size_t nstrings, cap_strings;
	uint32_t *index;
	size_t index_cap;
	int failed;
	char why[700]; /* the first error */
};

/* Decodes record r of trace `trace` into ev (strings point into the spill). */
void vt_spill_decode(const struct vt_spill *s, size_t trace, const struct vt_spill_record *r, struct vt_event *ev);

/* Reads block b of trace t into buf; returns its record count, or -1. */
long vt_spill_read_block(const struct vt_spill *s, size_t t, size_t b, struct vt_spill_record *buf);

#endif
