#include "sources/discover.h"
#include "sources/metadata_check.h"
#include "sources/tracecmd_source.h"

#include <stdbool.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than any real session layout (kernel/, ust/uid/N/64-bit/, host/...). */
#define MAX_DEPTH 16

static int list_push(struct vt_path_list *list, const char *path)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		char **p = realloc(list->paths, cap * sizeof(*p));
		if (!p)
			return -1;
		list->paths = p;
		list->cap = cap;
	}
	if (!(list->paths[list->count] = strdup(path)))
		return -1;
	list->count++;
	return 0;
}

void vt_path_list_free(struct vt_path_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return p;
}

/* Every file of a trace must be readable: babeltrace's own message for an
 * unreadable stream file does not say which file or why. */
static int check_trace_files(const char *dir, struct vt_error *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return vt_error_set(err, "%s: cannot list trace folder: %s", dir, strerror(errno));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && names[i]->d_name[0] != '.') {
			char *p = join(dir, names[i]->d_name);
			struct stat st;
			if (p && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				int fd = open(p, O_RDONLY);
				if (fd < 0)
					rc = vt_error_set(err, "%s: cannot read trace file: %s", p, strerror(errno));
				else
					close(fd);
			}
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static bool is_dat_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".dat");
}

/* The file starts with trace-cmd's magic. */
static bool has_tc_magic(const char *path)
{
	char magic[VT_TC_MAGIC_LEN];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == (ssize_t)sizeof(magic) && !memcmp(magic, VT_TC_MAGIC, VT_TC_MAGIC_LEN);
}

static int walk(const char *dir, int depth, struct vt_path_list *out, struct vt_path_list *dat,
		struct vt_error *err)
{
	char *meta = join(dir, "metadata");
	if (!meta)
		return vt_error_set(err, "%s: out of memory", dir);
	struct stat st;
	int is_trace = stat(meta, &st) == 0 && S_ISREG(st.st_mode);
	if (is_trace) {
		if (check_trace_files(dir, err) || vt_ctf_check_metadata(meta, err)) {
			free(meta);
			return -1;
		}
		free(meta);
		return list_push(out, dir) ? vt_error_set(err, "%s: out of memory", dir) : 0;
	}
	free(meta);
	if (depth >= MAX_DEPTH)
		return 0;

	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return vt_error_set(err, "%s: cannot list folder: %s", dir, strerror(errno));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (rc == 0 && name[0] != '.') {
			char *p = join(dir, name);
			/* lstat: do not follow symlinked folders, which could loop. */
			if (p && lstat(p, &st) == 0) {
				if (S_ISDIR(st.st_mode))
					rc = walk(p, depth + 1, out, dat, err);
				else if (S_ISREG(st.st_mode) && is_dat_name(name) && list_push(dat, p))
					rc = vt_error_set(err, "%s: out of memory", p);
			}
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int vt_discover(const char *path, struct vt_path_list *out, struct vt_path_list *dat, struct vt_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return vt_error_set(err, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		/* A file: trace-cmd's, by its magic or its name (then the back-end
		 * says what is wrong with it). */
		if (S_ISREG(st.st_mode) && (has_tc_magic(path) || is_dat_name(path)))
			return list_push(dat, path) ? vt_error_set(err, "%s: out of memory", path) : 0;
		return vt_error_set(err,
				    "%s: not a trace folder nor a trace-cmd file (a CTF trace is a folder with a "
				    "'metadata' file; a trace.dat file starts with trace-cmd's magic)",
				    path);
	}
	if (access(path, R_OK | X_OK) != 0)
		return vt_error_set(err, "%s: cannot open folder: %s", path, strerror(errno));
	size_t before = out->count, dat_before = dat->count;
	if (walk(path, 0, out, dat, err))
		return -1;
	if (out->count == before && dat->count == dat_before)
		return vt_error_set(err,
				    "%s: no CTF trace found (no 'metadata' file in it or below it) and no trace-cmd "
				    ".dat file",
				    path);
	return 0;
}
