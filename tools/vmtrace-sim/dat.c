/* The simulated machines as trace-cmd recordings. Clocks:
 *  - x86-tsc: a 2 GHz TSC with trace-cmd's tsc2nsec option (ns = cycles >> 1);
 *    the host's TSC counts from its boot 1000 s before the trace starts, a
 *    guest's is the host's plus the tsc-offset the agent reported for it (or,
 *    without one, minus the host's TSC at the guest's first event, as KVM
 *    starts a new VM's TSC at 0). Guest files are then exactly on the host's
 *    TSC, whatever the scenario's guest clock says.
 *  - mono: each machine's own clock (as in its CTF trace) minus its boot time,
 *    plus the date option that gives the epoch back (`trace-cmd record --date`). */
#include "dat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "vmtrace/tracecmd_writer.h"

#define HOST_UPTIME_NS 1000000000000ull /* host boot: 1000 s before the trace */
#define TSC_PER_NS 2                     /* 2 GHz */

struct dat_machine {
	struct vt_tc_writer *w;
	const char *name;
	uint64_t boot_ns;   /* mono: epoch ns of its boot */
	int has_tsc_offset; /* tsc: guest TSC = host TSC + tsc_offset */
	int64_t tsc_offset;
	int64_t pid;        /* guests: the QEMU pid the agent named, -1 unknown */
};

struct vt_sim_dat {
	const struct vt_sim_scenario *sc;
	int tsc;
	uint64_t t0;
	struct dat_machine *m;
	uint32_t n;
	struct vt_error err; /* the first error while events came */
	int failed;
};

static uint64_t host_tsc(const struct vt_sim_dat *d, uint64_t true_ns)
{
	return (true_ns - d->t0 + HOST_UPTIME_NS) * TSC_PER_NS;
}

int vt_sim_dat_open(struct vt_sim_dat **out, const struct vt_sim_scenario *sc, const char *dir,
		    enum vt_dat_clock clock, struct vt_error *err)
{
	*out = NULL;
	struct vt_sim_dat *d = calloc(1, sizeof(*d));
	if (!d)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
	d->sc = sc;
	d->tsc = clock == VT_DAT_CLOCK_TSC || (clock == VT_DAT_CLOCK_AUTO && sc->agent);
	d->t0 = sc->start_epoch_ns;
	d->n = 1 + sc->nguests;
	d->m = calloc(d->n, sizeof(*d->m));
	if (!d->m) {
		free(d);
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", dir);
	}
	for (uint32_t i = 0; i < d->n; i++) {
		const struct sc_guest *g = i ? &sc->guests[i - 1] : NULL;
		struct dat_machine *m = &d->m[i];
		m->name = g ? g->name : "host";
		m->pid = -1;
		/* Guests booted a little before the trace, each at its own time. */
		m->boot_ns = d->t0 - (g ? 300000000000ull + 17000000000ull * i : HOST_UPTIME_NS);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.dat", dir, m->name);
		struct vt_tc_writer_options o = {
			.path = path,
			.cpus = g ? g->vcpus : sc->cpus,
			.hostname = g ? g->hostname : sc->hostname,
			.kernel_release = g ? g->kernel_release : sc->host_kernel_release,
			.clock = d->tsc ? "x86-tsc" : "mono",
			.tsc2nsec_mult = d->tsc ? 1u << 30 : 0, /* cycles * 2^30 >> 31 = cycles / 2 */
			.tsc2nsec_shift = d->tsc ? 31 : 0,
			.has_date = !d->tsc,
			.date_offset_us = (int64_t)(m->boot_ns / 1000),
		};
		if (!(m->w = vt_tc_writer_open(&o, err))) {
			vt_sim_dat_abort(d);
			return -1;
		}
	}
	*out = d;
	return 0;
}

/* The agent's statedump on the host names each guest's QEMU pid and its
 * vCPUs' tsc-offsets: the guests' TSCs. */
static void learn_tsc(struct vt_sim_dat *d, const struct vt_event *ev)
{
	if (ev->trace != 0)
		return;
	for (uint32_t i = 1; i < d->n; i++) {
		struct dat_machine *m = &d->m[i];
		if ((ev->kind == VT_GUEST_DUMP || ev->kind == VT_GUEST_CREATED) && ev->u.guest.name &&
		    !strcmp(ev->u.guest.name, m->name))
			m->pid = ev->u.guest.pid;
		if (ev->kind == VT_GUEST_VCPU && m->pid >= 0 && ev->u.guest_vcpu.pid == m->pid && !m->has_tsc_offset) {
			m->has_tsc_offset = 1;
			m->tsc_offset = ev->u.guest_vcpu.tsc_offset;
		}
	}
}

static uint64_t raw_ts(struct vt_sim_dat *d, struct dat_machine *m, uint64_t true_ns, const struct vt_event *ev)
{
	if (!d->tsc)
		return ev->ts_ns > m->boot_ns ? ev->ts_ns - m->boot_ns : 0;
	uint64_t host = host_tsc(d, true_ns);
	if (ev->trace == 0)
		return host;
	if (!m->has_tsc_offset) { /* no agent: KVM started this VM's TSC at 0 */
		m->has_tsc_offset = 1;
		m->tsc_offset = -(int64_t)(host / 1000000 * 1000000);
	}
	return host + (uint64_t)m->tsc_offset;
}

void vt_sim_dat_on_event(void *arg, uint64_t true_ns, const struct vt_event *ev)
{
	struct vt_sim_dat *d = arg;
	if (d->failed || ev->trace >= d->n)
		return;
	learn_tsc(d, ev);
	struct dat_machine *m = &d->m[ev->trace];
	if (vt_tc_writer_event(m->w, raw_ts(d, m, true_ns, ev), ev) < 0) {
		d->failed = 1;
		vt_error_set(&d->err, "%s.dat: write error", m->name);
	}
}

int vt_sim_dat_close(struct vt_sim_dat *d, struct vt_error *err)
{
	int rc = 0;
	if (d->failed) {
		vt_error_set(err, "%s", d->err.msg);
		rc = -1;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		if (d->m[i].w && vt_tc_writer_close(d->m[i].w, rc ? NULL : err))
			rc = -1;
		d->m[i].w = NULL;
	}
	free(d->m);
	free(d);
	return rc;
}

void vt_sim_dat_abort(struct vt_sim_dat *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		vt_tc_writer_abort(d->m[i].w);
	free(d->m);
	free(d);
}
