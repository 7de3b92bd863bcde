/* vmtrace-sim --format both: every shipped scenario (but large) written as CTF
 * and as trace.dat files in one run, then
 *  (a) each .dat file's per-kind counts: vmtrace's = `trace-cmd report`'s =
 *      truth.json's (but STATEDUMP_PROCESS, which ftrace cannot carry);
 *  (b) `vmtrace analyze --json` on the .dat files and on the CTF traces: the
 *      same machines, per-vCPU totals within 0.1 % of the traced time of each
 *      other and of truth.json (vCPUs alive the whole run); the sync method
 *      each guest gets from the .dat files (docs/tracecmd.md);
 *  (c) mixed inputs: the CTF host with .dat guests in one folder, and the
 *      reverse, give the CTF analysis's per-vCPU totals. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_report.h"
#include "testutil.h"
#include "vmtrace/sources.h"

#define DURATION_MS 1000

static char *tmp;

struct run_out {
	char dir[4096];
	json_t *truth;
	int64_t duration;
	int agent;
};

static json_t *load_json(const char *text, const char *what)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("%s: not JSON: %s", what, e.text);
	return j;
}

static void simulate(const char *scenario, struct run_out *r)
{
	snprintf(r->dir, sizeof(r->dir), "%s/%s", tmp, scenario);
	struct vt_run run;
	vt_run_shell(&run, "'%s' '%s/%s.json' -o '%s' --format both --duration-ms %d", vt_build_path("vmtrace-sim"),
		     vt_source_path("scenarios"), scenario, r->dir, DURATION_MS);
	if (run.status)
		fail_msg("vmtrace-sim %s: %s", scenario, run.err);
	vt_run_free(&run);
	char path[4200];
	snprintf(path, sizeof(path), "%s/truth.json", r->dir);
	json_error_t e;
	r->truth = json_load_file(path, 0, &e);
	assert_non_null(r->truth);
	r->duration = json_integer_value(json_object_get(r->truth, "duration_ns"));
	json_t *host_counts = json_object_get(json_array_get(json_object_get(r->truth, "machines"), 0), "kind_counts");
	r->agent = json_object_get(host_counts, "MACHINE_ID") != NULL;
}

static const char *machine_name(const struct run_out *r, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(r->truth, "machines"), i), "name"));
}

static size_t nmachines(const struct run_out *r)
{
	return json_array_size(json_object_get(r->truth, "machines"));
}

/* "DIR/host DIR/guest1 ..." or "DIR/host.dat DIR/guest1.dat ...". */
static void paths(const struct run_out *r, int dat, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < nmachines(r); i++)
		len += (size_t)snprintf(out + len, size - len, " '%s/%s%s'", r->dir, machine_name(r, i), dat ? ".dat" : "");
}

/* (a) */
static void check_counts(const struct run_out *r)
{
	for (size_t i = 0; i < nmachines(r); i++) {
		char file[4200];
		snprintf(file, sizeof(file), "%s/%s.dat", r->dir, machine_name(r, i));
		uint64_t report[VT_KIND_COUNT];
		uint64_t total = vt_tc_report_counts(file, report);
		struct vt_source *src;
		struct vt_error err;
		const char *p = file;
		if (!(src = vt_source_open(&p, 1, &err)))
			fail_msg("%s", err.msg);
		const struct vt_event *ev;
		int rc;
		while ((rc = vt_source_next(src, &ev, &err)) > 0)
			;
		if (rc)
			fail_msg("%s", err.msg);
		const struct vt_trace_info *info = vt_source_trace(src, 0);
		json_t *truth = json_object_get(json_array_get(json_object_get(r->truth, "machines"), i), "kind_counts");
		printf("%s: %llu events (report %llu)\n", file, (unsigned long long)info->events, (unsigned long long)total);
		assert_int_equal(info->events, total);
		for (int k = 0; k < VT_KIND_COUNT; k++) {
			uint64_t want = (uint64_t)json_integer_value(json_object_get(truth, vt_kind_name(k)));
			if (k == VT_STATEDUMP_PROCESS)
				want = 0; /* no ftrace form: only the names, as saved command lines */
			if (info->per_kind[k] != report[k] || info->per_kind[k] != want)
				fail_msg("%s: %s: vmtrace %llu, trace-cmd report %llu, truth %llu", file, vt_kind_name(k),
					 (unsigned long long)info->per_kind[k], (unsigned long long)report[k],
					 (unsigned long long)want);
		}
		vt_source_close(src);
	}
}

