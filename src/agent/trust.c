/* What the agent believes of what a process says about itself: a uuid only
 * in its textual form, a KVM guest only with the kernel's evidence. */
#include "vmtrace/agent.h"

#include <ctype.h>
#include <string.h>

int vt_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static const char *const evidence_names[] = {
	[VT_KVM_NOT_SAID] = "", [VT_KVM_UNKNOWN] = "unknown", [VT_KVM_NONE] = "none",
	[VT_KVM_DEBUGFS] = "debugfs", [VT_KVM_VM_FD] = "vm-fd",
};

const char *vt_kvm_evidence_name(enum vt_kvm_evidence e)
{
	return (unsigned)e < sizeof(evidence_names) / sizeof(evidence_names[0]) ? evidence_names[e] : "";
}

enum vt_kvm_evidence vt_kvm_evidence_parse(const char *name)
{
	for (unsigned e = VT_KVM_UNKNOWN; name && e < sizeof(evidence_names) / sizeof(evidence_names[0]); e++)
		if (!strcmp(name, evidence_names[e]))
			return (enum vt_kvm_evidence)e;
	return VT_KVM_NOT_SAID;
}

int vt_guest_is_kvm(const struct vt_guest_info *g)
{
	return g->kvm == VT_KVM_DEBUGFS || g->kvm == VT_KVM_VM_FD;
}
