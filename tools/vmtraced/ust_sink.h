/* The LTTng-UST sink and the "has a session enabled us?" check. */
#ifndef VMTRACED_UST_SINK_H
#define VMTRACED_UST_SINK_H

#include "agent/agent.h"

void vt_ust_sink_init(struct vt_agent_sink *s);

/* Whether any session has the provider's events enabled right now (one load each). */
int vt_ust_enabled(void);

#endif
