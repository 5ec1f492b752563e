/* Hosts and Host detail: the fleet, its firmware, and host actions. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "model/text.h"

const char *host_uefi_label(const struct host *host)
{
	if (!host->caps.uefi)
		return "No";
	return host->caps.secure ? "Legacy+Secure" : "Legacy";
}

enum theme_meaning host_uefi_style(const struct host *host)
{
	if (!host->caps.uefi)
		return THEME_UEFI_NO;
	return host->caps.secure ? THEME_UEFI_SECURE : THEME_UEFI_LEGACY;
}

static void host_state_text(const struct host *host, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", host_state_name(host->state),
		 host->allocation == ALLOCATION_DISABLED ? ", disabled" : "");
}

enum host_column { HC_NAME, HC_CLUSTER, HC_STATE, HC_CPU, HC_MEMORY, HC_UEFI, HC_LAST };

static const struct table_column hosts_columns[HC_LAST] = {
	[HC_NAME] = { "Name", 0, false },
	[HC_CLUSTER] = { "Cluster", 12, false },
	[HC_STATE] = { "State", 14, false },
	[HC_CPU] = { "CPU", 7, true },
	[HC_MEMORY] = { "Memory MiB", 13, true },
	[HC_UEFI] = { "UEFI", 13, false },
};

static size_t hosts_count(void *ctx)
{
	return ((struct app *)ctx)->hosts.count;
}

static enum theme_meaning hosts_cell(void *ctx, size_t row, int col, char *buf, size_t size)
{
	const struct host *host = &((struct app *)ctx)->hosts.list[row];

	switch (col) {
	case HC_NAME:
		snprintf(buf, size, "%s", host->name);
		break;
	case HC_CLUSTER:
		snprintf(buf, size, "%s", host->cluster_name);
		break;
	case HC_STATE:
		host_state_text(host, buf, size);
		return host->state == HOST_STATE_UP && host->allocation == ALLOCATION_ENABLED
			       ? THEME_STATE_GOOD : THEME_STATE_BAD;
	case HC_CPU:
		snprintf(buf, size, "%d/%d", host->cpu_allocated, host->cpus);
		break;
	case HC_MEMORY:
		snprintf(buf, size, "%" PRId64 "/%" PRId64, host->memory_allocated_mib,
			 host->memory_mib);
		break;
	case HC_UEFI:
		snprintf(buf, size, "%s", host_uefi_label(host));
		return host_uefi_style(host);
	}
	return THEME_NORMAL;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int hosts_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct host *ha = &((struct app *)ctx)->hosts.list[a];
	const struct host *hb = &((struct app *)ctx)->hosts.list[b];

	switch (col) {
	case HC_CLUSTER:
		return strcasecmp(ha->cluster_name, hb->cluster_name);
	case HC_STATE:
		return (ha->state - hb->state) * 2 + (ha->allocation - hb->allocation);
	case HC_CPU:
		return cmp_i64(ha->cpu_allocated, hb->cpu_allocated) * 2 + cmp_i64(ha->cpus, hb->cpus);
	case HC_MEMORY:
		return cmp_i64(ha->memory_allocated_mib, hb->memory_allocated_mib) * 2 +
		       cmp_i64(ha->memory_mib, hb->memory_mib);
	case HC_UEFI:
		return (ha->caps.uefi + ha->caps.secure) - (hb->caps.uefi + hb->caps.secure);
	default:
		return strcasecmp(ha->name, hb->name);
	}
}

static const struct table_source hosts_source = {
	hosts_count, hosts_cell, hosts_compare, NULL
};

static void hosts_init(struct app *app)
{
	table_init(&app->hosts.table, hosts_columns, HC_LAST, &hosts_source, app);
	app->hosts.table.empty_text = "No hosts yet: press n to add one";
}

static void hosts_fini(struct app *app)
{
	store_host_list_free(app->hosts.list, app->hosts.count);
	app->hosts.list = NULL;
	app->hosts.count = 0;
	table_free(&app->hosts.table);
}

static void hosts_enter(struct app *app)
{
	struct host_filter filter = { .uefi = -1 };
	struct bd_error err = { 0 };
	struct host *list = NULL;
	size_t count = 0;
	size_t keep = table_selected_row(&app->hosts.table);
	char keep_id[ID_LEN] = "";

	if (keep != (size_t)-1)
		snprintf(keep_id, sizeof keep_id, "%s", app->hosts.list[keep].id);
	if (store_host_list(app->store, &filter, &list, &count, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return;
	}
	store_host_list_free(app->hosts.list, app->hosts.count);
	app->hosts.list = list;
	app->hosts.count = count;
	app->hosts.table.selected = 0;
	table_reload(&app->hosts.table);
	for (size_t i = 0; keep_id[0] && i < count; i++) {
		if (strcmp(list[i].id, keep_id) == 0)
			table_select_row(&app->hosts.table, i);
	}
}

static void hosts_draw(struct app *app, struct grid *grid, int y, int h)
{
	struct table *table = &app->hosts.table;

	widget_place(&table->base, 0, y, grid->width, h);
	app_draw_table(app, table, grid, true);
	grid_printf(grid, grid->width - 22, 0, 12, THEME_TITLE, "%10zu/%zu", table->nview,
		    app->hosts.count);
}

static bool hosts_text_input(struct app *app)
{
	return app->hosts.table.filtering;
}

static const struct host *hosts_selected(struct app *app)
{
	size_t row = table_selected_row(&app->hosts.table);

	return row == (size_t)-1 ? NULL : &app->hosts.list[row];
}

static int hosts_key(struct app *app, int key)
{
	int flags = table_class.key(&app->hosts.table.base, key);

	if (flags & WF_ACTIVATE)
		screen_host_detail_open(app, hosts_selected(app)->id);
	return flags;
}

/* The host an action applies to: the selected row, or the detail's host. */
static int hosts_current(struct app *app, struct host *out)
{
	struct bd_error err = { 0 };
	const char *id = NULL;

	if (app->screen == SCREEN_HOST_DETAIL) {
		id = app->host_detail.host_id;
	} else {
		const struct host *host = hosts_selected(app);

		id = host ? host->id : NULL;
	}
	if (!id) {
		app_status(app, true, "No host selected");
		return -1;
	}
	if (store_host_get(app->store, id, out, &err) < 0) {
		app_status(app, true, "%s", err.text);
		return -1;
	}
	return 0;
}

