/* The nested KVM testbed's recordings (tools/testbed, docs/testbed.md), each made by `vmtrace record`
 * (LTTng with the agent, LTTng without it, ftrace), checked against the manifest the traced host wrote
 * while recording: every guest identified (uuid <-> QEMU pid <-> vCPU threads), TCP hull sync ACCURATE
 * with no negative latency (LTTng; ftrace has no TCP header: placed by containment), per-vCPU totals
 * adding up, the host's CPU hog the top preemptor of at least one guest, the agent's
 * guest_created/guest_destroyed events, the recording without the agent paired correctly or plainly
 * not paired, and record.json: both guests recorded through their qemu-ga (the recording without the
 * agent: streamed to the lttng-relayd `vmtrace record --relay` ran on the host), the transient guest
 * (no guest agent) host-only; and the findings the emulated host calls for (no nested paging, the hog
 * a noisy neighbour); and the kernel's books (schedstat, guest_time, KVM's exits) met by our figures
 * within tolerances derived from their resolution (check_kernel_accounting).
 * Reads $VT_TESTBED_OUT, else out/testbed in the source tree; skips when there is no output or the
 * testbed was skipped (the emulator crashed twice, no download...). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testbed_manifest.h"
#include "testutil.h"

static char *out_dir;
enum { AGENT, NOAGENT, FTRACE, NREC };
static json_t *manifest[NREC];  /* agent, noagent, ftrace */
static json_t *analyzed[NREC];  /* vmtrace analyze --json */
static json_t *synced[NREC];    /* vmtrace sync --json */
static const char *rec_name[NREC] = {"agent", "noagent", "ftrace"};

static json_t *run_json(const char *command, int rec)
{
	struct vt_run run;
	vt_run_shell(&run, "%s %s --json '%s/%s'", vt_vmtrace_cmd(), command, out_dir, rec_name[rec]);
	/* sync exits 1 when a guest is placed badly: the ftrace recording's containment does (below). */
	int ok = run.status == 0 || (rec == FTRACE && !strcmp(command, "sync") && run.status == 1);
	if (!ok)
		fail_msg("vmtrace %s %s: status %d: %s", command, rec_name[rec], run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	if (!doc)
		fail_msg("vmtrace %s %s: not JSON; stderr: %s", command, rec_name[rec], run.err);
	vt_run_free(&run);
	return doc;
}

static json_t *analysis(int rec)
{
	if (!analyzed[rec])
		analyzed[rec] = run_json("analyze", rec);
	return analyzed[rec];
}

static json_t *sync_doc(int rec)
{
	if (!synced[rec])
		synced[rec] = run_json("sync", rec);
	return synced[rec];
}

static json_int_t int_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		fail_msg("\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static const char *str_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* Index of the machine with this product_uuid in doc["machines"], or -1. */
static int machine_index(json_t *doc, const char *uuid)
{
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(doc, "machines"), i, m)
	{
		if (strcmp(str_of(m, "product_uuid"), uuid) == 0)
			return (int)i;
	}
	return -1;
}

/* 1 when the machine's QEMU pid and vCPU threads are exactly the manifest guest's. */
static int pairing_matches(json_t *m, json_t *g, char *why, size_t len)
{
	json_t *pid = json_object_get(m, "qemu_pid");
	if (!json_is_integer(pid) || json_integer_value(pid) != int_of(g, "qemu_pid")) {
		snprintf(why, len, "QEMU pid %lld, the manifest says %lld",
			 json_is_integer(pid) ? (long long)json_integer_value(pid) : -1LL, (long long)int_of(g, "qemu_pid"));
		return 0;
	}
	json_t *want = json_object_get(g, "vcpus"), *have = json_object_get(m, "vcpus"), *w, *h;
	if (json_array_size(want) != json_array_size(have)) {
		snprintf(why, len, "%zu vCPUs, the manifest says %zu", json_array_size(have), json_array_size(want));
		return 0;
	}
	size_t i, j;
	json_array_foreach(want, i, w)
	{
		int found = 0;
		json_array_foreach(have, j, h)
		{
			if (int_of(h, "vcpu") == int_of(w, "id") && int_of(h, "tid") == int_of(w, "tid"))
				found = 1;
		}
		if (!found) {
			snprintf(why, len, "vCPU %lld is not thread %lld", (long long)int_of(w, "id"), (long long)int_of(w, "tid"));
			return 0;
		}
	}
	return 1;
}

static void check_identified(int rec)
{
	json_t *doc = analysis(rec), *g;
	size_t i;
	json_t *host = json_object_get(manifest[rec], "host");
	int h = machine_index(doc, str_of(host, "product_uuid"));
	if (h < 0 || strcmp(str_of(json_array_get(json_object_get(doc, "machines"), (size_t)h), "role"), "host"))
		fail_msg("the host (%s) is not identified as the host", str_of(host, "product_uuid"));
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		int k = machine_index(doc, str_of(g, "product_uuid"));
		if (k < 0)
			fail_msg("%s: %s (%s): no machine with that uuid", rec_name[rec], str_of(g, "name"),
				 str_of(g, "product_uuid"));
		json_t *m = json_array_get(json_object_get(doc, "machines"), (size_t)k);
		char why[256];
		if (strcmp(str_of(m, "role"), "guest") || !pairing_matches(m, g, why, sizeof(why)))
			fail_msg("%s: role %s, %s; evidence: %s", str_of(g, "name"), str_of(m, "role"),
				 strcmp(str_of(m, "role"), "guest") ? "not a guest" : why, str_of(m, "evidence"));
		printf("%s: %s = QEMU %lld, %zu vCPU threads as in the manifest (%s)\n", rec_name[rec], str_of(g, "name"),
		       (long long)int_of(g, "qemu_pid"), json_array_size(json_object_get(g, "vcpus")), str_of(m, "evidence"));
	}
}

static void test_guests_identified(void **state)
{
	(void)state;
	check_identified(AGENT);
	check_identified(FTRACE);
}

/* The manifest guest g's clock in sync's document, or fails. */
static json_t *guest_clock(json_t *doc, int rec, json_t *g)
{
	int k = machine_index(doc, str_of(g, "product_uuid"));
	if (k < 0)
		fail_msg("%s: %s is not among the synchronized machines", rec_name[rec], str_of(g, "name"));
	return json_array_get(json_object_get(doc, "clocks"), (size_t)k);
}

