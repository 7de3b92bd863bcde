/* The capture assembler on folders that could come from a hostile guest
 * (no root needed: the capture is made here, with the real headers and
 * formats of a 6.18 kernel and pages as the kernel fills them).
 * - a good capture: every event in `trace-cmd report`, its saved command
 *   lines, the lost events of its stats in `vmtrace info`; a CPU without
 *   cpuN.raw keeps its number; a torn last page is left out and said;
 * - each damage: a page size that is not a power of two in 4..64 KiB,
 *   missing files, a header too large, symbolic links (a file, a folder, a
 *   format, a cpuN.raw), a FIFO or a folder for cpuN.raw, bad CPU and event
 *   names, a page whose length runs past it, a header_page of another
 *   layout, a trace_clock without its clock, a NUL byte in a header, a huge
 *   saved_cmdlines, no cpuN.raw: refused in one line naming the capture,
 *   nothing written (an older file of that name left as it was). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exporters/tracecmd_formats.h"
#include "exporters/tracecmd_pages.h"
#include "record/ftrace_assemble.h"
#include "record/ftrace_tracefs.h"
#include "record_util.h"
#include "testutil.h"

static char *tmp;
static char good[4200];
enum { EVENTS0 = 300, EVENTS1 = 40 };

static void put(const char *dir, const char *name, const void *data, size_t n)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void put_text(const char *dir, const char *name, const char *text)
{
	put(dir, name, text, strlen(text));
}

static const char *format_of(const char *system, const char *name)
{
	for (size_t i = 0; i < vt_tc_nformats; i++)
		if (!strcmp(vt_tc_formats[i].system, system) && !strcmp(vt_tc_formats[i].name, name))
			return vt_tc_formats[i].text;
	fail_msg("no format %s:%s", system, name);
	return NULL;
}

/* n ftrace:print events "guest line I" of pid 42, 1 µs apart, as pages. */
static void put_pages(const char *dir, const char *name, int n, uint64_t t0)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	struct vt_tc_pages c;
	assert_int_equal(vt_tc_pages_init(&c, f), 0);
	for (int i = 0; i < n; i++) {
		char line[64];
		int len = snprintf(line, sizeof(line), "guest line %d\n", i);
		uint8_t *p = vt_tc_pages_reserve(&c, t0 + 1000u * (uint64_t)i, 16 + (size_t)len + 1);
		assert_non_null(p);
		uint16_t type = VT_TCF_PRINT;
		int32_t pid = 42;
		memcpy(p, &type, 2);
		memcpy(p + 4, &pid, 4);
		memcpy(p + 16, line, (size_t)len + 1);
	}
	assert_int_equal(vt_tc_pages_flush(&c), 0);
	size_t size = c.pages * VT_TC_PAGE_SIZE;
	char *buf = malloc(size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, size, f), size);
	put(dir, name, buf, size);
	free(buf);
	vt_tc_pages_free(&c);
}

static void make_capture(const char *dir)
{
	char sub[4400];
	const char *dirs[] = {"", "/formats", "/formats/ftrace", "/formats/ftrace/print", "/formats/sched",
			      "/formats/sched/sched_switch"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s%s", dir, dirs[i]);
		assert_int_equal(mkdir(sub, 0755), 0);
	}
	put_text(dir, "header_page", vt_tc_header_page);
	put_text(dir, "header_event", vt_tc_header_event);
	put_text(dir, "formats/ftrace/print/format", format_of("ftrace", "print"));
	put_text(dir, "formats/sched/sched_switch/format", format_of("sched", "sched_switch"));
	put_text(dir, "page_size", "4096\n");
	put_text(dir, "trace_clock", "local global counter uptime perf [mono] mono_raw boot tai x86-tsc\n");
	put_text(dir, "uname", "Linux guest-vm 6.1.0-13-amd64 x86_64\n");
	put_text(dir, "saved_cmdlines", "42 vt-guest-proc\n");
	put_text(dir, "cpu0.stats", "entries: 0\noverrun: 7\ncommit overrun: 0\nbytes: 0\ndropped events: 3\nread events: 300\n");
	put_text(dir, "cpu1.stats", "entries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\ndropped events: 0\nread events: 40\n");
	put_pages(dir, "cpu0.raw", EVENTS0, 1000000000ull);
	put_pages(dir, "cpu1.raw", EVENTS1, 1000000500ull);
}

static const char *variant(const char *name)
{
	static char dir[4200];
	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	struct vt_run run;
	vt_run_shell(&run, "cp -a '%s' '%s'", good, dir);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	return dir;
}

