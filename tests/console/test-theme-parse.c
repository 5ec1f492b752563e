/* The theme parser: good files, every kind of bad line with its number,
 * and the default scheme after an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/theme-parse.h"

static int parse(const char *text, struct theme *theme, struct bd_error *err)
{
	return theme_parse("t", text, strlen(text), theme, err);
}

static void test_good_lines(void **state)
{
	struct theme theme;
	struct bd_error err = { 0 };
	const char *text = "# comment\n"
			   "\n"
			   "color title brightwhite color24 bold underline   # trailing comment\n"
			   "  COLOR  row_selected  black cyan\n"
			   "color uefi_secure default default reverse\n";

	(void)state;
	assert_int_equal(parse(text, &theme, &err), 0);
	assert_int_equal(theme.styles[THEME_TITLE].fg, 15);
	assert_int_equal(theme.styles[THEME_TITLE].bg, 24);
	assert_int_equal(theme.styles[THEME_TITLE].attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(theme.styles[THEME_ROW_SELECTED].fg, 0);
	assert_int_equal(theme.styles[THEME_ROW_SELECTED].bg, 6);
	assert_int_equal(theme.styles[THEME_ROW_SELECTED].attrs, 0);
	assert_int_equal(theme.styles[THEME_UEFI_SECURE].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme.styles[THEME_UEFI_SECURE].attrs, THEME_ATTR_REVERSE);
	assert_string_equal(theme.name, "t");
}

static void test_unset_meanings_keep_default(void **state)
{
	struct theme theme, def;
	struct bd_error err = { 0 };

	(void)state;
	theme_init_default(&def);
	assert_int_equal(parse("color title red blue\n", &theme, &err), 0);
	assert_memory_equal(&theme.styles[THEME_DIALOG], &def.styles[THEME_DIALOG],
			    sizeof def.styles[0]);
	assert_int_not_equal(theme.styles[THEME_TITLE].fg, def.styles[THEME_TITLE].fg);
}

struct bad_case {
	const char *text;
	const char *expect;   /* must appear in the message */
};

static void test_bad_lines_name_line_and_word(void **state)
{
	static const struct bad_case cases[] = {
		{ "color title red blue\ncolour title red blue\n", "line 2: unknown command 'colour'" },
		{ "\n\n\ncolor titel red blue\n", "line 4: unknown meaning 'titel'" },
		{ "color title purple blue\n", "line 1: unknown colour 'purple'" },
		{ "color title red navy\n", "line 1: unknown colour 'navy'" },
		{ "color title red blue shiny\n", "line 1: unknown attribute 'shiny'" },
		{ "# ok\ncolor title red\n", "line 2: 'color' needs a meaning" },
		{ "color title color256 blue\n", "unknown colour 'color256'" },
		{ "color title color-1 blue\n", "unknown colour 'color-1'" },
	};
	struct theme theme, def;

	(void)state;
	theme_init_default(&def);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bd_error err = { 0 };

		assert_int_equal(parse(cases[i].text, &theme, &err), -1);
		assert_int_equal(err.code, BD_ERR_PARAM);
		if (!strstr(err.text, cases[i].expect))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.text, cases[i].expect);
		assert_non_null(strstr(err.text, "theme 't'"));
		/* Nothing half-applied: the default scheme is what remains. */
		assert_memory_equal(theme.styles, def.styles, sizeof def.styles);
	}
}

static void test_error_lists_accepted_values(void **state)
{
	struct theme theme;
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse("color nothing red blue\n", &theme, &err), -1);
	assert_non_null(strstr(err.text, "title"));
	assert_non_null(strstr(err.text, "row_greyed"));
	assert_int_equal(parse("color title red blue wobbly\n", &theme, &err), -1);
	assert_non_null(strstr(err.text, "bold"));
}

static void test_binary_and_long_lines_refused(void **state)
{
	struct theme theme;
	struct bd_error err = { 0 };
	char text[700];

	(void)state;
	assert_int_equal(theme_parse("t", "color title\0 red", 16, &theme, &err), -1);
	assert_non_null(strstr(err.text, "line 1"));
	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	assert_int_equal(parse(text, &theme, &err), -1);
	assert_non_null(strstr(err.text, "too long"));
}

static void test_monochrome_has_no_colours(void **state)
{
	struct theme theme;

	(void)state;
	theme_init_monochrome(&theme);
	for (int i = 0; i < THEME_MEANING_LAST; i++) {
		assert_int_equal(theme.styles[i].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(theme.styles[i].bg, THEME_COLOR_DEFAULT);
	}
	/* Selection must still show without colour. */
	assert_true(theme.styles[THEME_ROW_SELECTED].attrs & THEME_ATTR_REVERSE);
}

static void test_theme_names(void **state)
{
	(void)state;
	assert_true(theme_name_valid("high-contrast"));
	assert_true(theme_name_valid("my_theme2"));
	assert_false(theme_name_valid("../etc/passwd"));
	assert_false(theme_name_valid("a/b"));
	assert_false(theme_name_valid(""));
	assert_false(theme_name_valid(NULL));
}

/* Every shipped theme parses. */
static void test_shipped_themes_parse(void **state)
{
	static const char *const names[] = { "default", "dark", "light", "high-contrast",
					     "monochrome" };
	const char *dir = getenv("BOOTDECK_THEME_DIR");

	(void)state;
	if (!dir)
		skip();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[4096], text[65536];
		struct theme theme;
		struct bd_error err = { 0 };
		FILE *fp;
		size_t n;

		snprintf(path, sizeof path, "%s/%s.theme", dir, names[i]);
		fp = fopen(path, "r");
		assert_non_null(fp);
		n = fread(text, 1, sizeof text, fp);
		fclose(fp);
		if (theme_parse(names[i], text, n, &theme, &err) < 0)
			fail_msg("%s: %s", names[i], err.text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_unset_meanings_keep_default),
		cmocka_unit_test(test_bad_lines_name_line_and_word),
		cmocka_unit_test(test_error_lists_accepted_values),
		cmocka_unit_test(test_binary_and_long_lines_refused),
		cmocka_unit_test(test_monochrome_has_no_colours),
		cmocka_unit_test(test_theme_names),
		cmocka_unit_test(test_shipped_themes_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
