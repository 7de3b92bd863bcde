/* Names from other machines through every output: a simulated trace whose
 * comms, hostnames, guest name and folder name are patched in place (same
 * length: comms are fixed 16-byte arrays, strings NUL-terminated) to hold a
 * character cut in the middle, escape sequences, line breaks, markup and
 * U+2028. Then info, sync and analyze --json parse with jansson with every
 * key there (U+FFFD where bytes were invalid), the Perfetto export parses,
 * the text outputs hold no raw control character nor an injected line, and
 * the HTML report runs in chromium with the names shown as text. */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "exptest.h"
#include "testutil.h"

/* Scenario tokens and what the test writes over them (same length). */
struct patch {
	const char *token, *hostile, *clean; /* clean: as JSON gives it back, invalid bytes as U+FFFD */
};

#define FFFD "\xef\xbf\xbd"
static const struct patch patches[] = {
	/* a host thread's comm: a screen clear, a line break, the end of a script, a cut character */
	{"HOSTCOMMTOKEN01", "\x1b[2J\n</script>\xe2", "\x1b[2J\n</script>" FFFD},
	/* a guest thread's comm: markup, a 3-byte character cut after 2 bytes, ESC, a line break */
	{"GUESTCOMMTOKEN1", "<img src=x>\xe2\x82\x1b\n", "<img src=x>" FFFD FFFD "\x1b\n"},
	/* the host's hostname (metadata env and the agent's event): a comment opener, \u0001, colour, U+2028, a bad byte */
	{"HOSTNAMETOKEN1", "<!--\x01\x1b[31m\xe2\x80\xa8\xff", "<!--\x01\x1b[31m\xe2\x80\xa8" FFFD},
	/* the guest's name (QEMU -name) and hostname: ESC, a bad sequence, DEL, BEL */
	{"GUESTNAMETOKEN", "vm\x1b[2J\xc3(\x7fok\x07xy", "vm\x1b[2J" FFFD "(\x7fok\x07xy"},
};
#define NPATCHES (sizeof(patches) / sizeof(patches[0]))

static const char scenario[] =
	"{\"name\": \"hostile\", \"seed\": 7, \"duration_ms\": 300,\n"
	" \"host\": {\"hostname\": \"HOSTNAMETOKEN1\", \"cpus\": 2, \"agent\": true,\n"
	"          \"threads\": [{\"name\": \"HOSTCOMMTOKEN01\", \"kind\": \"hog\"}]},\n"
	" \"guests\": [{\"name\": \"GUESTNAMETOKEN\", \"vcpus\": 2, \"clock\": {\"mode\": \"ptp\"},\n"
	"             \"threads\": [{\"name\": \"GUESTCOMMTOKEN1\", \"burst_us\": 2000, \"sleep_us\": 500}]}],\n"
	" \"network\": [{\"from\": \"GUESTNAMETOKEN\", \"to\": \"host\", \"rate_hz\": 500},\n"
	"             {\"from\": \"host\", \"to\": \"GUESTNAMETOKEN\", \"rate_hz\": 500}]}\n";

/* The guest's folder, renamed: a folder name can hold an escape sequence and a line break too. */
static const char hostile_folder[] = "gdir\x1b[2J\nx";

static char *dir, *traces;
static size_t replaced[NPATCHES];

/* Overwrites every token in one file. */
static int patch_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	size_t len;
	char *buf = vt_read_file(path, &len);
	if (!buf)
		return -1;
	int changed = 0;
	for (size_t k = 0; k < NPATCHES; k++) {
		size_t n = strlen(patches[k].token);
		for (char *p = buf; (p = memmem(p, len - (size_t)(p - buf), patches[k].token, n)); p += n) {
			memcpy(p, patches[k].hostile, n);
			replaced[k]++;
			changed = 1;
		}
	}
	FILE *f = changed ? fopen(path, "wb") : NULL;
	int rc = changed && (!f || fwrite(buf, 1, len, f) != len);
	if (f && fclose(f))
		rc = 1;
	free(buf);
	return rc ? -1 : 0;
}

