/* Headless console tests: a real store with a small fleet, screens driven
 * by keys, each frame dumped as text and compared with a golden file.
 * BOOTDECK_REGENERATE_GOLDEN=1 rewrites the golden files for review.
 * Times, ids and the temporary folder are masked in the dumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>

#include "backend/hostops.h"
#include "config.h"
#include "ui/console/app.h"
#include "ui/console/theme-load.h"

#define DEMO_DIR BOOTDECK_SOURCE_DIR "/scripts/demo"

struct fixture {
	char dir[256];
	char db[300];
	char log[300];
	struct app *app;
};

static void must(int rc, const struct bd_error *err)
{
	if (rc < 0)
		fail_msg("setup failed: %s", err->text);
}

static void add_host(struct store *store, const char *name, const char *cluster,
		     enum host_state state, bool uefi, bool secure, int cpus, int64_t mem)
{
	struct bd_error err = { 0 };
	struct host host = { 0 };

	snprintf(host.name, sizeof host.name, "%s", name);
	snprintf(host.cluster_name, sizeof host.cluster_name, "%s", cluster);
	snprintf(host.cluster_id, sizeof host.cluster_id, "%s", cluster);
	host.url = strdup("test:///default");
	host.state = state;
	host.allocation = ALLOCATION_ENABLED;
	host.hypervisor = HYPERVISOR_SIMULATOR;
	snprintf(host.hypervisor_version, sizeof host.hypervisor_version, "9.0.0");
	snprintf(host.arch, sizeof host.arch, "x86_64");
	host.cpus = cpus;
	host.memory_mib = mem;
	host.caps.uefi = uefi;
	host.caps.secure = secure;
	snprintf(host.caps.virt_type, sizeof host.caps.virt_type, "qemu");
	if (uefi) {
		host.caps.loader_legacy = strdup("/usr/share/OVMF/OVMF_CODE_4M.fd");
		host.caps.nvram_template_legacy = strdup("/usr/share/OVMF/OVMF_VARS_4M.fd");
	}
	if (secure) {
		host.caps.loader_secure = strdup("/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
		host.caps.nvram_template_secure = strdup("/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
	}
	if (state == HOST_STATE_DISCONNECTED)
		host.last_error = strdup("cannot connect: connection refused");
	must(store_host_insert(store, &host, &err), &err);
	host_clear(&host);
}

static void add_vm(struct store *store, const char *name, const char *host_name,
		   enum vm_state state, struct boot_choice boot, const char *log,
		   const char *placement)
{
	struct bd_error err = { 0 };
	struct host host = { 0 };
	struct vm vm = { 0 };

	must(store_host_get(store, host_name, &host, &err), &err);
	snprintf(vm.name, sizeof vm.name, "%s", name);
	vm.state = state;
	vm.boot = boot;
	snprintf(vm.host_id, sizeof vm.host_id, "%s", host.id);
	snprintf(vm.host_name, sizeof vm.host_name, "%s", host.name);
	snprintf(vm.cluster_id, sizeof vm.cluster_id, "%s", host.cluster_id);
	vm.cpunumber = 1;
	vm.memory_mib = 512;
	snprintf(vm.machine, sizeof vm.machine, "q35");
	vm.console_log = log ? strdup(log) : NULL;
	vm.placement = placement ? strdup(placement) : NULL;
	must(store_vm_insert(store, &vm, &err), &err);
	store_event_add(store, "VM.CREATE", EVENT_INFO, vm.id, "created for the console test");
	vm_clear(&vm);
	host_clear(&host);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct bd_error err = { 0 };
	struct store *store;
	struct cluster c1 = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	struct cluster c2 = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	struct template tmpl = { .format = TEMPLATE_QCOW2, .size_bytes = 1073741824 };
	struct template iso = { .format = TEMPLATE_ISO, .size_bytes = 52428800 };
	struct service_offering small = { .cpunumber = 1, .memory_mib = 512 };
	struct service_offering large = { .cpunumber = 4, .memory_mib = 8192 };
	struct boot_choice secure = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };
	struct boot_choice bios = { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	FILE *fp;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/bdconsole-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof fx->db, "%s/test.db", fx->dir);
	snprintf(fx->log, sizeof fx->log, "%s/web1.log", fx->dir);
	fp = fopen(fx->log, "w");
	assert_non_null(fp);
	fputs("\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"UEFI QEMU HARDDISK\"\r\n"
	      "BdsDxe: starting Boot0001\r\nBOOTDECK-MARKER platform=efi\r\n", fp);
	fclose(fp);
	store = store_open(fx->db, &err);
	must(store ? 0 : -1, &err);
	snprintf(c1.name, sizeof c1.name, "c1");
	snprintf(c2.name, sizeof c2.name, "c2");
	must(store_cluster_insert(store, &c1, &err), &err);
	must(store_cluster_insert(store, &c2, &err), &err);
	add_host(store, "kvm-bios", "c1", HOST_STATE_UP, false, false, 8, 16384);
	add_host(store, "kvm-legacy", "c1", HOST_STATE_UP, true, false, 8, 16384);
	add_host(store, "kvm-secure", "c2", HOST_STATE_UP, true, true, 4, 8192);
	add_host(store, "kvm-down", "c2", HOST_STATE_DISCONNECTED, true, true, 16, 65536);
	snprintf(tmpl.name, sizeof tmpl.name, "debian-12");
	tmpl.url = strdup("/var/lib/bootdeck/debian-12.qcow2");
	must(store_template_insert(store, &tmpl, &err), &err);
	template_clear(&tmpl);
	snprintf(iso.name, sizeof iso.name, "rescue-iso");
	iso.url = strdup("/var/lib/bootdeck/rescue.iso");
	must(store_template_insert(store, &iso, &err), &err);
	template_clear(&iso);
	snprintf(small.name, sizeof small.name, "small");
	snprintf(large.name, sizeof large.name, "large");
	must(store_offering_insert(store, &small, &err), &err);
	must(store_offering_insert(store, &large, &err), &err);
	add_vm(store, "web1", "kvm-secure", VM_STATE_RUNNING, secure, fx->log,
	       "{\"summary\":\"host 'kvm-secure' in cluster 'c2': first host with room\","
	       "\"trail\":[{\"cluster\":\"c1\",\"host\":\"kvm-bios\",\"reason\":\"no UEFI\"},"
	       "{\"cluster\":\"c2\",\"host\":\"kvm-secure\",\"reason\":\"chosen\"}]}");
	add_vm(store, "db1", "kvm-bios", VM_STATE_STOPPED, bios, NULL, NULL);
	store_alert_add(store, "HOST.DISCONNECT", NULL, "host 'kvm-down' is unreachable");
	store_close(store);
	fx->app = app_new(fx->db, &err);
	must(fx->app ? 0 : -1, &err);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char path[400];

	app_free(fx->app);
	snprintf(path, sizeof path, "%s/test.db-wal", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/test.db-shm", fx->dir);
	unlink(path);
	unlink(fx->db);
	unlink(fx->log);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* ---- dumps and golden files ---- */

