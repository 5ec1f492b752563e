/* Domain XML: golden documents for every boot choice and firmware source,
 * each validated against libvirt's own RelaxNG schema, plus refusals.
 *
 * Expected documents live in tests/golden/domxml/<case>.xml. After a
 * deliberate change, regenerate them with
 *     BOOTDECK_REGENERATE_GOLDEN=1 meson test -C BUILD test-domxml
 * and review the diff before committing (see tests/golden/README.md).
 *
 * The firmware inputs are real files: caps come from the captured domain
 * capabilities in tests/data/domcaps/ (autoselecting hosts) and from
 * tests/data/uefi-properties/valid.properties (explicit-path hosts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>

#include "config.h"
#include "backend/caps.h"
#include "backend/domxml.h"

#define DATA_DIR BOOTDECK_SOURCE_DIR "/tests/data"
#define GOLDEN_DIR BOOTDECK_SOURCE_DIR "/tests/golden/domxml"
#define DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"
#define HOST "kvm-07"

static const struct boot_choice bios = { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
static const struct boot_choice uefi_legacy = { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY };
static const struct boot_choice uefi_secure = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };

/* Shared by every test: the schema and the host firmware descriptions. */
struct fixture {
	xmlRelaxNGPtr schema;
	struct host_caps autoselect;     /* Debian 12 domain capabilities */
	struct host_caps explicit_paths; /* uefi.properties */
	struct host_caps uefi_no_secure; /* descriptors for Secure Boot masked */
	struct host_caps no_uefi;        /* no OVMF at all */
};

static struct fixture fx;

static char *read_file(const char *path, size_t *len)
{
	FILE *file = fopen(path, "rb");
	char *text;
	long size;

	if (!file)
		return NULL;
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	text = calloc(1, (size_t)size + 1);
	if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
		free(text);
		text = NULL;
	}
	fclose(file);
	if (len)
		*len = (size_t)size;
	return text;
}

static int load_domcaps(const char *leaf, struct host_caps *caps)
{
	char path[1024];
	struct bd_error err = { 0 };
	size_t len;
	char *xml;
	int ret;

	snprintf(path, sizeof path, "%s/domcaps/%s", DATA_DIR, leaf);
	xml = read_file(path, &len);
	if (!xml)
		return -1;
	ret = caps_parse_domcaps(xml, len, caps, &err);
	free(xml);
	return ret;
}

