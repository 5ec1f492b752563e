#include "widget.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool widget_key_is_text(int key)
{
	return key >= 0x20 && key < CK_UP && key != CK_BACKSPACE;
}

static const struct {
	int key;
	const char *name;
} widget_key_names[] = {
	{ CK_TAB, "Tab" },
	{ CK_ENTER, "Enter" },
	{ CK_ESC, "Esc" },
	{ CK_BACKSPACE, "Bksp" },
	{ CK_UP, "Up" },
	{ CK_DOWN, "Down" },
	{ CK_LEFT, "Left" },
	{ CK_RIGHT, "Right" },
	{ CK_PGUP, "PgUp" },
	{ CK_PGDN, "PgDn" },
	{ CK_HOME, "Home" },
	{ CK_END, "End" },
	{ CK_BTAB, "S-Tab" },
	{ CK_DELETE, "Del" },
	{ CK_F1, "F1" },
	{ CK_REDRAW, "^L" },
	{ ' ', "Space" },
};

const char *widget_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof widget_key_names / sizeof widget_key_names[0]; i++) {
		if (widget_key_names[i].key == key)
			return widget_key_names[i].name;
	}
	if (key > 0 && key < 0x20)
		snprintf(buf, size, "^%c", key + '@');
	else if (key < 0x80)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%x", (unsigned)key);
	return buf;
}

/* ---- table ---- */

void table_init(struct table *table, const struct table_column *columns, int ncolumn,
		const struct table_source *source, void *ctx)
{
	memset(table, 0, sizeof *table);
	table->base.cls = &table_class;
	table->columns = columns;
	table->ncolumn = ncolumn;
	table->source = source;
	table->ctx = ctx;
	table->sort_column = -1;
	table->empty_text = "(nothing to show)";
}

void table_free(struct table *table)
{
	if (!table)
		return;
	free(table->view);
	table->view = NULL;
	table->nview = 0;
	table->view_capacity = 0;
}

static bool table_row_matches(const struct table *table, size_t row, const char *filter)
{
	char buf[512];

	if (!filter[0])
		return true;
	for (int col = 0; col < table->ncolumn; col++) {
		buf[0] = '\0';
		table->source->cell(table->ctx, row, col, buf, sizeof buf);
		if (strcasestr(buf, filter))
			return true;
	}
	return false;
}

static int table_compare(const void *pa, const void *pb, void *opaque)
{
	const struct table *table = opaque;
	size_t a = *(const size_t *)pa;
	size_t b = *(const size_t *)pb;
	int col = table->sort_column;
	int r;

	if (table->source->compare) {
		r = table->source->compare(table->ctx, a, b, col);
	} else {
		char ta[256], tb[256];

		ta[0] = tb[0] = '\0';
		table->source->cell(table->ctx, a, col, ta, sizeof ta);
		table->source->cell(table->ctx, b, col, tb, sizeof tb);
		r = strcasecmp(ta, tb);
	}
	if (table->sort_descending)
		r = -r;
	if (r == 0) /* stable: source order breaks ties */
		r = (a > b) - (a < b);
	return r;
}

static void table_clamp(struct table *table)
{
	if (table->nview == 0) {
		table->selected = 0;
		table->top = 0;
		return;
	}
	if (table->selected >= table->nview)
		table->selected = table->nview - 1;
}

static void table_keep_selection(struct table *table, size_t row)
{
	if (row == (size_t)-1)
		return;
	for (size_t i = 0; i < table->nview; i++) {
		if (table->view[i] == row) {
			table->selected = i;
			return;
		}
	}
}

int table_reload(struct table *table)
{
	size_t keep = table_selected_row(table);
	size_t count = table->source->count(table->ctx);

	if (count > table->view_capacity) {
		size_t *view = realloc(table->view, count * sizeof *view);

		if (!view)
			return -1;
		table->view = view;
		table->view_capacity = count;
	}
	table->nview = 0;
	for (size_t row = 0; row < count; row++) {
		if (table_row_matches(table, row, table->filter))
			table->view[table->nview++] = row;
	}
	if (table->sort_column >= 0 && table->nview > 1)
		qsort_r(table->view, table->nview, sizeof *table->view, table_compare, table);
	table_keep_selection(table, keep);
	table_clamp(table);
	return 0;
}

