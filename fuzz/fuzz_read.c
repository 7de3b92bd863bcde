#include "fuzz_read.h"

#include <stdint.h>

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
