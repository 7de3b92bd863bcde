#include "testbed_manifest.h"

#include <string.h>

enum vt_skip_reason vt_testbed_skip_reason(json_t *manifest)
{
	const char *cause = json_string_value(json_object_get(manifest, "cause"));
	if (cause && !strcmp(cause, "emulator"))
		return VT_SKIP_EMULATOR;
	if (cause && !strcmp(cause, "no-kvm-in-l1"))
		return VT_SKIP_NO_KVM_IN_L1;
	return VT_SKIP_NO_TESTBED;
}