size_t table_selected_row(const struct table *table)
{
	if (table->nview == 0 || table->selected >= table->nview)
		return (size_t)-1;
	return table->view[table->selected];
}

void table_select_row(struct table *table, size_t row)
{
	table_keep_selection(table, row);
}

void table_sort_cycle(struct table *table)
{
	table->sort_column++;
	if (table->sort_column >= table->ncolumn)
		table->sort_column = -1;
	table->sort_descending = false;
	table_reload(table);
}

void table_set_filter(struct table *table, const char *filter)
{
	snprintf(table->filter, sizeof table->filter, "%s", filter);
	table_reload(table);
}

/* Typing narrows the current view instead of scanning every row again. */
static void table_filter_narrow(struct table *table)
{
	size_t keep = table_selected_row(table);
	size_t n = 0;

	for (size_t i = 0; i < table->nview; i++) {
		if (table_row_matches(table, table->view[i], table->filter))
			table->view[n++] = table->view[i];
	}
	table->nview = n;
	table->selected = 0;
	table_keep_selection(table, keep);
	table_clamp(table);
}

static int table_body_rows(const struct table *table)
{
	int rows = table->base.h - 1;

	if (table->filtering || table->filter[0])
		rows--;
	return rows < 1 ? 1 : rows;
}

size_t table_view_at(const struct table *table, int y)
{
	int line = y - table->base.y - 1;

	if (line < 0 || line >= table_body_rows(table))
		return (size_t)-1;
	if (table->top + (size_t)line >= table->nview)
		return (size_t)-1;
	return table->top + (size_t)line;
}

static void table_column_widths(const struct table *table, int *widths)
{
	int fixed = 0;
	int flexible = 0;
	int left;

	for (int c = 0; c < table->ncolumn; c++) {
		if (table->columns[c].width > 0)
			fixed += table->columns[c].width;
		else
			flexible++;
	}
	left = table->base.w - fixed - (table->ncolumn - 1);
	for (int c = 0; c < table->ncolumn; c++) {
		if (table->columns[c].width > 0) {
			widths[c] = table->columns[c].width;
		} else {
			widths[c] = flexible ? left / flexible : 0;
			if (widths[c] < 4)
				widths[c] = 4;
		}
	}
}