static void check_sync(int rec)
{
	json_t *doc = sync_doc(rec), *g;
	size_t i;
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		json_t *c = guest_clock(doc, rec, g);
		json_t *lat = json_object_get(c, "latency");
		json_int_t neg_to = int_of(json_object_get(lat, "to_reference"), "negative");
		json_int_t neg_from = int_of(json_object_get(lat, "from_reference"), "negative");
		printf("%s: %s clock: %s %s, latency count %lld/%lld, negative %lld/%lld\n", rec_name[rec], str_of(g, "name"),
		       str_of(c, "method"), str_of(c, "quality"),
		       (long long)int_of(json_object_get(lat, "to_reference"), "count"),
		       (long long)int_of(json_object_get(lat, "from_reference"), "count"), (long long)neg_to,
		       (long long)neg_from);
		/* The emulated guests' clocks may jump (seen: 14 ms ahead for half a
		 * second under a loaded emulator), which no line or knots follow:
		 * then the clock must say so (APPROXIMATE, the jump named) with an
		 * accuracy that covers every contradicting message. Else ACCURATE
		 * and no message received before it was sent. */
		int jumped = !strcmp(str_of(c, "quality"), "APPROXIMATE") && json_array_size(json_object_get(c, "knots")) >= 2 &&
			     strstr(str_of(c, "why"), "the clock jumped");
		/* The agent recording's guests ping (vmtraced --ping, init-l2): auto must use the pings. */
		const char *want = json_is_true(json_object_get(manifest[rec], "guest_pings")) ? "ping" : "hull";
		if (strcmp(str_of(c, "method"), want) || (strcmp(str_of(c, "quality"), "ACCURATE") && !jumped))
			fail_msg("%s: %s synchronized by %s, quality %s: %s", rec_name[rec], str_of(g, "name"),
				 str_of(c, "method"), str_of(c, "quality"), str_of(c, "why"));
		/* One line over both directions leaves no message received before it
		 * was sent. Knots (a hull per time window) are joined by lines that
		 * no hull drew: a message near a join may come out early, but by no
		 * more than the accuracy claimed (seen: one ping of 223, -43.5 us
		 * against +/- 61.3 us). */
		json_int_t accuracy = int_of(c, "accuracy_ns");
		int knotted = json_array_size(json_object_get(c, "knots")) >= 2;
		if (!jumped && !knotted) {
			assert_int_equal(neg_to, 0);
			assert_int_equal(neg_from, 0);
		}
		if (!jumped && knotted) {
			json_int_t min_to = neg_to ? int_of(json_object_get(lat, "to_reference"), "min_ns") : 0;
			json_int_t min_from = neg_from ? int_of(json_object_get(lat, "from_reference"), "min_ns") : 0;
			json_int_t early = min_to < min_from ? min_to : min_from;
			if (accuracy < 0 || early < -accuracy)
				fail_msg("%s: %s: a message received %lld ns before it was sent, beyond the claimed +/- %lld ns",
					 rec_name[rec], str_of(g, "name"), (long long)-early, (long long)accuracy);
		}
		json_int_t worst = 0;
		const char *way[] = {"to_reference", "from_reference"};
		for (int w = 0; w < 2; w++) {
			json_t *mn = json_object_get(json_object_get(lat, way[w]), "min_ns");
			if (json_is_integer(mn) && json_integer_value(mn) < worst)
				worst = json_integer_value(mn);
		}
		if (worst < 0 && -worst > int_of(c, "accuracy_ns"))
			fail_msg("%s: %s: a message %lld ns before it was sent, beyond the claimed +/- %lld ns", rec_name[rec],
				 str_of(g, "name"), (long long)-worst, (long long)int_of(c, "accuracy_ns"));
		if (jumped)
			printf("%s: %s's clock jumped: %s\n", rec_name[rec], str_of(g, "name"), str_of(c, "why"));
	}
}

/* t_ref of guest time t on a clock of `vmtrace sync --json`: its knots when
 * it has them (lines between, extended past the ends), else its line. */
static double clock_at(json_t *c, double t)
{
	json_t *k = json_object_get(c, "knots");
	size_t n = json_array_size(k);
	if (n >= 2) {
		size_t i = 0;
		while (i + 2 < n && json_number_value(json_array_get(json_array_get(k, i + 1), 0)) < t)
			i++;
		double x0 = json_number_value(json_array_get(json_array_get(k, i), 0));
		double y0 = json_number_value(json_array_get(json_array_get(k, i), 1));
		double x1 = json_number_value(json_array_get(json_array_get(k, i + 1), 0));
		double y1 = json_number_value(json_array_get(json_array_get(k, i + 1), 1));
		return y0 + (y1 - y0) / (x1 - x0) * (t - x0);
	}
	json_t *a = json_object_get(c, "anchor");
	return json_number_value(json_object_get(a, "y0_ns")) +
	       json_number_value(json_object_get(c, "slope")) * (t - json_number_value(json_object_get(a, "x0_ns")));
}

/* The span [from, to] of the guest's own traces (the machine's, as vmtrace info
 * names them), on its own clock. */
static void guest_span(int rec, json_t *g, double *from, double *to)
{
	static json_t *info[NREC];
	if (!info[rec])
		info[rec] = run_json("info", rec);
	json_t *t, *m, *paths = NULL;
	size_t i, j;
	*from = 0;
	*to = 0;
	json_array_foreach(json_object_get(info[rec], "machines"), i, m)
	if (!strcasecmp(str_of(m, "product_uuid"), str_of(g, "product_uuid")))
		paths = json_object_get(m, "traces");
	json_array_foreach(json_object_get(info[rec], "traces"), i, t)
	{
		int mine = 0;
		json_array_foreach(paths, j, m) mine |= !strcmp(json_string_value(m) ? json_string_value(m) : "", str_of(t, "path"));
		if (!mine)
			continue;
		double s = (double)int_of(t, "first_ns"), e = (double)int_of(t, "last_ns");
		if (*from == 0 || s < *from)
			*from = s;
		if (e > *to)
			*to = e;
	}
	if (*to <= *from)
		fail_msg("%s: %s: no trace of its own", rec_name[rec], str_of(g, "name"));
}

