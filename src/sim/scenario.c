/* Scenario files: JSON read with jansson, every key checked, defaults filled.
 * Each error is one line: "FILE: KEY: problem". */
#include "sim/scenario.h"
#include "common/text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	const char *origin;
	struct vt_error *err;
};

static int fail(struct ctx *c, const char *key, const char *fmt, const char *detail)
{
	char what[512];
	snprintf(what, sizeof(what), fmt, detail ? detail : "");
	return vt_error_set(c->err, "%s: %s: %s", c->origin, key, what);
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int check_keys(struct ctx *c, json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			ok |= strcmp(*a, key) == 0;
		if (!ok) {
			char full[700];
			snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
			return fail(c, full, "unknown key", NULL);
		}
	}
	return 0;
}

/* "path.key", cut to fit (paths are short; the cut only guards the buffer). */
static void key_path(char *out, size_t n, const char *path, const char *key)
{
	int w = snprintf(out, n, "%.200s%s%.200s", path, *path ? "." : "", key);
	(void)w;
}

/* A number in [min, max]; absent keeps *out. */
static int get_num(struct ctx *c, json_t *obj, const char *path, const char *key, double min,
		   double max, double *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char full[700];
	key_path(full, sizeof(full), path, key);
	if (!json_is_number(v))
		return fail(c, full, "must be a number", NULL);
	double d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max) {
		char range[128];
		snprintf(range, sizeof(range), "%g is out of range [%g, %g]", d, min, max);
		return fail(c, full, "%s", range);
	}
	*out = d;
	return 0;
}

static int get_u64(struct ctx *c, json_t *obj, const char *path, const char *key, double min,
		   double max, uint64_t *out)
{
	double d = (double)*out;
	if (get_num(c, obj, path, key, min, max, &d))
		return -1;
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_integer(v)) {
		char full[700];
		key_path(full, sizeof(full), path, key);
		return fail(c, full, "must be an integer", NULL);
	}
	*out = (uint64_t)d;
	return 0;
}

static int get_u32(struct ctx *c, json_t *obj, const char *path, const char *key, double min,
		   double max, uint32_t *out)
{
	uint64_t v = *out;
	if (get_u64(c, obj, path, key, min, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A duration given in the unit the key's suffix names, stored in ns. */
static int get_dur(struct ctx *c, json_t *obj, const char *path, const char *key, double unit_ns,
		   double min, double max, uint64_t *out_ns)
{
	double d = (double)*out_ns / unit_ns;
	if (get_num(c, obj, path, key, min, max, &d))
		return -1;
	*out_ns = (uint64_t)llround(d * unit_ns);
	return 0;
}

static int get_str(struct ctx *c, json_t *obj, const char *path, const char *key, char *out,
		   size_t cap)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char full[700];
	key_path(full, sizeof(full), path, key);
	if (!json_is_string(v))
		return fail(c, full, "must be a string", NULL);
	const char *s = json_string_value(v);
	/* Strings go into trace metadata, comms, truth.json and terminals as they are. */
	if (strlen(s) >= cap || !*s || strchr(s, '"') || vt_text_needs_escape(s)) {
		char why[128];
		snprintf(why, sizeof(why), "must be 1 to %zu bytes, without quotes, backslashes or control characters",
			 cap - 1);
		return fail(c, full, "%s", why);
	}
	snprintf(out, cap, "%s", s);
	return 0;
}

static int get_bool(struct ctx *c, json_t *obj, const char *path, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char full[700];
	key_path(full, sizeof(full), path, key);
	if (!json_is_boolean(v))
		return fail(c, full, "must be true or false", NULL);
	*out = json_is_true(v);
	return 0;
}

static int get_uuid(struct ctx *c, json_t *obj, const char *path, const char *key, char out[37])
{
	char buf[64] = "";
	if (get_str(c, obj, path, key, buf, sizeof(buf)))
		return -1;
	if (!*buf)
		return 0;
	int ok = strlen(buf) == 36;
	for (int i = 0; ok && i < 36; i++) {
		char ch = buf[i];
		ok = (i == 8 || i == 13 || i == 18 || i == 23) ? ch == '-'
			: ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
	}
	if (!ok) {
		char full[700];
		key_path(full, sizeof(full), path, key);
		return fail(c, full, "must be a lower-case uuid like 0a1b2c3d-0001-4000-8000-00000000c0de", NULL);
	}
	memcpy(out, buf, 37);
	return 0;
}

static json_t *get_obj(struct ctx *c, json_t *obj, const char *path, const char *key, int *bad)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_object(v)) {
		char full[700];
		key_path(full, sizeof(full), path, key);
		fail(c, full, "must be an object", NULL);
		*bad = 1;
		return NULL;
	}
	return v;
}