static int group_setup(void **state)
{
	xmlRelaxNGParserCtxtPtr parser;
	struct bd_error err = { 0 };
	char path[1024];
	size_t len;
	char *text;
	int ret;

	(void)state;
	parser = xmlRelaxNGNewParserCtxt(DOMAIN_RNG);
	if (!parser)
		return -1;
	fx.schema = xmlRelaxNGParse(parser);
	xmlRelaxNGFreeParserCtxt(parser);
	if (!fx.schema)
		return -1;

	if (load_domcaps("debian12-q35-qemu.xml", &fx.autoselect) < 0 ||
	    load_domcaps("debian12-uefi-no-secure.xml", &fx.uefi_no_secure) < 0 ||
	    load_domcaps("debian12-no-ovmf.xml", &fx.no_uefi) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/uefi-properties/valid.properties", DATA_DIR);
	text = read_file(path, &len);
	if (!text)
		return -1;
	ret = caps_parse_uefi_properties(text, len, &fx.explicit_paths, &err);
	free(text);
	return ret;
}

static int group_teardown(void **state)
{
	(void)state;
	xmlRelaxNGFree(fx.schema);
	host_caps_clear(&fx.autoselect);
	host_caps_clear(&fx.explicit_paths);
	host_caps_clear(&fx.uefi_no_secure);
	host_caps_clear(&fx.no_uefi);
	return 0;
}

/* Collects the validator's complaints so a failure says what is wrong. */
static char schema_errors[4096];

static void schema_error(void *opaque, const char *fmt, ...)
{
	size_t used = strlen(schema_errors);
	va_list ap;

	(void)opaque;
	if (used + 1 >= sizeof schema_errors)
		return;
	va_start(ap, fmt);
	vsnprintf(schema_errors + used, sizeof schema_errors - used, fmt, ap);
	va_end(ap);
}

static void assert_schema_valid(xmlDocPtr doc, const char *name)
{
	xmlRelaxNGValidCtxtPtr valid = xmlRelaxNGNewValidCtxt(fx.schema);
	int ret;

	assert_non_null(valid);
	schema_errors[0] = '\0';
	xmlRelaxNGSetValidErrors(valid, schema_error, schema_error, NULL);
	ret = xmlRelaxNGValidateDoc(valid, doc);
	xmlRelaxNGFreeValidCtxt(valid);
	if (ret != 0)
		fail_msg("%s does not validate against %s: %s", name, DOMAIN_RNG, schema_errors);
}

static int xpath_count(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj;
	int count = -1;

	assert_non_null(ctx);
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (obj && obj->type == XPATH_NODESET)
		count = obj->nodesetval ? obj->nodesetval->nodeNr : 0;
	else if (obj && obj->type == XPATH_BOOLEAN)
		count = obj->boolval ? 1 : 0;
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	if (count < 0)
		fail_msg("bad XPath expression %s", expr);
	return count;
}

/* Compares the serialised document with its golden file, or rewrites the
 * file when BOOTDECK_REGENERATE_GOLDEN=1. */
static void assert_golden(xmlDocPtr doc, const char *name)
{
	const char *regen = getenv("BOOTDECK_REGENERATE_GOLDEN");
	char path[1024];
	char *actual = domxml_to_string(doc);
	char *expected;

	assert_non_null(actual);
	snprintf(path, sizeof path, "%s/%s.xml", GOLDEN_DIR, name);
	if (regen && strcmp(regen, "1") == 0) {
		FILE *file = fopen(path, "w");

		if (!file)
			fail_msg("cannot write %s: %s", path, strerror(errno));
		fputs(actual, file);
		fclose(file);
		free(actual);
		return;
	}
	expected = read_file(path, NULL);
	if (!expected)
		fail_msg("missing golden file %s (BOOTDECK_REGENERATE_GOLDEN=1 writes it)", path);
	if (strcmp(expected, actual) != 0)
		fail_msg("%s differs from %s; got:\n%s", name, path, actual);
	free(expected);
	free(actual);
}

/* The checks every case runs: golden text, schema, and the facts that
 * matter named one by one, so a regenerated golden file cannot hide a
 * firmware downgrade. */
struct golden_case {
	const char *name;
	struct boot_choice boot;
	const struct host_caps *caps;
	const char *virt_type;
	bool iso;
	bool canary;
	const char *must[8];     /* XPath expressions that must match */
	const char *must_not[8]; /* ... and that must not */
};

#define ALWAYS "/domain/os/type[@machine='q35' and @arch='x86_64' and text()='hvm']"
#define NO_EFI "/domain/os/@firmware", "/domain/os/loader", "/domain/os/nvram", \
	"/domain/os/firmware", "/domain/features/smm"
#define AUTO_LEGACY "/domain/os[@firmware='efi']", \
	"/domain/os/firmware/feature[@name='secure-boot' and @enabled='no']", \
	"/domain/os/firmware/feature[@name='enrolled-keys' and @enabled='no']"
#define AUTO_SECURE "/domain/os[@firmware='efi']", \
	"/domain/os/firmware/feature[@name='secure-boot' and @enabled='yes']", \
	"/domain/os/firmware/feature[@name='enrolled-keys' and @enabled='yes']", \
	"/domain/features/smm[@state='on']"
#define EXPLICIT_LEGACY "/domain/os/loader[@type='pflash' and @readonly='yes' and " \
	"@secure='no' and text()='/usr/share/OVMF/OVMF_CODE_4M.fd']", \
	"/domain/os/nvram[@template='/usr/share/OVMF/OVMF_VARS_4M.fd']"
#define EXPLICIT_SECURE "/domain/os/loader[@type='pflash' and @readonly='yes' and " \
	"@secure='yes' and text()='/usr/share/OVMF/OVMF_CODE_4M.ms.fd']", \
	"/domain/os/nvram[@template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd']", \
	"/domain/features/smm[@state='on']"
#define DISK_ONLY "/domain/devices/disk[@device='disk']/boot[@order='1']", \
	"/domain/devices/disk[@device='disk']/target[@bus='virtio']"
#define WITH_ISO "/domain/devices/disk[@device='cdrom']/target[@bus='sata']", \
	"/domain/devices/disk[@device='cdrom']/boot[@order='1']", \
	"/domain/devices/disk[@device='disk']/boot[@order='2']"
#define FILE_SERIAL "/domain/devices/serial[@type='file']/source[@path]"
#define PTY_SERIAL "/domain/devices/serial[@type='pty']", \
	"/domain/memory[@unit='MiB' and text()='256']"

static const struct golden_case golden_cases[] = {
	{ "bios-disk", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, &fx.autoselect, "qemu", false, false,
	  { ALWAYS, DISK_ONLY, FILE_SERIAL }, { NO_EFI, "/domain/cpu" } },
	{ "bios-disk-kvm", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, &fx.autoselect, "kvm", false, false,
	  { ALWAYS, "/domain[@type='kvm']", "/domain/cpu[@mode='host-passthrough']" },
	  { NO_EFI } },
	{ "bios-iso", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, &fx.no_uefi, "qemu", true, false,
	  { ALWAYS, WITH_ISO, "/domain[@type='qemu']" }, { NO_EFI } },
	{ "uefi-legacy-auto-disk", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.autoselect, "qemu",
	  false, false, { ALWAYS, AUTO_LEGACY, DISK_ONLY },
	  { "/domain/features/smm", "/domain/os/loader" } },
	{ "uefi-legacy-auto-iso", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.autoselect, "qemu",
	  true, false, { ALWAYS, AUTO_LEGACY, WITH_ISO }, { "/domain/features/smm" } },
	{ "uefi-secure-auto-disk", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.autoselect, "qemu",
	  false, false, { ALWAYS, AUTO_SECURE, DISK_ONLY },
	  { "/domain/os/firmware/feature[@enabled='no']" } },
	{ "uefi-secure-auto-iso", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.autoselect, "qemu",
	  true, false, { ALWAYS, AUTO_SECURE, WITH_ISO },
	  { "/domain/os/firmware/feature[@enabled='no']" } },
	{ "uefi-legacy-explicit-disk", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.explicit_paths,
	  "qemu", false, false,
	  { ALWAYS, EXPLICIT_LEGACY, DISK_ONLY,
	    "/domain/os/nvram[text()='/var/lib/libvirt/qemu/nvram/web1_VARS.fd']" },
	  { "/domain/os/@firmware", "/domain/features/smm" } },
	{ "uefi-legacy-explicit-iso", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.explicit_paths,
	  "qemu", true, false, { ALWAYS, EXPLICIT_LEGACY, WITH_ISO },
	  { "/domain/os/@firmware", "/domain/features/smm" } },
	{ "uefi-secure-explicit-disk", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.explicit_paths,
	  "qemu", false, false, { ALWAYS, EXPLICIT_SECURE, DISK_ONLY },
	  { "/domain/os/@firmware", "/domain/os/loader[@secure='no']" } },
	{ "uefi-secure-explicit-iso", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.explicit_paths,
	  "qemu", true, false, { ALWAYS, EXPLICIT_SECURE, WITH_ISO },
	  { "/domain/os/@firmware", "/domain/os/loader[@secure='no']" } },
	{ "canary-bios", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, &fx.no_uefi, "qemu", false, true,
	  { ALWAYS, PTY_SERIAL }, { NO_EFI, "/domain/devices/disk", "/domain/uuid" } },
	{ "canary-uefi-legacy-auto", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.autoselect, "qemu",
	  false, true, { ALWAYS, AUTO_LEGACY, PTY_SERIAL },
	  { "/domain/devices/disk", "/domain/features/smm" } },
	{ "canary-uefi-secure-auto", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.autoselect, "qemu",
	  false, true, { ALWAYS, AUTO_SECURE, PTY_SERIAL }, { "/domain/devices/disk" } },
	{ "canary-uefi-secure-auto-kvm", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.autoselect,
	  "kvm", false, true,
	  { ALWAYS, AUTO_SECURE, PTY_SERIAL, "/domain/cpu[@mode='host-passthrough']" },
	  { "/domain/devices/disk" } },
	{ "canary-uefi-legacy-explicit", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, &fx.explicit_paths,
	  "qemu", false, true,
	  { ALWAYS, EXPLICIT_LEGACY, PTY_SERIAL },
	  { "/domain/devices/disk", "/domain/os/nvram[text()]" } },
	{ "canary-uefi-secure-explicit", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, &fx.explicit_paths,
	  "qemu", false, true, { ALWAYS, EXPLICIT_SECURE, PTY_SERIAL },
	  { "/domain/devices/disk" } },
};

static xmlDocPtr build_case(const struct golden_case *gc, struct bd_error *err)
{
	struct hv_vm_spec spec = {
		.name = "web1",
		.uuid = "6f1c0b5e-3f4a-4d2b-9a57-0c8e2d7b1a93",
		.vcpus = 2,
		.memory_mib = 2048,
		.boot = gc->boot,
		.caps = gc->caps,
		.disk_path = "/var/lib/libvirt/images/bootdeck/web1.qcow2",
		.disk_format = TEMPLATE_QCOW2,
		.serial_log = "/var/log/bootdeck/console/web1.log",
	};

	if (gc->canary)
		return domxml_build_canary("bootdeck-canary", gc->boot, gc->caps, gc->virt_type,
					   err);
	if (!gc->caps->autoselect && gc->boot.type == BOOT_TYPE_UEFI)
		spec.nvram_path = "/var/lib/libvirt/qemu/nvram/web1_VARS.fd";
	if (gc->iso)
		spec.cdrom_path = "/var/lib/bootdeck/templates/debian-12-netinst.iso";
	return domxml_build(&spec, gc->virt_type, HOST, err);
}

static void test_golden(void **state)
{
	const struct golden_case *gc = *state;
	struct bd_error err = { 0 };
	xmlDocPtr doc = build_case(gc, &err);

	if (!doc)
		fail_msg("%s: build failed: [%d] %s", gc->name, err.code, err.text);
	assert_golden(doc, gc->name);
	assert_schema_valid(doc, gc->name);
	assert_int_equal(xpath_count(doc, "/domain/on_poweroff[text()='destroy']"), 1);
	assert_int_equal(xpath_count(doc, "/domain/on_reboot[text()='restart']"), 1);
	assert_int_equal(xpath_count(doc, "/domain/devices/console/target[@type='serial']"), 1);
	assert_int_equal(xpath_count(doc, "/domain/devices/disk/target[@bus='ide']"), 0);
	for (size_t i = 0; i < 8 && gc->must[i]; i++) {
		if (xpath_count(doc, gc->must[i]) < 1)
			fail_msg("%s: expected %s", gc->name, gc->must[i]);
	}
	for (size_t i = 0; i < 8 && gc->must_not[i]; i++) {
		if (xpath_count(doc, gc->must_not[i]) != 0)
			fail_msg("%s: unexpected %s", gc->name, gc->must_not[i]);
	}
	xmlFreeDoc(doc);
}

/* ---- refusals: never a document that boots less securely than asked ---- */

static struct hv_vm_spec plain_spec(struct boot_choice boot, const struct host_caps *caps)
{
	struct hv_vm_spec spec = {
		.name = "web1",
		.vcpus = 1,
		.memory_mib = 512,
		.boot = boot,
		.caps = caps,
		.disk_path = "/var/lib/libvirt/images/web1.qcow2",
		.disk_format = TEMPLATE_QCOW2,
		.serial_log = "/tmp/web1.log",
	};

	return spec;
}

static void test_refuse_secure_on_non_secure_host(void **state)
{
	struct hv_vm_spec spec = plain_spec(uefi_secure, &fx.uefi_no_secure);
	struct bd_error err = { 0 };

	(void)state;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "host '" HOST "' cannot boot UEFI SECURE"));
	assert_non_null(strstr(err.text, "no proven Secure Boot firmware"));
	/* The probe's reason travels with the refusal. */
	assert_non_null(strstr(err.text, "secure enum"));

	/* The same host still boots UEFI LEGACY. */
	spec.boot = uefi_legacy;
	xmlDocPtr doc = domxml_build(&spec, "qemu", HOST, &err);
	assert_non_null(doc);
	xmlFreeDoc(doc);
}

