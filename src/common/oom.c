/* Telling "out of memory" from bad data (oom.h). */
#include "common/oom.h"

#include <stddef.h>
#include <sys/mman.h>

#define PROBE (8u << 20) /* more than any packet babeltrace2 maps at once */

int vt_out_of_memory_now(void)
{
	/* Writable and private, so that it counts against a commit limit too;
	 * never touched, so it costs no memory. */
	void *p = mmap(NULL, PROBE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	munmap(p, PROBE);
	return 0;
}
