#include "agent/kacct.h"
#include "agent/debugfs.h"
#include "agent/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* /proc's stat line is under 1 KiB; a counter file a line: 4 KiB bounds both. */
#define KACCT_FILE_MAX 4096

/* The next run of digits at *p after blanks; -1 when none or too large. */
static int next_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strspn(s, "0123456789");
	if (!n || vt_parse_decimal(s, n, UINT64_MAX, v) < 0)
		return -1;
	*p = s + n;
	return 0;
}

int vt_kacct_parse_schedstat(const char *text, uint64_t *run, uint64_t *wait, uint64_t *slices)
{
	const char *p = text;
	uint64_t a, b, c;
	if (next_u64(&p, &a) || next_u64(&p, &b) || next_u64(&p, &c))
		return -1;
	while (*p == ' ' || *p == '\n')
		p++;
	if (*p)
		return -1;
	*run = a, *wait = b, *slices = c;
	return 0;
}

int vt_kacct_parse_guest_time(const char *text, uint64_t *ticks)
{
	/* The comm may hold ')' and spaces: fields count from the last ')'. */
	const char *p = strrchr(text, ')');
	if (!p)
		return -1;
	p++;
	/* field 3 (state) is the first after ")"; field 43 the 41st */
	for (int field = 3; field < 43; field++) {
		if (*p != ' ')
			return -1;
		p++;
		size_t n = strcspn(p, " \n");
		if (!n)
			return -1;
		p += n;
	}
	if (*p != ' ')
		return -1;
	p++;
	size_t n = strcspn(p, " \n");
	return vt_parse_decimal(p, n, UINT64_MAX, ticks);
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n < VT_KACCT_NAME_MAX && name[0] != '.' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int have(const struct vt_kacct_counters *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->c[i].name, name))
			return 1;
	return 0;
}

/* 1 when added, 0 when not a counter. */
static int add_file(const char *dir, const char *name, size_t max, struct vt_kacct_counters *out)
{
	if (!name_ok(name) || have(out, name))
		return 0;
	char path[4200], buf[64];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return 0;
	long len = vt_read_regular(path, buf, sizeof(buf));
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	uint64_t v;
	if (len <= 0 || vt_parse_decimal(buf, (size_t)len, UINT64_MAX, &v) < 0)
		return 0; /* tsc-offset (signed), tables, garbage: not a counter */
	if (out->n >= max) {
		out->cut = 1;
		return 0;
	}
	vt_strlcpy(out->c[out->n].name, name, VT_KACCT_NAME_MAX);
	out->c[out->n].value = v;
	out->n++;
	return 1;
}

static int cmp_counter(const void *a, const void *b)
{
	return strcmp(((const struct vt_kacct_counter *)a)->name, ((const struct vt_kacct_counter *)b)->name);
}

int vt_kacct_read_dir(const char *dir, size_t max, struct vt_kacct_counters *out)
{
	/* The ones the analysis compares, before any bound can drop them. */
	static const char *const prefer[] = {"exits", "halt_exits", "io_exits", "mmio_exits", "irq_exits",
					     "signal_exits", "halt_wait_ns", "preemption_reported",
					     "request_irq_exits", "irq_window_exits", "nmi_window_exits"};
	memset(out, 0, sizeof(*out));
	if (!max)
		return 0;
	out->c = calloc(max, sizeof(*out->c));
	if (!out->c)
		return -1;
	for (size_t i = 0; i < sizeof(prefer) / sizeof(prefer[0]); i++)
		add_file(dir, prefer[i], max, out);
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		/* A bound on the entries looked at too: a tree of a million files costs little. */
		for (unsigned seen = 0; (e = readdir(d)) && seen < 4096; seen++)
			add_file(dir, e->d_name, max, out);
		closedir(d);
	}
	qsort(out->c, out->n, sizeof(*out->c), cmp_counter);
	return 0;
}

/* kallsyms lines are "ADDRESS TYPE NAME[\t[MODULE]]"; some 200 000 of them,
 * read once a recording. A line longer than the buffer is skipped whole. */
int vt_kacct_symbol(const struct vt_agent_paths *paths, const char *symbol, uint64_t *addr)
{
	char path[4200], line[512];
	snprintf(path, sizeof(path), "%s/kallsyms", vt_agent_proc(paths));
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int found = 0, torn = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		int whole = n > 0 && line[n - 1] == '\n';
		if (torn || !whole) {
			torn = !whole;
			continue;
		}
		char *end, *name;
		unsigned long long a = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			continue;
		name = end + 3;
		name[strcspn(name, "\t\n")] = '\0';
		if (!strcmp(name, symbol) && a != 0) {
			*addr = (uint64_t)a;
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

int vt_kacct_get(const struct vt_kacct_counters *c, const char *name, uint64_t *value)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->c[i].name, name)) {
			*value = c->c[i].value;
			return 0;
		}
	return -1;
}

static int64_t mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int vt_kacct_read_guest(const struct vt_agent_paths *paths, int64_t pid, const uint32_t *vcpu, const int32_t *tid,
			size_t n, struct vt_kacct_guest *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->clk_tck = sysconf(_SC_CLK_TCK);
	if (n > VT_AGENT_MAX_VCPUS)
		n = VT_AGENT_MAX_VCPUS;
	out->threads = n ? calloc(n, sizeof(*out->threads)) : NULL;
	if (n && !out->threads)
		return -1;
	out->nthreads = n;
	char vmdir[768];
	int has_vm = pid > 0 && vt_kvm_debugfs_find(paths, pid, vmdir, sizeof(vmdir));
	for (size_t i = 0; i < n; i++) {
		struct vt_kacct_thread *t = &out->threads[i];
		t->vcpu = vcpu[i];
		t->tid = tid[i];
		if (tid[i] <= 0 || pid <= 0)
			continue;
		char path[1024], buf[KACCT_FILE_MAX];
		t->mono_ns = mono_now();
		snprintf(path, sizeof(path), "%s/%" PRId64 "/task/%" PRId32 "/schedstat", vt_agent_proc(paths), pid, tid[i]);
		t->has_sched = vt_read_regular(path, buf, sizeof(buf)) > 0 &&
			       vt_kacct_parse_schedstat(buf, &t->run_ns, &t->wait_ns, &t->timeslices) == 0;
		snprintf(path, sizeof(path), "%s/%" PRId64 "/task/%" PRId32 "/stat", vt_agent_proc(paths), pid, tid[i]);
		t->has_guest_time = vt_read_regular(path, buf, sizeof(buf)) > 0 &&
				    vt_kacct_parse_guest_time(buf, &t->guest_ticks) == 0;
		if (has_vm && vcpu[i] < VT_AGENT_MAX_VCPUS) {
			snprintf(path, sizeof(path), "%s/vcpu%" PRIu32, vmdir, vcpu[i]);
			if (vt_kacct_read_dir(path, VT_KACCT_MAX_VCPU_COUNTERS, &t->kvm) < 0)
				return -1;
		}
	}
	if (has_vm) {
		out->mono_ns = mono_now();
		if (vt_kacct_read_dir(vmdir, VT_KACCT_MAX_VM_COUNTERS, &out->vm) < 0)
			return -1;
	}
	return 0;
}

void vt_kacct_guest_free(struct vt_kacct_guest *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nthreads; i++)
		free(g->threads[i].kvm.c);
	free(g->threads);
	free(g->vm.c);
	memset(g, 0, sizeof(*g));
}