static bool is_hex(char c)
{
	return isdigit((unsigned char)c) || (c >= 'a' && c <= 'f');
}

/* Replaces what changes between runs: the temporary folder, timestamps,
 * UUIDs and their 8-character prefixes. */
static char *mask(const char *text, const char *dir)
{
	size_t len = strlen(text);
	char *out = malloc(len * 2 + 1);
	size_t o = 0;
	size_t dlen = strlen(dir);

	for (size_t i = 0; i < len;) {
		const char *p = text + i;
		size_t run = 0;

		if (strncmp(p, dir, dlen) == 0) {
			o += (size_t)sprintf(out + o, "<tmp>");
			i += dlen;
			continue;
		}
		if (len - i >= 19 && isdigit((unsigned char)p[0]) && p[4] == '-' && p[7] == '-' &&
		    p[10] == ' ' && p[13] == ':' && p[16] == ':') {
			o += (size_t)sprintf(out + o, "YYYY-MM-DD hh:mm:ss");
			i += 19;
			continue;
		}
		while (i + run < len && (is_hex(p[run]) || p[run] == '-'))
			run++;
		if ((i == 0 || !isalnum((unsigned char)p[-1])) && (run == 36 || run == 8) &&
		    (i + run == len || !isalnum((unsigned char)p[run]))) {
			bool hexy = false;

			for (size_t k = 0; k < run; k++)
				hexy |= isalpha((unsigned char)p[k]) || isdigit((unsigned char)p[k]);
			if (hexy && (run == 36 ? p[8] == '-' : memchr(p, '-', run) == NULL)) {
				o += (size_t)sprintf(out + o, run == 36 ? "<uuid>" : "<id>");
				i += run;
				continue;
			}
		}
		out[o++] = text[i++];
	}
	out[o] = '\0';
	return out;
}

static char *render_text(struct fixture *fx)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	char *masked;

	app_render(fx->app);
	grid_dump(&fx->app->grid, fp);
	fclose(fp);
	masked = mask(buf, fx->dir);
	free(buf);
	return masked;
}

static void golden(struct fixture *fx, const char *name)
{
	const char *dir = getenv("BOOTDECK_GOLDEN_DIR");
	char path[4096];
	char *actual = render_text(fx);
	char *expected = NULL;
	size_t n = 0;
	FILE *fp;

	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/%s-%dx%d.txt", dir, name, fx->app->grid.width,
		 fx->app->grid.height);
	if (getenv("BOOTDECK_REGENERATE_GOLDEN")) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(actual, fp);
		fclose(fp);
	}
	fp = fopen(path, "r");
	if (!fp)
		fail_msg("missing golden file %s; actual screen:\n%s", path, actual);
	expected = calloc(1, 1 << 20);
	n = fread(expected, 1, (1 << 20) - 1, fp);
	fclose(fp);
	expected[n] = '\0';
	if (strcmp(expected, actual) != 0)
		fail_msg("screen differs from %s\n--- actual ---\n%s", path, actual);
	free(expected);
	free(actual);
}

/* Both reference sizes. */
static void golden_both(struct fixture *fx, const char *name)
{
	app_resize(fx->app, 80, 24);
	golden(fx, name);
	app_resize(fx->app, 120, 40);
	golden(fx, name);
	app_resize(fx->app, 80, 24);
}

static bool screen_has(struct fixture *fx, const char *text)
{
	char *dump = render_text(fx);
	bool found = strstr(dump, text) != NULL;

	free(dump);
	return found;
}

static void keys(struct app *app, ...)
{
	va_list ap;
	int key;

	va_start(ap, app);
	while ((key = va_arg(ap, int)) != CK_NONE)
		app_key(app, key);
	va_end(ap);
}

/* ---- screens ---- */

static void test_hosts_screen(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->app->screen, SCREEN_HOSTS);
	assert_int_equal(fx->app->hosts.count, 4);
	golden_both(fx, "hosts");
	assert_true(screen_has(fx, "Legacy+Secure"));
	assert_true(screen_has(fx, "Alerts: 1 unread"));
}

static void test_hosts_sort(void **state)
{
	struct fixture *fx = *state;
	struct table *table = &fx->app->hosts.table;

	app_key(fx->app, 's'); /* by name */
	assert_int_equal(table->sort_column, 0);
	assert_string_equal(fx->app->hosts.list[table->view[0]].name, "kvm-bios");
	assert_string_equal(fx->app->hosts.list[table->view[3]].name, "kvm-secure");
	keys(fx->app, 's', 's', 's', 's', 's', CK_NONE); /* to UEFI */
	assert_int_equal(table->sort_column, 5);
	assert_false(fx->app->hosts.list[table->view[0]].caps.uefi);
	assert_true(fx->app->hosts.list[table->view[3]].caps.secure);
	app_key(fx->app, 'S');
	assert_true(fx->app->hosts.list[table->view[0]].caps.secure);
	golden(fx, "hosts-sorted-uefi-desc");
}

