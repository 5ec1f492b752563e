/* bootdeck end to end on the private mixed fleet (fleet.sh): three real
 * libvirt hosts onboarded with addHost, whose probes must tell the truth,
 * and real QEMU guests deployed through the CLI whose firmware is proven
 * by what they print on their serial consoles.
 *
 * Uses the fleet named by FLEET_FULL_URI & co. when set, otherwise brings
 * up its own. Images come from tests/fixtures/make-images.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clitest.h"
#include "config.h"

#define FLEET_SH BOOTDECK_SOURCE_DIR "/tests/fleet/fleet.sh"
#define MAKE_IMAGES BOOTDECK_SOURCE_DIR "/tests/fixtures/make-images.sh"
#define BOOT_TIMEOUT_S 120

struct fleet {
	struct clitest *ct;
	char own[PATH_MAX];          /* fleet brought up here, or empty */
	char full[1024], nosecure[1024], nouefi[1024];
	char images[PATH_MAX];
};

static struct fleet fleet;

static void run_or_fail(const char *const *argv, int timeout_ms)
{
	struct runbin_opts opts = { .timeout_ms = timeout_ms };
	struct runbin_result res = { 0 };

	if (runbin_run(argv, &opts, &res) < 0 || res.status != 0)
		fail_msg("%s failed (exit %d):\n%s\n%s", argv[0], res.status, res.out, res.err);
	runbin_result_clear(&res);
}

static void env_copy(const char *name, char *out, size_t size)
{
	const char *value = getenv(name);

	snprintf(out, size, "%s", value ? value : "");
}

/* Reads KEY=VALUE lines of fleet.env into the environment. */
static int fleet_env_load(const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *eq = strchr(line, '=');
		char *value;
		size_t len;

		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		value = eq + 1;
		len = strlen(value);
		while (len && (value[len - 1] == '\n' || value[len - 1] == '\r'))
			value[--len] = '\0';
		/* fleet.env may quote values for the shell. */
		if (len >= 2 && (value[0] == '\'' || value[0] == '"') && value[len - 1] == value[0]) {
			value[len - 1] = '\0';
			value++;
		}
		setenv(line, value, 1);
	}
	fclose(f);
	return 0;
}

static void add_lab_host(const char *name, const char *uri)
{
	char k_name[64], k_url[1100];

	snprintf(k_name, sizeof k_name, "name=%s", name);
	snprintf(k_url, sizeof k_url, "url=%s", uri);
	json_object_put(clitest_ok(fleet.ct, "addHost", "clusterid=lab", k_name, k_url, NULL));
}

static void register_image(const char *name, const char *file, const char *format)
{
	char k_name[64], k_url[PATH_MAX + 8], k_format[32];

	snprintf(k_name, sizeof k_name, "name=%s", name);
	snprintf(k_url, sizeof k_url, "url=%s/%s", fleet.images, file);
	snprintf(k_format, sizeof k_format, "format=%s", format);
	json_object_put(clitest_ok(fleet.ct, "registerTemplate", k_name, k_url, k_format, NULL));
}

static int fleet_setup(void **state)
{
	(void)state;
	if (!getenv("FLEET_FULL_URI")) {
		const char *up[] = { FLEET_SH, "up", fleet.own, NULL };
		char env[PATH_MAX + 16];

		/* Short path: socket paths must fit in 108 bytes. */
		snprintf(fleet.own, sizeof fleet.own, "/tmp/bdfleet.XXXXXX");
		if (!mkdtemp(fleet.own))
			return -1;
		chmod(fleet.own, 0755);
		run_or_fail(up, 180000);
		snprintf(env, sizeof env, "%s/fleet.env", fleet.own);
		if (fleet_env_load(env) < 0)
			return -1;
	}
	env_copy("FLEET_FULL_URI", fleet.full, sizeof fleet.full);
	env_copy("FLEET_NOSECURE_URI", fleet.nosecure, sizeof fleet.nosecure);
	env_copy("FLEET_NOUEFI_URI", fleet.nouefi, sizeof fleet.nouefi);
	if (getenv("FLEET_IMAGES_DIR"))
		env_copy("FLEET_IMAGES_DIR", fleet.images, sizeof fleet.images);
	else
		snprintf(fleet.images, sizeof fleet.images, "%s/images", getenv("FLEET_DIR"));
	{
		const char *make[] = { MAKE_IMAGES, fleet.images, NULL };

		run_or_fail(make, 300000);
	}
	fleet.ct = clitest_new("bootdeck-fleet");
	if (!fleet.ct)
		return -1;
	fleet.ct->opts.timeout_ms = 300000;
	json_object_put(clitest_ok(fleet.ct, "createCluster", "name=lab", NULL));
	/* No virttype given: the probe itself finds out whether KVM works. */
	add_lab_host("lab-full", fleet.full);
	add_lab_host("lab-nosecure", fleet.nosecure);
	add_lab_host("lab-nouefi", fleet.nouefi);
	register_image("hybrid", "hybrid.iso", "ISO");
	register_image("signed", "secure.img", "RAW");
	register_image("unsigned", "unsigned.img", "RAW");
	json_object_put(clitest_ok(fleet.ct, "createServiceOffering", "name=tiny", "cpunumber=1",
				   "memory=512", NULL));
	return 0;
}

