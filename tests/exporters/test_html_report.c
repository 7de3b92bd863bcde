/* vmtrace analyze --html: one self-contained file; in a real browser
 * (Debian's chromium, headless) it renders a row per pCPU, vCPU and guest
 * thread, and the per-vCPU totals it shows equal the JSON's totals_ns. A
 * screenshot of the page is kept in the build folder. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exptest.h"
#include "testutil.h"

static char *dir;
static json_t *doc;
static char *html;
static char report[4200];
static int no_browser;

static int setup(void **state)
{
	(void)state;
	dir = vt_mkdtemp();
	exp_simulate("two-guests-ntp", dir, "");
	snprintf(report, sizeof(report), "%s/report.html", dir);
	struct vt_run run;
	/* one run: the report and the JSON from the same model */
	vt_run_shell(&run, "%s analyze --json --html '%s' '%s'", vt_vmtrace_cmd(), report, dir);
	if (run.status != 0)
		fail_msg("analyze --html: status %d: %s", run.status, run.err);
	doc = json_loads(run.out, 0, NULL);
	vt_run_free(&run);
	html = exp_slurp(report, NULL);
	return doc && html ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(doc);
	free(html);
	vt_rmtree(dir);
	free(dir);
	return 0;
}

static void test_self_contained(void **state)
{
	(void)state;
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "window.VT_DATA="));
	/* nothing fetched: no external script, style, font or image */
	const char *bad[] = {"http://", "https://", "<script src", "<link", "@import", "url(", "<img"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(html, bad[i]))
			fail_msg("the report refers to something outside it: %s", bad[i]);
	/* the per-vCPU table is built by the page's script, not written in the file */
	assert_null(strstr(html, "<tr data-qemu"));
}

