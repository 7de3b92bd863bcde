/* The trace class of a CTF trace: one in-memory description that CTF 1.8
 * metadata (TSDL text, ctf_tsdl_*.c) and CTF 2 metadata (JSON fragments,
 * ctf2_meta*.c) both become, for the native reader's stream decoder (issue 15).
 *
 * Modelled on the CTF 2 specification's classes, CTF 2 being the superset:
 * CTF 1.8 enumerations are integers with mappings, its variants get their
 * options' selector ranges from the tag's mappings, its text arrays and
 * sequences are static- and dynamic-length strings, its packet header's uuid
 * is a static-length BLOB, and the roles CTF 2 names are derived from LTTng's
 * member names (magic, stream_id, timestamp_begin, content_size, id...).
 *
 * Ownership: everything a trace class holds (field classes, names, tables)
 * lives in its arena and goes with vt_ctf_trace_class_free(); pointers into
 * it are weak and valid as long as the trace class is. Nothing here is
 * modified after loading, so one trace class may serve several threads. */
#ifndef VT_SOURCES_CTF_IR_H
#define VT_SOURCES_CTF_IR_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

/* Bounds on what hostile metadata may ask for; each is checked where it is read. */
#define VT_CTF_MAX_METADATA_BYTES (64u << 20) /* the metadata file, or its text once unpacketized */
#define VT_CTF_MAX_DEPTH 32                   /* nesting of field classes */
#define VT_CTF_MAX_MEMBERS 65536              /* members of a structure, options of a variant, mappings */
#define VT_CTF_MAX_RANGES 65536               /* ranges of one mapping or one variant option */
#define VT_CTF_MAX_STATIC_LENGTH (1u << 24)   /* elements of a static-length array, bytes of a string/BLOB */
#define VT_CTF_MAX_PATH 32                    /* elements of a field location */
#define VT_CTF_MAX_NAME 4096                  /* bytes of a name or a string attribute */
#define VT_CTF_MAX_CLOCKS 256
#define VT_CTF_MAX_STREAM_CLASSES 65536
#define VT_CTF_MAX_EVENT_CLASSES (1u << 20) /* in the whole trace class */
#define VT_CTF_MAX_ENV 4096
#define VT_CTF_MAX_ARENA_MIB 64 /* the whole trace class once expanded (aliases are copied) */
#define VT_CTF_MAX_ARENA_BYTES ((size_t)VT_CTF_MAX_ARENA_MIB << 20)

enum vt_ctf_fc_type {
	VT_CTF_FC_BIT_ARRAY, /* fixed-length bit array (CTF 2 only) */
	VT_CTF_FC_UINT,      /* fixed-length unsigned integer (CTF 1.8: integer, enum) */
	VT_CTF_FC_SINT,      /* fixed-length signed integer */
	VT_CTF_FC_BOOL,      /* fixed-length boolean */
	VT_CTF_FC_FLOAT,     /* fixed-length floating point number, 32 or 64 bits */
	VT_CTF_FC_VUINT,     /* variable-length (LEB128) unsigned integer */
	VT_CTF_FC_VSINT,     /* variable-length (LEB128) signed integer */
	VT_CTF_FC_NT_STRING, /* null-terminated string */
	VT_CTF_FC_SL_STRING, /* static-length string (CTF 1.8: array of 8-bit text integers) */
	VT_CTF_FC_DL_STRING, /* dynamic-length string (CTF 1.8: sequence of 8-bit text integers) */
	VT_CTF_FC_SL_BLOB,   /* static-length BLOB */
	VT_CTF_FC_DL_BLOB,   /* dynamic-length BLOB */
	VT_CTF_FC_STRUCT,
	VT_CTF_FC_SL_ARRAY, /* static-length array */
	VT_CTF_FC_DL_ARRAY, /* dynamic-length array (CTF 1.8: sequence) */
	VT_CTF_FC_OPTIONAL,
	VT_CTF_FC_VARIANT,
};

enum vt_ctf_byte_order { VT_CTF_LE, VT_CTF_BE };
enum vt_ctf_bit_order { VT_CTF_FIRST_TO_LAST, VT_CTF_LAST_TO_FIRST };

/* Roles of an unsigned integer (and of the uuid BLOB), as CTF 2 names them: bits of vt_ctf_fc.roles. */
enum vt_ctf_role {
	VT_CTF_ROLE_PACKET_MAGIC = 1u << 0,        /* packet-magic-number */
	VT_CTF_ROLE_METADATA_UUID = 1u << 1,       /* metadata-stream-uuid (BLOB) */
	VT_CTF_ROLE_STREAM_CLASS_ID = 1u << 2,     /* data-stream-class-id */
	VT_CTF_ROLE_STREAM_ID = 1u << 3,           /* data-stream-id */
	VT_CTF_ROLE_PACKET_TOTAL_LENGTH = 1u << 4, /* packet-total-length (bits) */
	VT_CTF_ROLE_PACKET_CONTENT_LENGTH = 1u << 5,
	VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP = 1u << 6,
	VT_CTF_ROLE_PACKET_END_TIMESTAMP = 1u << 7, /* packet-end-default-clock-timestamp */
	VT_CTF_ROLE_DISCARDED_COUNTER = 1u << 8,    /* discarded-event-record-counter-snapshot */
	VT_CTF_ROLE_PACKET_SEQ_NUM = 1u << 9,       /* packet-sequence-number */
	VT_CTF_ROLE_EVENT_CLASS_ID = 1u << 10,      /* event-record-class-id */
};

