/* Translating one ftrace record into a normalized vt_event. Fields are
 * resolved once per event format (a decoder), and every read is checked
 * against the record's size: a corrupt file must not make us read past it. */
#ifndef VT_SOURCES_TRACECMD_DECODE_H
#define VT_SOURCES_TRACECMD_DECODE_H

#include <event-parse.h>
#include <stdint.h>

#include "sources/ctf_names.h"
#include "vmtrace/event.h"

enum vt_tc_special { VT_TC_PLAIN = 0, VT_TC_PRINT /* ftrace:print: the agent's marker lines */ };

struct vt_tc_decoder {
	int id; /* the event format's id (common_type) */
	const char *name;
	enum vt_kind kind;
	enum vt_tc_special special;
	struct tep_format_field *slot[VT_DECODER_SLOTS];
};

/* Per-file decoding state: decoders sorted by id, the common fields, and the
 * scratch the strings of the current event are copied to (one event is live). */
struct vt_tc_decoders {
	struct tep_handle *tep;
	struct vt_tc_decoder *dec;
	size_t count;
	const struct vt_tc_decoder *last;
	struct tep_format_field *common_type, *common_pid;
	char str[VT_DECODER_SLOTS][256];
	char print[4096], marker[4096];
};

/* Builds decoders for every event format of tep. Returns 0, -1 out of memory. */
int vt_tc_decoders_init(struct vt_tc_decoders *d, struct tep_handle *tep);
void vt_tc_decoders_free(struct vt_tc_decoders *d);

/* Fills kind, name, tid, procname and u of ev from a record. */
void vt_tc_decode(struct vt_tc_decoders *d, const struct tep_record *rec, struct vt_event *ev);

#endif