static int setup(void **state)
{
	(void)state;
	dir = vt_mkdtemp();
	char path[4300];
	snprintf(path, sizeof(path), "%s/hostile.json", dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(scenario, f) < 0 || fclose(f))
		return -1;
	if (asprintf(&traces, "%s/traces", dir) < 0)
		return -1;
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s' -o '%s'", vt_build_path("vmtrace-sim"), path, traces);
	int ok = run.status == 0;
	if (!ok)
		printf("vmtrace-sim: status %d: %s\n", run.status, run.err);
	vt_run_free(&run);
	if (!ok || nftw(traces, patch_file, 16, FTW_PHYS))
		return -1;
	for (size_t k = 0; k < NPATCHES; k++)
		if (!replaced[k]) {
			printf("token %s found in no trace file\n", patches[k].token);
			return -1;
		}
	char from[4300], to[4300];
	snprintf(from, sizeof(from), "%s/GUESTNAMETOKEN", traces);
	snprintf(to, sizeof(to), "%s/%s", traces, hostile_folder);
	return rename(from, to);
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(dir);
	free(dir);
	free(traces);
	return 0;
}

static const char *clean_of(const char *token)
{
	for (size_t k = 0; k < NPATCHES; k++)
		if (!strcmp(patches[k].token, token))
			return patches[k].clean;
	return NULL;
}

/* Runs `vmtrace ARGS TRACES` and parses its standard output as JSON. */
static json_t *run_json(const char *args, int want_status)
{
	struct vt_run run;
	vt_run_shell(&run, "%s %s '%s'", vt_vmtrace_cmd(), args, traces);
	if (run.status != want_status)
		fail_msg("vmtrace %s: status %d: %s", args, run.status, run.err);
	json_error_t jerr;
	json_t *doc = json_loads(run.out, 0, &jerr);
	if (!doc)
		fail_msg("vmtrace %s: not JSON: %s (line %d)", args, jerr.text, jerr.line);
	vt_run_free(&run);
	return doc;
}

/* The string at key of o, failing when the key is missing or not a string. */
static const char *str_at(json_t *o, const char *key, const char *where)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		fail_msg("%s: no string \"%s\"", where, key);
	return s;
}

/* How many objects of arr have key equal to want (every object must have key). */
static size_t count_equal(json_t *arr, const char *key, const char *want, const char *where)
{
	size_t i, n = 0;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		n += !strcmp(str_at(o, key, where), want);
	}
	return n;
}

static void info_json(void **state)
{
	(void)state;
	json_t *doc = run_json("info --json", 0);
	json_t *ts = json_object_get(doc, "traces"), *t;
	assert_int_equal(json_array_size(ts), 4);
	size_t i, host = 0, guest = 0;
	json_array_foreach(ts, i, t)
	{
		const char *h = str_at(t, "hostname", "info traces[]");
		host += !strcmp(h, clean_of("HOSTNAMETOKEN1"));
		guest += !strcmp(h, clean_of("GUESTNAMETOKEN"));
		const char *path = str_at(t, "path", "info traces[]");
		/* the folder name: valid UTF-8 kept as it is, control characters escaped by JSON */
		if (strstr(path, "/gdir"))
			assert_non_null(strstr(path, hostile_folder));
	}
	assert_int_equal(host, 2);
	assert_int_equal(guest, 2);
	json_t *ms = json_object_get(doc, "machines");
	assert_int_equal(json_array_size(ms), 2);
	assert_int_equal(count_equal(ms, "hostname", clean_of("HOSTNAMETOKEN1"), "info machines[]"), 1);
	json_t *gm = json_array_get(ms, 0);
	if (strcmp(str_at(gm, "role", "info machines[]"), "guest"))
		gm = json_array_get(ms, 1);
	assert_string_equal(str_at(gm, "name", "info machines[] (guest)"), clean_of("GUESTNAMETOKEN"));
	json_decref(doc);
}

