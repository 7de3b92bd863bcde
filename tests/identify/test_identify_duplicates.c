/* One uuid claimed by two QEMU processes at once on a host (any user's
 * process can claim any -uuid): `vmtrace info` and `analyze` tie the guest's
 * trace to neither, say so in one warning line naming both pids and in the
 * machine's evidence (--json); a restarted guest (destroyed, then created with
 * a new pid), a claim the agent marked as without KVM evidence, and
 * --guest UUID=PID decide. Host and guest traces are trace.dat files made
 * with the trace.dat writer, read back by vmtrace as any recording. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/tracecmd_writer.h"

#define HOST_UUID "0a1b2c3d-0001-4000-8000-00000000c0de"
#define GUEST_UUID "5a1e0b8c-4d2f-4e8a-9c3b-7f1d2e3a4b5c"

static char *tmp;
static char guest_dat[600];

struct claim {
	enum vt_kind kind; /* GUEST_DUMP, GUEST_CREATED or GUEST_DESTROYED */
	int pid;
	const char *kvm; /* NULL: as traces before the agent said it */
};

static struct vt_event event(enum vt_kind kind, int tid)
{
	struct vt_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.name = kind == VT_SCHED_SWITCH ? "sched_switch" : "print";
	ev.tid = tid;
	ev.pid = VT_NO_TID;
	return ev;
}