static json_t *get_arr(struct ctx *c, json_t *obj, const char *path, const char *key, int *bad)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_array(v)) {
		char full[700];
		key_path(full, sizeof(full), path, key);
		fail(c, full, "must be an array", NULL);
		*bad = 1;
		return NULL;
	}
	return v;
}

#define MAX_DUR_S 3600.0

static int parse_host_thread(struct ctx *c, json_t *o, const char *path, struct sc_host_thread *t)
{
	static const char *const keys[] = {"name", "kind", "count", "burst_us", "sleep_us",
					   "period_us", NULL};
	if (!json_is_object(o))
		return fail(c, path, "must be an object", NULL);
	if (check_keys(c, o, path, keys))
		return -1;
	snprintf(t->name, sizeof(t->name), "worker");
	char kind[16] = "hog";
	t->count = 1;
	t->burst_ns = 2000000;
	t->sleep_ns = 5000000;
	t->period_ns = 10000000;
	if (get_str(c, o, path, "name", t->name, sizeof(t->name)) ||
	    get_str(c, o, path, "kind", kind, sizeof(kind)) ||
	    get_u32(c, o, path, "count", 1, 256, &t->count) ||
	    get_dur(c, o, path, "burst_us", 1e3, 1, MAX_DUR_S * 1e6, &t->burst_ns) ||
	    get_dur(c, o, path, "sleep_us", 1e3, 1, MAX_DUR_S * 1e6, &t->sleep_ns) ||
	    get_dur(c, o, path, "period_us", 1e3, 1, MAX_DUR_S * 1e6, &t->period_ns))
		return -1;
	if (!strcmp(kind, "hog"))
		t->kind = SC_HOG;
	else if (!strcmp(kind, "periodic"))
		t->kind = SC_PERIODIC;
	else if (!strcmp(kind, "io"))
		t->kind = SC_IO;
	else {
		char full[700];
		key_path(full, sizeof(full), path, "kind");
		return fail(c, full, "must be \"hog\", \"periodic\" or \"io\", not \"%s\"", kind);
	}
	if (t->kind == SC_PERIODIC && t->burst_ns >= t->period_ns) {
		char full[700];
		key_path(full, sizeof(full), path, "burst_us");
		return fail(c, full, "must be shorter than period_us", NULL);
	}
	return 0;
}

static int parse_guest_thread(struct ctx *c, json_t *o, const char *path, uint32_t vcpus,
			      struct sc_guest_thread *t)
{
	static const char *const keys[] = {"name", "count", "burst_us", "sleep_us", "vcpu", NULL};
	if (!json_is_object(o))
		return fail(c, path, "must be an object", NULL);
	if (check_keys(c, o, path, keys))
		return -1;
	snprintf(t->name, sizeof(t->name), "app");
	t->count = 1;
	t->burst_ns = 3000000;
	t->sleep_ns = 2000000;
	double vcpu = -1;
	if (get_str(c, o, path, "name", t->name, sizeof(t->name)) ||
	    get_u32(c, o, path, "count", 1, 1024, &t->count) ||
	    get_dur(c, o, path, "burst_us", 1e3, 1, MAX_DUR_S * 1e6, &t->burst_ns) ||
	    get_dur(c, o, path, "sleep_us", 1e3, 1, MAX_DUR_S * 1e6, &t->sleep_ns) ||
	    get_num(c, o, path, "vcpu", 0, (double)vcpus - 1, &vcpu))
		return -1;
	t->vcpu = (int32_t)vcpu;
	return 0;
}

