/* vmtrace stage: exporters (see docs/architecture.md). */
#ifndef VMTRACE_EXPORTERS_H
#define VMTRACE_EXPORTERS_H
#endif
