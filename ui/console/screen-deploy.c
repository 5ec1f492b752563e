/* Deploy: the wizard (Template -> Offering -> Placement -> Review). The
 * rules live in model/wizard.c; this file shows them and runs the deploy
 * on the worker. Input stays until a deploy succeeds. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "model/text.h"

static const char *const deploy_boot_types[BOOT_TYPE_LAST] = { "BIOS", "UEFI" };
static const char *const deploy_button_labels[] = { "Deploy", "Back", "Cancel" };
enum { BUTTON_DEPLOY, BUTTON_BACK, BUTTON_CANCEL };

/* ---- tables of the first three steps ---- */

static const struct table_column template_columns[] = {
	{ "Template", 0, false }, { "Format", 8, false }, { "Size MiB", 10, true },
};

static size_t template_count(void *ctx)
{
	return ((struct app *)ctx)->deploy.ntemplate;
}

static enum theme_meaning template_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct template *t = &((struct app *)ctx)->deploy.templates[row];

	if (col == 0)
		snprintf(buf, size, "%s", t->name);
	else if (col == 1)
		snprintf(buf, size, "%s", template_format_name(t->format));
	else
		snprintf(buf, size, "%" PRId64, t->size_bytes / (1024 * 1024));
	return THEME_NORMAL;
}

static const struct table_source template_source = { template_count, template_cell, NULL, NULL };

static const struct table_column offering_columns[] = {
	{ "Offering", 0, false }, { "vCPUs", 6, true }, { "Memory MiB", 11, true },
};

static size_t offering_count(void *ctx)
{
	return ((struct app *)ctx)->deploy.noffering;
}

static enum theme_meaning offering_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct service_offering *o = &((struct app *)ctx)->deploy.offerings[row];

	if (col == 0)
		snprintf(buf, size, "%s", o->name);
	else if (col == 1)
		snprintf(buf, size, "%d", o->cpunumber);
	else
		snprintf(buf, size, "%" PRId64, o->memory_mib);
	return THEME_NORMAL;
}

static const struct table_source offering_source = { offering_count, offering_cell, NULL, NULL };

static const struct table_column place_columns[] = {
	{ "Placement", 0, false }, { "Cluster", 12, false }, { "UEFI", 13, false },
	{ "Can boot", 24, false },
};

static size_t place_count(void *ctx)
{
	return ((struct app *)ctx)->deploy.nrow;
}

static enum plan_reason place_reason(const struct deploy_screen *deploy, size_t host)
{
	return wizard_host_check(&deploy->whosts[host], deploy->wizard.boot, deploy->wizard.cpu,
				 deploy->wizard.mem_mib);
}

static enum theme_meaning place_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct deploy_screen *deploy = &((struct app *)ctx)->deploy;
	const struct place_row *r = &deploy->rows[row];

	buf[0] = '\0';
	switch (r->target) {
	case WIZARD_TARGET_AUTO:
		if (col == 0)
			snprintf(buf, size, "Automatic");
		else if (col == 3)
			snprintf(buf, size, "the planner picks");
		break;
	case WIZARD_TARGET_CLUSTER:
		if (col == 0)
			snprintf(buf, size, "Cluster %s", deploy->clusters[r->index].name);
		else if (col == 1)
			snprintf(buf, size, "%s", deploy->clusters[r->index].name);
		break;
	case WIZARD_TARGET_HOST: {
		const struct host *host = &deploy->hosts[r->index];
		enum plan_reason reason = place_reason(deploy, r->index);

		if (col == 0)
			snprintf(buf, size, "Host %s", host->name);
		else if (col == 1)
			snprintf(buf, size, "%s", host->cluster_name);
		else if (col == 2) {
			snprintf(buf, size, "%s", host_uefi_label(host));
			return host_uefi_style(host);
		} else if (reason == PLAN_CHOSEN)
			snprintf(buf, size, "yes");
		else
			snprintf(buf, size, "no: %s", plan_reason_text(reason));
		break;
	}
	default:
		break;
	}
	return THEME_NORMAL;
}

static bool place_greyed(void *ctx, size_t row)
{
	const struct deploy_screen *deploy = &((struct app *)ctx)->deploy;
	const struct place_row *r = &deploy->rows[row];

	return r->target == WIZARD_TARGET_HOST && place_reason(deploy, r->index) != PLAN_CHOSEN;
}