static void hosts_job(struct job *job, enum job_kind kind, const struct host *host)
{
	memset(job, 0, sizeof *job);
	job->kind = kind;
	snprintf(job->object, sizeof job->object, "%s", host->name);
	snprintf(job->id, sizeof job->id, "%s", host->id);
}

static int hosts_reconnect(struct app *app)
{
	struct host host = { 0 };
	struct job job;

	if (hosts_current(app, &host) == 0) {
		hosts_job(&job, JOB_HOST_RECONNECT, &host);
		app_start_job(app, &job);
	}
	host_clear(&host);
	return WF_REDRAW;
}

static int hosts_toggle(struct app *app)
{
	struct host host = { 0 };
	struct job job;

	if (hosts_current(app, &host) == 0) {
		hosts_job(&job, host.allocation == ALLOCATION_ENABLED ? JOB_HOST_DISABLE
								      : JOB_HOST_ENABLE, &host);
		app_start_job(app, &job);
	}
	host_clear(&host);
	return WF_REDRAW;
}

static int hosts_delete(struct app *app)
{
	struct host host = { 0 };
	struct job job;

	if (hosts_current(app, &host) == 0) {
		hosts_job(&job, JOB_HOST_DELETE, &host);
		app_confirm_job(app, &job, "Delete host '%s'? Its records go; VMs must be gone first.",
				host.name);
	}
	host_clear(&host);
	return WF_REDRAW;
}

enum { ADD_URL, ADD_CLUSTER, ADD_PROPERTIES, ADD_VIRT_TYPE, ADD_LAST };

/* The hypervisor kinds addHost takes; empty or "auto" lets the probe pick
 * (kvm when the host offers it). */
static int hosts_virt_type_validate(const char *text, struct bd_error *err)
{
	static const char *const accepted[] = { "", "auto", "kvm", "qemu" };
	char value[16];
	char shown[TEXT_QUOTE_MAX];

	text_trim_copy(text, value, sizeof value);
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		if (strcasecmp(value, accepted[i]) == 0)
			return 0;
	}
	return bd_error_set(err, BD_ERR_PARAM, "virt type '%s' is not known: use kvm, qemu or auto",
			    text_quote(text, shown, sizeof shown));
}