/* A trace of machine uuid/hostname: its machine event, the claims, then some scheduling. */
static void write_trace(const char *path, const char *uuid, const char *hostname, const struct claim *c, size_t n)
{
	struct vt_tc_writer_options o = {.path = path, .cpus = 1, .hostname = hostname, .kernel_release = "6.1.0",
					 .clock = "mono"};
	struct vt_tc_writer *w;
	struct vt_error err;
	if (!(w = vt_tc_writer_open(&o, &err)))
		fail_msg("%s", err.msg);
	uint64_t t = 1000000000ull;
	struct vt_event ev = event(VT_MACHINE_ID, 50);
	ev.u.machine = (struct vt_machine_id){uuid, "m", "b", hostname};
	assert_int_equal(vt_tc_writer_event(w, t, &ev), 1);
	for (size_t i = 0; i < n; i++) {
		ev = event(c[i].kind, 50);
		ev.u.guest = (struct vt_guest){c[i].pid, GUEST_UUID, "vm", 1, c[i].kvm};
		assert_int_equal(vt_tc_writer_event(w, t += 1000, &ev), 1);
	}
	for (int i = 0; i < 100; i++) {
		ev = event(VT_SCHED_SWITCH, i % 2 ? 11 : 10);
		ev.u.sched_switch = (struct vt_sched_switch){i % 2 ? 11 : 10, i % 2 ? 10 : 11, 120, 120, 0, "a", "b"};
		assert_int_equal(vt_tc_writer_event(w, t += 100000, &ev), 1);
	}
	if (vt_tc_writer_close(w, &err))
		fail_msg("%s", err.msg);
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* `vmtrace info --json` of a host trace with these claims and the guest's trace:
 * the guest machine's object, and stderr. */
static json_t *info(const struct claim *c, size_t n, const char *opts, char **err_out)
{
	char host_dat[700];
	snprintf(host_dat, sizeof(host_dat), "%s/host.dat", tmp);
	write_trace(host_dat, HOST_UUID, "host1", c, n);
	struct vt_run r;
	vt_run_shell(&r, "%s info --json %s %s %s", vt_vmtrace_cmd(), opts, host_dat, guest_dat);
	if (r.status != 0)
		printf("%s", r.err);
	assert_int_equal(r.status, 0);
	json_t *doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	json_t *m, *found = NULL;
	size_t i;
	json_array_foreach(json_object_get(doc, "machines"), i, m) {
		const char *u = json_string_value(json_object_get(m, "product_uuid"));
		if (u && !strcmp(u, GUEST_UUID))
			found = json_incref(m);
	}
	json_decref(doc);
	assert_non_null(found);
	*err_out = strdup(r.err);
	vt_run_free(&r);
	return found;
}

static json_int_t qemu_pid(json_t *m)
{
	json_t *p = json_object_get(m, "qemu_pid");
	return p && json_is_integer(p) ? json_integer_value(p) : -1;
}

static void test_conflict(void **state)
{
	(void)state;
	const struct claim c[] = {{VT_STATEDUMP_BEGIN, 0, NULL}, {VT_GUEST_DUMP, 100, "vm-fd"},
				  {VT_GUEST_DUMP, 200, "debugfs"}, {VT_STATEDUMP_END, 0, NULL}};
	char *err;
	json_t *m = info(c, 4, "", &err);
	printf("stderr: %s", err);
	const char *evidence = json_string_value(json_object_get(m, "evidence"));
	printf("evidence: %s\n", evidence);
	assert_string_equal(json_string_value(json_object_get(m, "role")), "unknown");
	assert_int_equal(qemu_pid(m), -1);
	assert_non_null(strstr(evidence, "claimed by 2 QEMU processes alive at once on host1 (pids 100, 200)"));
	assert_int_equal(count(err, "warning: uuid " GUEST_UUID " is claimed by 2 QEMU processes"), 1);
	assert_int_equal(count(err, "(pids 100, 200)"), 1);
	json_decref(m);
	free(err);
	/* Other evidence decides: the command line. */
	m = info(c, 4, "--guest " GUEST_UUID "=200", &err);
	assert_string_equal(json_string_value(json_object_get(m, "role")), "guest");
	assert_int_equal(qemu_pid(m), 200);
	json_decref(m);
	free(err);
}

/* Traces written before the agent said its evidence: two claims still conflict. */
static void test_conflict_old_trace(void **state)
{
	(void)state;
	const struct claim c[] = {{VT_GUEST_DUMP, 100, NULL}, {VT_GUEST_DUMP, 300, NULL}};
	char *err;
	json_t *m = info(c, 2, "", &err);
	assert_int_equal(qemu_pid(m), -1);
	assert_int_equal(count(err, "(pids 100, 300)"), 1);
	json_decref(m);
	free(err);
}

/* A guest restarted: the first QEMU destroyed, the uuid claimed again by a new one. */
static void test_restart(void **state)
{
	(void)state;
	const struct claim c[] = {{VT_GUEST_CREATED, 200, "debugfs"}, {VT_GUEST_DESTROYED, 200, NULL},
				  {VT_GUEST_CREATED, 100, "debugfs"}};
	char *err;
	json_t *m = info(c, 3, "", &err);
	assert_int_equal(qemu_pid(m), 100);
	assert_null(strstr(err, "warning"));
	json_decref(m);
	free(err);
}

/* A claim the agent wrote without KVM evidence names nothing. */
static void test_claim_without_evidence(void **state)
{
	(void)state;
	const struct claim c[] = {{VT_GUEST_DUMP, 100, "debugfs"}, {VT_GUEST_DUMP, 300, "none"}};
	char *err;
	json_t *m = info(c, 2, "", &err);
	assert_int_equal(qemu_pid(m), 100);
	assert_null(strstr(err, "warning"));
	json_decref(m);
	free(err);
}

/* analyze says it too, once, and leaves the guest out with the reason. */
static void test_analyze(void **state)
{
	(void)state;
	char host_dat[700];
	snprintf(host_dat, sizeof(host_dat), "%s/host.dat", tmp);
	const struct claim c[] = {{VT_GUEST_DUMP, 100, "vm-fd"}, {VT_GUEST_DUMP, 200, "vm-fd"}};
	write_trace(host_dat, HOST_UUID, "host1", c, 2);
	struct vt_run r;
	vt_run_shell(&r, "%s analyze %s %s", vt_vmtrace_cmd(), host_dat, guest_dat);
	printf("exit %d\n%s%s", r.status, r.out, r.err);
	assert_int_equal(count(r.err, "warning: uuid " GUEST_UUID " is claimed by 2 QEMU processes"), 1);
	assert_non_null(strstr(r.out, "not matched to a QEMU process on this host (uuid " GUEST_UUID " is claimed"));
	vt_run_free(&r);
}

/* The guest's own trace: its machine event names its DMI uuid. */
static int setup(void **state)
{
	(void)state;
	tmp = vt_mkdtemp();
	snprintf(guest_dat, sizeof(guest_dat), "%s/guest.dat", tmp);
	write_trace(guest_dat, GUEST_UUID, "guest1", NULL, 0);
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
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_conflict_old_trace),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_claim_without_evidence),
		cmocka_unit_test(test_analyze),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