static void test_hosts_filter(void **state)
{
	struct fixture *fx = *state;
	struct table *table = &fx->app->hosts.table;

	keys(fx->app, '/', 's', 'e', 'c', CK_NONE);
	assert_true(table->filtering);
	assert_int_equal(table->nview, 2); /* kvm-secure, and Legacy+Secure kvm-down */
	app_key(fx->app, 'u');
	golden(fx, "hosts-filter");
	/* Letters went to the filter, not to the global keys. */
	assert_int_equal(fx->app->screen, SCREEN_HOSTS);
	app_key(fx->app, CK_BACKSPACE);
	app_key(fx->app, CK_BACKSPACE);
	app_key(fx->app, CK_BACKSPACE);
	app_key(fx->app, CK_BACKSPACE);
	assert_int_equal(table->nview, 4);
	app_type(fx->app, "down");
	assert_int_equal(table->nview, 1);
	app_key(fx->app, CK_ENTER);
	assert_false(table->filtering);
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->screen, SCREEN_HOST_DETAIL);
	app_resize(fx->app, 120, 40);
	assert_true(screen_has(fx, "Disconnected"));
	assert_true(screen_has(fx, "kvm-down"));
}

static void test_host_detail(void **state)
{
	struct fixture *fx = *state;

	keys(fx->app, 's', CK_DOWN, CK_DOWN, CK_DOWN, CK_ENTER, CK_NONE); /* kvm-secure */
	assert_int_equal(fx->app->screen, SCREEN_HOST_DETAIL);
	golden_both(fx, "host-detail");
	assert_true(screen_has(fx, "OVMF_CODE_4M.ms.fd"));
	app_key(fx->app, CK_ESC);
	assert_int_equal(fx->app->screen, SCREEN_HOSTS);
}

static void test_host_dialogs(void **state)
{
	struct fixture *fx = *state;

	app_key(fx->app, 'x');
	assert_int_equal(fx->app->dialog.kind, DIALOG_CONFIRM);
	golden(fx, "host-delete-confirm");
	app_key(fx->app, CK_ENTER); /* No is the default */
	assert_int_equal(fx->app->dialog.kind, DIALOG_NONE);
	assert_false(fx->app->worker.running);
	app_key(fx->app, 'n');
	assert_int_equal(fx->app->dialog.kind, DIALOG_FORM);
	app_type(fx->app, "qemu:///nowhere");
	keys(fx->app, CK_TAB, CK_NONE);
	app_type(fx->app, "nosuch");
	keys(fx->app, CK_TAB, CK_TAB, CK_NONE);
	/* Virt type: anything but kvm, qemu or auto is refused as typed. */
	assert_int_equal(fx->app->dialog.focus, 3);
	assert_string_equal(fx->app->dialog.fields[3].text, "auto");
	keys(fx->app, CK_END, CK_BACKSPACE, CK_BACKSPACE, CK_BACKSPACE, CK_BACKSPACE, 'x', 'e',
	     'n', CK_NONE);
	assert_true(fx->app->dialog.fields[3].invalid);
	assert_non_null(strstr(fx->app->dialog.fields[3].message, "'xen'"));
	keys(fx->app, CK_BACKSPACE, CK_BACKSPACE, CK_BACKSPACE, 'q', 'e', 'm', 'u', CK_NONE);
	assert_false(fx->app->dialog.fields[3].invalid);
	keys(fx->app, CK_TAB, CK_ENTER, CK_NONE);
	/* An unknown cluster keeps the form open with the reason. */
	assert_int_equal(fx->app->dialog.kind, DIALOG_FORM);
	assert_true(fx->app->dialog.fields[1].invalid);
	golden(fx, "host-add-form");
	app_key(fx->app, CK_ESC);
	assert_int_equal(fx->app->dialog.kind, DIALOG_NONE);
	assert_false(fx->app->worker.running);
}

static void test_vms_and_detail(void **state)
{
	struct fixture *fx = *state;

	app_key(fx->app, 'v');
	assert_int_equal(fx->app->screen, SCREEN_VMS);
	app_key(fx->app, 's');
	golden_both(fx, "vms");
	app_key(fx->app, CK_DOWN);
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
	assert_string_equal(fx->app->vm_detail.vm.name, "web1");
	app_tick(fx->app);
	assert_true(fx->app->vm_detail.ntail >= 3);
	golden_both(fx, "vm-detail");
	assert_true(screen_has(fx, "BOOTDECK-MARKER platform=efi"));
	app_resize(fx->app, 120, 40);
	assert_true(screen_has(fx, "c1 / kvm-bios                      no UEFI"));
	app_resize(fx->app, 80, 24);
	/* The tail follows the file as it grows. */
	{
		FILE *fp = fopen(fx->log, "a");

		fputs("Shell> echo still here\r\n", fp);
		fclose(fp);
	}
	for (int i = 0; i < 5; i++)
		app_tick(fx->app);
	assert_true(screen_has(fx, "Shell> echo still here"));
	app_key(fx->app, 'X');
	assert_int_equal(fx->app->dialog.kind, DIALOG_CONFIRM);
	assert_non_null(strstr(fx->app->dialog.text, "Expunge 'web1'"));
	golden(fx, "vm-expunge-confirm");
	app_key(fx->app, 'n');
	assert_false(fx->app->worker.running);
}

