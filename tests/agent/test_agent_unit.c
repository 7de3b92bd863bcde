/* Agent parsers and formats, on fixed inputs and fake /proc, debugfs and /sys trees. */
#include "testutil.h"
#include "agent/agent.h"
#include "vmtrace/event.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void cmdline(const char *const *argv, size_t argc, struct vt_qemu_cmdline *q)
{
	char buf[4096];
	size_t n = 0;
	for (size_t i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(buf + n, argv[i], l);
		n += l;
	}
	vt_qemu_parse_cmdline(buf, n, q);
}

static void test_cmdline_plain(void **state)
{
	(void)state;
	const char *a[] = {"/usr/bin/qemu-system-x86_64", "-accel", "kvm", "-uuid",
			   "11111111-2222-3333-4444-555555555555", "-name", "guest=web,,1,debug-threads=on",
			   "-smp", "4", "-qmp", "unix:/run/q.sock,server=on,wait=off"};
	struct vt_qemu_cmdline q;
	cmdline(a, sizeof(a) / sizeof(a[0]), &q);
	assert_true(q.is_qemu);
	assert_string_equal(q.uuid, "11111111-2222-3333-4444-555555555555");
	assert_string_equal(q.name, "web,1");
	assert_int_equal(q.smp, 4);
	assert_string_equal(q.qmp, "/run/q.sock");
}

static void test_cmdline_libvirt(void **state)
{
	(void)state;
	const char *a[] = {"qemu-kvm", "--name", "vm2,debug-threads=on", "-smbios",
			   "type=1,manufacturer=x,uuid=aaaaaaaa-0000-0000-0000-000000000001",
			   "-smp", "sockets=2,cores=3,threads=1", "-chardev",
			   "socket,id=charmonitor,path=/var/lib/libvirt/mon.sock,server=on,wait=off",
			   "-mon", "chardev=charmonitor,id=monitor,mode=control"};
	struct vt_qemu_cmdline q;
	cmdline(a, sizeof(a) / sizeof(a[0]), &q);
	assert_true(q.is_qemu);
	assert_string_equal(q.name, "vm2");
	assert_string_equal(q.uuid, "aaaaaaaa-0000-0000-0000-000000000001");
	assert_int_equal(q.smp, 6);
	assert_string_equal(q.qmp, "/var/lib/libvirt/mon.sock");
}

static void test_cmdline_not_qemu(void **state)
{
	(void)state;
	const char *a[] = {"/bin/bash", "-uuid"};
	struct vt_qemu_cmdline q;
	cmdline(a, sizeof(a) / sizeof(a[0]), &q);
	assert_false(q.is_qemu);
	assert_string_equal(q.uuid, "");
	assert_int_equal(q.smp, 1);
}

static void test_uevent_parse(void **state)
{
	(void)state;
	const char m[] = "change@/devices/virtual/misc/kvm\0ACTION=change\0DEVPATH=/devices/virtual/misc/kvm\0"
			 "SUBSYSTEM=misc\0CREATED=3\0COUNT=1\0EVENT=create\0PID=4242\0STATS_PATH=/kvm/4242-13\0SEQNUM=99";
	struct vt_uevent ev;
	assert_int_equal(vt_uevent_parse(m, sizeof(m), &ev), 1);
	assert_int_equal(ev.action, VT_UEVENT_CREATE);
	assert_int_equal(ev.pid, 4242);
	assert_string_equal(ev.stats_path, "/kvm/4242-13");
	assert_int_equal(ev.seqnum, 99);
	const char d[] = "change@/devices/virtual/misc/kvm\0DEVPATH=/devices/virtual/misc/kvm\0EVENT=destroy\0PID=7";
	assert_int_equal(vt_uevent_parse(d, sizeof(d), &ev), 1);
	assert_int_equal(ev.action, VT_UEVENT_DESTROY);
	assert_int_equal(ev.pid, 7);
	/* Another device, or a KVM uevent without EVENT/PID, is not ours. */
	const char o[] = "change@/devices/virtual/misc/tun\0DEVPATH=/devices/virtual/misc/tun\0EVENT=create\0PID=7";
	assert_int_equal(vt_uevent_parse(o, sizeof(o), &ev), 0);
	const char n[] = "change@/devices/virtual/misc/kvm\0DEVPATH=/devices/virtual/misc/kvm\0EVENT=create";
	assert_int_equal(vt_uevent_parse(n, sizeof(n), &ev), 0);
	/* Truncated garbage must not be read past its end. */
	assert_int_equal(vt_uevent_parse("DEVPATH=/devi", 13, &ev), 0);
}