/* Issue 18: the guests' pings as the truth on a real recording. Each ping
 * bounds the guest's clock from both sides, so the hull over them is placed
 * within its claimed accuracy; every other method, run with the pings left
 * out, must land within its own claim of it (plus the ping's). */
static void ping_truth(int rec)
{
	if (!json_is_true(json_object_get(manifest[rec], "guest_pings"))) {
		printf("%s: recorded before the guests pinged (no guest_pings in its manifest): nothing to measure\n",
		       rec_name[rec]);
		return;
	}
	/* tsc: LTTng's and ftrace's clocks here are not TSC, so it falls back as auto does */
	static const char *const other[] = {"hull", "containment", "tsc", "trusted"};
	enum { NOTHER = 4 };
	json_t *docs[NOTHER];
	for (int m = 0; m < NOTHER; m++) {
		struct vt_run run;
		vt_run_shell(&run, "%s sync --json --ignore-pings --method %s '%s/%s'", vt_vmtrace_cmd(), other[m], out_dir,
			     rec_name[rec]);
		docs[m] = json_loads(run.out, 0, NULL);
		if (!docs[m])
			fail_msg("sync --method %s --ignore-pings: status %d: %s", other[m], run.status, run.err);
		vt_run_free(&run);
	}
	json_t *g;
	size_t i;
	printf("%s:\n%-8s %-12s %-11s %14s %12s %12s\n", rec_name[rec], "guest", "method", "quality", "offset_ns", "claimed_ns", "error_ns");
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		json_t *truth = guest_clock(sync_doc(rec), rec, g);
		/* a jumped guest clock (check_sync) is APPROXIMATE, its accuracy widened to cover the jump */
		int jumped = !strcmp(str_of(truth, "quality"), "APPROXIMATE") && strstr(str_of(truth, "why"), "the clock jumped");
		if (strcmp(str_of(truth, "method"), "ping") || (strcmp(str_of(truth, "quality"), "ACCURATE") && !jumped))
			fail_msg("%s: %s: no ping truth: %s %s: %s", rec_name[rec], str_of(g, "name"), str_of(truth, "method"),
				 str_of(truth, "quality"), str_of(truth, "why"));
		json_int_t ping_acc = int_of(truth, "accuracy_ns");
		json_t *lt = json_object_get(json_object_get(truth, "latency"), "to_reference");
		json_t *lf = json_object_get(json_object_get(truth, "latency"), "from_reference");
		/* each ping's bound is as wide as these two gaps together */
		printf("%-8s %-12s %-11s %14.0f %12lld %12s   (%lld pings; exit after ping_out p50 %lld, max %lld ns; "
		       "ping_back after entry p50 %lld, max %lld ns)\n",
		       str_of(g, "name"), "ping", str_of(truth, "quality"), json_number_value(json_object_get(truth, "offset_ns")),
		       (long long)ping_acc, "truth", (long long)int_of(lt, "count"), (long long)int_of(lt, "p50_ns"),
		       (long long)int_of(lt, "max_ns"), (long long)int_of(lf, "p50_ns"), (long long)int_of(lf, "max_ns"));
		double from, to;
		guest_span(rec, g, &from, &to);
		for (int m = 0; m < NOTHER; m++) {
			json_t *c = guest_clock(docs[m], rec, g);
			json_t *acc = json_object_get(c, "accuracy_ns");
			double worst = 0;
			for (int k = 0; k <= 50; k++) {
				double t = from + (to - from) * k / 50;
				double e = fabs(clock_at(c, t) - clock_at(truth, t));
				worst = e > worst ? e : worst;
			}
			char claimed[32] = "unbounded";
			if (json_is_integer(acc))
				snprintf(claimed, sizeof(claimed), "%lld", (long long)json_integer_value(acc));
			printf("%-8s %-12s %-11s %14.0f %12s %12.0f\n", str_of(g, "name"), str_of(c, "method"),
			       str_of(c, "quality"), json_number_value(json_object_get(c, "offset_ns")), claimed, worst);
			int placed = !strcmp(str_of(c, "quality"), "ACCURATE") || !strcmp(str_of(c, "quality"), "APPROXIMATE");
			if (placed && json_is_integer(acc) && worst > (double)(json_integer_value(acc) + ping_acc))
				fail_msg("%s: %s: %s (asked: %s) is %.0f ns off the pings' truth, beyond its claimed +/- %lld "
					 "ns (+ the pings' %lld)",
					 rec_name[rec], str_of(g, "name"), str_of(c, "method"), other[m], worst,
					 (long long)json_integer_value(acc), (long long)ping_acc);
		}
	}
	for (int m = 0; m < NOTHER; m++)
		json_decref(docs[m]);
}

static void test_ping_truth(void **state)
{
	(void)state;
	ping_truth(AGENT);
	ping_truth(FTRACE);
}

/* ftrace gives no TCP header: each guest placed by containment (its events in its vCPUs' guest-mode
 * windows). Its quality is printed, not asserted: on this emulated host only a quarter of the guests'
 * ftrace events fall inside their vCPU's windows at any one offset (LTTng's events of the same guests:
 * 95 %), which the sync work (issue #18) has to explain. */
static void check_placed(int rec)
{
	json_t *doc = sync_doc(rec), *g;
	size_t i;
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		json_t *c = guest_clock(doc, rec, g);
		printf("%s: %s clock: %s %s (%s)\n", rec_name[rec], str_of(g, "name"), str_of(c, "method"),
		       str_of(c, "quality"), str_of(c, "why"));
		if (strcmp(str_of(c, "method"), "containment") || !strcmp(str_of(c, "quality"), "ABSENT"))
			fail_msg("%s: %s synchronized by %s, quality %s: %s", rec_name[rec], str_of(g, "name"),
				 str_of(c, "method"), str_of(c, "quality"), str_of(c, "why"));
	}
}

static void test_sync_accurate(void **state)
{
	(void)state;
	check_sync(AGENT);
	check_sync(NOAGENT);
	/* ftrace guests ping through `vmtrace record`'s pinger (recordings since issue 18) */
	if (json_is_true(json_object_get(manifest[FTRACE], "guest_pings")))
		check_sync(FTRACE);
	else
		check_placed(FTRACE);
}

