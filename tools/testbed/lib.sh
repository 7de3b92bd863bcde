# Shared by the testbed scripts (sourced, POSIX sh): paths, logging, failing with a reason.
# Every script names its step; a failure prints "testbed: STEP failed: WHY" and exits non-zero.

TB_DIR=$(cd "$(dirname "$0")" && pwd)
TB_SRC=$(cd "$TB_DIR/../.." && pwd)
# Downloads, extracted packages and built modules survive between runs here.
TB_CACHE=${VT_TESTBED_CACHE:-/var/cache/vmtrace-testbed}
# One run's traces, manifest and logs (wiped at the start of each run).
TB_OUT=${VT_TESTBED_OUT:-$TB_SRC/out/testbed}
# The vmtrace build whose vmtraced goes into the images and whose vmtrace analyzes the result.
TB_BUILD=${VT_TESTBED_BUILD:-$TB_SRC/build}
# Images built for one run (they hold this checkout's vmtraced and scripts).
TB_WORK=${VT_TESTBED_WORK:-$TB_CACHE/work}
TB_STEP=${TB_STEP:-testbed}

tb_log() {
	if [ "$TB_STEP" = testbed ]; then
		printf 'testbed: %s\n' "$*" >&2
	else
		printf 'testbed: %s: %s\n' "$TB_STEP" "$*" >&2
	fi
}

# tb_fail WHY: the step failed; the caller decides whether that skips or fails the testbed.
tb_fail() {
	printf 'testbed: %s failed: %s\n' "$TB_STEP" "$*" >&2
	exit 1
}

# tb_need PROGRAM...: fail the step naming the first missing program.
tb_need() {
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || tb_fail "$p not found (installed by tools/testbed/install-host-deps)"
	done
}

# The guest kernel's ABI name (6.1.0-56-amd64): what linux-image-amd64 depends on, unless VT_TESTBED_KVER says.
tb_kver() {
	if [ -n "${VT_TESTBED_KVER:-}" ]; then
		echo "$VT_TESTBED_KVER"
		return
	fi
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9.-]*-amd64\)$/\1/p' | head -n 1
}

# Elapsed seconds since $1 (date +%s).
tb_since() { echo $(($(date +%s) - $1)); }
