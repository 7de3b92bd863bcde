/* libFuzzer target for the trace.dat source: the input is a whole trace.dat
 * file, read to its end through vt_source. Any crash, leak or sanitizer report
 * in vmtrace is a bug; a clean refusal is fine. (libtracecmd's own crashes on
 * headers are caught by the probe child, tracecmd_probe.c.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_read.h"
#include "vmtrace/sources.h"

static char dir[64], file[96];

static void remove_dir(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/vmtrace-fuzz-tc-XXXXXX");
	if (!mkdtemp(dir))
		exit(1);
	snprintf(file, sizeof(file), "%s/in.dat", dir);
	atexit(remove_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size))
		exit(1);
	fclose(f);
	vt_fuzz_read_all(file);
	return 0;
}
