# Convenience wrapper around CMake. `make demo` and `make check` are the README's two commands.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps demo check test test-asan test-valgrind install clean bench

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

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE valgrind

# The library's own tests again under valgrind memcheck.
test-valgrind: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L valgrind

test-asan: $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Both builds, the whole suite in each, then valgrind on the tests that opt in.
check: deps
	$(MAKE) test
	$(MAKE) test-asan
	$(MAKE) test-valgrind

install: all
	cmake --install $(BUILD)

# Benchmarks print ratios against a peer run in the same script (not run by CI).
bench: all
	./bench/decode $(BUILD)
	./bench/analyze $(BUILD)
	@[ -x bench/sim ] && ./bench/sim $(BUILD) || true
	@echo "bench/agent $(BUILD) needs root and QEMU: run it by hand"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
