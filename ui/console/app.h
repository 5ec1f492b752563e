/* The console's state and its one event loop, independent of the
 * terminal: term.c feeds keys, clicks and sizes in and blits the grid out;
 * the headless tests do the same with a fixed size and a text dump. */
#ifndef BOOTDECK_CONSOLE_APP_H
#define BOOTDECK_CONSOLE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend/store.h"
#include "backend/vmops.h"
#include "grid.h"
#include "model/theme-parse.h"
#include "model/wizard.h"
#include "widget.h"
#include "worker.h"

struct app;

enum screen_id {
	SCREEN_HOSTS,
	SCREEN_HOST_DETAIL,
	SCREEN_VMS,
	SCREEN_VM_DETAIL,
	SCREEN_DEPLOY,
	SCREEN_EVENTS,
	SCREEN_ALERTS,
	SCREEN_HELP,
	SCREEN_LAST
};

/* One row of a key table: the key bar and the help screen are generated
 * from these. */
struct key_binding {
	int key;
	const char *label;         /* key bar text; NULL keeps it off the bar */
	const char *help;          /* the help screen's sentence */
	int (*run)(struct app *app);
};

struct screen_class {
	const char *title;
	const struct key_binding *keys;
	size_t nkey;
	void (*init)(struct app *app);     /* once, at start */
	void (*fini)(struct app *app);     /* once, at the end */
	void (*enter)(struct app *app);    /* shown: (re)load its data */
	void (*draw)(struct app *app, struct grid *grid, int y, int h);
	int (*key)(struct app *app, int key);      /* widgets: navigation, text */
	bool (*text_input)(struct app *app);       /* typing goes to a field */
	void (*tick)(struct app *app);             /* periodic polling */
	void (*focus)(struct app *app, int index); /* mouse: focus a part */
};

extern const struct screen_class *const screen_classes[SCREEN_LAST];
extern const struct screen_class screen_hosts_class;
extern const struct screen_class screen_host_detail_class;
extern const struct screen_class screen_vms_class;
extern const struct screen_class screen_vm_detail_class;
extern const struct screen_class screen_deploy_class;
extern const struct screen_class screen_events_class;
extern const struct screen_class screen_alerts_class;
extern const struct screen_class screen_help_class;

/* ---- dialogs: modal, drawn over the screen ---- */

enum dialog_kind { DIALOG_NONE, DIALOG_CONFIRM, DIALOG_ALERT, DIALOG_PICK, DIALOG_FORM };

#define DIALOG_FIELDS_MAX 4

struct dialog {
	enum dialog_kind kind;
	char title[64];
	char text[BD_ERROR_TEXT_MAX + 256];
	bool error;
	struct buttons buttons;
	int (*on_ok)(struct app *app);   /* NULL: start `job` */
	struct job job;
	/* DIALOG_PICK */
	char **pick_labels;
	char **pick_ids;
	size_t npick;
	size_t pick_cursor;
	/* DIALOG_FORM */
	struct field fields[DIALOG_FIELDS_MAX];
	size_t nfield;
	size_t focus;                    /* fields, then the buttons */
};

/* ---- screen states ---- */

struct hosts_screen {
	struct host *list;
	size_t count;
	struct table table;
};

struct host_detail_screen {
	char host_id[ID_LEN];
	struct textview view;
};

struct vms_screen {
	struct vm *list;
	size_t count;
	struct table table;
};

#define TAIL_LINES 64
#define TAIL_LINE_MAX 160

struct vm_detail_screen {
	char vm_id[ID_LEN];
	struct vm vm;
	bool loaded;
	struct textview view;
	off_t log_size;            /* size at the last read; -1 unknown */
	ino_t log_inode;
	char tail[TAIL_LINES][TAIL_LINE_MAX];
	int ntail;
	char tail_note[128];
};

struct events_screen {
	struct event *list;
	size_t count;
	struct table table;
};

struct alerts_screen {
	struct alert *list;
	size_t count;
	struct table table;
};

/* What the Placement step lists: Automatic, each cluster, each host. */
struct place_row {
	enum wizard_target target;
	size_t index;
};

enum deploy_focus {
	DEPLOY_FOCUS_NAME,
	DEPLOY_FOCUS_BOOT_TYPE,
	DEPLOY_FOCUS_BOOT_MODE,
	DEPLOY_FOCUS_BUTTONS,
	DEPLOY_FOCUS_LAST
};

struct deploy_screen {
	struct wizard wizard;
	bool started;              /* input exists (kept across visits) */
	struct template *templates;
	size_t ntemplate;
	struct table template_table;
	struct service_offering *offerings;
	size_t noffering;
	struct table offering_table;
	struct cluster *clusters;
	size_t ncluster;
	struct host *hosts;
	size_t nhost;
	struct wizard_host *whosts;
	struct place_row *rows;
	size_t nrow;
	struct table place_table;
	struct field name;
	struct dropdown boot_type;
	struct dropdown boot_mode;
	const char *mode_items[BOOT_MODE_LAST];
	struct buttons buttons;
	enum deploy_focus focus;
	struct placement preview;
	bool preview_ok;
	char preview_error[BD_ERROR_TEXT_MAX];
	struct textview trail;
};

