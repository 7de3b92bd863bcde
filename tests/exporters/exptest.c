#include "exptest.h"

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

void exp_simulate(const char *scenario, const char *dir, const char *extra)
{
	struct vt_run run;
	char rel[256];
	snprintf(rel, sizeof(rel), "scenarios/%s.json", scenario);
	vt_run_shell(&run, "'%s' '%s' -o '%s' %s", vt_build_path("vmtrace-sim"), vt_source_path(rel), dir, extra);
	if (run.status != 0)
		fail_msg("vmtrace-sim %s: status %d: %s", scenario, run.status, run.err);
	vt_run_free(&run);
}

char *exp_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (cap - n - 1 == 0) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
