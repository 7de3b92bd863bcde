/* The guest's sh recorder run for real on this machine's tracefs (root),
 * under dash and under busybox sh, side by side with the C recorder (two
 * instances see the same events): both captures assemble, and
 * - their headers, formats, page size, clock and skipped events are equal;
 * - `trace-cmd report` of both gives the same events, CPU by CPU, over the
 *   time both recorded (all but the timestamps, which each buffer takes
 *   itself, a few ns apart, and the comm column, from saved_cmdlines copied
 *   at different moments; and a dying task's state, Z in one and X in the
 *   other when its parent reaps it between the two probes; and the order of
 *   an interrupt's events, which can come between the two probes of one
 *   event), hundreds of them, none lost;
 * - the script's "vmtrace: machine ..." line is what vmtraced writes for this
 *   machine (vt_marker_format_machine); under busybox it runs in a UTS
 *   namespace whose hostname holds a space, '%', a tab and UTF-8, which must
 *   come out percent-encoded exactly as vmtraced encodes them;
 * - stop leaves no instance and none of the script's own files behind.
 * The generator's refusals and the scripts' syntax (sh -n) are checked by
 * test_ftrace_guest_text, which needs no root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/ftrace_assemble.h"
#include "record/ftrace_guest_script.h"
#include "record/ftrace_rec.h"
#include "record_util.h"
#include "testutil.h"
#include "agent/agent.h"

static char *tmp;
static const char *events[] = {"sched:sched_switch", "sched:sched_wakeup", "sched:sched_process_exec",
			       "sched:sched_process_exit", "vmtrace_nosys:no_event"};
enum { NEVENTS = 5 };

static void write_script(const char *path, char *text)
{
	assert_non_null(text);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(text);
}

static void same_file(const char *a, const char *b, const char *name)
{
	char pa[4400], pb[4400];
	snprintf(pa, sizeof(pa), "%s/%s", a, name);
	snprintf(pb, sizeof(pb), "%s/%s", b, name);
	char *x = vt_read_file(pa, NULL), *y = vt_read_file(pb, NULL);
	if (!x || !y || strcmp(x, y))
		fail_msg("%s differs between %s and %s", name, a, b);
	free(x);
	free(y);
}

/* The text of the print event holding "vmtrace: machine", or fails. */
static const char *machine_line(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *p = strstr(r->l[i].rest, "vmtrace: machine");
		if (!strcmp(r->l[i].name, "print") && p)
			return p;
	}
	fail_msg("no machine line");
	return NULL;
}

/* rest with a dying task's state "Z" said "X": each instance's probe reads
 * prev_state itself, and the parent reaping the task on another CPU can turn
 * EXIT_ZOMBIE into EXIT_DEAD between the two. */
static void state_as_one(const char *rest, char *buf, size_t size)
{
	snprintf(buf, size, "%s", rest);
	char *z = strstr(buf, "] Z ==> ");
	if (z)
		z[2] = 'X';
}

static int same_event(const struct rline *a, const struct rline *b)
{
	char x[1024], y[1024];
	state_as_one(a->rest, x, sizeof(x));
	state_as_one(b->rest, y, sizeof(y));
	return a->pid == b->pid && !strcmp(a->name, b->name) && !strcmp(x, y);
}

/* Each CPU's events of a (not print: each recorder marks only its own
 * instance) between lo and hi must follow each other in b too, but for
 * events of an interrupt: it can come between the two instances' probes of
 * one event, and then is before that event in one buffer and after it in the
 * other. So each event of a may match any of the next few unmatched ones of
 * b; one of b that nothing in a matches soon stops every later match. */
enum { REORDER_WINDOW = 8 };

