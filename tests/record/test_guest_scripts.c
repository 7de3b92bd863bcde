/* The guest scripts and what is read of their output, without a guest: the
 * vmtrace- lines, the one-line failure, sh quoting run through sh, and the
 * LTTng scripts run by sh against a fake `lttng` that logs its arguments:
 * the events the kernel lacks left out and said, the buffer size and
 * contexts asked for, a failing command named and its session destroyed,
 * the discarded events read as lost. Each script also passes `sh -n` of
 * dash and, when the testbed's busybox is there, of busybox sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/guest_lttng.h"
#include "record/guest_session.h"
#include "testutil.h"

static void test_report_lines(void **state)
{
	(void)state;
	struct vt_guest_report r = {0};
	const char out[] = "hello\nvmtrace-tracer: lttng 2.13.9\r\nvmtrace-lost: 42\nvmtrace-lost: -3\nvmtrace-lost: 7x\n"
			   "vmtrace-note: one\nvmtrace-note: two\nvmtrace-tracers: no\n vmtrace-lost: 9\nvmtrace-error: x\n"
			   "vmtrace-relay: net://10.0.3.1:5342:5343\n";
	vt_guest_report_take(&r, out, sizeof(out) - 1);
	assert_string_equal(r.tracer, "lttng 2.13.9");
	assert_int_equal(r.has_lost, 1);
	assert_int_equal(r.lost, 42);
	assert_string_equal(r.notes, "one; two");
	assert_int_equal(r.relayed, 1);
	/* Notes are cut, never overflow. */
	for (int i = 0; i < 100; i++)
		vt_guest_note(&r, "a long note that repeats until the buffer is full");
	assert_true(strlen(r.notes) < sizeof(r.notes));

	struct vt_guest_result res = {.exitcode = 2};
	char why[128];
	vt_guest_failure(&res, why, sizeof(why));
	assert_string_equal(why, "exit 2");
	res.err = "first\nlast line\n\n";
	res.err_len = strlen(res.err);
	vt_guest_failure(&res, why, sizeof(why));
	assert_string_equal(why, "exit 2: last line");
	res.out = "x\nvmtrace-error: the first error\nvmtrace-error: second\n";
	res.out_len = strlen(res.out);
	vt_guest_failure(&res, why, sizeof(why));
	assert_string_equal(why, "the first error");
	res.out = NULL;
	res.out_len = 0;
	res.signal = 9;
	vt_guest_failure(&res, why, sizeof(why));
	assert_string_equal(why, "killed by signal 9: last line");
}

static void test_sh_quote(void **state)
{
	(void)state;
	const char *s[] = {"plain", "it's", "'", "$(reboot) `x` \"q\" \\ \n end", ""};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		char *q = vt_sh_quote(s[i]);
		struct vt_run r;
		vt_run_shell(&r, "printf '%%s' %s", q);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, s[i]);
		vt_run_free(&r);
		free(q);
	}
}

static void test_lttng_options(void **state)
{
	(void)state;
	struct vt_guest_lttng ok = {.session = "vmtrace-1", .output = "/tmp/vt out"};
	char *s = vt_guest_lttng_start(&ok);
	assert_non_null(s);
	free(s);
	const struct vt_guest_lttng bad[] = {
		{.session = "a b", .output = "/tmp/x"},
		{.session = "-x", .output = "/tmp/x"},
		{.session = "x'y", .output = "/tmp/x"},
		{.session = "x", .output = "relative"},
		{.session = "x", .output = "/"},
		{.session = "x", .output = "/tmp/../etc"},
		{.session = "x", .output = "/tmp/a\nb"},
		{.session = "x", .output = "/tmp/x", .events = "sched_switch; reboot"},
		{.session = "x", .output = "/tmp/x", .subbuf_size = 3000},
		{.session = "x", .output = "/tmp/x", .num_subbuf = 3},
		{.session = NULL, .output = "/tmp/x"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(vt_guest_lttng_start(&bad[i]));
		assert_null(vt_guest_lttng_stop(&bad[i]));
		assert_null(vt_guest_lttng_snapshot(&bad[i]));
	}
}

static char *dir;

/* A fake lttng: logs its arguments to $LOG, answers as lttng 2.13 does. */
static const char fake_lttng[] =
	"#!/bin/sh\n"
	"echo \"$*\" >>\"$LOG\"\n"
	"case \"$1\" in\n"
	"--version) echo 'lttng (LTTng Trace Control) 2.13.9 - Nordicit\xc3\xa9' ;;\n"
	"list) [ -n \"$NO_TRACER\" ] && { echo 'Error: Unable to list kernel events: Kernel tracer not available' >&2; "
	"exit 1; }\n"
	"	printf 'Kernel events:\\n-------------\\n      sched_switch (loglevel: TRACE_EMERG (0)) (type: tracepoint)\\n"
	"      irq_handler_entry (loglevel: TRACE_EMERG (0)) (type: tracepoint)\\n' ;;\n"
	"stop) echo 'Waiting for data availability'; echo 'Warning: 603 events were discarded, please refer to the "
	"documentation on channel configuration.' >&2 ;;\n"
	"enable-channel) [ -n \"$FAIL_CHANNEL\" ] && { echo 'Error: Channel vmtrace: Invalid parameter (in "
	"vmtrace)' >&2; echo; exit 1; }\n"
	/* lttng connects to the relay daemon when the channel is made */
	"	[ -n \"$NO_RELAY\" ] && [ -e \"$LOG.relay\" ] && { echo 'Error: Channel vmtrace: Unable to connect to "
	"lttng-relayd (session vmtrace-t1)' >&2; exit 1; } ;;\n"
	"create) case \"$3\" in --set-url=*) : >\"$LOG.relay\" ;; esac ;;\n"
	"destroy) rm -f \"$LOG.relay\" ;;\n"
	"esac\n"
	"exit 0\n";

static void run_script(struct vt_run *r, const char *script, const char *env)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/script", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(script, f);
	fclose(f);
	vt_run_shell(r, "rm -f '%s/log'; %s PATH='%s/bin':\"$PATH\" LOG='%s/log' sh -c \"$(cat '%s')\"", dir, env, dir,
		     dir, path);
}

