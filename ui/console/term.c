#include "term.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "theme-load.h"

static volatile sig_atomic_t term_active;

/* Gives the terminal back before dying, then dies the same way. */
static void term_crash(int sig)
{
	if (term_active)
		endwin();
	term_active = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void term_signals(void)
{
	static const int crash_signals[] = { SIGSEGV, SIGABRT, SIGTERM, SIGINT, SIGBUS, SIGFPE,
					     SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = term_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], &sa, NULL);
}

struct term_state {
	bool color;
	unsigned theme_generation;
	attr_t attrs[THEME_MEANING_LAST];
	short pairs[THEME_MEANING_LAST];
};

static attr_t term_attr_bits(unsigned bits)
{
	attr_t a = A_NORMAL;

	if (bits & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (bits & THEME_ATTR_DIM)
		a |= A_DIM;
	if (bits & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_ATTR_STANDOUT)
		a |= A_STANDOUT;
	if (bits & THEME_ATTR_BLINK)
		a |= A_BLINK;
#ifdef A_ITALIC
	if (bits & THEME_ATTR_ITALIC)
		a |= A_ITALIC;
#endif
	return a;
}

static int term_color(int c)
{
	if (c < 0)
		return -1;
	/* Fewer colours than asked: fold the bright half onto the basic one. */
	if (c >= COLORS)
		return c < 16 ? c - 8 : COLOR_WHITE;
	return c;
}

/* Maps the theme's meanings to colour pairs; monochrome when colours are
 * off (NO_COLOR, or a terminal without them). */
static void term_theme_apply(struct term_state *st, const struct theme *theme)
{
	struct theme mono;
	const struct theme *use = theme;

	if (!st->color) {
		theme_init_monochrome(&mono);
		use = &mono;
	}
	for (int m = 0; m < THEME_MEANING_LAST; m++) {
		const struct theme_style *s = &use->styles[m];

		st->attrs[m] = term_attr_bits(s->attrs);
		st->pairs[m] = 0;
		if (st->color && m + 1 < COLOR_PAIRS) {
			init_pair((short)(m + 1), (short)term_color(s->fg), (short)term_color(s->bg));
			st->pairs[m] = (short)(m + 1);
		}
	}
}

static void term_blit(struct term_state *st, const struct grid *grid)
{
	for (int y = 0; y < grid->height && y < LINES; y++) {
		for (int x = 0; x < grid->width && x < COLS; x++) {
			const struct grid_cell *cell = &grid->cells[(size_t)y * (size_t)grid->width + (size_t)x];
			wchar_t text[2] = { cell->ch, L'\0' };
			cchar_t cc;

			if (cell->ch == 0)
				continue; /* right half of a wide character */
			setcchar(&cc, text, st->attrs[cell->style], st->pairs[cell->style], NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	if (grid->cursor_x >= 0) {
		curs_set(1);
		move(grid->cursor_y, grid->cursor_x);
	} else {
		curs_set(0);
	}
	refresh();
}

struct term_key_row {
	int curses;
	int key;
};

/* Terminal keys to console keys: one table, no if-chains. */
static const struct term_key_row term_keys[] = {
	{ KEY_UP, CK_UP }, { KEY_DOWN, CK_DOWN }, { KEY_LEFT, CK_LEFT },
	{ KEY_RIGHT, CK_RIGHT }, { KEY_PPAGE, CK_PGUP }, { KEY_NPAGE, CK_PGDN },
	{ KEY_HOME, CK_HOME }, { KEY_END, CK_END }, { KEY_BTAB, CK_BTAB },
	{ KEY_DC, CK_DELETE }, { KEY_F(1), CK_F1 }, { KEY_BACKSPACE, CK_BACKSPACE },
	{ KEY_ENTER, CK_ENTER },
};

static int term_translate(int rc, wint_t ch)
{
	if (rc == KEY_CODE_YES) {
		for (size_t i = 0; i < sizeof term_keys / sizeof term_keys[0]; i++) {
			if (term_keys[i].curses == (int)ch)
				return term_keys[i].key;
		}
		return CK_NONE;
	}
	switch (ch) {
	case '\r':
		return CK_ENTER;
	case 8:
		return CK_BACKSPACE;
	case CK_CTRL('l'):
		return CK_REDRAW;
	default:
		return (int)ch;
	}
}

int term_run(struct app *app, const char *theme)
{
	struct term_state st = { 0 };
	int flags = WF_REDRAW;

	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("bootdeck: the console needs a terminal; use a command instead "
		      "(bootdeck --help)\n", stderr);
		return 2;
	}
	term_signals();
	if (!initscr()) {
		fputs("bootdeck: cannot start the terminal (is TERM set?)\n", stderr);
		return 2;
	}
	term_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(100); /* the loop polls the worker and the console log */
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	st.color = theme_colour_allowed(getenv("NO_COLOR"), has_colors());
	app_theme_start(app, theme, st.color);
	if (st.color) {
		start_color();
		use_default_colors();
	}
	term_theme_apply(&st, &app->theme);
	st.theme_generation = app->theme_generation;
	app_resize(app, COLS, LINES);
	while (!app->quit) {
		wint_t ch;
		int rc;

		if (st.theme_generation != app->theme_generation) {
			term_theme_apply(&st, &app->theme);
			st.theme_generation = app->theme_generation;
			flags |= WF_REDRAW;
		}
		if (flags & WF_REDRAW) {
			app_render(app);
			term_blit(&st, &app->grid);
		}
		flags = 0;
		rc = get_wch(&ch);
		if (rc == ERR) {
			flags |= app_tick(app);
			continue;
		}
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
			app_resize(app, COLS, LINES);
			clearok(curscr, TRUE);
			flags |= WF_REDRAW;
			continue;
		}
		if (rc == KEY_CODE_YES && ch == KEY_MOUSE) {
			MEVENT ev;

			if (getmouse(&ev) == OK)
				flags |= app_click(app, ev.x, ev.y) | WF_REDRAW;
			continue;
		}
		{
			int key = term_translate(rc, ch);

			if (key == CK_REDRAW)
				clearok(curscr, TRUE);
			flags |= app_key(app, key) | WF_REDRAW;
		}
	}
	endwin();
	term_active = 0;
	if (app->worker.running) {
		fprintf(stderr, "bootdeck: waiting for '%s %s' to finish...\n",
			job_kind_verb(app->worker.job.kind), app->worker.job.object);
		app_wait(app);
	}
	return 0;
}
