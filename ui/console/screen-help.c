/* Help: every key, generated from the key tables themselves. */
#include <stdio.h>

#include "app.h"

static void help_keys(struct textview *view, const char *heading,
		      const struct key_binding *keys, size_t n)
{
	if (n == 0)
		return;
	textview_add(view, THEME_TABLE_HEADER, "%s", heading);
	for (size_t i = 0; i < n; i++) {
		char name[16];

		textview_add(view, THEME_NORMAL, "  %-8s %s",
			     widget_key_name(keys[i].key, name, sizeof name), keys[i].help);
	}
	textview_add(view, THEME_NORMAL, "%s", "");
}

static void help_init(struct app *app)
{
	textview_init(&app->help.view);
}

static void help_fini(struct app *app)
{
	textview_free(&app->help.view);
}

static void help_enter(struct app *app)
{
	struct textview *view = &app->help.view;

	textview_clear(view);
	help_keys(view, "Everywhere (outside text fields)", app_global_keys, app_global_nkey);
	help_keys(view, "Moving around", app_navigation_keys, app_navigation_nkey);
	for (int s = 0; s < SCREEN_LAST; s++) {
		const struct screen_class *cls = screen_classes[s];
		char heading[64];

		snprintf(heading, sizeof heading, "%s", cls->title);
		help_keys(view, heading, cls->keys, cls->nkey);
	}
}

static void help_draw(struct app *app, struct grid *grid, int y, int h)
{
	widget_place(&app->help.view.base, 1, y, grid->width - 2, h);
	textview_class.draw(&app->help.view.base, grid, true);
}

static int help_key(struct app *app, int key)
{
	return textview_class.key(&app->help.view.base, key);
}

const struct screen_class screen_help_class = {
	.title = "Help",
	.init = help_init,
	.fini = help_fini,
	.enter = help_enter,
	.draw = help_draw,
	.key = help_key,
};