/* `vmtrace CMD --json PATHS`: the document, or NULL with *status and err kept. */
static json_t *vmtrace_json(const char *cmd, const char *args, int *status, char **err_out)
{
	struct vt_run run;
	vt_run_shell(&run, "%s %s --json %s", vt_vmtrace_cmd(), cmd, args);
	*status = run.status;
	json_t *j = run.status == 0 ? load_json(run.out, cmd) : NULL;
	if (err_out)
		*err_out = strdup(run.err);
	vt_run_free(&run);
	return j;
}

static json_t *vcpu_by_tid(json_t *doc, json_int_t tid)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(doc, "vcpus"), i, v)
		if (json_integer_value(json_object_get(v, "tid")) == tid)
			return v;
	return NULL;
}

static const char *const states[] = {"IDLE", "GUEST", "HYPERVISOR", "PREEMPTED"};

/* Per-vCPU totals of b equal a's within 0.1 % of the duration, vCPU for vCPU. */
static void same_totals(const char *what, json_t *a, json_t *b, int64_t duration)
{
	assert_int_equal(json_array_size(json_object_get(a, "vcpus")), json_array_size(json_object_get(b, "vcpus")));
	size_t i;
	json_t *va;
	double worst = 0;
	json_array_foreach(json_object_get(a, "vcpus"), i, va) {
		json_int_t tid = json_integer_value(json_object_get(va, "tid"));
		json_t *vb = vcpu_by_tid(b, tid);
		if (!vb)
			fail_msg("%s: vCPU thread %lld missing", what, (long long)tid);
		for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			int64_t x = json_integer_value(json_object_get(json_object_get(va, "totals_ns"), states[s]));
			int64_t y = json_integer_value(json_object_get(json_object_get(vb, "totals_ns"), states[s]));
			double d = 100.0 * (double)llabs(x - y) / (double)duration;
			worst = d > worst ? d : worst;
			if (llabs(x - y) * 1000 > duration)
				fail_msg("%s: vCPU thread %lld %s: %lld vs %lld ns", what, (long long)tid, states[s],
					 (long long)x, (long long)y);
		}
	}
	printf("%s: per-vCPU totals differ by at most %.5f %% of the traced time\n", what, worst);
}

/* Against truth: the vCPUs that lived the whole run (analyze counts a thread's
 * time before its fork or after its exit as IDLE: the same in both forms). */
static void totals_vs_truth(const char *what, json_t *doc, const struct run_out *r)
{
	json_int_t start = json_integer_value(json_object_get(r->truth, "start_ns"));
	json_int_t end = json_integer_value(json_object_get(r->truth, "end_ns"));
	size_t gi, vi, checked = 0;
	json_t *g, *v;
	double worst = 0;
	json_array_foreach(json_object_get(r->truth, "guests"), gi, g) {
		json_array_foreach(json_object_get(g, "vcpus"), vi, v) {
			if (json_integer_value(json_object_get(v, "start_ns")) != start ||
			    json_integer_value(json_object_get(v, "end_ns")) != end)
				continue;
			json_int_t tid = json_integer_value(json_object_get(v, "tid"));
			json_t *ours = vcpu_by_tid(doc, tid);
			if (!ours)
				fail_msg("%s: vCPU thread %lld not analyzed", what, (long long)tid);
			for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
				int64_t want = json_integer_value(json_object_get(json_object_get(v, "totals"), states[s]));
				int64_t got = json_integer_value(json_object_get(json_object_get(ours, "totals_ns"), states[s]));
				double d = 100.0 * (double)llabs(got - want) / (double)r->duration;
				worst = d > worst ? d : worst;
				if (llabs(got - want) * 1000 > r->duration)
					fail_msg("%s: vCPU thread %lld %s: truth %lld, analyze %lld", what, (long long)tid,
						 states[s], (long long)want, (long long)got);
			}
			checked++;
		}
	}
	printf("%s: %zu vCPUs within %.5f %% of truth\n", what, checked, worst);
}

/* "role name hostname qemu_pid vcpu:tid,..." per machine, sorted (without the
 * vCPUs when with_vcpus is 0). */
