/* The guest scripts' text, without root (test_ftrace_guest_script runs them):
 * - the generator refuses what it cannot quote safely or what is not a
 *   plain name: a relative capture path, control characters in it, odd
 *   instance, event or clock names, no event;
 * - a capture path with a quote and a space comes out of the script's
 *   parameters as it went in;
 * - start, stop and snapshot parse (sh -n) under dash and busybox sh;
 * - the scripts' percent-encoding gives, for every byte 1..255, what
 *   vmtraced's vt_marker_format_machine gives, under both shells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/ftrace_guest_script.h"
#include "testutil.h"
#include "agent/agent.h"

static char *tmp;
static const char *events[] = {"sched:sched_switch", "irq:irq_handler_entry"};
static int have_busybox;

static void expect_refused(struct vt_ftrace_guest_options o, const char *says)
{
	struct vt_error err;
	char *s = vt_ftrace_guest_script_start(&o, &err);
	if (s || !strstr(err.msg, says))
		fail_msg("expected '%s', got %s", says, s ? "a script" : err.msg);
}

static void test_refusals(void **state)
{
	(void)state;
	struct vt_ftrace_guest_options ok = {.capture_dir = "/var/tmp/cap", .events = events, .nevents = 2};
	struct vt_ftrace_guest_options o = ok;
	o.capture_dir = "var/tmp/cap";
	expect_refused(o, "not an absolute path");
	o.capture_dir = "/var/tmp/a\nb";
	expect_refused(o, "control characters");
	o = ok;
	o.instance = "a/b";
	expect_refused(o, "not a plain name");
	o.instance = "-x";
	expect_refused(o, "not a plain name");
	o = ok;
	o.clock = "mono; reboot";
	expect_refused(o, "not a plain name");
	o = ok;
	const char *bad[] = {"sched:sched_switch", "a;b:c"};
	o.events = bad;
	expect_refused(o, "not SYSTEM:EVENT");
	o = ok;
	o.nevents = 0;
	expect_refused(o, "no event");
}

static char *write_tmp(const char *name, const char *text, size_t n)
{
	char *path = malloc(4200);
	snprintf(path, 4200, "%s/%s", tmp, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
	return path;
}

static void syntax_ok(const char *shell, const char *path)
{
	struct vt_run run;
	vt_run_shell(&run, "%s -n '%s'", shell, path);
	if (run.status != 0)
		fail_msg("%s -n %s: %s", shell, path, run.err);
	vt_run_free(&run);
}

static void test_quoting_and_syntax(void **state)
{
	(void)state;
	const char *cap = "/tmp/it's a \"capture\" $HOME `x`";
	struct vt_ftrace_guest_options o = {.capture_dir = cap, .events = events, .nevents = 2};
	struct vt_error err;
	char *(*gen[])(const struct vt_ftrace_guest_options *, struct vt_error *) = {
		vt_ftrace_guest_script_start, vt_ftrace_guest_script_stop, vt_ftrace_guest_script_snapshot};
	for (size_t i = 0; i < 3; i++) {
		char *s = gen[i](&o, &err);
		assert_non_null(s);
		char name[32];
		snprintf(name, sizeof(name), "script%zu.sh", i);
		char *path = write_tmp(name, s, strlen(s));
		syntax_ok("dash", path);
		if (have_busybox)
			syntax_ok("busybox sh", path);
		/* The parameters alone, then C printed. */
		char *end = strstr(s, "vt_say()");
		assert_non_null(end);
		snprintf(name, sizeof(name), "params%zu.sh", i);
		char *params = write_tmp(name, s, (size_t)(end - s));
		struct vt_run run;
		vt_run_shell(&run, "dash -c '. \"$0\"; printf %%s \"$C\"' '%s'", params);
		assert_string_equal(run.out, cap);
		vt_run_free(&run);
		free(params);
		free(path);
		free(s);
	}
}

static void pct_same(const char *shell, const char *functions, const char *bytes_file, const char *want)
{
	struct vt_run run;
	vt_run_shell(&run, "%s -c '. \"$0\"; vt_pct \"$(cat \"$1\")\"' '%s' '%s'", shell, functions, bytes_file);
	assert_int_equal(run.status, 0);
	if (strcmp(run.out, want))
		fail_msg("%s: vt_pct gave\n%s\nvmtraced gives\n%s", shell, run.out, want);
	vt_run_free(&run);
}

static void test_percent_encoding(void **state)
{
	(void)state;
	char bytes[256];
	for (int i = 1; i < 256; i++)
		bytes[i - 1] = (char)i;
	bytes[255] = '\0';
	char *bytes_file = write_tmp("bytes", bytes, 255);
	struct vt_machine_info m = {0};
	memcpy(m.hostname, bytes, 256);
	char line[2048];
	vt_marker_format_machine(line, sizeof(line), &m);
	char *want = strstr(line, "hostname=") + 9;
	want[strcspn(want, "\n")] = '\0';
	/* 1..32 and '%' and 127..255 as %XX, the other 93 as they are */
	assert_int_equal(strlen(want), 3 * 32 + 3 + 93 + 3 * 129);
	/* The functions of a script: all before its step's body. */
	struct vt_ftrace_guest_options o = {.capture_dir = "/x", .events = events, .nevents = 2};
	struct vt_error err;
	char *s = vt_ftrace_guest_script_snapshot(&o, &err);
	char *body = strstr(s, "vt_open_recording\nrc=0");
	assert_non_null(body);
	char *functions = write_tmp("functions.sh", s, (size_t)(body - s));
	pct_same("dash", functions, bytes_file, want);
	if (have_busybox)
		pct_same("busybox sh", functions, bytes_file, want);
	else
		vt_skip_part(VT_SKIP_NO_PROGRAM, "busybox is not installed (scripts/install-deps installs it)");
	free(functions);
	free(bytes_file);
	free(s);
}

int main(void)
{
	vt_require_program("dash");
	have_busybox = system("busybox true 2>/dev/null") == 0;
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_quoting_and_syntax),
		cmocka_unit_test(test_percent_encoding),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
