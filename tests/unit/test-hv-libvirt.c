/* The libvirt hypervisor driver against libvirt's in-process test driver:
 * test:///default and a host described by tests/data/hv/node.xml. Real
 * QEMU probes and canary boots run in the fleet suite (tests/hv/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "backend/hv.h"

#define NODE_URL "test://" BOOTDECK_SOURCE_DIR "/tests/data/hv/node.xml"
#define VALID_PROPERTIES BOOTDECK_SOURCE_DIR "/tests/data/uefi-properties/valid.properties"

struct fixture {
	const struct hv_driver *drv;
	struct hv_conn *conn;
};

static int fixture_open(void **state, const char *url)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct bd_error err = { 0 };

	assert_non_null(fx);
	fx->drv = hv_driver_for(url, &err);
	assert_non_null(fx->drv);
	fx->conn = fx->drv->open(url, &err);
	if (!fx->conn)
		fail_msg("cannot open %s: %s", url, err.text);
	*state = fx;
	return 0;
}

static int setup_default(void **state)
{
	return fixture_open(state, "test:///default");
}

static int setup_node(void **state)
{
	return fixture_open(state, NODE_URL);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx)
		fx->drv->close(fx->conn);
	free(fx);
	return 0;
}

static void names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static bool names_have(char **names, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

/* Caps as a probe of a libvirt host with autoselected firmware leaves them. */
static void caps_autoselect(struct host_caps *caps, bool secure)
{
	memset(caps, 0, sizeof *caps);
	caps->uefi = true;
	caps->secure = secure;
	caps->autoselect = true;
	snprintf(caps->virt_type, sizeof caps->virt_type, "qemu");
}

static struct hv_vm_spec spec_make(const char *name, struct boot_choice boot,
				   const struct host_caps *caps)
{
	struct hv_vm_spec spec = {
		.name = name,
		.uuid = "0b7e3f0e-2f4a-4a55-9d3c-7c1f2f0a9e11",
		.vcpus = 1,
		.memory_mib = 256,
		.boot = boot,
		.caps = caps,
		.serial_log = "/var/lib/libvirt/images/bootdeck/console.log",
	};
	return spec;
}

/* ---- choosing a driver, URLs ---------------------------------------- */