static void expect_refusal(const char *dir, const char *says)
{
	char dat[4400];
	snprintf(dat, sizeof(dat), "%s.dat", dir);
	struct vt_error err;
	err.msg[0] = '\0';
	assert_int_equal(vt_ftrace_assemble(dir, dat, NULL, &err), -1);
	printf("%s\n", err.msg);
	if (!strstr(err.msg, says) || !strstr(err.msg, dir) || strchr(err.msg, '\n'))
		fail_msg("expected '%s' naming %s in one line, got: %s", says, dir, err.msg);
	assert_int_equal(access(dat, F_OK), -1);
	/* An older file of that name stays as it was. */
	put_text(tmp, "old.dat", "older contents");
	snprintf(dat, sizeof(dat), "%s/old.dat", tmp);
	assert_int_equal(vt_ftrace_assemble(dir, dat, NULL, &err), -1);
	char *old = vt_read_file(dat, NULL);
	assert_string_equal(old, "older contents");
	free(old);
}

static void test_good(void **state)
{
	(void)state;
	char dat[4400];
	snprintf(dat, sizeof(dat), "%s/good.dat", tmp);
	struct vt_ftrace_assembly info;
	struct vt_error err;
	if (vt_ftrace_assemble(good, dat, &info, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(info.cpus, 2);
	assert_int_equal(info.lost, 10);
	assert_string_equal(info.note, "");
	struct report r;
	report_load(&r, dat);
	assert_int_equal(r.n, EVENTS0 + EVENTS1);
	assert_int_equal(report_count(&r, "print", 0, "guest line"), EVENTS0);
	assert_int_equal(report_count(&r, "print", 1, "guest line"), EVENTS1);
	assert_string_equal(r.l[0].comm, "vt-guest-proc");
	report_free(&r);
	struct vt_run run;
	vt_run_shell(&run, "%s info --json '%s'", vt_vmtrace_cmd(), dat);
	assert_int_equal(run.status, 0);
	json_t *doc = json_loads(run.out, 0, NULL);
	json_t *t = json_array_get(json_object_get(doc, "traces"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "events")), EVENTS0 + EVENTS1);
	assert_int_equal(json_integer_value(json_object_get(t, "discarded_events")), 10);
	assert_string_equal(json_string_value(json_object_get(t, "hostname")), "guest-vm");
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "clock"), "name")), "mono");
	json_decref(doc);
	vt_run_free(&run);
}

static void test_torn_tail_and_missing_cpu(void **state)
{
	(void)state;
	const char *dir = variant("torn");
	char raw[4400], dat[4400];
	snprintf(raw, sizeof(raw), "%s/cpu0.raw", dir);
	struct stat st;
	assert_int_equal(stat(raw, &st), 0);
	assert_int_equal(truncate(raw, st.st_size - 100), 0);
	snprintf(raw, sizeof(raw), "%s/cpu1.raw", dir);
	snprintf(dat, sizeof(dat), "%s/cpu3.raw", dir);
	assert_int_equal(rename(raw, dat), 0);
	snprintf(dat, sizeof(dat), "%s.dat", dir);
	struct vt_ftrace_assembly info;
	struct vt_error err;
	if (vt_ftrace_assemble(dir, dat, &info, &err))
		fail_msg("%s", err.msg);
	printf("note: %s\n", info.note);
	assert_non_null(strstr(info.note, "cpu0.raw: a torn last page (3996 bytes) left out"));
	assert_int_equal(info.cpus, 4); /* CPU numbers kept: 0 and 3 */
	struct report r;
	report_load(&r, dat);
	assert_int_equal(report_count(&r, "print", 3, "guest line"), EVENTS1);
	size_t on0 = report_count(&r, "print", 0, "guest line");
	assert_true(on0 > 0 && on0 < EVENTS0); /* the last page's events are gone */
	report_free(&r);
}

static void test_page_sizes(void **state)
{
	(void)state;
	const char *bad[] = {"3000\n", "131072\n", "2048\n", "4096abc", "", "-4096", "12288\n", "4096\n\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "psz%zu", i);
		const char *dir = variant(name);
		put_text(dir, "page_size", bad[i]);
		expect_refusal(dir, "page_size: not a power of two from 4096 to 65536");
	}
}