static void test_refuse_uefi_on_no_uefi_host(void **state)
{
	struct hv_vm_spec spec = plain_spec(uefi_legacy, &fx.no_uefi);
	struct bd_error err = { 0 };

	(void)state;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "host '" HOST "' cannot boot UEFI LEGACY"));
	assert_non_null(strstr(err.text, "no proven UEFI firmware"));

	spec.boot = uefi_secure;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_non_null(strstr(err.text, "cannot boot UEFI SECURE"));

	spec.caps = NULL;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_non_null(strstr(err.text, "host '" HOST "'"));
}

/* Caps that claim Secure Boot but name no template: the keys that make it
 * enforce would be missing, so the document is refused. */
static void test_refuse_explicit_secure_without_template(void **state)
{
	struct host_caps caps = {
		.uefi = true,
		.secure = true,
		.loader_legacy = (char *)"/usr/share/OVMF/OVMF_CODE_4M.fd",
		.loader_secure = (char *)"/usr/share/OVMF/OVMF_CODE_4M.ms.fd",
	};
	struct hv_vm_spec spec = plain_spec(uefi_secure, &caps);
	struct bd_error err = { 0 };

	(void)state;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "guest.nvram.template.secure"));
	assert_null(domxml_build_canary("bootdeck-canary", uefi_secure, &caps, "qemu", &err));
	assert_non_null(strstr(err.text, "canary 'bootdeck-canary' cannot boot UEFI SECURE"));

	caps.nvram_template_secure = (char *)"/usr/share/OVMF/OVMF_VARS_4M.ms.fd";
	caps.loader_secure = NULL;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_non_null(strstr(err.text, "guest.loader.secure"));
}