static void check_totals(int rec)
{
	json_t *doc = analysis(rec), *v, *g, *mv;
	size_t i, j, k;
	json_array_foreach(json_object_get(doc, "vcpus"), i, v)
	{
		json_t *x;
		const char *key;
		json_int_t sum = 0;
		json_object_foreach(json_object_get(v, "totals_ns"), key, x) sum += json_integer_value(x);
		if (sum != int_of(v, "end_ns") - int_of(v, "start_ns"))
			fail_msg("vCPU thread %lld: totals add up to %lld, observed %lld", (long long)int_of(v, "tid"),
				 (long long)sum, (long long)(int_of(v, "end_ns") - int_of(v, "start_ns")));
	}
	/* Every vCPU of the manifest is modelled on its thread, and ran guest code. */
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		json_array_foreach(json_object_get(g, "vcpus"), j, mv)
		{
			int found = 0;
			json_array_foreach(json_object_get(doc, "vcpus"), k, v)
			{
				if (int_of(v, "tid") != int_of(mv, "tid"))
					continue;
				found = 1;
				assert_int_equal(int_of(v, "qemu_pid"), int_of(g, "qemu_pid"));
				assert_int_equal(int_of(v, "vcpu"), int_of(mv, "id"));
				assert_true(int_of(json_object_get(v, "totals_ns"), "GUEST") > 0);
			}
			if (!found)
				fail_msg("%s vCPU %lld (tid %lld) is not among the analyzed vCPUs", str_of(g, "name"),
					 (long long)int_of(mv, "id"), (long long)int_of(mv, "tid"));
			printf("%s: %s vCPU %lld (tid %lld): analyzed on its thread, ran guest code\n", rec_name[rec],
			       str_of(g, "name"), (long long)int_of(mv, "id"), (long long)int_of(mv, "tid"));
		}
	}
}

static void test_vcpu_totals(void **state)
{
	(void)state;
	check_totals(AGENT);
	check_totals(FTRACE);
}

/* Whether tid runs a vCPU of some guest (then it is a guest, not a host thread). */
static int is_vcpu_thread(json_t *doc, json_int_t tid)
{
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(doc, "vcpus"), i, v)
	if (int_of(v, "tid") == tid)
		return 1;
	return 0;
}

/* The hog is the host thread that took most from at least one guest (other
 * guests' vCPUs, which also compete for the pCPUs, are not host threads). */
static void test_hog_top_preemptor(void **state)
{
	(void)state;
	json_t *doc = analysis(0), *g, *v, *p;
	size_t i, j, k;
	json_int_t hog = int_of(json_object_get(manifest[0], "host"), "cpu_hog_pid");
	int hog_tops = 0;
	json_array_foreach(json_object_get(manifest[0], "guests"), i, g)
	{
		/* PREEMPTED time of all the guest's vCPUs, per holder. */
		json_t *by = json_object();
		json_array_foreach(json_object_get(doc, "vcpus"), j, v)
		{
			if (int_of(v, "qemu_pid") != int_of(g, "qemu_pid"))
				continue;
			json_array_foreach(json_object_get(v, "preempted_by"), k, p)
			{
				char tid[32];
				snprintf(tid, sizeof(tid), "%lld", (long long)int_of(p, "tid"));
				json_t *cur = json_object_get(by, tid);
				json_object_set_new(by, tid, json_integer((cur ? json_integer_value(cur) : 0) + int_of(p, "ns")));
			}
		}
		const char *key, *top = NULL;
		json_t *x;
		json_int_t best = -1;
		json_object_foreach(by, key, x)
		{
			if (atoll(key) <= 0 || is_vcpu_thread(doc, atoll(key)))
				continue; /* idle pCPU, or a guest */
			if (json_integer_value(x) > best) {
				best = json_integer_value(x);
				top = key;
			}
		}
		printf("%s: top preempting host thread tid %s (%lld ns); the hog is %lld\n", str_of(g, "name"), top ? top : "none",
		       (long long)best, (long long)hog);
		if (top && atoll(top) == hog)
			hog_tops++;
		json_decref(by);
	}
	if (hog_tops == 0)
		fail_msg("the CPU hog (pid %lld) is the top preempting host thread of no guest", (long long)hog);
}

/* The sync's claimed accuracy for the manifest guest named name (-1: none). */
static json_int_t guest_accuracy(int rec, const char *name)
{
	json_t *g;
	size_t i;
	json_array_foreach(json_object_get(manifest[rec], "guests"), i, g)
	{
		if (strcmp(str_of(g, "name"), name))
			continue;
		json_t *c = guest_clock(sync_doc(rec), rec, g);
		json_t *a = json_object_get(c, "accuracy_ns");
		return json_is_integer(a) ? json_integer_value(a) : -1;
	}
	return -1;
}

/* A trace-quality finding that only says what sync claims: the guest's clock
 * accuracy it names is the one sync printed (on this emulated host the hull
 * claims +/- 0.6-1 ms: times the guest's context switches, a share of its
 * time that crosses the rule's threshold on some runs, not on others). */
static int trace_quality_follows(int r, json_t *f)
{
	json_int_t claimed = guest_accuracy(r, str_of(f, "guest_name"));
	json_t *said = json_object_get(json_object_get(f, "evidence"), "accuracy_ns");
	return claimed > 0 && json_is_number(said) && (json_int_t)json_number_value(said) == claimed;
}

/* The findings (docs/findings.md) of the LTTng recordings: the emulated host
 * runs KVM without nested paging and beside a CPU hog, so every guest gets
 * no-nested-paging and the hog is a host-noisy-neighbour of at least one;
 * vcpu-overcommit is allowed only when the guests' vCPUs outnumber the host's
 * CPUs; trace-quality only as what the guest's clock sync claims
 * (trace_quality_follows); nothing else. ftrace's are printed (its guests' clocks are placed by
 * containment, whose quality there is still under study). */