/* The six root scopes of a data stream, in the order a decoder reads them. */
enum vt_ctf_scope {
	VT_CTF_SCOPE_PACKET_HEADER,
	VT_CTF_SCOPE_PACKET_CONTEXT,
	VT_CTF_SCOPE_EVENT_HEADER,
	VT_CTF_SCOPE_EVENT_COMMON_CONTEXT,
	VT_CTF_SCOPE_EVENT_SPECIFIC_CONTEXT,
	VT_CTF_SCOPE_EVENT_PAYLOAD,
	VT_CTF_SCOPE_COUNT,
	VT_CTF_SCOPE_NONE = -1, /* a location relative to the field that holds it */
};

/* An inclusive range of integer values; signed for signed integers' mappings (cast). */
struct vt_ctf_range {
	uint64_t lower, upper;
};

/* An enumeration label (CTF 2: mapping) and the values it names. */
struct vt_ctf_mapping {
	const char *name;
	struct vt_ctf_range *ranges;
	uint32_t nranges;
};

struct vt_ctf_fc;

/* Where a dynamic length, a variant's selector or an optional's selector is
 * read: the earlier field found by origin + path, as the metadata wrote it.
 * Resolved at load time to a slot: every integer or boolean field class that
 * this location may designate (a path through a variant has one per option)
 * has vt_ctf_fc.slot == slot, so a decoder stores those fields' values in
 * slots[slot] as it reads them and reads the length or selector from there,
 * with no name compared. */
struct vt_ctf_location {
	enum vt_ctf_scope origin; /* VT_CTF_SCOPE_NONE: relative */
	uint8_t lexical;          /* CTF 1.8 relative name: searched in the enclosing structures, then earlier scopes */
	uint32_t npath;
	const char **path;              /* member names; NULL = the parent structure (CTF 2 relative) */
	uint32_t slot;                  /* resolved: index in the decoder's value slots */
	const struct vt_ctf_fc *target; /* resolved: the first field class it designates (weak) */
};

struct vt_ctf_member {
	const char *name; /* CTF 1.8: without its one leading underscore, as babeltrace2 shows it */
	struct vt_ctf_fc *fc;
};

struct vt_ctf_option {
	const char *name;  /* may be NULL in CTF 2 */
	const char *label; /* CTF 1.8: the tag's enumeration label that selects it (the option name as written) */
	struct vt_ctf_range *ranges; /* selector values that select it */
	uint32_t nranges;
	struct vt_ctf_fc *fc;
};

struct vt_ctf_fc {
	enum vt_ctf_fc_type type;
	uint32_t align; /* bits, a power of two: where a field of this class starts */
	int32_t slot;   /* -1, or where a decoder saves this integer/boolean for a location (see above) */
	uint32_t order; /* (scope << 24) | pre-order number in the scope: "earlier" is smaller */
	uint32_t roles; /* enum vt_ctf_role bits */
	union {
		/* BIT_ARRAY, UINT, SINT, BOOL, FLOAT (length 32 or 64), VUINT/VSINT (length 0) */
		struct {
			uint32_t length; /* bits, 1..64 */
			enum vt_ctf_byte_order byte_order;
			enum vt_ctf_bit_order bit_order;
			uint8_t base;   /* preferred display base: 2, 8, 10, 16 */
			uint8_t text;   /* CTF 1.8 integer with encoding UTF8 or ASCII */
			uint16_t clock; /* CTF 1.8 map = clock.X.value: 1 + index in clocks[], 0 = none */
			uint32_t nmappings;
			struct vt_ctf_mapping *mappings;
		} i;
		/* SL_STRING, SL_BLOB: bytes; DL_STRING, DL_BLOB: length in bytes from loc */
		struct {
			uint64_t length;
			struct vt_ctf_location loc;
			const char *media_type; /* BLOBs, CTF 2; NULL: application/octet-stream */
		} s;
		struct {
			uint32_t nmembers;
			struct vt_ctf_member *members;
			uint32_t min_align; /* minimum-alignment / align(N), bits */
		} st;
		/* SL_ARRAY: length elements; DL_ARRAY: length from loc */
		struct {
			struct vt_ctf_fc *element;
			uint64_t length;
			struct vt_ctf_location loc;
		} a;
		/* OPTIONAL: present when the selector (boolean: true, integer: in ranges) says so */
		struct {
			struct vt_ctf_fc *fc;
			struct vt_ctf_location loc;
			struct vt_ctf_range *ranges;
			uint32_t nranges;
		} o;
		struct {
			uint32_t noptions;
			struct vt_ctf_option *options;
			struct vt_ctf_location loc;
		} v;
	} u;
};

