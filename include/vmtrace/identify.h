/* vmtrace stage: identify (see docs/architecture.md). Not built yet. */
#ifndef VMTRACE_IDENTIFY_H
#define VMTRACE_IDENTIFY_H
#endif
