/* Metadata text of the simulated kernel and agent (UST) traces. */
#ifndef VT_SIM_META_H
#define VT_SIM_META_H

#include <string.h>
#include <time.h>

#include "sim/model.h"

/* kvm: declare the kvm_x86 events (host); vmsync: the machine's two vmsync
 * events; ticks: timer_hrtimer_expire_entry. */
int vt_sim_kernel_metadata(struct vt_ctf_text *t, const struct machine *m, const char *kernel_release,
			uint64_t start_epoch_ns, int kvm, int vmsync, int ticks);
int vt_sim_ust_metadata(struct vt_ctf_text *t, const struct machine *m, uint64_t start_epoch_ns,
		     const uint8_t trace_uuid[16]);

#endif
