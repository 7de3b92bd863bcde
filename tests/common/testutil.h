/* Helpers shared by the tests: where data and programs are, running commands. */
#ifndef VT_TESTUTIL_H
#define VT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Exit code ctest reads as "skipped". */
#define VT_SKIP_CODE 77

/* Why a test (or a part of one) does not run. Outside CI any reason skips:
 * printed as "SKIP: ...", exit VT_SKIP_CODE. In CI (CI=true) a skip is honest
 * only for what CI cannot control (vt_skip_allowed_in_ci); any other reason
 * fails the test, so that a green CI proves the checks ran. Every skip is also
 * appended to $VT_SKIP_LOG (one line: test, reason, message), which `make check`
 * and .ci/run print at the end. */
enum vt_skip_reason {
	VT_SKIP_EMULATOR,      /* the nested testbed's emulator failed, after its retries */
	VT_SKIP_NO_KVM_IN_L1,  /* the testbed's emulated host has no usable /dev/kvm */
	VT_SKIP_BUILD_VARIANT, /* the check means nothing in this build (sanitizers) */
	VT_SKIP_NO_ROOT,       /* needs root */
	VT_SKIP_NO_KVM,        /* needs /dev/kvm on this machine */
	VT_SKIP_NO_TESTDATA,   /* ../shared/testdata (or a part of it) is absent */
	VT_SKIP_NO_PROGRAM,    /* a program the check runs is not installed */
	VT_SKIP_NO_TESTBED,    /* no usable `make testbed` output */
	VT_SKIP_ENVIRONMENT,   /* something else of this machine (a namespace, a mount) */
	VT_SKIP_EXTERNAL_DATA, /* public data neither in the repository nor in ../shared (we may not
				* commit it), on a machine with no copy and no network to fetch it */
};

/* The reason's short name ("emulator", "no-root"...) and whether CI accepts it. */
const char *vt_skip_reason_name(enum vt_skip_reason why);
int vt_skip_allowed_in_ci(enum vt_skip_reason why);

/* Skips the whole test (never returns): exit VT_SKIP_CODE, or 1 in CI when
 * the reason is not allowed there. */
void vt_skip(enum vt_skip_reason why, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Skips one part of a test while the rest runs: prints "SKIP part: ..." and
 * returns; in CI, when the reason is not allowed, fails the test instead. */
void vt_skip_part(enum vt_skip_reason why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Path of a file under ../shared/testdata, or NULL when that folder is absent. */
const char *vt_testdata(const char *relative);

/* Exits with VT_SKIP_CODE and a printed reason when ../shared/testdata is absent. */
void vt_require_testdata(const char *relative);

/* Exits with VT_SKIP_CODE and a printed reason when PROGRAM is not on PATH. */
void vt_require_program(const char *program);

/* Path of the built `vmtrace` command (or another build artefact), in one of
 * eight rotating buffers: strdup it to keep it. */
const char *vt_build_path(const char *relative);
const char *vt_source_path(const char *relative);

/* The `vmtrace` command as a quoted shell fragment; under `make test-valgrind`
 * (VT_VALGRIND_CHILDREN=1) it runs under valgrind memcheck, exiting 99 on errors. */
const char *vt_vmtrace_cmd(void);

struct vt_run {
	int status; /* exit code, or 128 + signal */
	char *out;  /* stdout, NUL-terminated */
	char *err;  /* stderr, NUL-terminated */
	size_t out_len, err_len;
};

/* Runs a shell command, capturing its output. */
void vt_run_shell(struct vt_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vt_run_free(struct vt_run *run);

/* Calls fn(relative path, ctx) for every shipped scenario: each .json file
 * of scenarios/ and scenarios/findings/ (paths relative to the source tree, for
 * vt_source_path). Returns how many. */
size_t vt_each_scenario(void (*fn)(const char *relative, void *ctx), void *ctx);

/* Number of lines in s. */
size_t vt_count_lines(const char *s);

/* The whole file, NUL-terminated (free it; *len its size when len is not NULL), or NULL. */
char *vt_read_file(const char *path, size_t *len);

/* A fresh temporary folder (removed by vt_rmtree). */
char *vt_mkdtemp(void);
void vt_rmtree(const char *path);

#endif
