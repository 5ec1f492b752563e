#include "theme-parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

static const char *const theme_meaning_names[] = {
	[THEME_NORMAL] = "normal",
	[THEME_TITLE] = "title",
	[THEME_STATUS] = "status",
	[THEME_STATUS_ERROR] = "status_error",
	[THEME_KEYBAR_KEY] = "keybar_key",
	[THEME_KEYBAR_LABEL] = "keybar_label",
	[THEME_TABLE_HEADER] = "table_header",
	[THEME_ROW_SELECTED] = "row_selected",
	[THEME_ROW_GREYED] = "row_greyed",
	[THEME_UEFI_SECURE] = "uefi_secure",
	[THEME_UEFI_LEGACY] = "uefi_legacy",
	[THEME_UEFI_NO] = "uefi_no",
	[THEME_DIALOG] = "dialog",
	[THEME_DIALOG_ERROR] = "dialog_error",
	[THEME_FIELD] = "field",
	[THEME_FIELD_FOCUS] = "field_focus",
	[THEME_FIELD_INVALID] = "field_invalid",
	[THEME_BUTTON] = "button",
	[THEME_BUTTON_FOCUS] = "button_focus",
	[THEME_LABEL] = "label",
	[THEME_PROGRESS] = "progress",
	[THEME_STATE_GOOD] = "state_good",
	[THEME_STATE_BAD] = "state_bad",
};

const struct enum_table theme_meaning_table = {
	"theme meaning", theme_meaning_names, THEME_MEANING_LAST
};

static const char *const theme_color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} theme_attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "dim", THEME_ATTR_DIM },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "standout", THEME_ATTR_STANDOUT },
	{ "blink", THEME_ATTR_BLINK },
	{ "italic", THEME_ATTR_ITALIC },
};

#define THEME_COLORS_ACCEPTED \
	"default, black, red, green, yellow, blue, magenta, cyan, white, bright<colour> or color0..color255"
#define THEME_ATTRS_ACCEPTED "bold, dim, underline, reverse, standout, blink, italic"

struct theme_default_row {
	enum theme_meaning meaning;
	struct theme_style style;
};

#define D THEME_COLOR_DEFAULT
/* Readable on both dark and light terminals: few backgrounds, no greys. */
static const struct theme_default_row theme_default_rows[] = {
	{ THEME_NORMAL, { D, D, 0 } },
	{ THEME_TITLE, { 7, 4, THEME_ATTR_BOLD } },
	{ THEME_STATUS, { 0, 6, 0 } },
	{ THEME_STATUS_ERROR, { 7, 1, THEME_ATTR_BOLD } },
	{ THEME_KEYBAR_KEY, { 7, 0, THEME_ATTR_BOLD } },
	{ THEME_KEYBAR_LABEL, { 0, 6, 0 } },
	{ THEME_TABLE_HEADER, { 0, 2, 0 } },
	{ THEME_ROW_SELECTED, { 0, 6, 0 } },
	{ THEME_ROW_GREYED, { D, D, THEME_ATTR_DIM } },
	{ THEME_UEFI_SECURE, { 2, D, THEME_ATTR_BOLD } },
	{ THEME_UEFI_LEGACY, { 3, D, 0 } },
	{ THEME_UEFI_NO, { D, D, 0 } },
	{ THEME_DIALOG, { 0, 7, 0 } },
	{ THEME_DIALOG_ERROR, { 7, 1, 0 } },
	{ THEME_FIELD, { D, D, THEME_ATTR_UNDERLINE } },
	{ THEME_FIELD_FOCUS, { 0, 3, 0 } },
	{ THEME_FIELD_INVALID, { 1, D, THEME_ATTR_BOLD } },
	{ THEME_BUTTON, { 0, 7, 0 } },
	{ THEME_BUTTON_FOCUS, { 7, 4, THEME_ATTR_BOLD } },
	{ THEME_LABEL, { D, D, THEME_ATTR_BOLD } },
	{ THEME_PROGRESS, { 7, 4, 0 } },
	{ THEME_STATE_GOOD, { 2, D, 0 } },
	{ THEME_STATE_BAD, { 1, D, THEME_ATTR_BOLD } },
};

static const unsigned theme_mono_attrs[THEME_MEANING_LAST] = {
	[THEME_TITLE] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[THEME_STATUS] = THEME_ATTR_REVERSE,
	[THEME_STATUS_ERROR] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[THEME_KEYBAR_KEY] = THEME_ATTR_BOLD,
	[THEME_KEYBAR_LABEL] = THEME_ATTR_REVERSE,
	[THEME_TABLE_HEADER] = THEME_ATTR_UNDERLINE | THEME_ATTR_BOLD,
	[THEME_ROW_SELECTED] = THEME_ATTR_REVERSE,
	[THEME_ROW_GREYED] = THEME_ATTR_DIM,
	[THEME_UEFI_SECURE] = THEME_ATTR_BOLD,
	[THEME_DIALOG] = THEME_ATTR_REVERSE,
	[THEME_DIALOG_ERROR] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[THEME_FIELD] = THEME_ATTR_UNDERLINE,
	[THEME_FIELD_FOCUS] = THEME_ATTR_REVERSE,
	[THEME_FIELD_INVALID] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
	[THEME_BUTTON_FOCUS] = THEME_ATTR_REVERSE | THEME_ATTR_BOLD,
	[THEME_LABEL] = THEME_ATTR_BOLD,
	[THEME_PROGRESS] = THEME_ATTR_REVERSE,
	[THEME_STATE_BAD] = THEME_ATTR_BOLD,
};
#undef D

