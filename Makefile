# Convenience wrapper around CMake. `make demo` and `make check` are the README's two commands.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps demo check test test-asan test-valgrind packager-build install clean bench testbed

all: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(ASAN_BUILD)/Makefile:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVT_SANITIZE=ON

deps:
	./scripts/install-deps

demo: deps all
	./scripts/demo $(BUILD)

# Each run starts a fresh skip log (tests/common/testutil.h); scripts/skip-summary prints it.
test: all
	rm -f $(BUILD)/Testing/skips.tsv
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE valgrind -O Testing/ctest.log

# The library's own tests again under valgrind memcheck.
test-valgrind: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L valgrind -O Testing/ctest-valgrind.log

test-asan: $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	rm -f $(ASAN_BUILD)/Testing/skips.tsv
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS) -O Testing/ctest.log

# What a packager builds: Release with Debian's default flags (hardening, -O2 or -O3), no -Werror: it
# must build whatever warnings a compiler adds.
packager-build:
	CFLAGS="$$(dpkg-buildflags --get CFLAGS 2>/dev/null) $$(dpkg-buildflags --get CPPFLAGS 2>/dev/null)" \
	LDFLAGS="$$(dpkg-buildflags --get LDFLAGS 2>/dev/null)" \
		cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build build-release -j $(JOBS)

# Both builds, the whole suite in each, then valgrind on the tests that opt in; at the end, every
# skip with its reason (also when a step failed). Warnings are errors here (VT_WERROR), not in a
# user's or packager's build.
check: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVT_WERROR=ON >/dev/null
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVT_SANITIZE=ON -DVT_WERROR=ON >/dev/null
	@rc=0; \
	$(MAKE) test || rc=1; \
	[ $$rc -ne 0 ] || $(MAKE) test-asan || rc=1; \
	[ $$rc -ne 0 ] || $(MAKE) test-valgrind || rc=1; \
	[ $$rc -ne 0 ] || $(MAKE) packager-build || rc=1; \
	./scripts/skip-summary $(BUILD) $(ASAN_BUILD); \
	exit $$rc

install: all
	cmake --install $(BUILD)

# Benchmarks print ratios against a peer run in the same script (not run by CI).
bench: all
	./bench/decode $(BUILD)
	./bench/analyze $(BUILD)
	@[ -x bench/sim ] && ./bench/sim $(BUILD) || true
	@echo "bench/agent $(BUILD) needs root and QEMU: run it by hand (make testbed runs it on real KVM)"

# The nested KVM testbed (docs/testbed.md): real host + guest traces into out/testbed (VT_TESTBED_OUT),
# then the agent's tests and benchmark on the emulated host's real KVM (out/testbed/agent-tests);
# downloads and the module build cached in /var/cache/vmtrace-testbed (VT_TESTBED_CACHE). Root.
# Exits 0 when the emulated host could not run (reported as skipped); test_testbed and
# test_testbed_agent check the output.
testbed: deps all
	VT_TESTBED_BUILD=$(abspath $(BUILD)) ./tools/testbed/testbed

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release