static void table_draw(struct widget *widget, struct grid *grid, bool focus)
{
	struct table *table = (struct table *)widget;
	int widths[16];
	int rows = table_body_rows(table);
	int x;

	table_column_widths(table, widths);
	grid_fill(grid, widget->x, widget->y, widget->w, 1, L' ', THEME_TABLE_HEADER);
	x = widget->x;
	for (int c = 0; c < table->ncolumn && x < widget->x + widget->w; c++) {
		int w = widths[c];

		if (x + w > widget->x + widget->w)
			w = widget->x + widget->w - x;
		grid_text(grid, x, widget->y, w, THEME_TABLE_HEADER, table->columns[c].title);
		if (c == table->sort_column) {
			int tw = grid_text_width(table->columns[c].title);

			grid_text(grid, x + (tw < w - 1 ? tw : w - 1), widget->y, 1, THEME_TABLE_HEADER,
				  table->sort_descending ? "v" : "^");
		}
		x += w + 1;
	}
	if (table->selected < table->top)
		table->top = table->selected;
	if (table->selected >= table->top + (size_t)rows)
		table->top = table->selected - (size_t)rows + 1;
	if (table->nview == 0)
		grid_text(grid, widget->x + 1, widget->y + 1, widget->w - 1, THEME_ROW_GREYED,
			  table->empty_text);
	for (int line = 0; line < rows; line++) {
		size_t vi = table->top + (size_t)line;
		int y = widget->y + 1 + line;
		enum theme_meaning row_style = THEME_NORMAL;
		size_t row;

		if (vi >= table->nview)
			break;
		row = table->view[vi];
		if (table->source->greyed && table->source->greyed(table->ctx, row))
			row_style = THEME_ROW_GREYED;
		if (vi == table->selected && focus)
			row_style = THEME_ROW_SELECTED;
		grid_fill(grid, widget->x, y, widget->w, 1, L' ', row_style);
		x = widget->x;
		for (int c = 0; c < table->ncolumn && x < widget->x + widget->w; c++) {
			char buf[512];
			int w = widths[c];
			enum theme_meaning style;
			int tw;

			if (x + w > widget->x + widget->w)
				w = widget->x + widget->w - x;
			buf[0] = '\0';
			style = table->source->cell(table->ctx, row, c, buf, sizeof buf);
			if (style == THEME_NORMAL || row_style != THEME_NORMAL)
				style = row_style;
			tw = grid_text_width(buf);
			if (table->columns[c].right && tw < w)
				grid_text(grid, x + w - tw, y, w, style, buf);
			else
				grid_text(grid, x, y, w, style, buf);
			x += w + 1;
		}
	}
	if (table->filtering || table->filter[0]) {
		int y = widget->y + widget->h - 1;
		int used;

		grid_fill(grid, widget->x, y, widget->w, 1, L' ', THEME_NORMAL);
		used = grid_printf(grid, widget->x, y, widget->w, THEME_LABEL, "Filter: ");
		used += grid_text(grid, widget->x + used, y, widget->w - used,
				  table->filtering ? THEME_FIELD_FOCUS : THEME_FIELD, table->filter);
		if (table->filtering) {
			grid->cursor_x = widget->x + used;
			grid->cursor_y = y;
		}
		grid_printf(grid, widget->x + used + 2, y, -1, THEME_ROW_GREYED, "%zu match%s",
			    table->nview, table->nview == 1 ? "" : "es");
	}
}

static void table_move(struct table *table, long delta)
{
	long target = (long)table->selected + delta;

	if (table->nview == 0)
		return;
	if (target < 0)
		target = 0;
	if (target >= (long)table->nview)
		target = (long)table->nview - 1;
	table->selected = (size_t)target;
}

static void utf8_chop(char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		len--;
		if (((unsigned char)text[len] & 0xc0) != 0x80)
			break;
	}
	text[len] = '\0';
}

static int table_filter_key(struct table *table, int key)
{
	size_t len = strlen(table->filter);
	char enc[4];
	size_t n;

	switch (key) {
	case CK_ENTER:
		table->filtering = false;
		return WF_HANDLED | WF_REDRAW;
	case CK_ESC:
		table->filtering = false;
		table_set_filter(table, "");
		return WF_HANDLED | WF_REDRAW;
	case CK_BACKSPACE:
		utf8_chop(table->filter);
		table_reload(table);
		return WF_HANDLED | WF_REDRAW;
	default:
		if (!widget_key_is_text(key))
			return WF_IGNORED;
		n = grid_utf8_encode((wchar_t)key, enc);
		if (len + n >= sizeof table->filter)
			return WF_HANDLED;
		memcpy(table->filter + len, enc, n);
		table->filter[len + n] = '\0';
		table_filter_narrow(table);
		return WF_HANDLED | WF_REDRAW;
	}
}

static int table_key(struct widget *widget, int key)
{
	struct table *table = (struct table *)widget;
	long page = table_body_rows(table);

	if (table->filtering) {
		int flags = table_filter_key(table, key);

		if (flags)
			return flags;
	}
	switch (key) {
	case CK_UP:
		table_move(table, -1);
		break;
	case CK_DOWN:
		table_move(table, 1);
		break;
	case CK_PGUP:
		table_move(table, -page);
		break;
	case CK_PGDN:
		table_move(table, page);
		break;
	case CK_HOME:
		table_move(table, -(long)table->nview);
		break;
	case CK_END:
		table_move(table, (long)table->nview);
		break;
	case '/':
		table->filtering = true;
		break;
	case 's':
		table_sort_cycle(table);
		break;
	case 'S':
		if (table->sort_column < 0)
			return WF_HANDLED;
		table->sort_descending = !table->sort_descending;
		table_reload(table);
		break;
	case CK_ENTER:
		return table->nview ? WF_HANDLED | WF_ACTIVATE : WF_HANDLED;
	default:
		return WF_IGNORED;
	}
	return WF_HANDLED | WF_REDRAW;
}