static char *identity(json_t *doc, int with_vcpus)
{
	size_t n = json_array_size(json_object_get(doc, "machines"));
	char **lines = calloc(n ? n : 1, sizeof(char *));
	size_t i, total = 1;
	json_t *m;
	json_array_foreach(json_object_get(doc, "machines"), i, m) {
		char buf[1024];
		int len = snprintf(buf, sizeof(buf), "%s %s %s %lld", json_string_value(json_object_get(m, "role")),
				   json_string_value(json_object_get(m, "name")) ? json_string_value(json_object_get(m, "name")) : "-",
				   json_string_value(json_object_get(m, "hostname")),
				   (long long)json_integer_value(json_object_get(m, "qemu_pid")));
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(m, "vcpus"), k, v)
			if (with_vcpus)
				len += snprintf(buf + len, sizeof(buf) - (size_t)len, " %lld:%lld",
					(long long)json_integer_value(json_object_get(v, "vcpu")),
					(long long)json_integer_value(json_object_get(v, "tid")));
		lines[i] = strdup(buf);
		total += strlen(buf) + 1;
	}
	for (size_t a = 0; a < n; a++) /* tiny: insertion sort */
		for (size_t b = a + 1; b < n; b++)
			if (strcmp(lines[a], lines[b]) > 0) {
				char *t = lines[a];
				lines[a] = lines[b];
				lines[b] = t;
			}
	char *out = calloc(1, total);
	for (size_t a = 0; a < n; a++) {
		strcat(out, lines[a]);
		strcat(out, "\n");
		free(lines[a]);
	}
	free(lines);
	return out;
}

/* The sync each machine of the .dat files gets, printed; checked where the
 * docs promise it: TSC for guests the agent gave a tsc-offset, the hull for
 * vmsync guests. */
static void check_sync(const char *scenario, const struct run_out *r, const char *dat_paths)
{
	int status;
	json_t *doc = vmtrace_json("sync", dat_paths, &status, NULL);
	if (!doc)
		return; /* host-only: nothing to synchronize */
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "clocks"), i, c) {
		const char *host = json_string_value(json_object_get(c, "hostname"));
		const char *method = json_string_value(json_object_get(c, "method"));
		const char *quality = json_string_value(json_object_get(c, "quality"));
		printf("%s: %s: sync %s %s\n", scenario, host, method ? method : "-", quality ? quality : "-");
		json_int_t ref = json_integer_value(json_object_get(c, "reference"));
		if ((json_int_t)i == ref || !method)
			continue;
		/* guests alive from the start have the agent's tsc-offset */
		int from_start = 0;
		size_t gi;
		json_t *g;
		json_array_foreach(json_object_get(r->truth, "guests"), gi, g) {
			json_t *m = json_array_get(json_object_get(r->truth, "machines"),
						   (size_t)json_integer_value(json_object_get(g, "machine")));
			if (!strcmp(json_string_value(json_object_get(m, "hostname")), host))
				from_start = json_integer_value(json_object_get(g, "start_ns")) ==
					     json_integer_value(json_object_get(r->truth, "start_ns"));
		}
		if (r->agent && from_start) {
			assert_string_equal(method, "tsc");
			assert_string_equal(quality, "ACCURATE");
		}
		if (!strcmp(scenario, "vmsync")) {
			assert_string_equal(method, "hull");
			assert_string_equal(quality, "ACCURATE");
		}
	}
	json_decref(doc);
}