static void test_events_alerts_help(void **state)
{
	struct fixture *fx = *state;

	app_key(fx->app, 'e');
	assert_int_equal(fx->app->screen, SCREEN_EVENTS);
	assert_true(fx->app->events.count >= 2);
	golden_both(fx, "events");
	app_key(fx->app, 'a');
	assert_int_equal(fx->app->screen, SCREEN_ALERTS);
	golden_both(fx, "alerts");
	app_key(fx->app, CK_ENTER);
	assert_true(fx->app->alerts.list[0].read);
	assert_int_equal(fx->app->unread_alerts, 0);
	app_key(fx->app, '?');
	assert_int_equal(fx->app->screen, SCREEN_HELP);
	golden_both(fx, "help");
	/* Every key of every table is on the help screen. */
	for (size_t i = 0; i < app_global_nkey; i++)
		assert_non_null(app_global_keys[i].help);
	{
		char *dump;

		app_resize(fx->app, 120, 200);
		dump = render_text(fx);
		for (size_t i = 0; i < app_global_nkey; i++)
			if (!strstr(dump, app_global_keys[i].help))
				fail_msg("help lacks '%s'", app_global_keys[i].help);
		for (int s = 0; s < SCREEN_LAST; s++)
			for (size_t i = 0; i < screen_classes[s]->nkey; i++)
				if (!strstr(dump, screen_classes[s]->keys[i].help))
					fail_msg("help lacks '%s'", screen_classes[s]->keys[i].help);
		free(dump);
	}
	app_key(fx->app, CK_ESC);
	assert_int_equal(fx->app->screen, SCREEN_ALERTS);
}

/* ---- the Deploy wizard ---- */

static void wizard_to_review(struct fixture *fx)
{
	app_key(fx->app, 'd');
	assert_int_equal(fx->app->screen, SCREEN_DEPLOY);
	assert_int_equal(fx->app->deploy.wizard.step, WIZARD_STEP_TEMPLATE);
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->deploy.wizard.step, WIZARD_STEP_OFFERING);
	keys(fx->app, CK_DOWN, CK_ENTER, CK_NONE); /* "small": 1 vCPU, 512 MiB */
	assert_int_equal(fx->app->deploy.wizard.cpu, 1);
	assert_int_equal(fx->app->deploy.wizard.step, WIZARD_STEP_PLACEMENT);
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->deploy.wizard.step, WIZARD_STEP_REVIEW);
}

static void test_wizard_steps(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	app_key(fx->app, 'd');
	golden_both(fx, "deploy-template");
	app_key(fx->app, CK_ENTER);
	golden(fx, "deploy-offering");
	app_key(fx->app, CK_ESC);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_TEMPLATE);
	assert_string_not_equal(deploy->wizard.template_id, "");
	keys(fx->app, CK_ENTER, CK_ENTER, CK_NONE); /* offering "large", listed first */
	assert_int_equal(deploy->wizard.cpu, 4);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_PLACEMENT);
	golden_both(fx, "deploy-placement");
	/* Hosts that cannot take the VM are greyed out; picking one is refused. */
	/* kvm-secure: full for "large" */
	for (size_t i = 0; i < deploy->place_table.nview; i++) {
		const struct place_row *r = &deploy->rows[deploy->place_table.view[i]];

		if (r->target == WIZARD_TARGET_HOST &&
		    strcmp(deploy->hosts[r->index].name, "kvm-secure") == 0)
			deploy->place_table.selected = i;
	}
	app_key(fx->app, CK_ENTER);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_PLACEMENT);
	assert_true(fx->app->status_error);
	assert_non_null(strstr(fx->app->status, "'kvm-secure'"));
	assert_true(deploy->place_table.source->greyed(fx->app, table_selected_row(&deploy->place_table)));
	keys(fx->app, CK_HOME, CK_ENTER, CK_NONE);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_int_equal(deploy->focus, DEPLOY_FOCUS_NAME);
	golden_both(fx, "deploy-review");
}

static void test_wizard_name_validates_as_you_type(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	wizard_to_review(fx);
	app_type(fx->app, "web 2");
	assert_true(deploy->name.invalid);
	assert_non_null(strstr(deploy->name.message, "'web 2'"));
	/* 'd', 'e', 'v' and 'q' went into the name, not to the global keys. */
	assert_int_equal(fx->app->screen, SCREEN_DEPLOY);
	golden(fx, "deploy-name-invalid");
	keys(fx->app, CK_LEFT, CK_BACKSPACE, '-', CK_NONE);
	assert_string_equal(deploy->name.text, "web-2");
	assert_false(deploy->name.invalid);
}

static void test_wizard_boot_dropdowns(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	wizard_to_review(fx);
	app_type(fx->app, "web2");
	app_key(fx->app, CK_TAB);
	assert_int_equal(deploy->focus, DEPLOY_FOCUS_BOOT_TYPE);
	assert_int_equal(deploy->boot_mode.nitem, 1); /* BIOS: LEGACY only */
	app_key(fx->app, ' ');
	assert_true(deploy->boot_type.open);
	golden(fx, "deploy-boot-type-open");
	keys(fx->app, CK_DOWN, CK_ENTER, CK_NONE);
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_UEFI);
	/* kvm-secure has room for a small VM: Secure Boot is the default. */
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_SECURE);
	assert_int_equal(deploy->boot_mode.nitem, 2);
	assert_string_equal(deploy->mode_items[deploy->boot_mode.selected], "SECURE");
	golden_both(fx, "deploy-review-uefi-secure");
	assert_true(screen_has(fx, "kvm-secure"));
	app_key(fx->app, CK_TAB);
	app_key(fx->app, CK_LEFT);
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_LEGACY);
	/* Back on BIOS, only LEGACY is offered. */
	keys(fx->app, CK_BTAB, CK_LEFT, CK_NONE);
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_BIOS);
	assert_int_equal(deploy->boot_mode.nitem, 1);
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_LEGACY);
}