static int parse_clock(struct ctx *c, json_t *o, const char *path, struct sc_clock *k)
{
	static const char *const keys[] = {"mode", "offset_us", "drift_ppm", "jitter_us",
					   "wander_period_ms", NULL};
	if (check_keys(c, o, path, keys))
		return -1;
	char mode[16] = "ntp";
	if (get_str(c, o, path, "mode", mode, sizeof(mode)))
		return -1;
	/* Defaults per mode: what each synchronization leaves between guest and host. */
	if (!strcmp(mode, "none")) {
		*k = (struct sc_clock){SC_CLOCK_NONE, 2.5e9, 35.0, 0, 1000000000};
	} else if (!strcmp(mode, "ntp")) {
		*k = (struct sc_clock){SC_CLOCK_NTP, 350e3, 1.5, 120e3, 2000000000};
	} else if (!strcmp(mode, "ptp")) {
		*k = (struct sc_clock){SC_CLOCK_PTP, 2e3, 0.02, 1.5e3, 500000000};
	} else {
		char full[700];
		key_path(full, sizeof(full), path, "mode");
		return fail(c, full, "must be \"none\", \"ntp\" or \"ptp\", not \"%s\"", mode);
	}
	double off_us = k->offset_ns / 1e3, jit_us = k->jitter_ns / 1e3;
	if (get_num(c, o, path, "offset_us", -1e12, 1e12, &off_us) ||
	    get_num(c, o, path, "drift_ppm", -1000, 1000, &k->drift_ppm) ||
	    get_num(c, o, path, "jitter_us", 0, 1e6, &jit_us) ||
	    get_dur(c, o, path, "wander_period_ms", 1e6, 1, 1e6, &k->wander_period_ns))
		return -1;
	k->offset_ns = off_us * 1e3;
	k->jitter_ns = jit_us * 1e3;
	/* The wander must stay far slower than the clock itself (monotonic time). */
	if (k->jitter_ns * 4 >= (double)k->wander_period_ns) {
		char full[700];
		key_path(full, sizeof(full), path, "jitter_us");
		return fail(c, full, "must be well below wander_period_ms (clock would run backwards)", NULL);
	}
	return 0;
}

static int parse_exits(struct ctx *c, json_t *o, const char *path, struct sc_guest *g)
{
	static const char *const keys[] = {"rate_hz", "mix", NULL};
	static const char *const kinds[] = {"io", "mmio", "msr_read", "msr_write", "ept",
					    "hypercall", "cpuid", "apic", "pause", "pf", "invlpg", "cr3", NULL};
	if (check_keys(c, o, path, keys) || get_num(c, o, path, "rate_hz", 0, 1e7, &g->exit_rate_hz))
		return -1;
	int bad = 0;
	char mpath[256];
	key_path(mpath, sizeof(mpath), path, "mix");
	json_t *mix = get_obj(c, o, path, "mix", &bad);
	if (bad)
		return -1;
	if (!mix)
		return 0;
	if (check_keys(c, mix, mpath, kinds))
		return -1;
	double sum = 0;
	for (int i = 0; i < SC_EXIT_KINDS; i++) {
		double w = 0;
		if (get_num(c, mix, mpath, kinds[i], 0, 1e9, &w))
			return -1;
		g->mix[i] = w;
		sum += w;
	}
	if (sum <= 0)
		return fail(c, mpath, "needs at least one positive weight", NULL);
	return 0;
}