static size_t compare_cpu(const struct report *a, const struct report *b, int cpu, uint64_t lo, uint64_t hi)
{
	size_t *bi = calloc(b->n + 1, sizeof(*bi)), nb = 0;
	char *used = calloc(b->n + 1, 1);
	assert_true(bi && used);
	for (size_t j = 0; j < b->n; j++)
		if (b->l[j].cpu == cpu && strcmp(b->l[j].name, "print"))
			bi[nb++] = j;
	size_t p = 0, compared = 0;
	int started = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct rline *x = &a->l[i];
		if (x->cpu != cpu || x->ts_ns < lo || x->ts_ns > hi || !strcmp(x->name, "print"))
			continue;
		if (!started) {
			while (p < nb && !(same_event(x, &b->l[bi[p]]) && b->l[bi[p]].ts_ns + 1000000 > x->ts_ns))
				p++;
			if (p == nb)
				fail_msg("CPU %d: %s %s at %llu has no counterpart", cpu, x->name, x->rest,
					 (unsigned long long)x->ts_ns);
			started = 1;
		}
		size_t k = p, seen = 0;
		while (k < nb && seen < REORDER_WINDOW && (used[k] || !same_event(x, &b->l[bi[k]])))
			seen += !used[k++];
		if (k == nb || seen == REORDER_WINDOW) {
			const struct rline *y = p < nb ? &b->l[bi[p]] : x;
			fail_msg("CPU %d at %llu: '%s: %s' vs '%s: %s'", cpu, (unsigned long long)x->ts_ns, x->name, x->rest,
				 y->name, y->rest);
		}
		used[k] = 1;
		while (p < nb && used[p])
			p++;
		compared++;
	}
	free(bi);
	free(used);
	return compared;
}

static void compare_reports(const char *c_dat, const char *sh_dat)
{
	struct report a, b;
	report_load(&a, c_dat);
	report_load(&b, sh_dat);
	assert_true(a.n > 0 && b.n > 0);
	uint64_t lo = a.l[0].ts_ns > b.l[0].ts_ns ? a.l[0].ts_ns : b.l[0].ts_ns;
	uint64_t hi = a.l[a.n - 1].ts_ns < b.l[b.n - 1].ts_ns ? a.l[a.n - 1].ts_ns : b.l[b.n - 1].ts_ns;
	lo += 20000000; /* 20 ms inside both recordings */
	hi -= 20000000;
	assert_true(lo < hi);
	size_t compared = 0;
	for (int cpu = 0; cpu < 64; cpu++)
		compared += compare_cpu(&a, &b, cpu, lo, hi);
	printf("%zu events alike over %.3f s (C: %zu, sh: %zu in all)\n", compared, (double)(hi - lo) / 1e9, a.n,
	       b.n);
	assert_true(compared >= 200);
	report_free(&a);
	report_free(&b);
}

/* The machine line vmtraced would write, hostname replaced when not NULL. */
static void expected_machine_line(const char *hostname, char *buf, size_t size)
{
	struct vt_machine_info m;
	vt_machine_read(NULL, &m);
	if (hostname)
		snprintf(m.hostname, sizeof(m.hostname), "%s", hostname);
	vt_marker_format_machine(buf, size, &m);
	buf[strcspn(buf, "\n")] = '\0';
}

struct run {
	const char *shell, *label, *hostname; /* hostname: set in a UTS namespace, or NULL */
	char dir[4200], c_cap[4300], sh_cap[4300];
};

static void run_script(const struct run *r, const char *step, char *text)
{
	char script[4400];
	snprintf(script, sizeof(script), "%s/%s.sh", r->dir, step);
	write_script(script, text);
	struct vt_run run;
	if (r->hostname && !strcmp(step, "start"))
		vt_run_shell(&run, "unshare -u sh -c 'printf %%s \"$1\" > /proc/sys/kernel/hostname && exec %s \"$2\"' sh '%s' '%s'", r->shell,
			     r->hostname, script);
	else
		vt_run_shell(&run, "%s '%s'", r->shell, script);
	if (run.status != 0)
		fail_msg("%s %s: status %d: %s", r->shell, step, run.status, run.err);
	vt_run_free(&run);
}

