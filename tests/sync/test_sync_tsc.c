/* The TSC method end to end: a host trace and a guest trace whose clocks count
 * TSC cycles (written with the library's CTF writer), and the host agent's
 * guest_vcpu event with the vCPU's tsc-offset. vmtrace sync must pick the TSC
 * method and map guest times onto host times exactly. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/exporters.h"

#define FREQ 2500000000ULL
#define HOST_OFFSET_S 1795640000ULL /* clock value 0 on the epoch, in s */
#define GUEST_OFFSET_S 1795650000ULL
#define TSC_OFFSET (-123456789012LL) /* guest_tsc = host_tsc + TSC_OFFSET */
#define GUEST_UUID "0a1b2c3d-0001-4000-8000-00000000c0de"

static char *tmp;

/* The preamble writes a 1 GHz "monotonic" clock: make it a TSC clock. */
static char *tsc_metadata(struct vt_ctf_text *t, uint64_t offset_s)
{
	char *m = strdup(t->buf), *p;
	assert_non_null(p = strstr(m, "\tfreq = 1000000000;"));
	char repl[64];
	int n = snprintf(repl, sizeof(repl), "\tfreq = %llu;", (unsigned long long)FREQ);
	size_t old = strlen("\tfreq = 1000000000;");
	char *out = malloc(strlen(m) + 64);
	memcpy(out, m, (size_t)(p - m));
	memcpy(out + (p - m), repl, (size_t)n);
	strcpy(out + (p - m) + n, p + old);
	free(m);
	/* offset = N cycles of the clock: seconds times the frequency */
	char off[64];
	assert_non_null(p = strstr(out, "\toffset = "));
	char *end = strchr(p, ';');
	snprintf(off, sizeof(off), "\toffset = %llu", (unsigned long long)(offset_s * FREQ));
	char *final = malloc(strlen(out) + 64);
	memcpy(final, out, (size_t)(p - out));
	strcpy(final + (p - out), off);
	strcat(final, end);
	free(out);
	return final;
}

static void put_str(uint8_t **p, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	*p += n;
}

