/* vmtrace stage: sync (see docs/architecture.md). Not built yet. */
#ifndef VMTRACE_SYNC_H
#define VMTRACE_SYNC_H
#endif
