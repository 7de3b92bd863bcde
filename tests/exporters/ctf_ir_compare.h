/* Comparing two trace classes (src/sources/ctf_ir.h) field class by field
 * class, for the CTF 2 metadata writer's tests: a CTF 1.8 metadata and the
 * CTF 2 written from it must describe the same trace. */
#ifndef VT_TESTS_CTF_IR_COMPARE_H
#define VT_TESTS_CTF_IR_COMPARE_H

#include "sources/ctf_ir.h"

/* Fails the cmocka test at the first difference, naming where (what names
 * the pair in messages). Equal means: the trace uuid, the environment, the
 * clock classes, each stream class and event class (ids, names, log levels,
 * EMF URIs) and each scope's field classes (types, lengths, byte and bit
 * orders, alignments, bases, roles, mappings, member and option names,
 * option ranges, array and string lengths, and what each location
 * designates). Not compared: what CTF 2 cannot say and the reader derives
 * (a CTF 1.8 integer's text encoding and clock map, how a location was
 * written), the CTF 2 trace class uid and the major version. */
void vt_ctf_ir_assert_equal(const struct vt_ctf_trace_class *a, const struct vt_ctf_trace_class *b, const char *what);

/* The same, b being what LTTng 2.14 writes in CTF 2 for a's CTF 1.8
 * (ctf2_metadata.c's VT_CTF2_LTTNG_214), which allows: a's enumeration
 * labels with one more leading '_', a's padding members (struct { } align(N)
 * _x_padding right before x) absent from b, tracer_minor 14 and
 * tracer_patchlevel 0 in b's environment (required there), and locations
 * compared by the scope, class and length of their target, not its pre-order
 * number (which the padding members shift, as they do every place). */
void vt_ctf_ir_assert_lttng214(const struct vt_ctf_trace_class *a, const struct vt_ctf_trace_class *b,
			       const char *what);

/* The trace class of the metadata file at path; fails the test when it does not load. */
struct vt_ctf_trace_class *vt_ctf_ir_load(const char *path);

/* The roles of fc and of every field class in it, OR-ed (0 for NULL). */
uint32_t vt_ctf_ir_roles(const struct vt_ctf_fc *fc);

#endif
