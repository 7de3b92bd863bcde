#!/bin/sh
# Re-records examples/ust-hello/trace: a real LTTng-UST trace of a two-thread
# program (600 tracef events), small enough to ship. Needs lttng-tools and
# liblttng-ust-dev; runs its own session daemon in a private LTTNG_HOME.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'LTTNG_HOME=$work/home lttng destroy -a >/dev/null 2>&1 || true; pkill -f "lttng-sessiond.*$work" || true; rm -rf "$work"' EXIT
cc -O2 -o "$work/hello" "$here/hello.c" -llttng-ust -ldl -lpthread
export LTTNG_HOME="$work/home"
mkdir -p "$LTTNG_HOME"
lttng-sessiond --daemonize --no-kernel
lttng create hello -o "$work/trace" >/dev/null
lttng enable-event -u 'lttng_ust_tracef:*' >/dev/null
lttng add-context -u -t vtid -t procname >/dev/null
lttng start >/dev/null
"$work/hello"
lttng stop >/dev/null
lttng destroy >/dev/null
rm -rf "$here/trace"
cp -r "$work/trace" "$here/trace"
