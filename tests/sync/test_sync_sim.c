/* Identification and synchronization on simulated scenarios, against the
 * simulator's truth.json: guests, QEMU pids and vCPU threads exactly; clock
 * transforms within the accuracy each method promises. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testutil.h"
#include "vmtrace/identify.h"
#include "vmtrace/session.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"

static char *tmp;

struct run {
	json_t *truth;
	struct vt_session *session;
	const struct vt_machines *m; /* the session's */
	const struct vt_sync_result *r;
};

/* scenario: a shipped scenario's name, or a path to a JSON file. */
static void simulate_and_sync(const char *scenario, enum vt_sync_method method, struct run *out)
{
	char dir[4300], file[4300];
	snprintf(dir, sizeof(dir), "%s/%s.out", tmp, strrchr(scenario, '/') ? strrchr(scenario, '/') + 1 : scenario);
	if (scenario[0] == '/')
		snprintf(file, sizeof(file), "%s", scenario);
	else
		snprintf(file, sizeof(file), "%s/%s.json", vt_source_path("scenarios"), scenario);
	struct vt_run run;
	vt_run_shell(&run, "rm -rf '%s' && '%s' '%s' -o '%s'", dir, vt_build_path("vmtrace-sim"), file, dir);
	if (run.status != 0)
		fail_msg("vmtrace-sim %s: %s", scenario, run.err);
	vt_run_free(&run);
	char truth[4400];
	snprintf(truth, sizeof(truth), "%s/truth.json", dir);
	out->truth = json_load_file(truth, 0, NULL);
	assert_non_null(out->truth);

	struct vt_error err = {0};
	struct vt_session_options opt = {.method = method};
	out->session = vt_session_new(&opt, &err);
	if (!out->session || vt_session_read(out->session, dir, &err) || vt_session_sync(out->session, &err))
		fail_msg("%s", err.msg);
	out->m = vt_session_machines(out->session);
	out->r = vt_session_clocks(out->session);
}

static void run_free(struct run *r)
{
	vt_session_free(r->session);
	json_decref(r->truth);
}

static int machine_of(const struct run *r, const char *uuid)
{
	for (size_t k = 0; k < r->m->count; k++)
		if (r->m->machines[k].product_uuid && !strcasecmp(r->m->machines[k].product_uuid, uuid))
			return (int)k;
	return -1;
}

/* Largest |ours - truth| over the guest clock's knots inside the trace. */
/* The transform's largest error against the truth while the guest ran;
 * *outside set when the truth had too few points in its life and points
 * outside it (extrapolation) were used. */
static int64_t max_error_in_life(const struct run *r, json_t *machine, int *outside)
{
	int k = machine_of(r, json_string_value(json_object_get(machine, "product_uuid")));
	assert_true(k >= 0);
	const struct vt_transform *t = &r->r->machines[k].to_ref;
	json_t *knots = json_object_get(machine, "clock_knots");
	int64_t start = json_integer_value(json_object_get(r->truth, "start_ns"));
	int64_t end = json_integer_value(json_object_get(r->truth, "end_ns"));
	/* Only while the guest ran: its clock is not traced outside its life. */
	json_t *g;
	size_t gi;
	json_array_foreach(json_object_get(r->truth, "guests"), gi, g)
		if (!strcasecmp(json_string_value(json_object_get(g, "uuid")),
				json_string_value(json_object_get(machine, "product_uuid")))) {
			start = json_integer_value(json_object_get(g, "start_ns"));
			end = json_integer_value(json_object_get(g, "stop_ns"));
		}
	int64_t worst = 0;
	size_t i, used = 0;
	json_t *knot;
	/* Knots inside the run (a short-lived guest may have few: then all). */
	size_t inside = 0;
	json_array_foreach(knots, i, knot) {
		int64_t host = json_integer_value(json_array_get(knot, 0));
		inside += host >= start && host <= end;
	}
	*outside = knots && inside < 2;
	json_array_foreach(knots, i, knot) {
		int64_t host = json_integer_value(json_array_get(knot, 0));
		int64_t guest = json_integer_value(json_array_get(knot, 1));
		if (inside >= 2 && (host < start || host > end))
			continue;
		int64_t e = llabs(vt_transform_apply(t, guest) - host);
		worst = e > worst ? e : worst;
		used++;
	}
	if (!knots) { /* older truth: the linear transform */
		json_t *th = json_object_get(machine, "to_host");
		double slope = json_real_value(json_object_get(th, "slope"));
		int64_t g0 = json_integer_value(json_object_get(th, "guest_ref_ns"));
		int64_t h0 = json_integer_value(json_object_get(th, "host_ref_ns"));
		for (int64_t h = start; h <= end; h += (end - start) / 20 + 1) {
			int64_t g = g0 + (int64_t)llround((double)(h - h0) / slope);
			int64_t e = llabs(vt_transform_apply(t, g) - h);
			worst = e > worst ? e : worst;
			used++;
		}
	}
	assert_true(used >= 2);
	return worst;
}

