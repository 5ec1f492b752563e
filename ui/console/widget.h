/* Widgets: small structs with a class of function pointers. Each draws
 * itself into the grid and answers keys with flags for the one event loop. */
#ifndef BOOTDECK_CONSOLE_WIDGET_H
#define BOOTDECK_CONSOLE_WIDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"
#include "model/error.h"

/* Keys as the console sees them: Unicode code points for text, and these
 * for the rest, so nothing above term.c depends on curses. */
enum console_key {
	CK_NONE = 0,
	CK_TAB = '\t',
	CK_ENTER = '\n',
	CK_ESC = 27,
	CK_BACKSPACE = 127,
	CK_UP = 0x110000,
	CK_DOWN,
	CK_LEFT,
	CK_RIGHT,
	CK_PGUP,
	CK_PGDN,
	CK_HOME,
	CK_END,
	CK_BTAB,
	CK_DELETE,
	CK_F1,
	CK_REDRAW,             /* Ctrl-L */
};

#define CK_CTRL(c) ((c) & 0x1f)

/* What a handler did, for the event loop. */
enum widget_flag {
	WF_IGNORED = 0,
	WF_HANDLED = 1 << 0,
	WF_REDRAW = 1 << 1,
	WF_QUIT = 1 << 2,
	WF_ACTIVATE = 1 << 3,   /* Enter on a row or button */
	WF_CHANGED = 1 << 4,    /* a value changed */
	WF_CANCEL = 1 << 5,     /* Esc */
};

/* Name of a key for the key bar and the help screen ("Enter", "F1", "x"). */
const char *widget_key_name(int key, char *buf, size_t size);

struct widget;

struct widget_class {
	const char *name;
	void (*draw)(struct widget *widget, struct grid *grid, bool focus);
	int (*key)(struct widget *widget, int key);
};

struct widget {
	const struct widget_class *cls;
	int x, y, w, h;
};

static inline void widget_place(struct widget *widget, int x, int y, int w, int h)
{
	widget->x = x;
	widget->y = y;
	widget->w = w;
	widget->h = h;
}

/* ---- table: columns, sorting, filter-as-you-type, selection ---- */

struct table_column {
	const char *title;
	int width;                 /* columns; 0 shares what is left */
	bool right;                /* right-aligned (numbers) */
};

/* The rows a table shows, owned by the screen. */
struct table_source {
	size_t (*count)(void *ctx);
	/* Writes the text of one cell; returns its style (THEME_NORMAL for the
	 * row's own). */
	enum theme_meaning (*cell)(void *ctx, size_t row, int col, char *buf, size_t size);
	/* Orders two rows by a column (<0, 0, >0); NULL: by cell text. */
	int (*compare)(void *ctx, size_t a, size_t b, int col);
	/* Rows drawn greyed (unavailable); may be NULL. */
	bool (*greyed)(void *ctx, size_t row);
};

#define TABLE_FILTER_MAX 64

struct table {
	struct widget base;
	const struct table_column *columns;
	int ncolumn;
	const struct table_source *source;
	void *ctx;
	size_t *view;              /* rows shown, filtered and sorted */
	size_t nview;
	size_t view_capacity;
	size_t selected;           /* index into view */
	size_t top;
	int sort_column;           /* -1: source order */
	bool sort_descending;
	char filter[TABLE_FILTER_MAX];
	bool filtering;            /* typing into the filter */
	const char *empty_text;
};

void table_init(struct table *table, const struct table_column *columns, int ncolumn,
		const struct table_source *source, void *ctx);
void table_free(struct table *table);
/* Rebuilds the view after the source changed, keeping the selected row
 * where it still exists. Returns 0, or -1 when memory runs out. */
int table_reload(struct table *table);
/* The source row selected, or (size_t)-1 when the view is empty. */
size_t table_selected_row(const struct table *table);
void table_select_row(struct table *table, size_t row);
/* Moves to the next sort column (and back to source order after the last). */
void table_sort_cycle(struct table *table);
void table_set_filter(struct table *table, const char *filter);
/* Row of the view drawn at screen line y, or (size_t)-1. */
size_t table_view_at(const struct table *table, int y);

extern const struct widget_class table_class;

/* ---- text field with inline validation ---- */

#define FIELD_TEXT_MAX 512

typedef int (*field_validate_fn)(const char *text, struct bd_error *err);

struct field {
	struct widget base;
	const char *label;
	char text[FIELD_TEXT_MAX];
	size_t len;                /* bytes */
	size_t cursor;             /* byte offset */
	field_validate_fn validate;
	bool invalid;
	char message[256];         /* why the text is invalid */
};

void field_init(struct field *field, const char *label, field_validate_fn validate);
void field_set_text(struct field *field, const char *text);
/* Runs the validator again; returns 0 when the text is valid. */
int field_check(struct field *field);

extern const struct widget_class field_class;

/* ---- dropdown ---- */

struct dropdown {
	struct widget base;
	const char *label;
	const char *const *items;
	size_t nitem;
	size_t selected;
	bool open;
	size_t cursor;             /* highlighted item while open */
};

void dropdown_init(struct dropdown *dropdown, const char *label, const char *const *items,
		   size_t nitem);
void dropdown_set_items(struct dropdown *dropdown, const char *const *items, size_t nitem,
			size_t selected);
/* Draws the open list; called after everything else so it lies on top. */
void dropdown_draw_popup(struct dropdown *dropdown, struct grid *grid);

extern const struct widget_class dropdown_class;

/* ---- button row ---- */

struct buttons {
	struct widget base;
	const char *const *labels;
	size_t nlabel;
	size_t focus;
};

void buttons_init(struct buttons *buttons, const char *const *labels, size_t nlabel);
/* Column where button i starts, for mouse hits. */
int buttons_offset(const struct buttons *buttons, size_t i);

extern const struct widget_class buttons_class;

/* ---- scrollable text lines (detail screens) ---- */

struct text_line {
	char *text;
	enum theme_meaning style;
	int indent;                /* columns of the label, for aligned values */
};

struct textview {
	struct widget base;
	struct text_line *lines;
	size_t nline;
	size_t capacity;
	size_t top;
};

void textview_init(struct textview *view);
void textview_clear(struct textview *view);
void textview_free(struct textview *view);
void textview_add(struct textview *view, enum theme_meaning style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "label      value": labels padded to one width. */
void textview_field(struct textview *view, const char *label, enum theme_meaning style,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

extern const struct widget_class textview_class;

/* ---- drawing helpers ---- */

void widget_box(struct grid *grid, int x, int y, int w, int h, enum theme_meaning style,
		const char *title);
/* A progress bar of w columns for step/steps; steps 0 draws a spinner. */
void widget_progress(struct grid *grid, int x, int y, int w, int step, int steps,
		     unsigned tick);

#endif