static void test_findings(void **state)
{
	(void)state;
	json_int_t hog = int_of(json_object_get(manifest[0], "host"), "cpu_hog_pid");
	for (int r = 0; r < NREC; r++) {
		json_t *doc = analysis(r), *f, *g;
		json_t *fs = json_object_get(doc, "findings");
		json_int_t cpus = int_of(json_object_get(manifest[r], "host"), "cpus"), vcpus = 0;
		size_t i, j;
		json_array_foreach(json_object_get(manifest[r], "guests"), i, g)
			vcpus += (json_int_t)json_array_size(json_object_get(g, "vcpus"));
		int noisy = 0;
		json_array_foreach(fs, j, f)
		{
			const char *id = str_of(f, "id");
			printf("%s: finding %s %s %s: %s\n", rec_name[r], str_of(f, "severity"), id, str_of(f, "guest_name"),
			       str_of(f, "summary"));
			if (r == FTRACE)
				continue;
			if (!strcmp(id, "host-noisy-neighbour"))
				noisy += int_of(f, "tid") == hog;
			else if (!strcmp(id, "vcpu-overcommit") && vcpus > cpus)
				continue;
			else if (!strcmp(id, "trace-quality") && trace_quality_follows(r, f))
				continue;
			else if (strcmp(id, "no-nested-paging"))
				fail_msg("%s: %s is not what this recording shows (%lld vCPUs on %lld CPUs)", rec_name[r], id,
					 (long long)vcpus, (long long)cpus);
		}
		if (r == FTRACE)
			continue;
		if (!noisy)
			fail_msg("%s: the hog (pid %lld) is no guest's host-noisy-neighbour", rec_name[r], (long long)hog);
		json_array_foreach(json_object_get(manifest[r], "guests"), i, g)
		{
			int paging = 0;
			json_array_foreach(fs, j, f) paging |= !strcmp(str_of(f, "id"), "no-nested-paging") &&
							      !strcmp(str_of(f, "guest_name"), str_of(g, "name"));
			if (!paging)
				fail_msg("%s: no no-nested-paging finding for %s", rec_name[r], str_of(g, "name"));
		}
	}
}

/* The values of "FIELD = N" in the babeltrace2 lines of EVENT. */
static json_t *field_values(const char *text, const char *event, const char *field)
{
	json_t *vals = json_array();
	char needle[128], key[64];
	snprintf(needle, sizeof(needle), "%s:", event);
	snprintf(key, sizeof(key), " %s = ", field);
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) {
		const char *eol = strchr(p, '\n');
		const char *f = strstr(p, key);
		if (f && (!eol || f < eol))
			json_array_append_new(vals, json_integer(atoll(f + strlen(key))));
	}
	return vals;
}

static int contains(json_t *vals, json_int_t x)
{
	json_t *v;
	size_t i;
	json_array_foreach(vals, i, v) if (json_integer_value(v) == x) return 1;
	return 0;
}

static void test_agent_events(void **state)
{
	(void)state;
	vt_require_program("babeltrace2");
	struct vt_run run;
	vt_run_shell(&run, "babeltrace2 '%s/agent/host/ust'", out_dir);
	if (run.status != 0)
		fail_msg("babeltrace2 on the host's UST trace: status %d: %s", run.status, run.err);
	json_t *created = field_values(run.out, "vmtrace:guest_created", "pid");
	json_t *destroyed = field_values(run.out, "vmtrace:guest_destroyed", "pid");
	json_t *dumped = field_values(run.out, "vmtrace:guest", "pid");
	json_t *t, *g;
	size_t i;
	json_t *transient = json_object_get(manifest[0], "transient_guests");
	printf("agent: %zu guest_created, %zu guest_destroyed, %zu guests in statedumps; %zu transient guests in the manifest\n",
	       json_array_size(created), json_array_size(destroyed), json_array_size(dumped), json_array_size(transient));
	assert_true(json_array_size(transient) > 0);
	/* Exactly the guests created and destroyed while tracing, once each. */
	assert_int_equal(json_array_size(created), json_array_size(transient));
	assert_int_equal(json_array_size(destroyed), json_array_size(transient));
	json_array_foreach(transient, i, t)
	{
		if (!contains(created, int_of(t, "qemu_pid")) || !contains(destroyed, int_of(t, "qemu_pid")))
			fail_msg("transient guest QEMU %lld: created/destroyed events missing", (long long)int_of(t, "qemu_pid"));
	}
	/* The statedump at the start names every running guest. */
	json_array_foreach(json_object_get(manifest[0], "guests"), i, g)
	{
		if (!contains(dumped, int_of(g, "qemu_pid")))
			fail_msg("%s (QEMU %lld) is in no statedump", str_of(g, "name"), (long long)int_of(g, "qemu_pid"));
	}
	json_decref(created);
	json_decref(destroyed);
	json_decref(dumped);
	vt_run_free(&run);
	/* Each guest's own agent wrote its machine identity. */
	json_array_foreach(json_object_get(manifest[0], "guests"), i, g)
	{
		vt_run_shell(&run, "babeltrace2 '%s/agent/%s/ust' | grep -c 'vmtrace:machine:.*product_uuid = \"%s\"'", out_dir,
			     str_of(g, "name"), str_of(g, "product_uuid"));
		if (run.status != 0)
			fail_msg("%s: no vmtrace:machine event with its uuid in its UST trace: %s", str_of(g, "name"), run.err);
		vt_run_free(&run);
	}
}

static void test_agentless(void **state)
{
	(void)state;
	json_t *doc = analysis(1), *g;
	size_t i;
	json_array_foreach(json_object_get(manifest[1], "guests"), i, g)
	{
		int k = machine_index(doc, str_of(g, "product_uuid"));
		if (k < 0)
			fail_msg("noagent: %s (%s): no machine with that uuid", str_of(g, "name"), str_of(g, "product_uuid"));
		json_t *m = json_array_get(json_object_get(doc, "machines"), (size_t)k);
		if (strcmp(str_of(m, "role"), "guest"))
			fail_msg("noagent: %s has role %s", str_of(g, "name"), str_of(m, "role"));
		char why[256];
		if (json_is_null(json_object_get(m, "qemu_pid"))) {
			/* Not paired: then it must say so, plainly. */
			if (strlen(str_of(m, "evidence")) < 10)
				fail_msg("noagent: %s not paired and no evidence says why", str_of(g, "name"));
			printf("noagent: %s NOT paired: %s\n", str_of(g, "name"), str_of(m, "evidence"));
		} else if (!pairing_matches(m, g, why, sizeof(why))) {
			fail_msg("noagent: %s paired wrongly: %s; evidence: %s", str_of(g, "name"), why, str_of(m, "evidence"));
		} else {
			printf("noagent: %s = QEMU %lld and its vCPU threads, from the traces alone (%s)\n", str_of(g, "name"),
			       (long long)int_of(g, "qemu_pid"), str_of(m, "evidence"));
		}
	}
}