static void test_driver_for_rejects_unknown_scheme(void **state)
{
	struct bd_error err = { 0 };

	(void)state;
	assert_null(hv_driver_for("vmware://vcenter/dc1", &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'vmware://vcenter/dc1'"));
	assert_non_null(strstr(err.text, "qemu+ssh://"));

	assert_null(hv_driver_for("qemu+carrier-pigeon://h/system", &err));
	assert_int_equal(err.code, BD_ERR_PARAM);

	assert_null(hv_driver_for("", &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_null(hv_driver_for(NULL, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);

	/* A refused URL never shows its password. */
	assert_null(hv_driver_for("xen://root:s3cret@h/", &err));
	assert_null(strstr(err.text, "s3cret"));
	assert_non_null(strstr(err.text, "xen://root@h/"));
}

static void test_driver_for_accepts_libvirt_schemes(void **state)
{
	static const char *const urls[] = {
		"qemu:///system", "qemu:///session",
		"qemu+unix:///session?socket=/run/x/libvirt-sock",
		"qemu+ssh://root@kvm1/system", "qemu+tls://kvm2/system",
		"qemu+tcp://kvm3/system", "test:///default",
	};
	struct bd_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		const struct hv_driver *drv = hv_driver_for(urls[i], &err);

		assert_non_null(drv);
		assert_string_equal(drv->name, "libvirt");
		assert_non_null(drv->storage_dir);
	}
}

static void test_url_redact_strips_password(void **state)
{
	char *out;

	(void)state;
	out = hv_url_redact("qemu+ssh://root:pa@ss@kvm1:22/system?keyfile=/k");
	assert_string_equal(out, "qemu+ssh://root@kvm1:22/system?keyfile=/k");
	free(out);
	out = hv_url_redact("qemu+ssh://root@kvm1/system");
	assert_string_equal(out, "qemu+ssh://root@kvm1/system");
	free(out);
	out = hv_url_redact("qemu:///system");
	assert_string_equal(out, "qemu:///system");
	free(out);
	/* An '@' in the path is not a user part. */
	out = hv_url_redact("test:///a:b@c/node.xml");
	assert_string_equal(out, "test:///a:b@c/node.xml");
	free(out);
}

/* ---- connecting -------------------------------------------------------- */

static void test_open_unreachable_is_534_with_url(void **state)
{
	const char *url = "qemu+unix:///system?socket=/nonexistent/bootdeck/libvirt-sock";
	struct bd_error err = { 0 };
	const struct hv_driver *drv = hv_driver_for(url, &err);

	(void)state;
	assert_non_null(drv);
	assert_null(drv->open(url, &err));
	assert_int_equal(err.code, BD_ERR_UNAVAILABLE);
	assert_non_null(strstr(err.text, url));
	/* The hypervisor's own words come along. */
	assert_non_null(strstr(err.text, "/nonexistent/bootdeck/libvirt-sock"));
}

static void test_open_failure_hides_password(void **state)
{
	/* Port 1 refuses at once: no waiting for a timeout. */
	const char *url = "qemu+tcp://bob:hunter2@127.0.0.1:1/system";
	struct bd_error err = { 0 };
	const struct hv_driver *drv = hv_driver_for(url, &err);

	(void)state;
	assert_null(drv->open(url, &err));
	assert_int_equal(err.code, BD_ERR_UNAVAILABLE);
	assert_null(strstr(err.text, "hunter2"));
	assert_non_null(strstr(err.text, "'qemu+tcp://bob@127.0.0.1:1/system'"));
}

static void test_open_refuses_foreign_url(void **state)
{
	struct bd_error err = { 0 };
	const struct hv_driver *drv = hv_driver_for("test:///default", &err);

	(void)state;
	assert_null(drv->open("esx://vcenter/", &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'esx://vcenter/'"));
}

/* ---- node facts ---------------------------------------------------------- */

static void test_node_info_default_is_simulator(void **state)
{
	struct fixture *fx = *state;
	struct hv_node_info info;
	struct bd_error err = { 0 };

	assert_int_equal(fx->drv->node_info(fx->conn, &info, &err), 0);
	assert_int_equal(info.hypervisor, HYPERVISOR_SIMULATOR);
	assert_int_equal(info.cpus, 16);
	assert_int_equal(info.memory_mib, 3072);
	assert_true(info.hostname[0] != '\0');
	assert_false(info.kvm_available);
	/* libvirt's version in major.minor.micro form */
	assert_non_null(strchr(info.version, '.'));
	assert_true(info.version[0] >= '1' && info.version[0] <= '9');
}

static void test_node_info_from_node_file(void **state)
{
	struct fixture *fx = *state;
	struct hv_node_info info;
	struct bd_error err = { 0 };

	assert_int_equal(fx->drv->node_info(fx->conn, &info, &err), 0);
	assert_int_equal(info.cpus, 8);
	assert_int_equal(info.memory_mib, 16384);
	assert_string_equal(info.arch, "x86_64");
	assert_int_equal(info.hypervisor, HYPERVISOR_SIMULATOR);
}

/* ---- guests -------------------------------------------------------------- */

static void assert_state(struct fixture *fx, const char *name, bool exists, bool running)
{
	struct bd_error err = { 0 };
	bool is = !exists;
	bool runs = !running;

	assert_int_equal(fx->drv->state(fx->conn, name, &is, &runs, &err), 0);
	assert_int_equal(is, exists);
	assert_int_equal(runs, running);
}

static void test_lifecycle(void **state)
{
	struct fixture *fx = *state;
	struct host_caps caps;
	struct boot_choice boot = { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	struct hv_vm_spec spec;
	struct bd_error err = { 0 };
	char **names = NULL;
	size_t count = 0;

	caps_autoselect(&caps, false);
	spec = spec_make("web1", boot, &caps);
	assert_state(fx, "web1", false, false);

	assert_int_equal(fx->drv->define(fx->conn, &spec, &err), 0);
	assert_state(fx, "web1", true, false);

	assert_int_equal(fx->drv->list(fx->conn, &names, &count, &err), 0);
	assert_true(names_have(names, count, "web1"));
	/* test:///default ships a running guest named "test". */
	assert_true(names_have(names, count, "test"));
	names_free(names, count);

	assert_int_equal(fx->drv->start(fx->conn, "web1", &err), 0);
	assert_state(fx, "web1", true, true);
	assert_int_equal(fx->drv->reboot(fx->conn, "web1", &err), 0);
	assert_state(fx, "web1", true, true);

	/* A running guest is not removed behind the operator's back. */
	assert_int_equal(fx->drv->undefine(fx->conn, "web1", &err), -1);
	assert_non_null(strstr(err.text, "'web1'"));
	assert_state(fx, "web1", true, true);

	assert_int_equal(fx->drv->stop(fx->conn, "web1", 5, &err), 0);
	assert_state(fx, "web1", true, false);
	/* Stopping a stopped guest is already done. */
	assert_int_equal(fx->drv->stop(fx->conn, "web1", 5, &err), 0);

	assert_int_equal(fx->drv->start(fx->conn, "web1", &err), 0);
	assert_int_equal(fx->drv->destroy(fx->conn, "web1", &err), 0);
	assert_state(fx, "web1", true, false);
	assert_int_equal(fx->drv->destroy(fx->conn, "web1", &err), 0);

	assert_int_equal(fx->drv->undefine(fx->conn, "web1", &err), 0);
	assert_state(fx, "web1", false, false);
	/* Absent guests are not an error. */
	assert_int_equal(fx->drv->undefine(fx->conn, "web1", &err), 0);

	assert_int_equal(fx->drv->list(fx->conn, &names, &count, &err), 0);
	assert_false(names_have(names, count, "web1"));
	names_free(names, count);
}

static void test_list_sees_every_guest(void **state)
{
	struct fixture *fx = *state;
	struct host_caps caps;
	struct boot_choice boot = { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY };
	struct hv_vm_spec a;
	struct hv_vm_spec b;
	struct bd_error err = { 0 };
	char **names = NULL;
	size_t count = 0;

	caps_autoselect(&caps, false);
	a = spec_make("app-a", boot, &caps);
	b = spec_make("app-b", boot, &caps);
	b.uuid = "5a1d8f0c-7a35-4c3a-8f3e-2b6f0d1c2e33";
	assert_int_equal(fx->drv->list(fx->conn, &names, &count, &err), 0);
	assert_int_equal(count, 0);
	names_free(names, count);

	assert_int_equal(fx->drv->define(fx->conn, &a, &err), 0);
	assert_int_equal(fx->drv->define(fx->conn, &b, &err), 0);
	assert_int_equal(fx->drv->start(fx->conn, "app-b", &err), 0);
	assert_int_equal(fx->drv->list(fx->conn, &names, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_true(names_have(names, count, "app-a"));
	assert_true(names_have(names, count, "app-b"));
	names_free(names, count);
}

static void test_missing_guest_is_named(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };

	assert_int_equal(fx->drv->start(fx->conn, "ghost", &err), -1);
	assert_non_null(strstr(err.text, "'ghost'"));
	assert_int_equal(fx->drv->reboot(fx->conn, "ghost", &err), -1);
	assert_non_null(strstr(err.text, "'ghost'"));
	assert_int_equal(fx->drv->verify_secure(fx->conn, "ghost", &err), -1);
	assert_non_null(strstr(err.text, "'ghost'"));
}

static void test_define_refuses_secure_without_proof(void **state)
{
	struct fixture *fx = *state;
	struct host_caps caps;
	struct boot_choice boot = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };
	struct hv_vm_spec spec;
	struct bd_error err = { 0 };

	caps_autoselect(&caps, false);
	spec = spec_make("sb1", boot, &caps);
	assert_int_equal(fx->drv->define(fx->conn, &spec, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_state(fx, "sb1", false, false);

	spec.caps = NULL;
	assert_int_equal(fx->drv->define(fx->conn, &spec, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'sb1'"));
}

static void test_verify_secure(void **state)
{
	struct fixture *fx = *state;
	struct host_caps caps;
	struct boot_choice secure = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };
	struct boot_choice legacy = { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY };
	struct hv_vm_spec spec;
	struct bd_error err = { 0 };

	caps_autoselect(&caps, true);
	spec = spec_make("sb1", secure, &caps);
	assert_int_equal(fx->drv->define(fx->conn, &spec, &err), 0);
	/* Only a running guest proves anything. */
	assert_int_equal(fx->drv->verify_secure(fx->conn, "sb1", &err), -1);
	assert_non_null(strstr(err.text, "not running"));
	assert_int_equal(fx->drv->start(fx->conn, "sb1", &err), 0);
	if (fx->drv->verify_secure(fx->conn, "sb1", &err) != 0)
		fail_msg("secure guest not verified: %s", err.text);

	spec = spec_make("plain1", legacy, &caps);
	spec.uuid = "9d0c1a2b-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
	assert_int_equal(fx->drv->define(fx->conn, &spec, &err), 0);
	assert_int_equal(fx->drv->start(fx->conn, "plain1", &err), 0);
	assert_int_equal(fx->drv->verify_secure(fx->conn, "plain1", &err), -1);
	assert_non_null(strstr(err.text, "'plain1'"));
	assert_non_null(strstr(err.text, "Secure Boot loader"));
	assert_non_null(strstr(err.text, "smm"));
}

/* ---- storage ------------------------------------------------------------- */

static void test_storage_dir_of_system_host(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	char *dir = NULL;

	assert_int_equal(fx->drv->storage_dir(fx->conn, &dir, &err), 0);
	assert_string_equal(dir, "/var/lib/libvirt/images/bootdeck");
	free(dir);
}

static void test_disk_overlay_create_delete(void **state)
{
	struct fixture *fx = *state;
	struct hv_disk_request req = {
		.vm_name = "web1",
		.template_path = "/srv/templates/debian12.qcow2",
		.template_format = TEMPLATE_QCOW2,
		.size_bytes = 8LL << 30,
	};
	struct bd_error err = { 0 };
	char *path = NULL;
	char *again = NULL;

	if (fx->drv->disk_create(fx->conn, &req, &path, &err) != 0)
		fail_msg("disk_create: %s", err.text);
	assert_string_equal(path, "/var/lib/libvirt/images/bootdeck/web1.qcow2");

	/* A second disk for the same VM would hide the first. */
	assert_int_equal(fx->drv->disk_create(fx->conn, &req, &again, &err), -1);
	assert_null(again);
	assert_non_null(strstr(err.text, "'web1.qcow2'"));
	assert_non_null(strstr(err.text, "already exists"));

	assert_int_equal(fx->drv->disk_delete(fx->conn, path, &err), 0);
	/* Gone: creating it again works, and deleting twice is fine. */
	assert_int_equal(fx->drv->disk_delete(fx->conn, path, &err), 0);
	assert_int_equal(fx->drv->disk_create(fx->conn, &req, &again, &err), 0);
	assert_string_equal(again, path);
	free(path);
	free(again);

	/* Without a size the overlay is as large as its template. */
	req.vm_name = "web2";
	req.size_bytes = 0;
	if (fx->drv->disk_create(fx->conn, &req, &path, &err) != 0)
		fail_msg("disk_create without size: %s", err.text);
	assert_string_equal(path, "/var/lib/libvirt/images/bootdeck/web2.qcow2");
	free(path);
}

static void test_disk_for_iso_is_empty_qcow2(void **state)
{
	struct fixture *fx = *state;
	struct hv_disk_request req = {
		.vm_name = "installer",
		.template_path = "/srv/templates/netinst.iso",
		.template_format = TEMPLATE_ISO,
	};
	struct bd_error err = { 0 };
	char *path = NULL;

	if (fx->drv->disk_create(fx->conn, &req, &path, &err) != 0)
		fail_msg("disk_create: %s", err.text);
	assert_string_equal(path, "/var/lib/libvirt/images/bootdeck/installer.qcow2");
	free(path);
}

static void test_disk_bad_input(void **state)
{
	struct fixture *fx = *state;
	struct hv_disk_request req = {
		.vm_name = "web1",
		.template_path = "templates/debian12.qcow2",
		.template_format = TEMPLATE_QCOW2,
	};
	struct bd_error err = { 0 };
	char *path = NULL;

	assert_int_equal(fx->drv->disk_create(fx->conn, &req, &path, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'templates/debian12.qcow2'"));
	assert_null(path);

	req.template_path = "/srv/t.qcow2";
	req.vm_name = "../etc";
	assert_int_equal(fx->drv->disk_create(fx->conn, &req, &path, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'../etc'"));

	req.vm_name = "web1";
	req.template_format = TEMPLATE_FORMAT_LAST;
	assert_int_equal(fx->drv->disk_create(fx->conn, &req, &path, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "QCOW2, RAW and ISO"));

	assert_int_equal(fx->drv->disk_delete(fx->conn, "", &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
}

/* ---- probe --------------------------------------------------------------- */

struct progress_log {
	int calls;
	int last_step;
	int last_steps;
};

static void progress_record(void *opaque, int step, int steps, const char *message)
{
	struct progress_log *log = opaque;

	assert_non_null(message);
	assert_true(step >= 1 && step <= steps);
	log->calls++;
	log->last_step = step;
	log->last_steps = steps;
}

static void test_probe_from_uefi_properties(void **state)
{
	struct fixture *fx = *state;
	struct hv_probe_request req = { .uefi_properties = VALID_PROPERTIES };
	struct host_caps caps = { 0 };
	struct progress_log log = { 0 };
	struct bd_error err = { 0 };

	if (fx->drv->probe(fx->conn, &req, &caps, progress_record, &log, &err) != 0)
		fail_msg("probe: %s", err.text);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	assert_false(caps.autoselect);
	assert_string_equal(caps.virt_type, "qemu");
	assert_string_equal(caps.loader_secure, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_string_equal(caps.nvram_template_legacy, "/usr/share/OVMF/OVMF_VARS_4M.fd");
	assert_true(caps.probed > 0);
	assert_true(log.calls >= 2);
	assert_int_equal(log.last_step, log.last_steps);
	host_caps_clear(&caps);
}

static void test_probe_forced_virt_type(void **state)
{
	struct fixture *fx = *state;
	struct hv_probe_request req = { .virt_type = "kvm", .uefi_properties = VALID_PROPERTIES };
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	assert_int_equal(fx->drv->probe(fx->conn, &req, &caps, NULL, NULL, &err), 0);
	assert_string_equal(caps.virt_type, "kvm");
	host_caps_clear(&caps);

	req.virt_type = "xen";
	assert_int_equal(fx->drv->probe(fx->conn, &req, &caps, NULL, NULL, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'xen'"));
	assert_non_null(strstr(err.text, "kvm and qemu"));
	host_caps_clear(&caps);
}

static void test_probe_missing_properties_file(void **state)
{
	struct fixture *fx = *state;
	struct hv_probe_request req = { .uefi_properties = "/nonexistent/uefi.properties" };
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	assert_int_equal(fx->drv->probe(fx->conn, &req, &caps, NULL, NULL, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "/nonexistent/uefi.properties"));
	assert_false(caps.uefi);
	host_caps_clear(&caps);
}

static void test_probe_without_firmware_description(void **state)
{
	struct fixture *fx = *state;
	struct hv_probe_request req = { 0 };
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	/* test:/// has no domain capabilities: nothing is claimed, and why. */
	assert_int_equal(fx->drv->probe(fx->conn, &req, &caps, NULL, NULL, &err), 0);
	assert_false(caps.uefi);
	assert_false(caps.secure);
	assert_non_null(caps.probe_error);
	assert_non_null(strstr(caps.probe_error, "no domain capabilities"));
	host_caps_clear(&caps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_for_rejects_unknown_scheme),
		cmocka_unit_test(test_driver_for_accepts_libvirt_schemes),
		cmocka_unit_test(test_url_redact_strips_password),
		cmocka_unit_test(test_open_unreachable_is_534_with_url),
		cmocka_unit_test(test_open_failure_hides_password),
		cmocka_unit_test(test_open_refuses_foreign_url),
		cmocka_unit_test_setup_teardown(test_node_info_default_is_simulator,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_node_info_from_node_file, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_list_sees_every_guest, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_missing_guest_is_named, setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_define_refuses_secure_without_proof,
						setup_default, teardown),
		cmocka_unit_test_setup_teardown(test_verify_secure, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_storage_dir_of_system_host, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_disk_overlay_create_delete, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_disk_for_iso_is_empty_qcow2, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_disk_bad_input, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_probe_from_uefi_properties, setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_forced_virt_type, setup_node, teardown),
		cmocka_unit_test_setup_teardown(test_probe_missing_properties_file, setup_node,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_without_firmware_description,
						setup_default, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
