/* libFuzzer target for the native CTF reader's stream decoder (issue 15): the
 * input is the data stream file channel0_0 of the bundled example (whose
 * metadata stays as it is), read whole with VMTRACE_READER=native. Any crash,
 * leak or sanitizer report is a bug; a clean refusal is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_read.h"
#include "vmtrace/sources.h"

static const char *dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char *const made[] = {"metadata", "channel0_0"};
	const char *example = vt_fuzz_example(VT_FUZZ_EXAMPLE);
	dir = vt_fuzz_workdir(made, sizeof(made) / sizeof(made[0]));
	vt_fuzz_copy(example, dir, "metadata");
	setenv("VMTRACE_READER", "native", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/channel0_0", dir);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		exit(1);
	vt_fuzz_read_all(dir);
	return 0;
}
