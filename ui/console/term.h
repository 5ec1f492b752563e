/* The only code that talks to the terminal (ncursesw). */
#ifndef BOOTDECK_CONSOLE_TERM_H
#define BOOTDECK_CONSOLE_TERM_H

#include "app.h"

/* Runs the event loop on the terminal until the operator quits. theme
 * (--theme, may be NULL) is applied once the terminal's colours are known. */
int term_run(struct app *app, const char *theme);

#endif