static void test_wizard_defaults_legacy_without_secure_room(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	/* "large" needs 4 vCPU and 8 GiB: kvm-secure (4/8192, one VM on it)
	 * has no room, so UEFI defaults to LEGACY. */
	keys(fx->app, 'd', CK_ENTER, CK_ENTER, CK_ENTER, CK_NONE);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_int_equal(deploy->wizard.cpu, 4);
	keys(fx->app, CK_TAB, CK_RIGHT, CK_NONE);
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_LEGACY);
}

static void test_wizard_resize_keeps_input(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	wizard_to_review(fx);
	app_type(fx->app, "keepme");
	keys(fx->app, CK_TAB, CK_RIGHT, CK_NONE);
	app_resize(fx->app, 120, 40);
	golden(fx, "deploy-review-resized");
	app_resize(fx->app, 60, 20);
	app_render(fx->app);
	app_resize(fx->app, 80, 24);
	assert_string_equal(deploy->name.text, "keepme");
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	/* Leaving and coming back keeps it too. */
	app_key(fx->app, CK_TAB); /* off the name field, so 'h' is a global key */
	app_key(fx->app, CK_TAB);
	app_key(fx->app, 'h');
	assert_int_equal(fx->app->screen, SCREEN_HOSTS);
	app_key(fx->app, 'd');
	assert_string_equal(deploy->name.text, "keepme");
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
}

static void test_wizard_submit_refuses_bad_name(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	wizard_to_review(fx);
	keys(fx->app, CK_TAB, CK_TAB, CK_TAB, CK_NONE);
	assert_int_equal(deploy->focus, DEPLOY_FOCUS_BUTTONS);
	app_key(fx->app, CK_ENTER);
	assert_false(fx->app->worker.running);
	assert_true(fx->app->status_error);
	assert_non_null(strstr(fx->app->status, "name must not be empty"));
	assert_int_equal(deploy->focus, DEPLOY_FOCUS_NAME);
}

/* A host picked on the Placement step is where the VM goes; the wizard
 * starts afresh after the success. (The failure path, alert and kept
 * input, is tested on the simulated fleet below.) */
static void test_wizard_deploy_on_picked_host(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;

	keys(fx->app, 'd', CK_ENTER, CK_DOWN, CK_ENTER, CK_NONE);
	/* Pick host kvm-bios explicitly. */
	for (size_t i = 0; i < deploy->place_table.nview; i++) {
		const struct place_row *r = &deploy->rows[deploy->place_table.view[i]];

		if (r->target == WIZARD_TARGET_HOST &&
		    strcmp(deploy->hosts[r->index].name, "kvm-bios") == 0)
			deploy->place_table.selected = i;
	}
	app_key(fx->app, CK_ENTER);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_int_equal(deploy->wizard.target, WIZARD_TARGET_HOST);
	app_type(fx->app, "picked1");
	keys(fx->app, CK_TAB, CK_TAB, CK_TAB, CK_ENTER, CK_NONE);
	assert_true(fx->app->worker.running);
	app_render(fx->app); /* progress draws while it runs */
	app_wait(fx->app);
	if (fx->app->dialog.kind != DIALOG_NONE)
		fail_msg("deploy failed: %s", fx->app->dialog.text);
	assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
	assert_string_equal(fx->app->vm_detail.vm.name, "picked1");
	assert_string_equal(fx->app->vm_detail.vm.host_name, "kvm-bios");
	assert_int_equal(fx->app->vm_detail.vm.boot.type, BOOT_TYPE_BIOS);
	app_key(fx->app, 'd');
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_TEMPLATE);
	assert_string_equal(deploy->name.text, "");
}

static void test_quit(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(app_key(fx->app, 'q') & WF_QUIT, WF_QUIT);
	assert_true(fx->app->quit);
}

static void test_mouse(void **state)
{
	struct fixture *fx = *state;

	app_render(fx->app);
	/* Row 3 of the body is the third host; a click selects it. */
	app_click(fx->app, 2, 4);
	assert_int_equal(fx->app->hosts.table.selected, 2);
	app_render(fx->app);
	app_click(fx->app, 2, 4);
	assert_int_equal(fx->app->screen, SCREEN_HOST_DETAIL);
}

/* 10,000 hosts: the list loads whole, scrolls to its ends and filters as
 * typed. How fast is bench/console-bench's to measure, not a test's. */
static void test_many_hosts(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct store *store = store_open(fx->db, &err);
	size_t expect = 0, expect_999 = 0;

	assert_non_null(store);
	must(store_begin(store, &err), &err);
	for (int i = 0; i < 10000; i++) {
		char name[32];

		snprintf(name, sizeof name, "node-%05d", i);
		add_host(store, name, i % 2 ? "c1" : "c2", HOST_STATE_UP, i % 3 != 0, i % 3 == 2,
			 32, 131072);
		expect += strstr(name, "99") != NULL;
		expect_999 += strstr(name, "999") != NULL;
	}
	must(store_commit(store, &err), &err);
	store_close(store);
	app_show(fx->app, SCREEN_HOSTS);
	app_render(fx->app);
	assert_int_equal(fx->app->hosts.count, 10004);
	assert_int_equal(fx->app->hosts.table.nview, 10004);

	app_key(fx->app, CK_END);
	app_render(fx->app);
	assert_int_equal(fx->app->hosts.table.selected, 10003);
	app_key(fx->app, CK_PGUP);
	app_render(fx->app);
	assert_true(fx->app->hosts.table.selected < 10003);
	app_key(fx->app, CK_HOME);
	app_render(fx->app);
	assert_int_equal(fx->app->hosts.table.selected, 0);

	/* "999" then one character erased: the view follows each key. */
	{
		static const int typed[] = { '/', '9', '9', '9', CK_BACKSPACE, CK_ENTER };

		for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
			app_key(fx->app, typed[i]);
			app_render(fx->app);
			if (i == 3)
				assert_int_equal(fx->app->hosts.table.nview, expect_999);
		}
	}
	assert_int_equal(fx->app->hosts.table.nview, expect);
}

