/* Virtual Machines and VM detail: guests, their firmware, why they were
 * placed where they are, their events and their serial console. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

enum vm_column { VC_NAME, VC_STATE, VC_HOST, VC_BOOT_TYPE, VC_BOOT_MODE, VC_LAST };

static const struct table_column vms_columns[VC_LAST] = {
	[VC_NAME] = { "Name", 0, false },
	[VC_STATE] = { "State", 10, false },
	[VC_HOST] = { "Host", 18, false },
	[VC_BOOT_TYPE] = { "Boot Type", 9, false },
	[VC_BOOT_MODE] = { "Boot Mode", 9, false },
};

static size_t vms_count(void *ctx)
{
	return ((struct app *)ctx)->vms.count;
}

static enum theme_meaning vm_state_style(enum vm_state state)
{
	switch (state) {
	case VM_STATE_RUNNING:
		return THEME_STATE_GOOD;
	case VM_STATE_ERROR:
		return THEME_STATE_BAD;
	default:
		return THEME_NORMAL;
	}
}

static enum theme_meaning vms_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct vm *vm = &((struct app *)ctx)->vms.list[row];

	switch (col) {
	case VC_NAME:
		snprintf(buf, size, "%s", vm->name);
		break;
	case VC_STATE:
		snprintf(buf, size, "%s", vm_state_name(vm->state));
		return vm_state_style(vm->state);
	case VC_HOST:
		snprintf(buf, size, "%s", vm->host_name[0] ? vm->host_name : "-");
		break;
	case VC_BOOT_TYPE:
		snprintf(buf, size, "%s", boot_type_name(vm->boot.type));
		break;
	case VC_BOOT_MODE:
		snprintf(buf, size, "%s", boot_mode_name(vm->boot.mode));
		return vm->boot.mode == BOOT_MODE_SECURE ? THEME_UEFI_SECURE : THEME_NORMAL;
	}
	return THEME_NORMAL;
}

static int vms_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct vm *va = &((struct app *)ctx)->vms.list[a];
	const struct vm *vb = &((struct app *)ctx)->vms.list[b];

	switch (col) {
	case VC_STATE:
		return (int)va->state - (int)vb->state;
	case VC_HOST:
		return strcasecmp(va->host_name, vb->host_name);
	case VC_BOOT_TYPE:
		return (int)va->boot.type - (int)vb->boot.type;
	case VC_BOOT_MODE:
		return (int)va->boot.mode - (int)vb->boot.mode;
	default:
		return strcasecmp(va->name, vb->name);
	}
}

static const struct table_source vms_source = { vms_count, vms_cell, vms_compare, NULL };

static void vms_init(struct app *app)
{
	table_init(&app->vms.table, vms_columns, VC_LAST, &vms_source, app);
	app->vms.table.empty_text = "No virtual machines yet: press d to deploy one";
}

static void vms_fini(struct app *app)
{
	store_vm_list_free(app->vms.list, app->vms.count);
	app->vms.list = NULL;
	app->vms.count = 0;
	table_free(&app->vms.table);
}

static void vms_enter(struct app *app)
{
	struct vm_filter filter = { .state = -1 };
	struct bd_error err = { 0 };
	struct vm *list = NULL;
	size_t count = 0;
	size_t keep = table_selected_row(&app->vms.table);
	char keep_id[ID_LEN] = "";

	if (keep != (size_t)-1)
		snprintf(keep_id, sizeof keep_id, "%s", app->vms.list[keep].id);
	if (store_vm_list(app->store, &filter, &list, &count, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return;
	}
	store_vm_list_free(app->vms.list, app->vms.count);
	app->vms.list = list;
	app->vms.count = count;
	app->vms.table.selected = 0;
	table_reload(&app->vms.table);
	for (size_t i = 0; keep_id[0] && i < count; i++) {
		if (strcmp(list[i].id, keep_id) == 0)
			table_select_row(&app->vms.table, i);
	}
}

static void vms_draw(struct app *app, struct grid *grid, int y, int h)
{
	struct table *table = &app->vms.table;

	widget_place(&table->base, 0, y, grid->width, h);
	app_draw_table(app, table, grid, true);
	grid_printf(grid, grid->width - 22, 0, 12, THEME_TITLE, "%10zu/%zu", table->nview,
		    app->vms.count);
}

static bool vms_text_input(struct app *app)
{
	return app->vms.table.filtering;
}

static const struct vm *vms_selected(struct app *app)
{
	size_t row = table_selected_row(&app->vms.table);

	return row == (size_t)-1 ? NULL : &app->vms.list[row];
}

static int vms_key(struct app *app, int key)
{
	int flags = table_class.key(&app->vms.table.base, key);

	if (flags & WF_ACTIVATE)
		screen_vm_detail_open(app, vms_selected(app)->id);
	return flags;
}

/* The VM an action applies to: the selected row, or the detail's VM. */
static bool vms_current(struct app *app, struct job *job, enum job_kind kind)
{
	const char *id = NULL, *name = NULL;

	if (app->screen == SCREEN_VM_DETAIL && app->vm_detail.loaded) {
		id = app->vm_detail.vm.id;
		name = app->vm_detail.vm.name;
	} else if (app->screen == SCREEN_VMS && vms_selected(app)) {
		id = vms_selected(app)->id;
		name = vms_selected(app)->name;
	}
	if (!id) {
		app_status(app, true, "No virtual machine selected");
		return false;
	}
	memset(job, 0, sizeof *job);
	job->kind = kind;
	snprintf(job->id, sizeof job->id, "%s", id);
	snprintf(job->object, sizeof job->object, "%s", name);
	return true;
}

