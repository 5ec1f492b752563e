/* The ncurses console: the operator's screens. */
#ifndef BOOTDECK_UI_CONSOLE_H
#define BOOTDECK_UI_CONSOLE_H

/* Runs the console on the terminal until the operator quits; returns the
 * process exit status. theme may be NULL (config file or default). */
int console_main(const char *db_path, const char *theme);

#endif