/* ---- a fleet whose deploys really run: simulated libvirt hosts ---- */

/* Hosts onboarded through hostops_add on libvirt's test:/// driver, their
 * firmware described by the demo's uefi.properties files, so a deploy's
 * outcome is certain:
 *   cluster "plain": p1 (no UEFI)
 *   cluster "uefi":  u1 (UEFI only), s1 (UEFI + Secure Boot)
 * With `secure` false, s1 is left out: nothing can boot Secure. */
static void sim_copy(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	size_t n;

	if (!in || !out)
		fail_msg("cannot copy %s to %s", from, to);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void sim_host(struct fixture *fx, struct store *store, const char *cluster,
		     const char *name, const char *properties)
{
	struct bd_error err = { 0 };
	struct host host = { 0 };
	char node[400], url[420], props[300];
	struct host_add_request req = {
		.cluster_id = cluster, .url = url, .virt_type = "qemu", .name = name,
	};

	snprintf(node, sizeof node, "%s/%s.xml", fx->dir, name);
	sim_copy(DEMO_DIR "/host-8c-32g.xml", node);
	snprintf(url, sizeof url, "test://%s", node);
	if (properties) {
		snprintf(props, sizeof props, "%s/%s", DEMO_DIR, properties);
		req.uefi_properties = props;
	}
	must(hostops_add(store, &req, &host, NULL, NULL, &err), &err);
	assert_int_equal(host.state, HOST_STATE_UP);
	host_clear(&host);
}

static int sim_setup_fleet(void **state, bool secure)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct bd_error err = { 0 };
	struct store *store;
	struct cluster plain = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	struct cluster uefi = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	struct template tmpl = { .format = TEMPLATE_QCOW2, .size_bytes = 1073741824 };
	struct service_offering small = { .cpunumber = 1, .memory_mib = 1024 };
	char path[400];
	FILE *fp;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/bdconsim-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	/* Per-VM files (overlays, NVRAM, logs) stay inside the folder. */
	snprintf(path, sizeof path, "%s/xdg", fx->dir);
	setenv("XDG_DATA_HOME", path, 1);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(fx->db, sizeof fx->db, "%s/test.db", fx->dir);
	snprintf(fx->log, sizeof fx->log, "%s/unused.log", fx->dir);
	store = store_open(fx->db, &err);
	must(store ? 0 : -1, &err);
	snprintf(plain.name, sizeof plain.name, "plain");
	snprintf(uefi.name, sizeof uefi.name, "uefi");
	must(store_cluster_insert(store, &plain, &err), &err);
	must(store_cluster_insert(store, &uefi, &err), &err);
	sim_host(fx, store, "plain", "p1", NULL);
	sim_host(fx, store, "uefi", "u1", "uefi-legacy.properties");
	if (secure)
		sim_host(fx, store, "uefi", "s1", "uefi-secure.properties");
	/* A qcow2 header is all the template check reads. */
	snprintf(path, sizeof path, "%s/disk.qcow2", fx->dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite("QFI\xfb\0\0\0\3", 1, 8, fp);
	fclose(fp);
	snprintf(tmpl.name, sizeof tmpl.name, "tmpl");
	tmpl.url = strdup(path);
	must(store_template_insert(store, &tmpl, &err), &err);
	template_clear(&tmpl);
	snprintf(small.name, sizeof small.name, "small");
	must(store_offering_insert(store, &small, &err), &err);
	store_close(store);
	fx->app = app_new(fx->db, &err);
	must(fx->app ? 0 : -1, &err);
	*state = fx;
	return 0;
}

static int sim_setup(void **state)
{
	return sim_setup_fleet(state, true);
}

static int sim_setup_no_secure(void **state)
{
	return sim_setup_fleet(state, false);
}

static int sim_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int sim_teardown(void **state)
{
	struct fixture *fx = *state;

	app_free(fx->app);
	hostops_shutdown();
	nftw(fx->dir, sim_remove, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CONFIG_HOME");
	free(fx);
	return 0;
}

/* Template "tmpl", offering "small", automatic placement, then Review with
 * `name` typed and Boot Type set to UEFI. */
static void sim_wizard_uefi(struct fixture *fx, const char *name)
{
	struct deploy_screen *deploy = &fx->app->deploy;

	keys(fx->app, 'd', CK_ENTER, CK_ENTER, CK_ENTER, CK_NONE);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_int_equal(deploy->wizard.target, WIZARD_TARGET_AUTO);
	app_type(fx->app, name);
	keys(fx->app, CK_TAB, CK_RIGHT, CK_NONE);
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_UEFI);
}

/* Submits from Review and waits for the deploy job. */
static void sim_submit(struct fixture *fx)
{
	struct deploy_screen *deploy = &fx->app->deploy;

	while (deploy->focus != DEPLOY_FOCUS_BUTTONS)
		app_key(fx->app, CK_TAB);
	deploy->buttons.focus = 0; /* Deploy */
	app_key(fx->app, CK_ENTER);
	assert_true(fx->app->worker.running);
	app_render(fx->app); /* progress draws while it runs */
	app_wait(fx->app);
}

static void test_deploy_secure_opens_vm_detail(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;
	char *dump;

	sim_wizard_uefi(fx, "vault");
	/* s1 has room and proven Secure Boot: SECURE is the default. */
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_SECURE);
	assert_true(deploy->preview_ok);
	assert_string_equal(deploy->preview.host_name, "s1");
	sim_submit(fx);
	assert_int_equal(fx->app->dialog.kind, DIALOG_NONE);
	assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
	assert_false(fx->app->status_error);
	assert_non_null(strstr(fx->app->status, "Deployed 'vault'"));
	assert_string_equal(fx->app->vm_detail.vm.name, "vault");
	assert_string_equal(fx->app->vm_detail.vm.host_name, "s1");
	assert_int_equal(fx->app->vm_detail.vm.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(fx->app->vm_detail.vm.boot.mode, BOOT_MODE_SECURE);
	app_resize(fx->app, 120, 80);
	dump = render_text(fx);
	if (!strstr(dump, "Boot Type") || !strstr(dump, "UEFI") || !strstr(dump, "Boot Mode") ||
	    !strstr(dump, "SECURE") || !strstr(dump, "Placement") ||
	    !strstr(dump, "uefi / s1                          chosen") ||
	    !strstr(dump, "uefi / u1                          no Secure Boot")) {
		print_error("%s\n", dump);
		fail_msg("VM detail lacks the boot facts or the placement (screen above)");
	}
	free(dump);
	/* The wizard starts afresh after a success. */
	app_key(fx->app, 'd');
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_TEMPLATE);
	assert_string_equal(deploy->name.text, "");
}

