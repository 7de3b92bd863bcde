/* TSDL text into tokens: identifiers, integer literals (decimal, hex, octal,
 * with u/l suffixes), string and character literals with their escapes
 * decoded, punctuation; comments dropped. */
#include "sources/ctf_tsdl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS (4u << 20)

struct lex {
	const char *s, *end;
	uint32_t line;
	char *out; /* next free byte of lx->strings */
	struct tsdl_lexer *lx;
	size_t cap;
	const char *name;
	struct vt_error *err;
};

static int lex_error(struct lex *l, const char *what)
{
	return vt_error_set(l->err, "%s:%u: %s", l->name, l->line, what);
}

static struct tsdl_token *push(struct lex *l, enum tsdl_tok type)
{
	struct tsdl_lexer *lx = l->lx;
	if (lx->ntoks == l->cap) {
		if (l->cap >= MAX_TOKENS) {
			lex_error(l, "too many tokens");
			return NULL;
		}
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct tsdl_token *t = realloc(lx->toks, cap * sizeof(*t));
		if (!t) {
			lex_error(l, "out of memory");
			return NULL;
		}
		lx->toks = t;
		l->cap = cap;
	}
	struct tsdl_token *t = &lx->toks[lx->ntoks++];
	t->type = type;
	t->line = l->line;
	t->text = l->out;
	t->u = 0;
	return t;
}

/* Skips blanks and comments; -1 on an unclosed comment. */
static int skip(struct lex *l)
{
	for (;;) {
		while (l->s < l->end && isspace((unsigned char)*l->s))
			l->line += *l->s++ == '\n';
		if (l->end - l->s >= 2 && l->s[0] == '/' && l->s[1] == '*') {
			const char *c = l->s + 2;
			while (c + 1 < l->end && !(c[0] == '*' && c[1] == '/'))
				l->line += *c++ == '\n';
			if (c + 1 >= l->end)
				return lex_error(l, "a comment is not closed");
			l->s = c + 2;
		} else if (l->end - l->s >= 2 && l->s[0] == '/' && l->s[1] == '/') {
			while (l->s < l->end && *l->s != '\n')
				l->s++;
		} else {
			return 0;
		}
	}
}

static int number(struct lex *l)
{
	struct tsdl_token *t = push(l, TSDL_INT);
	if (!t)
		return -1;
	unsigned base = 10;
	if (l->s[0] == '0' && l->end - l->s > 1 && (l->s[1] == 'x' || l->s[1] == 'X')) {
		base = 16;
		l->s += 2;
		if (l->s >= l->end || !isxdigit((unsigned char)*l->s))
			return lex_error(l, "a hexadecimal number has no digits");
	} else if (l->s[0] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	for (; l->s < l->end && isalnum((unsigned char)*l->s); l->s++) {
		int c = tolower((unsigned char)*l->s);
		unsigned d = isdigit(c) ? (unsigned)(c - '0') : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10) : 99;
		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return lex_error(l, "an integer literal does not fit 64 bits");
		v = v * base + d;
	}
	while (l->s < l->end && (*l->s == 'u' || *l->s == 'U' || *l->s == 'l' || *l->s == 'L'))
		l->s++;
	if (l->s < l->end && (isalnum((unsigned char)*l->s) || *l->s == '_'))
		return lex_error(l, "a malformed integer literal");
	t->u = v;
	*l->out++ = '\0';
	return 0;
}

/* One character of a string or character literal, escapes decoded; -1 at the end of the text. */
static int one_char(struct lex *l, unsigned *c)
{
	if (l->s >= l->end || *l->s == '\n')
		return lex_error(l, "a string or character literal is not closed");
	if (*l->s != '\\') {
		*c = (unsigned char)*l->s++;
		return 0;
	}
	if (++l->s >= l->end)
		return lex_error(l, "a string or character literal is not closed");
	char e = *l->s++;
	static const char from[] = "abfnrtv\\'\"?", to[] = "\a\b\f\n\r\t\v\\'\"?";
	const char *k = strchr(from, e);
	if (k && e) {
		*c = (unsigned char)to[k - from];
		return 0;
	}
	unsigned v = 0, n = 0;
	if (e >= '0' && e <= '7') {
		v = (unsigned)(e - '0');
		for (n = 1; n < 3 && l->s < l->end && *l->s >= '0' && *l->s <= '7'; n++)
			v = v * 8 + (unsigned)(*l->s++ - '0');
	} else if (e == 'x') {
		for (; n < 2 && l->s < l->end && isxdigit((unsigned char)*l->s); n++, l->s++)
			v = v * 16 +
			    (unsigned)(isdigit((unsigned char)*l->s) ? *l->s - '0' : tolower(*l->s) - 'a' + 10);
		if (n == 0)
			return lex_error(l, "a \\x escape has no digits");
	} else {
		return lex_error(l, "an unknown escape in a string literal");
	}
	*c = v & 0xff;
	return 0;
}

