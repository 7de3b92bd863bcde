/* The LTTng guest scripts. Each value is checked and single-quoted; each
 * lttng command's failure ends the script with a vmtrace-error line naming
 * it (and the session destroyed, so that a second start can work). */
#include "record/guest_lttng.h"
#include "record/guest_session.h"

#include "common/text.h"
#include "vmtrace/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* lttng-modules' names: its softirq events are irq_softirq_*, its
 * netif_receive_skb is net_if_receive_skb. */
const char vt_guest_lttng_events[] =
	"sched_switch,sched_wakeup,sched_wakeup_new,sched_waking,sched_process_fork,sched_process_exec,"
	"sched_process_exit,sched_process_free,sched_migrate_task,irq_handler_entry,irq_handler_exit,"
	"irq_softirq_entry,irq_softirq_exit,net_dev_queue,net_if_receive_skb";

/* Shared by the scripts: say KEY VALUE; run CMD... (its last line on failure). */
static const char prologue[] =
	"say() { echo \"vmtrace-$1: $2\"; }\n"
	"run() {\n"
	"	out=$(\"$@\" 2>&1) && return 0\n"
	"	say error \"$*: $(echo \"$out\" | grep -v '^$' | tail -n 1)\"\n"
	"	lttng destroy \"$S\" >/dev/null 2>&1\n"
	"	exit 1\n"
	"}\n"
	"command -v lttng >/dev/null 2>&1 || { say error 'lttng is not installed in the guest (lttng-tools)'; exit 1; }\n";

/* The events this kernel has, the others said; then the session. */
static const char start_body[] =
	"say tracer \"lttng $(lttng --version 2>/dev/null | sed -n 's/^lttng ([^)]*) \\([^ ]*\\).*/\\1/p')\"\n"
	"avail=$(lttng list -k 2>&1) || { say error \"no kernel tracer: $(echo \"$avail\" | tail -n 1)\"; exit 1; }\n"
	"avail=$(echo \"$avail\" | sed -n 's/^ *\\([a-z0-9_]*\\) (loglevel.*/\\1/p')\n"
	"nl='\n'\n"
	"evs=''; missing=''\n"
	"for e in $(echo \"$EVENTS\" | tr ',' ' '); do\n"
	"	case \"$nl$avail$nl\" in\n"
	"	*\"$nl$e$nl\"*) evs=\"$evs${evs:+,}$e\" ;;\n"
	"	*) missing=\"$missing $e\" ;;\n"
	"	esac\n"
	"done\n"
	"[ -n \"$missing\" ] && say note \"events this guest kernel lacks, not recorded:$missing\"\n"
	"[ -n \"$evs\" ] || { say error 'none of the events is in this guest kernel'; exit 1; }\n"
	/* To the relay when it is reachable (the channel is where lttng connects), else kept here. */
	"relayed=0\n"
	"if [ -n \"$URL\" ]; then\n"
	"	if out=$(lttng create \"$S\" --set-url=\"$URL\" $SNAPSHOT 2>&1) &&\n"
	"	   out=$(lttng enable-channel -k -s \"$S\" --subbuf-size=\"$SUBBUF\" --num-subbuf=\"$NSUBBUF\" vmtrace 2>&1); then\n"
	"		relayed=1\n"
	"		say relay \"$URL\"\n"
	"	else\n"
	"		say note \"relay $URL: $(echo \"$out\" | grep -v '^$' | tail -n 1): the trace is kept in the guest\"\n"
	"		lttng destroy \"$S\" >/dev/null 2>&1\n"
	"	fi\n"
	"fi\n"
	"if [ $relayed = 0 ]; then\n"
	"	[ -e \"$O\" ] && { say error \"$O exists already in the guest\"; exit 1; }\n"
	"	run lttng create \"$S\" --output=\"$O\" $SNAPSHOT\n"
	"	run lttng enable-channel -k -s \"$S\" --subbuf-size=\"$SUBBUF\" --num-subbuf=\"$NSUBBUF\" vmtrace\n"
	"fi\n"
	"run lttng enable-event -k -s \"$S\" -c vmtrace \"$evs\"\n"
	"run lttng enable-event -k -s \"$S\" -c vmtrace 'lttng_statedump_*'\n"
	"run lttng add-context -k -s \"$S\" -c vmtrace -t pid -t tid -t procname\n"
	"if [ \"$UST\" = 1 ]; then\n"
	"	lttng enable-event -u -s \"$S\" 'vmtrace:*' >/dev/null 2>&1 || say note 'no UST domain: the events of a vmtraced in the guest are not recorded'\n"
	"fi\n"
	"run lttng start \"$S\"\n";

