/* Exit reason names, VMX and SVM, as Linux prints them. */
#include <string.h>

#include "testutil.h"
#include "vmtrace/event.h"

static void test_names(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(vt_exit_reason_name(VT_ISA_VMX, 30, buf, sizeof(buf)), "IO_INSTRUCTION");
	assert_string_equal(vt_exit_reason_name(VT_ISA_VMX, 48, buf, sizeof(buf)), "EPT_VIOLATION");
	assert_string_equal(vt_exit_reason_name(VT_ISA_VMX, 0x80000021, buf, sizeof(buf)), "INVALID_STATE");
	assert_string_equal(vt_exit_reason_name(VT_ISA_SVM, 0x78, buf, sizeof(buf)), "HLT");
	assert_string_equal(vt_exit_reason_name(VT_ISA_SVM, 0x400, buf, sizeof(buf)), "NPF");
	assert_string_equal(vt_exit_reason_name(VT_ISA_SVM, 78, buf, sizeof(buf)), "EXCP_PF");
	assert_string_equal(vt_exit_reason_name(VT_ISA_SVM, 0x10, buf, sizeof(buf)), "WRITE_CR0");
	assert_string_equal(vt_exit_reason_name(VT_ISA_SVM, 999, buf, sizeof(buf)), "999");
	assert_string_equal(vt_exit_reason_name(VT_ISA_UNKNOWN, 30, buf, sizeof(buf)), "30");
	assert_string_equal(vt_exit_reason_name(VT_ISA_VMX, 11, buf, sizeof(buf)), "11"); /* GETSEC: not in the table */
}

/* The host's interrupts, by either ISA's code; VMX's modifier bits aside. */
static void test_interrupts(void **state)
{
	(void)state;
	assert_true(vt_exit_is_interrupt(VT_ISA_VMX, 1));
	assert_true(vt_exit_is_interrupt(VT_ISA_VMX, 1ull << 31 | 1)); /* a failed-entry bit: still basic reason 1 */
	assert_false(vt_exit_is_interrupt(VT_ISA_VMX, 0x060));
	assert_true(vt_exit_is_interrupt(VT_ISA_SVM, 0x060));
	assert_false(vt_exit_is_interrupt(VT_ISA_SVM, 1)); /* SVM 1: CR1 read */
	assert_true(vt_exit_is_interrupt(VT_ISA_UNKNOWN, 1) && vt_exit_is_interrupt(VT_ISA_UNKNOWN, 0x060));
	assert_false(vt_exit_is_interrupt(VT_ISA_UNKNOWN, 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_names), cmocka_unit_test(test_interrupts)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
