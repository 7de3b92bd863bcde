/* The guest agent's protocol without I/O: splitting its byte stream into
 * answer lines, checking each answer's JSON, decoding base64. Everything
 * here reads what a hostile guest sent: bounded, checked, never trusted;
 * fuzz/fuzz_qga.c drives it. */
#ifndef VT_RECORD_QGA_PROTO_H
#define VT_RECORD_QGA_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vmtrace/error.h"

/* The byte qemu-ga sends before its answer to guest-sync-delimited (never
 * in UTF-8 text), and that we send to reset its parser. */
#define VT_QGA_SENTINEL 0xff

/* ---- the stream ---- */

/* Bytes received and not yet taken as lines. */
struct vt_qga_reader {
	char *buf;        /* owned; alloc bytes, at least max_line + 1 */
	size_t off, len;  /* unread bytes: buf[off..len) */
	size_t alloc;
	size_t max_line;  /* the longest line accepted */
	int want_sentinel; /* discard everything up to the next VT_QGA_SENTINEL */
	uint64_t dropped; /* bytes discarded while waiting for it */
};

enum vt_qga_next {
	VT_QGA_MORE = 0, /* no whole line yet: read more */
	VT_QGA_LINE,     /* *line, *len: one line (without its '\n'), valid until the next call */
	VT_QGA_TOO_LONG, /* more than max_line bytes without a '\n': the stream is out of step */
};

/* Returns -1 when out of memory. */
int vt_qga_reader_init(struct vt_qga_reader *r, size_t max_line);
void vt_qga_reader_free(struct vt_qga_reader *r);
/* Raises the line bound (a file read's answer is longer than the others). */
int vt_qga_reader_reserve(struct vt_qga_reader *r, size_t max_line);
/* Where received bytes go: at most *room of them. */
char *vt_qga_reader_space(struct vt_qga_reader *r, size_t *room);
void vt_qga_reader_commit(struct vt_qga_reader *r, size_t n);
/* Takes the next line out of the buffer; in want_sentinel mode first drops
 * bytes up to and including a VT_QGA_SENTINEL. */
enum vt_qga_next vt_qga_reader_next(struct vt_qga_reader *r, const char **line, size_t *len);
/* Forgets everything buffered and waits for a sentinel. */
void vt_qga_reader_resync(struct vt_qga_reader *r);

/* ---- answers ---- */

/* One answer line: {"return": X} gives 0 and *ret (a new reference: decref
 * it); {"error": {"desc": D, ...}} gives -1 with err "guest agent: D"
 * (*is_error 1); anything else gives -1 with err saying so (*is_error 0). */
int vt_qga_reply_parse(const char *line, size_t len, json_t **ret, int *is_error, struct vt_error *err);

/* A non-negative JSON integer of at most max; -1 when ret is not one. */
int64_t vt_qga_json_count(const json_t *ret, int64_t max);

/* guest-exec's answer: {"pid": N}, 1 <= N <= INT32_MAX. */
int vt_qga_parse_exec_pid(const json_t *ret, int64_t *pid, struct vt_error *err);

struct vt_qga_exec_status {
	int exited;
	int exitcode;            /* 0..255, valid when exited and signal == 0 */
	int signal;              /* 1..127 when killed by a signal, else 0 */
	char *out, *err;         /* captured output, NUL-terminated, at most max_out bytes (owned) */
	size_t out_len, err_len;
	int out_cut, err_cut;    /* the agent or we cut the output */
};

/* guest-exec-status's answer. Output past max_out bytes (each) is cut and
 * said by out_cut/err_cut. Free with vt_qga_exec_status_free. */
int vt_qga_parse_exec_status(const json_t *ret, size_t max_out, struct vt_qga_exec_status *st,
			     struct vt_error *err);
void vt_qga_exec_status_free(struct vt_qga_exec_status *st);

/* guest-file-read's answer ({"count": N, "buf-b64": B, "eof": bool}): the
 * decoded bytes into out (at most max, which is what was asked for), *n their
 * count (it must equal N), *eof. */
int vt_qga_parse_file_read(const json_t *ret, uint8_t *out, size_t max, size_t *n, int *eof,
			   struct vt_error *err);

/* The commands vmtrace uses, as bits of vt_qga_info.enabled. */
enum {
	VT_QGA_CMD_EXEC = 1u << 0,
	VT_QGA_CMD_EXEC_STATUS = 1u << 1,
	VT_QGA_CMD_FILE_OPEN = 1u << 2,
	VT_QGA_CMD_FILE_READ = 1u << 3,
	VT_QGA_CMD_FILE_CLOSE = 1u << 4,
	VT_QGA_CMD_HOST_NAME = 1u << 5,
	VT_QGA_CMD_NEEDED = (1u << 5) - 1, /* all but the host name */
};

struct vt_qga_info {
	char version[64];  /* the agent's version, as it says it (escape before printing) */
	unsigned enabled;  /* VT_QGA_CMD_* the agent lists as enabled */
};

/* guest-info's answer. */
int vt_qga_parse_info(const json_t *ret, struct vt_qga_info *info, struct vt_error *err);
/* "guest-exec, guest-file-read" for the needed commands missing from mask. */
void vt_qga_missing_commands(unsigned enabled, char *out, size_t size);

/* guest-get-host-name's answer ({"host-name": S}) into out (cut to size). */
int vt_qga_parse_host_name(const json_t *ret, char *out, size_t size, struct vt_error *err);

/* ---- base64 ---- */

/* Strict RFC 4648 base64 (standard alphabet, '=' padding, no whitespace),
 * as qemu-ga writes it. Returns the decoded length, or -1 when in is not
 * valid base64 or decodes to more than cap bytes. */
long vt_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap);
/* Bytes a valid encoding of len characters decodes to, at most. */
size_t vt_b64_max_decoded(size_t len);

#endif