static int64_t max_error(const struct run *r, json_t *machine)
{
	int outside;
	return max_error_in_life(r, machine, &outside);
}

/* Every traced guest is matched to its host, QEMU pid and vCPU threads as the truth says. */
static void check_identification(const struct run *r)
{
	json_t *guests = json_object_get(r->truth, "guests"), *g;
	size_t i;
	json_array_foreach(guests, i, g) {
		int k = machine_of(r, json_string_value(json_object_get(g, "uuid")));
		if (k < 0)
			fail_msg("guest %s not found", json_string_value(json_object_get(g, "name")));
		const struct vt_machine *mm = &r->m->machines[k];
		assert_int_equal(mm->role, VT_ROLE_GUEST);
		assert_true(mm->host >= 0);
		assert_int_equal(r->m->machines[mm->host].role, VT_ROLE_HOST);
		assert_int_equal(mm->qemu_pid, json_integer_value(json_object_get(g, "qemu_pid")));
		json_t *vcpus = json_object_get(g, "vcpus"), *v;
		size_t j;
		assert_int_equal(mm->nvcpus, json_array_size(vcpus));
		json_array_foreach(vcpus, j, v) {
			assert_int_equal(mm->vcpus[j].vcpu, json_integer_value(json_object_get(v, "vcpu")));
			assert_int_equal(mm->vcpus[j].tid, json_integer_value(json_object_get(v, "tid")));
		}
	}
}

static void check_guests(const struct run *r, enum vt_sync_quality want, int64_t limit_ns, size_t min_each_way,
			 enum vt_sync_method want_method)
{
	json_t *machines = json_object_get(r->truth, "machines"), *mj;
	size_t i;
	int guests = 0;
	json_array_foreach(machines, i, mj) {
		if (strcmp(json_string_value(json_object_get(mj, "role")), "guest"))
			continue;
		int k = machine_of(r, json_string_value(json_object_get(mj, "product_uuid")));
		const struct vt_clock_sync *c = &r->r->machines[k];
		assert_int_equal(c->quality, want);
		assert_int_equal(c->method, want_method);
		assert_true(c->matches_to_ref >= min_each_way && c->matches_from_ref >= min_each_way);
		assert_int_equal(c->to_ref_latency.negative + c->from_ref_latency.negative, 0);
		int outside;
		int64_t err = max_error_in_life(r, mj, &outside);
		printf("%s: %s, %zu + %zu messages, max error %lld ns (limit %lld), claimed +/- %lld ns\n",
		       json_string_value(json_object_get(mj, "name")), vt_sync_quality_name(c->quality),
		       c->matches_to_ref, c->matches_from_ref, (long long)err, (long long)limit_ns,
		       (long long)c->accuracy_ns);
		assert_true(err <= limit_ns);
		/* The printed accuracy holds (issue 18), where the truth is known. */
		if (!outside && err > c->accuracy_ns)
			fail_msg("%s: error %lld ns beyond the claimed +/- %lld ns",
				 json_string_value(json_object_get(mj, "name")), (long long)err,
				 (long long)c->accuracy_ns);
		guests++;
	}
	assert_true(guests > 0);
}

static void test_hull_ptp(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("two-guests-ptp", VT_SYNC_HULL, &r);
	check_identification(&r);
	check_guests(&r, VT_SYNC_ACCURATE, 2000, 100, VT_SYNC_HULL);
	run_free(&r);
}

static void test_vmsync(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("vmsync", VT_SYNC_HULL, &r);
	check_identification(&r);
	check_guests(&r, VT_SYNC_ACCURATE, 2000, 100, VT_SYNC_HULL);
	run_free(&r);
}

/* The guest's pings (vmtraced --ping, issue 18): within 1 us of the truth,
 * from the pings alone; auto prefers them to the scenario's TCP traffic. */