static void test_replaces_only_whole(void **state)
{
	(void)state;
	struct vt_run run;
	char bad[4300];
	snprintf(bad, sizeof(bad), "%s/no-such-folder/report.html", dir);
	vt_run_shell(&run, "%s analyze --html '%s' '%s'", vt_vmtrace_cmd(), bad, dir);
	if (run.status != 1 || !strstr(run.err, "no-such-folder/report.html") || vt_count_lines(run.err) != 1)
		fail_msg("status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
}

/* The value of attribute `name` in the first tag after p ("" when absent). */
static const char *td_text(const char *p, char *out, size_t size)
{
	const char *gt = strchr(p, '>');
	const char *end = gt ? strstr(gt, "</td>") : NULL;
	out[0] = '\0';
	if (!end || (size_t)(end - gt - 1) >= size)
		return NULL;
	memcpy(out, gt + 1, (size_t)(end - gt - 1));
	out[end - gt - 1] = '\0';
	return end;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void test_in_chromium(void **state)
{
	(void)state;
	if (system("command -v chromium >/dev/null 2>&1") != 0) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "chromium is not installed (apt-get install chromium): the report is not checked in a browser");
		no_browser = 1;
		skip();
	}
	char *profile = vt_mkdtemp();
	const char *flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
			    "--disable-background-networking --disable-component-update --disable-sync "
			    "--disable-extensions --window-size=1400,1800";
	struct vt_run run;
	vt_run_shell(&run, "timeout 120 chromium %s --user-data-dir='%s' --virtual-time-budget=10000 --dump-dom 'file://%s'",
		     flags, profile, report);
	if (run.status != 0 || !strstr(run.out, "</html>"))
		fail_msg("chromium --dump-dom: status %d\nstderr: %s", run.status, run.err);
	const char *dom = run.out;
	/* the script ran to its end and drew the timeline */
	if (!strstr(dom, "data-rendered=\""))
		fail_msg("the page's script did not draw the timeline; DOM starts: %.2000s", dom);
	/* a row per pCPU, vCPU and guest thread */
	json_t *vcpus = json_object_get(doc, "vcpus"), *v;
	size_t ncpus = json_array_size(json_object_get(doc, "cpus")), nthreads = json_array_size(json_object_get(doc, "threads"));
	assert_true(ncpus > 0 && nthreads > 0 && json_array_size(vcpus) == 4);
	assert_int_equal(count(dom, "data-kind=\"cpu\""), ncpus);
	assert_int_equal(count(dom, "data-kind=\"vcpu\""), json_array_size(vcpus));
	assert_int_equal(count(dom, "data-kind=\"thread\""), nthreads);
	/* the totals shown equal the JSON's, to the ns */
	size_t i;
	json_array_foreach(vcpus, i, v)
	{
		char row[128];
		snprintf(row, sizeof(row), "<tr data-qemu=\"%lld\" data-vcpu=\"%lld\">",
			 (long long)json_integer_value(json_object_get(v, "qemu_pid")),
			 (long long)json_integer_value(json_object_get(v, "vcpu")));
		const char *p = strstr(dom, row);
		if (!p)
			fail_msg("no table row %s in the rendered page", row);
		const char *end = strstr(p, "</tr>");
		json_t *tot = json_object_get(v, "totals_ns"), *x;
		const char *key;
		json_object_foreach(tot, key, x)
		{
			char cell[64], text[64];
			snprintf(cell, sizeof(cell), "data-state=\"%s\"", key);
			const char *c = strstr(p, cell);
			if (!c || c > end || !td_text(c, text, sizeof(text)))
				fail_msg("%s: no %s cell", row, key);
			if (strtoll(text, NULL, 10) != json_integer_value(x))
				fail_msg("%s %s: the page shows %s, the JSON says %lld", row, key, text,
					 (long long)json_integer_value(x));
		}
	}
	/* the exit-statistics and preemption tables */
	assert_non_null(strstr(dom, "id=\"exits\""));
	assert_non_null(strstr(dom, "IO_INSTRUCTION")); /* reasons by name (the simulated host is VMX) */
	assert_non_null(strstr(dom, "id=\"preemption\""));
	assert_true(count(dom, "data-vcpu-tid=") == json_array_size(vcpus));
	vt_run_free(&run);

	/* the screenshot: an artefact in the build folder */
	const char *shot = vt_build_path("tests/exporters/report-two-guests-ntp.png");
	char *shot_path = strdup(shot);
	remove(shot_path);
	vt_run_shell(&run, "timeout 120 chromium %s --user-data-dir='%s' --virtual-time-budget=10000 --screenshot='%s' 'file://%s'",
		     flags, profile, shot_path, report);
	struct stat st;
	if (run.status != 0 || stat(shot_path, &st) != 0 || st.st_size < 20000)
		fail_msg("chromium --screenshot: status %d, stderr: %s", run.status, run.err);
	printf("screenshot: %s (%lld bytes)\n", shot_path, (long long)st.st_size);
	vt_run_free(&run);
	/* zoomed on 200 µs (#view=START,END in s): the exact intervals are drawn there */
	vt_run_shell(&run, "timeout 120 chromium %s --user-data-dir='%s' --virtual-time-budget=10000 --dump-dom 'file://%s#view=1.0,1.0002'",
		     flags, profile, report);
	const char *ex = strstr(run.out, "data-exact-drawn=\"");
	if (run.status != 0 || !strstr(run.out, "data-view=\"1000000000,1000200000\"") || !ex || atoi(ex + 18) <= 0)
		fail_msg("zoomed view: status %d, no exact interval drawn; body: %.300s", run.status,
			 strstr(run.out, "<body") ? strstr(run.out, "<body") : run.out);
	printf("zoomed on 200 us: %d exact intervals drawn\n", atoi(ex + 18));
	vt_run_free(&run);
	const char *zoomed = vt_build_path("tests/exporters/report-two-guests-ntp-zoomed.png");
	vt_run_shell(&run, "timeout 120 chromium %s --user-data-dir='%s' --virtual-time-budget=10000 --screenshot='%s' 'file://%s#view=1.0,1.0002'",
		     flags, profile, zoomed, report);
	if (run.status != 0)
		fail_msg("chromium --screenshot (zoomed): status %d, stderr: %s", run.status, run.err);
	vt_run_free(&run);
	/* the report itself beside it */
	vt_run_shell(&run, "cp '%s' '%s'", report, vt_build_path("tests/exporters/report-two-guests-ntp.html"));
	vt_run_free(&run);
	free(shot_path);
	vt_rmtree(profile);
	free(profile);
}

/* A guest's trace alone (no host): the report still renders its threads. */
static void test_guest_only(void **state)
{
	(void)state;
	char path[4300], guest[4300];
	snprintf(path, sizeof(path), "%s/guest-only.html", dir);
	snprintf(guest, sizeof(guest), "%s/guest1", dir);
	struct vt_run run;
	vt_run_shell(&run, "%s analyze --html '%s' '%s'", vt_vmtrace_cmd(), path, guest);
	if (run.status != 0)
		fail_msg("analyze --html of a guest alone: status %d: %s", run.status, run.err);
	vt_run_free(&run);
	if (system("command -v chromium >/dev/null 2>&1") != 0)
		skip();
	char *profile = vt_mkdtemp();
	vt_run_shell(&run,
		     "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
		     "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='%s' "
		     "--virtual-time-budget=10000 --dump-dom 'file://%s'",
		     profile, path);
	if (run.status != 0 || !strstr(run.out, "data-rendered=\"") || !strstr(run.out, "no host trace") ||
	    !strstr(run.out, "data-kind=\"thread\""))
		fail_msg("guest-only report not rendered: status %d", run.status);
	vt_run_free(&run);
	vt_rmtree(profile);
	free(profile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_contained),
		cmocka_unit_test(test_replaces_only_whole),
		cmocka_unit_test(test_in_chromium),
		cmocka_unit_test(test_guest_only),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	return rc == 0 && no_browser ? VT_SKIP_CODE : rc;
}
