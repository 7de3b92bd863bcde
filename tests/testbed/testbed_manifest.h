/* What the testbed's manifest.json says about a skipped run. */
#ifndef VT_TESTBED_MANIFEST_H
#define VT_TESTBED_MANIFEST_H

#include <jansson.h>

#include "testutil.h"

/* The skip reason of a manifest whose status is "skipped" (or "running"):
 * its "cause" (tools/testbed/testbed): "emulator" and "no-kvm-in-l1" are the
 * emulator's doing, which CI accepts; anything else (downloads, the cache,
 * an unfinished run, a manifest without a cause) is not. */
enum vt_skip_reason vt_testbed_skip_reason(json_t *manifest);

#endif