static const struct table_source place_source = { place_count, place_cell, NULL, place_greyed };

/* ---- data ---- */

static int deploy_name_validate(const char *text, struct bd_error *err)
{
	return name_check("name", text, err);
}

static void deploy_init(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;

	wizard_init(&deploy->wizard);
	table_init(&deploy->template_table, template_columns, 3, &template_source, app);
	deploy->template_table.empty_text = "No templates: register one with the CLI (registerTemplate)";
	table_init(&deploy->offering_table, offering_columns, 3, &offering_source, app);
	deploy->offering_table.empty_text =
		"No service offerings: create one with the CLI (createServiceOffering)";
	table_init(&deploy->place_table, place_columns, 4, &place_source, app);
	field_init(&deploy->name, "Name", deploy_name_validate);
	dropdown_init(&deploy->boot_type, "Boot Type", deploy_boot_types, BOOT_TYPE_LAST);
	dropdown_init(&deploy->boot_mode, "Boot Mode", deploy->mode_items, 0);
	buttons_init(&deploy->buttons, deploy_button_labels, 3);
	textview_init(&deploy->trail);
}

static void deploy_free_data(struct deploy_screen *deploy)
{
	store_template_list_free(deploy->templates, deploy->ntemplate);
	free(deploy->offerings);
	free(deploy->clusters);
	store_host_list_free(deploy->hosts, deploy->nhost);
	free(deploy->whosts);
	free(deploy->rows);
	deploy->templates = NULL;
	deploy->offerings = NULL;
	deploy->clusters = NULL;
	deploy->hosts = NULL;
	deploy->whosts = NULL;
	deploy->rows = NULL;
	deploy->ntemplate = deploy->noffering = deploy->ncluster = deploy->nhost = 0;
	deploy->nrow = 0;
}

static void deploy_fini(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;

	deploy_free_data(deploy);
	table_free(&deploy->template_table);
	table_free(&deploy->offering_table);
	table_free(&deploy->place_table);
	placement_clear(&deploy->preview);
	textview_free(&deploy->trail);
}

static void deploy_sync_modes(struct deploy_screen *deploy)
{
	enum boot_mode modes[BOOT_MODE_LAST];
	size_t n = wizard_modes_offered(deploy->wizard.boot.type, modes);
	size_t selected = 0;

	for (size_t i = 0; i < n; i++) {
		deploy->mode_items[i] = boot_mode_name(modes[i]);
		if (modes[i] == deploy->wizard.boot.mode)
			selected = i;
	}
	dropdown_set_items(&deploy->boot_mode, deploy->mode_items, n, selected);
	deploy->boot_type.selected = deploy->wizard.boot.type;
}

static void deploy_preview(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct wizard *w = &deploy->wizard;
	struct bd_error err = { 0 };
	struct bd_error name_err = { 0 };
	char placeholder[NAME_SIZE];
	struct deploy_request req = {
		.name = deploy->name.text,
		.template_id = w->template_id,
		.offering_id = w->offering_id,
		.boottype = boot_type_name(w->boot.type),
		.bootmode = boot_mode_name(w->boot.mode),
		.cluster_id = w->target == WIZARD_TARGET_CLUSTER ? w->cluster_id : NULL,
		.host_id = w->target == WIZARD_TARGET_HOST ? w->host_id : NULL,
		.start = true,
	};

	/* Planning does not depend on the name: until a valid one is typed a
	 * placeholder no VM carries stands in, so the preview never reports
	 * on a name the operator did not type (the field says what is wrong
	 * with theirs, and submit checks it). */
	if (name_check("name", deploy->name.text, &name_err) < 0) {
		struct vm vm = { 0 };

		for (int i = 1; i < 1000; i++) {
			snprintf(placeholder, sizeof placeholder, "bootdeck-preview-%d", i);
			if (store_vm_get(app->store, placeholder, &vm, NULL) < 0)
				break;
			vm_clear(&vm);
		}
		req.name = placeholder;
	}
	placement_clear(&deploy->preview);
	memset(&deploy->preview, 0, sizeof deploy->preview);
	textview_clear(&deploy->trail);
	deploy->preview_ok = vmops_preview(app->store, &req, &deploy->preview, &err) == 0;
	if (!deploy->preview_ok)
		snprintf(deploy->preview_error, sizeof deploy->preview_error, "%s", err.text);
	if (deploy->preview.trail_json)
		screen_placement_render(&deploy->trail, deploy->preview.trail_json, false);
}