static void test_refuse_bios_secure(void **state)
{
	struct boot_choice bios_secure = { BOOT_TYPE_BIOS, BOOT_MODE_SECURE };
	struct hv_vm_spec spec = plain_spec(bios_secure, &fx.autoselect);
	struct bd_error err = { 0 };

	(void)state;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "Secure Boot needs boottype UEFI"));
}

static void test_refuse_bad_input(void **state)
{
	struct hv_vm_spec spec = plain_spec(bios, &fx.autoselect);
	struct bd_error err = { 0 };

	(void)state;
	assert_null(domxml_build(&spec, "xen", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'xen'"));
	assert_non_null(strstr(err.text, "kvm or qemu"));

	assert_null(domxml_build(&spec, NULL, HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);

	spec.disk_format = TEMPLATE_ISO;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "ISO"));

	spec = plain_spec(bios, &fx.autoselect);
	spec.vcpus = 0;
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_non_null(strstr(err.text, "vcpus 0"));

	spec = plain_spec(bios, &fx.autoselect);
	spec.name = "web1'; <x>";
	assert_null(domxml_build(&spec, "qemu", HOST, &err));
	assert_int_equal(err.code, BD_ERR_PARAM);

	assert_null(domxml_build(NULL, "qemu", HOST, &err));
	assert_null(domxml_build_canary("c1", bios, &fx.autoselect, "lxc", &err));
	assert_non_null(strstr(err.text, "'lxc'"));
	assert_null(domxml_to_string(NULL));
}

/* Paths are text, never markup: awkward characters round-trip exactly. */
static void test_paths_are_escaped(void **state)
{
	const char *odd = "/srv/a&b/<disk>'\"].qcow2";
	struct hv_vm_spec spec = plain_spec(bios, &fx.autoselect);
	struct bd_error err = { 0 };
	xmlDocPtr doc, reread;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;
	char *text;

	(void)state;
	spec.disk_path = odd;
	doc = domxml_build(&spec, "qemu", HOST, &err);
	assert_non_null(doc);
	text = domxml_to_string(doc);
	assert_non_null(text);
	reread = xmlReadMemory(text, (int)strlen(text), "domain.xml", NULL, XML_PARSE_NONET);
	assert_non_null(reread);
	ctx = xmlXPathNewContext(reread);
	obj = xmlXPathEvalExpression(BAD_CAST "string(/domain/devices/disk/source/@file)", ctx);
	assert_non_null(obj);
	assert_string_equal((const char *)obj->stringval, odd);
	assert_int_equal(xpath_count(reread, "/domain/devices/disk"), 1);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(reread);
	xmlFreeDoc(doc);
	free(text);
}

int main(void)
{
	struct CMUnitTest tests[sizeof golden_cases / sizeof golden_cases[0] + 8];
	size_t n = 0;

	for (size_t i = 0; i < sizeof golden_cases / sizeof golden_cases[0]; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_golden,
							(void *)&golden_cases[i]);
		tests[n].name = golden_cases[i].name;
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuse_secure_on_non_secure_host);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuse_uefi_on_no_uefi_host);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuse_explicit_secure_without_template);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuse_bios_secure);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refuse_bad_input);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_paths_are_escaped);

	return _cmocka_run_group_tests("domxml", tests, n, group_setup, group_teardown);
}
