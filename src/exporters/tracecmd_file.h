/* The trace.dat container, format version 6, uncompressed (what `trace-cmd
 * convert --file-version 6` writes; libtracecmd 3.1 reads it as a recording):
 * one writer for two sources of formats and pages — the event writer
 * (tracecmd_writer.c: its format table, pages it fills) and the ftrace capture
 * assembler (src/record/ftrace_assemble.c: a recording's own formats and
 * pages). The layout: magic, version, endianness, long and page size;
 * header_page, header_event; the ftrace and event formats; kallsyms and printk
 * formats; saved command lines; the CPU count; options; "flyrecord" and per
 * CPU {offset, size}, then each CPU's pages at a page-aligned offset. */
#ifndef VT_EXPORTERS_TRACECMD_FILE_H
#define VT_EXPORTERS_TRACECMD_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A section's bytes: in memory (data), or written by a callback that puts
 * exactly size bytes into f and returns 0, or -1 with errno. */
struct vt_tc_blob {
	const void *data; /* weak; NULL: use write */
	uint64_t size;
	int (*write)(void *ctx, FILE *f);
	void *ctx;
};

/* One events/SYSTEM/EVENT/format text. Formats of one system are
 * consecutive; those of system "ftrace" go into the ftrace section. */
struct vt_tc_file_format {
	const char *system;
	struct vt_tc_blob text;
};

struct vt_tc_file {
	uint32_t page_size; /* ring-buffer page (sub-buffer) size */
	uint8_t long_size;  /* the kernel's sizeof(long): 8, or 4 */
	struct vt_tc_blob header_page, header_event;
	const struct vt_tc_file_format *formats;
	size_t nformats;
	struct vt_tc_blob kallsyms, printk, cmdlines; /* size 0: empty */
	uint32_t cpus;
	/* Options, each left out when NULL. */
	const char *trace_clock; /* the trace_clock file's text, selected clock in [] */
	const char *uname;       /* "SYSNAME NODENAME RELEASE MACHINE" */
	const char *version;     /* the recorder's name and version */
	const char *date;        /* trace-cmd's DATE option ("0x..." µs) */
	const uint8_t *tsc2nsec; /* 16 bytes: mult, shift, offset */
	const char *const *cpustat; /* cpus texts ("CPU: N\n" + per_cpu stats), or NULL */
	const struct vt_tc_blob *pages; /* cpus blobs: sizes whole pages */
};

/* Writes the file into f (positioned at its start, or a pipe). Returns 0, or
 * -1 with errno (a write, or a blob's callback, failed). */
int vt_tc_file_write(FILE *f, const struct vt_tc_file *d);

#endif