/* Loads what the wizard lists; the wizard's own input is left alone. */
static void deploy_enter(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct host_filter filter = { .uefi = -1 };
	struct bd_error err = { 0 };
	size_t nrow;

	deploy_free_data(deploy);
	if (store_template_list(app->store, &deploy->templates, &deploy->ntemplate, &err) < 0 ||
	    store_offering_list(app->store, &deploy->offerings, &deploy->noffering, &err) < 0 ||
	    store_cluster_list(app->store, &deploy->clusters, &deploy->ncluster, &err) < 0 ||
	    store_host_list(app->store, &filter, &deploy->hosts, &deploy->nhost, &err) < 0) {
		app_status(app, true, "%s", err.text);
	}
	nrow = 1 + deploy->ncluster + deploy->nhost;
	deploy->whosts = calloc(deploy->nhost ? deploy->nhost : 1, sizeof *deploy->whosts);
	deploy->rows = calloc(nrow, sizeof *deploy->rows);
	if (!deploy->whosts || !deploy->rows) {
		app_status(app, true, "out of memory loading the fleet");
		deploy_free_data(deploy);
		return;
	}
	for (size_t i = 0; i < deploy->nhost; i++) {
		const struct host *h = &deploy->hosts[i];
		double cpu_factor = 1.0, mem_factor = 1.0;

		for (size_t c = 0; c < deploy->ncluster; c++) {
			if (strcmp(deploy->clusters[c].id, h->cluster_id) == 0) {
				cpu_factor = deploy->clusters[c].cpu_overcommit;
				mem_factor = deploy->clusters[c].mem_overcommit;
			}
		}
		deploy->whosts[i] = (struct wizard_host){
			.id = h->id,
			.name = h->name,
			.cluster_id = h->cluster_id,
			.up = h->state == HOST_STATE_UP,
			.enabled = h->allocation == ALLOCATION_ENABLED,
			.uefi = h->caps.uefi,
			.secure = h->caps.secure,
			.cpu_free = (int64_t)(h->cpus * cpu_factor) - h->cpu_allocated,
			.mem_free_mib = (int64_t)((double)h->memory_mib * mem_factor) -
					h->memory_allocated_mib,
		};
	}
	deploy->nrow = 0;
	deploy->rows[deploy->nrow++] = (struct place_row){ WIZARD_TARGET_AUTO, 0 };
	for (size_t c = 0; c < deploy->ncluster; c++)
		deploy->rows[deploy->nrow++] = (struct place_row){ WIZARD_TARGET_CLUSTER, c };
	for (size_t h = 0; h < deploy->nhost; h++)
		deploy->rows[deploy->nrow++] = (struct place_row){ WIZARD_TARGET_HOST, h };
	table_reload(&deploy->template_table);
	table_reload(&deploy->offering_table);
	table_reload(&deploy->place_table);
	if (!deploy->started) {
		wizard_init(&deploy->wizard);
		field_set_text(&deploy->name, "");
		deploy->focus = DEPLOY_FOCUS_NAME;
		deploy->buttons.focus = BUTTON_DEPLOY;
		deploy->started = true;
	}
	deploy_sync_modes(deploy);
	if (deploy->wizard.step == WIZARD_STEP_REVIEW)
		deploy_preview(app);
}

static void deploy_reset(struct app *app)
{
	app->deploy.started = false;
	app->deploy.template_table.selected = 0;
	app->deploy.offering_table.selected = 0;
	app->deploy.place_table.selected = 0;
}

/* ---- drawing ---- */

static const char *deploy_template_name(const struct deploy_screen *deploy)
{
	for (size_t i = 0; i < deploy->ntemplate; i++) {
		if (strcmp(deploy->templates[i].id, deploy->wizard.template_id) == 0)
			return deploy->templates[i].name;
	}
	return "-";
}

