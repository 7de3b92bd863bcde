/* Per-event-name counts equal those of an independent reader, the babeltrace2 CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmtrace/sources.h"

#define MAX_NAMES 512

struct name_count {
	char name[128];
	uint64_t count;
};

struct counts {
	struct name_count n[MAX_NAMES];
	size_t len;
};

static void add(struct counts *c, const char *name, uint64_t k)
{
	for (size_t i = 0; i < c->len; i++)
		if (!strcmp(c->n[i].name, name)) {
			c->n[i].count += k;
			return;
		}
	assert_true(c->len < MAX_NAMES);
	snprintf(c->n[c->len].name, sizeof(c->n[0].name), "%s", name);
	c->n[c->len++].count = k;
}

static uint64_t get(const struct counts *c, const char *name)
{
	for (size_t i = 0; i < c->len; i++)
		if (!strcmp(c->n[i].name, name))
			return c->n[i].count;
	return 0;
}

static void ours(const char *path, struct counts *c)
{
	struct vt_source *src;
	struct vt_error err = {0};
	if (!(src = vt_source_open(&path, 1, &err)))
		fail_msg("%s", err.msg);
	const struct vt_event *ev;
	int rc;
	while ((rc = vt_source_next(src, &ev, &err)) > 0)
		add(c, ev->name, 1);
	assert_int_equal(rc, 0);
	vt_source_close(src);
}

static void theirs(const char *path, struct counts *c)
{
	struct vt_run run;
	/* "[time] (+delta) host NAME: {...}" → NAME */
	vt_run_shell(&run,
		     "babeltrace2 '%s' | sed -E 's/^\\[[^]]*\\] \\([^)]*\\) [^ ]+ ([^ ]+): .*/\\1/' | sort | uniq -c",
		     path);
	assert_int_equal(run.status, 0);
	char *save, *line = strtok_r(run.out, "\n", &save);
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long k;
		char name[128];
		if (sscanf(line, " %llu %127s", &k, name) == 2)
			add(c, name, k);
	}
	vt_run_free(&run);
}

static void compare(const char *rel)
{
	const char *path = vt_testdata(rel);
	if (!path) {
		vt_skip_part(VT_SKIP_NO_TESTDATA, "%s absent", rel);
		return;
	}
	static struct counts a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ours(path, &a);
	theirs(path, &b);
	assert_true(a.len > 3);
	assert_int_equal(a.len, b.len);
	for (size_t i = 0; i < a.len; i++) {
		if (a.n[i].count != get(&b, a.n[i].name))
			fail_msg("%s: %s: vmtrace %llu, babeltrace2 %llu", rel, a.n[i].name,
				 (unsigned long long)a.n[i].count, (unsigned long long)get(&b, a.n[i].name));
	}
}

static void test_many_threads(void **state)
{
	(void)state;
	compare("ctf/many-threads");
}

static void test_real_kvm_host(void **state)
{
	(void)state;
	compare("real-kvm/run1/host/kernel");
}

int main(void)
{
	vt_require_testdata("ctf/many-threads");
	vt_require_program("babeltrace2");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_real_kvm_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
