/* Events and Alerts: what happened, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"

/* Enough history for a session; older entries stay in the store. */
#define EVENTS_SHOWN 2000

static void events_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

enum event_column { EC_TIME, EC_LEVEL, EC_TYPE, EC_RESOURCE, EC_TEXT, EC_LAST };

static const struct table_column events_columns[EC_LAST] = {
	[EC_TIME] = { "Time", 19, false },
	[EC_LEVEL] = { "Level", 5, false },
	[EC_TYPE] = { "Type", 14, false },
	[EC_RESOURCE] = { "Resource", 8, false },
	[EC_TEXT] = { "Description", 0, false },
};

static size_t events_count(void *ctx)
{
	return ((struct app *)ctx)->events.count;
}

static enum theme_meaning events_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct event *event = &((struct app *)ctx)->events.list[row];

	switch (col) {
	case EC_TIME:
		events_time(event->created, buf, size);
		break;
	case EC_LEVEL:
		snprintf(buf, size, "%s", event_level_name(event->level));
		return event->level == EVENT_ERROR ? THEME_STATE_BAD : THEME_NORMAL;
	case EC_TYPE:
		snprintf(buf, size, "%s", event->type);
		break;
	case EC_RESOURCE:
		snprintf(buf, size, "%.8s", event->resource_id);
		break;
	case EC_TEXT:
		snprintf(buf, size, "%s", event->description ? event->description : "");
		break;
	}
	return THEME_NORMAL;
}

static int events_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct event *ea = &((struct app *)ctx)->events.list[a];
	const struct event *eb = &((struct app *)ctx)->events.list[b];

	switch (col) {
	case EC_LEVEL:
		return (int)ea->level - (int)eb->level;
	case EC_TYPE:
		return strcmp(ea->type, eb->type);
	case EC_RESOURCE:
		return strcmp(ea->resource_id, eb->resource_id);
	case EC_TEXT:
		return strcmp(ea->description ? ea->description : "",
			      eb->description ? eb->description : "");
	default: /* newest first, like the store */
		return (eb->created > ea->created) - (eb->created < ea->created);
	}
}

static const struct table_source events_source = {
	events_count, events_cell, events_compare, NULL
};

static void events_init(struct app *app)
{
	table_init(&app->events.table, events_columns, EC_LAST, &events_source, app);
	app->events.table.empty_text = "No events yet";
}

static void events_fini(struct app *app)
{
	store_event_list_free(app->events.list, app->events.count);
	app->events.list = NULL;
	app->events.count = 0;
	table_free(&app->events.table);
}

static void events_enter(struct app *app)
{
	struct bd_error err = { 0 };
	struct event *list = NULL;
	size_t count = 0;

	if (store_event_list(app->store, NULL, EVENTS_SHOWN, &list, &count, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return;
	}
	store_event_list_free(app->events.list, app->events.count);
	app->events.list = list;
	app->events.count = count;
	table_reload(&app->events.table);
}

static void events_draw(struct app *app, struct grid *grid, int y, int h)
{
	widget_place(&app->events.table.base, 0, y, grid->width, h);
	app_draw_table(app, &app->events.table, grid, true);
}

static int events_key(struct app *app, int key)
{
	return table_class.key(&app->events.table.base, key);
}

static bool events_text_input(struct app *app)
{
	return app->events.table.filtering;
}

const struct screen_class screen_events_class = {
	.title = "Events",
	.init = events_init,
	.fini = events_fini,
	.enter = events_enter,
	.draw = events_draw,
	.key = events_key,
	.text_input = events_text_input,
};

/* ---- Alerts ---- */

enum alert_column { AC_TIME, AC_NEW, AC_TYPE, AC_RESOURCE, AC_TEXT, AC_LAST };

static const struct table_column alerts_columns[AC_LAST] = {
	[AC_TIME] = { "Time", 19, false },
	[AC_NEW] = { "New", 3, false },
	[AC_TYPE] = { "Type", 14, false },
	[AC_RESOURCE] = { "Resource", 8, false },
	[AC_TEXT] = { "Description", 0, false },
};

static size_t alerts_count(void *ctx)
{
	return ((struct app *)ctx)->alerts.count;
}

static enum theme_meaning alerts_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct alert *alert = &((struct app *)ctx)->alerts.list[row];

	switch (col) {
	case AC_TIME:
		events_time(alert->created, buf, size);
		break;
	case AC_NEW:
		snprintf(buf, size, "%s", alert->read ? "" : "*");
		return THEME_STATE_BAD;
	case AC_TYPE:
		snprintf(buf, size, "%s", alert->type);
		break;
	case AC_RESOURCE:
		snprintf(buf, size, "%.8s", alert->resource_id);
		break;
	case AC_TEXT:
		snprintf(buf, size, "%s", alert->description ? alert->description : "");
		break;
	}
	return THEME_NORMAL;
}