static void test_missing_and_large(void **state)
{
	(void)state;
	const char *need[] = {"page_size", "header_page", "header_event", "trace_clock"};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		char name[32], path[4400];
		snprintf(name, sizeof(name), "no-%s", need[i]);
		const char *dir = variant(name);
		snprintf(path, sizeof(path), "%s/%s", dir, need[i]);
		assert_int_equal(unlink(path), 0);
		char says[64];
		snprintf(says, sizeof(says), "%s: missing", need[i]);
		expect_refusal(dir, says);
	}
	const char *dir = variant("huge-header");
	char *big = malloc(70000);
	assert_non_null(big);
	memset(big, 'x', 70000);
	put(dir, "header_event", big, 70000);
	free(big);
	expect_refusal(dir, "header_event: 70000 bytes, more than the 65536 allowed");
	dir = variant("huge-cmdlines");
	char path[4400];
	snprintf(path, sizeof(path), "%s/saved_cmdlines", dir);
	assert_int_equal(truncate(path, 17 << 20), 0); /* sparse: refused by its size, unread */
	expect_refusal(dir, "saved_cmdlines: 17825792 bytes, more than");
	dir = variant("nul-header");
	put(dir, "header_event", "type_len\0 5 bits", 16);
	expect_refusal(dir, "header_event: not text");
	dir = variant("no-raw");
	snprintf(path, sizeof(path), "%s/cpu0.raw", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cpu1.raw", dir);
	unlink(path);
	expect_refusal(dir, "no cpuN.raw in it");
	dir = variant("no-formats");
	struct vt_run run;
	vt_run_shell(&run, "rm -r '%s/formats'", dir);
	vt_run_free(&run);
	expect_refusal(dir, "/formats: No such file or directory");
}

static void link_variant(const char *name, const char *target, const char *inside, const char *says)
{
	const char *dir = variant(name);
	char path[4400];
	struct vt_run run;
	vt_run_shell(&run, "rm -rf '%s/%s'", dir, inside);
	vt_run_free(&run);
	snprintf(path, sizeof(path), "%s/%s", dir, inside);
	assert_int_equal(symlink(target, path), 0);
	expect_refusal(dir, says);
}

static void test_symlinks(void **state)
{
	(void)state;
	char target[4400];
	link_variant("ln-header", "/etc/passwd", "header_page", "header_page: is a symbolic link");
	snprintf(target, sizeof(target), "%s/formats/sched", good);
	link_variant("ln-system", target, "formats/sched", "formats/sched: is a symbolic link");
	snprintf(target, sizeof(target), "%s/formats/ftrace/print/format", good);
	link_variant("ln-format", target, "formats/ftrace/print/format", "print/format: is a symbolic link");
	snprintf(target, sizeof(target), "%s/cpu0.raw", good);
	link_variant("ln-raw", target, "cpu0.raw", "cpu0.raw: is a symbolic link");
	link_variant("ln-cmdlines", "/proc/self/environ", "saved_cmdlines", "saved_cmdlines: is a symbolic link");
}

static void test_odd_files(void **state)
{
	(void)state;
	const char *dir = variant("fifo");
	char path[4400];
	snprintf(path, sizeof(path), "%s/cpu1.raw", dir);
	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	expect_refusal(dir, "cpu1.raw: not a regular file"); /* and no hang on the FIFO */
	dir = variant("dir-raw");
	snprintf(path, sizeof(path), "%s/cpu1.raw", dir);
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_refusal(dir, "cpu1.raw: not a regular file");
	const char *names[] = {"cpu99999.raw", "cpu01.raw", "cpu4096.stats", "cpu-1.raw"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char v[32];
		snprintf(v, sizeof(v), "cpuname%zu", i);
		dir = variant(v);
		put_text(dir, names[i], "");
		expect_refusal(dir, "not a CPU file name");
	}
	dir = variant("bad-system");
	snprintf(path, sizeof(path), "%s/formats/sys tem", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_refusal(dir, "formats/sys tem: not an event system name");
	dir = variant("format-dir");
	snprintf(path, sizeof(path), "%s/formats/sched/sched_switch/format", dir);
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	expect_refusal(dir, "sched_switch/format: not a regular file");
}

static void test_lying_contents(void **state)
{
	(void)state;
	const char *dir = variant("commit");
	char path[4400];
	snprintf(path, sizeof(path), "%s/cpu0.raw", dir);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	uint64_t commit = 5000; /* past a 4096-byte page */
	assert_int_equal(pwrite(fd, &commit, 8, 4096 + 8), 8);
	close(fd);
	expect_refusal(dir, "cpu0.raw: page 1 is damaged");
	dir = variant("header-layout");
	put_text(dir, "header_page",
		 "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
		 "\tfield: local_t commit;\toffset:8;\tsize:6;\tsigned:1;\n"
		 "\tfield: char data;\toffset:14;\tsize:4082;\tsigned:0;\n");
	expect_refusal(dir, "header_page: not a ring-buffer page header");
	dir = variant("clock");
	put_text(dir, "trace_clock", "local global mono\n");
	expect_refusal(dir, "trace_clock: no selected clock");
}

int main(void)
{
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	snprintf(good, sizeof(good), "%s/good", tmp);
	make_capture(good);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_torn_tail_and_missing_cpu),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_missing_and_large),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_odd_files),
		cmocka_unit_test(test_lying_contents),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