static void write_trace(const char *dir, int host)
{
	struct vt_ctf_env env[] = {
		{"hostname", host ? "tsc-host" : "tsc-guest", 0},
		{"domain", "kernel", 0},
		{"tracer_name", "lttng-modules", 0},
		{"product_uuid", host ? "10100000-0000-4000-8000-000000000001" : GUEST_UUID, 0},
	};
	struct vt_ctf_meta_desc d = {
		.trace_uuid = {host ? 1 : 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		.env = env,
		.nenv = 4,
		.clock_name = "tsc",
		.clock_uuid = host ? "11111111-2222-3333-4444-555555555555" : "66666666-2222-3333-4444-555555555555",
		.clock_description = "TSC",
		.clock_offset_ns = 0,
	};
	struct vt_ctf_text t = {0};
	vt_ctf_meta_preamble(&t, &d);
	vt_ctf_meta_event(&t, "vmtrace:guest", 0,
			  "\t\tinteger { size = 64; align = 8; signed = 1; encoding = none; base = 10; } _pid;\n"
			  "\t\tstring _uuid;\n\t\tstring _name;\n"
			  "\t\tinteger { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _vcpus;\n"
			  "\t\tstring _debugfs;\n");
	vt_ctf_meta_event(&t, "vmtrace:guest_vcpu", 1,
			  "\t\tinteger { size = 64; align = 8; signed = 1; encoding = none; base = 10; } _pid;\n"
			  "\t\tinteger { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _vcpu;\n"
			  "\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
			  "\t\tinteger { size = 64; align = 8; signed = 1; encoding = none; base = 10; } _tsc_offset;\n"
			  "\t\tinteger { size = 64; align = 8; signed = 0; encoding = none; base = 10; } "
			  "_tsc_scaling_ratio;\n"
			  "\t\tinteger { size = 32; align = 8; signed = 0; encoding = none; base = 10; } "
			  "_tsc_scaling_frac_bits;\n");
	vt_ctf_meta_event(&t, "tick", 2, "");
	assert_int_equal(t.oom, 0);
	char *meta = tsc_metadata(&t, host ? HOST_OFFSET_S : GUEST_OFFSET_S);
	vt_ctf_text_free(&t);

	/* TSC values: the host's start at 1e12 cycles; the guest's are offset. */
	uint64_t begin = host ? 1000000000000ULL : (uint64_t)(1000000000000LL + TSC_OFFSET);
	struct vt_ctf_writer *w;
	struct vt_error err = {0};
	if (!(w = vt_ctf_writer_open(dir, d.trace_uuid, meta, strlen(meta), 1, "chan_", 65536, begin, &err)))
		fail_msg("%s", err.msg);
	free(meta);
	struct vt_ctf_stream *s = vt_ctf_writer_stream(w, 0);
	uint64_t ts = begin;
	if (host) {
		uint8_t *p = vt_ctf_stream_reserve(s, ts, 0, 8 + sizeof(GUEST_UUID) + sizeof("guest1") + 4 + sizeof("4242-11"));
		int64_t pid = 4242;
		uint32_t vcpus = 1;
		memcpy(p, &pid, 8), p += 8;
		put_str(&p, GUEST_UUID);
		put_str(&p, "guest1");
		memcpy(p, &vcpus, 4), p += 4;
		put_str(&p, "4242-11");
		p = vt_ctf_stream_reserve(s, ts + 10, 1, 8 + 4 + 4 + 8 + 8 + 4);
		uint32_t vcpu = 0, frac = 0;
		int32_t tid = 4250;
		int64_t off = TSC_OFFSET;
		uint64_t ratio = 0;
		memcpy(p, &pid, 8), p += 8;
		memcpy(p, &vcpu, 4), p += 4;
		memcpy(p, &tid, 4), p += 4;
		memcpy(p, &off, 8), p += 8;
		memcpy(p, &ratio, 8), p += 8;
		memcpy(p, &frac, 4);
	}
	for (int i = 0; i < 100; i++)
		assert_non_null(vt_ctf_stream_reserve(s, ts + 1000 + (uint64_t)i * FREQ / 100, 2, 0));
	assert_int_equal(vt_ctf_writer_close(w, ts + 2 * FREQ, &err), 0);
}

static void test_tsc_method(void **state)
{
	(void)state;
	char host[4200], guest[4200];
	snprintf(host, sizeof(host), "%s/host", tmp);
	snprintf(guest, sizeof(guest), "%s/guest", tmp);
	write_trace(host, 1);
	write_trace(guest, 0);
	struct vt_run run;
	vt_run_shell(&run, "%s sync --json '%s' '%s'", vt_vmtrace_cmd(), host, guest);
	if (run.status != 0)
		fail_msg("status %d: %s", run.status, run.err);
	json_t *doc = json_loads(run.out, 0, NULL);
	assert_non_null(doc);
	json_t *machines = json_object_get(doc, "machines"), *clocks = json_object_get(doc, "clocks");
	int g = -1;
	for (size_t i = 0; i < json_array_size(machines); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(machines, i), "role")), "guest"))
			g = (int)i;
	assert_true(g >= 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(machines, (size_t)g), "qemu_pid")), 4242);
	json_t *c = json_array_get(clocks, (size_t)g);
	assert_string_equal(json_string_value(json_object_get(c, "method")), "tsc");
	assert_string_equal(json_string_value(json_object_get(c, "quality")), "ACCURATE");
	/* A guest TSC value c_g is host TSC c_g - TSC_OFFSET: check through ns of each clock. */
	double slope = json_real_value(json_object_get(c, "slope"));
	json_t *a = json_object_get(c, "anchor");
	int64_t x0 = json_integer_value(json_object_get(a, "x0_ns")), y0 = json_integer_value(json_object_get(a, "y0_ns"));
	for (uint64_t c_h = 1000000000000ULL; c_h < 1000000000000ULL + 4 * FREQ; c_h += FREQ) {
		uint64_t c_g = (uint64_t)((int64_t)c_h + TSC_OFFSET);
		long double t_h = (long double)HOST_OFFSET_S * 1e9L + (long double)c_h * 1e9L / FREQ;
		long double t_g = (long double)GUEST_OFFSET_S * 1e9L + (long double)c_g * 1e9L / FREQ;
		long double mapped = (long double)y0 + (long double)slope * (t_g - (long double)x0);
		if (mapped - t_h > 2 || t_h - mapped > 2)
			fail_msg("TSC mapping off by %.0Lf ns", mapped - t_h);
	}
	json_decref(doc);
	vt_run_free(&run);
}

int main(void)
{
	tmp = vt_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsc_method),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!getenv("VT_KEEP_TMP"))
		vt_rmtree(tmp);
	free(tmp);
	return rc;
}
