#include "clitest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void cli_simulate(const char *scenario, const char *dir, const char *extra)
{
	struct vt_run run;
	char rel[256];
	snprintf(rel, sizeof(rel), "scenarios/%s.json", scenario);
	vt_run_shell(&run, "'%s' '%s' -o '%s' %s", vt_build_path("vmtrace-sim"), vt_source_path(rel), dir, extra);
	if (run.status != 0)
		fail_msg("vmtrace-sim %s: status %d: %s", scenario, run.status, run.err);
	vt_run_free(&run);
}

void cli_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

int cli_holds(const char *path, const char *text)
{
	char *s = vt_read_file(path, NULL);
	int same = s && !strcmp(s, text);
	free(s);
	return same;
}

size_t cli_leftovers(const char *dir)
{
	struct vt_run run;
	vt_run_shell(&run, "find '%s' -name '*.tmp-*' | tee /dev/stderr | wc -l", dir);
	size_t n = (size_t)strtoul(run.out, NULL, 10);
	if (n)
		printf("left behind:\n%s", run.err);
	vt_run_free(&run);
	return n;
}

long cli_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}