static void default_uuid(char out[37], uint32_t a, uint32_t b)
{
	snprintf(out, 37, "%08x-%04x-4000-8000-%012x", a, b & 0xffff, 0xc0deu + b);
}

/* A guest's name is the folder its traces go to (OUT/NAME/kernel, OUT/NAME.dat):
 * one plain component inside the output folder, not the host's. */
static int check_folder_name(struct ctx *c, const char *path, const char *name)
{
	char full[700];
	key_path(full, sizeof(full), path, "name");
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(c, full, "\"%s\" is not a folder name: no '/', not '.' nor '..'", name);
	if (!strcmp(name, "host") || !strcmp(name, "truth.json"))
		return fail(c, full, "\"%s\" is taken by the host's traces or truth.json", name);
	return 0;
}

static int parse_guest(struct ctx *c, json_t *o, const char *path, uint32_t index, struct sc_guest *g)
{
	static const char *const keys[] = {"name", "hostname", "uuid", "kernel_release", "qemu_pid",
					   "vcpus", "clock", "exits", "tick_hz", "vmsync", "ping", "threads",
					   "start_ms", "stop_ms", "lock_spin", NULL};
	if (!json_is_object(o))
		return fail(c, path, "must be an object", NULL);
	if (check_keys(c, o, path, keys))
		return -1;
	snprintf(g->name, sizeof(g->name), "guest%u", index + 1);
	g->vcpus = 1;
	g->exit_rate_hz = 8000;
	static const double default_mix[SC_EXIT_KINDS] = {3, 2, 2, 3, 1, 0.3, 0.5, 2, 0.5, 0, 0, 0};
	memcpy(g->mix, default_mix, sizeof(default_mix));
	g->tick_hz = 250;
	snprintf(g->kernel_release, sizeof(g->kernel_release), "6.1.0-28-amd64");
	default_uuid(g->uuid, 0x0a1b2c3d, index + 1);
	if (get_str(c, o, path, "name", g->name, sizeof(g->name)) || check_folder_name(c, path, g->name))
		return -1;
	snprintf(g->hostname, sizeof(g->hostname), "%s", g->name);
	double pid = 0;
	if (get_str(c, o, path, "hostname", g->hostname, sizeof(g->hostname)) ||
	    get_uuid(c, o, path, "uuid", g->uuid) ||
	    get_str(c, o, path, "kernel_release", g->kernel_release, sizeof(g->kernel_release)) ||
	    get_num(c, o, path, "qemu_pid", 2, 4194304, &pid) ||
	    get_u32(c, o, path, "vcpus", 1, 64, &g->vcpus) ||
	    get_u32(c, o, path, "tick_hz", 10, 10000, &g->tick_hz) ||
	    get_dur(c, o, path, "start_ms", 1e6, 0, MAX_DUR_S * 1e3, &g->start_ns) ||
	    get_dur(c, o, path, "stop_ms", 1e6, 0.001, MAX_DUR_S * 1e3, &g->stop_ns) ||
	    get_bool(c, o, path, "lock_spin", &g->lock_spin))
		return -1;
	if (g->stop_ns && g->stop_ns <= g->start_ns) {
		char full[700];
		key_path(full, sizeof(full), path, "stop_ms");
		return fail(c, full, "must be later than start_ms", NULL);
	}
	g->qemu_pid = (int32_t)pid;
	int bad = 0;
	char sub[256];
	json_t *clock = get_obj(c, o, path, "clock", &bad);
	key_path(sub, sizeof(sub), path, "clock");
	if (bad)
		return -1;
	json_t *empty = json_object();
	int rc = parse_clock(c, clock ? clock : empty, sub, &g->clock);
	json_decref(empty);
	if (rc)
		return -1;
	json_t *exits = get_obj(c, o, path, "exits", &bad);
	key_path(sub, sizeof(sub), path, "exits");
	if (bad || (exits && parse_exits(c, exits, sub, g)))
		return -1;
	json_t *vmsync = get_obj(c, o, path, "vmsync", &bad);
	if (bad)
		return -1;
	if (vmsync) {
		static const char *const vkeys[] = {"period_ms", NULL};
		key_path(sub, sizeof(sub), path, "vmsync");
		g->vmsync_period_ns = 10000000;
		if (check_keys(c, vmsync, sub, vkeys) ||
		    get_dur(c, vmsync, sub, "period_ms", 1e6, 0.01, 1e6, &g->vmsync_period_ns))
			return -1;
	}
	/* The guest's vmtraced --ping: the same hypercall timing as vmsync, its
	 * events the agent's (so the host's agent must be on: host.agent). */
	json_t *ping = get_obj(c, o, path, "ping", &bad);
	if (bad)
		return -1;
	if (ping && vmsync) {
		key_path(sub, sizeof(sub), path, "ping");
		return fail(c, sub, "a guest has vmsync or ping, not both", NULL);
	}
	if (ping) {
		static const char *const pkeys[] = {"period_ms", NULL};
		key_path(sub, sizeof(sub), path, "ping");
		g->vmsync_period_ns = 100000000;
		g->ping = 1;
		if (check_keys(c, ping, sub, pkeys) ||
		    get_dur(c, ping, sub, "period_ms", 1e6, 0.01, 1e6, &g->vmsync_period_ns))
			return -1;
	}
	json_t *threads = get_arr(c, o, path, "threads", &bad);
	if (bad)
		return -1;
	if (!threads || json_array_size(threads) == 0) {
		g->nthreads = 1;
		g->threads = calloc(1, sizeof(*g->threads));
		if (!g->threads)
			return fail(c, path, "out of memory", NULL);
		*g->threads = (struct sc_guest_thread){"app", g->vcpus, 3000000, 2000000, -1};
		return 0;
	}
	g->nthreads = (uint32_t)json_array_size(threads);
	g->threads = calloc(g->nthreads, sizeof(*g->threads));
	if (!g->threads)
		return fail(c, path, "out of memory", NULL);
	for (uint32_t i = 0; i < g->nthreads; i++) {
		snprintf(sub, sizeof(sub), "%s.threads[%u]", path, i);
		if (parse_guest_thread(c, json_array_get(threads, i), sub, g->vcpus, &g->threads[i]))
			return -1;
	}
	return 0;
}

