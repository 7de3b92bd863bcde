/* Instantiates the `vmtrace` provider's probes in vmtraced itself. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "vmtrace_tp.h"