/* CTF 2 clock class; CTF 1.8 clock block. Offset = seconds + cycles / frequency from the origin. */
struct vt_ctf_clock_class {
	const char *name; /* CTF 1.8 name, CTF 2 id: what streams and `map` refer to */
	const char *description;
	uint64_t frequency; /* Hz, > 0 */
	int64_t offset_seconds;
	uint64_t offset_cycles; /* < frequency once loaded */
	uint64_t precision;     /* cycles */
	int origin_unix_epoch;  /* CTF 1.8 absolute = true, or LTTng's clocks (their offset is from the epoch) */
	int has_uuid;
	uint8_t uuid[16];
};

struct vt_ctf_event_class {
	uint64_t id;
	const char *name;
	const struct vt_ctf_stream_class *stream; /* weak */
	struct vt_ctf_fc *specific_context;       /* NULL: none */
	struct vt_ctf_fc *payload;                /* NULL: none */
	int loglevel;                             /* 0 (emergency) .. 14 (debug), -1: not given */
	const char *emf_uri;                      /* NULL: not given */
};

struct vt_ctf_id_map; /* uint64 id -> index, O(1) */

struct vt_ctf_stream_class {
	uint64_t id;
	const struct vt_ctf_clock_class *default_clock; /* NULL: none */
	struct vt_ctf_fc *packet_context;
	struct vt_ctf_fc *event_header;
	struct vt_ctf_fc *event_common_context;
	struct vt_ctf_event_class **events; /* in the order the metadata declares them */
	size_t nevents;
	struct vt_ctf_id_map *event_ids;
};

struct vt_ctf_env_entry {
	const char *name;
	const char *str; /* NULL: an integer */
	int64_t value;
};

struct vt_ctf_arena;

struct vt_ctf_trace_class {
	int major, minor; /* 1.8 or 2.0 */
	int has_uuid;     /* CTF 1.8 trace uuid; CTF 2 preamble uuid: the metadata stream uuid packets carry */
	uint8_t uuid[16];
	enum vt_ctf_byte_order byte_order; /* CTF 1.8 trace byte_order (what `native` means); CTF 2: unused */
	const char *uid;                   /* CTF 2 trace class uid, NULL in CTF 1.8 */
	struct vt_ctf_fc *packet_header;   /* NULL: none */
	struct vt_ctf_env_entry *env;
	size_t nenv;
	struct vt_ctf_clock_class *clocks;
	size_t nclocks;
	struct vt_ctf_stream_class **streams;
	size_t nstreams;
	size_t nevents;  /* event record classes in all streams */
	uint32_t nslots; /* value slots a decoder keeps for locations (see vt_ctf_location) */
	struct vt_ctf_id_map *stream_ids;
	struct vt_ctf_arena *arena; /* owns everything above */
};

/* Loads the metadata file at path (CTF 1.8 packetized or text, or CTF 2 JSON
 * text sequence) into *out; the caller frees it with vt_ctf_trace_class_free. */
int vt_ctf_meta_load(struct vt_ctf_trace_class **out, const char *path, struct vt_error *err);

/* The same from bytes in memory; name is what errors start with. */
int vt_ctf_meta_parse(struct vt_ctf_trace_class **out, const void *data, size_t len, const char *name,
		      struct vt_error *err);

void vt_ctf_trace_class_free(struct vt_ctf_trace_class *tc);

/* Look-ups, O(1) by id; NULL when absent. */
const struct vt_ctf_stream_class *vt_ctf_stream_class_find(const struct vt_ctf_trace_class *tc, uint64_t id);
const struct vt_ctf_event_class *vt_ctf_event_class_find(const struct vt_ctf_stream_class *sc, uint64_t id);
const struct vt_ctf_clock_class *vt_ctf_clock_class_find(const struct vt_ctf_trace_class *tc, const char *name);
const char *vt_ctf_env_string(const struct vt_ctf_trace_class *tc, const char *name);

/* A structure's member by name (linear: for setting up, not for decoding); NULL when absent. */
const struct vt_ctf_fc *vt_ctf_fc_member(const struct vt_ctf_fc *st, const char *name);

/* Names, for messages and tests: "fixed-length-unsigned-integer", "packet-header"... */
const char *vt_ctf_fc_type_name(enum vt_ctf_fc_type type);
const char *vt_ctf_scope_name(enum vt_ctf_scope scope);

#endif
