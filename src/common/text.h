/* Strings from outside (comms, guest names, hostnames, trace metadata) on
 * their way into text, JSON and HTML: whatever their bytes, the result is
 * valid UTF-8 and, for a terminal, holds no control character. */
#ifndef VT_COMMON_TEXT_H
#define VT_COMMON_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when the byte
 * at s does not start one. Overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as RFC 3629 says. */
size_t vt_utf8_seq_len(const unsigned char *s, size_t n);

/* s as valid UTF-8: each byte that is not part of a valid sequence becomes
 * U+FFFD. Writes at most size bytes (NUL included) into buf, never cutting a
 * sequence; returns buf. A NULL s gives "". */
char *vt_utf8_clean(const char *s, char *buf, size_t size);

/* The same, allocated (caller frees); NULL only when out of memory. */
char *vt_utf8_clean_dup(const char *s);

/* A JSON string of s, never NULL for lack of valid UTF-8 (jansson's
 * json_string() returns NULL then, and json_object_set_new() silently drops
 * the key): invalid bytes become U+FFFD. NULL s gives "". NULL only when out
 * of memory. */
json_t *vt_json_str(const char *s);

/* Writes s to f as a JSON string literal, whatever its bytes: each byte not
 * part of valid UTF-8 as U+FFFD, control characters as \u00XX. in_script:
 * also <, >, & and U+2028/U+2029 as \uXXXX, so the literal can sit inside an
 * HTML <script> (no "</script>" nor "<!--" can end or bend it) and be read as
 * JavaScript. For writers that stream JSON without jansson. */
void vt_json_write(FILE *f, const char *s, int in_script);

/* s for a terminal or a text report: valid UTF-8 kept, each control
 * character (C0, DEL, C1) and each invalid byte written as \xNN, a backslash
 * as \\. Writes at most size bytes (NUL included) into buf, never cutting an
 * escape; returns buf. A NULL s gives "". */
char *vt_text_safe(const char *s, char *buf, size_t size);

/* s as one line of an error message: as vt_text_safe, except that a line
 * break or a tab becomes a space and a backslash stays as it is, so a message
 * folded twice is folded once. */
char *vt_text_line(const char *s, char *buf, size_t size);

/* Does s hold a control character or invalid UTF-8 (so vt_text_safe changes it)? */
int vt_text_needs_escape(const char *s);

#endif
