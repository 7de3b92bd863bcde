/* libFuzzer target for QMP answers: the input is what a monitor sends, split
 * into lines. Each line is classified, and read as a query-cpus-fast answer
 * for a guest of (first byte % 9) vCPUs whose threads are the multiples of 3.
 * A crash, a sanitizer report, or an entry taken that breaks the checks
 * (index out of range, a thread not the QEMU's) is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int threes(void *ctx, int64_t tid)
{
	(void)ctx;
	return tid % 3 == 0;
}

static void one_line(const char *line, size_t len, uint32_t nvcpu)
{
	enum vt_qmp_msg m = vt_qmp_message(line, len);
	if (m > VT_QMP_EVENT)
		abort();
	int32_t tids[8];
	for (int i = 0; i < 8; i++)
		tids[i] = -1;
	uint32_t refused;
	int top = vt_qmp_parse_cpus(line, len, nvcpu, threes, NULL, tids, &refused);
	if (top > (int)nvcpu || (top >= 0 && m == VT_QMP_BAD))
		abort();
	for (uint32_t i = 0; i < 8; i++)
		if (tids[i] != -1 && (i >= nvcpu || tids[i] <= 0 || tids[i] % 3 != 0 || (int)i >= top))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	uint32_t nvcpu = data[0] % 9;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		one_line(p, len, nvcpu);
		p += len + 1;
	}
	return 0;
}
