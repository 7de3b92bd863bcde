/* What every command that reads traces shares: the options --begin/--end,
 * --method and --guest, a session that prints its notes and progress, and
 * the JSON of machines. */
#ifndef VMTRACE_CLI_INPUTS_H
#define VMTRACE_CLI_INPUTS_H

#include <jansson.h>
#include <stddef.h>

#include "progress.h"
#include "vmtrace/identify.h"
#include "vmtrace/session.h"
#include "vmtrace/sources.h"
#include "vmtrace/sync.h"


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

/* --reader NAME (getopt code VT_OPT_READER): the CTF decoder, native or babeltrace2. */
enum { VT_OPT_READER = 0x1b3 };
#define VT_READER_OPTIONS {"reader", required_argument, NULL, VT_OPT_READER}
#define VT_READER_HELP                                                                                              \
	"      --reader NAME       the CTF decoder: native (the default: CTF 1.8 and 2) or babeltrace2\n"
/* Returns 1 when c was --reader (*reader set), 0 when not, -1 on a bad name (printed). */
int vt_reader_option(const char *command, int c, const char *arg, enum vt_reader *reader);

/* The traces of a session, as the JSON and text pieces take them (weak). */
struct vt_inputs {
	const struct vt_trace_info *const *traces;
	size_t ntraces;
};
struct vt_inputs vt_inputs_of(const struct vt_session *s);

/* The guests pinned with --guest (strings point into argv). */
struct vt_hints {
	struct vt_guest_hint *v;
	size_t n;
};
void vt_hints_free(struct vt_hints *h);

/* A session as every command wants it: notes and warnings printed as
 * "vmtrace: ..." lines (escaped), a progress line on a terminal. Prints
 * "vmtrace CMD: out of memory" and returns NULL when it cannot be made. */
struct vt_cli_session {
	struct vt_session *s;
	struct vt_progress progress;
	const char *what; /* the label progress was started with */
};
struct vt_session *vt_cli_session_new(struct vt_cli_session *cs, const char *command, struct vt_session_options *opt,
				      const struct vt_hints *hints);
/* Pass 1 over PATH (with the guests its record.json names as hints). Returns
 * 0, or -1 with err. */
int vt_cli_session_read(struct vt_cli_session *cs, const char *path, struct vt_error *err);

/* When PATH is a `vmtrace record` output (PATH/record.json), its guests'
 * uuid = QEMU pid become identification hints, as --guest would give:
 * they tie guest traces to their QEMU even when no agent event did
 * (record_hints.c). Returns how many were added. */
size_t vt_record_hints(struct vt_session *s, const char *path);

/* Parses a --guest UUID=PID argument (modifies arg); prints the error and
 * returns -1 when it is not of that form. */
int vt_parse_guest_hint(const char *command, char *arg, struct vt_guest_hint *out);

/* The options of every command that synchronizes: --method M (getopt code
 * 'm') and --guest UUID=PID ('g', added to hints). Returns 1 when c was one
 * of them, 0 when not, -1 on a bad value or out of memory (printed). */
int vt_sync_option(const char *command, int c, char *arg, struct vt_hints *hints, enum vt_sync_method *method);

/* Shared JSON pieces (cmd_info.c). */
json_t *json_str_or_null(const char *s);
json_t *vt_machines_json(const struct vt_machines *m, const struct vt_inputs *all);
/* The guests the host's agent named but whose traces are not among the inputs. */
json_t *vt_untraced_json(const struct vt_machines *m);

#endif