/* "host" or a guest's name, as a machine index. */
static int machine_index(const struct vt_sim_scenario *sc, const char *name, uint32_t *out)
{
	if (!strcmp(name, "host")) {
		*out = 0;
		return 0;
	}
	for (uint32_t i = 0; i < sc->nguests; i++)
		if (!strcmp(sc->guests[i].name, name)) {
			*out = i + 1;
			return 0;
		}
	return -1;
}

static int parse_flow(struct ctx *c, json_t *o, const char *path, struct vt_sim_scenario *sc,
		      struct sc_flow *f)
{
	static const char *const keys[] = {"from", "to", "rate_hz", "latency_us", "jitter_us", "len",
					   "from_ms", "until_ms", NULL};
	if (!json_is_object(o))
		return fail(c, path, "must be an object", NULL);
	if (check_keys(c, o, path, keys))
		return -1;
	char from[SC_NAME] = "", to[SC_NAME] = "";
	f->rate_hz = 500;
	f->latency_ns = 30000;
	f->jitter_ns = 20000;
	f->len = 1448;
	if (get_str(c, o, path, "from", from, sizeof(from)) ||
	    get_str(c, o, path, "to", to, sizeof(to)) ||
	    get_num(c, o, path, "rate_hz", 0.001, 1e6, &f->rate_hz) ||
	    get_dur(c, o, path, "latency_us", 1e3, 1, 1e7, &f->latency_ns) ||
	    get_dur(c, o, path, "jitter_us", 1e3, 0, 1e7, &f->jitter_ns) ||
	    get_u32(c, o, path, "len", 1, 65000, &f->len) ||
	    get_dur(c, o, path, "from_ms", 1e6, 0, 1e9, &f->from_ns) ||
	    get_dur(c, o, path, "until_ms", 1e6, 0, 1e9, &f->until_ns))
		return -1;
	char full[700];
	key_path(full, sizeof(full), path, "until_ms");
	if (f->until_ns && f->until_ns <= f->from_ns)
		return fail(c, full, "must be after \"from_ms\" (or 0: to the end)", NULL);
	key_path(full, sizeof(full), path, "from");
	if (!*from || machine_index(sc, from, &f->from))
		return fail(c, full, "must be \"host\" or a guest's name, not \"%s\"", from);
	key_path(full, sizeof(full), path, "to");
	if (!*to || machine_index(sc, to, &f->to))
		return fail(c, full, "must be \"host\" or a guest's name, not \"%s\"", to);
	if (f->from == f->to)
		return fail(c, full, "must differ from \"from\"", NULL);
	return 0;
}

