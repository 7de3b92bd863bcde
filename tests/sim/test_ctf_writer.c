/* The CTF writer alone: compact headers, the extended form when the 27-bit
 * timestamp would wrap and on every packet's first event, many packets; read
 * back by babeltrace2 with raw clock values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/exporters.h"
#include "sim/sim.h"

static void roundtrip(int large)
{
	vt_require_program("babeltrace2");
	char *dir = vt_mkdtemp();
	struct vt_ctf_text t = {0};
	const struct vt_ctf_env env[] = {{"hostname", "w", 0}, {"domain", "kernel", 0}, {"tracer_major", NULL, 2}};
	struct vt_ctf_meta_desc d = {.env = env, .nenv = 3, .clock_name = "monotonic", .large_header = large,
				     .ctf_comment = large,
				     .clock_uuid = "62ce5259-75eb-4bdf-b297-056b1c46cc73",
				     .clock_description = "Monotonic Clock", .clock_offset_ns = 1000000000ull,
				     .event_context = NULL};
	memset(d.trace_uuid, 0x42, 16);
	vt_ctf_meta_preamble(&t, &d);
	vt_ctf_meta_event(&t, "tick", 3,
			  "\t\tinteger { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _n;\n");
	vt_ctf_meta_event(&t, "late", 40, "");
	assert_false(t.oom);
	char trace[4200];
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	struct vt_ctf_writer *w;
	struct vt_error err = {0};
	assert_non_null(w = vt_ctf_writer_open(trace, d.trace_uuid, t.buf, t.len, 2, "chan_", 8192, 100, &err));
	vt_ctf_text_free(&t);
	if (large)
		vt_ctf_writer_use_large_headers(w);
	/* Gaps below and above 2^27 (2^32) ns, enough events for dozens of packets. */
	uint64_t ts = 100, sum = 0;
	const uint32_t n = large ? 8000 : 20000; /* sums stay exact in doubles (awk) */
	const uint64_t wrap = large ? (1ull << 32) : (1ull << 27);
	for (uint32_t i = 0; i < n; i++) {
		ts += (i % 97 == 0) ? wrap + 12345 : (i % 7) * 1000 + 1;
		uint8_t *p = vt_ctf_stream_reserve(vt_ctf_writer_stream(w, i % 2), ts, i % 500 == 0 ? 40 : 3,
						   i % 500 == 0 ? 0 : 4);
		if (i % 500)
			memcpy(p, &i, 4);
		sum += ts;
	}
	/* an event larger than a packet is refused, and nothing is written */
	assert_null(vt_ctf_stream_reserve(vt_ctf_writer_stream(w, 0), ts, 3, 9000));
	assert_int_equal(vt_ctf_writer_close(w, ts + 10, &err), 0);
	struct vt_run r;
	vt_run_shell(&r, "babeltrace2 --clock-cycles '%s' | awk '{gsub(/[\\[\\]]/, \"\", $1); s += $1; n++} END {printf \"%%d %%.0f\\n\", n, s}'",
		     trace);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	unsigned long long got_n = 0;
	double got_sum = 0;
	assert_int_equal(sscanf(r.out, "%llu %lf", &got_n, &got_sum), 2);
	assert_int_equal(got_n, n);
	assert_true(got_sum == (double)sum);
	vt_run_free(&r);
	vt_rmtree(dir);
	free(dir);
}

static void writer_roundtrip(void **state)
{
	(void)state;
	roundtrip(0);
}

/* event_header_large, as lttng-ust writes it */
static void writer_roundtrip_large(void **state)
{
	(void)state;
	roundtrip(1);
}

/* A folder that cannot be made: -1 and a message naming it. */
static void writer_errors(void **state)
{
	(void)state;
	struct vt_ctf_writer *w = NULL;
	struct vt_error err = {0};
	uint8_t uuid[16] = {0};
	assert_null(w = vt_ctf_writer_open("/proc/self/nope/trace", uuid, "x", 1, 1, "chan_", 8192, 0, &err));
	assert_null(w);
	assert_non_null(strstr(err.msg, "/proc/self/nope/trace"));
}

/* The smallest scenario runs: defaults everywhere. */
static void minimal_scenario(void **state)
{
	(void)state;
	struct vt_sim_scenario *sc;
	struct vt_error err = {0};
	assert_int_equal(vt_sim_scenario_parse(&sc, "{\"host\": {}, \"guests\": [{}]}", "inline", &err), 0);
	struct vt_sim_options opt = {.duration_ns = 50000000};
	struct vt_sim_stats st;
	assert_int_equal(vt_sim_run(sc, &opt, &st, &err), 0);
	assert_true(st.events > 100);
	vt_sim_scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(writer_roundtrip), cmocka_unit_test(writer_roundtrip_large),
					   cmocka_unit_test(writer_errors),
					   cmocka_unit_test(minimal_scenario)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