static int hosts_add_submit(struct app *app)
{
	struct dialog *dialog = &app->dialog;
	struct cluster cluster;
	struct bd_error err = { 0 };
	struct job job = { .kind = JOB_HOST_ADD };
	char url[JOB_ARG_MAX], name[NAME_SIZE * 2], props[JOB_ARG_MAX], virt[16];

	text_trim_copy(dialog->fields[ADD_URL].text, url, sizeof url);
	text_trim_copy(dialog->fields[ADD_CLUSTER].text, name, sizeof name);
	text_trim_copy(dialog->fields[ADD_PROPERTIES].text, props, sizeof props);
	if (!url[0]) {
		dialog->focus = ADD_URL;
		dialog->fields[ADD_URL].invalid = true;
		snprintf(dialog->fields[ADD_URL].message, sizeof dialog->fields[ADD_URL].message,
			 "URL must not be empty: a libvirt URI such as qemu+ssh://host/system");
		return -1;
	}
	if (field_check(&dialog->fields[ADD_VIRT_TYPE]) < 0) {
		dialog->focus = ADD_VIRT_TYPE;
		return -1;
	}
	text_trim_copy(dialog->fields[ADD_VIRT_TYPE].text, virt, sizeof virt);
	for (char *c = virt; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strcmp(virt, "auto") == 0)
		virt[0] = '\0';
	if (store_cluster_get(app->store, name, &cluster, &err) < 0) {
		dialog->focus = ADD_CLUSTER;
		dialog->fields[ADD_CLUSTER].invalid = true;
		snprintf(dialog->fields[ADD_CLUSTER].message,
			 sizeof dialog->fields[ADD_CLUSTER].message, "%s", err.text);
		return -1;
	}
	snprintf(job.object, sizeof job.object, "%.*s", (int)sizeof job.object - 1, url);
	snprintf(job.id, sizeof job.id, "%s", url);
	snprintf(job.target, sizeof job.target, "%s", cluster.id);
	snprintf(job.extra, sizeof job.extra, "%s", props);
	snprintf(job.virt_type, sizeof job.virt_type, "%s", virt);
	app_start_job(app, &job);
	return 0;
}

static int hosts_add(struct app *app)
{
	static const char *const labels[ADD_LAST] = {
		[ADD_URL] = "URL", [ADD_CLUSTER] = "Cluster",
		[ADD_PROPERTIES] = "uefi.properties", [ADD_VIRT_TYPE] = "Virt type",
	};
	struct dialog *dialog = app_form(app, "Add host", labels, ADD_LAST, hosts_add_submit);

	dialog->fields[ADD_VIRT_TYPE].validate = hosts_virt_type_validate;
	field_set_text(&dialog->fields[ADD_VIRT_TYPE], "auto");
	snprintf(dialog->text, sizeof dialog->text,
		 "Connects, probes the firmware and records the host. uefi.properties is optional; "
		 "virt type: kvm, qemu or auto (kvm when offered).");
	return WF_REDRAW;
}

static const struct key_binding hosts_keys[] = {
	{ 'n', "Add", "Add a host: URL, cluster, optional uefi.properties path, virt type", hosts_add },
	{ 'r', "Reconnect", "Reconnect the host and probe its firmware again", hosts_reconnect },
	{ 'o', "On/Off", "Enable or disable the host for placement", hosts_toggle },
	{ 'x', "Delete", "Delete the host (asks first)", hosts_delete },
	{ CK_DELETE, NULL, "Delete the host (asks first)", hosts_delete },
};

const struct screen_class screen_hosts_class = {
	.title = "Hosts",
	.keys = hosts_keys,
	.nkey = sizeof hosts_keys / sizeof hosts_keys[0],
	.init = hosts_init,
	.fini = hosts_fini,
	.enter = hosts_enter,
	.draw = hosts_draw,
	.key = hosts_key,
	.text_input = hosts_text_input,
};

/* ---- Host detail ---- */

static const char *time_text(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0)
		return "never";
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static const char *or_none(const char *s)
{
	return s && s[0] ? s : "-";
}

void screen_host_detail_open(struct app *app, const char *host_id)
{
	snprintf(app->host_detail.host_id, sizeof app->host_detail.host_id, "%s", host_id);
	app->host_detail.view.top = 0;
	app_show(app, SCREEN_HOST_DETAIL);
}

static void host_detail_init(struct app *app)
{
	textview_init(&app->host_detail.view);
}

static void host_detail_fini(struct app *app)
{
	textview_free(&app->host_detail.view);
}

static void host_detail_vms(struct app *app, struct textview *view, const struct host *host)
{
	struct vm_filter filter = { .host_id = host->id, .state = -1 };
	struct bd_error err = { 0 };
	struct vm *vms = NULL;
	size_t count = 0;

	if (store_vm_list(app->store, &filter, &vms, &count, &err) < 0) {
		textview_add(view, THEME_STATE_BAD, "%s", err.text);
		return;
	}
	textview_add(view, THEME_TABLE_HEADER, "Virtual machines on this host (%zu)", count);
	for (size_t i = 0; i < count; i++)
		textview_add(view, THEME_NORMAL, "  %-24s %-10s %-12s %d vCPU %" PRId64 " MiB",
			     vms[i].name, vm_state_name(vms[i].state),
			     boot_choice_label(vms[i].boot), vms[i].cpunumber, vms[i].memory_mib);
	store_vm_list_free(vms, count);
}