const struct widget_class table_class = { "table", table_draw, table_key };

/* ---- field ---- */

void field_init(struct field *field, const char *label, field_validate_fn validate)
{
	memset(field, 0, sizeof *field);
	field->base.cls = &field_class;
	field->label = label;
	field->validate = validate;
}

int field_check(struct field *field)
{
	struct bd_error err = { 0 };

	field->invalid = false;
	field->message[0] = '\0';
	if (!field->validate || field->validate(field->text, &err) == 0)
		return 0;
	field->invalid = true;
	snprintf(field->message, sizeof field->message, "%s", err.text);
	return -1;
}

void field_set_text(struct field *field, const char *text)
{
	snprintf(field->text, sizeof field->text, "%s", text ? text : "");
	field->len = strlen(field->text);
	field->cursor = field->len;
	field_check(field);
}

static void field_draw(struct widget *widget, struct grid *grid, bool focus)
{
	struct field *field = (struct field *)widget;
	int label_w = grid_printf(grid, widget->x, widget->y, widget->w, THEME_LABEL, "%s: ",
				  field->label);
	int box = widget->w - label_w;
	const char *shown = field->text;
	enum theme_meaning style = focus ? THEME_FIELD_FOCUS : THEME_FIELD;
	char before[FIELD_TEXT_MAX];
	int cursor_col;

	if (field->invalid)
		style = focus ? THEME_FIELD_FOCUS : THEME_FIELD_INVALID;
	grid_fill(grid, widget->x + label_w, widget->y, box, 1, L' ', style);
	memcpy(before, field->text, field->cursor);
	before[field->cursor] = '\0';
	cursor_col = grid_text_width(before);
	/* Keep the cursor visible: show the tail of long text. */
	while (cursor_col >= box && *shown) {
		wchar_t ch;
		int n = grid_utf8_decode(shown, &ch);

		shown += n;
		cursor_col--;
	}
	grid_text(grid, widget->x + label_w, widget->y, box, style, shown);
	if (focus) {
		grid->cursor_x = widget->x + label_w + cursor_col;
		grid->cursor_y = widget->y;
	}
	if (widget->h > 1 && field->invalid)
		grid_text(grid, widget->x + label_w, widget->y + 1, box, THEME_FIELD_INVALID,
			  field->message);
}

static int field_key(struct widget *widget, int key)
{
	struct field *field = (struct field *)widget;
	char enc[4];
	size_t n;

	switch (key) {
	case CK_LEFT:
		while (field->cursor > 0) {
			field->cursor--;
			if (((unsigned char)field->text[field->cursor] & 0xc0) != 0x80)
				break;
		}
		return WF_HANDLED | WF_REDRAW;
	case CK_RIGHT:
		while (field->cursor < field->len) {
			field->cursor++;
			if (((unsigned char)field->text[field->cursor] & 0xc0) != 0x80)
				break;
		}
		return WF_HANDLED | WF_REDRAW;
	case CK_HOME:
		field->cursor = 0;
		return WF_HANDLED | WF_REDRAW;
	case CK_END:
		field->cursor = field->len;
		return WF_HANDLED | WF_REDRAW;
	case CK_BACKSPACE: {
		size_t start = field->cursor;

		if (start == 0)
			return WF_HANDLED;
		while (start > 0) {
			start--;
			if (((unsigned char)field->text[start] & 0xc0) != 0x80)
				break;
		}
		memmove(field->text + start, field->text + field->cursor,
			field->len - field->cursor + 1);
		field->len -= field->cursor - start;
		field->cursor = start;
		field_check(field);
		return WF_HANDLED | WF_REDRAW | WF_CHANGED;
	}
	case CK_DELETE: {
		size_t end = field->cursor;

		if (end >= field->len)
			return WF_HANDLED;
		end++;
		while (end < field->len && ((unsigned char)field->text[end] & 0xc0) == 0x80)
			end++;
		memmove(field->text + field->cursor, field->text + end, field->len - end + 1);
		field->len -= end - field->cursor;
		field_check(field);
		return WF_HANDLED | WF_REDRAW | WF_CHANGED;
	}
	default:
		if (!widget_key_is_text(key))
			return WF_IGNORED;
		n = grid_utf8_encode((wchar_t)key, enc);
		if (field->len + n >= sizeof field->text)
			return WF_HANDLED;
		memmove(field->text + field->cursor + n, field->text + field->cursor,
			field->len - field->cursor + 1);
		memcpy(field->text + field->cursor, enc, n);
		field->len += n;
		field->cursor += n;
		field_check(field);
		return WF_HANDLED | WF_REDRAW | WF_CHANGED;
	}
}