static void test_marker_format(void **state)
{
	(void)state;
	struct vt_guest_info g = {.pid = 12, .vcpus = 2};
	strcpy(g.uuid, "u-1");
	strcpy(g.name, "my vm%1\n");
	strcpy(g.debugfs, "/sys/kernel/debug/kvm/12-3");
	char buf[512];
	size_t n = vt_marker_format_guest(buf, sizeof(buf), "guest", &g);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "vmtrace: guest pid=12 uuid=u-1 name=my%20vm%251%0A vcpus=2 "
				 "debugfs=/sys/kernel/debug/kvm/12-3\n");
	vt_marker_format_guest(buf, sizeof(buf), "guest_created", &g);
	assert_string_equal(buf, "vmtrace: guest_created pid=12 uuid=u-1 name=my%20vm%251%0A vcpus=2\n");
	struct vt_vcpu_info v = {.vcpu = 1, .tid = 99, .tsc_offset = -5, .has_tsc = 1};
	vt_marker_format_vcpu(buf, sizeof(buf), &g, &v);
	assert_string_equal(buf, "vmtrace: guest_vcpu pid=12 vcpu=1 tid=99 tsc_offset=-5 "
				 "tsc_scaling_ratio=0 tsc_scaling_frac_bits=0\n");
	vt_marker_format_simple(buf, sizeof(buf), "guest_destroyed", 12);
	assert_string_equal(buf, "vmtrace: guest_destroyed pid=12\n");
	vt_marker_format_simple(buf, sizeof(buf), "statedump_begin", -1);
	assert_string_equal(buf, "vmtrace: statedump_begin\n");
	/* A line cut short still ends with its newline. */
	n = vt_marker_format_guest(buf, 20, "guest", &g);
	assert_int_equal(n, 19);
	assert_int_equal(buf[18], '\n');
}