static void sync_json(void **state)
{
	(void)state;
	json_t *doc = run_json("sync --json", 0);
	json_t *clocks = json_object_get(doc, "clocks");
	assert_int_equal(json_array_size(clocks), 2);
	assert_int_equal(count_equal(clocks, "hostname", clean_of("HOSTNAMETOKEN1"), "sync clocks[]"), 1);
	assert_int_equal(count_equal(clocks, "hostname", clean_of("GUESTNAMETOKEN"), "sync clocks[]"), 1);
	json_decref(doc);
}

static void analyze_json(void **state)
{
	(void)state;
	json_t *doc = run_json("analyze --json", 0);
	const char *guest = clean_of("GUESTNAMETOKEN");
	json_t *vcpus = json_object_get(doc, "vcpus"), *v;
	assert_int_equal(json_array_size(vcpus), 2);
	assert_int_equal(count_equal(vcpus, "guest_name", guest, "analyze vcpus[]"), 2);
	assert_int_equal(count_equal(json_object_get(doc, "guests"), "guest_name", guest, "analyze guests[]"), 1);
	/* the guest's thread, its comm whole (two U+FFFD for the cut character) */
	assert_int_equal(count_equal(json_object_get(doc, "threads"), "comm", clean_of("GUESTCOMMTOKEN1"),
				     "analyze threads[]"),
			 1);
	/* the host thread on the pCPUs and among the vCPUs' preemptors: no comm key dropped */
	size_t i, on_cpus = 0, preempting = 0;
	json_t *c;
	json_array_foreach(json_object_get(doc, "cpus"), i, c)
	{
		on_cpus += count_equal(json_object_get(c, "shares"), "comm", clean_of("HOSTCOMMTOKEN01"), "cpus[].shares[]");
	}
	json_array_foreach(vcpus, i, v)
	{
		preempting += count_equal(json_object_get(v, "preempted_by"), "comm", clean_of("HOSTCOMMTOKEN01"),
					  "vcpus[].preempted_by[]");
	}
	assert_true(on_cpus >= 1);
	assert_true(preempting >= 1);
	json_decref(doc);
}