const struct widget_class field_class = { "field", field_draw, field_key };

/* ---- dropdown ---- */

void dropdown_init(struct dropdown *dropdown, const char *label, const char *const *items,
		   size_t nitem)
{
	memset(dropdown, 0, sizeof *dropdown);
	dropdown->base.cls = &dropdown_class;
	dropdown->label = label;
	dropdown->items = items;
	dropdown->nitem = nitem;
}

void dropdown_set_items(struct dropdown *dropdown, const char *const *items, size_t nitem,
			size_t selected)
{
	dropdown->items = items;
	dropdown->nitem = nitem;
	dropdown->selected = selected < nitem ? selected : 0;
	dropdown->cursor = dropdown->selected;
	dropdown->open = false;
}

static void dropdown_draw(struct widget *widget, struct grid *grid, bool focus)
{
	struct dropdown *dropdown = (struct dropdown *)widget;
	int label_w = grid_printf(grid, widget->x, widget->y, widget->w, THEME_LABEL, "%s: ",
				  dropdown->label);
	enum theme_meaning style = focus ? THEME_FIELD_FOCUS : THEME_FIELD;
	int box = widget->w - label_w;

	grid_fill(grid, widget->x + label_w, widget->y, box, 1, L' ', style);
	grid_printf(grid, widget->x + label_w, widget->y, box, style, "[%s]",
		    dropdown->nitem ? dropdown->items[dropdown->selected] : "");
	if (dropdown->nitem > 1)
		grid_text(grid, widget->x + widget->w - 1, widget->y, 1, style, "v");
}

void dropdown_draw_popup(struct dropdown *dropdown, struct grid *grid)
{
	struct widget *widget = &dropdown->base;
	int label_w = grid_text_width(dropdown->label) + 2;
	int x = widget->x + label_w;
	int w = widget->w - label_w;

	if (!dropdown->open)
		return;
	widget_box(grid, x, widget->y + 1, w, (int)dropdown->nitem + 2, THEME_DIALOG, NULL);
	for (size_t i = 0; i < dropdown->nitem; i++) {
		enum theme_meaning style = i == dropdown->cursor ? THEME_ROW_SELECTED : THEME_DIALOG;
		int y = widget->y + 2 + (int)i;

		grid_fill(grid, x + 1, y, w - 2, 1, L' ', style);
		grid_text(grid, x + 1, y, w - 2, style, dropdown->items[i]);
	}
}

static int dropdown_key(struct widget *widget, int key)
{
	struct dropdown *dropdown = (struct dropdown *)widget;
	size_t old = dropdown->selected;

	if (dropdown->nitem == 0)
		return WF_IGNORED;
	if (dropdown->open) {
		switch (key) {
		case CK_UP:
			if (dropdown->cursor > 0)
				dropdown->cursor--;
			return WF_HANDLED | WF_REDRAW;
		case CK_DOWN:
			if (dropdown->cursor + 1 < dropdown->nitem)
				dropdown->cursor++;
			return WF_HANDLED | WF_REDRAW;
		case CK_ENTER:
		case ' ':
			dropdown->open = false;
			dropdown->selected = dropdown->cursor;
			return WF_HANDLED | WF_REDRAW | (old != dropdown->selected ? WF_CHANGED : 0);
		case CK_ESC:
			dropdown->open = false;
			return WF_HANDLED | WF_REDRAW;
		default:
			return WF_HANDLED; /* the open list keeps the keys */
		}
	}
	switch (key) {
	case CK_ENTER:
	case ' ':
		dropdown->open = true;
		dropdown->cursor = dropdown->selected;
		return WF_HANDLED | WF_REDRAW;
	case CK_LEFT:
		if (dropdown->selected > 0)
			dropdown->selected--;
		break;
	case CK_RIGHT:
		if (dropdown->selected + 1 < dropdown->nitem)
			dropdown->selected++;
		break;
	default:
		return WF_IGNORED;
	}
	return WF_HANDLED | WF_REDRAW | (old != dropdown->selected ? WF_CHANGED : 0);
}

