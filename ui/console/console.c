#include "console.h"

#include <stdio.h>

#include "ui/cli/cli.h"

int console_main(const char *db_path, const char *theme)
{
	(void)db_path;
	(void)theme;
	fputs("bootdeck: the console is not built yet; use a command.\n\n", stderr);
	cli_print_help(stderr);
	return 2;
}
