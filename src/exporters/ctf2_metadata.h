/* CTF 2 metadata (a JSON text sequence, RFC 7464) from a trace class, the
 * native reader's IR (src/sources/ctf_ir.h): what `vmtrace-sim --format ctf2`
 * writes, and with vt_ctf_meta_parse in front, a TSDL to CTF 2 converter.
 * Internal to the library and its static users (the simulator, tests). */
#ifndef VT_EXPORTERS_CTF2_METADATA_H
#define VT_EXPORTERS_CTF2_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_ir.h"
#include "vmtrace/error.h"

/* How the metadata is spelled (ctf2_metadata.c's top comment has the details). */
enum vt_ctf2_layout {
	/* everything the trace class says, field classes inline, locations
	 * absolute (as babeltrace2 writes them); each fragment 0x1E, compact
	 * JSON with sorted keys, '\n': reads back into the same trace class */
	VT_CTF2_PLAIN,
	/* as LTTng 2.14 writes it, lttng-modules' layout for a trace whose
	 * environment's domain is "kernel", lttng-sessiond's for another: what
	 * `vmtrace-sim --format ctf2` writes */
	VT_CTF2_LTTNG_214,
};

/* The fragments of tc: preamble, (kernel LTTng layout: field-class-alias
 * fragments,) trace-class, clock-class(es), then each data-stream-class
 * followed by its event-record-classes, in the order tc declares them.
 * Returns the text (malloc'd, the caller frees it; *len bytes, NUL after
 * them), or NULL with err set ("NAME: problem"). */
char *vt_ctf2_metadata_text(const struct vt_ctf_trace_class *tc, const char *name, enum vt_ctf2_layout layout,
			    size_t *len, struct vt_error *err);

/* Any metadata vt_ctf_meta_parse reads (TSDL text or packets, CTF 2) as CTF 2. */
char *vt_ctf2_metadata_convert(const void *data, size_t size, const char *name, enum vt_ctf2_layout layout, size_t *len,
			       struct vt_error *err);

/* The same layout as vt_ctf_writer_open (include/vmtrace/exporters.h) with
 * metadata written as it is, not in CTF 1.8 metadata packets: a CTF 2 trace's
 * metadata file is the bare JSON text sequence. */
struct vt_ctf_writer *vt_ctf_writer_open_ctf2(const char *dir, const uint8_t uuid[16], const char *metadata,
					      size_t metadata_len, uint32_t nstreams, const char *prefix,
					      size_t packet_size, uint64_t begin_ts, struct vt_error *err);

#endif