static void test_ping(void **state)
{
	(void)state;
	enum vt_sync_method methods[] = {VT_SYNC_PING, VT_SYNC_AUTO};
	for (size_t i = 0; i < 2; i++) {
		struct run r = {0};
		simulate_and_sync("ping", methods[i], &r);
		check_identification(&r);
		/* 2 s at a ping every 20 ms: ~100 each way, none of the ~1000 TCP segments */
		check_guests(&r, VT_SYNC_ACCURATE, 1000, 90, VT_SYNC_PING);
		for (size_t k = 0; k < r.r->count; k++)
			if (r.m->machines[k].role == VT_ROLE_GUEST)
				assert_true(r.r->machines[k].matches_to_ref < 120);
		run_free(&r);
	}
}

/* NTP clocks wander by up to max_wander_ns around their line: one line fits them that well. */
static void test_hull_ntp(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("two-guests-ntp", VT_SYNC_AUTO, &r);
	check_identification(&r);
	int64_t wander = 0;
	json_t *mj;
	size_t i;
	json_array_foreach(json_object_get(r.truth, "machines"), i, mj) {
		int64_t w = json_integer_value(json_object_get(json_object_get(mj, "to_host"), "max_wander_ns"));
		wander = w > wander ? w : wander;
	}
	check_guests(&r, VT_SYNC_ACCURATE, wander + 2000, 100, VT_SYNC_HULL);
	for (size_t k = 0; k < r.r->count; k++)
		if ((int)k != r.r->root)
			assert_int_equal(r.r->machines[k].method, VT_SYNC_HULL);
	run_free(&r);
}

/* Trusted clocks on ptp: identity transforms, and the check agrees with the truth:
 * no causality violation, and the clock error the latencies imply is the true one. */
static void test_trusted_ptp(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("two-guests-ptp", VT_SYNC_TRUSTED, &r);
	json_t *mj;
	size_t i;
	json_array_foreach(json_object_get(r.truth, "machines"), i, mj) {
		if (strcmp(json_string_value(json_object_get(mj, "role")), "guest"))
			continue;
		int k = machine_of(&r, json_string_value(json_object_get(mj, "product_uuid")));
		const struct vt_clock_sync *c = &r.r->machines[k];
		assert_int_equal(c->method, VT_SYNC_TRUSTED);
		assert_true(c->to_ref.slope == 1.0 && c->to_ref.x0 == 0 && c->to_ref.y0 == 0);
		assert_int_equal(c->to_ref_latency.negative + c->from_ref_latency.negative, 0);
		/* Equal minimum latencies both ways: half their difference is the clock error. */
		int64_t implied = (c->to_ref_latency.min - c->from_ref_latency.min) / 2;
		int64_t true_err = max_error(&r, mj); /* identity vs truth: the real error */
		printf("%s: implied clock error %lld ns, true error up to %lld ns\n",
		       json_string_value(json_object_get(mj, "name")), (long long)implied, (long long)true_err);
		assert_true(llabs(implied) <= true_err + 2000);
	}
	run_free(&r);
}

/* No agent, free-running clocks seconds off: guests matched to their QEMU by
 * the threads that carried their TCP, clocks by the hull. */
static void test_free_clocks_without_agent(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("two-guests-free", VT_SYNC_AUTO, &r);
	check_identification(&r);
	for (size_t k = 0; k < r.m->count; k++)
		if (r.m->machines[k].role == VT_ROLE_GUEST)
			assert_non_null(strstr(r.m->machines[k].evidence, "TCP"));
	check_guests(&r, VT_SYNC_ACCURATE, 2000, 100, VT_SYNC_HULL);
	run_free(&r);
}

/* Guests created and destroyed during the trace: matched by the agent's
 * created events, placed by containment (no network in this scenario). */
static void test_guest_lifecycle(void **state)
{
	(void)state;
	struct run r = {0};
	simulate_and_sync("guest-lifecycle", VT_SYNC_AUTO, &r);
	check_identification(&r);
	check_guests(&r, VT_SYNC_ACCURATE, 5000, 0, VT_SYNC_CONTAINMENT);
	run_free(&r);
}

/* two-guests-ntp for 40 s (a wandering clock: the hull goes piecewise), as
 * NAME.json in tmp; guest1_until_ms: when every flow of guest1 stops (0: never). */
