/* libFuzzer target for the CTF source: the input becomes either the metadata
 * or a data stream file of an otherwise valid trace (the bundled example), and
 * the whole trace is read through vt_source. Any crash, leak or sanitizer report
 * is a bug; a clean refusal is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_read.h"
#include "vmtrace/sources.h"

static const char *dir;
static char *good_metadata, *good_stream;
static size_t good_metadata_len, good_stream_len;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_ctf: cannot read %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void put(const char *name, const void *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len))
		exit(1);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *example = vt_fuzz_example(VT_FUZZ_EXAMPLE);
	/* The babeltrace2 reader's (fuzz_ctf_stream and fuzz_ctf_tsdl fuzz the native one). */
	setenv("VMTRACE_READER", "babeltrace2", 1);
	char path[4096];
	snprintf(path, sizeof(path), "%s/metadata", example);
	good_metadata = slurp(path, &good_metadata_len);
	snprintf(path, sizeof(path), "%s/channel0_0", example);
	good_stream = slurp(path, &good_stream_len);
	/* Open the good trace once, so babeltrace2 and its ctf plugin are loaded
	 * before the first input, as in any real run. */
	struct vt_source *src;
	struct vt_error err;
	if ((src = vt_source_open(&example, 1, &err)))
		vt_source_close(src);
	static const char *const made[] = {"metadata", "channel0_0"};
	dir = vt_fuzz_workdir(made, sizeof(made) / sizeof(made[0]));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* First byte: which file the rest replaces. */
	int fuzz_metadata = data[0] & 1;
	put("metadata", fuzz_metadata ? (const char *)data + 1 : good_metadata,
	    fuzz_metadata ? size - 1 : good_metadata_len);
	put("channel0_0", fuzz_metadata ? good_stream : (const char *)data + 1,
	    fuzz_metadata ? good_stream_len : size - 1);

	vt_fuzz_read_all(dir);
	return 0;
}
