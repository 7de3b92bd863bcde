/* The output folder: absent or empty is fine; a previous vmtrace-sim output
 * (it holds our truth.json) is cleared of that run's traces first (CTF
 * folders and .dat files), so traces of two runs never mix; anything else is
 * refused. */
#define _XOPEN_SOURCE 700
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

int vt_sim_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int vt_sim_prepare_outdir(const char *dir, char *why, size_t why_len)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : (snprintf(why, why_len, "%s: %s", dir, strerror(errno)), -1);
	if (!S_ISDIR(st.st_mode))
		return snprintf(why, why_len, "%s: exists and is not a folder", dir), -1;
	if (is_empty(dir))
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	json_t *truth = json_load_file(path, 0, NULL);
	const char *format = truth ? json_string_value(json_object_get(truth, "format")) : NULL;
	if (!format || strcmp(format, "vmtrace-sim-truth")) {
		json_decref(truth);
		return snprintf(why, why_len, "%s: not empty, and not an earlier vmtrace-sim output", dir), -1;
	}
	size_t i;
	json_t *m;
	int rc = 0;
	json_array_foreach(json_object_get(truth, "machines"), i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		if (!name || !*name || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
			snprintf(why, why_len, "%s: cannot remove the earlier run's traces: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
		if (unlink(path) != 0 && errno != ENOENT) {
			snprintf(why, why_len, "%s: cannot remove the earlier run's trace: %s", path, strerror(errno));
			rc = -1;
			break;
		}
	}
	json_decref(truth);
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	if (rc == 0 && unlink(path) != 0)
		return snprintf(why, why_len, "%s: %s", path, strerror(errno)), -1;
	return rc;
}
