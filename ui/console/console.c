#include "console.h"

#include <stdio.h>

#include "app.h"
#include "term.h"

int console_main(const char *db_path, const char *theme)
{
	struct bd_error err = { 0 };
	struct app *app;
	int status;

	app = app_new(db_path, &err);
	if (!app) {
		fprintf(stderr, "bootdeck: %s\n", err.text);
		return 1;
	}
	/* A broken theme is reported on the status line, never fatal. */
	status = term_run(app, theme);
	app_free(app);
	return status;
}
