/* vmtrace stage: analyses (see docs/architecture.md). Not built yet. */
#ifndef VMTRACE_ANALYSES_H
#define VMTRACE_ANALYSES_H
#endif
