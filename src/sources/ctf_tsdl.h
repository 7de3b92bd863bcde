/* CTF 1.8 metadata (TSDL) into a trace class: what the lexer
 * (ctf_tsdl_lex.c), the type parser (ctf_tsdl_types.c), the block parser
 * (ctf_tsdl_parse.c) and LTTng's roles (ctf_tsdl_roles.c) share. */
#ifndef VT_SOURCES_CTF_TSDL_H
#define VT_SOURCES_CTF_TSDL_H

#include <stddef.h>
#include <stdint.h>

#include "sources/ctf_ir_build.h"

enum tsdl_tok {
	TSDL_END,
	TSDL_IDENT,
	TSDL_INT,    /* u holds the value */
	TSDL_STRING, /* "...": text holds it unescaped */
	TSDL_CHAR,   /* '.': u holds the value */
	TSDL_PUNCT,  /* text: one of { } [ ] ( ) < > ; , : = . + - * := ... */
};

struct tsdl_token {
	enum tsdl_tok type;
	uint32_t line;
	const char *text; /* NUL-terminated, in the lexer's buffer */
	uint64_t u;
};

struct tsdl_lexer {
	struct tsdl_token *toks;
	size_t ntoks;
	char *strings; /* every token's text, NUL-separated */
};

/* Splits text into tokens (comments dropped, escapes in strings decoded); -1 with err set. */
int vt_tsdl_lex(struct tsdl_lexer *lx, const char *text, size_t len, const char *name, struct vt_error *err);
void vt_tsdl_lex_free(struct tsdl_lexer *lx);

/* Declarations in scope: typealias and typedef names, "struct X", "enum X", "variant X". */
struct tsdl_scope {
	struct vt_ctf_names names; /* name -> struct vt_ctf_fc * (copied at each use) */
	struct tsdl_scope *up;
};

struct tsdl_parser {
	const char *name; /* the metadata's path */
	struct tsdl_lexer lx;
	size_t pos;
	struct vt_ctf_builder b;
	struct vt_ctf_arena *arena; /* b.arena */
	struct tsdl_scope *scope;
	uint32_t depth;             /* nesting of type specifiers */
	int have_byte_order;        /* the trace block gave byte_order (what `native` means) */
	int seen_trace;             /* a trace block was read */
	struct vt_ctf_names clocks; /* name -> 1 + index in b.clocks */
	struct vt_error *err;
};

/* Token access. */
const struct tsdl_token *vt_tsdl_peek(const struct tsdl_parser *p, size_t ahead);
const struct tsdl_token *vt_tsdl_next(struct tsdl_parser *p);
int vt_tsdl_is(const struct tsdl_token *t, const char *punct_or_ident);
int vt_tsdl_accept(struct tsdl_parser *p, const char *punct);
int vt_tsdl_expect(struct tsdl_parser *p, const char *punct);
/* "the end of the metadata", "\"foo\"", "the number 3": for messages. */
const char *vt_tsdl_describe(const struct tsdl_token *t, char *buf, size_t size);
/* "PATH:LINE: problem" at the current token; always -1. */
int vt_tsdl_error(struct tsdl_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A type specifier (integer {...}, struct ..., an alias name...); NULL with the error set. When
 * need_declarator, the last identifier of a name sequence is left for the declarator. */
struct vt_ctf_fc *vt_tsdl_type_spec(struct tsdl_parser *p, int need_declarator);
/* NAME [dims]... after a type specifier: *name is its name as written, the result the full type. */
struct vt_ctf_fc *vt_tsdl_declarator(struct tsdl_parser *p, struct vt_ctf_fc *type, const char **name);
/* typealias ... := NAME; or typedef TYPE NAME...; (the keyword already read) into the current scope. */
int vt_tsdl_typealias(struct tsdl_parser *p);
int vt_tsdl_typedef(struct tsdl_parser *p);
int vt_tsdl_scope_push(struct tsdl_parser *p);
void vt_tsdl_scope_pop(struct tsdl_parser *p);

/* An attribute value: integer (with its sign), string, or identifier path (a.b.c). */
struct tsdl_value {
	enum { TSDL_V_INT, TSDL_V_STRING, TSDL_V_IDENT } kind;
	int neg;
	uint64_t u;
	char text[VT_CTF_MAX_NAME]; /* string or dotted identifiers */
	uint32_t line;
};
int vt_tsdl_value(struct tsdl_parser *p, struct tsdl_value *v); /* reads up to the ';', which it consumes */
int vt_tsdl_value_bool(struct tsdl_parser *p, const struct tsdl_value *v, int *out);
int vt_tsdl_value_u64(struct tsdl_parser *p, const struct tsdl_value *v, uint64_t *out);
int vt_tsdl_value_i64(struct tsdl_parser *p, const struct tsdl_value *v, int64_t *out);

/* A name as the trace class keeps it: one leading underscore dropped. */
const char *vt_tsdl_member_name(struct tsdl_parser *p, const char *raw);

/* LTTng's member names -> CTF 2 roles, and the 16-byte uuid array -> BLOB (ctf_tsdl_roles.c). */
int vt_tsdl_roles(struct tsdl_parser *p, struct vt_ctf_fc *root, enum vt_ctf_scope scope);

#endif
