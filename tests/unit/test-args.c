/* Edge cases of the key=value parser and the text helpers every command
 * relies on for its error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "model/args.h"
#include "model/text.h"

static void assert_mentions(const struct bd_error *err, const char *what)
{
	if (!strstr(err->text, what))
		fail_msg("'%s' does not mention '%s'", err->text, what);
}

/* Parses argv expecting failure with 431 naming `what`, and nothing kept. */
static void parse_fails(int argc, char *const *argv, const char *what)
{
	struct kv_args args = { 0 };
	struct bd_error err = { 0 };

	assert_int_equal(kv_args_parse(argc, argv, &args, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_mentions(&err, what);
	assert_null(args.items);
	assert_int_equal(args.count, 0);
}

static void test_word_without_equals(void **state)
{
	char *argv[] = { "name=c1", "c2" };

	(void)state;
	parse_fails(2, argv, "'c2'");
	parse_fails(2, argv, "key=value");
}

static void test_empty_key(void **state)
{
	char *argv[] = { "=value" };

	(void)state;
	parse_fails(1, argv, "empty key");
	parse_fails(1, argv, "'=value'");
}

static void test_key_characters(void **state)
{
	char *argv[] = { "cpu-number=2" };
	char *ok[] = { "host.uefi_enable=true" };
	struct kv_args args = { 0 };

	(void)state;
	parse_fails(1, argv, "letters, digits");
	assert_int_equal(kv_args_parse(1, ok, &args, NULL), 0);
	assert_string_equal(kv_args_get(&args, "host.uefi_enable"), "true");
	kv_args_free(&args);
}

static void test_duplicate_key_any_case(void **state)
{
	char *argv[] = { "name=a", "id=x", "NAME=b" };

	(void)state;
	parse_fails(3, argv, "name");
	parse_fails(3, argv, "twice");
}

static void test_case_folding_keys_not_values(void **state)
{
	char *argv[] = { "CpuNumber=2", "Name=MiXeD" };
	struct kv_args args = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(kv_args_parse(2, argv, &args, &err), 0);
	assert_int_equal(args.count, 2);
	assert_string_equal(args.items[0].key, "cpunumber");
	assert_string_equal(kv_args_get(&args, "cpunumber"), "2");
	assert_string_equal(kv_args_get(&args, "name"), "MiXeD");
	assert_null(kv_args_get(&args, "Name"));
	assert_null(kv_args_get(&args, "memory"));
	kv_args_free(&args);
}

static void test_values_keep_equals_and_spaces(void **state)
{
	char *argv[] = { "url=/srv/a=b.img", "displayname= two  words ", "empty=" };
	struct kv_args args = { 0 };

	(void)state;
	assert_int_equal(kv_args_parse(3, argv, &args, NULL), 0);
	assert_string_equal(kv_args_get(&args, "url"), "/srv/a=b.img");
	assert_string_equal(kv_args_get(&args, "displayname"), " two  words ");
	assert_string_equal(kv_args_get(&args, "empty"), "");
	kv_args_free(&args);
}

static void test_key_length_limit(void **state)
{
	char key_ok[KV_KEY_MAX + 8];
	char key_long[KV_KEY_MAX + 8];
	char *argv[1];
	struct kv_args args = { 0 };

	(void)state;
	memset(key_ok, 'k', KV_KEY_MAX);
	strcpy(key_ok + KV_KEY_MAX, "=1");
	memset(key_long, 'k', KV_KEY_MAX + 1);
	strcpy(key_long + KV_KEY_MAX + 1, "=1");
	argv[0] = key_ok;
	assert_int_equal(kv_args_parse(1, argv, &args, NULL), 0);
	assert_int_equal(strlen(args.items[0].key), KV_KEY_MAX);
	kv_args_free(&args);
	argv[0] = key_long;
	parse_fails(1, argv, "too long");
}

static void test_value_length_limit(void **state)
{
	char *word = malloc(KV_VALUE_MAX + 16);
	char *argv[1] = { word };
	struct kv_args args = { 0 };

	(void)state;
	assert_non_null(word);
	strcpy(word, "url=");
	memset(word + 4, 'v', KV_VALUE_MAX);
	word[4 + KV_VALUE_MAX] = '\0';
	assert_int_equal(kv_args_parse(1, argv, &args, NULL), 0);
	assert_int_equal(strlen(kv_args_get(&args, "url")), KV_VALUE_MAX);
	kv_args_free(&args);
	word[4 + KV_VALUE_MAX] = 'v';
	word[5 + KV_VALUE_MAX] = '\0';
	parse_fails(1, argv, "value of url is too long");
	free(word);
}

static void test_parse_line(void **state)
{
	static const char line[] = "  name=c1\tcpuovercommitratio=2.0 \n url=a=b  ";
	static const char nul_line[] = "name=a\0b";
	struct kv_args args = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(kv_args_parse_line(line, sizeof line - 1, &args, &err), 0);
	assert_int_equal(args.count, 3);
	assert_string_equal(kv_args_get(&args, "name"), "c1");
	assert_string_equal(kv_args_get(&args, "cpuovercommitratio"), "2.0");
	assert_string_equal(kv_args_get(&args, "url"), "a=b");
	kv_args_free(&args);

	assert_int_equal(kv_args_parse_line("", 0, &args, &err), 0);
	assert_int_equal(args.count, 0);

	/* Only len bytes count: a buffer need not end with NUL... */
	assert_int_equal(kv_args_parse_line("a=1 b=2", 3, &args, &err), 0);
	assert_int_equal(args.count, 1);
	assert_string_equal(kv_args_get(&args, "a"), "1");
	kv_args_free(&args);
	/* ...and a NUL inside the buffer is refused, not silently cut. */
	assert_int_equal(kv_args_parse_line(nul_line, sizeof nul_line - 1, &args, &err), -1);
	assert_mentions(&err, "NUL");
	assert_int_equal(args.count, 0);
}

static void test_check_known(void **state)
{
	static const char *const allowed[] = { "name", "cpunumber", "memory", NULL };
	static const char *const none[] = { NULL };
	char *argv[] = { "name=x", "colour=red" };
	struct kv_args args = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(kv_args_parse(1, argv, &args, &err), 0);
	assert_int_equal(kv_args_check_known(&args, allowed, &err), 0);
	kv_args_free(&args);
	assert_int_equal(kv_args_parse(2, argv, &args, &err), 0);
	assert_int_equal(kv_args_check_known(&args, allowed, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_mentions(&err, "'colour'");
	assert_mentions(&err, "accepted are name, cpunumber, memory");
	assert_int_equal(kv_args_check_known(&args, none, &err), -1);
	assert_mentions(&err, "accepted are none");
	kv_args_free(&args);
	/* Freeing twice, or nothing, is harmless. */
	kv_args_free(&args);
	kv_args_free(NULL);
	assert_int_equal(kv_args_check_known(&args, none, &err), 0);
}

static void test_parse_long(void **state)
{
	static const char *const bad[] = {
		"abc", "", "   ", "12abc", "1.5", "0x10", "1 2", "99999999999999999999999", "-",
	};
	struct bd_error err = { 0 };
	long value = -7;

	(void)state;
	assert_int_equal(text_parse_long("cpunumber", "42", 1, 64, &value, &err), 0);
	assert_int_equal(value, 42);
	assert_int_equal(text_parse_long("cpunumber", " \t7\n", 1, 64, &value, &err), 0);
	assert_int_equal(value, 7);
	assert_int_equal(text_parse_long("n", "-3", -5, 5, &value, &err), 0);
	assert_int_equal(value, -3);
	assert_int_equal(text_parse_long("n", "64", 1, 64, &value, &err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		value = -7;
		assert_int_equal(text_parse_long("cpunumber", bad[i], 1, 64, &value, &err), -1);
		assert_int_equal(err.code, BD_ERR_PARAM);
		assert_mentions(&err, "cpunumber");
		assert_mentions(&err, "from 1 to 64");
		assert_int_equal(value, -7);
	}
	assert_int_equal(text_parse_long("memory", "0", 1, 64, &value, &err), -1);
	assert_mentions(&err, "invalid memory '0'");
	assert_int_equal(text_parse_long("memory", "65", 1, 64, &value, &err), -1);
	assert_mentions(&err, "'65'");
	assert_int_equal(text_parse_long("memory", NULL, 1, 64, &value, &err), -1);
	assert_mentions(&err, "memory");
}

static void test_parse_bool(void **state)
{
	static const struct {
		const char *text;
		bool want;
	} good[] = {
		{ "true", true }, { "YES", true }, { "1", true }, { " True\n", true },
		{ "false", false }, { "No", false }, { "0", false }, { "\tFALSE ", false },
	};
	static const char *const bad[] = { "maybe", "", "tru", "truee", "2", "y" };
	struct bd_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		bool value = !good[i].want;

		assert_int_equal(text_parse_bool("ismanaged", good[i].text, &value, &err), 0);
		assert_int_equal(value, good[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bool value = false;

		assert_int_equal(text_parse_bool("ismanaged", bad[i], &value, &err), -1);
		assert_int_equal(err.code, BD_ERR_PARAM);
		assert_mentions(&err, "ismanaged");
		assert_mentions(&err, "true or false");
	}
}

static void test_name_check(void **state)
{
	static const char *const good[] = { "c1", "A", "web-1.prod_eu", "9lives" };
	static const char *const bad[] = {
		"-rf", ".hidden", "_x", "a b", "a;b", "a'b", "a\"b", "<x>", "$(id)", "`id`", "a/b",
		"a\nb", "\xc3\xa9t\xc3\xa9", "a&b", "a|b",
	};
	char name63[NAME_MAX_LEN + 1];
	char name64[NAME_MAX_LEN + 2];
	struct bd_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(name_check("name", good[i], &err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bd_error_clear(&err);
		assert_int_equal(name_check("name", bad[i], &err), -1);
		assert_int_equal(err.code, BD_ERR_PARAM);
		assert_mentions(&err, NAME_ALLOWED_TEXT);
		assert_mentions(&err, "not allowed");
	}
	memset(name63, 'n', NAME_MAX_LEN);
	name63[NAME_MAX_LEN] = '\0';
	assert_int_equal(name_check("name", name63, &err), 0);
	memset(name64, 'n', NAME_MAX_LEN + 1);
	name64[NAME_MAX_LEN + 1] = '\0';
	assert_int_equal(name_check("name", name64, &err), -1);
	assert_mentions(&err, "too long");
	assert_int_equal(name_check("hostname", "", &err), -1);
	assert_mentions(&err, "hostname must not be empty");
	assert_int_equal(name_check("name", NULL, &err), -1);
	assert_mentions(&err, "empty");
}

static void test_text_quote(void **state)
{
	char buf[16];
	char exact[16];
	char tiny[1] = { 'x' };

	(void)state;
	assert_string_equal(text_quote("plain", buf, sizeof buf), "plain");
	assert_string_equal(text_quote("a\nb\tc\x1b", buf, sizeof buf), "a?b?c?");
	/* Fits exactly (15 characters): no cut. */
	memset(exact, 'e', 15);
	exact[15] = '\0';
	assert_string_equal(text_quote(exact, buf, sizeof buf), exact);
	/* One more: cut, marked, and still within the buffer. */
	assert_string_equal(text_quote("abcdefghijklmnop", buf, sizeof buf), "abcdefghijkl...");
	assert_int_equal(strlen(buf), sizeof buf - 1);
	assert_string_equal(text_quote("", buf, sizeof buf), "");
	text_quote("anything", tiny, 0);
	assert_int_equal(tiny[0], 'x');
	assert_string_equal(text_quote("anything", tiny, 1), "");
}

static void test_trim(void **state)
{
	char buf[6];
	size_t len;
	const char *start = text_trim_span("  \tab c \n", &len);

	(void)state;
	assert_int_equal(len, 4);
	assert_memory_equal(start, "ab c", 4);
	start = text_trim_span(" \t\n", &len);
	assert_int_equal(len, 0);
	assert_string_equal(text_trim_copy("  hello world ", buf, sizeof buf), "hello");
	assert_string_equal(text_trim_copy(" x ", buf, sizeof buf), "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_without_equals),
		cmocka_unit_test(test_empty_key),
		cmocka_unit_test(test_key_characters),
		cmocka_unit_test(test_duplicate_key_any_case),
		cmocka_unit_test(test_case_folding_keys_not_values),
		cmocka_unit_test(test_values_keep_equals_and_spaces),
		cmocka_unit_test(test_key_length_limit),
		cmocka_unit_test(test_value_length_limit),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_check_known),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_name_check),
		cmocka_unit_test(test_text_quote),
		cmocka_unit_test(test_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
