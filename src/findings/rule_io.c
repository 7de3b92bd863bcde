/* emulated-io: exits that QEMU itself handles in user space (port I/O, MMIO
 * of emulated devices) are frequent or costly: each one is a round trip from
 * the guest through KVM to the QEMU process and back. */
#include "findings/internal.h"

void vt_rule_emulated_io(struct vt_fctx *ctx)
{
	for (size_t k = 0; k < ctx->nguests && !ctx->oom; k++) {
		const struct vt_guest_summary *g = &ctx->guests[k];
		uint64_t io_ns = 0, io_exits = 0, busy = vt_findings_busy(g->totals);
		for (size_t r = 0; r < g->nreasons; r++)
			if (vt_findings_reason_class(g->isa, g->reasons[r].reason) == FC_IO)
				io_ns += g->reasons[r].ns;
		for (size_t e = 0; e < g->nexits; e++)
			if (vt_findings_reason_class(g->isa, g->exits[e].reason) == FC_IO)
				io_exits += g->exits[e].count;
		double rate = busy ? (double)g->userspace_exits * 1e9 / (double)busy : 0;
		double pct = vt_findings_pct((double)io_ns, (double)busy);
		double min = ctx->cfg->v[VT_TH_MIN_EXITS];
		int by_rate = rate >= ctx->cfg->v[VT_TH_IO_RATE] && (double)g->userspace_exits >= min;
		int by_time = pct >= ctx->cfg->v[VT_TH_IO_PCT] && (double)io_exits >= min;
		if (!by_rate && !by_time)
			continue;
		enum vt_severity sev = by_rate ? vt_finding_severity(rate, ctx->cfg->v[VT_TH_IO_RATE])
					       : vt_finding_severity(pct, ctx->cfg->v[VT_TH_IO_PCT]);
		if (by_rate && by_time && vt_finding_severity(pct, ctx->cfg->v[VT_TH_IO_PCT]) > sev)
			sev = VT_SEVERITY_CRITICAL;
		struct vt_finding *f = vt_finding_new(ctx, "emulated-io", sev);
		if (!f)
			return;
		vt_finding_guest(f, ctx, g);
		/* the main figure first: the one that crossed its threshold */
		if (by_rate) {
			vt_finding_figure(f, "userspace_exits_per_s", rate, 0);
			vt_finding_figure(f, "io_pct", pct, 0);
			vt_finding_threshold(f, ctx, VT_TH_IO_RATE);
			vt_finding_threshold(f, ctx, VT_TH_IO_PCT);
		} else {
			vt_finding_figure(f, "io_pct", pct, 0);
			vt_finding_figure(f, "userspace_exits_per_s", rate, 0);
			vt_finding_threshold(f, ctx, VT_TH_IO_PCT);
			vt_finding_threshold(f, ctx, VT_TH_IO_RATE);
		}
		vt_finding_threshold(f, ctx, VT_TH_MIN_EXITS);
		vt_finding_figure(f, "userspace_exits", (double)g->userspace_exits, 1);
		vt_finding_figure(f, "userspace_io", (double)g->userspace_by_reason[2], 1);   /* KVM_EXIT_IO */
		vt_finding_figure(f, "userspace_mmio", (double)g->userspace_by_reason[6], 1); /* KVM_EXIT_MMIO */
		vt_finding_figure(f, "io_exits", (double)io_exits, 1);
		vt_finding_figure(f, "io_ns", (double)io_ns, 1);
		struct vt_fspan s = vt_findings_guest_range(ctx, g->qemu_pid, FR_IO);
		f->start_ns = s.first;
		f->end_ns = s.last;
		const char *name = vt_findings_guest_name(ctx, g->guest);
		vt_finding_text(f->summary, sizeof(f->summary),
				"%s's devices are emulated by QEMU: %.0f exits to QEMU per second, I/O exits %.1f %% of its "
				"busy vCPU time",
				name, rate, pct);
		vt_finding_text(f->meaning, sizeof(f->meaning),
				"%llu exits went out to QEMU (%llu port I/O, %llu MMIO) and I/O exits took %.3f s in the "
				"hypervisor: every access to an emulated device stops the vCPU for a round trip through KVM "
				"and the QEMU process.",
				(unsigned long long)g->userspace_exits, (unsigned long long)g->userspace_by_reason[2],
				(unsigned long long)g->userspace_by_reason[6], (double)io_ns / 1e9);
		vt_finding_text(f->advice, sizeof(f->advice),
				"Use paravirtual devices: virtio-net with vhost-net (vhost=on), virtio-blk or virtio-scsi "
				"with iothreads instead of emulated e1000/IDE/legacy devices; for network, multiqueue; for "
				"the fastest paths, vhost-user or device assignment (VFIO).");
	}
}