static bool alerts_greyed(void *ctx, size_t row)
{
	return ((struct app *)ctx)->alerts.list[row].read;
}

static const struct table_source alerts_source = { alerts_count, alerts_cell, NULL, alerts_greyed };

static void alerts_init(struct app *app)
{
	table_init(&app->alerts.table, alerts_columns, AC_LAST, &alerts_source, app);
	app->alerts.table.empty_text = "No alerts";
}

static void alerts_fini(struct app *app)
{
	store_alert_list_free(app->alerts.list, app->alerts.count);
	app->alerts.list = NULL;
	app->alerts.count = 0;
	table_free(&app->alerts.table);
}

static void alerts_enter(struct app *app)
{
	struct bd_error err = { 0 };
	struct alert *list = NULL;
	size_t count = 0;

	if (store_alert_list(app->store, EVENTS_SHOWN, &list, &count, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return;
	}
	store_alert_list_free(app->alerts.list, app->alerts.count);
	app->alerts.list = list;
	app->alerts.count = count;
	table_reload(&app->alerts.table);
	app->unread_alerts = store_alert_unread_count(app->store);
}

static void alerts_draw(struct app *app, struct grid *grid, int y, int h)
{
	const struct alert *alert;
	size_t row = table_selected_row(&app->alerts.table);
	int detail_h = 3;

	widget_place(&app->alerts.table.base, 0, y, grid->width, h - detail_h);
	app_draw_table(app, &app->alerts.table, grid, true);
	if (row == (size_t)-1)
		return;
	/* The whole text of the selected alert: table cells cut it. */
	alert = &app->alerts.list[row];
	grid_fill(grid, 0, y + h - detail_h, grid->width, 1, L'─', THEME_NORMAL);
	grid_printf(grid, 1, y + h - detail_h + 1, -1, THEME_NORMAL, "%s", alert->description
		    ? alert->description : "");
}

static int alerts_mark_read(struct app *app)
{
	struct bd_error err = { 0 };
	size_t row = table_selected_row(&app->alerts.table);

	if (row == (size_t)-1)
		return WF_HANDLED;
	if (store_alert_mark_read(app->store, app->alerts.list[row].id, &err) < 0)
		app_status(app, true, "%s", err.text);
	alerts_enter(app);
	return WF_HANDLED | WF_REDRAW;
}

static int alerts_key(struct app *app, int key)
{
	int flags = table_class.key(&app->alerts.table.base, key);

	if (flags & WF_ACTIVATE)
		return alerts_mark_read(app);
	return flags;
}

static bool alerts_text_input(struct app *app)
{
	return app->alerts.table.filtering;
}

static const struct key_binding alerts_keys[] = {
	{ 'r', "Read", "Mark the selected alert as read (Enter too)", alerts_mark_read },
};

const struct screen_class screen_alerts_class = {
	.title = "Alerts",
	.keys = alerts_keys,
	.nkey = sizeof alerts_keys / sizeof alerts_keys[0],
	.init = alerts_init,
	.fini = alerts_fini,
	.enter = alerts_enter,
	.draw = alerts_draw,
	.key = alerts_key,
	.text_input = alerts_text_input,
};
