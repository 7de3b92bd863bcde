#include "agent/agent.h"

const char *vt_agent_proc(const struct vt_agent_paths *p)
{
	return p && p->proc ? p->proc : "/proc";
}

const char *vt_agent_debugfs(const struct vt_agent_paths *p)
{
	return p && p->debugfs ? p->debugfs : "/sys/kernel/debug";
}

const char *vt_agent_sys(const struct vt_agent_paths *p)
{
	return p && p->sys ? p->sys : "/sys";
}

const char *vt_agent_etc(const struct vt_agent_paths *p)
{
	return p && p->etc ? p->etc : "/etc";
}