/* record.json of each recording: done; both guests recorded through their guest agent (their start
 * latency printed); the transient guest, which has no guest agent, host-only and saying so. */
static void test_record_json(void **state)
{
	(void)state;
	for (int r = 0; r < NREC; r++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s-record.json", out_dir, rec_name[r]);
		json_error_t e;
		json_t *doc = json_load_file(path, 0, &e), *g, *mg;
		if (!doc)
			fail_msg("%s: %s", path, e.text);
		assert_string_equal(str_of(doc, "status"), "done");
		assert_int_equal(json_is_true(json_object_get(doc, "agent")), r != NOAGENT);
		/* noagent: --relay, the guests' traces streamed to the host's lttng-relayd */
		assert_int_equal(json_is_string(json_object_get(doc, "relay")), r == NOAGENT);
		json_t *host = json_object_get(doc, "host");
		printf("%s: host %s, first event %lld ms after start, lost %lld\n", rec_name[r], str_of(host, "tracer"),
		       (long long)int_of(host, "first_event_ms"), (long long)int_of(host, "lost_events"));
		json_t *cpu = json_object_get(host, "recorder_cpu_s");
		printf("%s: the recorder's own CPU: %.2f s (vmtrace record) + %.2f s (daemons it started) over %.1f s\n",
		       rec_name[r], json_real_value(json_object_get(cpu, "vmtrace")),
		       json_real_value(json_object_get(cpu, "children")), json_real_value(json_object_get(doc, "duration_s")));
		size_t i, j;
		json_array_foreach(json_object_get(manifest[r], "guests"), i, mg)
		{
			int found = 0;
			json_array_foreach(json_object_get(doc, "guests"), j, g)
			{
				if (int_of(g, "pid") != int_of(mg, "qemu_pid"))
					continue;
				found = 1;
				if (!json_is_true(json_object_get(g, "recorded")))
					fail_msg("%s: %s not recorded: %s", rec_name[r], str_of(mg, "name"), str_of(g, "why_not"));
				assert_string_equal(str_of(g, "path"), str_of(mg, "name"));
				if (json_is_true(json_object_get(g, "relayed")) != (r == NOAGENT))
					fail_msg("%s: %s %s streamed to the relay (notes: %s)", rec_name[r], str_of(mg, "name"),
						 r == NOAGENT ? "not" : "", str_of(g, "notes"));
				printf("%s: %s recorded through qemu-ga %s (%s%s), session started %lld ms after the recording\n",
				       rec_name[r], str_of(mg, "name"), str_of(g, "guest_agent"), str_of(g, "tracer"),
				       json_is_true(json_object_get(g, "relayed")) ? ", streamed to the relay" : "",
				       (long long)int_of(g, "start_latency_ms"));
			}
			if (!found)
				fail_msg("%s: %s is not in record.json", rec_name[r], str_of(mg, "name"));
		}
		json_array_foreach(json_object_get(manifest[r], "transient_guests"), i, mg)
		{
			int found = 0;
			json_array_foreach(json_object_get(doc, "guests"), j, g)
			{
				if (int_of(g, "pid") != int_of(mg, "qemu_pid"))
					continue;
				found = 1;
				assert_string_equal(str_of(g, "state"), "host-only");
				assert_non_null(strstr(str_of(g, "why_not"), "guest agent"));
				assert_true(json_is_true(json_object_get(g, "created_during_recording")));
				printf("%s: transient guest host-only: %s\n", rec_name[r], str_of(g, "why_not"));
			}
			if (!found)
				fail_msg("%s: the transient guest (QEMU %lld) is not in record.json", rec_name[r],
					 (long long)int_of(mg, "qemu_pid"));
		}
		json_decref(doc);
	}
}

/* The kernel's books against ours (issue 21). analyze reads a recording's
 * record.json from its folder; the testbed keeps it beside, as REC-record.json,
 * so each recording's host trace is analyzed again in a folder of its own with
 * that record.json (the guests' traces are not needed: the figures compared
 * are the host's).
 *
 * Tolerances, from what each counter can resolve:
 * - run (schedstat's first field, se.sum_exec_runtime): Debian's kernel has
 *   CONFIG_IRQ_TIME_ACCOUNTING, so the interrupt and softirq handlers that ran
 *   on the thread's CPU while it was current are not charged to it: ours is
 *   the range [switches' time - those handlers' time, switches' time] and the
 *   distance of the kernel's figure from it is asserted (a fresh testbed's
 *   noagent guest, streaming its trace over TCP, had 0.41 s of handlers in
 *   60 s and the kernel's run 1.33 % below our switches' time, inside the
 *   range); ns, but a thread on a
 *   CPU when read has up to one kernel tick of run time not yet added
 *   (update_curr runs at ticks and switches): 2 ticks at each read's end,
 *   20 ms at HZ=100 (the slowest common), plus 1 % for the µs between a
 *   sched_switch's timestamp and the runqueue clock, summed over switches;
 * - wait (run_delay): added when the thread gets the CPU, so a wait under way
 *   at a read is missing, and counted from the enqueue where we count from
 *   sched_wakeup: 20 ms + 8 % (measured on this emulated host: ours 0.5-5.2 %
 *   below the kernel's in all three recordings, never above: what the
 *   remaining few % are is open, issue 21);
 * - guest_time is a sample, not a clock: each host tick adds a whole tick
 *   to it when it finds the thread in guest mode (docs/json.md). Our
 *   continuous GUEST time is printed beside it, and only printed: the
 *   sampling error of independent samples (3 sqrt(N) + 2 USER_HZ ticks +
 *   1 %) does not hold when the guests' runs are in step with the host's
 *   tick (on this emulated host ours was 17-55 % above it, and once, in a
 *   CI testbed, 10.3 % below: guest2's 10.66 s against 11.89 s). What is
 *   asserted is the sample itself: the host's
 *   ticks are traced, and our count of those that found the thread in guest
 *   mode (guest_ticks) must meet guest_time within the resolution of both:
 *   one USER_HZ unit at each read (the kernel rounds down), one host tick at
 *   each end of the span, and 1 % for ticks placed on the wrong side of an
 *   exit. This host's kernel (SVM, 6.1) traces kvm_exit after KVM took the
 *   interrupts pending at the exit (in guest accounting) and, once out of
 *   it, the ones that came later: a tick between entry and exit is surely
 *   guest time only when it is the first host code after the entry and the
 *   exit is an interrupt's. Ours is then a range (those; all ticks between
 *   entry and exit) and the kernel's must lie in it. A narrower lower end
 *   (every tick before an interrupt exit) failed once: a fresh CI testbed's
 *   guest2 had 67 such ticks the kernel did not count;
 * - exits: KVM adds one to stat.exits for each exit and the kvm_exit event
 *   marks each: exact, but for the exits between a read's monotonic time and
 *   its file read: 4 per vCPU, plus the VM's exit rate over 20 ms (reading
 *   ~60 debugfs files takes milliseconds on this emulated host; measured +14
 *   of 133486 in 140 s). Only when the host's tracer lost no
 *   event (else printed, not asserted). */