static int fleet_teardown(void **state)
{
	(void)state;
	if (fleet.own[0]) {
		const char *down[] = { FLEET_SH, "down", fleet.own, "--purge", NULL };
		struct runbin_result res = { 0 };

		runbin_run(down, NULL, &res);
		runbin_result_clear(&res);
	}
	clitest_free(fleet.ct);
	return 0;
}

static json_object *list_one(json_object **root, const char *command, const char *noun,
			     const char *id)
{
	char key[96];

	snprintf(key, sizeof key, "id=%s", id);
	*root = clitest_ok(fleet.ct, command, key, NULL);
	assert_int_equal(json_object_get_int(clitest_member(*root, "count")), 1);
	return json_object_array_get_idx(clitest_member(*root, noun), 0);
}

/* Deploys NAME from TEMPLATE and returns its console log path (owned). */
static char *deploy_real(const char *name, const char *tmpl, const char *type, const char *mode,
			 const char *want_host)
{
	char k_name[64], k_tmpl[64], k_type[32], k_mode[32];
	json_object *root, *vm;
	char *log;

	snprintf(k_name, sizeof k_name, "name=%s", name);
	snprintf(k_tmpl, sizeof k_tmpl, "templateid=%s", tmpl);
	snprintf(k_type, sizeof k_type, "boottype=%s", type);
	snprintf(k_mode, sizeof k_mode, "bootmode=%s", mode);
	root = clitest_ok(fleet.ct, "deployVirtualMachine", k_name, k_tmpl,
			  "serviceofferingid=tiny", k_type, k_mode, NULL);
	vm = clitest_member(root, "virtualmachine");
	assert_string_equal(clitest_string(vm, "hostname"), want_host);
	assert_string_equal(clitest_string(vm, "boottype"), type);
	assert_string_equal(clitest_string(vm, "bootmode"), mode);
	log = strdup(clitest_string(vm, "consolelog"));
	json_object_put(root);
	return log;
}

static char *file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)size + 1);
	if (text && size > 0 && fread(text, 1, (size_t)size, f) != (size_t)size)
		text[0] = '\0';
	fclose(f);
	return text;
}

/* Waits until every pattern (NULL-terminated) is on the console log. */
static void wait_console(const char *log, const char *const *patterns)
{
	time_t deadline = time(NULL) + BOOT_TIMEOUT_S;
	char *text = NULL;

	for (;;) {
		bool all = true;

		free(text);
		text = file_text(log);
		for (const char *const *p = patterns; *p; p++)
			all = all && strstr(text, *p);
		if (all)
			break;
		if (time(NULL) > deadline)
			fail_msg("console %s lacks %s after %d s:\n%s", log, patterns[0],
				 BOOT_TIMEOUT_S, text);
		usleep(200000);
	}
	free(text);
}

static void expunge(const char *name)
{
	char key[96];

	snprintf(key, sizeof key, "id=%s", name);
	json_object_put(clitest_ok(fleet.ct, "destroyVirtualMachine", key, "expunge=true", NULL));
}

