/* vmtrace: the whole library, one include. */
#ifndef VMTRACE_VMTRACE_H
#define VMTRACE_VMTRACE_H
#include "vmtrace/version.h"
#include "vmtrace/error.h"
#include "vmtrace/event.h"
#include "vmtrace/sources.h"
#include "vmtrace/identify.h"
#include "vmtrace/sync.h"
#include "vmtrace/timeline.h"
#include "vmtrace/model.h"
#include "vmtrace/analyses.h"
#include "vmtrace/findings.h"
#include "vmtrace/exporters.h"
#include "vmtrace/session.h"
#endif
