/* vmtrace-sim's output folder, written whole or not at all: a run writes into
 * a temporary folder (DIR.tmp-XXXXXX beside a new DIR, or
 * DIR/.vmtrace-sim.tmp-XXXXXX inside an existing one, which may be a mount
 * point), registered for removal on SIGINT/SIGTERM, and put in place only
 * when whole. An earlier vmtrace-sim output in DIR is replaced then, not
 * before: a failed or interrupted run leaves it as it was. */
#ifndef VT_SIM_OUTDIR_H
#define VT_SIM_OUTDIR_H

#include <stddef.h>

struct vt_sim_outdir {
	const char *dir;  /* DIR, as given */
	char tmp[4200];   /* where the run writes */
	int inside;       /* tmp is inside DIR (DIR existed) */
	int cleanup;      /* tmp's handle in common/cleanup.h */
};

/* Checks that DIR can receive a run (absent, empty, or an earlier vmtrace-sim
 * output; leftovers of a killed run are removed) and creates the temporary
 * folder. Returns 0, or -1 with a one-line reason in why. */
int vt_sim_outdir_open(struct vt_sim_outdir *o, const char *dir, char *why, size_t why_len);

/* ok: replaces the earlier run's traces and truth.json with the new ones;
 * else (or when that fails) removes the temporary folder. Returns 0, or -1
 * with why. */
int vt_sim_outdir_close(struct vt_sim_outdir *o, int ok, char *why, size_t why_len);

#endif
