/* LEB128 (CTF 2 variable-length integers) at the edges of 64 bits: yactfr's
 * pass-vl-ints (Trace Compass's CTF2-vl-ints) ends with INT64_MIN in 10 bytes. */
#include <stdint.h>

#include "sources/ctf_bits.h"
#include "testutil.h"

static void test_unsigned(void **state)
{
	(void)state;
	static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	uint64_t v = 0;
	assert_int_equal(vt_leb128_u(max, max + sizeof(max), &v), 10);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vt_leb128_u(over, over + sizeof(over), &v), 0);
	assert_int_equal(vt_leb128_u(eleven, eleven + sizeof(eleven), &v), 0);
	assert_int_equal(vt_leb128_u(max, max + 9, &v), 0); /* truncated */
}

static void test_signed(void **state)
{
	(void)state;
	static const uint8_t min[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
	static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
	static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t minus_one[] = {0x7f}, minus_156[] = {0xe4, 0x7e};
	int64_t v = 0;
	assert_int_equal(vt_leb128_s(min, min + sizeof(min), &v), 10);
	assert_true(v == INT64_MIN);
	assert_int_equal(vt_leb128_s(max, max + sizeof(max), &v), 10);
	assert_true(v == INT64_MAX);
	assert_int_equal(vt_leb128_s(over, over + sizeof(over), &v), 0); /* 2^63: past INT64_MAX */
	assert_int_equal(vt_leb128_s(minus_one, minus_one + 1, &v), 1);
	assert_true(v == -1);
	assert_int_equal(vt_leb128_s(minus_156, minus_156 + 2, &v), 2);
	assert_true(v == -156);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_unsigned), cmocka_unit_test(test_signed)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
