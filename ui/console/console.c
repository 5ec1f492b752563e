#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "term.h"
#include "theme-load.h"

int console_main(const char *db_path, const char *theme)
{
	struct bd_error err = { 0 };
	char *configured = NULL;
	struct app *app;
	int status;

	app = app_new(db_path, &err);
	if (!app) {
		fprintf(stderr, "bootdeck: %s\n", err.text);
		return 1;
	}
	if (!theme)
		theme = configured = theme_config_name();
	/* A broken theme is reported but never stops the console. */
	if (theme && app_theme_set(app, theme, &err) < 0)
		app_status(app, true, "%s (using the default theme)", err.text);
	free(configured);
	status = term_run(app);
	app_free(app);
	return status;
}