const struct widget_class dropdown_class = { "dropdown", dropdown_draw, dropdown_key };

/* ---- buttons ---- */

void buttons_init(struct buttons *buttons, const char *const *labels, size_t nlabel)
{
	memset(buttons, 0, sizeof *buttons);
	buttons->base.cls = &buttons_class;
	buttons->labels = labels;
	buttons->nlabel = nlabel;
}

int buttons_offset(const struct buttons *buttons, size_t i)
{
	int x = 0;

	for (size_t b = 0; b < i && b < buttons->nlabel; b++)
		x += grid_text_width(buttons->labels[b]) + 6;
	return x;
}

static void buttons_draw(struct widget *widget, struct grid *grid, bool focus)
{
	struct buttons *buttons = (struct buttons *)widget;

	for (size_t i = 0; i < buttons->nlabel; i++) {
		enum theme_meaning style = focus && i == buttons->focus ? THEME_BUTTON_FOCUS
								       : THEME_BUTTON;

		grid_printf(grid, widget->x + buttons_offset(buttons, i), widget->y, -1, style,
			    focus && i == buttons->focus ? "[ %s ]" : "< %s >", buttons->labels[i]);
	}
}

static int buttons_key(struct widget *widget, int key)
{
	struct buttons *buttons = (struct buttons *)widget;

	switch (key) {
	case CK_LEFT:
		if (buttons->focus > 0)
			buttons->focus--;
		return WF_HANDLED | WF_REDRAW;
	case CK_RIGHT:
		if (buttons->focus + 1 < buttons->nlabel)
			buttons->focus++;
		return WF_HANDLED | WF_REDRAW;
	case CK_ENTER:
	case ' ':
		return WF_HANDLED | WF_ACTIVATE;
	default:
		return WF_IGNORED;
	}
}

const struct widget_class buttons_class = { "buttons", buttons_draw, buttons_key };

/* ---- textview ---- */

void textview_init(struct textview *view)
{
	memset(view, 0, sizeof *view);
	view->base.cls = &textview_class;
}

void textview_clear(struct textview *view)
{
	for (size_t i = 0; i < view->nline; i++)
		free(view->lines[i].text);
	view->nline = 0;
}

void textview_free(struct textview *view)
{
	if (!view)
		return;
	textview_clear(view);
	free(view->lines);
	view->lines = NULL;
	view->capacity = 0;
}

static void textview_push(struct textview *view, enum theme_meaning style, int indent, char *text)
{
	if (!text)
		return;
	if (view->nline == view->capacity) {
		size_t cap = view->capacity ? view->capacity * 2 : 64;
		struct text_line *lines = realloc(view->lines, cap * sizeof *lines);

		if (!lines) {
			free(text);
			return;
		}
		view->lines = lines;
		view->capacity = cap;
	}
	view->lines[view->nline++] = (struct text_line){ text, style, indent };
}

void textview_add(struct textview *view, enum theme_meaning style, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	textview_push(view, style, 0, text);
}

#define TEXTVIEW_LABEL_WIDTH 22

void textview_field(struct textview *view, const char *label, enum theme_meaning style,
		    const char *fmt, ...)
{
	char *value = NULL;
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (!value)
		return;
	if (asprintf(&text, "%-*s%s", TEXTVIEW_LABEL_WIDTH, label, value) < 0)
		text = NULL;
	free(value);
	textview_push(view, style, TEXTVIEW_LABEL_WIDTH, text);
}

