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

/* Far deeper than any real session layout (kernel/, ust/uid/N/64-bit/,
 * host/...): a bound on the recursion, which says so when reached. */
#define MAX_DEPTH 1000

/* Folders already walked, by (device, inode): a symlink or a bind mount that
 * leads back up the tree, or to a folder seen elsewhere, is walked once. */
struct seen_set {
	struct seen_key {
		dev_t dev;
		ino_t ino;
	} *keys;
	unsigned char *used;
	size_t cap, count;
};

struct walk {
	const char *top; /* the path given */
	struct vt_path_list *ctf, *dat;
	struct seen_set seen;
	size_t skipped;     /* folders reached again */
	char *first_skipped; /* the first of them, for the note */
	struct vt_error *err;
};

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

/* One file of a trace folder: babeltrace's own message for an unreadable
 * stream file does not say which file or why, and it reads a FIFO, a device
 * (/dev/zero) or a socket as no stream at all. Folders (index/) are not
 * streams. */
static int check_trace_file(const char *p, struct vt_error *err)
{
	struct stat st;
	if (stat(p, &st) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read trace file: %s", p, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode))
		return vt_error_set(err, "%s: not a regular file", p);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot read trace file: %s", p, strerror(errno));
	close(fd);
	return 0;
}

/* Every file of a trace must be a readable regular file. */
static int check_trace_files(const char *dir, struct vt_error *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot list trace folder: %s", dir, strerror(errno));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && names[i]->d_name[0] != '.') {
			char *p = join(dir, names[i]->d_name);
			rc = p ? check_trace_file(p, err) : vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
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

/* The slot holding key, or the free one where it goes (open addressing; cap a power of two). */
static size_t seen_slot(const struct seen_set *set, struct seen_key key)
{
	size_t h = ((size_t)key.ino * 0x9e3779b97f4a7c15ull) ^ (size_t)key.dev;
	size_t i = h & (set->cap - 1);
	while (set->used[i] && (set->keys[i].dev != key.dev || set->keys[i].ino != key.ino))
		i = (i + 1) & (set->cap - 1);
	return i;
}

static int seen_grow(struct seen_set *set)
{
	struct seen_set bigger = {.cap = set->cap ? set->cap * 2 : 64};
	bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
	bigger.used = calloc(bigger.cap, 1);
	if (!bigger.keys || !bigger.used) {
		free(bigger.keys);
		free(bigger.used);
		return -1;
	}
	for (size_t i = 0; i < set->cap; i++)
		if (set->used[i]) {
			size_t j = seen_slot(&bigger, set->keys[i]);
			bigger.used[j] = 1;
			bigger.keys[j] = set->keys[i];
		}
	bigger.count = set->count;
	free(set->keys);
	free(set->used);
	*set = bigger;
	return 0;
}

/* Adds the folder; returns 1 when it was there already, 0 when added, -1 when out of memory. */
static int seen_add(struct seen_set *set, const struct stat *st)
{
	struct seen_key key = {st->st_dev, st->st_ino};
	if (set->cap && set->used[seen_slot(set, key)])
		return 1;
	if ((set->count + 1) * 2 > set->cap && seen_grow(set))
		return -1;
	size_t i = seen_slot(set, key);
	set->used[i] = 1;
	set->keys[i] = key;
	set->count++;
	return 0;
}

static int walk(struct walk *w, const char *dir, const struct stat *dir_st, int depth);

/* One entry of a folder that is not a trace: a folder to walk, a .dat file, or nothing of ours. */
static int walk_entry(struct walk *w, const char *p, const char *name, int depth)
{
	struct stat st;
	if (stat(p, &st) != 0) {
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
			return 0; /* a dangling symlink leads to no trace */
		return vt_error_set_cause(w->err, VT_ERR_IO, "%s: %s", p, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return walk(w, p, &st, depth + 1);
	if (!is_dat_name(name))
		return 0;
	if (!S_ISREG(st.st_mode))
		return vt_error_set(w->err, "%s: not a regular file", p);
	return list_push(w->dat, p) ? vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", p) : 0;
}

/* A folder holding a `metadata` file is a CTF trace; returns 1 when dir is one
 * (checked and listed), 0 when not, -1 on error. */
static int take_trace(struct walk *w, const char *dir)
{
	char *meta = join(dir, "metadata");
	if (!meta)
		return vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", dir);
	struct stat st;
	int rc = 0;
	if (stat(meta, &st) != 0)
		rc = 0; /* no metadata: not a trace */
	else if (!S_ISREG(st.st_mode))
		rc = vt_error_set(w->err, "%s: not a regular file", meta);
	else if (check_trace_files(dir, w->err) || vt_ctf_check_metadata(meta, w->err))
		rc = -1;
	else
		rc = list_push(w->ctf, dir) ? vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", dir) : 1;
	free(meta);
	return rc;
}

static int walk(struct walk *w, const char *dir, const struct stat *dir_st, int depth)
{
	int again = seen_add(&w->seen, dir_st);
	if (again < 0)
		return vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", dir);
	if (again) {
		if (!w->skipped++ && !(w->first_skipped = strdup(dir)))
			return vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", dir);
		return 0;
	}
	int trace = take_trace(w, dir);
	if (trace)
		return trace < 0 ? -1 : 0;
	if (depth >= MAX_DEPTH)
		return vt_error_set(w->err, "%s: folders nested more than %d deep: not walked further", w->top,
				    MAX_DEPTH); /* the path given: the deep one would fill the message */
	struct dirent **names;
	/* Numbers in names compared as numbers: a rotated session's chunk
	 * archives/B-E-10 after B-E-9, snapshot-10-... after snapshot-9-...:
	 * a machine's traces come in the order they were written. */
	int n = scandir(dir, &names, NULL, versionsort);
	if (n < 0)
		return vt_error_set_cause(w->err, VT_ERR_IO, "%s: cannot list folder: %s", dir, strerror(errno));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (rc == 0 && name[0] != '.') {
			char *p = join(dir, name);
			rc = p ? walk_entry(w, p, name, depth) : vt_error_set_cause(w->err, VT_ERR_NOMEM, "%s: out of memory", dir);
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The note of folders walked once though reached again, or NULL. */
static char *skipped_note(const struct walk *w, const char *path)
{
	if (!w->skipped)
		return NULL;
	return vt_strdup_printf("%s: skipped %zu folder%s already walked (reached again through a symlink or a bind "
				"mount), the first %s",
				path, w->skipped, w->skipped == 1 ? "" : "s", w->first_skipped);
}

int vt_discover(const char *path, struct vt_path_list *out, struct vt_path_list *dat, char **note,
		struct vt_error *err)
{
	if (note)
		*note = NULL;
	struct stat st;
	if (stat(path, &st) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode))
			return vt_error_set(err, "%s: not a regular file nor a folder", path);
		/* A file: trace-cmd's, by its magic or its name (then the back-end
		 * says what is wrong with it). */
		if (has_tc_magic(path) || is_dat_name(path))
			return list_push(dat, path) ? vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", path) : 0;
		return vt_error_set(err,
				    "%s: not a trace folder nor a trace-cmd file (a CTF trace is a folder with a "
				    "'metadata' file; a trace.dat file starts with trace-cmd's magic)",
				    path);
	}
	if (access(path, R_OK | X_OK) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot open folder: %s", path, strerror(errno));
	size_t before = out->count, dat_before = dat->count;
	struct walk w = {.top = path, .ctf = out, .dat = dat, .err = err};
	int rc = walk(&w, path, &st, 0);
	if (!rc && out->count == before && dat->count == dat_before)
		rc = vt_error_set(err,
				  "%s: no CTF trace found (no 'metadata' file in it or below it) and no trace-cmd "
				  ".dat file",
				  path);
	if (!rc && note)
		*note = skipped_note(&w, path);
	free(w.seen.keys);
	free(w.seen.used);
	free(w.first_skipped);
	return rc;
}