static const struct service_offering *deploy_offering(const struct deploy_screen *deploy)
{
	for (size_t i = 0; i < deploy->noffering; i++) {
		if (strcmp(deploy->offerings[i].id, deploy->wizard.offering_id) == 0)
			return &deploy->offerings[i];
	}
	return NULL;
}

static void deploy_target_text(const struct deploy_screen *deploy, char *buf, size_t size)
{
	const struct wizard *w = &deploy->wizard;

	snprintf(buf, size, "Automatic");
	for (size_t i = 0; w->target == WIZARD_TARGET_CLUSTER && i < deploy->ncluster; i++) {
		if (strcmp(deploy->clusters[i].id, w->cluster_id) == 0)
			snprintf(buf, size, "cluster %s", deploy->clusters[i].name);
	}
	for (size_t i = 0; w->target == WIZARD_TARGET_HOST && i < deploy->nhost; i++) {
		if (strcmp(deploy->hosts[i].id, w->host_id) == 0)
			snprintf(buf, size, "host %s", deploy->hosts[i].name);
	}
}

static void deploy_draw_steps(struct app *app, struct grid *grid, int y)
{
	const struct wizard *w = &app->deploy.wizard;
	int x = 1;

	x += grid_printf(grid, x, y, -1, THEME_LABEL, "Step %d of %d: ", (int)w->step + 1,
			 WIZARD_STEP_LAST);
	for (int s = 0; s < WIZARD_STEP_LAST; s++) {
		enum theme_meaning style = s == (int)w->step ? THEME_FIELD_FOCUS
				       : s < (int)w->step ? THEME_STATE_GOOD : THEME_ROW_GREYED;

		if (s > 0)
			x += grid_text(grid, x, y, -1, THEME_NORMAL, " > ");
		x += grid_text(grid, x, y, -1, style, enum_name(&wizard_step_table, s));
	}
}

static void deploy_draw_review(struct app *app, struct grid *grid, int y, int h)
{
	struct deploy_screen *deploy = &app->deploy;
	const struct service_offering *offering = deploy_offering(deploy);
	char target[NAME_SIZE + 16];
	int w = grid->width - 2 < 70 ? grid->width - 2 : 70;
	int row = y;
	int bottom = y + h;

	deploy_target_text(deploy, target, sizeof target);
	/* Two lines, so all of it shows at 80 columns. */
	grid_printf(grid, 1, row++, -1, THEME_NORMAL, "Template: %s   Offering: %s (%d vCPU, %" PRId64
		    " MiB)", deploy_template_name(deploy), offering ? offering->name : "-",
		    deploy->wizard.cpu, deploy->wizard.mem_mib);
	grid_printf(grid, 1, row++, -1, THEME_NORMAL, "Placement: %s", target);
	row++;
	widget_place(&deploy->name.base, 1, row, w, 2);
	field_class.draw(&deploy->name.base, grid, deploy->focus == DEPLOY_FOCUS_NAME);
	app_zone(app, 1, row, w, ZONE_FOCUS, DEPLOY_FOCUS_NAME, NULL, 0);
	row += 2;
	widget_place(&deploy->boot_type.base, 1, row, 30, 1);
	dropdown_class.draw(&deploy->boot_type.base, grid, deploy->focus == DEPLOY_FOCUS_BOOT_TYPE);
	app_zone(app, 1, row, 30, ZONE_FOCUS, DEPLOY_FOCUS_BOOT_TYPE, NULL, 0);
	widget_place(&deploy->boot_mode.base, 33, row, 30, 1);
	dropdown_class.draw(&deploy->boot_mode.base, grid, deploy->focus == DEPLOY_FOCUS_BOOT_MODE);
	app_zone(app, 33, row, 30, ZONE_FOCUS, DEPLOY_FOCUS_BOOT_MODE, NULL, 0);
	row += 2;
	widget_place(&deploy->buttons.base, 1, row, w, 1);
	buttons_class.draw(&deploy->buttons.base, grid, deploy->focus == DEPLOY_FOCUS_BUTTONS);
	for (size_t i = 0; i < deploy->buttons.nlabel; i++)
		app_zone(app, 1 + buttons_offset(&deploy->buttons, i), row,
			 grid_text_width(deploy->buttons.labels[i]) + 4, ZONE_FOCUS, 100 + (int)i,
			 NULL, 0);
	row += 2;
	if (row < bottom) {
		grid_text(grid, 1, row++, -1, THEME_TABLE_HEADER, "Placement preview");
		if (deploy->preview_ok)
			row += app_wrap_text(grid, 1, row, grid->width - 2, bottom - row,
					     THEME_STATE_GOOD, deploy->preview.summary
					     ? deploy->preview.summary : deploy->preview.host_name);
		else
			row += app_wrap_text(grid, 1, row, grid->width - 2, bottom - row,
					     THEME_STATE_BAD, deploy->preview_error);
	}
	if (row < bottom) {
		widget_place(&deploy->trail.base, 1, row, grid->width - 2, bottom - row);
		textview_class.draw(&deploy->trail.base, grid, false);
	}
	dropdown_draw_popup(&deploy->boot_type, grid);
	dropdown_draw_popup(&deploy->boot_mode, grid);
}