static void long_ntp(const char *name, int guest1_until_ms, char *dst, size_t size)
{
	char src[4300];
	snprintf(src, sizeof(src), "%s/two-guests-ntp.json", vt_source_path("scenarios"));
	snprintf(dst, size, "%s/%s.json", tmp, name);
	json_t *sc = json_load_file(src, 0, NULL), *flow;
	assert_non_null(sc);
	json_object_set_new(sc, "duration_ms", json_integer(40000));
	json_object_set_new(json_object_get(sc, "truth"), "intervals", json_false());
	size_t i, stopped = 0;
	json_array_foreach(json_object_get(sc, "network"), i, flow)
		if (guest1_until_ms && (!strcmp(json_string_value(json_object_get(flow, "from")), "guest1") ||
					!strcmp(json_string_value(json_object_get(flow, "to")), "guest1"))) {
			json_object_set_new(flow, "until_ms", json_integer(guest1_until_ms));
			stopped++;
		}
	assert_true(!guest1_until_ms || stopped > 0);
	assert_int_equal(json_dump_file(sc, dst, JSON_INDENT(2)), 0);
	json_decref(sc);
}

/* c's largest error against the truth, through the truth's knots inside the run. */
static int64_t knots_error(const struct run *r, json_t *machine, const struct vt_clock_sync *c)
{
	int64_t worst = 0;
	json_t *knot;
	size_t j;
	json_array_foreach(json_object_get(machine, "clock_knots"), j, knot) {
		int64_t host = json_integer_value(json_array_get(knot, 0));
		int64_t e = llabs(vt_clock_to_ref(c, json_integer_value(json_array_get(knot, 1))) - host);
		if (host >= json_integer_value(json_object_get(r->truth, "start_ns")) &&
		    host <= json_integer_value(json_object_get(r->truth, "end_ns")) && e > worst)
			worst = e;
	}
	return worst;
}

/* Minutes of NTP wander: no single line fits, the hull per window follows
 * the clock, with no message received before it was sent. */
static void test_wandering_clock_piecewise(void **state)
{
	(void)state;
	char dst[4400];
	long_ntp("ntp-long", 0, dst, sizeof(dst));
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_AUTO, &r);
	json_t *mj;
	size_t i;
	int piecewise = 0;
	json_array_foreach(json_object_get(r.truth, "machines"), i, mj) {
		if (strcmp(json_string_value(json_object_get(mj, "role")), "guest"))
			continue;
		int k = machine_of(&r, json_string_value(json_object_get(mj, "product_uuid")));
		const struct vt_clock_sync *c = &r.r->machines[k];
		assert_int_equal(c->quality, VT_SYNC_ACCURATE);
		assert_int_equal(c->to_ref_latency.negative + c->from_ref_latency.negative, 0);
		piecewise += c->nknots > 0;
		int64_t worst = knots_error(&r, mj, c);
		printf("%s: %zu knots, max error %lld ns\n", json_string_value(json_object_get(mj, "name")), c->nknots,
		       (long long)worst);
		assert_true(worst <= 25000); /* within the minimum message latency */
	}
	assert_true(piecewise > 0);
	run_free(&r);
}

/* vmsync without the agent: the guest's vm_uid seen in the host's hypercall
 * events names its QEMU (the thread that made the hypercall). */
static void test_identified_by_vmsync(void **state)
{
	(void)state;
	char src[4300], dst[4400];
	snprintf(src, sizeof(src), "%s/vmsync.json", vt_source_path("scenarios"));
	snprintf(dst, sizeof(dst), "%s/vmsync-no-agent.json", tmp);
	json_t *sc = json_load_file(src, 0, NULL);
	assert_non_null(sc);
	json_object_set_new(json_object_get(sc, "host"), "agent", json_false());
	assert_int_equal(json_dump_file(sc, dst, JSON_INDENT(2)), 0);
	json_decref(sc);
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_HULL, &r);
	check_identification(&r);
	for (size_t k = 0; k < r.m->count; k++)
		if (r.m->machines[k].role == VT_ROLE_GUEST)
			assert_non_null(strstr(r.m->machines[k].evidence, "vmsync"));
	check_guests(&r, VT_SYNC_ACCURATE, 2000, 100, VT_SYNC_HULL);
	run_free(&r);
}

/* No agent and no network: each guest is matched to the QEMU in whose vCPUs'
 * guest-mode windows its events fall, then placed by containment. */