/* What the ftrace sink writes, read back: every field, escapes undone. */
static void test_marker_roundtrip(void **state)
{
	(void)state;
	struct vt_guest_info g = {.pid = 4242, .vcpus = 3};
	strcpy(g.uuid, "0f0e0d0c-0000-4000-8000-000000000001");
	strcpy(g.name, "a b%c=d\te\xc3\xa9");
	strcpy(g.debugfs, "/sys/kernel/debug/kvm/4242-11");
	char line[1024], buf[1024];
	struct vt_event ev;
	vt_marker_format_guest(line, sizeof(line), "guest_created", &g);
	/* As trace-cmd report prints it, after its own prefix. */
	char shown[1200];
	snprintf(shown, sizeof(shown), "  vmtraced-77 [001] 12.345678: print: tracing_mark_write: %s", line);
	assert_int_equal(vt_marker_parse(shown, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_GUEST_CREATED);
	assert_int_equal(ev.u.guest.pid, 4242);
	assert_string_equal(ev.u.guest.uuid, g.uuid);
	assert_string_equal(ev.u.guest.name, g.name);
	assert_int_equal(ev.u.guest.vcpus, 3);
	vt_marker_format_guest(line, sizeof(line), "guest", &g);
	assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_GUEST_DUMP);
	struct vt_vcpu_info v = {.vcpu = 2, .tid = 4250, .tsc_offset = -9000000000000LL, .has_tsc = 1,
				 .tsc_scaling_ratio = 281474976710656ull, .tsc_scaling_frac_bits = 48};
	vt_marker_format_vcpu(line, sizeof(line), &g, &v);
	assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_GUEST_VCPU);
	assert_int_equal(ev.u.guest_vcpu.pid, 4242);
	assert_int_equal(ev.u.guest_vcpu.vcpu, 2);
	assert_int_equal(ev.u.guest_vcpu.tid, 4250);
	assert_int_equal(ev.u.guest_vcpu.tsc_offset, -9000000000000LL);
	assert_int_equal(ev.u.guest_vcpu.tsc_scaling_ratio, 281474976710656ull);
	assert_int_equal(ev.u.guest_vcpu.tsc_scaling_frac_bits, 48);
	struct vt_machine_info m = {.product_uuid = "", .machine_id = "abc", .boot_id = "b-1", .hostname = "h 1"};
	vt_marker_format_machine(line, sizeof(line), &m);
	assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_MACHINE_ID);
	assert_string_equal(ev.u.machine.product_uuid, "");
	assert_string_equal(ev.u.machine.hostname, "h 1");
	vt_marker_format_simple(line, sizeof(line), "guest_destroyed", 4242);
	assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_GUEST_DESTROYED);
	assert_int_equal(ev.u.guest.pid, 4242);
	vt_marker_format_simple(line, sizeof(line), "statedump_end", -1);
	assert_int_equal(vt_marker_parse(line, &ev, buf, sizeof(buf)), 1);
	assert_int_equal(ev.kind, VT_STATEDUMP_END);
	/* Every byte a name may hold: the line stays one line of printable
	 * ASCII, and reads back to the same bytes. */
	struct vt_guest_info all = {.pid = 5, .vcpus = 1, .kvm = VT_KVM_DEBUGFS};
	strcpy(all.uuid, "0f0e0d0c-0000-4000-8000-000000000005");
	for (int b = 1; b < 256; b++)
		all.name[b - 1] = (char)b;
	char big[2048], bigbuf[2048];
	size_t n = vt_marker_format_guest(big, sizeof(big), "guest", &all);
	assert_int_equal(big[n - 1], '\n');
	for (size_t i = 0; i + 1 < n; i++)
		assert_true(big[i] >= 0x20 && big[i] <= 0x7e);
	assert_int_equal(vt_marker_parse(big, &ev, bigbuf, sizeof(bigbuf)), 1);
	assert_string_equal(ev.u.guest.name, all.name);
	assert_string_equal(ev.u.guest.kvm, "debugfs");
	/* Lines written before the evidence was said have no kvm key. */
	assert_int_equal(vt_marker_parse("vmtrace: guest pid=3 uuid= name=x vcpus=1", &ev, buf, sizeof(buf)), 1);
	assert_null(ev.u.guest.kvm);
	/* Not ours, and malformed. */
	assert_int_equal(vt_marker_parse("hello world", &ev, buf, sizeof(buf)), 0);
	assert_int_equal(vt_marker_parse("vmtrace: bogus pid=1", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: guest pid=x", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: guest name=%4", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: guest nokey", &ev, buf, sizeof(buf)), -1);
	assert_int_equal(vt_marker_parse("vmtrace: guest pid=1", &ev, buf, 4), -1);
}

static void put(const char *root, const char *rel, const char *content)
{
	char path[1024], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite(content, 1, strlen(content), f);
	fclose(f);
}

/* A fake host: one QEMU (pid 500) with 2 vCPU threads and a debugfs folder. */
static void test_fake_host(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char proc[600], debugfs[600];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(debugfs, sizeof(debugfs), "%s/debug", root);
	static const char cmd[] = "qemu-system-x86_64\0-uuid\0AbCdEf01-2345-6789-abcd-ef0123456789\0-name\0"
				  "fake,debug-threads=on\0-smp\0002\0";
	char path[700];
	put(proc, "500/task/500/comm", "qemu-system-x86\n");
	put(proc, "500/task/501/comm", "CPU 0/KVM\n");
	put(proc, "500/task/502/comm", "CPU 1/KVM\n");
	put(proc, "500/task/503/comm", "worker\n");
	put(proc, "77/cmdline", "bash");
	snprintf(path, sizeof(path), "%s/500/cmdline", proc);
	FILE *f = fopen(path, "w");
	fwrite(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	put(debugfs, "kvm/500-11/vcpu0/tsc-offset", "-123456789\n");
	put(debugfs, "kvm/500-11/vcpu1/tsc-offset", "-123456700\n");
	put(debugfs, "kvm/500-11/vcpu1/tsc-scaling-ratio", "281474976710656\n");
	put(debugfs, "kvm/500-11/vcpu1/tsc-scaling-ratio-frac-bits", "48\n");
	put(debugfs, "kvm/halt_exits", "0\n");
	/* A VM without a readable QEMU (another VMM, or gone): pid 900. */
	put(debugfs, "kvm/900-4/vcpu0/tsc-offset", "1\n");

	struct vt_agent_paths paths = {.proc = proc, .debugfs = debugfs};
	struct vt_guest_list l;
	struct vt_error err;
	assert_int_equal(vt_agent_statedump(&paths, &l, &err), 0);
	assert_true(l.debugfs_ok);
	assert_int_equal(l.n, 1); /* 900 has no /proc entry: gone, left out */
	struct vt_guest_info *g = &l.guests[0];
	assert_int_equal(g->pid, 500);
	assert_string_equal(g->uuid, "AbCdEf01-2345-6789-abcd-ef0123456789");
	assert_int_equal(g->kvm, VT_KVM_DEBUGFS);
	assert_string_equal(g->note, "");
	assert_string_equal(g->name, "fake");
	assert_int_equal(g->vcpus, 2);
	assert_int_equal(g->accel, VT_ACCEL_KVM);
	snprintf(path, sizeof(path), "%s/kvm/500-11", debugfs);
	assert_string_equal(g->debugfs, path);
	assert_int_equal(g->vcpu[0].tid, 501);
	assert_int_equal(g->vcpu[1].tid, 502);
	assert_true(g->vcpu[0].has_tsc);
	assert_int_equal(g->vcpu[0].tsc_offset, -123456789);
	assert_int_equal(g->vcpu[0].tsc_scaling_ratio, 0);
	assert_int_equal(g->vcpu[1].tsc_scaling_ratio, 281474976710656ull);
	assert_int_equal(g->vcpu[1].tsc_scaling_frac_bits, 48);
	char *json = vt_guest_list_json(&l);
	assert_non_null(strstr(json, "\"tsc_offset\": -123456789"));
	free(json);
	vt_guest_list_free(&l);

	/* Read by pid, as after a create uevent; and a pid already gone. */
	struct vt_guest_info one;
	assert_int_equal(vt_agent_read_guest(&paths, 500, "/kvm/500-11", &one, &err), 0);
	assert_false(one.gone);
	assert_int_equal(one.nvcpu, 2);
	vt_guest_info_free(&one);
	assert_int_equal(vt_agent_read_guest(&paths, 900, "/kvm/900-4", &one, &err), 0);
	assert_true(one.gone);
	vt_guest_info_free(&one);

	/* Unreadable debugfs: still the guest, and a note saying what is missing. */
	paths.debugfs = "/nonexistent";
	assert_int_equal(vt_agent_statedump(&paths, &l, &err), 0);
	assert_false(l.debugfs_ok);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.note, "/nonexistent/kvm"));
	assert_false(l.guests[0].vcpu[0].has_tsc);
	vt_guest_list_free(&l);
	vt_rmtree(root);
	free(root);
}