struct help_screen {
	struct textview view;
};

#define ZONES_MAX 256

enum zone_kind { ZONE_KEY, ZONE_ROW, ZONE_FOCUS };

/* Where a mouse click lands, recorded while drawing. */
struct zone {
	int x, y, w;
	enum zone_kind kind;
	int value;                 /* key, or focus index */
	struct table *table;
	size_t view_index;
};

#define APP_BACK_MAX 16

struct app {
	struct store *store;
	char *db_path;
	struct grid grid;
	enum screen_id screen;
	enum screen_id back[APP_BACK_MAX];
	int nback;
	struct theme theme;
	int theme_index;
	unsigned theme_generation;     /* bumped on every change, for term.c */
	char status[BD_ERROR_TEXT_MAX];
	bool status_error;
	int unread_alerts;
	struct dialog dialog;
	unsigned dialog_generation;
	struct worker worker;
	unsigned tick;
	bool quit;
	struct zone zones[ZONES_MAX];
	size_t nzone;

	struct hosts_screen hosts;
	struct host_detail_screen host_detail;
	struct vms_screen vms;
	struct vm_detail_screen vm_detail;
	struct events_screen events;
	struct alerts_screen alerts;
	struct deploy_screen deploy;
	struct help_screen help;
};

/* Opens the store; the first screen is Hosts. Returns NULL with err. */
struct app *app_new(const char *db_path, struct bd_error *err);
void app_free(struct app *app);

/* Sets the grid size (terminal resize); input is kept. */
int app_resize(struct app *app, int width, int height);
/* Handles one key; returns widget flags (WF_QUIT when leaving). */
int app_key(struct app *app, int key);
/* Feeds a UTF-8 string as keys, for tests and scripted input. */
void app_type(struct app *app, const char *text);
/* A mouse click at a cell. */
int app_click(struct app *app, int x, int y);
/* Periodic work: finished jobs, the console log tail, the alert count. */
int app_tick(struct app *app);
/* Waits for a running job and handles its result (tests). */
void app_wait(struct app *app);
/* Draws everything into app->grid. */
void app_render(struct app *app);

/* ---- used by the screens ---- */

void app_show(struct app *app, enum screen_id screen);
void app_back(struct app *app);
void app_status(struct app *app, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void app_zone(struct app *app, int x, int y, int w, enum zone_kind kind, int value,
	      struct table *table, size_t view_index);
/* Draws a table and records its rows as click zones. */
void app_draw_table(struct app *app, struct table *table, struct grid *grid, bool focus);

void app_alert(struct app *app, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Asks first; on Yes starts `job`. */
void app_confirm_job(struct app *app, const struct job *job, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void app_confirm(struct app *app, int (*on_yes)(struct app *app), const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Starts a job now, reporting a busy worker on the status line. */
int app_start_job(struct app *app, const struct job *job);
/* Opens a form dialog with the given field labels. */
struct dialog *app_form(struct app *app, const char *title, const char *const *labels,
			size_t nlabel, int (*on_ok)(struct app *app));
/* Opens a list to pick from; ids are the values, labels what shows. */
void app_pick(struct app *app, const char *title, char **labels, char **ids, size_t n,
	      int (*on_ok)(struct app *app));

/* Selecting a theme by name (themes/NAME.theme); the default on errors. */
int app_theme_set(struct app *app, const char *name, struct bd_error *err);

/* The theme at start: monochrome when colour is off (NO_COLOR, a terminal
 * without colours); else `name` (--theme), else the config file's, else
 * the default. A broken or unknown theme leaves the default in place and
 * says why on the status line. */
void app_theme_start(struct app *app, const char *name, bool colour);

/* The global keys and the navigation keys, for the help screen. */
extern const struct key_binding app_global_keys[];
extern const size_t app_global_nkey;
extern const struct key_binding app_navigation_keys[];
extern const size_t app_navigation_nkey;

/* Draws text wrapped at spaces into at most max_lines lines; returns the
 * lines used. */
int app_wrap_text(struct grid *grid, int x, int y, int width, int max_lines,
		  enum theme_meaning style, const char *text);
/* A placement trail (JSON) as readable lines. */
void screen_placement_render(struct textview *view, const char *json, bool with_summary);

/* Screens open each other through these. */
void screen_host_detail_open(struct app *app, const char *host_id);
void screen_vm_detail_open(struct app *app, const char *vm_id);
/* Job results for the screens that asked. */
void screen_deploy_finished(struct app *app, const struct job *job);

/* Helpers shared by the host screens. */
const char *host_uefi_label(const struct host *host);
enum theme_meaning host_uefi_style(const struct host *host);

#endif