static void textview_draw(struct widget *widget, struct grid *grid, bool focus)
{
	struct textview *view = (struct textview *)widget;

	(void)focus;
	if (view->nline > (size_t)widget->h && view->top > view->nline - (size_t)widget->h)
		view->top = view->nline - (size_t)widget->h;
	if (view->nline <= (size_t)widget->h)
		view->top = 0;
	for (int line = 0; line < widget->h; line++) {
		size_t i = view->top + (size_t)line;
		const struct text_line *tl;

		if (i >= view->nline)
			break;
		tl = &view->lines[i];
		if (tl->indent > 0 && (int)strlen(tl->text) >= tl->indent) {
			/* The label in its own style, the value in the line's. */
			char label[64];

			snprintf(label, sizeof label, "%.*s", tl->indent, tl->text);
			grid_text(grid, widget->x, widget->y + line, widget->w, THEME_LABEL, label);
			grid_text(grid, widget->x + tl->indent, widget->y + line,
				  widget->w - tl->indent, tl->style, tl->text + tl->indent);
		} else {
			grid_text(grid, widget->x, widget->y + line, widget->w, tl->style, tl->text);
		}
	}
	if (view->nline > (size_t)widget->h)
		grid_printf(grid, widget->x + widget->w - 12, widget->y + widget->h - 1, 12,
			    THEME_ROW_GREYED, "%5zu/%-5zu", view->top + (size_t)widget->h,
			    view->nline);
}

static int textview_key(struct widget *widget, int key)
{
	struct textview *view = (struct textview *)widget;
	size_t page = widget->h > 1 ? (size_t)widget->h - 1 : 1;

	switch (key) {
	case CK_UP:
		if (view->top > 0)
			view->top--;
		break;
	case CK_DOWN:
		view->top++;
		break;
	case CK_PGUP:
		view->top = view->top > page ? view->top - page : 0;
		break;
	case CK_PGDN:
		view->top += page;
		break;
	case CK_HOME:
		view->top = 0;
		break;
	case CK_END:
		view->top = view->nline;
		break;
	default:
		return WF_IGNORED;
	}
	return WF_HANDLED | WF_REDRAW;
}

const struct widget_class textview_class = { "textview", textview_draw, textview_key };

/* ---- helpers ---- */

void widget_box(struct grid *grid, int x, int y, int w, int h, enum theme_meaning style,
		const char *title)
{
	if (w < 2 || h < 2)
		return;
	grid_fill(grid, x, y, w, h, L' ', style);
	grid_fill(grid, x + 1, y, w - 2, 1, L'─', style);
	grid_fill(grid, x + 1, y + h - 1, w - 2, 1, L'─', style);
	grid_fill(grid, x, y + 1, 1, h - 2, L'│', style);
	grid_fill(grid, x + w - 1, y + 1, 1, h - 2, L'│', style);
	grid_fill(grid, x, y, 1, 1, L'┌', style);
	grid_fill(grid, x + w - 1, y, 1, 1, L'┐', style);
	grid_fill(grid, x, y + h - 1, 1, 1, L'└', style);
	grid_fill(grid, x + w - 1, y + h - 1, 1, 1, L'┘', style);
	if (title && *title)
		grid_printf(grid, x + 2, y, w - 4, style, " %s ", title);
}

void widget_progress(struct grid *grid, int x, int y, int w, int step, int steps,
		     unsigned tick)
{
	static const char spinner[] = "|/-\\";
	int inner = w - 2;

	if (w < 3)
		return;
	grid_text(grid, x, y, 1, THEME_DIALOG, "[");
	grid_text(grid, x + w - 1, y, 1, THEME_DIALOG, "]");
	grid_fill(grid, x + 1, y, inner, 1, L' ', THEME_DIALOG);
	if (steps > 0) {
		int done = step >= steps ? inner : inner * step / steps;

		grid_fill(grid, x + 1, y, done, 1, L'#', THEME_PROGRESS);
	} else {
		char s[2] = { spinner[tick % 4], '\0' };

		grid_text(grid, x + 1 + (int)(tick % (unsigned)inner), y, 1, THEME_PROGRESS, s);
	}
}