/* A process that calls itself QEMU, on a fake /proc: threads named to break
 * the indices, a uuid that is none, -smp beyond KVM, and a VM fd of its own. */
static void test_fake_hostile(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char proc[600], path[800];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	static const char cmd[] = "qemu-system-x86_64\0-uuid\0../../etc\0-name\0a\x1b[2Jb\nc\0-smp\0004000000000";
	put(proc, "600/task/600/comm", "qemu-system-x86\n");
	put(proc, "600/task/601/comm", "CPU -1/KVM\n");
	put(proc, "600/task/602/comm", "CPU 4294967296/\n");
	put(proc, "600/task/603/comm", "CPU 9999999/KVM\n");
	put(proc, "600/task/604/comm", "CPU 4096/KVM\n");
	put(proc, "600/task/605/comm", "CPU 3/KVM\n");
	put(proc, "600/task/606/comm", "CPU 3/KVM\n"); /* the same index twice: the first stands */
	put(proc, "600/task/-7/comm", "CPU 0/KVM\n");  /* not a tid */
	snprintf(path, sizeof(path), "%s/600/cmdline", proc);
	FILE *f = fopen(path, "w");
	fwrite(cmd, 1, sizeof(cmd) - 1, f); /* the last argument without its NUL */
	fclose(f);
	snprintf(path, sizeof(path), "%s/600/fd", proc);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/600/fd/3", proc);
	assert_int_equal(symlink("anon_inode:kvm-vm", path), 0);
	struct vt_agent_paths paths = {.proc = proc, .debugfs = "/nonexistent"};
	struct vt_guest_info g;
	struct vt_error err;
	assert_int_equal(vt_agent_read_guest(&paths, 600, NULL, &g, &err), 0);
	assert_false(g.gone);
	assert_int_equal(g.kvm, VT_KVM_VM_FD);
	assert_string_equal(g.uuid, "");
	assert_string_equal(g.name, "a\x1b[2Jb\nc");
	assert_int_equal(g.smp, 0);
	assert_int_equal(g.nvcpu, 4);
	assert_int_equal(g.vcpu[3].tid, 605);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.vcpu[i].tid, -1);
	printf("note: %s\n", g.note);
	assert_non_null(strstr(g.note, "uuid \"../../etc\" is not a uuid"));
	assert_non_null(strstr(g.note, "-smp 4000000000: more vCPUs than KVM allows (4096): ignored"));
	assert_non_null(strstr(g.note, "5 threads named \"CPU n/...\" ignored"));
	vt_guest_info_free(&g);
	/* A stats path from a uevent must be the kernel's form for that pid. */
	assert_int_equal(vt_agent_read_guest(&paths, 600, "/kvm/../../600-1", &g, &err), 0);
	assert_string_equal(g.debugfs, "");
	vt_guest_info_free(&g);
	vt_rmtree(root);
	free(root);
}