static void deploy_draw(struct app *app, struct grid *grid, int y, int h)
{
	struct deploy_screen *deploy = &app->deploy;
	struct table *table = NULL;

	deploy_draw_steps(app, grid, y);
	switch (deploy->wizard.step) {
	case WIZARD_STEP_TEMPLATE:
		table = &deploy->template_table;
		break;
	case WIZARD_STEP_OFFERING:
		table = &deploy->offering_table;
		break;
	case WIZARD_STEP_PLACEMENT:
		table = &deploy->place_table;
		grid_printf(grid, 1, y + 1, -1, THEME_NORMAL,
			    "Hosts that cannot boot %s are greyed out, with the reason.",
			    boot_choice_label(deploy->wizard.boot));
		break;
	default:
		deploy_draw_review(app, grid, y + 2, h - 2);
		return;
	}
	widget_place(&table->base, 0, y + 2, grid->width, h - 2);
	app_draw_table(app, table, grid, true);
}

/* ---- input ---- */

static void deploy_mode_changed(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct bd_error err = { 0 };
	enum boot_mode mode = (enum boot_mode)enum_parse(&boot_mode_table, "bootmode",
		deploy->mode_items[deploy->boot_mode.selected], &err);

	if (wizard_set_boot_mode(&deploy->wizard, mode, &err) < 0)
		app_status(app, true, "%s", err.text);
	deploy_preview(app);
}

static void deploy_type_changed(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;

	wizard_set_boot_type(&deploy->wizard, (enum boot_type)deploy->boot_type.selected,
			     deploy->whosts, deploy->nhost);
	deploy_sync_modes(deploy);
	app_status(app, false, "Boot Mode %s offered: %s", boot_mode_name(deploy->wizard.boot.mode),
		   deploy->wizard.boot.type == BOOT_TYPE_BIOS
			   ? "BIOS boots LEGACY only"
		   : deploy->wizard.boot.mode == BOOT_MODE_SECURE
			   ? "a Secure Boot host has room"
			   : "no Secure Boot host has room");
	deploy_preview(app);
}

static void deploy_submit(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct wizard *w = &deploy->wizard;
	struct bd_error err = { 0 };
	struct job job = { .kind = JOB_DEPLOY };

	snprintf(w->name, sizeof w->name, "%s", deploy->name.text);
	if (wizard_check(w, deploy->whosts, deploy->nhost, &err) < 0) {
		app_status(app, true, "%s", err.text);
		if (field_check(&deploy->name) < 0)
			deploy->focus = DEPLOY_FOCUS_NAME;
		return;
	}
	snprintf(job.object, sizeof job.object, "%s", w->name);
	snprintf(job.name, sizeof job.name, "%s", w->name);
	snprintf(job.template_id, sizeof job.template_id, "%s", w->template_id);
	snprintf(job.offering_id, sizeof job.offering_id, "%s", w->offering_id);
	snprintf(job.boottype, sizeof job.boottype, "%s", boot_type_name(w->boot.type));
	snprintf(job.bootmode, sizeof job.bootmode, "%s", boot_mode_name(w->boot.mode));
	if (w->target == WIZARD_TARGET_CLUSTER)
		snprintf(job.cluster_id, sizeof job.cluster_id, "%s", w->cluster_id);
	if (w->target == WIZARD_TARGET_HOST)
		snprintf(job.host_id, sizeof job.host_id, "%s", w->host_id);
	app_start_job(app, &job);
}

