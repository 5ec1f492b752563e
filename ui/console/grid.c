#include "grid.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grid_resize(struct grid *grid, int width, int height)
{
	size_t need;

	if (width < 1)
		width = 1;
	if (height < 1)
		height = 1;
	need = (size_t)width * (size_t)height;
	if (need > grid->capacity) {
		struct grid_cell *cells = realloc(grid->cells, need * sizeof *cells);

		if (!cells)
			return -1;
		grid->cells = cells;
		grid->capacity = need;
	}
	grid->width = width;
	grid->height = height;
	grid_clear(grid);
	return 0;
}

void grid_free(struct grid *grid)
{
	if (!grid)
		return;
	free(grid->cells);
	memset(grid, 0, sizeof *grid);
}

void grid_clear(struct grid *grid)
{
	grid->cursor_x = -1;
	grid->cursor_y = -1;
	grid_fill(grid, 0, 0, grid->width, grid->height, L' ', THEME_NORMAL);
}

struct grid_cell *grid_at(struct grid *grid, int x, int y)
{
	if (x < 0 || y < 0 || x >= grid->width || y >= grid->height)
		return NULL;
	return &grid->cells[(size_t)y * (size_t)grid->width + (size_t)x];
}

void grid_fill(struct grid *grid, int x, int y, int w, int h, wchar_t ch,
	       enum theme_meaning style)
{
	for (int row = y; row < y + h; row++) {
		for (int col = x; col < x + w; col++) {
			struct grid_cell *cell = grid_at(grid, col, row);

			if (cell) {
				cell->ch = ch;
				cell->style = (unsigned char)style;
			}
		}
	}
}

void grid_style(struct grid *grid, int x, int y, int w, enum theme_meaning style)
{
	for (int col = x; col < x + w; col++) {
		struct grid_cell *cell = grid_at(grid, col, y);

		if (cell)
			cell->style = (unsigned char)style;
	}
}

int grid_utf8_decode(const char *s, wchar_t *ch)
{
	const unsigned char *u = (const unsigned char *)s;
	int len;
	uint32_t cp;

	if (u[0] < 0x80) {
		*ch = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		*ch = L'?';
		return 1;
	}
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*ch = L'?';
			return i;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*ch = L'?';
		return len;
	}
	*ch = (wchar_t)cp;
	return len;
}

static int grid_char_width(wchar_t ch)
{
	int w;

	if (ch < 0x80)
		return 1;
	w = wcwidth(ch);
	return w < 1 ? 1 : w;
}

int grid_text_width(const char *text)
{
	int width = 0;
	wchar_t ch;

	while (*text) {
		text += grid_utf8_decode(text, &ch);
		width += grid_char_width(ch);
	}
	return width;
}

int grid_text(struct grid *grid, int x, int y, int maxw, enum theme_meaning style,
	      const char *text)
{
	int used = 0;
	wchar_t ch;

	if (maxw < 0)
		maxw = grid->width - x;
	if (!text)
		return 0;
	while (*text && used < maxw) {
		int w;
		struct grid_cell *cell;

		text += grid_utf8_decode(text, &ch);
		if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
			ch = L'?';
		if (ch >= 0x80 && wcwidth(ch) < 1)
			ch = L'?';
		w = grid_char_width(ch);
		if (used + w > maxw)
			break;
		cell = grid_at(grid, x + used, y);
		if (cell) {
			cell->ch = ch;
			cell->style = (unsigned char)style;
		}
		if (w == 2) {
			cell = grid_at(grid, x + used + 1, y);
			if (cell) {
				cell->ch = 0;
				cell->style = (unsigned char)style;
			}
		}
		used += w;
	}
	return used;
}

int grid_printf(struct grid *grid, int x, int y, int maxw, enum theme_meaning style,
		const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return grid_text(grid, x, y, maxw, style, buf);
}

size_t grid_utf8_encode(wchar_t ch, char *out)
{
	uint32_t cp = (uint32_t)ch;

	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void grid_dump(const struct grid *grid, FILE *out)
{
	char line[8192];

	for (int y = 0; y < grid->height; y++) {
		size_t len = 0;
		size_t keep = 0;

		for (int x = 0; x < grid->width && len + 4 < sizeof line; x++) {
			wchar_t ch = grid->cells[(size_t)y * (size_t)grid->width + (size_t)x].ch;

			if (ch == 0)
				continue;
			len += grid_utf8_encode(ch, line + len);
			if (ch != L' ')
				keep = len;
		}
		fwrite(line, 1, keep, out);
		fputc('\n', out);
	}
}
