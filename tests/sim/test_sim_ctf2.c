/* vmtrace-sim --format ctf2: for every shipped scenario (kernel-only and with the
 * agent's UST traces, two guests, ticks, pings), every data stream and
 * truth.json is byte for byte what --format ctf writes with the same seed;
 * each CTF 2 metadata (a bare JSON text sequence, not metadata packets)
 * reads, with the native parser, into the trace class its CTF 1.8 twin reads
 * into, but for what LTTng 2.14 says otherwise (vt_ctf_ir_assert_lttng214:
 * labels without '_', no padding members, tracer 2.14.0); and the native
 * reader gives the same events, one by one, from both outputs. How the CTF 2
 * is laid out (aliases, relative locations, framing) is
 * tests/sources/test_ctf2_lttng214.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctf_ir_compare.h"
#include "testutil.h"
#include "same_events.h"

static void simulate(const char *scenario, const char *format, const char *out)
{
	struct vt_run r;
	vt_run_shell(&r, "'%s' '%s' -o '%s' --seed 7 --duration-ms 300 --format %s", vt_build_path("vmtrace-sim"),
		     vt_source_path(scenario), out, format);
	if (r.status != 0)
		fail_msg("vmtrace-sim %s --format %s: %s", scenario, format, r.err);
	vt_run_free(&r);
}

/* One metadata pair: CTF 1.8 packets and CTF 2 JSON, the same trace class. */
static void same_metadata(const char *ctf1, const char *ctf2)
{
	size_t len;
	char *text = vt_read_file(ctf2, &len);
	assert_non_null(text);
	if (len < 2 || text[0] != 0x1E || text[1] != '{' || text[len - 1] != (strstr(ctf2, "/ust/") ? '}' : '\n'))
		fail_msg("%s: not a JSON text sequence (with LTTng's line feed for a kernel trace, none for UST)",
			 ctf2);
	free(text);
	struct vt_ctf_trace_class *a = vt_ctf_ir_load(ctf1), *b = vt_ctf_ir_load(ctf2);
	assert_int_equal(a->major, 1);
	assert_int_equal(b->major, 2);
	assert_true(b->nevents > 0);
	vt_ctf_ir_assert_lttng214(a, b, ctf2);
	vt_ctf_trace_class_free(a);
	vt_ctf_trace_class_free(b);
}

static void scenario(const char *name, size_t min_metadata)
{
	char *d1 = vt_mkdtemp(), *d2 = vt_mkdtemp();
	simulate(name, "ctf", d1);
	simulate(name, "ctf2", d2);
	struct vt_run r1, r2;
	vt_run_shell(&r1, "cd '%s' && find . -type f | sort", d1);
	vt_run_shell(&r2, "cd '%s' && find . -type f | sort", d2);
	assert_int_equal(r1.status, 0);
	assert_string_equal(r1.out, r2.out);
	size_t files = 0, metadata = 0;
	for (char *line = strtok(r1.out, "\n"); line; line = strtok(NULL, "\n"), files++) {
		char p1[4200], p2[4200];
		snprintf(p1, sizeof(p1), "%s/%s", d1, line + 2);
		snprintf(p2, sizeof(p2), "%s/%s", d2, line + 2);
		const char *base = strrchr(line, '/') + 1;
		if (strcmp(base, "metadata") == 0) {
			same_metadata(p1, p2);
			metadata++;
			continue;
		}
		size_t n1, n2;
		char *b1 = vt_read_file(p1, &n1), *b2 = vt_read_file(p2, &n2);
		assert_non_null(b1);
		assert_non_null(b2);
		if (n1 != n2 || memcmp(b1, b2, n1) != 0)
			fail_msg("%s: %s differs between --format ctf and ctf2", name, line + 2);
		free(b1);
		free(b2);
	}
	printf("%s: %zu files, %zu metadata\n", name, files, metadata);
	assert_true(metadata >= min_metadata);
	uint64_t events = vt_assert_same_events(d1, d2);
	printf("%llu events equal\n", (unsigned long long)events);
	assert_true(events > 1000);
	vt_run_free(&r1);
	vt_run_free(&r2);
	vt_rmtree(d1);
	vt_rmtree(d2);
	free(d1);
	free(d2);
}

static void two_guests_ntp(void **state)
{
	(void)state;
	scenario("scenarios/two-guests-ntp.json", 6); /* 3 kernel traces, 3 agent (UST) traces */
}

static void host_only(void **state)
{
	(void)state;
	scenario("scenarios/host-only.json", 1);
}

static void kernel_ticks(void **state)
{
	(void)state;
	scenario("scenarios/kernel-ticks.json", 2);
}

static void ping(void **state)
{
	(void)state;
	scenario("scenarios/ping.json", 2);
}

/* A shipped scenario not named above (they have their own metadata counts). */
static void other_scenario(const char *relative, void *ctx)
{
	static const char *const named[] = {"scenarios/two-guests-ntp.json", "scenarios/host-only.json",
					    "scenarios/kernel-ticks.json", "scenarios/ping.json"};
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (!strcmp(relative, named[k]))
			return;
	scenario(relative, 1);
	++*(size_t *)ctx;
}

/* Every other shipped scenario (scenarios/, scenarios/findings/): each also exists as CTF 2. */
static void every_scenario(void **state)
{
	(void)state;
	size_t done = 0;
	vt_each_scenario(other_scenario, &done);
	assert_true(done >= 15); /* 19 shipped when this was written, 4 above */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_guests_ntp), cmocka_unit_test(host_only),      cmocka_unit_test(kernel_ticks),
		cmocka_unit_test(ping),           cmocka_unit_test(every_scenario),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
