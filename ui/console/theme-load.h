/* Finding and reading theme files: the source tree's themes/ while
 * developing, the installed data folder otherwise. */
#ifndef BOOTDECK_CONSOLE_THEME_LOAD_H
#define BOOTDECK_CONSOLE_THEME_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "model/theme-parse.h"

/* The themes shipped with bootdeck, in the order `t` cycles them. */
extern const char *const theme_builtin_names[];
extern const size_t theme_builtin_count;

/* Loads themes/NAME.theme. On any error (bad name, missing file, a broken
 * line) returns -1 with err and leaves the default scheme in out. */
int theme_load(const char *name, struct theme *out, struct bd_error *err);

/* Whether to draw in colour: the terminal has colours and NO_COLOR is
 * unset or empty (https://no-color.org). no_color is getenv("NO_COLOR"). */
bool theme_colour_allowed(const char *no_color, bool terminal_colours);

/* `theme = NAME` from $XDG_CONFIG_HOME/bootdeck/config, or NULL. Owned. */
char *theme_config_name(void);

#endif