static void host_detail_enter(struct app *app)
{
	struct textview *view = &app->host_detail.view;
	struct host host = { 0 };
	struct bd_error err = { 0 };
	struct detail *details = NULL;
	size_t ndetail = 0;
	char when[32];

	textview_clear(view);
	if (store_host_get(app->store, app->host_detail.host_id, &host, &err) < 0) {
		textview_add(view, THEME_STATE_BAD, "%s", err.text);
		return;
	}
	textview_field(view, "Name", THEME_LABEL, "%s", host.name);
	textview_field(view, "Id", THEME_NORMAL, "%s", host.id);
	textview_field(view, "Cluster", THEME_NORMAL, "%s", host.cluster_name);
	textview_field(view, "URL", THEME_NORMAL, "%s", or_none(host.url));
	textview_field(view, "State", host.state == HOST_STATE_UP ? THEME_STATE_GOOD : THEME_STATE_BAD,
		       "%s", host_state_name(host.state));
	textview_field(view, "Allocation", THEME_NORMAL, "%s", allocation_state_name(host.allocation));
	textview_field(view, "Hypervisor", THEME_NORMAL, "%s %s",
		       hypervisor_type_name(host.hypervisor), host.hypervisor_version);
	textview_field(view, "Architecture", THEME_NORMAL, "%s", or_none(host.arch));
	textview_field(view, "CPU (vCPU used/cores)", THEME_NORMAL, "%d/%d", host.cpu_allocated,
		       host.cpus);
	textview_field(view, "Memory (MiB used/all)", THEME_NORMAL, "%" PRId64 "/%" PRId64,
		       host.memory_allocated_mib, host.memory_mib);
	textview_field(view, "UEFI", host_uefi_style(&host), "%s", host_uefi_label(&host));
	textview_field(view, "Virt type", THEME_NORMAL, "%s", or_none(host.caps.virt_type));
	textview_field(view, "Firmware autoselect", THEME_NORMAL, "%s",
		       host.caps.autoselect ? "yes" : "no");
	textview_field(view, "Loader (legacy)", THEME_NORMAL, "%s", or_none(host.caps.loader_legacy));
	textview_field(view, "Loader (secure)", THEME_NORMAL, "%s", or_none(host.caps.loader_secure));
	textview_field(view, "NVRAM template legacy", THEME_NORMAL, "%s",
		       or_none(host.caps.nvram_template_legacy));
	textview_field(view, "NVRAM template secure", THEME_NORMAL, "%s",
		       or_none(host.caps.nvram_template_secure));
	textview_field(view, "NVRAM folder", THEME_NORMAL, "%s", or_none(host.caps.nvram_dir));
	textview_field(view, "uefi.properties", THEME_NORMAL, "%s", or_none(host.uefi_properties));
	textview_field(view, "Probed", THEME_NORMAL, "%s", time_text(host.caps.probed, when, sizeof when));
	textview_field(view, "Probe error", host.caps.probe_error ? THEME_STATE_BAD : THEME_NORMAL,
		       "%s", or_none(host.caps.probe_error));
	textview_field(view, "Last error", host.last_error ? THEME_STATE_BAD : THEME_NORMAL, "%s",
		       or_none(host.last_error));
	textview_field(view, "Created", THEME_NORMAL, "%s", time_text(host.created, when, sizeof when));
	textview_add(view, THEME_NORMAL, "%s", "");
	if (store_host_details(app->store, host.id, &details, &ndetail, &err) == 0) {
		textview_add(view, THEME_TABLE_HEADER, "Details (%zu)", ndetail);
		for (size_t i = 0; i < ndetail; i++)
			textview_add(view, THEME_NORMAL, "  %s = %s", details[i].key,
				     or_none(details[i].value));
		store_detail_list_free(details, ndetail);
	} else {
		textview_add(view, THEME_STATE_BAD, "%s", err.text);
	}
	textview_add(view, THEME_NORMAL, "%s", "");
	host_detail_vms(app, view, &host);
	host_clear(&host);
}

static void host_detail_draw(struct app *app, struct grid *grid, int y, int h)
{
	struct textview *view = &app->host_detail.view;

	widget_place(&view->base, 1, y, grid->width - 2, h);
	textview_class.draw(&view->base, grid, true);
}

static int host_detail_key(struct app *app, int key)
{
	return textview_class.key(&app->host_detail.view.base, key);
}

static const struct key_binding host_detail_keys[] = {
	{ 'r', "Reconnect", "Reconnect the host and probe its firmware again", hosts_reconnect },
	{ 'o', "On/Off", "Enable or disable the host for placement", hosts_toggle },
	{ 'x', "Delete", "Delete the host (asks first)", hosts_delete },
};

const struct screen_class screen_host_detail_class = {
	.title = "Host detail",
	.keys = host_detail_keys,
	.nkey = sizeof host_detail_keys / sizeof host_detail_keys[0],
	.init = host_detail_init,
	.fini = host_detail_fini,
	.enter = host_detail_enter,
	.draw = host_detail_draw,
	.key = host_detail_key,
};