static int vms_run(struct app *app, enum job_kind kind)
{
	struct job job;

	if (vms_current(app, &job, kind))
		app_start_job(app, &job);
	return WF_REDRAW;
}

static int vms_start(struct app *app)
{
	return vms_run(app, JOB_VM_START);
}

static int vms_stop(struct app *app)
{
	return vms_run(app, JOB_VM_STOP);
}

static int vms_reboot(struct app *app)
{
	return vms_run(app, JOB_VM_REBOOT);
}

static int vms_force_stop(struct app *app)
{
	struct job job;

	if (vms_current(app, &job, JOB_VM_FORCE_STOP))
		app_confirm_job(app, &job, "Force stop '%s'? The guest is cut off like a power cut.",
				job.object);
	return WF_REDRAW;
}

static int vms_destroy(struct app *app)
{
	struct job job;

	if (vms_current(app, &job, JOB_VM_DESTROY))
		app_confirm_job(app, &job, "Destroy '%s'? The guest stops and is marked Destroyed.",
				job.object);
	return WF_REDRAW;
}

static int vms_expunge(struct app *app)
{
	struct job job;

	if (vms_current(app, &job, JOB_VM_EXPUNGE))
		app_confirm_job(app, &job,
				"Expunge '%s'? Its domain, NVRAM file, disk and record are removed for good.",
				job.object);
	return WF_REDRAW;
}

static int vms_migrate_pick(struct app *app)
{
	struct dialog *dialog = &app->dialog;
	struct job job = dialog->job;

	snprintf(job.target, sizeof job.target, "%s", dialog->pick_ids[dialog->pick_cursor]);
	app_start_job(app, &job);
	return 0;
}

