/* The guest's ftrace recorder as POSIX sh (ftrace_guest_script.h): the
 * script's parameters as single-quoted assignments, then the shell
 * functions every step shares, then the step. Tested under dash and
 * busybox sh (tests/record/test_ftrace_guest_script.c). */
#include "record/ftrace_guest_script.h"

#include "record/ftrace_tracefs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The functions of every step. `set -f`: no globbing of unquoted words
 * (trace_clock's "[local]" is a pattern). */
static const char functions[] =
	"vt_say() { echo \"vmtrace-ftrace: $*\" >&2; }\n"
	"vt_fail() {\n"
	"\tvt_say \"$*\"\n"
	"\tif [ -n \"${VT_MADE:-}\" ]; then\n"
	"\t\t: > \"$C/.stop\"\n"
	"\t\techo 0 > \"$D/tracing_on\"\n"
	"\t\trmdir \"$D\"\n"
	"\tfi 2>/dev/null\n"
	"\texit 1\n"
	"}\n"
	"vt_find_tracefs() {\n"
	"\tfor T in /sys/kernel/tracing /sys/kernel/debug/tracing; do\n"
	"\t\t[ -d \"$T/instances\" ] && return 0\n"
	"\tdone\n"
	"\t[ \"$1\" = mount ] || vt_fail \"no tracefs mounted\"\n"
	"\tT=/sys/kernel/tracing\n"
	"\tmount -t tracefs nodev \"$T\" 2>/dev/null || vt_fail \"$T: cannot mount tracefs\"\n"
	"\t[ -d \"$T/instances\" ] || vt_fail \"$T: no instances/ in it\"\n"
	"\tvt_say \"mounted tracefs on $T\"\n"
	"}\n"
	"# vt_bytes, vt_entries: unread bytes and events of per_cpu folder $1.\n"
	"vt_stat() {\n"
	"\tvt_bytes=0\n"
	"\tvt_entries=0\n"
	"\twhile read -r k v rest; do\n"
	"\t\tcase $k in\n"
	"\t\tbytes:) vt_bytes=$v ;;\n"
	"\t\tentries:) vt_entries=$v ;;\n"
	"\t\tesac\n"
	"\tdone < \"$1/stats\"\n"
	"}\n"
	"# Appends the whole pages per_cpu folder $1 holds to file $2: at most\n"
	"# bytes / (page - 12) reads, each of which gets a page, so dd never waits.\n"
	"vt_move() {\n"
	"\tvt_stat \"$1\"\n"
	"\tn=$((vt_bytes / (PSZ - 12)))\n"
	"\t[ \"$n\" -gt 0 ] || return 0\n"
	"\tdd if=\"$1/trace_pipe_raw\" bs=\"$PSZ\" count=\"$n\" 2>/dev/null >> \"$2\"\n"
	"}\n"
	"vt_cpus() (\n"
	"\tIFS=,\n"
	"\tread -r list < /sys/devices/system/cpu/online\n"
	"\tfor r in $list; do\n"
	"\t\ta=${r%-*}\n"
	"\t\tb=${r#*-}\n"
	"\t\twhile [ \"$a\" -le \"$b\" ]; do\n"
	"\t\t\techo \"$a\"\n"
	"\t\t\ta=$((a + 1))\n"
	"\t\tdone\n"
	"\tdone\n"
	")\n"
	"# A reader: moves whole pages, sleeps the period (a POSIX sleep refusing a\n"
	"# fraction sleeps 1 s) unless it moved an eighth of the buffer or more.\n"
	"# It ends when asked, or when the instance or the capture is gone.\n"
	"vt_reader() {\n"
	"\tbusy=$(($(vt_buffer_kb) * 128 / PSZ))\n"
	"\twhile [ ! -e \"$C/.stop\" ] && [ -d \"$D\" ] && [ -d \"$C\" ]; do\n"
	"\t\tvt_move \"$D/per_cpu/cpu$1\" \"$C/cpu$1.raw\" || { : > \"$C/cpu$1.failed\"; exit 1; }\n"
	"\t\t[ \"$n\" -gt \"$busy\" ] || sleep \"$PERIOD\" 2>/dev/null || sleep 1\n"
	"\tdone\n"
	"}\n"
	"# The instance's buffer_size_kb (\"1410\", or \"7 (expanded: 1410)\" before first use).\n"
	"vt_buffer_kb() {\n"
	"\tread -r kb rest < \"$D/buffer_size_kb\"\n"
	"\tcase $kb in '' | *[!0-9]*) kb=1048576 ;; esac\n"
	"\techo \"$kb\"\n"
	"}\n"
	"# Percent-encodes $1 as vmtraced's marker lines do: bytes up to space,\n"
	"# '%' and from 0x7f as %XX (LC_ALL=C: one byte a character).\n"
	"vt_pct() {\n"
	"\ts=$1\n"
	"\tout=\n"
	"\twhile [ -n \"$s\" ]; do\n"
	"\t\tr=${s#?}\n"
	"\t\tc=${s%\"$r\"}\n"
	"\t\ts=$r\n"
	"\t\tcase $c in\n"
	"\t\t[!\\ -~] | % | \" \") out=$out$(printf '%%%02X' \"'$c\") ;;\n"
	"\t\t*) out=$out$c ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tprintf '%s' \"$out\"\n"
	"}\n"
	"# The first line of file $1, trailing carriage returns dropped (\"\" when unreadable).\n"
	"vt_line() {\n"
	"\tv=\n"
	"\t{ IFS= read -r v < \"$1\"; } 2>/dev/null\n"
	"\tcr=$(printf '\\r')\n"
	"\twhile [ \"${v%\"$cr\"}\" != \"$v\" ]; do v=${v%\"$cr\"}; done\n"
	"\tprintf '%s' \"$v\"\n"
	"}\n"
	"vt_mark_machine() {\n"
	"\tu=$(vt_pct \"$(vt_line /sys/class/dmi/id/product_uuid)\")\n"
	"\tm=$(vt_pct \"$(vt_line /etc/machine-id)\")\n"
	"\tb=$(vt_pct \"$(vt_line /proc/sys/kernel/random/boot_id)\")\n"
	"\th=$(vt_pct \"$(vt_line /proc/sys/kernel/hostname)\")\n"
	"\tprintf 'vmtrace: machine product_uuid=%s machine_id=%s boot_id=%s hostname=%s\\n' \\\n"
	"\t\t\"$u\" \"$m\" \"$b\" \"$h\" > \"$D/trace_marker\" ||\n"
	"\t\tvt_say \"$D/trace_marker: cannot write the machine's identity\"\n"
	"}\n"
	"# Ends the clock pinger start ran, before the instance goes (it holds its trace_marker).\n"
	"vt_stop_ping() {\n"
	"\t[ -r \"$C/.ping\" ] || return 0\n"
	"\tread -r p < \"$C/.ping\"\n"
	"\tif [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null; then\n"
	"\t\tkill \"$p\" 2>/dev/null\n"
	"\t\ti=0\n"
	"\t\twhile kill -0 \"$p\" 2>/dev/null && [ \"$i\" -lt 100 ]; do\n"
	"\t\t\tsleep 0.1 2>/dev/null || sleep 1\n"
	"\t\t\ti=$((i + 1))\n"
	"\t\tdone\n"
	"\telse\n"
	"\t\tl=\n"
	"\t\t{ IFS= read -r l < \"$C/.ping.log\"; } 2>/dev/null\n"
	"\t\tvt_say \"the clock pinger had stopped: ${l:-no message}\"\n"
	"\tfi\n"
	"\trm -f \"$C/.ping\" \"$C/.ping.log\"\n"
	"}\n"
	"vt_format() {\n"
	"\tmkdir -p \"$C/formats/$1/$2\" && cat \"$D/events/$1/$2/format\" > \"$C/formats/$1/$2/format\" ||\n"
	"\t\tvt_fail \"$C/formats/$1/$2/format: cannot write\"\n"
	"}\n"
	"vt_wait_readers() {\n"
	"\t[ -r \"$C/.pids\" ] || return 0\n"
	"\ti=0\n"
	"\twhile :; do\n"
	"\t\talive=\n"
	"\t\twhile read -r p; do\n"
	"\t\t\tkill -0 \"$p\" 2>/dev/null && alive=\"$alive $p\"\n"
	"\t\tdone < \"$C/.pids\"\n"
	"\t\t[ -z \"$alive\" ] && return 0\n"
	"\t\t[ \"$i\" -ge \"$WAIT\" ] && break\n"
	"\t\tsleep \"$PERIOD\" 2>/dev/null || sleep 1\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\tvt_say \"readers$alive did not stop: killed\"\n"
	"\tkill $alive 2>/dev/null\n"
	"\treturn 1\n"
	"}\n"
	"# Everything CPU $1's buffer still holds, partial pages too, then its stats.\n"
	"vt_drain() {\n"
	"\td=$D/per_cpu/cpu$1\n"
	"\to=$C/cpu$1.raw\n"
	"\tif [ -e \"$C/cpu$1.failed\" ]; then\n"
	"\t\tvt_say \"$o: its reader could not write (disk full?)\"\n"
	"\t\trc=1\n"
	"\tfi\n"
	"\tvt_move \"$d\" \"$o\" || { vt_say \"$o: cannot write\"; return 1; }\n"
	"\tvt_stat \"$d\"\n"
	"\ti=0\n"
	"\twhile [ \"$vt_entries\" -gt 0 ] && [ \"$i\" -lt \"$max\" ]; do\n"
	"\t\tdd if=\"$d/trace_pipe_raw\" bs=\"$PSZ\" count=1 2>/dev/null >> \"$o\" ||\n"
	"\t\t\t{ vt_say \"$o: cannot write\"; return 1; }\n"
	"\t\tvt_stat \"$d\"\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\tcat \"$d/stats\" > \"$C/cpu$1.stats\" || { vt_say \"$C/cpu$1.stats: cannot write\"; return 1; }\n"
	"}\n"
	"vt_open_recording() {\n"
	"\tvt_find_tracefs\n"
	"\tD=$T/instances/$I\n"
	"\t[ -d \"$D\" ] || vt_fail \"$D: no such recording\"\n"
	"\t{ read -r PSZ < \"$C/page_size\"; } 2>/dev/null || vt_fail \"$C/page_size: missing\"\n"
	"\tcase $PSZ in '' | *[!0-9]*) vt_fail \"$C/page_size: not a number\" ;; esac\n"
	"}\n";

static const char start_body[] =
	"vt_find_tracefs mount\n"
	"D=$T/instances/$I\n"
	"[ -e \"$D\" ] && vt_fail \"$D: already exists (another recording, or one not stopped)\"\n"
	"mkdir -p \"$C\" || vt_fail \"$C: cannot create the capture folder\"\n"
	"set +f\n"
	"for f in \"$C\"/* \"$C\"/.[!.]*; do\n"
	"\t[ -e \"$f\" ] && vt_fail \"$C: not empty\"\n"
	"done\n"
	"set -f\n"
	"mkdir \"$D\" || vt_fail \"$D: cannot create the ftrace instance\"\n"
	"VT_MADE=1\n"
	"# names of threads come from saved_cmdlines, 128 pids by default: raised, never lowered\n"
	"n=$(cat \"$T/saved_cmdlines_size\" 2>/dev/null) && [ \"${n:-0}\" -lt 4096 ] 2>/dev/null &&\n"
	"\techo 4096 > \"$T/saved_cmdlines_size\" 2>/dev/null || :\n"
	"echo 0 > \"$D/tracing_on\" || vt_fail \"$D/tracing_on: cannot write\"\n"
	"if [ -z \"$CLOCK\" ]; then\n"
	"\tCLOCK=local\n"
	"\tfor c in $(cat \"$D/trace_clock\"); do\n"
	"\t\tcase $c in mono | \"[mono]\") CLOCK=mono ;; esac\n"
	"\tdone\n"
	"fi\n"
	"echo \"$CLOCK\" 2>/dev/null > \"$D/trace_clock\" || vt_fail \"$D/trace_clock: no clock $CLOCK here\"\n"
	"if [ \"$KB\" -gt 0 ]; then\n"
	"\techo \"$KB\" > \"$D/buffer_size_kb\" || vt_fail \"$D/buffer_size_kb: cannot set $KB\"\n"
	"fi\n"
	"echo \"$OVERWRITE\" > \"$D/options/overwrite\" || vt_fail \"$D/options/overwrite: cannot write\"\n"
	"mkdir \"$C/formats\" || vt_fail \"$C/formats: cannot create\"\n"
	"ok=0\n"
	"for e in $EVENTS; do\n"
	"\ts=${e%%:*}\n"
	"\tn=${e#*:}\n"
	"\tif [ -d \"$D/events/$s/$n\" ] && echo 1 2>/dev/null > \"$D/events/$s/$n/enable\"; then\n"
	"\t\tvt_format \"$s\" \"$n\"\n"
	"\t\tok=$((ok + 1))\n"
	"\telse\n"
	"\t\techo \"$e\" >> \"$C/skipped_events\" || vt_fail \"$C/skipped_events: cannot write\"\n"
	"\tfi\n"
	"done\n"
	"[ \"$ok\" -gt 0 ] || vt_fail \"none of the events asked for exists in this kernel\"\n"
	"set +f\n"
	"for f in \"$D\"/events/ftrace/*/format; do\n"
	"\tn=${f%/format}\n"
	"\tvt_format ftrace \"${n##*/}\"\n"
	"done\n"
	"set -f\n"
	"cat \"$D/events/header_page\" > \"$C/header_page\" &&\n"
	"\tcat \"$D/events/header_event\" > \"$C/header_event\" &&\n"
	"\tcat \"$D/trace_clock\" > \"$C/trace_clock\" &&\n"
	"\tuname -s -n -r -m > \"$C/uname\" || vt_fail \"$C: cannot write\"\n"
	"if [ -r \"$T/printk_formats\" ]; then\n"
	"\tcat \"$T/printk_formats\" > \"$C/printk_formats\" || vt_fail \"$C/printk_formats: cannot write\"\n"
	"fi\n"
	"PSZ=\n"
	"if [ -r \"$D/buffer_subbuf_size_kb\" ]; then\n"
	"\tread -r kb < \"$D/buffer_subbuf_size_kb\"\n"
	"\tPSZ=$((kb * 1024))\n"
	"else\n"
	"\t# no sub-buffers: the page is header_page's data offset + size (read from the copy:\n"
	"\t# before 6.8 tracefs gives header_page's bytes to one read only, and sh reads a byte at a time)\n"
	"\twhile read -r f1 f2 f3 f4 f5 rest; do\n"
	"\t\tif [ \"$f3\" = \"data;\" ]; then\n"
	"\t\t\toff=${f4#offset:}\n"
	"\t\t\tsz=${f5#size:}\n"
	"\t\t\tPSZ=$((${off%;} + ${sz%;}))\n"
	"\t\tfi\n"
	"\tdone < \"$C/header_page\"\n"
	"fi\n"
	"[ -n \"$PSZ\" ] || vt_fail \"$D: cannot tell the page size\"\n"
	"echo \"$PSZ\" > \"$C/page_size\" || vt_fail \"$C/page_size: cannot write\"\n"
	"vt_cpus > \"$C/.cpus\" || vt_fail \"$C/.cpus: cannot write\"\n"
	": > \"$D/trace\"\n"
	": > \"$C/.pids\" || vt_fail \"$C/.pids: cannot write\"\n"
	"for cpu in $(cat \"$C/.cpus\"); do\n"
	"\t: > \"$C/cpu$cpu.raw\" || vt_fail \"$C/cpu$cpu.raw: cannot write\"\n"
	"\tif [ \"$OVERWRITE\" = 0 ]; then\n"
	"\t\t# exec, not redirections on the call: busybox sh keeps a saved copy of the\n"
	"\t\t# original stdout open in a backgrounded function, and qemu-ga's guest-exec\n"
	"\t\t# does not end while anything holds its pipes open.\n"
	"\t\t(exec < /dev/null > /dev/null 2>&1; vt_reader \"$cpu\") &\n"
	"\t\techo \"$!\" >> \"$C/.pids\"\n"
	"\tfi\n"
	"done\n"
	"echo 1 > \"$D/tracing_on\" || vt_fail \"$D/tracing_on: cannot write\"\n"
	"[ \"$MARK\" = 1 ] && vt_mark_machine\n"
	"# The guest's clock pings into this instance (vmtraced --ping: docs/agent.md).\n"
	"if [ \"$PING\" = 1 ]; then\n"
	"\tif command -v vmtraced >/dev/null 2>&1; then\n"
	"\t\t(exec < /dev/null > /dev/null 2> \"$C/.ping.log\"\n"
	"\t\t exec vmtraced --ping --sinks ftrace --ftrace-marker \"$D/trace_marker\" --no-books --check-ms 0) &\n"
	"\t\techo \"$!\" > \"$C/.ping\" || vt_fail \"$C/.ping: cannot write\"\n"
	"\telse\n"
	"\t\tvt_say \"no vmtraced in this machine: no clock pings (sync falls back to TCP or containment)\"\n"
	"\tfi\n"
	"fi\n"
	"exit 0\n";

static const char stop_body[] =
	"vt_open_recording\n"
	"rc=0\n"
	"vt_stop_ping\n"
	": > \"$C/.stop\" 2>/dev/null\n"
	"vt_wait_readers || rc=1\n"
	"echo 0 > \"$D/tracing_on\" || { vt_say \"$D/tracing_on: cannot write\"; rc=1; }\n"
	"max=$(($(vt_buffer_kb) * 1024 / PSZ + 8))\n"
	"for cpu in $(cat \"$C/.cpus\"); do\n"
	"\tvt_drain \"$cpu\" || rc=1\n"
	"done\n"
	"cat \"$T/saved_cmdlines\" > \"$C/saved_cmdlines\" || { vt_say \"$C/saved_cmdlines: cannot write\"; rc=1; }\n"
	"rm -f \"$C/.stop\" \"$C/.pids\" \"$C/.cpus\"\n"
	"rmdir \"$D\" || { vt_say \"$D: cannot remove the ftrace instance\"; rc=1; }\n"
	"exit $rc\n";

static const char snapshot_body[] =
	"vt_open_recording\n"
	"rc=0\n"
	"for cpu in $(cat \"$C/.cpus\"); do\n"
	"\tvt_move \"$D/per_cpu/cpu$cpu\" \"$C/cpu$cpu.raw\" || { vt_say \"$C/cpu$cpu.raw: cannot write\"; rc=1; }\n"
	"done\n"
	"exit $rc\n";

struct buf {
	char *s;
	size_t len, cap;
	int failed;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->failed || n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* NAME='value' with any ' in value as '\''. */
static void add_quoted(struct buf *b, const char *name, const char *value)
{
	add(b, "%s='", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\'')
			add(b, "'\\''");
		else
			add(b, "%c", *p);
	}
	add(b, "'\n");
}

static int plain(const char *s, const char *extra)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

static int check(const struct vt_ftrace_guest_options *o, struct vt_error *err)
{
	const char *c = o->capture_dir;
	if (!c || c[0] != '/' || strlen(c) > 1024)
		return vt_error_set(err, "guest capture folder: not an absolute path");
	for (const char *p = c; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return vt_error_set(err, "guest capture folder: control characters in it");
	if (o->instance && (!plain(o->instance, "_-") || o->instance[0] == '-'))
		return vt_error_set(err, "instance '%s': not a plain name", o->instance);
	if (o->clock && !plain(o->clock, "_-"))
		return vt_error_set(err, "clock '%s': not a plain name", o->clock);
	if (o->nevents == 0)
		return vt_error_set(err, "guest ftrace recording: no event asked for");
	for (size_t i = 0; i < o->nevents; i++)
		if (!vt_ftrace_event_name_ok(o->events[i]))
			return vt_error_set(err, "event '%s': not SYSTEM:EVENT", o->events[i]);
	return 0;
}

static char *script(const struct vt_ftrace_guest_options *o, const char *step, const char *body,
		    struct vt_error *err)
{
	if (check(o, err))
		return NULL;
	struct buf b = {0};
	add(&b, "#!/bin/sh\n# vmtrace: ftrace recording in this machine, %s (generated: docs/record.md)\n", step);
	add(&b, "set -f\nLC_ALL=C\nexport LC_ALL\n");
	add_quoted(&b, "C", o->capture_dir);
	add_quoted(&b, "I", o->instance ? o->instance : "vmtrace-guest");
	add(&b, "EVENTS='");
	for (size_t i = 0; i < o->nevents; i++)
		add(&b, "%s%s", i ? " " : "", o->events[i]);
	add(&b, "'\n");
	add_quoted(&b, "CLOCK", o->clock ? o->clock : "");
	unsigned ms = o->period_ms ? o->period_ms : 250;
	/* WAIT: stop's checks for the readers to end, a period apart: 11 s more than a period */
	add(&b, "KB=%u\nOVERWRITE=%d\nPERIOD=%u.%03u\nWAIT=%u\nMARK=%d\nPING=%d\n", o->buffer_kb, o->overwrite ? 1 : 0,
	    ms / 1000, ms % 1000, (ms + 11000) / ms + 1, o->no_machine_marker ? 0 : 1, o->ping ? 1 : 0);
	add(&b, "%s%s", functions, body);
	if (b.failed) {
		free(b.s);
		vt_error_set_cause(err, VT_ERR_NOMEM, "guest ftrace script: out of memory");
		return NULL;
	}
	return b.s;
}

char *vt_ftrace_guest_script_start(const struct vt_ftrace_guest_options *o, struct vt_error *err)
{
	return script(o, "start", start_body, err);
}

char *vt_ftrace_guest_script_stop(const struct vt_ftrace_guest_options *o, struct vt_error *err)
{
	return script(o, "stop", stop_body, err);
}

char *vt_ftrace_guest_script_snapshot(const struct vt_ftrace_guest_options *o, struct vt_error *err)
{
	return script(o, "snapshot", snapshot_body, err);
}