static void test_probes_tell_the_truth(void **state)
{
	static const struct { const char *name; bool uefi, secure; } want[] = {
		{ "lab-full", true, true },
		{ "lab-nosecure", true, false },
		{ "lab-nouefi", false, false },
	};
	json_object *root, *host, *details, *error;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		host = list_one(&root, "listHosts", "host", want[i].name);
		details = clitest_member(host, "details");
		print_message("%s: virttype %s, UEFI %s, probe: %s\n", want[i].name,
			      clitest_string(host, "virttype"), clitest_string(host, "uefi"),
			      json_object_object_get_ex(details, "host.probe.error", &error)
				      ? json_object_get_string(error) : "no errors");
		assert_string_equal(clitest_string(host, "state"), "Up");
		assert_string_equal(clitest_string(host, "hypervisor"), "KVM");
		assert_int_equal(json_object_get_boolean(clitest_member(host, "ueficapability")),
				 want[i].uefi);
		assert_int_equal(json_object_get_boolean(clitest_member(host, "uefisecurecapability")),
				 want[i].secure);
		assert_string_equal(clitest_string(details, "host.uefi.enable"),
				    want[i].uefi ? "true" : "false");
		json_object_put(root);
	}
}

static void test_secure_refused_on_host_without_it(void **state)
{
	static const char *const why[] = { "lab-nosecure", "Secure Boot", NULL };

	(void)state;
	clitest_fails(fleet.ct, 431, why, "deployVirtualMachine", "name=nope", "templateid=signed",
		      "serviceofferingid=tiny", "boottype=UEFI", "bootmode=SECURE",
		      "hostid=lab-nosecure", NULL);
}

static void test_bios_guest_boots_seabios(void **state)
{
	static const char *const banner[] = { "SeaBIOS", "BOOTDECK-MARKER platform=pc", NULL };
	char *log;

	(void)state;
	/* BIOS guests keep off UEFI hosts: the one host without UEFI. */
	log = deploy_real("e2e-bios", "hybrid", "BIOS", "LEGACY", "lab-nouefi");
	wait_console(log, banner);
	free(log);
	expunge("e2e-bios");
}

static void test_uefi_legacy_guest_boots_ovmf_and_keeps_it(void **state)
{
	static const char *const banner[] = { "BdsDxe", "BOOTDECK-MARKER platform=efi", NULL };
	json_object *root, *vm;
	char *log;

	(void)state;
	log = deploy_real("e2e-legacy", "hybrid", "UEFI", "LEGACY", "lab-full");
	wait_console(log, banner);
	/* The guest halts after its marker; the record follows the host. */
	sleep(2);
	vm = list_one(&root, "listVirtualMachines", "virtualmachine", "e2e-legacy");
	assert_string_equal(clitest_string(vm, "state"), "Stopped");
	json_object_put(root);
	truncate(log, 0);
	json_object_put(clitest_ok(fleet.ct, "startVirtualMachine", "id=e2e-legacy", NULL));
	wait_console(log, banner);
	free(log);
	expunge("e2e-legacy");
}

static void test_uefi_secure_guest_boots_signed_chain(void **state)
{
	static const char *const marker[] = { "BOOTDECK-MARKER secure", NULL };
	json_object *root, *vm;
	char *log, *nvram, *disk;

	(void)state;
	log = deploy_real("e2e-secure", "signed", "UEFI", "SECURE", "lab-full");
	vm = list_one(&root, "listVirtualMachines", "virtualmachine", "e2e-secure");
	nvram = strdup(clitest_string(vm, "nvram"));
	disk = strdup(json_object_get_string(json_object_object_get(vm, "disk")) ?: "");
	print_message("secure guest loader %s, nvram %s\n", clitest_string(vm, "loader"), nvram);
	json_object_put(root);
	wait_console(log, marker);
	assert_int_equal(access(nvram, F_OK), 0);
	expunge("e2e-secure");
	/* Nothing left behind: no NVRAM file, no overlay. */
	assert_int_not_equal(access(nvram, F_OK), 0);
	if (disk[0])
		assert_int_not_equal(access(disk, F_OK), 0);
	free(log);
	free(nvram);
	free(disk);
}

static void test_secure_boot_refuses_unsigned_loader(void **state)
{
	json_object *root, *vm;
	char *log, *text = NULL;
	time_t deadline;

	(void)state;
	log = deploy_real("e2e-unsigned", "unsigned", "UEFI", "SECURE", "lab-full");
	deadline = time(NULL) + BOOT_TIMEOUT_S;
	for (;;) {
		free(text);
		text = file_text(log);
		if (strstr(text, "Access Denied") || strstr(text, "Security Violation"))
			break;
		if (time(NULL) > deadline)
			fail_msg("Secure Boot did not refuse the unsigned loader:\n%s", text);
		usleep(200000);
	}
	assert_null(strstr(text, "BOOTDECK-MARKER"));
	vm = list_one(&root, "listVirtualMachines", "virtualmachine", "e2e-unsigned");
	assert_string_equal(clitest_string(vm, "bootmode"), "SECURE");
	json_object_put(root);
	free(text);
	free(log);
	expunge("e2e-unsigned");
}