static void test_cmdline_hostile(void **state)
{
	(void)state;
	struct vt_qemu_cmdline q;
	const char *a[] = {"qemu-system-x86_64", "-smp", "sockets=65536,cores=65536,threads=65536", "-uuid"};
	cmdline(a, 4, &q);
	assert_int_equal(q.smp, UINT32_MAX); /* saturated, not wrapped */
	const char *b[] = {"qemu-system-x86_64", "-smp", "99999999999999999999999,maxcpus=-1"};
	cmdline(b, 3, &q);
	assert_int_equal(q.smp, UINT32_MAX);
	assert_int_equal(q.maxcpus, 0);
	assert_false(vt_uuid_valid("6c1b0a53-0000-4000-8000-00000000000"));
	assert_false(vt_uuid_valid("6c1b0a53-0000-4000-8000-00000000000g"));
	assert_false(vt_uuid_valid("6c1b0a53a0000-4000-8000-000000000000"));
	assert_true(vt_uuid_valid("6C1B0A53-0000-4000-8000-00000000000f"));
	/* Not NUL-terminated, and an empty buffer. */
	vt_qemu_parse_cmdline("qemu-kvm\0-name\0x", 16, &q);
	assert_true(q.is_qemu);
	assert_string_equal(q.name, "x");
	vt_qemu_parse_cmdline("", 0, &q);
	assert_false(q.is_qemu);
}

static void test_uevent_hostile(void **state)
{
	(void)state;
	struct vt_uevent ev;
	const char neg[] = "change@/devices/virtual/misc/kvm\0DEVPATH=/devices/virtual/misc/kvm\0EVENT=create\0PID=-5";
	assert_int_equal(vt_uevent_parse(neg, sizeof(neg), &ev), 0);
	const char big[] = "DEVPATH=/devices/virtual/misc/kvm\0EVENT=create\0PID=4294967297";
	assert_int_equal(vt_uevent_parse(big, sizeof(big), &ev), 0);
	const char path[] = "DEVPATH=/devices/virtual/misc/kvm\0EVENT=create\0PID=42\0STATS_PATH=/kvm/../../etc";
	assert_int_equal(vt_uevent_parse(path, sizeof(path), &ev), 1);
	assert_string_equal(ev.stats_path, "");
	const char other[] = "DEVPATH=/devices/virtual/misc/kvm\0EVENT=create\0PID=42\0STATS_PATH=/kvm/43-1";
	assert_int_equal(vt_uevent_parse(other, sizeof(other), &ev), 1);
	assert_string_equal(ev.stats_path, "");
	const char ok[] = "DEVPATH=/devices/virtual/misc/kvm\0EVENT=destroy\0PID=42\0STATS_PATH=/kvm/42-17\0SEQNUM=x";
	assert_int_equal(vt_uevent_parse(ok, sizeof(ok), &ev), 1);
	assert_string_equal(ev.stats_path, "/kvm/42-17");
	assert_int_equal(ev.seqnum, 0);
}

