/* The CLI's reading of trace PATHs: each PATH its own source (so one bad PATH
 * does not hide the others), traces numbered across PATHs, every event handed
 * to the caller's collectors, with a progress line on a terminal. */
#ifndef VMTRACE_CLI_INPUTS_H
#define VMTRACE_CLI_INPUTS_H

#include <jansson.h>
#include <stddef.h>

#include "vmtrace/identify.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"
#include "vmtrace/timeline.h"

struct vt_inputs {
	struct vt_source **sources;
	size_t nsources;
	const struct vt_trace_info **traces; /* valid until vt_inputs_close */
	size_t ntraces;
	const struct vt_source_window *window; /* set by the caller: only those events (NULL: all) */
};

/* --begin/--end TIME (getopt codes VT_OPT_BEGIN, VT_OPT_END): "+N[UNIT]" from
 * the start, "N[UNIT]" from the epoch; UNIT s (default), ms, us or ns; an
 * integer of more than 12 digits without a unit is ns (as `vmtrace info`
 * prints times). */
enum { VT_OPT_BEGIN = 0x1b1, VT_OPT_END = 0x1b2 };
#define VT_WINDOW_OPTIONS {"begin", required_argument, NULL, VT_OPT_BEGIN}, {"end", required_argument, NULL, VT_OPT_END}
#define VT_WINDOW_HELP                                                                                              \
	"      --begin TIME, --end TIME  only that window: +SECONDS from the start (+1.5, +200ms),\n"                   \
	"                          or a time from the epoch (1795649000.5, 1795649000500000000)\n"
/* Parses TIME into *ns and *relative; -1 when it is not a time. */
int vt_time_parse(const char *arg, uint64_t *ns, int *relative);
/* Returns 1 when c was --begin/--end (w->has set), 0 when not, -1 on a bad
 * value or --end before --begin (printed as "vmtrace CMD: ..."). */
int vt_window_option(const char *command, int c, const char *arg, struct vt_source_window *w, int *has);

typedef void (*vt_event_sink)(void *ctx, size_t trace, const struct vt_event *ev);

/* Reads every event of the traces under path; returns 0 or -1 with err. */
int vt_inputs_read(struct vt_inputs *in, const char *path, vt_event_sink sink, void *ctx, struct vt_error *err);
void vt_inputs_close(struct vt_inputs *in);

/* The first pass every analysing command makes: identification and
 * synchronization collectors fed from every PATH. */
struct vt_pass1 {
	struct vt_inputs in;
	struct vt_identify *id;
	struct vt_sync *sync;
	struct vt_spill *spill; /* what the model will read, when vt_pass1_spill was called */
	char **hint_uuids;      /* owned: the uuids of hints taken from record.json files */
	size_t nhint_uuids;
	vt_event_sink also;     /* NULL, or one more collector of every event */
	void *also_ctx;
};

/* with_containment: also keep what the containment method needs (sync). */
int vt_pass1_init(struct vt_pass1 *p, int with_containment);
/* Also keep, in a temporary file, what the model reads (pass 2 then reads
 * that instead of the traces). Returns 0, or -1 with err (pass 2 can still
 * read the traces). */
int vt_pass1_spill(struct vt_pass1 *p, struct vt_error *err);
int vt_pass1_read(struct vt_pass1 *p, const char *path, struct vt_error *err);
/* Machines from the agent's events, then, for machines it did not name, from
 * which QEMU's threads handled their TCP on a host. */
int vt_pass1_identify(struct vt_pass1 *p, struct vt_machines **out, struct vt_error *err);
void vt_pass1_free(struct vt_pass1 *p);

/* When PATH is a `vmtrace record` output (PATH/record.json), its guests'
 * uuid = QEMU pid become identification hints, as --guest would give:
 * they tie guest traces to their QEMU even when no agent event did
 * (record_hints.c). Returns how many were added. */
size_t vt_pass1_record_hints(struct vt_pass1 *p, const char *path);

/* Parses a --guest UUID=PID argument (modifies arg); prints the error and
 * returns -1 when it is not of that form. */
int vt_parse_guest_hint(const char *command, char *arg, struct vt_guest_hint *out);

/* The options of every command that synchronizes: --method M (getopt code
 * 'm') and --guest UUID=PID ('g', a hint for id when not NULL). Returns 1
 * when c was one of them, 0 when not, -1 on a bad value (printed). */
int vt_sync_option(const char *command, int c, char *arg, struct vt_identify *id, enum vt_sync_method *method);

/* Shared JSON pieces (cmd_info.c). */
json_t *json_str_or_null(const char *s);
json_t *vt_machines_json(const struct vt_machines *m, const struct vt_inputs *all);
/* The guests the host's agent named but whose traces are not among the inputs. */
json_t *vt_untraced_json(const struct vt_machines *m);

#endif
