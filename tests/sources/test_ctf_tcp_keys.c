/* TCP keys decode to what an independent reader (babeltrace 1.x) shows:
 * the addons inet_sock_local_* layout on the synctraces, and lttng-modules'
 * network_header layout on the real KVM host trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define MAX_KEYS 200000

struct key {
	char dir; /* 'o' send, 'i' receive */
	uint32_t seq, ack_seq, flags;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct key));
}

static size_t ours(const char *path, struct key *keys)
{
	struct vt_source *src;
	struct vt_error err = {0};
	if (!(src = vt_source_open(&path, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_event *ev;
	size_t n = 0;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0) {
		if ((ev->kind != VT_NET_SEND && ev->kind != VT_NET_RECV) || !ev->u.net.has_key)
			continue;
		assert_true(n < MAX_KEYS);
		memset(&keys[n], 0, sizeof(keys[n]));
		keys[n].dir = ev->kind == VT_NET_SEND ? 'o' : 'i';
		keys[n].seq = ev->u.net.key.seq;
		keys[n].ack_seq = ev->u.net.key.ack_seq;
		keys[n].flags = ev->u.net.key.flags;
		n++;
	}
	assert_int_equal(rc, 0);
	vt_source_close(src);
	return n;
}

/* Runs a babeltrace 1.x pipeline printing "DIR SEQ ACK FLAGS" per TCP event. */
static size_t theirs(const char *cmd, struct key *keys)
{
	struct vt_run run;
	vt_run_shell(&run, "%s", cmd);
	assert_int_equal(run.status, 0);
	size_t n = 0;
	char *save, *line = strtok_r(run.out, "\n", &save);
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		char dir;
		unsigned long long s, a, f;
		if (sscanf(line, "%c %llu %llu %llu", &dir, &s, &a, &f) != 4)
			continue;
		assert_true(n < MAX_KEYS);
		memset(&keys[n], 0, sizeof(keys[n]));
		keys[n].dir = dir;
		keys[n].seq = (uint32_t)s;
		keys[n].ack_seq = (uint32_t)a;
		keys[n].flags = (uint32_t)f;
		n++;
	}
	vt_run_free(&run);
	return n;
}

static void compare(struct key *a, size_t na, struct key *b, size_t nb)
{
	assert_true(na > 0);
	assert_int_equal(na, nb);
	qsort(a, na, sizeof(*a), key_cmp);
	qsort(b, nb, sizeof(*b), key_cmp);
	for (size_t i = 0; i < na; i++)
		if (key_cmp(&a[i], &b[i]))
			fail_msg("key %zu differs: %c %u %u %u vs %c %u %u %u", i, a[i].dir, a[i].seq, a[i].ack_seq,
				 a[i].flags, b[i].dir, b[i].seq, b[i].ack_seq, b[i].flags);
}

static void test_addons_layout(void **state)
{
	(void)state;
	static struct key a[MAX_KEYS], b[MAX_KEYS];
	const char *path = vt_testdata("ctf/synctraces/scp_src");
	size_t na = ours(path, a);
	char cmd[2048];
	/* babeltrace prints these fields in hexadecimal: let the shell convert. */
	snprintf(cmd, sizeof(cmd),
		 "babeltrace '%s' | grep -E 'inet_sock_local_(out|in):' | "
		 "sed -E 's/.*inet_sock_local_(out|in):.* seq = (0x[0-9A-Fa-f]+), ack_seq = (0x[0-9A-Fa-f]+),"
		 ".* flags = (0x[0-9A-Fa-f]+) .*/\\1 \\2 \\3 \\4/' | "
		 "while read d s a f; do printf '%%s %%d %%d %%d\\n' $(echo $d | cut -c1) $s $a $f; done",
		 path);
	size_t nb = theirs(cmd, b);
	compare(a, na, b, nb);
}

static void test_network_header_layout(void **state)
{
	(void)state;
	const char *path = vt_testdata("real-kvm/run1/host/kernel");
	if (!path) {
		vt_skip_part(VT_SKIP_NO_TESTDATA, "real-kvm absent");
		return;
	}
	static struct key a[MAX_KEYS], b[MAX_KEYS];
	size_t na = ours(path, a);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "babeltrace '%s' | grep -E '(net_dev_queue|net_if_receive_skb):.*_tcp' | "
		 "sed -E 's/.*(net_dev_queue|net_if_receive_skb):.* seq = ([0-9]+), ack_seq = ([0-9]+),"
		 ".* flags = (0x[0-9A-Fa-f]+),.*/\\1 \\2 \\3 \\4/' | "
		 "sed -e 's/^net_dev_queue/o/' -e 's/^net_if_receive_skb/i/' | "
		 "while read d s a f; do printf '%%s %%s %%s %%d\\n' $d $s $a $f; done",
		 path);
	size_t nb = theirs(cmd, b);
	compare(a, na, b, nb);
}

int main(void)
{
	vt_require_testdata("ctf/synctraces/scp_src");
	vt_require_program("babeltrace");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addons_layout),
		cmocka_unit_test(test_network_header_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
