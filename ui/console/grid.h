/* The off-screen cell grid every screen draws into. Only term.c turns it
 * into terminal output; tests dump it as text lines. */
#ifndef BOOTDECK_CONSOLE_GRID_H
#define BOOTDECK_CONSOLE_GRID_H

#include <stdbool.h>
#include <stdio.h>
#include <wchar.h>

#include "model/theme-parse.h"

/* ch == 0 marks the right half of a double-width character. */
struct grid_cell {
	wchar_t ch;
	unsigned char style;        /* enum theme_meaning */
};

struct grid {
	int width;
	int height;
	struct grid_cell *cells;    /* owned, width x height */
	size_t capacity;
	int cursor_x;               /* where the terminal cursor goes, or -1 */
	int cursor_y;
};

/* Sets the size, reusing the cell buffer when it is big enough, and clears.
 * Returns 0, or -1 when memory runs out. */
int grid_resize(struct grid *grid, int width, int height);
void grid_free(struct grid *grid);
void grid_clear(struct grid *grid);

struct grid_cell *grid_at(struct grid *grid, int x, int y);

void grid_fill(struct grid *grid, int x, int y, int w, int h, wchar_t ch,
	       enum theme_meaning style);
/* Restyles a rectangle, keeping the characters. */
void grid_style(struct grid *grid, int x, int y, int w, enum theme_meaning style);

/* Draws UTF-8 text at (x, y), at most maxw columns (-1: to the right edge);
 * invalid bytes show as '?', control characters as '?'. Returns the columns
 * used. */
int grid_text(struct grid *grid, int x, int y, int maxw, enum theme_meaning style,
	      const char *text);
int grid_printf(struct grid *grid, int x, int y, int maxw, enum theme_meaning style,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Columns a UTF-8 string takes. */
int grid_text_width(const char *text);

/* Writes the grid as UTF-8 lines, trailing blanks trimmed. */
void grid_dump(const struct grid *grid, FILE *out);

/* Decodes one UTF-8 character; returns bytes used (>= 1), *ch gets '?' for
 * invalid input. */
int grid_utf8_decode(const char *s, wchar_t *ch);
/* Writes ch as UTF-8 into out (room for 4 bytes); returns the bytes written. */
size_t grid_utf8_encode(wchar_t ch, char *out);

#endif
