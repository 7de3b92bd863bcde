/* tracefs access for the ftrace recorder (ftrace_tracefs.h). */
#include "record/ftrace_tracefs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TRACEFS "/sys/kernel/tracing"
#define MAX_CPUS 4096

int vt_ftrace_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int has_instances(const char *dir)
{
	char p[VT_FTRACE_PATH];
	struct stat st;
	vt_ftrace_path(p, sizeof(p), "%s/instances", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Undoes /proc/mounts' octal escapes ("\040" for a space) in place. */
static void unescape_mount(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The first tracefs mount point listed in /proc/mounts that has instances/. */
static int mounted_tracefs(char *path, size_t size)
{
	FILE *f = fopen("/proc/mounts", "re");
	if (!f)
		return 0;
	char line[4096], dir[4096], type[64];
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %4095s %63s", dir, type) != 2 || strcmp(type, "tracefs"))
			continue;
		unescape_mount(dir);
		found = has_instances(dir) && vt_ftrace_path(path, size, "%s", dir) == 0;
	}
	fclose(f);
	return found;
}

int vt_ftrace_tracefs_find(const char *given, char *path, size_t size, int *mounted, struct vt_error *err)
{
	*mounted = 0;
	if (given) {
		if (!has_instances(given))
			return vt_error_set(err, "%s: not a tracefs folder (no instances/ in it)", given);
		if (vt_ftrace_path(path, size, "%s", given))
			return vt_error_set(err, "%s: path too long", given);
		return 0;
	}
	if (mounted_tracefs(path, size))
		return 0;
	if (has_instances("/sys/kernel/debug/tracing")) {
		snprintf(path, size, "/sys/kernel/debug/tracing");
		return 0;
	}
	if (mount("nodev", DEFAULT_TRACEFS, "tracefs", 0, NULL) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot mount tracefs: %s", DEFAULT_TRACEFS, strerror(errno));
	*mounted = 1;
	snprintf(path, size, DEFAULT_TRACEFS);
	return has_instances(path) ? 0 : vt_error_set(err, "%s: tracefs has no instances/", path);
}

int vt_ftrace_write_file(const char *path, const char *s, struct vt_error *err)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	size_t n = strlen(s);
	ssize_t w = write(fd, s, n);
	int e = errno;
	if (close(fd) != 0 && w == (ssize_t)n) {
		e = errno;
		w = -1;
	}
	if (w != (ssize_t)n)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write '%s': %s", path, s, w < 0 ? strerror(e) : "short write");
	return 0;
}

/* Reads fd to its end into buf (grown as needed, up to max + 1 bytes so that
 * a larger file shows). Returns the length, or -1 with errno. */
static ssize_t read_all(int fd, char **buf, size_t max)
{
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			if (cap > max)
				return (ssize_t)n;
			cap = cap ? cap * 2 : 4096;
			char *b = realloc(*buf, cap + 1);
			if (!b)
				return -1;
			*buf = b;
		}
		ssize_t got = read(fd, *buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -1 : (ssize_t)n;
		n += (size_t)got;
	}
}

char *vt_ftrace_read_file(const char *path, size_t max, size_t *len, struct vt_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	ssize_t n = read_all(fd, &buf, max);
	int e = errno;
	close(fd);
	if (n < 0 || (size_t)n > max) {
		if (n < 0)
			vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read: %s", path, strerror(e));
		else
			vt_error_set(err, "%s: larger than %zu bytes", path, max);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

int vt_ftrace_instance_create(const char *tracefs, const char *name, char *path, size_t size,
			      struct vt_error *err)
{
	if (snprintf(path, size, "%s/instances/%s", tracefs, name) >= (int)size)
		return vt_error_set(err, "%s: path too long", tracefs);
	if (mkdir(path, 0755) != 0) {
		if (errno == EEXIST)
			return vt_error_set(err, "%s: already exists (another recorder's, or left by a killed run: "
					    "rmdir it when unused)", path);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create the ftrace instance: %s", path, strerror(errno));
	}
	return 0;
}

/* EBUSY while any process holds one of the instance's files open: a child
 * forked by another thread (a guest's virsh) holds copies of ours until its
 * exec, a user's cat until it ends. Such holders go within milliseconds. */
#define REMOVE_TRIES 40
#define REMOVE_WAIT_NS 50000000L

int vt_ftrace_instance_remove(const char *path, struct vt_error *err)
{
	for (int i = 0; rmdir(path) != 0; i++) {
		int e = errno;
		if (e == ENOENT)
			return 0;
		if (e != EBUSY || i + 1 >= REMOVE_TRIES)
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot remove the ftrace instance: %s%s", path, strerror(e),
					    e == EBUSY ? " (a process still has its files open)" : "");
		struct timespec ts = {0, REMOVE_WAIT_NS};
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int word_ok(const char *s, size_t n)
{
	if (n == 0 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int vt_ftrace_event_name_ok(const char *name)
{
	const char *colon = strchr(name, ':');
	return colon && word_ok(name, (size_t)(colon - name)) && word_ok(colon + 1, strlen(colon + 1));
}

/* Whether the trace_clock text lists clock (as "name" or "[name]"). */
static int clock_listed(const char *text, const char *clock)
{
	size_t n = strlen(clock);
	for (const char *p = text; (p = strstr(p, clock)); p += n) {
		char before = p == text ? ' ' : p[-1], after = p[n];
		if ((before == ' ' || before == '[') && (after == ' ' || after == ']' || after == '\n' || !after))
			return 1;
	}
	return 0;
}

int vt_ftrace_clock_set(const char *inst, const char *want, char *chosen, size_t size, struct vt_error *err)
{
	char path[VT_FTRACE_PATH];
	vt_ftrace_path(path, sizeof(path), "%s/trace_clock", inst);
	char *text = vt_ftrace_read_file(path, 4096, NULL, err);
	if (!text)
		return -1;
	const char *clock = want ? want : clock_listed(text, "mono") ? "mono" : "local";
	int listed = clock_listed(text, clock);
	free(text);
	if (!listed)
		return vt_error_set(err, "%s: this kernel has no trace clock '%s'", path, clock);
	snprintf(chosen, size, "%s", clock);
	return vt_ftrace_write_file(path, clock, err);
}

static int event_enable(const char *inst, const char *event)
{
	char path[VT_FTRACE_PATH];
	const char *colon = strchr(event, ':');
	vt_ftrace_path(path, sizeof(path), "%s/events/%.*s/%s/enable", inst, (int)(colon - event), event, colon + 1);
	return vt_ftrace_write_file(path, "1", NULL);
}

int vt_ftrace_events_enable(const char *inst, const char *const *events, size_t n, int *ok, size_t *skipped,
			    struct vt_error *err)
{
	*skipped = 0;
	for (size_t i = 0; i < n; i++)
		if (!vt_ftrace_event_name_ok(events[i]))
			return vt_error_set(err, "event '%s': not SYSTEM:EVENT", events[i]);
	for (size_t i = 0; i < n; i++) {
		ok[i] = event_enable(inst, events[i]) == 0;
		*skipped += !ok[i];
	}
	if (n == 0 || *skipped == n)
		return vt_error_set(err, "%s: none of the %zu events asked for exists in this kernel", inst, n);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* One "A" or "A-B" range of a CPU list; returns 0 or -1. */
static int add_range(const char *tok, uint32_t *cpus, size_t *n)
{
	char *end;
	unsigned long a = strtoul(tok, &end, 10), b = a;
	if (end == tok)
		return -1;
	if (*end == '-')
		b = strtoul(end + 1, &end, 10);
	if (*end || a > b || b >= MAX_CPUS || *n + (b - a + 1) > MAX_CPUS)
		return -1;
	for (unsigned long c = a; c <= b; c++)
		cpus[(*n)++] = (uint32_t)c;
	return 0;
}

size_t vt_ftrace_parse_cpulist(const char *text, uint32_t **cpus)
{
	char buf[8192];
	size_t n = 0;
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	*cpus = malloc(MAX_CPUS * sizeof(**cpus));
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); *cpus && tok; tok = strtok_r(NULL, ",", &save))
		if (add_range(tok, *cpus, &n)) {
			n = 0;
			break;
		}
	if (n == 0) {
		free(*cpus);
		*cpus = NULL;
		return 0;
	}
	qsort(*cpus, n, sizeof(**cpus), cmp_u32);
	return n;
}

size_t vt_ftrace_online_cpus(uint32_t **cpus, struct vt_error *err)
{
	const char *path = "/sys/devices/system/cpu/online";
	char *text = vt_ftrace_read_file(path, 8000, NULL, err);
	if (!text)
		return 0;
	size_t n = vt_ftrace_parse_cpulist(text, cpus);
	free(text);
	if (n == 0)
		vt_error_set(err, "%s: not a CPU list", path);
	return n;
}

uint64_t vt_ftrace_stat_field(const char *stats, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = stats; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ':')
			return strtoull(p + k + 1, NULL, 10);
	return 0;
}