/* Thread ids 100..103 belong to the QEMU, nothing else does. */
static int fake_thread(void *ctx, int64_t tid)
{
	(void)ctx;
	return tid >= 100 && tid <= 103;
}

static enum vt_qmp_msg qmp_msg(const char *line)
{
	return vt_qmp_message(line, strlen(line));
}

static void test_qmp_parse(void **state)
{
	(void)state;
	assert_int_equal(qmp_msg("{\"QMP\": {\"version\": {}}}"), VT_QMP_GREETING);
	assert_int_equal(qmp_msg("{\"return\": {}}"), VT_QMP_RETURN);
	assert_int_equal(qmp_msg("{\"event\": \"STOP\"}"), VT_QMP_EVENT);
	assert_int_equal(qmp_msg("{\"error\": {}}"), VT_QMP_ERROR);
	assert_int_equal(qmp_msg("{{{{"), VT_QMP_BAD);
	assert_int_equal(qmp_msg("[1]"), VT_QMP_BAD);
	assert_int_equal(qmp_msg("{\"return\": 1, \"return\": 2}"), VT_QMP_BAD);
	int32_t tids[4] = {-1, -1, -1, -1};
	uint32_t refused;
	const char *hostile = "{\"return\": [{\"cpu-index\": 4294967296, \"thread-id\": 100},"
			      "{\"cpu-index\": -1, \"thread-id\": 100}, {\"cpu-index\": 4, \"thread-id\": 100},"
			      "{\"cpu-index\": 0, \"thread-id\": 1}, {\"cpu-index\": 0, \"thread-id\": 4294967397},"
			      "{\"cpu-index\": \"1\", \"thread-id\": 101}, {\"thread-id\": 101}, 7,"
			      "{\"cpu-index\": 2, \"thread-id\": 102}, {\"cpu-index\": 2, \"thread-id\": 103}]}";
	assert_int_equal(vt_qmp_parse_cpus(hostile, strlen(hostile), 4, fake_thread, NULL, tids, &refused), 3);
	assert_int_equal(refused, 9);
	assert_int_equal(tids[0], -1);
	assert_int_equal(tids[1], -1);
	assert_int_equal(tids[2], 102);
	assert_int_equal(tids[3], -1);
	assert_int_equal(vt_qmp_parse_cpus("{\"return\": {}}", 14, 4, fake_thread, NULL, tids, &refused), -1);
	assert_int_equal(vt_qmp_parse_cpus("garbage", 7, 4, fake_thread, NULL, tids, &refused), -1);
}

static void test_machine(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char sys[600], etc[600], proc[600];
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	put(sys, "class/dmi/id/product_uuid", "11111111-2222-3333-4444-555555555555\n");
	put(etc, "machine-id", "0123456789abcdef0123456789abcdef\n");
	put(proc, "sys/kernel/random/boot_id", "b-o-o-t\n");
	put(proc, "sys/kernel/hostname", "guest1\n");
	struct vt_agent_paths paths = {.proc = proc, .sys = sys, .etc = etc};
	struct vt_machine_info m;
	vt_machine_read(&paths, &m);
	assert_string_equal(m.product_uuid, "11111111-2222-3333-4444-555555555555");
	assert_string_equal(m.machine_id, "0123456789abcdef0123456789abcdef");
	assert_string_equal(m.boot_id, "b-o-o-t");
	assert_string_equal(m.hostname, "guest1");
	assert_string_equal(m.note, "");
	paths.sys = "/nonexistent";
	vt_machine_read(&paths, &m);
	assert_string_equal(m.product_uuid, "");
	assert_non_null(strstr(m.note, "product_uuid"));
	vt_rmtree(root);
	free(root);
}

