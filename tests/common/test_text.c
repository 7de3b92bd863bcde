/* src/common/text.c: hostile bytes in, valid UTF-8 and terminal-safe text out. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "vmtrace/error.h"

static void utf8_validity(void **state)
{
	(void)state;
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	/* a cut sequence, overlong forms, a surrogate, past U+10FFFF, a lone continuation */
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xe2\x82", 2), 0);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xc0\xaf", 2), 0);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xe0\x80\xaf", 3), 0);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(vt_utf8_seq_len((const unsigned char *)"\x80", 1), 0);
}

static void clean_replaces_invalid_bytes(void **state)
{
	(void)state;
	char buf[64];
	/* a comm cut in the middle of a 3-byte character, as the kernel's 15-byte limit does */
	assert_string_equal(vt_utf8_clean("kworker\xe2\x82", buf, sizeof(buf)), "kworker\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(vt_utf8_clean("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9");
	assert_string_equal(vt_utf8_clean(NULL, buf, sizeof(buf)), "");
	/* never cuts a sequence at the end of the buffer */
	assert_string_equal(vt_utf8_clean("ab\xff", buf, 5), "ab");
	char *d = vt_utf8_clean_dup("\xff\xfe");
	assert_string_equal(d, "\xef\xbf\xbd\xef\xbf\xbd");
	free(d);
}

static void json_never_drops(void **state)
{
	(void)state;
	json_t *o = json_object();
	json_object_set_new(o, "comm", vt_json_str("bad\xff\x01"));
	json_object_set_new(o, "empty", vt_json_str(NULL));
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"comm\":\"bad\xef\xbf\xbd\\u0001\",\"empty\":\"\"}");
	json_t *back = json_loads(s, 0, NULL);
	assert_non_null(back);
	json_decref(back);
	free(s);
	json_decref(o);
}

static void text_escapes_controls(void **state)
{
	(void)state;
	char buf[128];
	assert_string_equal(vt_text_safe("evil\x1b[2J\nname", buf, sizeof(buf)), "evil\\x1b[2J\\x0aname");
	assert_string_equal(vt_text_safe("a\\b", buf, sizeof(buf)), "a\\\\b");
	/* C1 control CSI (U+009B), DEL, invalid byte */
	assert_string_equal(vt_text_safe("\xc2\x9b\x7f\xff", buf, sizeof(buf)), "\\xc2\\x9b\\x7f\\xff");
	assert_string_equal(vt_text_safe("caf\xc3\xa9 CPU 0/KVM", buf, sizeof(buf)), "caf\xc3\xa9 CPU 0/KVM");
	/* an escape is never cut in half */
	assert_string_equal(vt_text_safe("ab\x01", buf, 5), "ab");
	assert_int_equal(vt_text_needs_escape("plain name"), 0);
	assert_int_equal(vt_text_needs_escape("a\tb"), 1);
	assert_int_equal(vt_text_needs_escape("\xe2\x82"), 1);
}

static void line_folds_once(void **state)
{
	(void)state;
	char buf[128], again[128];
	/* line breaks and tabs become spaces, other controls and bad bytes \xNN, a backslash stays */
	assert_string_equal(vt_text_line("a\nb\tc\x1b[2J\\d\xff", buf, sizeof(buf)), "a b c\\x1b[2J\\d\\xff");
	assert_string_equal(vt_text_line(buf, again, sizeof(again)), buf);
	/* every error message is such a line, whatever a trace put in it */
	struct vt_error err;
	vt_error_set(&err, "%s: bad comm '%s'", "/t/chan_0", "x\x1b]0;pwn\x07\ny\xe2\x82");
	assert_string_equal(err.msg, "/t/chan_0: bad comm 'x\\x1b]0;pwn\\x07 y\\xe2\\x82'");
	vt_error_set(&err, "%s", err.msg); /* quoting a message again changes nothing */
	assert_string_equal(err.msg, "/t/chan_0: bad comm 'x\\x1b]0;pwn\\x07 y\\xe2\\x82'");
	/* a path longer than the message: its middle gives way, the problem stays */
	char path[3001];
	for (int i = 0; i < 3000; i++)
		path[i] = i % 2 ? '/' : (i % 7 == 0 ? '\xc3' : 'x');
	path[3000] = '\0';
	for (int i = 0; i < 2999; i++)
		if (path[i] == '\xc3')
			path[++i] = '\xa9'; /* é: the cut must fall between characters */
	vt_error_set(&err, "%s: %s", path, "File name too long");
	size_t n = strlen(err.msg);
	assert_true(n < sizeof(err.msg));
	assert_string_equal(err.msg + n - strlen(": File name too long"), ": File name too long");
	assert_non_null(strstr(err.msg, " [...] "));
	assert_int_equal(memcmp(err.msg, path, 150), 0);
	assert_int_equal(vt_text_needs_escape(err.msg), 0); /* valid UTF-8: no character cut */
}

/* vt_json_write's literal for s, parsed back by jansson (in an array). */
static char *written(const char *s, int in_script, char **raw)
{
	size_t len;
	FILE *f = open_memstream(raw, &len);
	assert_non_null(f);
	fputc('[', f);
	vt_json_write(f, s, in_script);
	fputc(']', f);
	assert_int_equal(fclose(f), 0);
	json_error_t jerr;
	json_t *arr = json_loads(*raw, 0, &jerr);
	if (!arr)
		fail_msg("%s: %s", *raw, jerr.text);
	char *back = strdup(json_string_value(json_array_get(arr, 0)));
	json_decref(arr);
	return back;
}

static void json_write_streams_valid(void **state)
{
	(void)state;
	const char *hostile = "</script><!--\x1b\n\"\\\xe2\x80\xa8&\xe2\x82";
	const char *clean = "</script><!--\x1b\n\"\\\xe2\x80\xa8&\xef\xbf\xbd\xef\xbf\xbd";
	char *raw, *back = written(hostile, 0, &raw);
	assert_string_equal(back, clean);
	free(back);
	free(raw);
	back = written(hostile, 1, &raw);
	assert_string_equal(back, clean);
	/* inside <script>: no markup character, no raw U+2028, nothing that ends or bends the script */
	assert_null(strpbrk(raw, "<>&"));
	assert_null(strstr(raw, "\xe2\x80\xa8"));
	assert_non_null(strstr(raw, "\\u2028"));
	free(back);
	free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_validity),
		cmocka_unit_test(clean_replaces_invalid_bytes),
		cmocka_unit_test(json_never_drops),
		cmocka_unit_test(text_escapes_controls),
		cmocka_unit_test(line_folds_once),
		cmocka_unit_test(json_write_streams_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
