/* libFuzzer target for the CTF source: the input becomes either the metadata
 * or a data stream file of an otherwise valid trace (the bundled example), and
 * the whole trace is read through vt_source. Any crash, leak or sanitizer report
 * is a bug; a clean refusal is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmtrace/sources.h"

static char dir[64];
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

static void remove_dir(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/metadata", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/channel0_0", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *example = getenv("VT_FUZZ_EXAMPLE");
	if (!example)
		example = VT_FUZZ_EXAMPLE;
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
	snprintf(dir, sizeof(dir), "/tmp/vmtrace-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		exit(1);
	atexit(remove_dir);
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

	struct vt_source *src;
	struct vt_error err;
	const char *path = dir;
	if ((src = vt_source_open(&path, 1, &err))) {
		const struct vt_event *ev;
		uint64_t n = 0;
		while (vt_source_next(src, &ev, &err) > 0 && n < 1000000)
			n++;
		vt_source_close(src);
	}
	return 0;
}
