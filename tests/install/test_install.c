/* `cmake --install` gives a library that a program finds with pkg-config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_pkg_config_consumer(void **state)
{
	(void)state;
	char *prefix = vt_mkdtemp();
	struct vt_run run;
	vt_run_shell(&run, "cmake --install '%s' --prefix '%s/usr' >/dev/null", vt_build_path(""), prefix);
	assert_int_equal(run.status, 0);
	vt_run_free(&run);

	/* A consumer program, compiled only from what was installed. */
	vt_run_shell(&run,
		     "cd '%s' && cat > use.c <<'C'\n"
		     "#include <vmtrace/vmtrace.h>\n"
		     "#include <stdio.h>\n"
		     "int main(int argc, char **argv) {\n"
		     "  struct vt_source *s; struct vt_error e;\n"
		     "  const char *p = argv[1];\n"
		     "  if (argc < 2 || !(s = vt_source_open(&p, 1, &e))) return 3;\n"
		     "  const struct vt_event *ev; unsigned long n = 0;\n"
		     "  while (vt_source_next(s, &ev, &e) > 0) n++;\n"
		     "  vt_source_close(s);\n"
		     "  printf(\"%%s %%s %%lu\\n\", VT_VERSION, vt_kind_name(VT_KVM_EXIT), n);\n"
		     "  return 0; }\n"
		     "C\n"
		     "export PKG_CONFIG_PATH=$(dirname $(find '%s/usr' -name vmtrace.pc));\n"
		     "cc -std=c11 -Wall -Werror use.c -o use $(pkg-config --cflags --libs vmtrace) && "
		     "LD_LIBRARY_PATH=$(dirname $(find '%s/usr' -name 'libvmtrace.so' | head -1)) ./use '%s' && "
		     "test -f $(find '%s/usr' -name 'libvmtrace.a' | head -1) && "
		     "test -f '%s/usr/share/man/man1/vmtrace-info.1'",
		     prefix, prefix, prefix, vt_source_path("examples/ust-hello/trace"), prefix, prefix);
	if (run.status != 0)
		fail_msg("consumer failed (%d): %s%s", run.status, run.out, run.err);
	assert_non_null(strstr(run.out, "KVM_EXIT 600"));
	vt_run_free(&run);
	vt_rmtree(prefix);
	free(prefix);
}

int main(void)
{
	if (VT_SANITIZED)
		vt_skip(VT_SKIP_BUILD_VARIANT, "a sanitized library cannot be linked into a plain program");
	vt_require_program("pkg-config");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkg_config_consumer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