static void test_deploy_without_secure_host_alerts_and_keeps_input(void **state)
{
	struct fixture *fx = *state;
	struct deploy_screen *deploy = &fx->app->deploy;
	struct bd_error err = { 0 };
	char template_id[ID_LEN], offering_id[ID_LEN];

	sim_wizard_uefi(fx, "vault2");
	/* No Secure Boot host: UEFI defaults to LEGACY; the operator insists. */
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_LEGACY);
	keys(fx->app, CK_TAB, CK_RIGHT, CK_NONE);
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_SECURE);
	assert_false(deploy->preview_ok);
	snprintf(template_id, sizeof template_id, "%s", deploy->wizard.template_id);
	snprintf(offering_id, sizeof offering_id, "%s", deploy->wizard.offering_id);
	sim_submit(fx);
	assert_int_equal(fx->app->dialog.kind, DIALOG_ALERT);
	assert_true(fx->app->dialog.error);
	assert_non_null(strstr(fx->app->dialog.text, "Deploy 'vault2' failed [533]"));
	if (!strstr(fx->app->dialog.text, "UEFI SECURE"))
		fail_msg("the alert does not say why: %s", fx->app->dialog.text);
	assert_true(screen_has(fx, "Deploy 'vault2' failed"));
	assert_true(fx->app->status_error);
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->dialog.kind, DIALOG_NONE);
	assert_int_equal(fx->app->screen, SCREEN_DEPLOY);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_string_equal(deploy->name.text, "vault2");
	assert_string_equal(deploy->wizard.template_id, template_id);
	assert_string_equal(deploy->wizard.offering_id, offering_id);
	assert_int_equal(deploy->wizard.target, WIZARD_TARGET_AUTO);
	assert_int_equal(deploy->wizard.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(deploy->wizard.boot.mode, BOOT_MODE_SECURE);
	assert_string_equal(deploy->mode_items[deploy->boot_mode.selected], "SECURE");
	/* Nothing was half-written: no VM record remains. */
	{
		struct store *store = store_open(fx->db, &err);
		struct vm vm = { 0 };

		assert_non_null(store);
		assert_int_equal(store_vm_get(store, "vault2", &vm, NULL), -1);
		store_close(store);
	}
	/* The retry with LEGACY succeeds from the kept input. */
	while (deploy->focus != DEPLOY_FOCUS_BOOT_MODE)
		app_key(fx->app, CK_TAB);
	app_key(fx->app, CK_LEFT);
	sim_submit(fx);
	assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
	assert_string_equal(fx->app->vm_detail.vm.name, "vault2");
	assert_string_equal(fx->app->vm_detail.vm.host_name, "u1");
	assert_int_equal(fx->app->vm_detail.vm.boot.mode, BOOT_MODE_LEGACY);
}

/* Deploys `name` (UEFI, the default mode) and leaves the VM detail open. */
static void sim_deploy(struct fixture *fx, const char *name)
{
	sim_wizard_uefi(fx, name);
	sim_submit(fx);
	assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
	assert_string_equal(fx->app->vm_detail.vm.name, name);
}

/* Runs an action key (answering a confirmation with `answer` when one is
 * asked) and waits for its job. */
static void sim_action(struct fixture *fx, int key, int answer)
{
	app_key(fx->app, key);
	if (answer) {
		assert_int_equal(fx->app->dialog.kind, DIALOG_CONFIRM);
		app_key(fx->app, answer);
	}
	app_wait(fx->app);
	if (fx->app->dialog.kind == DIALOG_ALERT)
		fail_msg("action '%c' failed: %s", key, fx->app->dialog.text);
}