/* lttng stop says "Warning: N events were discarded" when the buffers overflowed. */
static const char stop_body[] =
	"out=$(lttng stop \"$S\" 2>&1) || { say error \"lttng stop: $(echo \"$out\" | tail -n 1)\"; "
	"lttng destroy \"$S\" >/dev/null 2>&1; exit 1; }\n"
	"lost=$(echo \"$out\" | sed -n 's/.*Warning: \\([0-9][0-9]*\\) events were discarded.*/\\1/p' | head -n 1)\n"
	"say lost \"${lost:-0}\"\n"
	"echo \"$out\" | grep -q 'packets were lost' && say note \"$(echo \"$out\" | grep 'packets were lost' | head -n 1)\"\n"
	"run lttng destroy \"$S\"\n";

static const char snapshot_body[] = "run lttng snapshot record -s \"$S\"\n";

static int name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n &&
	       s[0] != '-' && s[0] != '.';
}

static int path_ok(const char *s)
{
	return s && s[0] == '/' && s[1] && !strstr(s, "/../") && !vt_text_needs_escape(s) && strlen(s) < 1024;
}

static int events_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 8192 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_,*") == n;
}

/* net://ADDR:CTRL:DATA as relayd.c makes it: nothing a shell would read. */
static int url_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 6 && n < 320 && !strncmp(s, "net://", 6) &&
	       strspn(s + 6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") == n - 6;
}

static int pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* The variables every script starts with; NULL when o is not valid. */
static char *variables(const struct vt_guest_lttng *o)
{
	const char *events = o->events ? o->events : vt_guest_lttng_events;
	uint64_t subbuf = o->subbuf_size ? o->subbuf_size : 1u << 20;
	unsigned nsub = o->num_subbuf ? o->num_subbuf : 4;
	if (!name_ok(o->session) || !path_ok(o->output) || !events_ok(events) || !pow2(subbuf) || !pow2(nsub) ||
	    (o->url && !url_ok(o->url)))
		return NULL;
	char *qo = vt_sh_quote(o->output);
	char *v = qo ? vt_strdup_printf("S='%s'\nO=%s\nEVENTS='%s'\nSUBBUF=%" PRIu64 "\nNSUBBUF=%u\nSNAPSHOT='%s'\nUST=%d\n"
					"URL='%s'\n",
					o->session, qo, events, subbuf, nsub, o->snapshot ? "--snapshot" : "",
					o->agent_events ? 1 : 0, o->url ? o->url : "")
		     : NULL;
	free(qo);
	return v;
}

static char *script(const struct vt_guest_lttng *o, const char *body)
{
	char *v = variables(o);
	char *s = v ? vt_strdup_printf("%s%s%s", v, prologue, body) : NULL;
	free(v);
	return s;
}

char *vt_guest_lttng_start(const struct vt_guest_lttng *o)
{
	return script(o, start_body);
}

char *vt_guest_lttng_stop(const struct vt_guest_lttng *o)
{
	return script(o, stop_body);
}

char *vt_guest_lttng_snapshot(const struct vt_guest_lttng *o)
{
	return script(o, snapshot_body);
}