void screen_deploy_finished(struct app *app, const struct job *job)
{
	if (job->rc < 0) {
		/* Everything typed and picked stays for a retry. */
		app_alert(app, "Deploy failed", "Deploy '%s' failed [%d]: %s", job->name,
			  job->err.code, job->err.text);
		app_status(app, true, "Deploy '%s' failed", job->name);
		if (app->screen == SCREEN_DEPLOY)
			deploy_enter(app);
		return;
	}
	deploy_reset(app);
	app_status(app, false, "Deployed '%s'", job->name);
	screen_vm_detail_open(app, job->result_id);
	app_status(app, false, "Deployed '%s'", job->name);
}

static void deploy_step_entered(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;

	if (deploy->wizard.step == WIZARD_STEP_REVIEW) {
		deploy->focus = DEPLOY_FOCUS_NAME;
		deploy_sync_modes(deploy);
		deploy_preview(app);
	}
	if (deploy->wizard.step == WIZARD_STEP_PLACEMENT)
		table_reload(&deploy->place_table); /* greying follows the boot choice */
}

static int deploy_choose(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct wizard *w = &deploy->wizard;
	struct bd_error err = { 0 };
	size_t row;

	switch (w->step) {
	case WIZARD_STEP_TEMPLATE:
		row = table_selected_row(&deploy->template_table);
		if (row != (size_t)-1)
			wizard_set_template(w, deploy->templates[row].id);
		break;
	case WIZARD_STEP_OFFERING:
		row = table_selected_row(&deploy->offering_table);
		if (row != (size_t)-1)
			wizard_set_offering(w, deploy->offerings[row].id,
					    deploy->offerings[row].cpunumber,
					    deploy->offerings[row].memory_mib);
		break;
	case WIZARD_STEP_PLACEMENT: {
		const struct place_row *r;

		row = table_selected_row(&deploy->place_table);
		if (row == (size_t)-1)
			break;
		r = &deploy->rows[row];
		wizard_set_target(w, r->target,
				  r->target == WIZARD_TARGET_CLUSTER ? deploy->clusters[r->index].id
				  : r->target == WIZARD_TARGET_HOST ? deploy->hosts[r->index].id
								     : NULL);
		break;
	}
	default:
		break;
	}
	if (wizard_next(w, deploy->whosts, deploy->nhost, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return WF_HANDLED | WF_REDRAW;
	}
	app->status[0] = '\0';
	deploy_step_entered(app);
	return WF_HANDLED | WF_REDRAW;
}

static int deploy_back(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;

	if (wizard_back(&deploy->wizard)) {
		deploy_step_entered(app);
		return WF_HANDLED | WF_REDRAW;
	}
	app_back(app);
	return WF_HANDLED | WF_REDRAW;
}

static int deploy_button(struct app *app)
{
	switch (app->deploy.buttons.focus) {
	case BUTTON_DEPLOY:
		deploy_submit(app);
		break;
	case BUTTON_BACK:
		return deploy_back(app);
	default:
		deploy_reset(app);
		app_back(app);
		break;
	}
	return WF_HANDLED | WF_REDRAW;
}

/* A valid name already in use is flagged as it is typed, not at submit. */
static void deploy_name_taken(struct app *app)
{
	struct field *name = &app->deploy.name;
	struct vm vm = { 0 };

	if (name->invalid || store_vm_get(app->store, name->text, &vm, NULL) < 0)
		return;
	vm_clear(&vm);
	name->invalid = true;
	snprintf(name->message, sizeof name->message,
		 "a VM named '%s' already exists: pick another name", name->text);
}

static int deploy_review_key(struct app *app, int key)
{
	struct deploy_screen *deploy = &app->deploy;
	int flags;

	if (deploy->boot_type.open || deploy->boot_mode.open) {
		struct dropdown *d = deploy->boot_type.open ? &deploy->boot_type : &deploy->boot_mode;

		flags = dropdown_class.key(&d->base, key);
		goto changed;
	}
	switch (key) {
	case CK_TAB:
	case CK_DOWN:
		deploy->focus = (deploy->focus + 1) % DEPLOY_FOCUS_LAST;
		return WF_HANDLED | WF_REDRAW;
	case CK_BTAB:
	case CK_UP:
		deploy->focus = (deploy->focus + DEPLOY_FOCUS_LAST - 1) % DEPLOY_FOCUS_LAST;
		return WF_HANDLED | WF_REDRAW;
	case CK_ESC:
		return deploy_back(app);
	default:
		break;
	}
	switch (deploy->focus) {
	case DEPLOY_FOCUS_NAME:
		if (key == CK_ENTER) {
			deploy->focus = DEPLOY_FOCUS_BOOT_TYPE;
			return WF_HANDLED | WF_REDRAW;
		}
		flags = field_class.key(&deploy->name.base, key);
		if (flags & WF_CHANGED) {
			snprintf(deploy->wizard.name, sizeof deploy->wizard.name, "%s",
				 deploy->name.text);
			deploy_name_taken(app);
			deploy_preview(app);
		}
		return flags;
	case DEPLOY_FOCUS_BOOT_TYPE:
		flags = dropdown_class.key(&deploy->boot_type.base, key);
		break;
	case DEPLOY_FOCUS_BOOT_MODE:
		flags = dropdown_class.key(&deploy->boot_mode.base, key);
		break;
	default:
		flags = buttons_class.key(&deploy->buttons.base, key);
		if (flags & WF_ACTIVATE)
			return deploy_button(app);
		return flags;
	}
changed:
	if (flags & WF_CHANGED) {
		if (deploy->focus == DEPLOY_FOCUS_BOOT_TYPE)
			deploy_type_changed(app);
		else
			deploy_mode_changed(app);
	}
	return flags;
}

static struct table *deploy_table(struct deploy_screen *deploy)
{
	switch (deploy->wizard.step) {
	case WIZARD_STEP_TEMPLATE:
		return &deploy->template_table;
	case WIZARD_STEP_OFFERING:
		return &deploy->offering_table;
	case WIZARD_STEP_PLACEMENT:
		return &deploy->place_table;
	default:
		return NULL;
	}
}

static int deploy_key(struct app *app, int key)
{
	struct deploy_screen *deploy = &app->deploy;
	struct table *table = deploy_table(deploy);
	int flags;

	if (!table)
		return deploy_review_key(app, key);
	if (key == CK_ESC && !table->filtering)
		return deploy_back(app);
	flags = table_class.key(&table->base, key);
	if (flags & WF_ACTIVATE)
		return deploy_choose(app);
	return flags;
}

static bool deploy_text_input(struct app *app)
{
	struct deploy_screen *deploy = &app->deploy;
	struct table *table = deploy_table(deploy);

	if (table)
		return table->filtering;
	/* On Review every key goes to the form: the name field takes text,
	 * and Esc steps back rather than leaving the wizard. */
	return deploy->focus == DEPLOY_FOCUS_NAME || deploy->boot_type.open ||
	       deploy->boot_mode.open;
}

static void deploy_focus(struct app *app, int index)
{
	struct deploy_screen *deploy = &app->deploy;

	if (index >= 100) {
		deploy->focus = DEPLOY_FOCUS_BUTTONS;
		deploy->buttons.focus = (size_t)(index - 100);
		deploy_button(app);
		return;
	}
	deploy->focus = (enum deploy_focus)index;
	if (index == DEPLOY_FOCUS_BOOT_TYPE)
		deploy->boot_type.open = true;
	if (index == DEPLOY_FOCUS_BOOT_MODE)
		deploy->boot_mode.open = true;
}

static const struct key_binding deploy_keys[] = {
	{ CK_ENTER, "Next", "Take the row and go to the next step; Review: press the button", NULL },
	{ CK_ESC, "Back", "Go to the previous step (leaves the wizard from the first)", NULL },
	{ CK_TAB, "Field", "Review: next field (Name, Boot Type, Boot Mode, buttons)", NULL },
};

const struct screen_class screen_deploy_class = {
	.title = "Deploy",
	.keys = deploy_keys,
	.nkey = sizeof deploy_keys / sizeof deploy_keys[0],
	.init = deploy_init,
	.fini = deploy_fini,
	.enter = deploy_enter,
	.draw = deploy_draw,
	.key = deploy_key,
	.text_input = deploy_text_input,
	.focus = deploy_focus,
};
