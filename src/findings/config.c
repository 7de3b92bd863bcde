/* The thresholds of the rules: one table, their names, defaults and meaning
 * (docs/findings.md lists the same), and NAME=VALUE from the command line. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vmtrace/findings.h"

static const struct {
	const char *name;
	double def;
	const char *doc;
} table[VT_TH_COUNT] = {
	[VT_TH_NOISY_PCT] = {"noisy_neighbour_pct", 5,
			     "host-noisy-neighbour: a host thread that is not a vCPU holds the pCPUs a guest's vCPUs wait for "
			     "this share of their time (%)"},
	[VT_TH_OVERCOMMIT_PCT] = {"overcommit_preempted_pct", 5,
				  "vcpu-overcommit: a guest's vCPUs are preempted this share of their time (%)"},
	[VT_TH_OVERCOMMIT_VCPU_PCT] = {"overcommit_by_vcpus_pct", 50,
				       "vcpu-overcommit: and at least this share of that preemption is by vCPU threads (%)"},
	[VT_TH_PAGING_PCT] = {"paging_pct", 30,
			      "no-nested-paging: page-fault, INVLPG and CR3 exits take this share of the guest's "
			      "hypervisor time (%)"},
	[VT_TH_PAGING_HV_PCT] = {"paging_hypervisor_pct", 2,
				 "no-nested-paging: and the hypervisor takes at least this share of the guest's busy "
				 "vCPU time (%)"},
	[VT_TH_IO_RATE] = {"io_exits_per_s", 2000,
			   "emulated-io: exits to QEMU per second of busy vCPU time"},
	[VT_TH_IO_PCT] = {"io_pct", 10, "emulated-io: or I/O exits' hypervisor time, share of busy vCPU time (%)"},
	[VT_TH_IRQ_RATE] = {"irq_exits_per_s", 5000,
			    "interrupt-pressure: external-interrupt exits per second of busy vCPU time"},
	[VT_TH_PAUSE_RATE] = {"pause_exits_per_s", 200,
			      "lock-holder-preemption: PAUSE exits per second of busy vCPU time"},
	[VT_TH_LHP_PCT] = {"lhp_pct", 50,
			   "lock-holder-preemption: and this share of them came while a sibling vCPU was preempted (%)"},
	[VT_TH_HALT_SHORT_US] = {"halt_short_us", 200,
				 "halt-polling: an idle stretch (a halt the host slept through) shorter than this is "
				 "short (us; KVM's default halt_poll_ns is 200000)"},
	[VT_TH_HALT_RATE] = {"halt_short_per_s", 1000, "halt-polling: short halts per second of vCPU time"},
	[VT_TH_HALT_WAKE_PCT] = {"halt_wake_pct", 1,
				 "halt-polling: and their wake-up latency (woken to back in guest code) takes this "
				 "share of vCPU time (%)"},
	[VT_TH_MIN_EXITS] = {"min_exits", 100,
			     "fewer exits (or halts) of a kind than this prove nothing: no finding from them"},
	[VT_TH_LOST_EVENTS] = {"lost_events", 0, "trace-quality: a trace lost more events than this"},
	[VT_TH_SYNC_BOUND_PCT] = {"sync_bound_pct", 10,
				  "trace-quality: a guest clock's sync accuracy times its context switches exceeds "
				  "this share of its vCPU time, bounding the error of its threads' figures (%)"},
};

const char *vt_threshold_name(enum vt_threshold t)
{
	return (unsigned)t < VT_TH_COUNT ? table[t].name : "?";
}

double vt_threshold_default(enum vt_threshold t)
{
	return (unsigned)t < VT_TH_COUNT ? table[t].def : 0;
}

const char *vt_threshold_doc(enum vt_threshold t)
{
	return (unsigned)t < VT_TH_COUNT ? table[t].doc : "";
}

void vt_findings_config_default(struct vt_findings_config *cfg)
{
	for (int t = 0; t < VT_TH_COUNT; t++)
		cfg->v[t] = table[t].def;
}

int vt_findings_config_set(struct vt_findings_config *cfg, const char *assignment, struct vt_error *err)
{
	const char *eq = strchr(assignment, '=');
	if (!eq)
		return vt_error_set(err, "%.64s: expected NAME=VALUE", assignment);
	size_t n = (size_t)(eq - assignment);
	for (int t = 0; t < VT_TH_COUNT; t++) {
		if (strlen(table[t].name) != n || strncmp(table[t].name, assignment, n))
			continue;
		char *end;
		errno = 0;
		double v = strtod(eq + 1, &end);
		if (errno || end == eq + 1 || *end || !isfinite(v) || v < 0)
			return vt_error_set(err, "%s: %.64s is not a number >= 0", table[t].name, eq + 1);
		cfg->v[t] = v;
		return 0;
	}
	return vt_error_set(err, "%.*s: no such threshold (vmtrace analyze --finding-threshold list)", n > 64 ? 64 : (int)n,
			    assignment);
}
