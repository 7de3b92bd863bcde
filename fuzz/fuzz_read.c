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