static void test_chronyc_parse(void **state)
{
	(void)state;
	struct vt_clock_check c = {0};
	assert_int_equal(vt_chronyc_parse_tracking(
				 "50484330,PHC0,1,1764115200.123456789,-0.000000042,0.000000003,"
				 "0.000000017,-1.234,0.001,0.010,0.000000001,0.000001,4.0,Normal\n", &c), 0);
	assert_true(c.has_offset);
	assert_string_equal(c.ref_name, "PHC0");
	assert_true(c.offset_s < -4.1e-8 && c.offset_s > -4.3e-8);
	assert_true(c.rms_offset_s > 1.6e-8 && c.rms_offset_s < 1.8e-8);
	assert_int_equal(vt_chronyc_parse_tracking("garbage", &c), -1);
	vt_chronyc_parse_sources("^,-,192.0.2.1,2,6,377,33,0.001,0.001,0.01\n#,*,PHC0,0,2,377,4,-0.0000001,-0.0000001,0.00000005\n", &c);
	assert_true(c.chrony_uses_phc);
	assert_true(c.chrony_phc_selected);
	struct vt_clock_check d = {0};
	vt_chronyc_parse_sources("^,*,192.0.2.1,2,6,377,33,0.001,0.001,0.01\n", &d);
	assert_false(d.chrony_uses_phc);
}

static void test_clock_check_fake(void **state)
{
	(void)state;
	char *root = vt_mkdtemp();
	char sys[600], etc[600];
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	put(sys, "module/ptp_kvm/refcnt", "0\n");
	put(sys, "class/ptp/ptp0/clock_name", "some NIC\n");
	put(sys, "class/ptp/ptp1/clock_name", "KVM virtual PTP\n");
	put(etc, "chrony/chrony.conf", "pool 2.debian.pool.ntp.org iburst\n");
	struct vt_agent_paths paths = {.sys = sys, .etc = etc};
	struct vt_clock_check c;
	vt_clock_check_run(&paths, 0, &c);
	assert_int_equal(c.ptp_kvm_module, VT_CHECK_OK);
	assert_int_equal(c.ptp_clock, VT_CHECK_OK);
	assert_string_equal(c.ptp_dev, "/dev/ptp1");
	assert_int_equal(c.chrony_config, VT_CHECK_FAIL);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_int_equal(vt_clock_check_print(&c, out), 1);
	fclose(out);
	/* The exact line to add, naming the KVM clock's device. */
	assert_non_null(strstr(text, "refclock PHC /dev/ptp1 poll 2"));
	free(text);

	put(etc, "chrony/conf.d/ptp.conf", "# comment\nrefclock PHC /dev/ptp1 poll 2\n");
	vt_clock_check_run(&paths, 0, &c);
	assert_int_equal(c.chrony_config, VT_CHECK_OK);
	assert_string_equal(c.refclock_line, "refclock PHC /dev/ptp1 poll 2");

	/* No ptp_kvm at all: the module line to load it. */
	paths.sys = "/nonexistent";
	vt_clock_check_run(&paths, 0, &c);
	assert_int_equal(c.ptp_kvm_module, VT_CHECK_FAIL);
	out = open_memstream(&text, &len);
	vt_clock_check_print(&c, out);
	fclose(out);
	assert_non_null(strstr(text, "modprobe ptp_kvm"));
	free(text);
	char *json = vt_clock_check_json(&c);
	assert_non_null(strstr(json, "\"ptp_kvm_module\": \"fail\""));
	free(json);
	vt_rmtree(root);
	free(root);
}