/* The exits traced on the vCPU thread tid (analyze's exits[] counts). */
static json_int_t vcpu_exits(int r, json_int_t tid)
{
	json_t *v, *e;
	size_t i, j;
	json_int_t n = 0;
	json_array_foreach(json_object_get(analysis(r), "vcpus"), i, v)
	{
		if (int_of(v, "tid") != tid)
			continue;
		json_array_foreach(json_object_get(v, "exits"), j, e) n += int_of(e, "count");
	}
	return n;
}

static void check_kernel_accounting(int r, int trace_books)
{
	char *tmp = vt_mkdtemp(), path[4400];
	struct vt_run run;
	if (trace_books) /* the host trace alone: the books vmtraced wrote into it */
		vt_run_shell(&run, "cp -r '%s/%s/host' '%s/host'", out_dir, rec_name[r], tmp);
	else
		vt_run_shell(&run, "cp -r '%s/%s/host' '%s/host' && cp '%s/%s-record.json' '%s/record.json'", out_dir,
			     rec_name[r], tmp, out_dir, rec_name[r], tmp);
	if (run.status)
		fail_msg("%s: copying the host trace and record.json: %s", rec_name[r], run.err);
	vt_run_free(&run);
	const char *how = trace_books ? "the agent's books in the trace" : "record.json";
	printf("%s, books from %s:\n", rec_name[r], how);
	vt_run_shell(&run, "%s analyze --json '%s'", vt_vmtrace_cmd(), tmp);
	if (run.status)
		fail_msg("%s: analyze of the host trace with record.json: %s", rec_name[r], run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	vt_run_free(&run);
	snprintf(path, sizeof(path), "%s", tmp);
	vt_rmtree(path);
	free(tmp);
	json_t *ka = json_object_get(doc, "kernel_accounting"), *v;
	if (!json_is_object(ka) || !json_is_true(json_object_get(ka, "compared")))
		fail_msg("%s: no kernel accounting compared from %s: %s", rec_name[r], how, str_of(ka, "why_not"));
	int exact = int_of(ka, "lost_events") == 0;
	double worst = 0;
	const char *worst_what = "none";
	size_t i, n = 0;
	double span_s = 1;
	json_array_foreach(json_object_get(ka, "vcpus"), i, v) {
		static const char *what[] = {"run", "wait", "guest_time"};
		if (strcmp(str_of(v, "source"), trace_books ? "trace" : "record.json"))
			fail_msg("%s: vCPU %lld: books from %s, not %s", rec_name[r], (long long)int_of(v, "vcpu"),
				 str_of(v, "source"), how);
		if ((double)int_of(v, "span_ns") / 1e9 > span_s)
			span_s = (double)int_of(v, "span_ns") / 1e9;
		static const double rel_tol[] = {0.01, 0.08, 0.01};
		printf("%s: %s vCPU %lld (tid %lld), %.3f s:", rec_name[r], str_of(v, "guest"), (long long)int_of(v, "vcpu"),
		       (long long)int_of(v, "tid"), (double)int_of(v, "span_ns") / 1e9);
		for (int k = 0; k < 3; k++) {
			json_t *c = json_object_get(v, what[k]);
			if (!json_is_object(c))
				fail_msg("%s: vCPU %lld: the kernel's %s is unknown", rec_name[r], (long long)int_of(v, "vcpu"),
					 what[k]);
			double ours = (double)int_of(c, "ours"), kern = (double)int_of(c, "kernel"), d = fabs(ours - kern);
			if (k == 0) { /* a range: the lower end leaves out interrupt handlers' time (IRQ_TIME_ACCOUNTING) */
				d = (double)int_of(c, "outside");
				printf(" run ours %.3f to %.3f s", ours / 1e9, (double)int_of(c, "ours_max") / 1e9);
				ours = (double)int_of(c, "ours_max");
			}
			double tol = 20e6 + rel_tol[k] * kern;
			if (k == 2) {
				double tick = 1e9 / (double)int_of(v, "clk_tck"), ticks = kern / tick;
				tol = (3 * sqrt(ticks) + 2) * tick + 0.01 * kern;
				if (d > tol) {
					printf(" guest_time ours %.3f s %s the kernel's %.3f s (%+.2f%%, %lld exits traced: not "
					       "asserted, see above);", ours / 1e9, ours > kern ? "ABOVE" : "BELOW", kern / 1e9,
					       100 * (ours - kern) / kern, (long long)vcpu_exits(r, int_of(v, "tid")));
					continue;
				}
			}
			if (k == 0)
				printf(" kernel %.3f s (%+.2f%% of the upper end);", kern / 1e9,
				       kern ? 100 * (ours - kern) / kern : 0);
			else
				printf(" %s ours %.3f s kernel %.3f s (%+.2f%%);", what[k], ours / 1e9, kern / 1e9,
				       kern ? 100 * (ours - kern) / kern : 0);
			if (kern > 0 && d / kern > worst) {
				worst = d / kern;
				worst_what = what[k];
			}
			if (d > tol)
				fail_msg("%s: vCPU %lld: %s ours %.0f ns, the kernel's %.0f ns: %.0f ns apart, beyond %.0f ns",
					 rec_name[r], (long long)int_of(v, "vcpu"), what[k], ours, kern, d, tol);
		}
		/* The same sample: the ticks that found the thread in guest mode. */
		json_t *at = json_object_get(v, "guest_ticks");
		if (!json_is_object(at))
			fail_msg("%s: vCPU %lld: no guest time at the host's ticks (tick_ns %lld, %lld ticks on the thread)",
				 rec_name[r], (long long)int_of(v, "vcpu"),
				 json_is_integer(json_object_get(v, "tick_ns")) ? (long long)int_of(v, "tick_ns") : -1LL,
				 (long long)int_of(v, "ticks_on_thread"));
		double ours = (double)int_of(at, "ours"), ours_max = (double)int_of(at, "ours_max");
		double kern = (double)int_of(at, "kernel"), off = (double)int_of(at, "outside");
		double tol = 2 * 1e9 / (double)int_of(v, "clk_tck") + 2 * (double)int_of(v, "tick_ns") + 0.01 * kern;
		printf(" at its %lld ticks (%lld to %lld in guest mode) ours %.3f to %.3f s (%s)",
		       (long long)int_of(v, "ticks_on_thread"), (long long)int_of(v, "ticks_in_guest"),
		       (long long)int_of(v, "ticks_in_guest_max"), ours / 1e9, ours_max / 1e9, off ? "OUTSIDE" : "inside");
		if (kern > 0 && off / kern > worst) {
			worst = off / kern;
			worst_what = "guest_time outside ours at ticks";
		}
		if (off > tol)
			fail_msg("%s: vCPU %lld: guest time at the host's ticks %.0f to %.0f ns, the kernel's guest_time "
				 "%.0f ns: %.0f ns outside, beyond %.0f ns", rec_name[r], (long long)int_of(v, "vcpu"), ours,
				 ours_max, kern, off, tol);
		printf("\n");
		n++;
	}
	assert_true(n > 0);
	json_array_foreach(json_object_get(ka, "vms"), i, v) {
		json_t *c = json_object_get(v, "exits");
		if (!json_is_object(c)) {
			vt_skip_part(VT_SKIP_NO_KVM_IN_L1, "%s: QEMU %lld: no KVM exits counter in debugfs", rec_name[r],
				     (long long)int_of(v, "qemu_pid"));
			continue;
		}
		json_int_t ours = int_of(c, "ours"), kern = int_of(c, "kernel"), d = ours > kern ? ours - kern : kern - ours;
		printf("%s: QEMU %lld exits ours %lld, KVM's %lld (%+lld)\n", rec_name[r], (long long)int_of(v, "qemu_pid"),
		       (long long)ours, (long long)kern, (long long)(ours - kern));
		if (kern > 0 && (double)d / (double)kern > worst) {
			worst = (double)d / (double)kern;
			worst_what = "exits";
		}
		/* The exits of the time each read takes: ~60 debugfs files, milliseconds on this emulated host. */
		json_int_t tol = 4 * (json_int_t)n + (json_int_t)((double)kern / span_s * 0.02);
		/* From the agent's books: the first testbed run had one VM 92 of 130586
		 * exits (0.07 %) short of KVM's in the ftrace recording, the other VMs
		 * within 1; the cause is open (issue 21), so 0.1 % there. */
		if (trace_books && tol < kern / 1000)
			tol = kern / 1000;
		if (exact && d > tol)
			fail_msg("%s: QEMU %lld: %lld exits traced, KVM counted %lld, with no event lost", rec_name[r],
				 (long long)int_of(v, "qemu_pid"), (long long)ours, (long long)kern);
	}
	printf("%s: largest relative difference %.3f%% (%s)%s\n", rec_name[r], 100 * worst, worst_what,
	       exact ? "" : ", events were lost: exits not asserted");
	json_decref(doc);
}

static void test_kernel_accounting(void **state)
{
	(void)state;
	/* With record.json (vmtrace record's reads), then without: vmtraced's
	 * books in the trace (every recording but noagent has the agent). */
	for (int r = 0; r < NREC; r++) {
		check_kernel_accounting(r, 0);
		if (strcmp(rec_name[r], "noagent"))
			check_kernel_accounting(r, 1);
	}
}

int main(void)
{
	const char *env = getenv("VT_TESTBED_OUT");
	out_dir = strdup(env && *env ? env : vt_source_path("out/testbed"));
	char path[4200];
	snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
	struct stat st;
	if (stat(path, &st) != 0)
		vt_skip(VT_SKIP_NO_TESTBED, "no testbed output in %s (run `make testbed`, or set VT_TESTBED_OUT)", out_dir);
	json_t *top = json_load_file(path, 0, NULL);
	const char *status = top ? json_string_value(json_object_get(top, "status")) : NULL;
	if (!status) {
		printf("FAIL: %s is not a testbed manifest\n", path);
		return 1;
	}
	if (strcmp(status, "skipped") == 0 || strcmp(status, "running") == 0)
		vt_skip(vt_testbed_skip_reason(top), "the testbed was %s: %s", status,
			json_string_value(json_object_get(top, "reason")));
	if (strcmp(status, "ok") != 0) {
		printf("FAIL: the testbed %s: %s\n", status, json_string_value(json_object_get(top, "reason")));
		return 1;
	}
	for (int r = 0; r < NREC; r++) {
		snprintf(path, sizeof(path), "%s/%s/manifest.json", out_dir, rec_name[r]);
		json_error_t err;
		manifest[r] = json_load_file(path, 0, &err);
		if (!manifest[r]) {
			printf("FAIL: %s: %s\n", path, err.text);
			return 1;
		}
	}
	printf("testbed output %s, recorded %s\n", out_dir, str_of(manifest[0], "recorded"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guests_identified), cmocka_unit_test(test_sync_accurate),
		cmocka_unit_test(test_vcpu_totals),       cmocka_unit_test(test_hog_top_preemptor),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_agent_events),      cmocka_unit_test(test_agentless),
		cmocka_unit_test(test_record_json),
		cmocka_unit_test(test_kernel_accounting),
		cmocka_unit_test(test_ping_truth),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (int r = 0; r < NREC; r++) {
		json_decref(manifest[r]);
		json_decref(analyzed[r]);
		json_decref(synced[r]);
	}
	json_decref(top);
	free(out_dir);
	return rc;
}
