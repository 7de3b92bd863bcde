/* Guest clock check: ptp_kvm + a "KVM virtual PTP" clock + chrony using it. */
#include "agent/agent.h"
#include "agent/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void find_ptp(const struct vt_agent_paths *paths, struct vt_clock_check *c)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/class/ptp", vt_agent_sys(paths));
	c->ptp_clock = VT_CHECK_FAIL;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "ptp", 3))
			continue;
		char path[1024], name[128];
		snprintf(path, sizeof(path), "%s/%s/clock_name", dir, e->d_name);
		if (vt_read_small(path, name, sizeof(name)) >= 0 && !strcmp(name, "KVM virtual PTP")) {
			snprintf(c->ptp_dev, sizeof(c->ptp_dev), "/dev/%.50s", e->d_name);
			c->ptp_clock = VT_CHECK_OK;
			break;
		}
	}
	closedir(d);
}

/* A "refclock PHC DEVICE ..." line, skipping comments. Returns 1 when found. */
static int scan_conf(const char *path, struct vt_clock_check *c)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!c->chrony_conf[0])
		vt_strlcpy(c->chrony_conf, path, sizeof(c->chrony_conf));
	char line[512];
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char kw[32], drv[32], dev[256];
		if (sscanf(line, " %31s %31s %255s", kw, drv, dev) == 3 && !strcmp(kw, "refclock") &&
		    !strcmp(drv, "PHC")) {
			line[strcspn(line, "\n")] = '\0';
			vt_strlcpy(c->refclock_line, line, sizeof(c->refclock_line));
			vt_strlcpy(c->chrony_conf, path, sizeof(c->chrony_conf));
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void find_chrony_conf(const struct vt_agent_paths *paths, struct vt_clock_check *c)
{
	const char *etc = vt_agent_etc(paths);
	char path[1024];
	const char *files[] = {"chrony/chrony.conf", "chrony.conf"};
	const char *dirs[] = {"chrony/conf.d", "chrony/sources.d"};
	int found = 0;
	for (size_t i = 0; i < 2 && !found; i++) {
		snprintf(path, sizeof(path), "%s/%s", etc, files[i]);
		found = scan_conf(path, c);
	}
	for (size_t i = 0; i < 2 && !found; i++) {
		snprintf(path, sizeof(path), "%s/%s", etc, dirs[i]);
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && !found && (e = readdir(d))) {
			char file[1536];
			if (e->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			found = scan_conf(file, c);
		}
		if (d)
			closedir(d);
	}
	if (!found)
		c->chrony_config = c->chrony_conf[0] ? VT_CHECK_FAIL : VT_CHECK_UNKNOWN;
	else if (c->ptp_dev[0] && !strstr(c->refclock_line, c->ptp_dev) && !strstr(c->refclock_line, "ptp_kvm"))
		c->chrony_config = VT_CHECK_WARN; /* a PHC, but not the KVM one */
	else
		c->chrony_config = VT_CHECK_OK;
}

/* Splits one CSV line in place; returns the field count. */
static size_t csv_split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

int vt_chronyc_parse_tracking(const char *csv, struct vt_clock_check *c)
{
	char line[1024], *f[16];
	vt_strlcpy(line, csv, sizeof(line));
	line[strcspn(line, "\r\n")] = '\0';
	if (csv_split(line, f, 16) < 7)
		return -1;
	char *end;
	c->offset_s = strtod(f[4], &end);
	if (end == f[4])
		return -1;
	c->rms_offset_s = strtod(f[6], NULL);
	vt_strlcpy(c->ref_name, f[1], sizeof(c->ref_name));
	c->has_offset = 1;
	return 0;
}

void vt_chronyc_parse_sources(const char *csv, struct vt_clock_check *c)
{
	const char *p = csv;
	while (*p) {
		char line[512], *f[12];
		size_t n = strcspn(p, "\n");
		vt_strlcpy(line, p, n + 1 < sizeof(line) ? n + 1 : sizeof(line));
		p += n + (p[n] == '\n');
		/* Mode '#' is a local reference clock; state '*' the selected source. */
		if (csv_split(line, f, 12) >= 3 && !strcmp(f[0], "#")) {
			c->chrony_uses_phc = 1;
			if (!strcmp(f[1], "*"))
				c->chrony_phc_selected = 1;
		}
	}
}

/* A command's output (at most 1 MiB kept; chronyc's is a few lines), NULL
 * when it failed or memory ran out. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), drain[4096];
	int keep = 1; /* past 1 MiB the rest is read and dropped */
	while (buf && (got = fread(keep ? buf + n : drain, 1, keep ? cap - 1 - n : sizeof(drain), p)) > 0) {
		n += keep ? got : 0;
		if (!keep || n + 1 < cap)
			continue;
		char *bigger = cap < (1u << 20) ? realloc(buf, cap * 2) : NULL;
		if (bigger) {
			buf = bigger;
			cap *= 2;
		} else if (cap < (1u << 20)) {
			free(buf);
			buf = NULL;
		} else {
			keep = 0;
		}
	}
	if (pclose(p) != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

void vt_clock_check_run(const struct vt_agent_paths *paths, int run_chronyc, struct vt_clock_check *c)
{
	memset(c, 0, sizeof(*c));
	char path[512];
	struct stat st;
	find_ptp(paths, c);
	snprintf(path, sizeof(path), "%s/module/ptp_kvm", vt_agent_sys(paths));
	/* A built-in ptp_kvm has no /sys/module entry, but then its clock shows. */
	c->ptp_kvm_module = stat(path, &st) == 0 || c->ptp_clock == VT_CHECK_OK ? VT_CHECK_OK : VT_CHECK_FAIL;
	find_chrony_conf(paths, c);
	c->chrony_running = VT_CHECK_UNKNOWN;
	if (!run_chronyc)
		return;
	char *where = run("command -v chronyc 2>/dev/null");
	free(where);
	if (!where) {
		c->chrony_running = VT_CHECK_UNKNOWN;
		c->chronyc_missing = 1;
		return;
	}
	char *tracking = run("chronyc -n -c tracking 2>/dev/null");
	if (!tracking || vt_chronyc_parse_tracking(tracking, c) < 0) {
		c->chrony_running = VT_CHECK_FAIL;
	} else {
		c->chrony_running = VT_CHECK_OK;
		char *sources = run("chronyc -n -c sources 2>/dev/null");
		if (sources)
			vt_chronyc_parse_sources(sources, c);
		free(sources);
	}
	free(tracking);
}