static void test_identified_by_containment_alone(void **state)
{
	(void)state;
	char src[4300], dst[4400];
	snprintf(src, sizeof(src), "%s/two-guests-ntp.json", vt_source_path("scenarios"));
	snprintf(dst, sizeof(dst), "%s/nothing-helps.json", tmp);
	json_t *sc = json_load_file(src, 0, NULL);
	assert_non_null(sc);
	json_object_set_new(sc, "network", json_array());
	json_object_set_new(json_object_get(sc, "host"), "agent", json_false());
	assert_int_equal(json_dump_file(sc, dst, JSON_INDENT(2)), 0);
	json_decref(sc);
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_AUTO, &r);
	check_identification(&r);
	for (size_t k = 0; k < r.m->count; k++)
		if (r.m->machines[k].role == VT_ROLE_GUEST)
			assert_non_null(strstr(r.m->machines[k].evidence, "guest-mode windows"));
	check_guests(&r, VT_SYNC_ACCURATE, 5000, 0, VT_SYNC_CONTAINMENT);
	run_free(&r);
}

/* No network at all: auto falls back to containment, within 5 µs of the truth. */
/* two-guests-ntp without its network, as NAME.json in tmp; clocks: NULL, or
 * each guest's clock object in turn. */
static void no_network(const char *name, json_t *clocks, char *dst, size_t size)
{
	char src[4300];
	snprintf(src, sizeof(src), "%s/two-guests-ntp.json", vt_source_path("scenarios"));
	snprintf(dst, size, "%s/%s.json", tmp, name);
	json_t *sc = json_load_file(src, 0, NULL);
	assert_non_null(sc);
	json_object_set_new(sc, "network", json_array());
	json_object_set_new(sc, "name", json_string(name));
	json_t *g;
	size_t i;
	if (clocks)
		json_array_foreach(json_object_get(sc, "guests"), i, g)
			json_object_set(g, "clock", json_array_get(clocks, i % json_array_size(clocks)));
	assert_int_equal(json_dump_file(sc, dst, JSON_INDENT(2)), 0);
	json_decref(sc);
	json_decref(clocks);
}

/* Two free-running guest clocks (offset µs, drift ppm each), for no_network. */
static json_t *free_clocks(double offset1_us, double drift1_ppm, double offset2_us, double drift2_ppm)
{
	return json_pack("[{s:s, s:f, s:f}, {s:s, s:f, s:f}]", "mode", "none", "offset_us", offset1_us, "drift_ppm",
			 drift1_ppm, "mode", "none", "offset_us", offset2_us, "drift_ppm", drift2_ppm);
}

static void test_containment_without_network(void **state)
{
	(void)state;
	char dst[4400];
	no_network("no-network", NULL, dst, sizeof(dst));
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_AUTO, &r);
	check_identification(&r);
	check_guests(&r, VT_SYNC_ACCURATE, 5000, 0, VT_SYNC_CONTAINMENT);
	for (size_t k = 0; k < r.r->count; k++)
		if ((int)k != r.r->root) {
			const struct vt_clock_sync *c = &r.r->machines[k];
			assert_int_equal(c->matches_to_ref + c->matches_from_ref, 0);
			assert_true(c->contained_explained * 100 >= c->contained_events * 95);
		}
	run_free(&r);
}

/* Guest clocks seconds from the host's (as ftrace's mono clocks, which count
 * from each machine's boot), no network: containment's first search, a few
 * ms around the clocks as they are, finds nothing; its wide search must. */
static void test_containment_far_clocks(void **state)
{
	(void)state;
	char dst[4400];
	no_network("far-clocks", free_clocks(12148533.0, 21.0, -7205976.0, -17.0), dst, sizeof(dst));
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_AUTO, &r);
	check_identification(&r);
	check_guests(&r, VT_SYNC_ACCURATE, 5000, 0, VT_SYNC_CONTAINMENT);
	run_free(&r);
}

/* Guests whose vCPUs are nearly always in guest mode (20 ms bursts, 100 µs
 * sleeps, exits at 50 kHz: the large scenario's batch), free clocks seconds
 * off and 35 ppm fast, no network: most events fall inside some window at
 * any offset. Containment may place them only with a claim that holds;
 * else it must say it could not (seen: "+/- 77 µs", 26 ms off). */
