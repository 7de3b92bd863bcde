/* A guest folder brought to the host: tar in the guest, guest-file-read
 * through the agent straight into our own checked untar, then the guest's
 * temporary files removed. */
#include "record/guest_internal.h"

#include "common/cleanup.h"
#include "common/text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A guest folder we may tar and remove: absolute, not "/", no "..", plain text. */
static int guest_dir_ok(const char *d)
{
	if (d[0] != '/' || strspn(d, "/") == strlen(d) || strstr(d, "/../") || vt_text_needs_escape(d))
		return 0;
	size_t n = strlen(d);
	return !(n >= 3 && !strcmp(d + n - 3, "/.."));
}

/* d without its trailing slashes, and the archive's path beside it. */
static int guest_paths(const char *d, char **dir, char **tar)
{
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	*dir = strndup(d, n);
	*tar = *dir ? vt_strdup_printf("%s.vmtrace.tar", *dir) : NULL;
	return *dir && *tar ? 0 : -1;
}

/* The scripts: make the archive; remove it (and the folder). */
static char *tar_script(const char *qdir, const char *qtar)
{
	return vt_strdup_printf("d=%s; f=%s\n"
				"[ -d \"$d\" ] || { echo \"vmtrace-error: $d: no such folder in the guest\"; exit 1; }\n"
				"rm -f \"$f\"\n"
				"out=$(tar -C \"$d\" -cf \"$f\" . 2>&1) || { rm -f \"$f\"; "
				"echo \"vmtrace-error: tar: $(echo \"$out\" | tail -n 1)\"; exit 1; }\n",
				qdir, qtar);
}

static char *cleanup_script(const char *qdir, const char *qtar, int remove)
{
	return vt_strdup_printf("rm -f %s%s%s\n", qtar, remove ? "; rm -rf " : "", remove ? qdir : "");
}

static int untar_sink(void *ctx, const uint8_t *data, size_t len, struct vt_error *err)
{
	return vt_untar_feed(ctx, data, len, err);
}

/* guest-file-read of the archive into HOST_DIR. */
static int receive(struct vt_guest *g, const char *tar, const char *host_dir, int64_t deadline,
		   struct vt_untar_stats *st, struct vt_error *err)
{
	struct vt_untar *u = vt_untar_begin(host_dir, &g->lim.untar, err);
	if (!u)
		return -1;
	if (vt_qga_file_read(g->qga, tar, g->lim.chunk, g->lim.max_fetch, deadline, untar_sink, u, err) < 0) {
		vt_untar_free(u);
		vt_remove_tree(host_dir);
		return -1;
	}
	if (vt_untar_end(u, st, err) < 0) {
		vt_remove_tree(host_dir);
		return -1;
	}
	return 0;
}

/* Removes the archive (and, after a fetch that worked, the folder when asked):
 * a failed cleanup is a note, not the guest's failure. */
static void cleanup(struct vt_guest *g, const char *qdir, const char *qtar, const char *tar, int remove,
		    int64_t deadline)
{
	char *clean = cleanup_script(qdir, qtar, remove);
	char kept[sizeof(g->rep.error)];
	memcpy(kept, g->rep.error, sizeof(kept));
	if (!clean || vt_guest_script(g, clean, deadline, NULL, NULL) < 0) {
		char note[600];
		snprintf(note, sizeof(note), "%s stays in the guest", tar);
		vt_guest_note(&g->rep, note);
	}
	memcpy(g->rep.error, kept, sizeof(kept));
	free(clean);
}

static int fetch(struct vt_guest *g, const char *dir, const char *tar, const char *host_dir, int remove,
		 int64_t deadline, struct vt_untar_stats *st, struct vt_error *err)
{
	char *qdir = vt_sh_quote(dir), *qtar = vt_sh_quote(tar);
	char *make = qdir && qtar ? tar_script(qdir, qtar) : NULL;
	int rc = -1;
	if (!make) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", host_dir);
	} else if (vt_guest_script(g, make, deadline, NULL, err) == 0) {
		rc = receive(g, tar, host_dir, deadline, st, err);
		cleanup(g, qdir, qtar, tar, remove && rc == 0, deadline);
	}
	free(qdir);
	free(qtar);
	free(make);
	return rc;
}

int vt_guest_fetch(struct vt_guest *g, const char *guest_dir, const char *host_dir, int remove, int64_t deadline,
		   struct vt_untar_stats *st, struct vt_error *err)
{
	struct vt_error e;
	if (st)
		memset(st, 0, sizeof(*st));
	if (!guest_dir_ok(guest_dir)) {
		vt_error_set(&e, "%s: not a guest folder vmtrace fetches (absolute, not /, no '..', plain text)",
			     guest_dir);
		vt_guest_failed(g, &e);
		return vt_error_set(err, "%s", e.msg);
	}
	char *dir = NULL, *tar = NULL;
	int rc = -1;
	if (guest_paths(guest_dir, &dir, &tar) < 0)
		vt_error_set_cause(&e, VT_ERR_NOMEM, "%s: out of memory", host_dir);
	else
		rc = fetch(g, dir, tar, host_dir, remove, deadline, st, &e);
	free(dir);
	free(tar);
	if (rc < 0) {
		vt_guest_failed(g, &e);
		vt_error_set(err, "%s", e.msg);
	}
	return rc;
}