void theme_init_default(struct theme *theme)
{
	memset(theme, 0, sizeof *theme);
	snprintf(theme->name, sizeof theme->name, "default");
	for (int i = 0; i < THEME_MEANING_LAST; i++)
		theme->styles[i] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	for (size_t i = 0; i < sizeof theme_default_rows / sizeof theme_default_rows[0]; i++)
		theme->styles[theme_default_rows[i].meaning] = theme_default_rows[i].style;
}

void theme_init_monochrome(struct theme *theme)
{
	memset(theme, 0, sizeof *theme);
	snprintf(theme->name, sizeof theme->name, "monochrome");
	for (int i = 0; i < THEME_MEANING_LAST; i++)
		theme->styles[i] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT,
							 theme_mono_attrs[i] };
}

bool theme_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len >= THEME_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
			return false;
	}
	return true;
}

static int theme_color_parse(const char *word, int *out)
{
	const char *base = word;
	int offset = 0;
	char *end;
	long n;

	if (strcasecmp(word, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (strncasecmp(word, "color", 5) == 0 && word[5]) {
		n = strtol(word + 5, &end, 10);
		if (*end || n < 0 || n > 255 || !isdigit((unsigned char)word[5]))
			return -1;
		*out = (int)n;
		return 0;
	}
	if (strncasecmp(word, "bright", 6) == 0) {
		base = word + 6;
		offset = 8;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(base, theme_color_names[i]) == 0) {
			*out = i + offset;
			return 0;
		}
	}
	return -1;
}

static int theme_attr_parse(const char *word, unsigned *bits)
{
	for (size_t i = 0; i < sizeof theme_attr_names / sizeof theme_attr_names[0]; i++) {
		if (strcasecmp(word, theme_attr_names[i].name) == 0) {
			*bits |= theme_attr_names[i].bit;
			return 0;
		}
	}
	return -1;
}

#define THEME_WORDS_MAX 16
#define THEME_LINE_MAX 512

/* Splits one line into words in place; '#' starts a comment. */
static int theme_line_split(char *line, char **words)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == THEME_WORDS_MAX)
			return -1;
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int theme_line_parse(const char *source, int lineno, char *line, struct theme *theme,
			    struct bd_error *err)
{
	char *words[THEME_WORDS_MAX];
	char shown[TEXT_QUOTE_MAX];
	struct theme_style style;
	int meaning;
	int n = theme_line_split(line, words);

	if (n < 0)
		return bd_error_set(err, BD_ERR_PARAM, "theme '%s' line %d: too many words", source,
				    lineno);
	if (n == 0)
		return 0;
	if (strcasecmp(words[0], "color") != 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "theme '%s' line %d: unknown command '%s': expected 'color <meaning> <fg> <bg> [attributes]'",
				    source, lineno, text_quote(words[0], shown, sizeof shown));
	if (n < 4)
		return bd_error_set(err, BD_ERR_PARAM,
				    "theme '%s' line %d: 'color' needs a meaning, a foreground and a background",
				    source, lineno);
	meaning = -1;
	for (int i = 0; i < THEME_MEANING_LAST; i++) {
		if (strcasecmp(words[1], theme_meaning_names[i]) == 0)
			meaning = i;
	}
	if (meaning < 0) {
		char accepted[512];

		return bd_error_set(err, BD_ERR_PARAM, "theme '%s' line %d: unknown meaning '%s': use %s",
				    source, lineno, text_quote(words[1], shown, sizeof shown),
				    enum_list(&theme_meaning_table, accepted, sizeof accepted));
	}
	style.attrs = 0;
	if (theme_color_parse(words[2], &style.fg) < 0 || theme_color_parse(words[3], &style.bg) < 0) {
		const char *bad = theme_color_parse(words[2], &style.fg) < 0 ? words[2] : words[3];

		return bd_error_set(err, BD_ERR_PARAM, "theme '%s' line %d: unknown colour '%s': use %s",
				    source, lineno, text_quote(bad, shown, sizeof shown),
				    THEME_COLORS_ACCEPTED);
	}
	for (int i = 4; i < n; i++) {
		if (theme_attr_parse(words[i], &style.attrs) < 0)
			return bd_error_set(err, BD_ERR_PARAM,
					    "theme '%s' line %d: unknown attribute '%s': use %s", source,
					    lineno, text_quote(words[i], shown, sizeof shown),
					    THEME_ATTRS_ACCEPTED);
	}
	theme->styles[meaning] = style;
	return 0;
}

int theme_parse(const char *source, const char *text, size_t len, struct theme *out,
		struct bd_error *err)
{
	char line[THEME_LINE_MAX];
	struct theme parsed;
	size_t pos = 0;
	int lineno = 0;

	theme_init_default(&parsed);
	snprintf(parsed.name, sizeof parsed.name, "%s", source);
	while (pos < len) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		if (end - pos >= sizeof line) {
			bd_error_set(err, BD_ERR_PARAM, "theme '%s' line %d: line too long (over %zu characters)",
				     source, lineno, sizeof line - 1);
			goto error;
		}
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		if (memchr(line, '\0', end - pos)) {
			bd_error_set(err, BD_ERR_PARAM, "theme '%s' line %d: not a text file", source,
				     lineno);
			goto error;
		}
		if (theme_line_parse(source, lineno, line, &parsed, err) < 0)
			goto error;
		pos = end + 1;
	}
	*out = parsed;
	return 0;
error:
	theme_init_default(out);
	return -1;
}
