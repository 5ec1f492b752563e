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

#include "ui/console/app.h"

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
	keys(fx->app, CK_TAB, CK_TAB, CK_ENTER, CK_NONE);
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
	assert_true(screen_has(fx, "host kvm-bios, reason no UEFI"));
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
	keys(fx->app, CK_END, CK_NONE); /* the last row: kvm-secure, full for "large" */
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

/* A deploy that fails (the host cannot be reached) shows the error in an
 * alert and keeps every input for a retry. */
static void test_wizard_deploy_failure_keeps_input(void **state)
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
	app_type(fx->app, "retry1");
	keys(fx->app, CK_TAB, CK_TAB, CK_TAB, CK_ENTER, CK_NONE);
	assert_true(fx->app->worker.running);
	app_render(fx->app); /* progress draws while it runs */
	app_wait(fx->app);
	if (fx->app->dialog.kind == DIALOG_NONE) {
		/* The test driver deployed it: the VM detail opened. */
		assert_int_equal(fx->app->screen, SCREEN_VM_DETAIL);
		assert_string_equal(fx->app->vm_detail.vm.name, "retry1");
		return;
	}
	assert_int_equal(fx->app->dialog.kind, DIALOG_ALERT);
	assert_non_null(strstr(fx->app->dialog.text, "Deploy 'retry1' failed"));
	app_key(fx->app, CK_ENTER);
	assert_int_equal(fx->app->screen, SCREEN_DEPLOY);
	assert_int_equal(deploy->wizard.step, WIZARD_STEP_REVIEW);
	assert_string_equal(deploy->name.text, "retry1");
	assert_string_equal(deploy->wizard.host_id[0] ? "set" : "", "set");
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

/* 10,000 hosts: first frame, scrolling and filtering stay fast. */
static void test_many_hosts(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct store *store = store_open(fx->db, &err);
	struct timespec t0, t1;
	double first, key_max = 0;

	assert_non_null(store);
	must(store_begin(store, &err), &err);
	for (int i = 0; i < 10000; i++) {
		char name[32];

		snprintf(name, sizeof name, "node-%05d", i);
		add_host(store, name, i % 2 ? "c1" : "c2", HOST_STATE_UP, i % 3 != 0, i % 3 == 2,
			 32, 131072);
	}
	must(store_commit(store, &err), &err);
	store_close(store);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	app_show(fx->app, SCREEN_HOSTS);
	app_render(fx->app);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	first = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(fx->app->hosts.count, 10004);
	{
		static const int script[] = { CK_PGDN, CK_PGDN, CK_DOWN, CK_END, CK_PGUP, '/', '9',
					      '9', '9', CK_BACKSPACE, CK_ENTER };

		for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
			double ms;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			app_key(fx->app, script[i]);
			app_render(fx->app);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			if (ms > key_max)
				key_max = ms;
		}
	}
	print_message("10k hosts: first frame %.1f ms, slowest key frame %.1f ms\n", first, key_max);
	/* Budgets with headroom for sanitizer builds; the print shows the real figures. */
	assert_true(first < 150.0 * (getenv("BOOTDECK_SLOW") ? 10 : 1));
	assert_true(key_max < 16.0 * (getenv("BOOTDECK_SLOW") ? 10 : 1));
	{
		size_t expect = 0;

		for (int i = 0; i < 10000; i++) {
			char name[32];

			snprintf(name, sizeof name, "node-%05d", i);
			expect += strstr(name, "99") != NULL;
		}
		assert_int_equal(fx->app->hosts.table.nview, expect);
	}
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
		cmocka_unit_test_setup_teardown(test_wizard_deploy_failure_keeps_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_hosts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
