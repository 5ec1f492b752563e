/* Finding and reading theme files: the source tree's themes/ while
 * developing, the installed data folder otherwise. */
#ifndef BOOTDECK_CONSOLE_THEME_LOAD_H
#define BOOTDECK_CONSOLE_THEME_LOAD_H

#include <stddef.h>

#include "model/theme-parse.h"

/* The themes shipped with bootdeck, in the order `t` cycles them. */
extern const char *const theme_builtin_names[];
extern const size_t theme_builtin_count;

/* Loads themes/NAME.theme. On any error (bad name, missing file, a broken
 * line) returns -1 with err and leaves the default scheme in out. */
int theme_load(const char *name, struct theme *out, struct bd_error *err);

/* `theme = NAME` from $XDG_CONFIG_HOME/bootdeck/config, or NULL. Owned. */
char *theme_config_name(void);

#endif