/* A second bootdeck database sharing the hosts owns a guest of the same
 * name on lab-full: defining there fails, so the deploy must avoid that
 * host and land on the next one that can boot UEFI. */
static void test_failed_host_is_avoided_on_retry(void **state)
{
	struct clitest *other = clitest_new("bootdeck-fleet-other");
	json_object *root, *vm, *trail, *events;
	char k_url[1100];
	bool avoided = false, warned = false;

	(void)state;
	assert_non_null(other);
	other->opts.timeout_ms = 300000;
	json_object_put(clitest_ok(other, "createCluster", "name=lab", NULL));
	snprintf(k_url, sizeof k_url, "url=%s", fleet.full);
	json_object_put(clitest_ok(other, "addHost", "clusterid=lab", "name=lab-full", k_url,
				   "uefiproperties=" BOOTDECK_SOURCE_DIR "/scripts/demo/uefi-legacy.properties",
				   NULL));
	{
		char k_tmpl[PATH_MAX + 8];

		snprintf(k_tmpl, sizeof k_tmpl, "url=%s/hybrid.iso", fleet.images);
		json_object_put(clitest_ok(other, "registerTemplate", "name=hybrid", k_tmpl,
					   "format=ISO", NULL));
	}
	json_object_put(clitest_ok(other, "createServiceOffering", "name=tiny", "cpunumber=1",
				   "memory=512", NULL));
	json_object_put(clitest_ok(other, "deployVirtualMachine", "name=e2e-clash",
				   "templateid=hybrid", "serviceofferingid=tiny", "hostid=lab-full",
				   "startvm=false", NULL));

	root = clitest_ok(fleet.ct, "deployVirtualMachine", "name=e2e-clash", "templateid=hybrid",
			  "serviceofferingid=tiny", "boottype=UEFI", "bootmode=LEGACY",
			  "startvm=false", NULL);
	vm = clitest_member(root, "virtualmachine");
	assert_string_equal(clitest_string(vm, "hostname"), "lab-nosecure");
	trail = clitest_member(clitest_member(vm, "placement"), "trail");
	for (size_t i = 0; i < json_object_array_length(trail); i++) {
		json_object *step = json_object_array_get_idx(trail, i), *host;

		if (json_object_object_get_ex(step, "host", &host) &&
		    strcmp(json_object_get_string(host), "lab-full") == 0 &&
		    strstr(clitest_string(step, "reason"), "avoided"))
			avoided = true;
	}
	assert_true(avoided);
	json_object_put(root);
	root = clitest_ok(fleet.ct, "listEvents", "type=VM.DEPLOY", NULL);
	events = clitest_member(root, "event");
	for (size_t i = 0; i < json_object_array_length(events); i++)
		warned = warned || strstr(clitest_string(json_object_array_get_idx(events, i),
							 "description"), "lab-full");
	assert_true(warned);
	json_object_put(root);
	/* The host that failed is still Up: a clash is not an outage. */
	root = clitest_ok(fleet.ct, "listHosts", "id=lab-full", NULL);
	assert_string_equal(clitest_string(json_object_array_get_idx(clitest_member(root, "host"), 0),
					   "state"), "Up");
	json_object_put(root);
	expunge("e2e-clash");
	json_object_put(clitest_ok(other, "destroyVirtualMachine", "id=e2e-clash", "expunge=true",
				   NULL));
	clitest_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probes_tell_the_truth),
		cmocka_unit_test(test_secure_refused_on_host_without_it),
		cmocka_unit_test(test_bios_guest_boots_seabios),
		cmocka_unit_test(test_uefi_legacy_guest_boots_ovmf_and_keeps_it),
		cmocka_unit_test(test_uefi_secure_guest_boots_signed_chain),
		cmocka_unit_test(test_secure_boot_refuses_unsigned_loader),
		cmocka_unit_test(test_failed_host_is_avoided_on_retry),
	};
	return cmocka_run_group_tests(tests, fleet_setup, fleet_teardown);
}