static void check_scenario(const char *scenario)
{
	struct run_out r;
	simulate(scenario, &r);
	check_counts(&r);

	char ctf[20000], dat[20000];
	paths(&r, 0, ctf, sizeof(ctf));
	paths(&r, 1, dat, sizeof(dat));
	int sc, sd;
	char *ec, *ed;
	json_t *a = vmtrace_json("analyze", ctf, &sc, &ec);
	json_t *b = vmtrace_json("analyze", dat, &sd, &ed);
	assert_int_equal(sc, sd);
	if (!a) { /* refused alike (host-only: no guest to analyze) */
		printf("%s: analyze refuses both forms: %s", scenario, ed);
		assert_int_equal(sc, 1);
		assert_int_equal(vt_count_lines(ed), 1);
	} else {
		char *ia = identity(a, 1), *ib = identity(b, 1);
		printf("%s: machines from CTF:\n%s%s: machines from .dat:\n%s", scenario, ia, scenario, ib);
		/* A guest started during the trace is not in the agent's statedump: in
		 * CTF its vCPU threads are QEMU's by their fork's pid, which ftrace's
		 * fork event does not give (thread ids only). */
		int late = 0;
		size_t gi;
		json_t *g;
		json_array_foreach(json_object_get(r.truth, "guests"), gi, g)
			late |= json_integer_value(json_object_get(g, "start_ns")) !=
				json_integer_value(json_object_get(r.truth, "start_ns"));
		if (r.agent && late) {
			free(ia);
			free(ib);
			ia = identity(a, 0);
			ib = identity(b, 0);
		}
		if (r.agent)
			assert_string_equal(ia, ib); /* the agent's lines identify as its UST events do */
		else
			assert_int_equal(json_array_size(json_object_get(a, "machines")),
					 json_array_size(json_object_get(b, "machines")));
		free(ia);
		free(ib);
		char what[256];
		snprintf(what, sizeof(what), "%s dat vs ctf", scenario);
		same_totals(what, a, b, r.duration);
		snprintf(what, sizeof(what), "%s dat", scenario);
		totals_vs_truth(what, b, &r);
		snprintf(what, sizeof(what), "%s ctf", scenario);
		totals_vs_truth(what, a, &r);
	}
	check_sync(scenario, &r, dat);
	free(ec);
	free(ed);
	json_decref(a);
	json_decref(b);
	json_decref(r.truth);
}

static void test_two_guests_ntp(void **state)
{
	(void)state;
	check_scenario("two-guests-ntp");
}

static void test_two_guests_ptp(void **state)
{
	(void)state;
	check_scenario("two-guests-ptp");
}

static void test_two_guests_free(void **state)
{
	(void)state;
	check_scenario("two-guests-free");
}

static void test_vmsync(void **state)
{
	(void)state;
	check_scenario("vmsync");
}

static void test_host_only(void **state)
{
	(void)state;
	check_scenario("host-only");
}

static void test_guest_lifecycle(void **state)
{
	(void)state;
	check_scenario("guest-lifecycle");
}

/* (c) One folder with the CTF host and the .dat guests, and one with the .dat
 * host and the CTF guests: one analyze each, the CTF analysis's totals. */
static void test_mixed(void **state)
{
	(void)state;
	struct run_out r;
	simulate("two-guests-ntp", &r);
	int status;
	char args[13000];
	snprintf(args, sizeof(args), "'%s/host' '%s/guest1' '%s/guest2'", r.dir, r.dir, r.dir);
	json_t *ref = vmtrace_json("analyze", args, &status, NULL);
	assert_non_null(ref);
	char *iref = identity(ref, 1);
	for (int host_dat = 0; host_dat < 2; host_dat++) {
		char mixed[4200];
		snprintf(mixed, sizeof(mixed), "%s/mixed%d", tmp, host_dat);
		struct vt_run run;
		if (host_dat)
			vt_run_shell(&run, "mkdir -p '%s' && cp '%s/host.dat' '%s/' && cp -r '%s/guest1' '%s/guest2' '%s/'", mixed,
				     r.dir, mixed, r.dir, r.dir, mixed);
		else
			vt_run_shell(&run, "mkdir -p '%s' && cp -r '%s/host' '%s/' && cp '%s/guest1.dat' '%s/guest2.dat' '%s/'",
				     mixed, r.dir, mixed, r.dir, r.dir, mixed);
		assert_int_equal(run.status, 0);
		vt_run_free(&run);
		snprintf(args, sizeof(args), "'%s'", mixed);
		json_t *doc = vmtrace_json("analyze", args, &status, NULL);
		if (!doc)
			fail_msg("analyze of %s failed with status %d", mixed, status);
		char *id = identity(doc, 1);
		printf("mixed (%s host):\n%s", host_dat ? ".dat" : "CTF", id);
		assert_string_equal(id, iref);
		free(id);
		same_totals(host_dat ? "mixed, .dat host" : "mixed, CTF host", ref, doc, r.duration);
		json_decref(doc);
	}
	free(iref);
	json_decref(ref);
	json_decref(r.truth);
}

int main(void)
{
	vt_require_program("trace-cmd");
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_guests_ntp), cmocka_unit_test(test_two_guests_ptp),
		cmocka_unit_test(test_two_guests_free), cmocka_unit_test(test_vmsync),
		cmocka_unit_test(test_host_only),      cmocka_unit_test(test_guest_lifecycle),
		cmocka_unit_test(test_mixed),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vt_rmtree(tmp);
	free(tmp);
	return rc;
}