static void test_vm_actions(void **state)
{
	struct fixture *fx = *state;
	struct vm_detail_screen *detail = &fx->app->vm_detail;
	struct bd_error err = { 0 };
	struct store *store;
	struct vm vm = { 0 };

	sim_deploy(fx, "life1");
	assert_int_equal(detail->vm.state, VM_STATE_RUNNING);
	sim_action(fx, 'p', 0);
	assert_int_equal(detail->vm.state, VM_STATE_STOPPED);
	assert_non_null(strstr(fx->app->status, "'life1': done"));
	sim_action(fx, 'u', 0);
	assert_int_equal(detail->vm.state, VM_STATE_RUNNING);
	/* Force stop asks first; No leaves the guest running. */
	app_key(fx->app, 'P');
	assert_int_equal(fx->app->dialog.kind, DIALOG_CONFIRM);
	assert_non_null(strstr(fx->app->dialog.text, "Force stop 'life1'?"));
	app_key(fx->app, 'n');
	assert_false(fx->app->worker.running);
	assert_int_equal(detail->vm.state, VM_STATE_RUNNING);
	sim_action(fx, 'P', 'y');
	assert_int_equal(detail->vm.state, VM_STATE_STOPPED);
	sim_action(fx, 'u', 0);
	/* Destroy asks first, then marks the VM Destroyed; the record stays. */
	app_key(fx->app, 'x');
	assert_int_equal(fx->app->dialog.kind, DIALOG_CONFIRM);
	assert_non_null(strstr(fx->app->dialog.text, "Destroy 'life1'?"));
	app_key(fx->app, CK_ESC);
	assert_int_equal(fx->app->dialog.kind, DIALOG_NONE);
	assert_false(fx->app->worker.running);
	sim_action(fx, 'x', 'y');
	assert_int_equal(detail->vm.state, VM_STATE_DESTROYED);
	/* Expunge removes the record and returns to the list. */
	sim_action(fx, 'X', 'y');
	assert_int_equal(fx->app->screen, SCREEN_VMS);
	store = store_open(fx->db, &err);
	assert_non_null(store);
	assert_int_equal(store_vm_get(store, "life1", &vm, NULL), -1);
	store_close(store);
	assert_false(screen_has(fx, "life1"));
}

static void test_migrate_refused_for_uefi(void **state)
{
	struct fixture *fx = *state;

	sim_deploy(fx, "nvram1");
	app_key(fx->app, 'm');
	/* Refused before any host is offered, naming the VM and why. */
	assert_int_not_equal(fx->app->dialog.kind, DIALOG_PICK);
	assert_false(fx->app->worker.running);
	assert_true(fx->app->status_error);
	assert_non_null(strstr(fx->app->status, "'nvram1'"));
	assert_non_null(strstr(fx->app->status, "migrating UEFI VMs is not supported"));
	assert_string_equal(fx->app->vm_detail.vm.host_name, "s1");
}

/* ---- themes ---- */

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_theme_no_color(void **state)
{
	struct fixture *fx = *state;

	assert_false(theme_colour_allowed("1", true));
	assert_false(theme_colour_allowed("anything", true));
	/* NO_COLOR only counts when set to something. */
	assert_true(theme_colour_allowed("", true));
	assert_true(theme_colour_allowed(NULL, true));
	assert_false(theme_colour_allowed(NULL, false));
	/* Without colour the monochrome theme is chosen, whatever was asked. */
	app_theme_start(fx->app, "dark", false);
	assert_string_equal(fx->app->theme.name, "monochrome");
	assert_string_equal(theme_builtin_names[fx->app->theme_index], "monochrome");
	for (int m = 0; m < THEME_MEANING_LAST; m++) {
		assert_int_equal(fx->app->theme.styles[m].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(fx->app->theme.styles[m].bg, THEME_COLOR_DEFAULT);
	}
	app_theme_start(fx->app, "dark", true);
	assert_string_equal(fx->app->theme.name, "dark");
}

static void test_theme_from_config_file(void **state)
{
	struct fixture *fx = *state;
	char path[400];

	snprintf(path, sizeof path, "%s/bootdeck", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/bootdeck/config", fx->dir);
	write_text(path, "# bootdeck console\n  theme = dark  \n");
	setenv("XDG_CONFIG_HOME", fx->dir, 1);
	app_theme_start(fx->app, NULL, true);
	assert_string_equal(fx->app->theme.name, "dark");
	assert_false(fx->app->status_error);
	/* --theme wins over the file. */
	app_theme_start(fx->app, "light", true);
	assert_string_equal(fx->app->theme.name, "light");
	unsetenv("XDG_CONFIG_HOME");
	unlink(path);
	snprintf(path, sizeof path, "%s/bootdeck", fx->dir);
	rmdir(path);
}

static void test_theme_broken_falls_back(void **state)
{
	struct fixture *fx = *state;
	struct theme reference;
	char path[400];
	const char *saved = getenv("BOOTDECK_THEME_DIR");
	char *keep = saved ? strdup(saved) : NULL;

	snprintf(path, sizeof path, "%s/broken.theme", fx->dir);
	write_text(path, "# a theme with a typo\ncolor title white blue bold\ncolor titel red black\n");
	setenv("BOOTDECK_THEME_DIR", fx->dir, 1);
	app_theme_start(fx->app, "broken", true);
	if (keep)
		setenv("BOOTDECK_THEME_DIR", keep, 1);
	else
		unsetenv("BOOTDECK_THEME_DIR");
	free(keep);
	unlink(path);
	assert_true(fx->app->status_error);
	assert_non_null(strstr(fx->app->status, "line 3"));
	assert_non_null(strstr(fx->app->status, "'titel'"));
	assert_non_null(strstr(fx->app->status, "using the default theme"));
	assert_true(screen_has(fx, "line 3"));
	theme_init_default(&reference);
	assert_string_equal(fx->app->theme.name, reference.name);
	assert_memory_equal(fx->app->theme.styles, reference.styles, sizeof reference.styles);
	assert_string_equal(theme_builtin_names[fx->app->theme_index], "default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hosts_screen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_dialogs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vms_and_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_alerts_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_name_validates_as_you_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_boot_dropdowns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_defaults_legacy_without_secure_room, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wizard_resize_keeps_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_submit_refuses_bad_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wizard_deploy_on_picked_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deploy_secure_opens_vm_detail, sim_setup,
						sim_teardown),
		cmocka_unit_test_setup_teardown(test_deploy_without_secure_host_alerts_and_keeps_input,
						sim_setup_no_secure, sim_teardown),
		cmocka_unit_test_setup_teardown(test_vm_actions, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_refused_for_uefi, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_theme_no_color, setup, teardown),
		cmocka_unit_test_setup_teardown(test_theme_from_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_theme_broken_falls_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
