/* vmtrace-sim's output folder (outdir.h). A previous vmtrace-sim output is
 * known by its truth.json; it is cleared of that run's traces (CTF folders
 * and .dat files) only once the new run is whole, so traces of two runs never
 * mix; anything else in a non-empty DIR is refused. */
#define _XOPEN_SOURCE 700
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

#define INSIDE_PREFIX ".vmtrace-sim.tmp-"

static int is_leftover(const char *name)
{
	return !strncmp(name, INSIDE_PREFIX, strlen(INSIDE_PREFIX));
}

/* Removes the temporary folders of killed runs (SIGKILL, power loss); says
 * whether anything else is there. */
static int clear_leftovers(const char *dir, int *empty)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	*empty = 1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!is_leftover(e->d_name)) {
			*empty = 0;
			continue;
		}
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (vt_remove_tree(path))
			rc = -1;
	}
	closedir(d);
	return rc;
}

static json_t *earlier_truth(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	json_t *truth = json_load_file(path, 0, NULL);
	const char *format = truth ? json_string_value(json_object_get(truth, "format")) : NULL;
	if (!format || strcmp(format, "vmtrace-sim-truth")) {
		json_decref(truth);
		return NULL;
	}
	return truth;
}

static int make_tmp(struct vt_sim_outdir *o, char *why, size_t why_len)
{
	size_t l = strlen(o->dir);
	while (l > 1 && o->dir[l - 1] == '/')
		l--;
	int n = o->inside ? snprintf(o->tmp, sizeof(o->tmp), "%.*s/" INSIDE_PREFIX "XXXXXX", (int)l, o->dir)
			  : snprintf(o->tmp, sizeof(o->tmp), "%.*s.tmp-XXXXXX", (int)l, o->dir);
	if (n >= (int)sizeof(o->tmp))
		return snprintf(why, why_len, "%s: path too long", o->dir), -1;
	if (!vt_cleanup_mkdtemp(o->tmp, &o->cleanup))
		return snprintf(why, why_len, "%s: cannot create a folder %s it: %s", o->dir,
				o->inside ? "in" : "beside", strerror(errno)),
		       -1;
	chmod(o->tmp, 0755); /* mkdtemp's 0700 would become DIR's */
	return 0;
}

int vt_sim_outdir_open(struct vt_sim_outdir *o, const char *dir, char *why, size_t why_len)
{
	memset(o, 0, sizeof(*o));
	o->dir = dir;
	o->cleanup = -1;
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			return snprintf(why, why_len, "%s: %s", dir, strerror(errno)), -1;
		return make_tmp(o, why, why_len);
	}
	if (!S_ISDIR(st.st_mode))
		return snprintf(why, why_len, "%s: exists and is not a folder", dir), -1;
	int empty;
	if (clear_leftovers(dir, &empty))
		return snprintf(why, why_len, "%s: cannot read or clear it: %s", dir, strerror(errno)), -1;
	json_t *truth = empty ? NULL : earlier_truth(dir);
	if (!empty && !truth)
		return snprintf(why, why_len, "%s: not empty, and not an earlier vmtrace-sim output", dir), -1;
	json_decref(truth);
	o->inside = 1;
	return make_tmp(o, why, why_len);
}

/* The earlier run's traces (as its truth.json names them), but not its
 * truth.json: the new one replaces it last. */
static int clear_earlier(const char *dir, char *why, size_t why_len)
{
	json_t *truth = earlier_truth(dir);
	size_t i;
	json_t *m;
	int rc = 0;
	json_array_foreach(json_object_get(truth, "machines"), i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		if (!name || !*name || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
			continue;
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (vt_remove_tree(path) == 0) {
			snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
			if (unlink(path) == 0 || errno == ENOENT)
				continue;
		}
		snprintf(why, why_len, "%s: cannot remove the earlier run's traces: %s", path, strerror(errno));
		rc = -1;
		break;
	}
	json_decref(truth);
	return rc;
}

static int cannot_move(const char *to, char *why, size_t why_len)
{
	snprintf(why, why_len, "%s: cannot put it in place: %s", to, strerror(errno));
	return -1;
}

/* Every entry of the temporary folder up into DIR, truth.json last. */
static int move_up(struct vt_sim_outdir *o, char *why, size_t why_len)
{
	DIR *d = opendir(o->tmp);
	if (!d)
		return snprintf(why, why_len, "%s: %s", o->tmp, strerror(errno)), -1;
	struct dirent *e;
	char from[4500], to[4500];
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "truth.json"))
			continue;
		snprintf(from, sizeof(from), "%s/%s", o->tmp, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", o->dir, e->d_name);
		if (rename(from, to) != 0)
			rc = cannot_move(to, why, why_len);
	}
	closedir(d);
	snprintf(from, sizeof(from), "%s/truth.json", o->tmp);
	snprintf(to, sizeof(to), "%s/truth.json", o->dir);
	if (!rc && rename(from, to) != 0)
		rc = cannot_move(to, why, why_len);
	return rc;
}

static int commit(struct vt_sim_outdir *o, char *why, size_t why_len)
{
	if (!o->inside) {
		if (rename(o->tmp, o->dir) != 0)
			return snprintf(why, why_len, "%s: cannot rename %s to it: %s", o->dir, o->tmp, strerror(errno)),
			       -1;
		return 0;
	}
	if (clear_earlier(o->dir, why, why_len) || move_up(o, why, why_len))
		return -1;
	return 0;
}

int vt_sim_outdir_close(struct vt_sim_outdir *o, int ok, char *why, size_t why_len)
{
	int rc = ok ? commit(o, why, why_len) : -1;
	if (rc || o->inside)
		vt_remove_tree(o->tmp); /* all of it on failure; the emptied folder after moving up */
	vt_cleanup_forget(o->cleanup);
	return ok ? rc : -1;
}
