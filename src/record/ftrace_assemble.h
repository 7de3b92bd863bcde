/* The ftrace capture folder (ftrace_capture.h) → one trace.dat, format
 * version 6, uncompressed, as `trace-cmd convert --file-version 6` writes it
 * (the container of exporters/tracecmd_file.h): the capture's own headers,
 * formats, saved command lines, printk formats and kallsyms; options
 * trace_clock, uname, version, one cpustat per CPU (so lost events are
 * known), the CPU count; each CPU's pages page-aligned.
 *
 * The folder may come from a guest: sizes are bounded, names checked, no
 * symbolic link followed, the page size must be a power of two from 4 KiB
 * to 64 KiB, every page's commit must fit in its page. A cpuN.raw that ends
 * in a torn page (a full disk in the guest) loses that tail, said in the
 * note. The output is written whole or not at all (common/output.h). */
#ifndef VT_RECORD_FTRACE_ASSEMBLE_H
#define VT_RECORD_FTRACE_ASSEMBLE_H

#include <stdint.h>

#include "vmtrace/error.h"

struct vt_ftrace_assembly {
	uint32_t cpus;   /* the file's CPU count: the highest cpuN + 1 */
	uint64_t pages;  /* ring-buffer pages written, all CPUs */
	uint64_t lost;   /* overrun + dropped events, from the cpuN.stats */
	char note[512];  /* "" or what was left out (torn tails) */
};

/* Returns 0, or -1 with err "CAPTURE/NAME: problem" (nothing written then).
 * info may be NULL. */
int vt_ftrace_assemble(const char *capture_dir, const char *dat_path, struct vt_ftrace_assembly *info,
		       struct vt_error *err);

#endif