static void test_containment_busy_vcpus(void **state)
{
	(void)state;
	char dst[4400];
	no_network("busy-vcpus", free_clocks(2500000.0, 35.0, -1730000.0, -35.0), dst, sizeof(dst));
	json_t *sc = json_load_file(dst, 0, NULL), *g;
	size_t i;
	assert_non_null(sc);
	json_array_foreach(json_object_get(sc, "guests"), i, g) {
		json_object_set_new(g, "exits", json_pack("{s:i}", "rate_hz", 50000));
		json_object_set_new(g, "threads",
				    json_pack("[{s:s, s:i, s:i, s:i}]", "name", "ffmpeg", "count", 2, "burst_us", 20000,
					      "sleep_us", 100));
	}
	assert_int_equal(json_dump_file(sc, dst, JSON_INDENT(2)), 0);
	json_decref(sc);
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_AUTO, &r);
	check_identification(&r);
	json_t *mj;
	json_array_foreach(json_object_get(r.truth, "machines"), i, mj) {
		if (strcmp(json_string_value(json_object_get(mj, "role")), "guest"))
			continue;
		int k = machine_of(&r, json_string_value(json_object_get(mj, "product_uuid")));
		const struct vt_clock_sync *c = &r.r->machines[k];
		int placed =
			c->accuracy_ns >= 0 && (c->quality == VT_SYNC_ACCURATE || c->quality == VT_SYNC_APPROXIMATE);
		int64_t err = max_error(&r, mj);
		printf("%s: %s %s, %zu of %zu inside, max error %lld ns, claimed +/- %lld ns: %s\n",
		       json_string_value(json_object_get(mj, "name")), vt_sync_method_name(c->method),
		       vt_sync_quality_name(c->quality), c->contained_explained, c->contained_events, (long long)err,
		       (long long)c->accuracy_ns, c->why);
		if (placed && err > c->accuracy_ns)
			fail_msg("%s: error %lld ns beyond the claimed +/- %lld ns",
				 json_string_value(json_object_get(mj, "name")), (long long)err,
				 (long long)c->accuracy_ns);
		if (!placed) { /* unplaced: no bound claimed, and why said */
			assert_true(c->accuracy_ns < 0);
			assert_non_null(strstr(c->why, "chance"));
		}
	}
	run_free(&r);
}

/* A wandering clock whose messages stop half way (every flow with guest1
 * ends at 20 s of 40): the knots' line goes on past the last knot with its
 * end segment's slope, and the claim must cover where the trace goes on
 * without messages (the nested testbed: 3 knots over 13 s of a guest's trace,
 * claimed +/- 9.8 ms, 14 ms off at the end). */
static void test_wandering_clock_messages_stop(void **state)
{
	(void)state;
	char dst[4400];
	long_ntp("ntp-stop", 20000, dst, sizeof(dst));
	struct run r = {0};
	simulate_and_sync(dst, VT_SYNC_HULL, &r);
	json_t *mj;
	size_t i;
	json_array_foreach(json_object_get(r.truth, "machines"), i, mj) {
		if (strcmp(json_string_value(json_object_get(mj, "name")), "guest1"))
			continue;
		int k = machine_of(&r, json_string_value(json_object_get(mj, "product_uuid")));
		const struct vt_clock_sync *c = &r.r->machines[k];
		int64_t worst = knots_error(&r, mj, c);
		printf("guest1: %s, %zu knots, max error %lld ns over its whole trace, claimed +/- %lld ns\n",
		       vt_sync_quality_name(c->quality), c->nknots, (long long)worst, (long long)c->accuracy_ns);
		assert_true(c->nknots >= 2);
		assert_true(c->accuracy_ns >= 0);
		if (worst > c->accuracy_ns)
			fail_msg("guest1: error %lld ns beyond the claimed +/- %lld ns", (long long)worst,
				 (long long)c->accuracy_ns);
	}
	run_free(&r);
}

static int setup(void **state)
{
	(void)state;
	tmp = vt_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vt_rmtree(tmp);
	free(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hull_ptp),
		cmocka_unit_test(test_vmsync),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_hull_ntp),
		cmocka_unit_test(test_trusted_ptp),
		cmocka_unit_test(test_containment_without_network),
		cmocka_unit_test(test_containment_far_clocks),
		cmocka_unit_test(test_containment_busy_vcpus),
		cmocka_unit_test(test_free_clocks_without_agent),
		cmocka_unit_test(test_guest_lifecycle),
		cmocka_unit_test(test_wandering_clock_piecewise),
		cmocka_unit_test(test_wandering_clock_messages_stop),
		cmocka_unit_test(test_identified_by_containment_alone),
		cmocka_unit_test(test_identified_by_vmsync),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
