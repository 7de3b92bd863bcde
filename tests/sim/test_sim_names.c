/* Names in scenarios: a guest's name is the folder its traces go to, so a
 * name that is not one plain folder name (../victim, .., ., a/b), holds a
 * control character or is empty is refused at load, in one line naming the
 * file, the key and the problem, and nothing is written outside -o (nor in
 * it). Hostnames with control characters are refused too; unusual but valid
 * names (UTF-8, markup) give a truth.json that jansson reads back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

struct bad {
	const char *json;    /* the string as JSON writes it */
	const char *key;     /* the key the message names */
	const char *problem; /* and a word of the problem */
};

static const struct bad names[] = {
	{"../victim", "guests[0].name", "not a folder name"},
	{"..", "guests[0].name", "not a folder name"},
	{".", "guests[0].name", "not a folder name"},
	{"a/b", "guests[0].name", "not a folder name"},
	{"../../../../../../tmp/x", "guests[0].name", "not a folder name"},
	{"x\\ny", "guests[0].name", "control characters"},
	{"ok\\u001b[2J", "guests[0].name", "control characters"},
	{"", "guests[0].name", "1 to 63 bytes"},
	{"host", "guests[0].name", "taken"},
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* vmtrace-sim on the scenario must fail in one line naming path, key and
 * problem, with no raw control character, leaving parent as it was. */
static void expect_refused(const char *parent, const char *path, const char *key, const char *problem)
{
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s/out' --format both", vt_build_path("vmtrace-sim"), path, parent);
	if (r.status != 1 || vt_count_lines(r.err) != 1 || !strstr(r.err, path) || !strstr(r.err, key) ||
	    !strstr(r.err, problem))
		fail_msg("%s: status %d, stderr: %s", path, r.status, r.err);
	for (const char *p = r.err; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("%s: raw control byte 0x%02x in the message", path, *p);
	vt_run_free(&r);
	/* the parent still holds the sentinel, unchanged, and nothing else was written (out is absent or empty) */
	vt_run_shell(&r, "cd '%s' && cat sentinel && find . -mindepth 1 ! -name sentinel ! -name '*.json' "
			 "! \\( -name out -type d -empty \\)", parent);
	assert_int_equal(r.status, 0);
	if (strcmp(r.out, "precious\n"))
		fail_msg("%s: the folder around -o changed:\n%s", path, r.out);
	vt_run_free(&r);
}

static void refused_names(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	char parent[4200], sentinel[4300];
	snprintf(parent, sizeof(parent), "%s/run", dir);
	assert_int_equal(mkdir(parent, 0755), 0);
	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", parent);
	write_text(sentinel, "precious\n");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4300], text[512];
		snprintf(path, sizeof(path), "%s/name%zu.json", parent, i);
		snprintf(text, sizeof(text), "{\"duration_ms\": 20, \"host\": {}, \"guests\": [{\"name\": \"%s\"}]}",
			 names[i].json);
		write_text(path, text);
		expect_refused(parent, path, names[i].key, names[i].problem);
	}
	/* hostnames go into every trace's metadata and the text outputs */
	const char *hosts[][2] = {
		{"{\"host\": {\"hostname\": \"h\\u0001x\"}}", "host.hostname"},
		{"{\"host\": {}, \"guests\": [{\"name\": \"vm\", \"hostname\": \"vm\\u001b]0;x\\u0007\"}]}",
		 "guests[0].hostname"},
		{"{\"host\": {\"threads\": [{\"name\": \"w\\u009b2J\"}]}}", "host.threads[0].name"},
	};
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char path[4300];
		snprintf(path, sizeof(path), "%s/host%zu.json", parent, i);
		write_text(path, hosts[i][0]);
		expect_refused(parent, path, hosts[i][1], "control characters");
	}
	vt_rmtree(dir);
	free(dir);
}

/* A name of its own language and markup in a thread name: written, and truth.json reads back. */
static void valid_unusual_names(void **state)
{
	(void)state;
	char *dir = vt_mkdtemp();
	char path[4300];
	snprintf(path, sizeof(path), "%s/ok.json", dir);
	write_text(path, "{\"name\": \"caf\xc3\xa9 <b>&\", \"duration_ms\": 30,"
			 " \"host\": {\"hostname\": \"h\xc3\xb6st-1\", \"threads\": [{\"name\": \"<w>&'x\"}]},"
			 " \"guests\": [{\"name\": \"caf\xc3\xa9-1\", \"hostname\": \"\xe6\x9c\xba\"}]}");
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s/out'", vt_build_path("vmtrace-sim"), path, dir);
	if (r.status != 0)
		fail_msg("status %d: %s", r.status, r.err);
	vt_run_free(&r);
	char truth[4300], kernel[4300];
	snprintf(truth, sizeof(truth), "%s/out/truth.json", dir);
	snprintf(kernel, sizeof(kernel), "%s/out/caf\xc3\xa9-1/kernel/metadata", dir);
	struct stat st;
	assert_int_equal(stat(kernel, &st), 0);
	json_error_t jerr;
	json_t *doc = json_load_file(truth, 0, &jerr);
	if (!doc)
		fail_msg("truth.json: %s (line %d)", jerr.text, jerr.line);
	assert_string_equal(json_string_value(json_object_get(doc, "scenario")), "caf\xc3\xa9 <b>&");
	json_t *guest = json_array_get(json_object_get(doc, "machines"), 1);
	assert_string_equal(json_string_value(json_object_get(guest, "name")), "caf\xc3\xa9-1");
	assert_string_equal(json_string_value(json_object_get(guest, "hostname")), "\xe6\x9c\xba");
	json_t *host = json_array_get(json_object_get(doc, "machines"), 0);
	assert_string_equal(json_string_value(json_object_get(host, "hostname")), "h\xc3\xb6st-1");
	json_decref(doc);
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(refused_names), cmocka_unit_test(valid_unusual_names)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