static int vms_migrate(struct app *app)
{
	struct host_filter filter = { .uefi = -1 };
	struct bd_error err = { 0 };
	struct host *hosts = NULL;
	size_t count = 0, n = 0;
	char **labels = NULL, **ids = NULL;
	struct job job;
	char current[ID_LEN] = "";

	const struct vm *vm;

	if (!vms_current(app, &job, JOB_VM_MIGRATE))
		return WF_REDRAW;
	vm = app->screen == SCREEN_VM_DETAIL ? &app->vm_detail.vm : vms_selected(app);
	/* Said before a host is picked: the backend refuses it anyway, since
	 * the guest's NVRAM lives on its host. */
	if (vm->boot.type == BOOT_TYPE_UEFI) {
		app_status(app, true,
			   "VM '%s' boots UEFI %s: migrating UEFI VMs is not supported (its NVRAM "
			   "lives on host '%s'); only BIOS VMs migrate",
			   vm->name, boot_mode_name(vm->boot.mode), vm->host_name);
		return WF_REDRAW;
	}
	snprintf(current, sizeof current, "%s", vm->host_id);
	if (store_host_list(app->store, &filter, &hosts, &count, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return WF_REDRAW;
	}
	labels = calloc(count + 1, sizeof *labels);
	ids = calloc(count + 1, sizeof *ids);
	for (size_t i = 0; labels && ids && i < count; i++) {
		if (strcmp(hosts[i].id, current) == 0)
			continue;
		if (asprintf(&labels[n], "%-20s %-12s UEFI %s", hosts[i].name, hosts[i].cluster_name,
			     host_uefi_label(&hosts[i])) < 0)
			break;
		ids[n] = strdup(hosts[i].id);
		if (!ids[n]) {
			free(labels[n]);
			break;
		}
		n++;
	}
	store_host_list_free(hosts, count);
	if (!labels || !ids || n == 0) {
		free(labels);
		free(ids);
		app_status(app, true, "No other host to migrate '%s' to", job.object);
		return WF_REDRAW;
	}
	app_pick(app, "Migrate", labels, ids, n, vms_migrate_pick);
	snprintf(app->dialog.text, sizeof app->dialog.text, "Move '%s' to which host?", job.object);
	app->dialog.job = job;
	return WF_REDRAW;
}

static const struct key_binding vms_keys[] = {
	{ 'u', "Start", "Start the VM", vms_start },
	{ 'p', "Stop", "Stop the VM (ACPI shutdown)", vms_stop },
	{ 'P', NULL, "Force stop the VM (asks first)", vms_force_stop },
	{ 'b', "Reboot", "Reboot the VM", vms_reboot },
	{ 'm', "Migrate", "Migrate the VM: pick the host (BIOS VMs only)", vms_migrate },
	{ 'x', "Destroy", "Destroy the VM (asks first)", vms_destroy },
	{ 'X', NULL, "Expunge the VM: domain, NVRAM, disk and record (asks first)", vms_expunge },
};

const struct screen_class screen_vms_class = {
	.title = "Virtual Machines",
	.keys = vms_keys,
	.nkey = sizeof vms_keys / sizeof vms_keys[0],
	.init = vms_init,
	.fini = vms_fini,
	.enter = vms_enter,
	.draw = vms_draw,
	.key = vms_key,
	.text_input = vms_text_input,
};

/* ---- VM detail ---- */

static const char *vm_time_text(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0)
		return "-";
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static const char *dash(const char *s)
{
	return s && s[0] ? s : "-";
}

void screen_vm_detail_open(struct app *app, const char *vm_id)
{
	struct vm_detail_screen *detail = &app->vm_detail;

	snprintf(detail->vm_id, sizeof detail->vm_id, "%s", vm_id);
	detail->view.top = 0;
	detail->ntail = 0;
	detail->log_size = -1;
	detail->log_inode = 0;
	detail->tail_note[0] = '\0';
	app_show(app, SCREEN_VM_DETAIL);
}

static void vm_detail_init(struct app *app)
{
	textview_init(&app->vm_detail.view);
	app->vm_detail.log_size = -1;
}

static void vm_detail_fini(struct app *app)
{
	textview_free(&app->vm_detail.view);
	vm_clear(&app->vm_detail.vm);
}

/* One step of the placement trail: "cluster / host   reason". */
static void placement_step_line(struct textview *view, json_object *step)
{
	json_object *cluster = NULL, *host = NULL, *reason = NULL;
	char where[2 * NAME_SIZE + 4];

	json_object_object_get_ex(step, "cluster", &cluster);
	json_object_object_get_ex(step, "host", &host);
	json_object_object_get_ex(step, "reason", &reason);
	if (host)
		snprintf(where, sizeof where, "%s / %s", json_object_get_string(cluster),
			 json_object_get_string(host));
	else
		snprintf(where, sizeof where, "%s", json_object_get_string(cluster));
	textview_add(view,
		     reason && strcmp(json_object_get_string(reason), "chosen") == 0 ? THEME_STATE_GOOD
										   : THEME_NORMAL,
		     "    %-34s %s", where, reason ? json_object_get_string(reason) : "");
}

void screen_placement_render(struct textview *view, const char *json, bool with_summary)
{
	json_object *root, *summary = NULL, *trail = NULL;

	root = json && json[0] ? json_tokener_parse(json) : NULL;
	if (!root || !json_object_is_type(root, json_type_object)) {
		textview_add(view, THEME_ROW_GREYED, "%s", "  (no placement recorded)");
		json_object_put(root);
		return;
	}
	if (with_summary && json_object_object_get_ex(root, "summary", &summary))
		textview_add(view, THEME_NORMAL, "  %s", json_object_get_string(summary));
	if (json_object_object_get_ex(root, "trail", &trail) &&
	    json_object_is_type(trail, json_type_array)) {
		textview_add(view, THEME_LABEL, "  %s", "Considered, in order:");
		for (size_t i = 0; i < json_object_array_length(trail); i++)
			placement_step_line(view, json_object_array_get_idx(trail, i));
	}
	json_object_put(root);
}

static void vm_detail_enter(struct app *app)
{
	struct vm_detail_screen *detail = &app->vm_detail;
	struct textview *view = &detail->view;
	struct bd_error err = { 0 };
	struct event *events = NULL;
	size_t nevent = 0;
	char when[32];
	const struct vm *vm = &detail->vm;

	textview_clear(view);
	vm_clear(&detail->vm);
	memset(&detail->vm, 0, sizeof detail->vm);
	detail->loaded = false;
	if (store_vm_get(app->store, detail->vm_id, &detail->vm, &err) < 0) {
		textview_add(view, THEME_STATE_BAD, "%s", err.text);
		return;
	}
	detail->loaded = true;
	textview_field(view, "Name", THEME_LABEL, "%s", vm->name);
	textview_field(view, "Display name", THEME_NORMAL, "%s", dash(vm->displayname));
	textview_field(view, "Id", THEME_NORMAL, "%s", vm->id);
	textview_field(view, "State", vm_state_style(vm->state), "%s", vm_state_name(vm->state));
	textview_field(view, "Boot Type", THEME_NORMAL, "%s", boot_type_name(vm->boot.type));
	textview_field(view, "Boot Mode", vm->boot.mode == BOOT_MODE_SECURE ? THEME_UEFI_SECURE
									    : THEME_NORMAL,
		       "%s", boot_mode_name(vm->boot.mode));
	textview_field(view, "Host", THEME_NORMAL, "%s", dash(vm->host_name));
	textview_field(view, "Host id", THEME_NORMAL, "%s", dash(vm->host_id));
	textview_field(view, "Cluster id", THEME_NORMAL, "%s", dash(vm->cluster_id));
	textview_field(view, "Template id", THEME_NORMAL, "%s", dash(vm->template_id));
	textview_field(view, "Offering id", THEME_NORMAL, "%s", dash(vm->offering_id));
	textview_field(view, "CPUs", THEME_NORMAL, "%d", vm->cpunumber);
	textview_field(view, "Memory", THEME_NORMAL, "%" PRId64 " MiB", vm->memory_mib);
	textview_field(view, "Machine", THEME_NORMAL, "%s", dash(vm->machine));
	textview_field(view, "Loader", THEME_NORMAL, "%s", dash(vm->loader));
	textview_field(view, "NVRAM", THEME_NORMAL, "%s", dash(vm->nvram));
	textview_field(view, "Disk", THEME_NORMAL, "%s", dash(vm->disk));
	textview_field(view, "Console log", THEME_NORMAL, "%s", dash(vm->console_log));
	textview_field(view, "Created", THEME_NORMAL, "%s", vm_time_text(vm->created, when, sizeof when));
	textview_add(view, THEME_NORMAL, "%s", "");
	textview_add(view, THEME_TABLE_HEADER, "%s", "Placement");
	screen_placement_render(view, vm->placement, true);
	textview_add(view, THEME_NORMAL, "%s", "");
	if (store_event_list(app->store, vm->id, 50, &events, &nevent, &err) == 0) {
		textview_add(view, THEME_TABLE_HEADER, "Events (%zu, newest first)", nevent);
		for (size_t i = 0; i < nevent; i++)
			textview_add(view, events[i].level == EVENT_ERROR ? THEME_STATE_BAD : THEME_NORMAL,
				     "  %s %-5s %-14s %s", vm_time_text(events[i].created, when, sizeof when),
				     event_level_name(events[i].level), events[i].type,
				     dash(events[i].description));
		store_event_list_free(events, nevent);
	} else {
		textview_add(view, THEME_STATE_BAD, "%s", err.text);
	}
	detail->log_size = -1;
	screen_vm_detail_class.tick(app);
}

/* Keeps what a person can read of a serial log line: terminal escape
 * sequences and control characters go. */
static void vm_detail_tail_clean(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == 0x1b) {
			if (i + 1 < len && in[i + 1] == '[') {
				i += 2;
				while (i < len && !((in[i] >= '@' && in[i] <= '~')))
					i++;
			}
			continue;
		}
		if (c == '\r' || c == '\t') {
			out[o++] = ' ';
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

#define TAIL_READ_MAX 16384

/* Polls the console log: re-reads its end only when it grew or changed.
 * O_NONBLOCK so a FIFO in its place cannot hang the screen. */
static void vm_detail_tick(struct app *app)
{
	struct vm_detail_screen *detail = &app->vm_detail;
	char buf[TAIL_READ_MAX + 1];
	struct stat st;
	off_t from;
	ssize_t got;
	int fd;

	if (!detail->loaded || !detail->vm.console_log || !detail->vm.console_log[0]) {
		snprintf(detail->tail_note, sizeof detail->tail_note, "no console log");
		return;
	}
	if (detail->log_size >= 0 && app->tick % 5 != 0)
		return;
	if (stat(detail->vm.console_log, &st) < 0) {
		snprintf(detail->tail_note, sizeof detail->tail_note, "%s", strerror(errno));
		detail->ntail = 0;
		detail->log_size = -1;
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(detail->tail_note, sizeof detail->tail_note, "not a regular file");
		return;
	}
	if (st.st_size == detail->log_size && st.st_ino == detail->log_inode)
		return;
	fd = open(detail->vm.console_log, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(detail->tail_note, sizeof detail->tail_note, "%s", strerror(errno));
		return;
	}
	from = st.st_size > TAIL_READ_MAX ? st.st_size - TAIL_READ_MAX : 0;
	got = pread(fd, buf, TAIL_READ_MAX, from);
	close(fd);
	if (got < 0) {
		snprintf(detail->tail_note, sizeof detail->tail_note, "%s", strerror(errno));
		return;
	}
	buf[got] = '\0';
	detail->log_size = st.st_size;
	detail->log_inode = st.st_ino;
	detail->tail_note[0] = '\0';
	detail->ntail = 0;
	/* Split into lines, keeping the last TAIL_LINES in a ring. */
	{
		char *p = buf;
		char *end = buf + got;
		int total = 0;
		char lines[TAIL_LINES][TAIL_LINE_MAX];

		if (from > 0) { /* the first line is cut: skip it */
			char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		}
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			vm_detail_tail_clean(p, len, lines[total % TAIL_LINES], TAIL_LINE_MAX);
			total++;
			p += len + (nl ? 1 : 0);
		}
		for (int i = total > TAIL_LINES ? total - TAIL_LINES : 0; i < total; i++)
			memcpy(detail->tail[detail->ntail++], lines[i % TAIL_LINES], TAIL_LINE_MAX);
	}
}

static void vm_detail_draw(struct app *app, struct grid *grid, int y, int h)
{
	struct vm_detail_screen *detail = &app->vm_detail;
	int tail_h = h / 3 < 4 ? 4 : h / 3;
	int view_h = h - tail_h;
	int shown = tail_h - 2;
	char title[256];

	widget_place(&detail->view.base, 1, y, grid->width - 2, view_h);
	textview_class.draw(&detail->view.base, grid, true);
	snprintf(title, sizeof title, "Console %s%s%s", dash(detail->vm.console_log),
		 detail->tail_note[0] ? ": " : "", detail->tail_note);
	widget_box(grid, 0, y + view_h, grid->width, tail_h, THEME_NORMAL, title);
	for (int i = 0; i < shown; i++) {
		int line = detail->ntail - shown + i;

		if (line < 0)
			continue;
		grid_text(grid, 1, y + view_h + 1 + i, grid->width - 2, THEME_NORMAL,
			  detail->tail[line]);
	}
}

static int vm_detail_key(struct app *app, int key)
{
	return textview_class.key(&app->vm_detail.view.base, key);
}

const struct screen_class screen_vm_detail_class = {
	.title = "VM detail",
	.keys = vms_keys,
	.nkey = sizeof vms_keys / sizeof vms_keys[0],
	.init = vm_detail_init,
	.fini = vm_detail_fini,
	.enter = vm_detail_enter,
	.draw = vm_detail_draw,
	.key = vm_detail_key,
	.tick = vm_detail_tick,
};
