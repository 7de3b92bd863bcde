#!/bin/sh
# Records tests/data/host-tcg.dat: a real ftrace host trace of this machine
# (no /dev/kvm here, so the guest is a QEMU TCG one and kvm:* events stay
# absent), with vmtraced's trace_marker lines naming the guest.
#
# Events are enabled through tracefs and read back with `trace-cmd extract`
# (`trace-cmd record` fails on the machine this was made on). The ring buffer
# is kept small so that the file stays tens of KB; kallsyms are not kept.
#
# usage (root): tests/data/record-tracecmd.sh BUILD_DIR OUT.dat [CLOCK]
#   CLOCK: a trace_clock (default local); host-tsc.dat was made with x86-tsc.
set -eu
build=${1:?usage: record-tracecmd.sh BUILD_DIR OUT.dat [CLOCK]}
out=${2:?usage: record-tracecmd.sh BUILD_DIR OUT.dat [CLOCK]}
clock=${3:-local}
T=/sys/kernel/tracing
mountpoint -q "$T" || mount -t tracefs none "$T"

echo 0 >"$T/tracing_on"
echo >"$T/set_event"
echo 24 >"$T/buffer_size_kb" # small: the file stays small, and the oldest events are overwritten (counted as lost)
echo "$clock" >"$T/trace_clock"
for e in sched:sched_switch sched:sched_wakeup sched:sched_wakeup_new sched:sched_process_fork \
	sched:sched_process_exec sched:sched_process_exit irq:irq_handler_entry irq:irq_handler_exit \
	irq:softirq_entry irq:softirq_exit kvm:kvm_entry kvm:kvm_exit kvm:kvm_userspace_exit \
	kvm:kvm_hypercall net:net_dev_queue net:netif_receive_skb; do
	echo "$e" >>"$T/set_event" 2>/dev/null || echo "record: no event $e here" >&2
done
echo >"$T/trace" # clear the buffers

uuid=5a1e0b8c-4d2f-4e8a-9c3b-7f1d2e3a4b5c
echo 1 >"$T/tracing_on"
qemu-system-x86_64 -accel tcg -name guest=tc-demo,debug-threads=on -uuid $uuid -smp 2 -m 64 \
	-display none -nodefaults -no-reboot &
qemu=$!
sleep 0.5
"$build/vmtraced" --sinks ftrace --once --check-ms 0 >/dev/null
# A refused TCP connection over loopback: net_dev_queue and netif_receive_skb on lo.
command -v curl >/dev/null && curl -s -m 1 http://127.0.0.1:1/ >/dev/null 2>&1 || true
sleep 0.2
kill $qemu
wait $qemu 2>/dev/null || true
echo 0 >"$T/tracing_on"

# Only the formats of the events recorded, and no kallsyms or printk formats:
# trace-cmd extract saves all of them (5 MB here). A private mount namespace
# shows it a tracefs events folder holding just these, and empty symbol files.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$T/events/header_page" "$T/events/header_event" "$scratch/"
for d in "$T"/events/ftrace/*/ $(sed 's|^\(.*\):\(.*\)$|'"$T"'/events/\1/\2/|' "$T/set_event"); do
	rel=${d#"$T"/events/}
	mkdir -p "$scratch/$rel"
	cp "$d/format" "$scratch/$rel/format"
	[ -f "$d/enable" ] && echo 1 >"$scratch/$rel/enable"
done
: >"$scratch/empty"
unshare -m sh -c "mount --bind '$scratch' '$T/events' && mount --bind '$scratch/empty' /proc/kallsyms &&
	mount --bind '$scratch/empty' '$T/printk_formats' && trace-cmd extract -o '$out'" >/dev/null
echo >"$T/set_event"
echo 1408 >"$T/buffer_size_kb"
echo local >"$T/trace_clock"
ls -l "$out"
