/* The model's rules: enum parsing and every boot combination. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/boot.h"

struct boot_case {
	const char *type;
	const char *mode;
	int ok;
	enum boot_type want_type;
	enum boot_mode want_mode;
	const char *error_mentions;
};

static const struct boot_case boot_cases[] = {
	{ NULL, NULL, 1, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, NULL },
	{ "BIOS", NULL, 1, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, NULL },
	{ "BIOS", "LEGACY", 1, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, NULL },
	{ "UEFI", "LEGACY", 1, BOOT_TYPE_UEFI, BOOT_MODE_LEGACY, NULL },
	{ "UEFI", "SECURE", 1, BOOT_TYPE_UEFI, BOOT_MODE_SECURE, NULL },
	{ "uefi", " Secure ", 1, BOOT_TYPE_UEFI, BOOT_MODE_SECURE, NULL },
	{ "\tUeFi\n", "legacy", 1, BOOT_TYPE_UEFI, BOOT_MODE_LEGACY, NULL },
	{ NULL, "LEGACY", 1, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, NULL },
	{ "UEFI", NULL, 0, 0, 0, "LEGACY or SECURE" },
	{ "BIOS", "SECURE", 0, 0, 0, "needs boottype UEFI" },
	{ NULL, "SECURE", 0, 0, 0, "needs boottype UEFI" },
	{ "EFI", "SECURE", 0, 0, 0, "'EFI'" },
	{ "UEFI", "SECUR", 0, 0, 0, "LEGACY, SECURE" },
	{ "", NULL, 0, 0, 0, "BIOS, UEFI" },
	{ "UEFI", "", 0, 0, 0, "LEGACY, SECURE" },
	{ "UEFI UEFI", "SECURE", 0, 0, 0, "BIOS, UEFI" },
};

static void test_boot_combinations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof boot_cases / sizeof boot_cases[0]; i++) {
		const struct boot_case *c = &boot_cases[i];
		struct boot_choice got = { 0 };
		struct bd_error err = { 0 };
		int rc = boot_resolve(c->type, c->mode, &got, &err);

		if (c->ok) {
			assert_int_equal(rc, 0);
			assert_int_equal(got.type, c->want_type);
			assert_int_equal(got.mode, c->want_mode);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(err.code, BD_ERR_PARAM);
			if (!strstr(err.text, c->error_mentions))
				fail_msg("case %zu: '%s' lacks '%s'", i, err.text, c->error_mentions);
		}
	}
}

static void test_overlong_value_is_cut_in_message(void **state)
{
	char longtext[600];
	struct bd_error err = { 0 };

	(void)state;
	memset(longtext, 'X', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(enum_parse(&boot_type_table, "boottype", longtext, &err), -1);
	assert_non_null(strstr(err.text, "..."));
	assert_true(strlen(err.text) < 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_combinations),
		cmocka_unit_test(test_overlong_value_is_cut_in_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