static void record_both(struct run *r)
{
	snprintf(r->dir, sizeof(r->dir), "%s/%s", tmp, r->label);
	snprintf(r->c_cap, sizeof(r->c_cap), "%s/c", r->dir);
	snprintf(r->sh_cap, sizeof(r->sh_cap), "%s/sh", r->dir);
	assert_int_equal(mkdir(r->dir, 0755), 0);
	struct vt_ftrace_rec_options o = {.events = events, .nevents = NEVENTS, .buffer_kb = 4096,
					  .capture_dir = r->c_cap, .period_ms = 100};
	struct vt_ftrace_rec *rec;
	struct vt_error err;
	if (vt_ftrace_rec_start(&rec, &o, &err))
		fail_msg("start: %s", err.msg);
	char line[1024], inst[64];
	expected_machine_line(NULL, line, sizeof(line));
	strcat(line, "\n");
	assert_int_equal(write(vt_ftrace_rec_marker_fd(rec), line, strlen(line)), (ssize_t)strlen(line));
	snprintf(inst, sizeof(inst), "vt-guest-test-%d", (int)getpid());
	struct vt_ftrace_guest_options g = {.capture_dir = r->sh_cap, .instance = inst, .events = events,
					    .nevents = NEVENTS, .buffer_kb = 4096};
	run_script(r, "start", vt_ftrace_guest_script_start(&g, &err));
	wait_child(spawn_workload("vtgw-sleeper", -1, -1, NULL, 100, 2000));
	sleep(1);
	run_script(r, "stop", vt_ftrace_guest_script_stop(&g, &err));
	if (vt_ftrace_rec_stop(rec, &err))
		fail_msg("stop: %s", err.msg);
	char path[4400];
	snprintf(path, sizeof(path), "/sys/kernel/tracing/instances/%s", inst);
	assert_int_equal(access(path, F_OK), -1);
	const char *gone[] = {".pids", ".stop", ".cpus", "cpu0.failed"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r->sh_cap, gone[i]);
		assert_int_equal(access(path, F_OK), -1);
	}
}

static void check_run(struct run *r)
{
	record_both(r);
	const char *same[] = {"header_page", "header_event", "page_size", "trace_clock", "skipped_events",
			      "formats/sched/sched_switch/format", "formats/ftrace/print/format"};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		same_file(r->c_cap, r->sh_cap, same[i]);
	if (!r->hostname)
		same_file(r->c_cap, r->sh_cap, "uname");
	struct vt_run run;
	vt_run_shell(&run, "diff -r '%s/formats' '%s/formats'", r->c_cap, r->sh_cap);
	if (run.status != 0)
		fail_msg("formats differ: %s", run.out);
	vt_run_free(&run);
	assert_true(raw_files_whole(r->sh_cap, 4096));
	assert_int_equal(capture_stat_sum(r->sh_cap, "dropped events") + capture_stat_sum(r->sh_cap, "overrun"), 0);

	char c_dat[4400], sh_dat[4400];
	snprintf(c_dat, sizeof(c_dat), "%s/c.dat", r->dir);
	snprintf(sh_dat, sizeof(sh_dat), "%s/sh.dat", r->dir);
	struct vt_error err;
	struct vt_ftrace_assembly ci, si;
	if (vt_ftrace_assemble(r->c_cap, c_dat, &ci, &err) || vt_ftrace_assemble(r->sh_cap, sh_dat, &si, &err))
		fail_msg("assemble: %s", err.msg);
	assert_int_equal(ci.cpus, si.cpus);
	printf("%s: C %llu pages, sh %llu pages\n", r->label, (unsigned long long)ci.pages, (unsigned long long)si.pages);
	compare_reports(c_dat, sh_dat);

	struct report s;
	report_load(&s, sh_dat);
	char want[1024];
	expected_machine_line(r->hostname, want, sizeof(want));
	printf("sh wrote: %s\n", machine_line(&s));
	assert_string_equal(machine_line(&s), want);
	report_free(&s);
}

/* With ping, start runs the guest's vmtraced --ping into the instance's
 * trace_marker and stop ends it before the instance goes. The real vmtraced
 * refuses to ping outside a KVM guest (tests/agent/test_ping.c; the testbed
 * runs it for real): here a stand-in on the PATH writes ping lines where it
 * is told and notes its arguments. */