static void syntax_check(const char *script)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/syntax", dir);
	FILE *f = fopen(path, "w");
	fputs(script, f);
	fclose(f);
	struct vt_run r;
	vt_run_shell(&r, "dash -n '%s'", path);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	const char *bb = "/var/cache/vmtrace-testbed/6.1.0-57-amd64/root/bin/busybox";
	if (access(bb, X_OK) == 0) {
		vt_run_shell(&r, "%s sh -n '%s'", bb, path);
		assert_int_equal(r.status, 0);
		vt_run_free(&r);
	}
}

/* A new dir with the fake lttng in dir/bin. */
static void fake_lttng_install(void)
{
	vt_require_program("dash");
	dir = vt_mkdtemp();
	struct vt_run r;
	vt_run_shell(&r, "mkdir -p '%s/bin' && cat >'%s/bin/lttng' <<'EOF'\n%sEOF\nchmod +x '%s/bin/lttng'", dir, dir,
		     fake_lttng, dir);
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
}

static void test_lttng_scripts(void **state)
{
	(void)state;
	fake_lttng_install();
	struct vt_run r;
	char out[600];
	snprintf(out, sizeof(out), "%s/trace out", dir);
	struct vt_guest_lttng o = {.session = "vmtrace-t1", .output = out, .subbuf_size = 1 << 18, .num_subbuf = 8,
				   .agent_events = 1};
	char *start = vt_guest_lttng_start(&o), *stop = vt_guest_lttng_stop(&o), *snap = vt_guest_lttng_snapshot(&o);
	syntax_check(start);
	syntax_check(stop);
	syntax_check(snap);

	run_script(&r, start, "");
	printf("start:\n%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	struct vt_guest_report rep = {0};
	vt_guest_report_take(&rep, r.out, r.out_len);
	assert_string_equal(rep.tracer, "lttng 2.13.9");
	assert_non_null(strstr(rep.notes, "events this guest kernel lacks, not recorded: sched_wakeup"));
	assert_null(strstr(rep.notes, "sched_switch"));
	vt_run_free(&r);
	char logp[700];
	snprintf(logp, sizeof(logp), "%s/log", dir);
	char *log = vt_read_file(logp, NULL);
	printf("lttng was asked:\n%s", log);
	char want[1200];
	snprintf(want, sizeof(want), "create vmtrace-t1 --output=%s\n", out);
	assert_non_null(strstr(log, want));
	assert_non_null(strstr(log, "enable-channel -k -s vmtrace-t1 --subbuf-size=262144 --num-subbuf=8 vmtrace\n"));
	assert_non_null(strstr(log, "enable-event -k -s vmtrace-t1 -c vmtrace sched_switch,irq_handler_entry\n"));
	assert_non_null(strstr(log, "enable-event -k -s vmtrace-t1 -c vmtrace lttng_statedump_*\n"));
	assert_non_null(strstr(log, "add-context -k -s vmtrace-t1 -c vmtrace -t pid -t tid -t procname\n"));
	assert_non_null(strstr(log, "start vmtrace-t1\n"));
	/* a vmtraced in the guest names it: its UST events are in the session (not with --no-agent) */
	assert_non_null(strstr(log, "enable-event -u -s vmtrace-t1 vmtrace:*\n"));
	free(log);

	/* A failing command: named, its last line said, the session destroyed. */
	run_script(&r, start, "FAIL_CHANNEL=1");
	assert_int_not_equal(r.status, 0);
	struct vt_guest_result res = {.exitcode = r.status, .out = r.out, .out_len = r.out_len};
	char why[512];
	vt_guest_failure(&res, why, sizeof(why));
	printf("failing channel: %s\n", why);
	assert_non_null(strstr(why, "lttng enable-channel"));
	assert_non_null(strstr(why, "Invalid parameter"));
	vt_run_free(&r);
	log = vt_read_file(logp, NULL);
	assert_non_null(strstr(log, "destroy vmtrace-t1\n"));
	assert_null(strstr(log, "start vmtrace-t1"));
	free(log);
	run_script(&r, start, "NO_TRACER=1");
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.out, "vmtrace-error: no kernel tracer: Error: Unable to list kernel events"));
	vt_run_free(&r);
	/* An output folder that exists already is not written into. */
	vt_run_shell(&r, "mkdir -p '%s'", out);
	vt_run_free(&r);
	run_script(&r, start, "");
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.out, "exists already"));
	vt_run_free(&r);

	run_script(&r, stop, "");
	printf("stop:\n%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	memset(&rep, 0, sizeof(rep));
	vt_guest_report_take(&rep, r.out, r.out_len);
	assert_int_equal(rep.has_lost, 1);
	assert_int_equal(rep.lost, 603);
	vt_run_free(&r);
	log = vt_read_file(logp, NULL);
	assert_string_equal(log, "stop vmtrace-t1\ndestroy vmtrace-t1\n");
	free(log);
	run_script(&r, snap, "");
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	log = vt_read_file(logp, NULL);
	assert_string_equal(log, "snapshot record -s vmtrace-t1\n");
	free(log);
	/* A snapshot session is created so. */
	o.snapshot = 1;
	vt_run_shell(&r, "rmdir '%s'", out);
	vt_run_free(&r);
	free(start);
	start = vt_guest_lttng_start(&o);
	run_script(&r, start, "");
	assert_int_equal(r.status, 0);
	vt_run_free(&r);
	log = vt_read_file(logp, NULL);
	snprintf(want, sizeof(want), "create vmtrace-t1 --output=%s --snapshot\n", out);
	assert_non_null(strstr(log, want));
	free(log);
	/* Without lttng at all. */
	vt_run_shell(&r, "PATH=/nonexistent /bin/sh -c \"$(cat <<'EOF'\n%sEOF\n)\"", start);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.out, "vmtrace-error: lttng is not installed in the guest"));
	vt_run_free(&r);
	free(start);
	free(stop);
	free(snap);
	vt_rmtree(dir);
	free(dir);
}