static int literal(struct lex *l, char quote)
{
	struct tsdl_token *t = push(l, quote == '"' ? TSDL_STRING : TSDL_CHAR);
	if (!t)
		return -1;
	l->s++;
	size_t n = 0;
	unsigned c = 0;
	while (l->s < l->end && *l->s != quote) {
		if (one_char(l, &c))
			return -1;
		if (c == 0 && quote == '"')
			return lex_error(l, "a string literal holds a NUL character");
		*l->out++ = (char)c;
		if (++n > VT_CTF_MAX_NAME)
			return lex_error(l, "a string literal is too long");
	}
	if (l->s >= l->end)
		return lex_error(l, "a string or character literal is not closed");
	l->s++;
	if (quote == '\'') {
		if (n != 1)
			return lex_error(l, "a character literal holds other than one character");
		t->u = c;
	}
	*l->out++ = '\0';
	return 0;
}

static int punct(struct lex *l)
{
	static const char *const multi[] = {":=", "..."};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(multi[i]);
		if ((size_t)(l->end - l->s) >= n && memcmp(l->s, multi[i], n) == 0) {
			if (!push(l, TSDL_PUNCT))
				return -1;
			memcpy(l->out, multi[i], n + 1);
			l->out += n + 1;
			l->s += n;
			return 0;
		}
	}
	if (!strchr("{}[]()<>;,:=.+-*", *l->s) || !*l->s) {
		char what[64];
		snprintf(what, sizeof(what), "unexpected character 0x%02x", (unsigned char)*l->s);
		return lex_error(l, what);
	}
	if (!push(l, TSDL_PUNCT))
		return -1;
	*l->out++ = *l->s++;
	*l->out++ = '\0';
	return 0;
}

static int token(struct lex *l)
{
	unsigned char c = (unsigned char)*l->s;
	if (isalpha(c) || c == '_') {
		if (!push(l, TSDL_IDENT))
			return -1;
		const char *start = l->s;
		while (l->s < l->end && (isalnum((unsigned char)*l->s) || *l->s == '_'))
			l->s++;
		if ((size_t)(l->s - start) > VT_CTF_MAX_NAME)
			return lex_error(l, "an identifier is too long");
		memcpy(l->out, start, (size_t)(l->s - start));
		l->out += l->s - start;
		*l->out++ = '\0';
		return 0;
	}
	if (isdigit(c))
		return number(l);
	if (c == '"' || c == '\'')
		return literal(l, (char)c);
	return punct(l);
}

int vt_tsdl_lex(struct tsdl_lexer *lx, const char *text, size_t len, const char *name, struct vt_error *err)
{
	memset(lx, 0, sizeof(*lx));
	struct lex l = {.s = text, .end = text + len, .line = 1, .lx = lx, .name = name, .err = err};
	/* Each token's text is at most its source, plus a NUL: twice the text is enough. */
	lx->strings = malloc(2 * len + 2);
	if (!lx->strings)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", name);
	l.out = lx->strings;
	for (;;) {
		if (skip(&l))
			return -1;
		if (l.s >= l.end)
			break;
		if (token(&l))
			return -1;
	}
	struct tsdl_token *t = push(&l, TSDL_END);
	if (!t)
		return -1;
	*l.out++ = '\0';
	return 0;
}

void vt_tsdl_lex_free(struct tsdl_lexer *lx)
{
	free(lx->toks);
	free(lx->strings);
	memset(lx, 0, sizeof(*lx));
}
