/* What the agent believes of what a process says about itself: a uuid only
 * in its textual form, a KVM guest only with the kernel's evidence. */
#include "agent/agent.h"

#include <ctype.h>
#include <string.h>

int vt_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}