static int parse_host(struct ctx *c, json_t *o, struct vt_sim_scenario *sc)
{
	static const char *const keys[] = {"hostname", "uuid", "kernel_release", "cpus",
					   "timeslice_us", "agent", "entry_vcpu_id_garbage",
					   "isa", "threads", "tick_events", "exit_traced_late", "agent_books", NULL};
	if (check_keys(c, o, "host", keys))
		return -1;
	double ts_us = (double)sc->timeslice_ns / 1e3;
	if (get_str(c, o, "host", "hostname", sc->hostname, sizeof(sc->hostname)) ||
	    get_uuid(c, o, "host", "uuid", sc->host_uuid) ||
	    get_str(c, o, "host", "kernel_release", sc->host_kernel_release,
		    sizeof(sc->host_kernel_release)) ||
	    get_u32(c, o, "host", "cpus", 1, 256, &sc->cpus) ||
	    get_num(c, o, "host", "timeslice_us", 100, 1e6, &ts_us) ||
	    get_bool(c, o, "host", "agent", &sc->agent) ||
	    get_bool(c, o, "host", "entry_vcpu_id_garbage", &sc->entry_vcpu_garbage) ||
	    get_bool(c, o, "host", "tick_events", &sc->tick_events) ||
	    get_bool(c, o, "host", "exit_traced_late", &sc->exit_traced_late) ||
	    get_bool(c, o, "host", "agent_books", &sc->agent_books))
		return -1;
	sc->timeslice_ns = (uint64_t)(ts_us * 1e3);
	char isa[8] = "vmx";
	if (get_str(c, o, "host", "isa", isa, sizeof(isa)))
		return -1;
	if (strcmp(isa, "vmx") && strcmp(isa, "svm"))
		return fail(c, "host.isa", "must be \"vmx\" or \"svm\", not \"%s\"", isa);
	sc->svm = !strcmp(isa, "svm");
	int bad = 0;
	json_t *threads = get_arr(c, o, "host", "threads", &bad);
	if (bad)
		return -1;
	sc->nhost_threads = threads ? (uint32_t)json_array_size(threads) : 0;
	sc->host_threads = calloc(sc->nhost_threads + 1, sizeof(*sc->host_threads));
	if (!sc->host_threads)
		return fail(c, "host", "out of memory", NULL);
	for (uint32_t i = 0; i < sc->nhost_threads; i++) {
		char sub[64];
		snprintf(sub, sizeof(sub), "host.threads[%u]", i);
		if (parse_host_thread(c, json_array_get(threads, i), sub, &sc->host_threads[i]))
			return -1;
	}
	return 0;
}

