/* libFuzzer target for LTTng's packet index as the native CTF reader takes
 * it (src/sources/ctf_index.c, issue 15): the input is index/channel0_0.idx
 * beside the bundled example's channel0_0 and metadata (both as they are),
 * and the trace is read whole with VMTRACE_READER=native. Any crash, leak or
 * sanitizer report is a bug; whatever the index says, the events are read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_read.h"
#include "vmtrace/sources.h"

static const char *dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char *const made[] = {"metadata", "channel0_0", "index/channel0_0.idx", "index"};
	const char *example = vt_fuzz_example(VT_FUZZ_EXAMPLE);
	dir = vt_fuzz_workdir(made, sizeof(made) / sizeof(made[0]));
	char index[128];
	snprintf(index, sizeof(index), "%s/index", dir);
	if (mkdir(index, 0700))
		exit(1);
	vt_fuzz_copy(example, dir, "metadata");
	vt_fuzz_copy(example, dir, "channel0_0");
	setenv("VMTRACE_READER", "native", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/index/channel0_0.idx", dir);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		exit(1);
	vt_fuzz_read_all(dir);
	return 0;
}
