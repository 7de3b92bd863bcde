/* vmtrace-sim --format dat: one trace-cmd file per machine, DIR/<machine>.dat,
 * fed from the simulator's on_event hook. */
#ifndef VT_SIM_TOOL_DAT_H
#define VT_SIM_TOOL_DAT_H

#include <stdint.h>

#include "vmtrace/error.h"
#include "vmtrace/event.h"

struct vt_sim_scenario;

/* The trace clock of the .dat files. */
enum vt_dat_clock {
	VT_DAT_CLOCK_AUTO, /* x86-tsc when the scenario runs the agent (its tsc-offsets), else mono */
	VT_DAT_CLOCK_TSC,  /* x86-tsc at 2 GHz with tsc2nsec: host TSC, guest TSC = host TSC + tsc_offset */
	VT_DAT_CLOCK_MONO, /* mono since the machine's boot + the date option: the machine's own clock */
};

struct vt_sim_dat;

/* Opens DIR/<machine>.dat for every machine of the scenario. Returns 0 or -1. */
int vt_sim_dat_open(struct vt_sim_dat **out, const struct vt_sim_scenario *sc, const char *dir,
		    enum vt_dat_clock clock, struct vt_error *err);

/* The vt_sim_options.on_event hook (arg: the vt_sim_dat). */
void vt_sim_dat_on_event(void *arg, uint64_t true_ns, const struct vt_event *ev);

/* Writes the files. Returns 0, or -1 with err (also for an error while events came). */
int vt_sim_dat_close(struct vt_sim_dat *d, struct vt_error *err);

/* Frees without writing (the files are left empty or absent). */
void vt_sim_dat_abort(struct vt_sim_dat *d);

#endif