/* "findings": what the scenario is built to show, [{"id", "guest", "thread"}]: truth.json carries them. */
static int parse_findings(struct ctx *c, json_t *root, struct vt_sim_scenario *sc)
{
	static const char *const keys[] = {"id", "guest", "thread", NULL};
	int bad = 0;
	json_t *arr = get_arr(c, root, "", "findings", &bad);
	if (bad)
		return -1;
	sc->nfindings = arr ? (uint32_t)json_array_size(arr) : 0;
	sc->findings = calloc(sc->nfindings + 1, sizeof(*sc->findings));
	if (!sc->findings)
		return fail(c, "findings", "out of memory", NULL);
	for (uint32_t i = 0; i < sc->nfindings; i++) {
		char sub[64];
		snprintf(sub, sizeof(sub), "findings[%u]", i);
		json_t *o = json_array_get(arr, i);
		struct sc_finding *f = &sc->findings[i];
		if (!json_is_object(o))
			return fail(c, sub, "must be an object", NULL);
		if (check_keys(c, o, sub, keys) || get_str(c, o, sub, "id", f->id, sizeof(f->id)) ||
		    get_str(c, o, sub, "guest", f->guest, sizeof(f->guest)) ||
		    get_str(c, o, sub, "thread", f->thread, sizeof(f->thread)))
			return -1;
		uint32_t m;
		if (!f->id[0])
			return fail(c, sub, "needs an id", NULL);
		if (f->guest[0] && (machine_index(sc, f->guest, &m) || m == 0))
			return fail(c, sub, "guest \"%s\" is not a guest of the scenario", f->guest);
	}
	return 0;
}