static void perfetto_json(void **state)
{
	(void)state;
	char out[4300];
	snprintf(out, sizeof(out), "%s/trace.json", dir);
	struct vt_run run;
	vt_run_shell(&run, "%s export --perfetto '%s' '%s'", vt_vmtrace_cmd(), out, traces);
	if (run.status != 0)
		fail_msg("export --perfetto: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	json_error_t jerr;
	json_t *doc = json_load_file(out, 0, &jerr);
	if (!doc)
		fail_msg("the Perfetto export is not JSON: %s (line %d)", jerr.text, jerr.line);
	char thread[64], process[64];
	snprintf(thread, sizeof(thread), "%s (tid ", clean_of("GUESTCOMMTOKEN1"));
	snprintf(process, sizeof(process), "%s (guest)", clean_of("GUESTNAMETOKEN"));
	size_t i, threads = 0, processes = 0, host_slices = 0;
	json_t *e;
	json_array_foreach(json_object_get(doc, "traceEvents"), i, e)
	{
		const char *name = json_string_value(json_object_get(json_object_get(e, "args"), "name"));
		const char *ev = json_string_value(json_object_get(e, "name"));
		threads += name && !strncmp(name, thread, strlen(thread));
		processes += name && !strcmp(name, process);
		host_slices += ev && !strcmp(ev, clean_of("HOSTCOMMTOKEN01"));
	}
	assert_int_equal(threads, 1);
	assert_int_equal(processes, 1);
	assert_true(host_slices > 0);
	json_decref(doc);
}

/* No raw control character (but line breaks), valid UTF-8, and nothing of a name on a line of its own. */
static void assert_terminal_safe(const char *what, const char *text)
{
	for (const char *p = text; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("%s: raw control byte 0x%02x at offset %zu: %.80s", what, (unsigned char)*p,
				 (size_t)(p - text), p > text + 40 ? p - 40 : text);
	char *clean = vt_utf8_clean_dup(text);
	if (strcmp(clean, text))
		fail_msg("%s: invalid UTF-8", what);
	free(clean);
	const char *injected[] = {"\n</script>", "\nx/", "\n<img", "\nok"};
	for (size_t i = 0; i < sizeof(injected) / sizeof(injected[0]); i++)
		if (strstr(text, injected[i]))
			fail_msg("%s: a name starts a line of its own (%s)", what, injected[i] + 1);
}

static void text_outputs(void **state)
{
	(void)state;
	const char *cmds[] = {"info", "sync", "analyze"};
	/* what each must show, escaped: the names were printed, not left out */
	const char *shown[] = {"gdir\\x1b[2J\\x0ax/kernel", "\\x01\\x1b[31m", "\\x1b[2J\\x0a</script>\\xe2"};
	for (size_t i = 0; i < 3; i++) {
		struct vt_run run;
		vt_run_shell(&run, "%s %s '%s'", vt_vmtrace_cmd(), cmds[i], traces);
		if (run.status != 0)
			fail_msg("vmtrace %s: status %d: %s", cmds[i], run.status, run.err);
		assert_terminal_safe(cmds[i], run.out);
		assert_terminal_safe(cmds[i], run.err);
		if (!strstr(run.out, shown[i]))
			fail_msg("vmtrace %s does not show %s:\n%s", cmds[i], shown[i], run.out);
		vt_run_free(&run);
	}
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void html_report(void **state)
{
	(void)state;
	char report[4300];
	snprintf(report, sizeof(report), "%s/report.html", dir);
	struct vt_run run;
	vt_run_shell(&run, "%s analyze --html '%s' '%s' >/dev/null", vt_vmtrace_cmd(), report, traces);
	if (run.status != 0)
		fail_msg("analyze --html: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	size_t len;
	char *html = vt_read_file(report, &len);
	assert_non_null(html);
	assert_int_equal(strlen(html), len);
	char *clean = vt_utf8_clean_dup(html);
	assert_string_equal(clean, html);
	free(clean);
	/* the names cannot end the data's <script>, open a comment, or break a JavaScript line */
	assert_int_equal(count(html, "</script>"), 2);
	assert_int_equal(count(html, "<!--"), 0);
	assert_null(strstr(html, "<img"));
	/* U+2028 ends a line in older JavaScript: escaped in the data (the title, HTML text, may hold it) */
	const char *data = strstr(html, "window.VT_DATA=");
	assert_non_null(data);
	char *data_end = strstr(data, "</script>");
	assert_non_null(data_end);
	*data_end = '\0';
	assert_null(strstr(data, "\xe2\x80\xa8"));
	assert_non_null(strstr(data, "\\u2028"));
	free(html);
	if (system("command -v chromium >/dev/null 2>&1") != 0) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "chromium is not installed (apt-get install chromium)");
		return;
	}
	char *profile = vt_mkdtemp();
	vt_run_shell(&run,
		     "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
		     "--disable-background-networking --disable-component-update --disable-sync --disable-extensions "
		     "--enable-logging=stderr --v=0 --user-data-dir='%s' --virtual-time-budget=10000 --dump-dom 'file://%s'",
		     profile, report);
	if (run.status != 0 || !strstr(run.out, "</html>"))
		fail_msg("chromium --dump-dom: status %d\nstderr: %s", run.status, run.err);
	/* both scripts ran to their end: the data parsed, the timeline drawn */
	if (!strstr(run.out, "data-rendered=\""))
		fail_msg("the page's script did not draw the timeline; console: %s", run.err);
	if (strstr(run.err, "Uncaught") || strstr(run.err, "SyntaxError"))
		fail_msg("a script error: %s", run.err);
	/* the hostile comm is a row label's text, not an element */
	assert_non_null(strstr(run.out, "&lt;img src=x&gt;"));
	assert_null(strstr(run.out, "<img"));
	assert_non_null(strstr(run.out, "&lt;/script&gt;"));
	vt_run_free(&run);
	vt_rmtree(profile);
	free(profile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_json),    cmocka_unit_test(sync_json),   cmocka_unit_test(analyze_json),
		cmocka_unit_test(perfetto_json), cmocka_unit_test(text_outputs), cmocka_unit_test(html_report),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
