/* Colour themes: plain text lines mapping a meaning on screen to colours.
 *
 *   # comment
 *   color <meaning> <fg> <bg> [attr...]
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright<colour> (the bright half of 16-colour terminals) or colorN (0-255).
 * Attributes: bold, dim, underline, reverse, standout, blink, italic.
 * Meanings a file leaves out keep the built-in default style. Pure parsing:
 * the console maps the result to its terminal. */
#ifndef BOOTDECK_MODEL_THEME_PARSE_H
#define BOOTDECK_MODEL_THEME_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "enums.h"
#include "error.h"

/* What a cell on screen means; screens draw meanings, never colours. */
enum theme_meaning {
	THEME_NORMAL,
	THEME_TITLE,
	THEME_STATUS,
	THEME_STATUS_ERROR,
	THEME_KEYBAR_KEY,
	THEME_KEYBAR_LABEL,
	THEME_TABLE_HEADER,
	THEME_ROW_SELECTED,
	THEME_ROW_GREYED,
	THEME_UEFI_SECURE,
	THEME_UEFI_LEGACY,
	THEME_UEFI_NO,
	THEME_DIALOG,
	THEME_DIALOG_ERROR,
	THEME_FIELD,
	THEME_FIELD_FOCUS,
	THEME_FIELD_INVALID,
	THEME_BUTTON,
	THEME_BUTTON_FOCUS,
	THEME_LABEL,
	THEME_PROGRESS,
	THEME_STATE_GOOD,
	THEME_STATE_BAD,
	THEME_MEANING_LAST
};

#define THEME_COLOR_DEFAULT (-1)

enum theme_attr {
	THEME_ATTR_BOLD = 1 << 0,
	THEME_ATTR_DIM = 1 << 1,
	THEME_ATTR_UNDERLINE = 1 << 2,
	THEME_ATTR_REVERSE = 1 << 3,
	THEME_ATTR_STANDOUT = 1 << 4,
	THEME_ATTR_BLINK = 1 << 5,
	THEME_ATTR_ITALIC = 1 << 6,
};

struct theme_style {
	int fg;            /* THEME_COLOR_DEFAULT or 0-255 */
	int bg;
	unsigned attrs;    /* enum theme_attr bits */
};

#define THEME_NAME_MAX 32

struct theme {
	char name[THEME_NAME_MAX];
	struct theme_style styles[THEME_MEANING_LAST];
};

extern const struct enum_table theme_meaning_table;

/* The built-in default scheme (used when a file is missing or broken). */
void theme_init_default(struct theme *theme);
/* Attributes only, for terminals without colour and NO_COLOR. */
void theme_init_monochrome(struct theme *theme);

/* Parses a theme file's text on top of the default scheme. `source` names
 * the file in messages. Returns 0, or -1 with a 431 error naming the line
 * number and the bad word, in which case `out` holds the default scheme. */
int theme_parse(const char *source, const char *text, size_t len, struct theme *out,
		struct bd_error *err);

/* Whether `name` may name a theme file: letters, digits, '-' and '_'. */
bool theme_name_valid(const char *name);

#endif
