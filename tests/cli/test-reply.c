/* The reply writer against the json-c printer it replaced: the same
 * document built both ways must print the same bytes, escapes, numbers and
 * empty containers included. Tables and CSV are checked against the shapes
 * the CLI has always printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/cli/reply.h"

/* What reply_print writes; NULL when it fails. Owned. */
static char *printed(struct reply *reply)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc;

	assert_non_null(out);
	rc = reply_print(reply, out);
	fclose(out);
	reply_free(reply);
	if (rc < 0) {
		assert_int_equal(len, 0);
		free(text);
		return NULL;
	}
	return text;
}

/* What the CLI printed before: json-c's pretty form and a newline. */
static char *json_c_printed(json_object *root)
{
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = malloc(strlen(text) + 2);

	assert_non_null(copy);
	sprintf(copy, "%s\n", text);
	json_object_put(root);
	return copy;
}

static void assert_same(char *mine, char *theirs)
{
	assert_non_null(mine);
	assert_string_equal(mine, theirs);
	free(mine);
	free(theirs);
}

static void test_strings_escape_as_json_c(void **state)
{
	char every[256], key[] = "k\"/\\\x01\x7f\xc3\xa9";
	struct reply *reply = reply_new(CLI_FORMAT_JSON);
	json_object *root = json_object_new_object();

	(void)state;
	for (int c = 1; c < 256; c++)
		every[c - 1] = (char)c;
	every[255] = '\0';
	reply_string(reply, "every byte", every);
	json_object_object_add(root, "every byte", json_object_new_string(every));
	reply_string(reply, key, "</script> \"quoted\" C:\\path\t\r\n\b\f");
	json_object_object_add(root, key, json_object_new_string("</script> \"quoted\" C:\\path\t\r\n\b\f"));
	reply_string(reply, "empty", "");
	json_object_object_add(root, "empty", json_object_new_string(""));
	reply_string(reply, "absent", NULL);
	assert_same(printed(reply), json_c_printed(root));
}

static void test_numbers_print_as_json_c(void **state)
{
	static const int64_t ints[] = { 0, 1, -1, 42, 1024, INT64_MAX, INT64_MIN, -9000000000 };
	static const double doubles[] = { 1.0, 0.1, 1.1, 2.5, 1000.0, 1e-3, 1e-300, 1e21, -3.0,
					  -0.0, 0.3333333333333333, 999.99999, 123456789.125,
					  1.0000000000000002, 1e16, -1e-7 };
	struct reply *reply = reply_new(CLI_FORMAT_JSON);
	json_object *root = json_object_new_object();
	char key[32];

	(void)state;
	for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
		snprintf(key, sizeof key, "int%zu", i);
		reply_int(reply, key, ints[i]);
		json_object_object_add(root, key, json_object_new_int64(ints[i]));
	}
	for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++) {
		snprintf(key, sizeof key, "double%zu", i);
		reply_double(reply, key, doubles[i]);
		json_object_object_add(root, key, json_object_new_double(doubles[i]));
	}
	reply_double(reply, "nan", NAN);
	json_object_object_add(root, "nan", json_object_new_double(NAN));
	reply_double(reply, "-inf", -INFINITY);
	json_object_object_add(root, "-inf", json_object_new_double(-INFINITY));
	reply_bool(reply, "yes", true);
	json_object_object_add(root, "yes", json_object_new_boolean(1));
	reply_bool(reply, "no", false);
	json_object_object_add(root, "no", json_object_new_boolean(0));
	assert_same(printed(reply), json_c_printed(root));
}

/* Lists, nested and empty containers, at every depth the CLI uses. */
static void test_structure_prints_as_json_c(void **state)
{
	struct reply *reply = reply_new(CLI_FORMAT_JSON);
	json_object *root = json_object_new_object();
	json_object *items = json_object_new_array();

	(void)state;
	reply_list_begin(reply, "host", 3);
	for (int i = 0; i < 3; i++) {
		json_object *item = json_object_new_object();
		json_object *details = json_object_new_object();

		reply_object_begin(reply, NULL);
		reply_int(reply, "n", i);
		json_object_object_add(item, "n", json_object_new_int(i));
		reply_object_begin(reply, "details");
		for (int d = 0; d < i; d++) {
			char key[16];

			snprintf(key, sizeof key, "d%d", d);
			reply_string(reply, key, "v");
			json_object_object_add(details, key, json_object_new_string("v"));
		}
		reply_object_end(reply);
		json_object_object_add(item, "details", details);
		reply_object_end(reply);
		json_object_array_add(items, item);
	}
	reply_list_end(reply);
	json_object_object_add(root, "count", json_object_new_int(3));
	json_object_object_add(root, "host", items);

	reply_array_begin(reply, "empty list");
	reply_array_end(reply);
	json_object_object_add(root, "empty list", json_object_new_array());
	reply_array_begin(reply, "nested");
	reply_array_begin(reply, NULL);
	reply_array_end(reply);
	reply_object_begin(reply, NULL);
	reply_object_end(reply);
	reply_int(reply, NULL, 7);
	reply_array_end(reply);
	items = json_object_new_array();
	json_object_array_add(items, json_object_new_array());
	json_object_array_add(items, json_object_new_object());
	json_object_array_add(items, json_object_new_int(7));
	json_object_object_add(root, "nested", items);
	assert_same(printed(reply), json_c_printed(root));

	/* No member at all. */
	assert_same(printed(reply_new(CLI_FORMAT_JSON)), json_c_printed(json_object_new_object()));
}

