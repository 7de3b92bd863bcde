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

/* Number of lines in s. */
size_t vt_count_lines(const char *s);

/* The whole file, NUL-terminated (free it; *len its size when len is not NULL), or NULL. */
char *vt_read_file(const char *path, size_t *len);

/* A fresh temporary folder (removed by vt_rmtree). */
char *vt_mkdtemp(void);
void vt_rmtree(const char *path);

#endif
