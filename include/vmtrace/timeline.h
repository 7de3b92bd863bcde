/* vmtrace stage: timeline (see docs/architecture.md). Not built yet. */
#ifndef VMTRACE_TIMELINE_H
#define VMTRACE_TIMELINE_H
#endif