/* --relay: the session streams to the relay when the guest reaches it, else
 * is kept in the guest (and said); a URL a shell would read is refused. */
static void test_lttng_relay(void **state)
{
	(void)state;
	fake_lttng_install();
	struct vt_run r;
	char out[600], logp[700];
	snprintf(out, sizeof(out), "%s/trace", dir);
	snprintf(logp, sizeof(logp), "%s/log", dir);
	struct vt_guest_lttng o = {.session = "vmtrace-t1", .output = out, .url = "net://10.0.3.1:5342:5343"};
	char *start = vt_guest_lttng_start(&o);
	assert_non_null(start);
	syntax_check(start);

	run_script(&r, start, "");
	printf("relayed:\n%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	struct vt_guest_report rep = {0};
	vt_guest_report_take(&rep, r.out, r.out_len);
	assert_int_equal(rep.relayed, 1);
	vt_run_free(&r);
	char *log = vt_read_file(logp, NULL);
	assert_non_null(strstr(log, "create vmtrace-t1 --set-url=net://10.0.3.1:5342:5343\n"));
	assert_null(strstr(log, "--output"));
	assert_non_null(strstr(log, "start vmtrace-t1\n"));
	free(log);

	run_script(&r, start, "NO_RELAY=1");
	printf("relay unreachable:\n%s%s", r.out, r.err);
	assert_int_equal(r.status, 0);
	memset(&rep, 0, sizeof(rep));
	vt_guest_report_take(&rep, r.out, r.out_len);
	assert_int_equal(rep.relayed, 0);
	assert_non_null(strstr(rep.notes, "relay net://10.0.3.1:5342:5343: Error: Channel vmtrace: Unable to connect"));
	assert_non_null(strstr(rep.notes, "kept in the guest"));
	vt_run_free(&r);
	log = vt_read_file(logp, NULL);
	printf("lttng was asked:\n%s", log);
	char want[1200];
	snprintf(want, sizeof(want), "destroy vmtrace-t1\ncreate vmtrace-t1 --output=%s\n", out);
	assert_non_null(strstr(log, want));
	assert_non_null(strstr(log, "start vmtrace-t1\n"));
	free(log);
	free(start);

	const char *bad[] = {"net://a;reboot", "file:///tmp/x", "net://x y", "net://$(id)", "net://", "tcp://a:1:2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.url = bad[i];
		assert_null(vt_guest_lttng_start(&o));
	}
	vt_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_lines),
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_lttng_relay),
		cmocka_unit_test(test_lttng_options),
		cmocka_unit_test(test_lttng_scripts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
