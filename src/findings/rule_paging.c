/* no-nested-paging: page-fault, INVLPG and CR3 exits dominate a guest's
 * hypervisor time. With nested paging (AMD NPT, Intel EPT) the guest handles
 * its own page faults and TLB flushes; without it KVM shadows the guest's page
 * tables and must intercept them all. */
#include "findings/internal.h"

void vt_rule_paging(struct vt_fctx *ctx)
{
	for (size_t k = 0; k < ctx->nguests && !ctx->oom; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		uint64_t paging = 0, count = 0, invlpg_cr3 = 0;
		for (size_t r = 0; r < g->nreasons; r++)
			if (vt_findings_reason_class(g->isa, g->reasons[r].reason) == FC_PAGING)
				paging += g->reasons[r].ns;
		for (size_t e = 0; e < g->nexits; e++) {
			if (vt_findings_reason_class(g->isa, g->exits[e].reason) != FC_PAGING)
				continue;
			count += g->exits[e].count;
			uint64_t r = g->exits[e].reason;
			if (g->isa == VT_ISA_SVM ? r != 0x04e : (r & 0xffff) != 0)
				invlpg_cr3 += g->exits[e].count;
		}
		uint64_t hv = g->totals[VT_VCPU_HYPERVISOR], busy = vt_findings_busy(g->totals);
		double share = vt_findings_pct((double)paging, (double)hv), hv_pct = vt_findings_pct((double)hv, (double)busy);
		if (share < ctx->cfg->v[VT_TH_PAGING_PCT] || hv_pct < ctx->cfg->v[VT_TH_PAGING_HV_PCT] || !paging ||
		    (double)count < ctx->cfg->v[VT_TH_MIN_EXITS])
			continue;
		struct vt_finding *f =
			vt_finding_new(ctx, "no-nested-paging", vt_finding_severity(share, ctx->cfg->v[VT_TH_PAGING_PCT]));
		if (!f)
			return;
		vt_finding_guest(f, ctx, g);
		vt_finding_figure(f, "of_hypervisor_pct", share, 0);
		vt_finding_figure(f, "paging_ns", (double)paging, 1);
		vt_finding_figure(f, "paging_exits", (double)count, 1);
		vt_finding_figure(f, "invlpg_cr3_exits", (double)invlpg_cr3, 1);
		vt_finding_figure(f, "hypervisor_pct", hv_pct, 0);
		vt_finding_figure(f, "of_busy_pct", vt_findings_pct((double)paging, (double)busy), 0);
		vt_finding_threshold(f, ctx, VT_TH_PAGING_PCT);
		vt_finding_threshold(f, ctx, VT_TH_PAGING_HV_PCT);
		vt_finding_threshold(f, ctx, VT_TH_MIN_EXITS);
		struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, FR_PAGING);
		f->start_ns = s.first;
		f->end_ns = s.last;
		int svm = g->isa == VT_ISA_SVM;
		const char *name = vt_findings_guest_name(ctx, g->guest);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s runs without nested paging: page-fault, INVLPG and CR3 exits take %.1f %% of its "
				"hypervisor time",
				name, share);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"%llu exits for guest page faults, INVLPG and CR3 loads (%llu of them INVLPG or CR3, which "
				"KVM intercepts only when it shadows the guest's page tables) took %.3f s, %.1f %% of "
				"%s's hypervisor time and %.1f %% of its busy vCPU time: KVM is running it with shadow "
				"paging, %s off.",
				(unsigned long long)count, (unsigned long long)invlpg_cr3, (double)paging / 1e9, share, name,
				vt_findings_pct((double)paging, (double)busy), svm ? "AMD NPT (kvm_amd npt)" : "Intel EPT (kvm_intel ept)");
		vt_finding_text(f->advice, sizeof(f->advice),
				"Turn nested paging on: check %s (Y), load the module with %s, and make sure the CPU has "
				"it (grep %s /proc/cpuinfo; in a nested setup the outer hypervisor must expose it, e.g. "
				"-cpu host or +%s).",
				svm ? "/sys/module/kvm_amd/parameters/npt" : "/sys/module/kvm_intel/parameters/ept",
				svm ? "npt=1" : "ept=1", svm ? "npt" : "ept", svm ? "npt" : "vmx with EPT");
	}
}
