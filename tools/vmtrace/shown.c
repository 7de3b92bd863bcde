/* Terminal-safe strings for the text commands (shown.h). */
#include "shown.h"

#include <stdlib.h>
#include <string.h>

#include "common/text.h"

#define SLOTS 8

const char *vt_shown(const char *s)
{
	static char *slot[SLOTS];
	static size_t cap[SLOTS];
	static unsigned next;
	if (!s)
		return "";
	unsigned i = next++ % SLOTS;
	size_t need = 4 * strlen(s) + 1; /* each byte at most "\xNN" */
	if (need > cap[i]) {
		char *p = realloc(slot[i], need);
		if (!p)
			return "(a name that could not be shown: out of memory)";
		slot[i] = p;
		cap[i] = need;
	}
	return vt_text_safe(s, slot[i], cap[i]);
}
