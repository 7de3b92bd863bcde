#include "fuzz_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmtrace/sources.h"

void vt_fuzz_read_all(const char *path)
{
	struct vt_source *src;
	struct vt_error err;
	if (!(src = vt_source_open(&path, 1, &err)))
		return;
	const struct vt_event *ev;
	uint64_t n = 0;
	while (vt_source_next(src, &ev, &err) > 0 && n < 1000000)
		n++;
	vt_source_close(src);
}

const char *vt_fuzz_example(const char *built_in)
{
	const char *example = getenv("VT_FUZZ_EXAMPLE");
	return example ? example : built_in;
}

static char workdir[64];
static const char *const *work_names;
static size_t nwork_names;

static void remove_workdir(void)
{
	char path[128];
	for (size_t i = 0; i < nwork_names; i++) {
		snprintf(path, sizeof(path), "%s/%s", workdir, work_names[i]);
		if (unlink(path))
			rmdir(path);
	}
	rmdir(workdir);
}

const char *vt_fuzz_workdir(const char *const *names, size_t n)
{
	snprintf(workdir, sizeof(workdir), "/tmp/vmtrace-fuzz-XXXXXX");
	if (!mkdtemp(workdir))
		exit(1);
	work_names = names;
	nwork_names = n;
	atexit(remove_workdir);
	return workdir;
}

void vt_fuzz_copy(const char *from_dir, const char *to_dir, const char *name)
{
	char from[4096], to[4096];
	snprintf(from, sizeof(from), "%s/%s", from_dir, name);
	snprintf(to, sizeof(to), "%s/%s", to_dir, name);
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	if (!in || !out) {
		fprintf(stderr, "fuzz: cannot copy %s to %s\n", from, to);
		exit(1);
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			exit(1);
	fclose(in);
	if (fclose(out))
		exit(1);
}
