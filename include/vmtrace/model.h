/* vmtrace stage: model (see docs/architecture.md). Not built yet. */
#ifndef VMTRACE_MODEL_H
#define VMTRACE_MODEL_H
#endif