static void test_ping_pinger(void **state)
{
	(void)state;
	char dir[4200], bin[4300], cap[4300], args[4400], fake[4400], inst[64];
	snprintf(dir, sizeof(dir), "%s/ping", tmp);
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(cap, sizeof(cap), "%s/sh", dir);
	snprintf(args, sizeof(args), "%s/args", dir);
	snprintf(fake, sizeof(fake), "%s/vmtraced", bin);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	char *text = NULL;
	assert_true(asprintf(&text,
			     "#!/bin/sh\necho \"$*\" > '%s'\nm=\n"
			     "while [ $# -gt 0 ]; do [ \"$1\" = --ftrace-marker ] && m=$2; shift; done\n"
			     "trap 'echo stopped >> %s; exit 0' TERM\nn=0\n"
			     "while :; do echo \"vmtrace: ping_out session=7 seq=$n\" > \"$m\"; n=$((n + 1)); sleep 0.05; done\n",
			     args, args) > 0);
	write_script(fake, text);
	assert_int_equal(chmod(fake, 0755), 0);
	snprintf(inst, sizeof(inst), "vt-guest-test-%d", (int)getpid());
	struct vt_ftrace_guest_options g = {.capture_dir = cap, .instance = inst, .events = events,
					    .nevents = NEVENTS, .buffer_kb = 1024, .ping = 1};
	struct vt_error err;
	char shell[4400];
	snprintf(shell, sizeof(shell), "env PATH='%s':\"$PATH\" dash", bin);
	struct run r = {.shell = shell, .label = "ping"};
	snprintf(r.dir, sizeof(r.dir), "%s", dir);
	run_script(&r, "start", vt_ftrace_guest_script_start(&g, &err));
	usleep(600000);
	run_script(&r, "stop", vt_ftrace_guest_script_stop(&g, &err));
	char *said = vt_read_file(args, NULL);
	assert_non_null(said);
	printf("the pinger was run with: %s", said);
	char want[600];
	snprintf(want, sizeof(want), "--ping --sinks ftrace --ftrace-marker /sys/kernel/tracing/instances/%s/trace_marker "
		 "--no-books --check-ms 0\nstopped\n", inst);
	assert_string_equal(said, want); /* and TERM came before stop went on */
	free(said);
	char path[4500];
	snprintf(path, sizeof(path), "%s/.ping", cap);
	assert_int_equal(access(path, F_OK), -1);
	char dat[4500];
	snprintf(dat, sizeof(dat), "%s/ping.dat", dir);
	struct vt_ftrace_assembly info;
	if (vt_ftrace_assemble(cap, dat, &info, &err))
		fail_msg("assemble: %s", err.msg);
	struct vt_run run;
	vt_run_shell(&run, "trace-cmd report '%s' 2>/dev/null | grep -c 'vmtrace: ping_out session=7'", dat);
	printf("%d ping lines in the guest's recording\n", atoi(run.out));
	assert_true(atoi(run.out) >= 5);
	vt_run_free(&run);
}

static void test_dash(void **state)
{
	(void)state;
	struct run r = {.shell = "dash", .label = "dash"};
	check_run(&r);
}

static void test_busybox(void **state)
{
	(void)state;
	if (system("busybox true 2>/dev/null") != 0) {
		vt_skip_part(VT_SKIP_NO_PROGRAM, "busybox is not installed (scripts/install-deps installs it)");
		return;
	}
	/* busybox sh with nothing but busybox's applets on its PATH */
	char bin[4200], shell[4400];
	snprintf(bin, sizeof(bin), "%s/busybox-bin", tmp);
	struct vt_run run;
	vt_run_shell(&run, "mkdir '%s' && busybox --install -s '%s'", bin, bin);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);
	snprintf(shell, sizeof(shell), "env PATH='%s' \"$(command -v busybox)\" sh", bin);
	struct run r = {.shell = shell, .label = "busybox", .hostname = "vm test%\tü"};
	check_run(&r);
}

int main(int argc, char **argv)
{
	rec_init(argc, argv);
	rec_require_tracefs();
	vt_require_program("trace-cmd");
	vt_require_program("dash");
	vt_require_program("unshare");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dash),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_ping_pinger),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char mine[64], guest[64], cap[4200];
	snprintf(mine, sizeof(mine), "vmtrace-%d", (int)getpid());
	snprintf(guest, sizeof(guest), "vt-guest-test-%d", (int)getpid());
	const char *left[] = {mine, guest};
	const char *runs[] = {"dash", "busybox", "ping"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(cap, sizeof(cap), "%s/%s/sh", tmp, runs[i]);
		rec_leftovers(cap, left, 2);
	}
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