static int parse_root(struct ctx *c, json_t *root, struct vt_sim_scenario *sc)
{
	static const char *const keys[] = {"name", "description", "seed", "duration_ms", "snapshot_from_ms",
					   "start_epoch_s", "packet_size_kib", "truth", "host",
					   "guests", "network", "findings", NULL};
	if (!json_is_object(root))
		return fail(c, "(top)", "must be a JSON object", NULL);
	if (check_keys(c, root, "", keys))
		return -1;
	snprintf(sc->name, sizeof(sc->name), "scenario");
	sc->seed = 1;
	sc->duration_ns = 1000000000;
	double epoch_s = 1795648751.0;
	uint64_t pkt_kib = 256;
	json_t *desc = json_object_get(root, "description");
	if (desc && !json_is_string(desc))
		return fail(c, "description", "must be a string", NULL);
	if (get_str(c, root, "", "name", sc->name, sizeof(sc->name)) ||
	    get_u64(c, root, "", "seed", 0, 9007199254740991.0, &sc->seed) ||
	    get_dur(c, root, "", "duration_ms", 1e6, 0.001, MAX_DUR_S * 1e3, &sc->duration_ns) ||
	    get_dur(c, root, "", "snapshot_from_ms", 1e6, 0, MAX_DUR_S * 1e3, &sc->snapshot_from_ns) ||
	    get_num(c, root, "", "start_epoch_s", 1e6, 4e9, &epoch_s) ||
	    get_u64(c, root, "", "packet_size_kib", 8, 65536, &pkt_kib))
		return -1;
	if (sc->snapshot_from_ns >= sc->duration_ns)
		return fail(c, "snapshot_from_ms", "must be shorter than duration_ms", NULL);
	sc->start_epoch_ns = (uint64_t)(epoch_s * 1e3) * 1000000ull;
	sc->packet_size = pkt_kib * 1024;
	sc->max_intervals = 100000;
	int bad = 0;
	json_t *truth = get_obj(c, root, "", "truth", &bad);
	if (bad)
		return -1;
	if (truth) {
		static const char *const tkeys[] = {"intervals", "max_intervals", NULL};
		if (check_keys(c, truth, "truth", tkeys) ||
		    get_bool(c, truth, "truth", "intervals", &sc->truth_intervals) ||
		    get_u64(c, truth, "truth", "max_intervals", 0, 1e9, &sc->max_intervals))
			return -1;
	}
	snprintf(sc->hostname, sizeof(sc->hostname), "host");
	snprintf(sc->host_kernel_release, sizeof(sc->host_kernel_release), "6.1.0-28-amd64");
	default_uuid(sc->host_uuid, 0x10100000, 0);
	sc->cpus = 2;
	sc->timeslice_ns = 3000000;
	json_t *host = json_object_get(root, "host");
	if (!host)
		return fail(c, "host", "is missing", NULL);
	if (!json_is_object(host))
		return fail(c, "host", "must be an object", NULL);
	if (parse_host(c, host, sc))
		return -1;
	json_t *guests = get_arr(c, root, "", "guests", &bad);
	if (bad)
		return -1;
	sc->nguests = guests ? (uint32_t)json_array_size(guests) : 0;
	if (sc->nguests > 64)
		return fail(c, "guests", "at most 64 guests", NULL);
	sc->guests = calloc(sc->nguests + 1, sizeof(*sc->guests));
	if (!sc->guests)
		return fail(c, "guests", "out of memory", NULL);
	for (uint32_t i = 0; i < sc->nguests; i++) {
		char sub[64];
		snprintf(sub, sizeof(sub), "guests[%u]", i);
		if (parse_guest(c, json_array_get(guests, i), sub, i, &sc->guests[i]))
			return -1;
		if (sc->guests[i].ping && !sc->agent) {
			snprintf(sub, sizeof(sub), "guests[%u].ping", i);
			return fail(c, sub, "needs host.agent: the pings are the guest's vmtraced events", NULL);
		}
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(sc->guests[j].name, sc->guests[i].name)) {
				snprintf(sub, sizeof(sub), "guests[%u].name", i);
				return fail(c, sub, "\"%s\" is used twice", sc->guests[i].name);
			}
	}
	json_t *flows = get_arr(c, root, "", "network", &bad);
	if (bad)
		return -1;
	sc->nflows = flows ? (uint32_t)json_array_size(flows) : 0;
	sc->flows = calloc(sc->nflows + 1, sizeof(*sc->flows));
	if (!sc->flows)
		return fail(c, "network", "out of memory", NULL);
	for (uint32_t i = 0; i < sc->nflows; i++) {
		char sub[64];
		snprintf(sub, sizeof(sub), "network[%u]", i);
		if (parse_flow(c, json_array_get(flows, i), sub, sc, &sc->flows[i]))
			return -1;
	}
	return parse_findings(c, root, sc);
}

static int parse_json(struct vt_sim_scenario **out, json_t *root, const char *origin,
		      struct vt_error *err)
{
	struct vt_sim_scenario *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", origin);
	snprintf(sc->origin, sizeof(sc->origin), "%s", origin);
	struct ctx c = {origin, err};
	if (parse_root(&c, root, sc)) {
		vt_sim_scenario_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

int vt_sim_scenario_parse(struct vt_sim_scenario **out, const char *text, const char *origin,
			  struct vt_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vt_error_set(err, "%s: line %d column %d: %s", origin, je.line, je.column,
				    je.text);
	int rc = parse_json(out, root, origin, err);
	json_decref(root);
	return rc;
}

int vt_sim_scenario_load(struct vt_sim_scenario **out, const char *path, struct vt_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 0)
			return vt_error_set(err, "%s: %s", path, je.text);
		return vt_error_set(err, "%s: line %d column %d: %s", path, je.line, je.column,
				    je.text);
	}
	int rc = parse_json(out, root, path, err);
	json_decref(root);
	return rc;
}

void vt_sim_scenario_free(struct vt_sim_scenario *sc)
{
	if (!sc)
		return;
	for (uint32_t i = 0; sc->guests && i < sc->nguests; i++)
		free(sc->guests[i].threads);
	free(sc->guests);
	free(sc->findings);
	free(sc->host_threads);
	free(sc->flows);
	free(sc);
}