/* A stored placement trail reads back as json-c prints it, numbers in the
 * spelling they were stored with. */
static void test_parsed_json_prints_as_json_c(void **state)
{
	static const char *const stored[] = {
		("{\"hostid\":\"h\",\"summary\":\"s \\u00e9 \\/ \\u0001\",\"trail\":[{\"cluster\":\"c\","
		 "\"host\":\"h\",\"reason\":\"chosen\"},{\"cluster\":\"d\",\"reason\":\"full\"}]}"),
		"{\"d\":1.50,\"e\":1E2,\"i\":-0,\"n\":null,\"b\":false,\"a\":[null,[],{}],\"o\":{}}",
		"{\"nul\":\"a\\u0000b\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof stored / sizeof *stored; i++) {
		struct reply *reply = reply_new(CLI_FORMAT_JSON);
		json_object *mine = json_tokener_parse(stored[i]);
		json_object *root = json_object_new_object();

		assert_non_null(mine);
		reply_json(reply, "placement", mine);
		json_object_put(mine);
		json_object_object_add(root, "placement", json_tokener_parse(stored[i]));
		assert_same(printed(reply), json_c_printed(root));
	}
}

static void test_time_prints_as_strftime(void **state)
{
	static const time_t whens[] = { 1, 59, 86399, 951782400, 1796333682, 4102444799,
					253402300799 };

	(void)state;
	for (size_t i = 0; i < sizeof whens / sizeof *whens; i++) {
		struct reply *reply = reply_new(CLI_FORMAT_JSON);
		char stamp[64], want[128];
		struct tm tm;

		gmtime_r(&whens[i], &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S+0000", &tm);
		snprintf(want, sizeof want, "{\n  \"created\":\"%s\"\n}\n", stamp);
		reply_time(reply, "created", whens[i]);
		reply_time(reply, "never", 0);
		reply_time(reply, "before", -5);
		assert_same(printed(reply), strdup(want));
	}
}

/* Two VM-like rows: the second brings columns the first lacks; nested
 * values stay out of tables. */
static struct reply *listing(enum cli_format format)
{
	struct reply *reply = reply_new(format);

	reply_list_begin(reply, "virtualmachine", 2);
	reply_object_begin(reply, NULL);
	reply_string(reply, "name", "v1");
	reply_string(reply, "displayname", "a, \"b\"");
	reply_int(reply, "memory", 1024);
	reply_object_begin(reply, "placement");
	reply_string(reply, "summary", "hidden");
	reply_object_end(reply);
	reply_object_end(reply);
	reply_object_begin(reply, NULL);
	reply_string(reply, "name", "longer-name");
	reply_string(reply, "displayname", "two\nlines");
	reply_string(reply, "hostid", "h1");
	reply_bool(reply, "read", false);
	reply_object_end(reply);
	reply_list_end(reply);
	return reply;
}

static void test_table_aligns_the_union_of_columns(void **state)
{
	char *text = printed(listing(CLI_FORMAT_TABLE));

	(void)state;
	assert_non_null(text);
	assert_string_equal(text,
			    "name         displayname  memory  hostid  read \n"
			    "v1           a, \"b\"       1024                 \n"
			    "longer-name  two\nlines            h1      false\n");
	free(text);
}

static void test_csv_quotes_what_needs_it(void **state)
{
	char *text = printed(listing(CLI_FORMAT_CSV));

	(void)state;
	assert_non_null(text);
	assert_string_equal(text, "name,displayname,memory,hostid,read\n"
				  "v1,\"a, \"\"b\"\"\",1024,,\n"
				  "longer-name,\"two\nlines\",,h1,false\n");
	free(text);
}

/* One object answers as a one-row table; {"success": true} as itself; an
 * empty list as a line with no columns. */
static void test_table_rows_of_other_answers(void **state)
{
	struct reply *reply = reply_new(CLI_FORMAT_CSV);
	char *text;

	(void)state;
	reply_object_begin(reply, "cluster");
	reply_string(reply, "id", "c1");
	reply_double(reply, "cpuovercommitratio", 0.1);
	reply_object_end(reply);
	text = printed(reply);
	assert_string_equal(text, "id,cpuovercommitratio\nc1,0.10000000000000001\n");
	free(text);

	reply = reply_new(CLI_FORMAT_TABLE);
	reply_bool(reply, "success", true);
	text = printed(reply);
	assert_string_equal(text, "success\ntrue   \n");
	free(text);

	reply = reply_new(CLI_FORMAT_TABLE);
	reply_list_begin(reply, "event", 0);
	reply_list_end(reply);
	text = printed(reply);
	assert_string_equal(text, "\n");
	free(text);
}

/* Calls that do not nest print nothing, so the error is all a user sees. */
static void test_misuse_prints_nothing(void **state)
{
	struct reply *reply;

	(void)state;
	for (int format = CLI_FORMAT_JSON; format <= CLI_FORMAT_CSV; format++) {
		reply = reply_new((enum cli_format)format);
		reply_object_begin(reply, "open");
		assert_null(printed(reply));

		reply = reply_new((enum cli_format)format);
		reply_array_begin(reply, "list");
		reply_string(reply, "keyed", "in an array");
		reply_array_end(reply);
		assert_null(printed(reply));

		reply = reply_new((enum cli_format)format);
		reply_string(reply, NULL, "unnamed in an object");
		assert_null(printed(reply));

		reply = reply_new((enum cli_format)format);
		reply_object_end(reply);
		assert_null(printed(reply));
	}
}

/* A listing written into reply, ROWS hosts of a few members each. */
static void stream_rows(struct reply *reply, int rows)
{
	char name[32];

	reply_list_begin(reply, "host", (size_t)rows);
	for (int i = 0; i < rows; i++) {
		snprintf(name, sizeof name, "host-%05d", i);
		reply_object_begin(reply, NULL);
		reply_string(reply, "name", name);
		reply_int(reply, "cpunumber", i);
		reply_bool(reply, "ueficapability", i % 2);
		reply_object_end(reply);
	}
	reply_list_end(reply);
}

/* Streaming changes when the text goes out, not what it is: the same bytes
 * as a reply printed at the end, part of them before reply_print(). */
static void test_streamed_listing_prints_the_same(void **state)
{
	enum { ROWS = 5000 };
	struct reply *whole = reply_new(CLI_FORMAT_JSON), *streaming = reply_new(CLI_FORMAT_JSON);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	char *expected;

	(void)state;
	assert_non_null(out);
	stream_rows(whole, ROWS);
	expected = printed(whole);
	reply_stream(streaming, out);
	stream_rows(streaming, ROWS);
	assert_true(reply_streamed(streaming));
	fflush(out);
	/* Out before the end: a block at least, not yet all of it. */
	assert_true(len >= 64 * 1024);
	assert_true(len < strlen(expected));
	assert_int_equal(reply_print(streaming, out), 0);
	fclose(out);
	reply_free(streaming);
	assert_string_equal(text, expected);
	free(text);
	free(expected);

	/* A small answer never streams; tables never do. */
	streaming = reply_new(CLI_FORMAT_JSON);
	reply_stream(streaming, stdout);
	stream_rows(streaming, 3);
	assert_false(reply_streamed(streaming));
	reply_free(streaming);
	streaming = reply_new(CLI_FORMAT_TABLE);
	reply_stream(streaming, stdout);
	stream_rows(streaming, ROWS);
	assert_false(reply_streamed(streaming));
	reply_free(streaming);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_escape_as_json_c),
		cmocka_unit_test(test_numbers_print_as_json_c),
		cmocka_unit_test(test_structure_prints_as_json_c),
		cmocka_unit_test(test_parsed_json_prints_as_json_c),
		cmocka_unit_test(test_time_prints_as_strftime),
		cmocka_unit_test(test_table_aligns_the_union_of_columns),
		cmocka_unit_test(test_csv_quotes_what_needs_it),
		cmocka_unit_test(test_table_rows_of_other_answers),
		cmocka_unit_test(test_misuse_prints_nothing),
		cmocka_unit_test(test_streamed_listing_prints_the_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