static void test_json_sink(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct vt_agent_sink s;
	struct vt_json_sink js;
	vt_json_sink_init(&s, &js, out, "memory");
	struct vt_vcpu_info v = {.vcpu = 0, .tid = 8, .tsc_offset = 9, .has_tsc = 1};
	struct vt_guest_info g[2] = {{.pid = 7, .vcpus = 1, .vcpu = &v, .nvcpu = 1, .kvm = VT_KVM_VM_FD},
				     {.pid = 9, .vcpus = 1, .vcpu = &v, .nvcpu = 1, .kvm = VT_KVM_NONE}};
	strcpy(g[0].uuid, "u\"q");
	strcpy(g[0].name, "bad \xff\xfe utf-8");
	strcpy(g[1].uuid, "6c1b0a53-0000-4000-8000-000000000009");
	struct vt_guest_list l = {.guests = g, .n = 2};
	/* The guest without KVM evidence is left out, whatever it claims. */
	assert_int_equal(vt_agent_emit_statedump(&s, 1, &l), 1);
	s.guest_destroyed(s.ctx, 7);
	/* A created guest without evidence: its pid and evidence only. */
	assert_int_equal(vt_agent_emit_created(&s, 1, &g[1]), 0);
	assert_null(s.write_error(s.ctx));
	fclose(out);
	assert_string_equal(text,
			    "{\"event\":\"statedump_begin\"}\n"
			    "{\"event\":\"guest\",\"pid\":7,\"uuid\":\"u\\\"q\",\"name\":\"bad \xef\xbf\xbd\xef\xbf\xbd utf-8\","
			    "\"vcpus\":1,\"kvm\":\"vm-fd\",\"debugfs\":\"\"}\n"
			    "{\"event\":\"guest_vcpu\",\"pid\":7,\"vcpu\":0,\"tid\":8,\"tsc_offset\":9,"
			    "\"tsc_scaling_ratio\":0,\"tsc_scaling_frac_bits\":0}\n"
			    "{\"event\":\"statedump_end\"}\n"
			    "{\"event\":\"guest_destroyed\",\"pid\":7}\n"
			    "{\"event\":\"guest_created\",\"pid\":9,\"uuid\":\"\",\"name\":\"\",\"vcpus\":0,"
			    "\"kvm\":\"none\"}\n");
	free(text);
	/* A full disk: the sink says so, once, and writes no more. */
	FILE *full = fopen("/dev/full", "w");
	assert_non_null(full);
	vt_json_sink_init(&s, &js, full, "/dev/full");
	vt_agent_emit_statedump(&s, 1, &l);
	assert_string_equal(s.write_error(s.ctx), "/dev/full: cannot write: No space left on device");
	fclose(full);
}

/* The socket hears the kernel; root senders only when trusted; other devices ignored. */
static void test_uevent_socket(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		printf("not root: cannot send uevents, socket test skipped\n");
		return;
	}
	struct vt_error err;
	int fd = vt_uevent_open(&err);
	assert_true(fd >= 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	int tx = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	struct sockaddr_nl src = {.nl_family = AF_NETLINK}, dst = {.nl_family = AF_NETLINK, .nl_groups = 1};
	assert_int_equal(bind(tx, (struct sockaddr *)&src, sizeof(src)), 0);
	const char m[] = "change@/devices/virtual/misc/kvm\0DEVPATH=/devices/virtual/misc/kvm\0EVENT=create\0PID=4321";
	struct vt_uevent ev;
	for (int trust = 0; trust < 2; trust++) {
		assert_int_equal(sendto(tx, m, sizeof(m), 0, (struct sockaddr *)&dst, sizeof(dst)), (ssize_t)sizeof(m));
		struct pollfd p = {fd, POLLIN, 0};
		assert_int_equal(poll(&p, 1, 2000), 1);
		int r = vt_uevent_recv(fd, trust, &ev, &err);
		/* Forged by a process: refused unless trusted; then it is a KVM create. */
		assert_int_equal(r, trust ? 1 : 0);
		if (trust) {
			assert_int_equal(ev.action, VT_UEVENT_CREATE);
			assert_int_equal(ev.pid, 4321);
		}
	}
	close(tx);
	/* A real kernel uevent from another device: received, not ours. */
	int u = open("/sys/class/misc/tun/uevent", O_WRONLY);
	if (u >= 0) {
		ssize_t w = write(u, "change", 6);
		close(u);
		struct pollfd p = {fd, POLLIN, 0};
		if (w == 6 && poll(&p, 1, 2000) == 1)
			assert_int_equal(vt_uevent_recv(fd, 0, &ev, &err), 0);
		else
			printf("no kernel uevent from tun: that part not checked\n");
	}
	/* Nothing pending: a non-blocking receive says so without error. */
	assert_int_equal(vt_uevent_recv(fd, 1, &ev, &err), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_plain),
		cmocka_unit_test(test_cmdline_libvirt),
		cmocka_unit_test(test_cmdline_not_qemu),
		cmocka_unit_test(test_uevent_parse),
		cmocka_unit_test(test_marker_format),
		cmocka_unit_test(test_marker_roundtrip),
		cmocka_unit_test(test_fake_host),
		cmocka_unit_test(test_fake_hostile),
		cmocka_unit_test(test_cmdline_hostile),
		cmocka_unit_test(test_uevent_hostile),
		cmocka_unit_test(test_qmp_parse),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_chronyc_parse),
		cmocka_unit_test(test_clock_check_fake),
		cmocka_unit_test(test_json_sink),
		cmocka_unit_test(test_uevent_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
