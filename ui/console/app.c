#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/recover.h"
#include "theme-load.h"

const struct screen_class *const screen_classes[SCREEN_LAST] = {
	[SCREEN_HOSTS] = &screen_hosts_class,
	[SCREEN_HOST_DETAIL] = &screen_host_detail_class,
	[SCREEN_VMS] = &screen_vms_class,
	[SCREEN_VM_DETAIL] = &screen_vm_detail_class,
	[SCREEN_DEPLOY] = &screen_deploy_class,
	[SCREEN_EVENTS] = &screen_events_class,
	[SCREEN_ALERTS] = &screen_alerts_class,
	[SCREEN_HELP] = &screen_help_class,
};

/* ---- global keys ---- */

static int app_go_hosts(struct app *app)
{
	app_show(app, SCREEN_HOSTS);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_vms(struct app *app)
{
	app_show(app, SCREEN_VMS);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_deploy(struct app *app)
{
	app_show(app, SCREEN_DEPLOY);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_events(struct app *app)
{
	app_show(app, SCREEN_EVENTS);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_alerts(struct app *app)
{
	app_show(app, SCREEN_ALERTS);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_help(struct app *app)
{
	if (app->screen != SCREEN_HELP)
		app_show(app, SCREEN_HELP);
	return WF_HANDLED | WF_REDRAW;
}

static int app_go_back(struct app *app)
{
	app_back(app);
	return WF_HANDLED | WF_REDRAW;
}

static int app_theme_next(struct app *app)
{
	struct bd_error err = { 0 };
	size_t next = ((size_t)app->theme_index + 1) % theme_builtin_count;

	if (app_theme_set(app, theme_builtin_names[next], &err) < 0)
		app_status(app, true, "%s", err.text);
	else
		app_status(app, false, "Theme: %s", app->theme.name);
	return WF_HANDLED | WF_REDRAW;
}

static int app_reload(struct app *app)
{
	if (screen_classes[app->screen]->enter)
		screen_classes[app->screen]->enter(app);
	app->unread_alerts = store_alert_unread_count(app->store);
	return WF_HANDLED | WF_REDRAW;
}

static int app_quit_now(struct app *app)
{
	app->quit = true;
	return 0;
}

static int app_quit(struct app *app)
{
	if (!app->worker.running) {
		app->quit = true;
		return WF_HANDLED | WF_QUIT;
	}
	app_confirm(app, app_quit_now,
		    "'%s %s' is still running. Quit once it has finished?",
		    job_kind_verb(app->worker.job.kind), app->worker.job.object);
	return WF_HANDLED | WF_REDRAW;
}

const struct key_binding app_global_keys[] = {
	{ 'h', "Hosts", "Show the Hosts screen", app_go_hosts },
	{ 'v', "VMs", "Show the Virtual Machines screen", app_go_vms },
	{ 'd', "Deploy", "Open the Deploy wizard (input is kept until a deploy succeeds)",
	  app_go_deploy },
	{ 'e', "Events", "Show the Events screen", app_go_events },
	{ 'a', "Alerts", "Show the Alerts screen", app_go_alerts },
	{ '?', "Help", "Show this help", app_go_help },
	{ CK_F1, NULL, "Show this help", app_go_help },
	{ 't', "Theme", "Switch to the next colour theme", app_theme_next },
	{ CK_ESC, NULL, "Go back to the previous screen, or close a dialog", app_go_back },
	{ CK_REDRAW, NULL, "Reload the data and redraw the whole screen", app_reload },
	{ 'q', "Quit", "Quit (asks first while a job runs)", app_quit },
};
const size_t app_global_nkey = sizeof app_global_keys / sizeof app_global_keys[0];

/* Widget keys: listed for the help screen, handled by the widgets. */
const struct key_binding app_navigation_keys[] = {
	{ CK_UP, NULL, "Move up a row (Down: down a row)", NULL },
	{ CK_PGUP, NULL, "Move up a page (PgDn: down a page; Home/End: first/last)", NULL },
	{ CK_ENTER, NULL, "Open the selected row, confirm a dialog, pick a value", NULL },
	{ CK_TAB, NULL, "Next field in a form or the Review step (S-Tab: previous)", NULL },
	{ CK_LEFT, NULL, "Previous value of a dropdown or button (Right: next)", NULL },
	{ ' ', NULL, "Open a dropdown's list", NULL },
	{ '/', NULL, "Filter the table as you type (Enter keeps it, Esc clears it)", NULL },
	{ 's', NULL, "Sort the table by the next column (S: reverse the order)", NULL },
};
const size_t app_navigation_nkey = sizeof app_navigation_keys / sizeof app_navigation_keys[0];

static const struct key_binding *app_binding_find(const struct key_binding *keys, size_t n,
						  int key)
{
	for (size_t i = 0; i < n; i++) {
		if (keys[i].key == key && keys[i].run)
			return &keys[i];
	}
	return NULL;
}

/* ---- life cycle ---- */

struct app *app_new(const char *db_path, struct bd_error *err)
{
	struct app *app = calloc(1, sizeof *app);

	if (!app) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory starting the console");
		return NULL;
	}
	app->db_path = strdup(db_path);
	app->store = store_open(db_path, err);
	if (!app->store || !app->db_path || store_cache_small(app->store, err) < 0 ||
	    worker_init(&app->worker, db_path) < 0)
		goto error;
	/* Settle what a killed bootdeck left half done before the first screen
	 * shows it, as every CLI command does. */
	if (recover_at_start(app->store, db_path, NULL, err) < 0)
		goto error;
	theme_init_default(&app->theme);
	if (grid_resize(&app->grid, 80, 24) < 0)
		goto error;
	for (int s = 0; s < SCREEN_LAST; s++) {
		if (screen_classes[s]->init)
			screen_classes[s]->init(app);
	}
	app->unread_alerts = store_alert_unread_count(app->store);
	app->screen = SCREEN_HOSTS;
	screen_classes[SCREEN_HOSTS]->enter(app);
	return app;
error:
	if (err && !err->code)
		bd_error_set(err, BD_ERR_INTERNAL, "cannot start the console on '%s'", db_path);
	app_free(app);
	return NULL;
}

static void app_dialog_reset(struct app *app)
{
	struct dialog *dialog = &app->dialog;

	for (size_t i = 0; i < dialog->npick; i++) {
		free(dialog->pick_labels[i]);
		free(dialog->pick_ids[i]);
	}
	free(dialog->pick_labels);
	free(dialog->pick_ids);
	memset(dialog, 0, sizeof *dialog);
}

void app_free(struct app *app)
{
	if (!app)
		return;
	if (app->worker.db_path)
		worker_free(&app->worker);
	if (app->store) {
		for (int s = 0; s < SCREEN_LAST; s++) {
			if (screen_classes[s]->fini)
				screen_classes[s]->fini(app);
		}
	}
	app_dialog_reset(app);
	store_close(app->store);
	grid_free(&app->grid);
	free(app->db_path);
	free(app);
}

int app_resize(struct app *app, int width, int height)
{
	return grid_resize(&app->grid, width, height);
}

int app_theme_set(struct app *app, const char *name, struct bd_error *err)
{
	int rc = theme_load(name, &app->theme, err);

	app->theme_index = 0;
	for (size_t i = 0; i < theme_builtin_count; i++) {
		if (strcmp(theme_builtin_names[i], rc == 0 ? name : "default") == 0)
			app->theme_index = (int)i;
	}
	app->theme_generation++;
	return rc;
}

void app_theme_start(struct app *app, const char *name, bool colour)
{
	struct bd_error err = { 0 };
	char *configured = NULL;

	if (!colour) {
		if (app_theme_set(app, "monochrome", &err) < 0) {
			/* The shipped file is missing: the built-in scheme is the same. */
			theme_init_monochrome(&app->theme);
			for (size_t i = 0; i < theme_builtin_count; i++) {
				if (strcmp(theme_builtin_names[i], "monochrome") == 0)
					app->theme_index = (int)i;
			}
		}
		return;
	}
	if (!name)
		name = configured = theme_config_name();
	if (name && app_theme_set(app, name, &err) < 0)
		app_status(app, true, "%s (using the default theme)", err.text);
	else if (!name)
		app_theme_set(app, "default", &err);
	free(configured);
}

/* ---- navigation ---- */

void app_show(struct app *app, enum screen_id screen)
{
	if (screen != app->screen) {
		if (app->nback == APP_BACK_MAX) {
			memmove(app->back, app->back + 1, sizeof app->back[0] * (APP_BACK_MAX - 1));
			app->nback--;
		}
		app->back[app->nback++] = app->screen;
		app->screen = screen;
	}
	app->status[0] = '\0';
	if (screen_classes[screen]->enter)
		screen_classes[screen]->enter(app);
}

void app_back(struct app *app)
{
	if (app->nback == 0)
		return;
	app->screen = app->back[--app->nback];
	if (screen_classes[app->screen]->enter)
		screen_classes[app->screen]->enter(app);
}

void app_status(struct app *app, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->status, sizeof app->status, fmt, ap);
	va_end(ap);
	app->status_error = error;
}

void app_zone(struct app *app, int x, int y, int w, enum zone_kind kind, int value,
	      struct table *table, size_t view_index)
{
	if (app->nzone == ZONES_MAX)
		return;
	app->zones[app->nzone++] = (struct zone){ x, y, w, kind, value, table, view_index };
}

void app_draw_table(struct app *app, struct table *table, struct grid *grid, bool focus)
{
	struct widget *w = &table->base;

	w->cls->draw(w, grid, focus);
	for (int line = 1; line < w->h; line++) {
		size_t vi = table_view_at(table, w->y + line);

		if (vi != (size_t)-1)
			app_zone(app, w->x, w->y + line, w->w, ZONE_ROW, 0, table, vi);
	}
}

/* ---- dialogs ---- */

static const char *const dialog_ok_labels[] = { "OK" };
static const char *const dialog_yes_no_labels[] = { "Yes", "No" };
static const char *const dialog_form_labels[] = { "OK", "Cancel" };

static void app_dialog_open(struct app *app, enum dialog_kind kind, const char *title)
{
	app_dialog_reset(app);
	app->dialog.kind = kind;
	app->dialog_generation++;
	snprintf(app->dialog.title, sizeof app->dialog.title, "%s", title);
}

void app_alert(struct app *app, const char *title, const char *fmt, ...)
{
	va_list ap;

	app_dialog_open(app, DIALOG_ALERT, title);
	app->dialog.error = true;
	va_start(ap, fmt);
	vsnprintf(app->dialog.text, sizeof app->dialog.text, fmt, ap);
	va_end(ap);
	buttons_init(&app->dialog.buttons, dialog_ok_labels, 1);
}

static void app_confirm_open(struct app *app, int (*on_yes)(struct app *app), const char *fmt,
			     va_list ap)
{
	app_dialog_open(app, DIALOG_CONFIRM, "Confirm");
	vsnprintf(app->dialog.text, sizeof app->dialog.text, fmt, ap);
	app->dialog.on_ok = on_yes;
	buttons_init(&app->dialog.buttons, dialog_yes_no_labels, 2);
	app->dialog.buttons.focus = 1; /* destructive answers are never the default */
}

void app_confirm(struct app *app, int (*on_yes)(struct app *app), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_confirm_open(app, on_yes, fmt, ap);
	va_end(ap);
}

void app_confirm_job(struct app *app, const struct job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_confirm_open(app, NULL, fmt, ap);
	va_end(ap);
	app->dialog.job = *job;
}

struct dialog *app_form(struct app *app, const char *title, const char *const *labels,
			size_t nlabel, int (*on_ok)(struct app *app))
{
	app_dialog_open(app, DIALOG_FORM, title);
	if (nlabel > DIALOG_FIELDS_MAX)
		nlabel = DIALOG_FIELDS_MAX;
	for (size_t i = 0; i < nlabel; i++)
		field_init(&app->dialog.fields[i], labels[i], NULL);
	app->dialog.nfield = nlabel;
	app->dialog.on_ok = on_ok;
	buttons_init(&app->dialog.buttons, dialog_form_labels, 2);
	return &app->dialog;
}

void app_pick(struct app *app, const char *title, char **labels, char **ids, size_t n,
	      int (*on_ok)(struct app *app))
{
	app_dialog_open(app, DIALOG_PICK, title);
	app->dialog.pick_labels = labels;
	app->dialog.pick_ids = ids;
	app->dialog.npick = n;
	app->dialog.on_ok = on_ok;
	buttons_init(&app->dialog.buttons, dialog_form_labels, 2);
}

int app_start_job(struct app *app, const struct job *job)
{
	struct bd_error err = { 0 };

	if (worker_start(&app->worker, job, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return -1;
	}
	app_status(app, false, "%s '%s'...", job_kind_verb(job->kind), job->object);
	return 0;
}

/* Runs the dialog's OK action; closes the dialog unless the action kept it
 * open (returned -1) or opened another one. */
static int app_dialog_accept(struct app *app)
{
	unsigned generation = app->dialog_generation;
	int rc = 0;

	if (app->dialog.on_ok)
		rc = app->dialog.on_ok(app);
	else if (app->dialog.kind == DIALOG_CONFIRM)
		app_start_job(app, &app->dialog.job);
	if (rc == 0 && generation == app->dialog_generation)
		app_dialog_reset(app);
	return WF_HANDLED | WF_REDRAW | (app->quit ? WF_QUIT : 0);
}

static int app_dialog_form_key(struct app *app, int key)
{
	struct dialog *dialog = &app->dialog;
	size_t parts = dialog->nfield + 1;

	switch (key) {
	case CK_TAB:
	case CK_DOWN:
		dialog->focus = (dialog->focus + 1) % parts;
		return WF_HANDLED | WF_REDRAW;
	case CK_BTAB:
	case CK_UP:
		dialog->focus = (dialog->focus + parts - 1) % parts;
		return WF_HANDLED | WF_REDRAW;
	case CK_ENTER:
		if (dialog->focus < dialog->nfield) {
			dialog->focus++;
			return WF_HANDLED | WF_REDRAW;
		}
		if (dialog->buttons.focus == 0)
			return app_dialog_accept(app);
		app_dialog_reset(app);
		return WF_HANDLED | WF_REDRAW;
	default:
		if (dialog->focus < dialog->nfield)
			return field_class.key(&dialog->fields[dialog->focus].base, key);
		return buttons_class.key(&dialog->buttons.base, key);
	}
}

static int app_dialog_key(struct app *app, int key)
{
	struct dialog *dialog = &app->dialog;

	if (key == CK_ESC) {
		app_dialog_reset(app);
		return WF_HANDLED | WF_REDRAW;
	}
	switch (dialog->kind) {
	case DIALOG_ALERT:
		if (key == CK_ENTER || key == ' ')
			app_dialog_reset(app);
		return WF_HANDLED | WF_REDRAW;
	case DIALOG_CONFIRM:
		if (key == 'y' || key == 'Y')
			return app_dialog_accept(app);
		if (key == 'n' || key == 'N') {
			app_dialog_reset(app);
			return WF_HANDLED | WF_REDRAW;
		}
		if (key == CK_ENTER) {
			if (dialog->buttons.focus == 0)
				return app_dialog_accept(app);
			app_dialog_reset(app);
			return WF_HANDLED | WF_REDRAW;
		}
		if (key == CK_TAB)
			key = dialog->buttons.focus ? CK_LEFT : CK_RIGHT;
		buttons_class.key(&dialog->buttons.base, key);
		return WF_HANDLED | WF_REDRAW;
	case DIALOG_PICK:
		if (key == CK_UP && dialog->pick_cursor > 0)
			dialog->pick_cursor--;
		else if (key == CK_DOWN && dialog->pick_cursor + 1 < dialog->npick)
			dialog->pick_cursor++;
		else if (key == CK_ENTER && dialog->npick)
			return app_dialog_accept(app);
		return WF_HANDLED | WF_REDRAW;
	case DIALOG_FORM:
		app_dialog_form_key(app, key);
		return WF_HANDLED | WF_REDRAW | (app->quit ? WF_QUIT : 0);
	default:
		return WF_IGNORED;
	}
}

/* Splits text into lines of at most width columns at spaces. Returns the
 * number of lines drawn (or that would be, when grid is NULL). */
int app_wrap_text(struct grid *grid, int x, int y, int width, int max_lines,
		    enum theme_meaning style, const char *text)
{
	int lines = 0;
	const char *p = text;

	while (*p && lines < max_lines) {
		char buf[512];
		size_t len = 0, cut = 0;
		int cols = 0;

		while (p[len] && p[len] != '\n' && len < sizeof buf - 1) {
			wchar_t ch;
			int n = grid_utf8_decode(p + len, &ch);

			if (cols + 1 > width)
				break;
			if (ch == L' ')
				cut = len;
			len += (size_t)n;
			cols++;
		}
		if (p[len] && p[len] != '\n' && cut > 0)
			len = cut;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (grid)
			grid_text(grid, x, y + lines, width, style, buf);
		lines++;
		p += len;
		while (*p == ' ')
			p++;
		if (*p == '\n')
			p++;
	}
	return lines;
}

static void app_dialog_draw(struct app *app, struct grid *grid)
{
	struct dialog *dialog = &app->dialog;
	enum theme_meaning style = dialog->error ? THEME_DIALOG_ERROR : THEME_DIALOG;
	int w = grid->width - 8 < 72 ? grid->width - 8 : 72;
	int inner = w - 4;
	int text_lines = app_wrap_text(NULL, 0, 0, inner, 12, style, dialog->text);
	int body = text_lines;
	int h, x, y, row;

	if (dialog->kind == DIALOG_PICK)
		body += (int)(dialog->npick < 10 ? dialog->npick : 10) + 1;
	if (dialog->kind == DIALOG_FORM)
		body += (int)dialog->nfield * 2;
	h = body + 4;
	if (h > grid->height - 2)
		h = grid->height - 2;
	x = (grid->width - w) / 2;
	y = (grid->height - h) / 2;
	widget_box(grid, x, y, w, h, style, dialog->title);
	app_wrap_text(grid, x + 2, y + 1, inner, text_lines, style, dialog->text);
	row = y + 1 + text_lines;
	if (dialog->kind == DIALOG_PICK) {
		size_t first = dialog->pick_cursor >= 10 ? dialog->pick_cursor - 9 : 0;

		for (size_t i = first; i < dialog->npick && i < first + 10; i++, row++) {
			enum theme_meaning s = i == dialog->pick_cursor ? THEME_ROW_SELECTED : style;

			grid_fill(grid, x + 2, row, inner, 1, L' ', s);
			grid_text(grid, x + 2, row, inner, s, dialog->pick_labels[i]);
			app_zone(app, x + 2, row, inner, ZONE_FOCUS, (int)i, NULL, 0);
		}
	}
	if (dialog->kind == DIALOG_FORM) {
		for (size_t i = 0; i < dialog->nfield; i++, row += 2) {
			struct field *f = &dialog->fields[i];

			widget_place(&f->base, x + 2, row, inner, 2);
			field_class.draw(&f->base, grid, dialog->focus == i);
			app_zone(app, x + 2, row, inner, ZONE_FOCUS, (int)i, NULL, 0);
		}
	}
	{
		struct buttons *b = &dialog->buttons;
		bool focus = dialog->kind != DIALOG_FORM || dialog->focus == dialog->nfield;

		widget_place(&b->base, x + 2, y + h - 2, inner, 1);
		buttons_class.draw(&b->base, grid, focus);
		for (size_t i = 0; i < b->nlabel; i++)
			app_zone(app, x + 2 + buttons_offset(b, i), y + h - 2,
				 grid_text_width(b->labels[i]) + 4, ZONE_FOCUS, 1000 + (int)i, NULL, 0);
	}
}

static int app_dialog_click(struct app *app, const struct zone *zone)
{
	struct dialog *dialog = &app->dialog;

	if (zone->value >= 1000) {
		dialog->buttons.focus = (size_t)(zone->value - 1000);
		if (dialog->kind == DIALOG_FORM)
			dialog->focus = dialog->nfield;
		if (dialog->kind == DIALOG_PICK && dialog->buttons.focus == 0)
			return app_dialog_accept(app);
		if (dialog->kind == DIALOG_PICK) {
			app_dialog_reset(app);
			return WF_HANDLED | WF_REDRAW;
		}
		return app_dialog_key(app, CK_ENTER);
	}
	if (dialog->kind == DIALOG_PICK)
		dialog->pick_cursor = (size_t)zone->value;
	else if (dialog->kind == DIALOG_FORM)
		dialog->focus = (size_t)zone->value;
	return WF_HANDLED | WF_REDRAW;
}

/* ---- events ---- */

int app_key(struct app *app, int key)
{
	const struct screen_class *cls = screen_classes[app->screen];
	const struct key_binding *binding;
	int flags;

	if (key == CK_NONE)
		return WF_IGNORED;
	if (app->dialog.kind != DIALOG_NONE)
		return app_dialog_key(app, key);
	if (cls->text_input && cls->text_input(app)) {
		flags = cls->key(app, key);
		if (flags)
			return flags;
	}
	binding = app_binding_find(cls->keys, cls->nkey, key);
	if (binding)
		return binding->run(app) | WF_HANDLED;
	/* A screen's own Esc (wizard: previous step) comes before "back". */
	if (key == CK_ESC && cls->key) {
		flags = cls->key(app, key);
		if (flags)
			return flags;
	}
	binding = app_binding_find(app_global_keys, app_global_nkey, key);
	if (binding)
		return binding->run(app) | WF_HANDLED;
	if (cls->key)
		return cls->key(app, key);
	return WF_IGNORED;
}

void app_type(struct app *app, const char *text)
{
	while (*text) {
		wchar_t ch;

		text += grid_utf8_decode(text, &ch);
		app_key(app, (int)ch);
	}
}

int app_click(struct app *app, int x, int y)
{
	/* Later zones lie on top (dialogs are drawn last). */
	for (size_t i = app->nzone; i-- > 0;) {
		const struct zone *zone = &app->zones[i];

		if (y != zone->y || x < zone->x || x >= zone->x + zone->w)
			continue;
		if (app->dialog.kind != DIALOG_NONE) {
			if (zone->kind == ZONE_FOCUS)
				return app_dialog_click(app, zone);
			return WF_IGNORED;
		}
		switch (zone->kind) {
		case ZONE_KEY:
			return app_key(app, zone->value);
		case ZONE_ROW:
			if (zone->table->selected == zone->view_index)
				return app_key(app, CK_ENTER);
			zone->table->selected = zone->view_index;
			return WF_HANDLED | WF_REDRAW;
		case ZONE_FOCUS:
			if (screen_classes[app->screen]->focus)
				screen_classes[app->screen]->focus(app, zone->value);
			return WF_HANDLED | WF_REDRAW;
		}
	}
	return WF_IGNORED;
}

static void app_job_finished(struct app *app, const struct job *job)
{
	app->unread_alerts = store_alert_unread_count(app->store);
	if (job->kind == JOB_DEPLOY) {
		screen_deploy_finished(app, job);
		return;
	}
	if (job->rc < 0) {
		app_alert(app, "Failed", "%s '%s' failed: %s", job_kind_verb(job->kind), job->object,
			  job->err.text);
		app_status(app, true, "%s '%s' failed", job_kind_verb(job->kind), job->object);
	} else {
		app_status(app, false, "%s '%s': done", job_kind_verb(job->kind), job->object);
	}
	/* What was shown may be gone (expunge, delete): fall back to the list. */
	if (job->rc == 0 && app->screen == SCREEN_VM_DETAIL && job->kind == JOB_VM_EXPUNGE) {
		app_show(app, SCREEN_VMS);
		return;
	}
	if (job->rc == 0 && app->screen == SCREEN_HOST_DETAIL && job->kind == JOB_HOST_DELETE) {
		app_show(app, SCREEN_HOSTS);
		return;
	}
	if (screen_classes[app->screen]->enter)
		screen_classes[app->screen]->enter(app);
}

int app_tick(struct app *app)
{
	struct job job;
	int flags = 0;

	app->tick++;
	if (app->worker.running)
		flags |= WF_REDRAW; /* the progress moves */
	if (worker_poll(&app->worker, &job)) {
		app_job_finished(app, &job);
		flags |= WF_REDRAW;
	}
	if (app->tick % 20 == 0) {
		int unread = store_alert_unread_count(app->store);

		if (unread != app->unread_alerts) {
			app->unread_alerts = unread;
			flags |= WF_REDRAW;
		}
	}
	if (screen_classes[app->screen]->tick) {
		screen_classes[app->screen]->tick(app);
		flags |= WF_REDRAW;
	}
	return flags;
}

void app_wait(struct app *app)
{
	struct job job;

	if (worker_wait(&app->worker, &job))
		app_job_finished(app, &job);
}

/* ---- drawing ---- */

/* Keys the bar always shows, at its right end, however narrow the
 * terminal: help lists everything the bar has no room for. */
static bool app_keybar_pinned(int key)
{
	return key == '?' || key == 'q';
}

static int app_keybar_width(const struct key_binding *b)
{
	char buf[16];

	return grid_text_width(widget_key_name(b->key, buf, sizeof buf)) +
	       grid_text_width(b->label) + 2;
}

static int app_keybar_item(struct app *app, struct grid *grid, int x, int y,
			   const struct key_binding *b)
{
	char buf[16];
	int start = x;

	x += grid_text(grid, x, y, -1, THEME_KEYBAR_KEY, widget_key_name(b->key, buf, sizeof buf));
	x += grid_printf(grid, x, y, -1, THEME_KEYBAR_LABEL, " %s", b->label);
	app_zone(app, start, y, x - start, ZONE_KEY, b->key, NULL, 0);
	return x + 1;
}

/* The screen's keys, then the global ones, left to right while they fit;
 * Help and Quit pinned right. */
static void app_draw_keybar(struct app *app, struct grid *grid, int y)
{
	const struct screen_class *cls = screen_classes[app->screen];
	const struct key_binding *tables[2] = { cls->keys, app_global_keys };
	size_t counts[2] = { cls->nkey, app_global_nkey };
	int pinned = 0;
	int x = 0;

	grid_fill(grid, 0, y, grid->width, 1, L' ', THEME_KEYBAR_LABEL);
	for (size_t i = 0; i < app_global_nkey; i++) {
		if (app_global_keys[i].label && app_keybar_pinned(app_global_keys[i].key))
			pinned += app_keybar_width(&app_global_keys[i]);
	}
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < counts[t]; i++) {
			const struct key_binding *b = &tables[t][i];

			if (!b->label || (t == 1 && app_keybar_pinned(b->key)))
				continue;
			/* In order, so the bar reads the same on every screen. */
			if (x + app_keybar_width(b) > grid->width - pinned)
				goto pinned;
			x = app_keybar_item(app, grid, x, y, b);
		}
	}
pinned:
	x = grid->width - pinned + 1;
	for (size_t i = 0; i < app_global_nkey; i++) {
		if (app_global_keys[i].label && app_keybar_pinned(app_global_keys[i].key))
			x = app_keybar_item(app, grid, x, y, &app_global_keys[i]);
	}
}

static void app_draw_status(struct app *app, struct grid *grid, int y)
{
	char right[128];
	int rw;

	grid_fill(grid, 0, y, grid->width, 1, L' ', app->status_error ? THEME_STATUS_ERROR
								      : THEME_STATUS);
	if (app->unread_alerts > 0)
		snprintf(right, sizeof right, " Alerts: %d unread ", app->unread_alerts);
	else
		snprintf(right, sizeof right, " No unread alerts ");
	rw = grid_text_width(right);
	if (app->worker.running) {
		char message[128];
		int step, steps;
		int x;

		worker_progress(&app->worker, &step, &steps, message, sizeof message);
		x = grid_text(grid, 1, y, grid->width / 2, THEME_STATUS, message) + 2;
		widget_progress(grid, x, y, 20, step, steps, app->tick);
		if (steps > 0)
			grid_printf(grid, x + 21, y, 8, THEME_STATUS, "%d/%d", step, steps);
	} else {
		grid_text(grid, 1, y, grid->width - rw - 2,
			  app->status_error ? THEME_STATUS_ERROR : THEME_STATUS, app->status);
	}
	grid_text(grid, grid->width - rw, y, rw, THEME_STATUS, right);
	app_zone(app, grid->width - rw, y, rw, ZONE_KEY, 'a', NULL, 0);
}

void app_render(struct app *app)
{
	struct grid *grid = &app->grid;
	const struct screen_class *cls = screen_classes[app->screen];

	grid_clear(grid);
	app->nzone = 0;
	if (grid->width < 40 || grid->height < 10) {
		grid_text(grid, 0, 0, -1, THEME_STATUS_ERROR, "Terminal too small: need 40x10");
		return;
	}
	grid_fill(grid, 0, 0, grid->width, 1, L' ', THEME_TITLE);
	grid_printf(grid, 1, 0, grid->width - 12, THEME_TITLE, "%s", cls->title);
	grid_text(grid, grid->width - 9, 0, 9, THEME_TITLE, "bootdeck");
	cls->draw(app, grid, 1, grid->height - 3);
	app_draw_status(app, grid, grid->height - 2);
	app_draw_keybar(app, grid, grid->height - 1);
	if (app->dialog.kind != DIALOG_NONE) {
		grid->cursor_x = -1;
		app_dialog_draw(app, grid);
	}
}
