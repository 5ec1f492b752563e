/* Capability parsers against real and crafted inputs.
 *
 * tests/data/domcaps/debian12-*.xml were captured on Debian 12 (libvirt
 * 9.0, QEMU 7.2, ovmf) with `virsh domcapabilities --machine q35
 * --virttype qemu --arch x86_64` against private session daemons: as
 * installed, with the two Secure Boot firmware descriptors masked and
 * qemu.conf's nvram list set to the 4M non-secure pair (uefi-no-secure),
 * and with every descriptor masked and nonexistent nvram paths (no-ovmf).
 * fedora-edk2-q35-kvm.xml is the same document with Fedora's edk2 paths.
 * tests/data/uefi-properties/ holds CloudStack agent files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parserInternals.h>

#include "config.h"
#include "backend/caps.h"

#define DATA_DIR BOOTDECK_SOURCE_DIR "/tests/data"

/* Whole file as a NUL-terminated string; fails the test when unreadable. */
static char *read_data(const char *rel, size_t *len)
{
	char path[1024];
	FILE *file;
	char *text;
	long size;

	snprintf(path, sizeof path, "%s/%s", DATA_DIR, rel);
	file = fopen(path, "rb");
	if (!file)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(file, 0, SEEK_END), 0);
	size = ftell(file);
	assert_true(size >= 0);
	rewind(file);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, file), (size_t)size);
	fclose(file);
	*len = (size_t)size;
	return text;
}

static int parse_domcaps_file(const char *rel, struct host_caps *caps, struct bd_error *err)
{
	size_t len;
	char *xml = read_data(rel, &len);
	int ret = caps_parse_domcaps(xml, len, caps, err);

	free(xml);
	return ret;
}

static int parse_properties_file(const char *rel, struct host_caps *caps, struct bd_error *err)
{
	size_t len;
	char *text = read_data(rel, &len);
	int ret = caps_parse_uefi_properties(text, len, caps, err);

	free(text);
	return ret;
}

/* ---- domain capabilities ---- */

static void test_domcaps_debian_real(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/debian12-q35-qemu.xml", &caps, &err), 0);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	assert_true(caps.autoselect);
	assert_string_equal(caps.virt_type, "qemu");
	/* The first secure-looking and the first plain image, in listed order. */
	assert_string_equal(caps.loader_secure, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_string_equal(caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_null(caps.probe_error);
	host_caps_clear(&caps);
}

static void test_domcaps_fedora(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/fedora-edk2-q35-kvm.xml", &caps, &err), 0);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	assert_true(caps.autoselect);
	assert_string_equal(caps.virt_type, "kvm");
	assert_string_equal(caps.loader_secure, "/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd");
	assert_string_equal(caps.loader_legacy, "/usr/share/edk2/ovmf/OVMF_CODE.fd");
	host_caps_clear(&caps);
}

static void test_domcaps_uefi_without_secure(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/debian12-uefi-no-secure.xml", &caps, &err), 0);
	assert_true(caps.uefi);
	assert_false(caps.secure);
	assert_string_equal(caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_null(caps.loader_secure);
	assert_non_null(caps.probe_error);
	assert_non_null(strstr(caps.probe_error, "secure enum"));
	host_caps_clear(&caps);
}

static void test_domcaps_no_ovmf(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/debian12-no-ovmf.xml", &caps, &err), 0);
	assert_false(caps.uefi);
	assert_false(caps.secure);
	assert_false(caps.autoselect);
	assert_null(caps.loader_legacy);
	assert_null(caps.loader_secure);
	assert_non_null(caps.probe_error);
	assert_non_null(strstr(caps.probe_error, "efi"));
	host_caps_clear(&caps);
}

/* A secure enum offering yes is not enough: one listed image must be a
 * Secure Boot build. */
static void test_domcaps_secure_enum_without_secure_loader(void **state)
{
	const char *xml =
		"<domainCapabilities><os supported='yes'>"
		"<enum name='firmware'><value>efi</value></enum>"
		"<loader supported='yes'><value>/usr/share/OVMF/OVMF_CODE_4M.fd</value>"
		"<value>/opt/msys/OVMF_CODE.fd</value>"
		"<enum name='secure'><value>yes</value><value>no</value></enum>"
		"</loader></os></domainCapabilities>";
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(caps_parse_domcaps(xml, strlen(xml), &caps, &err), 0);
	assert_true(caps.uefi);
	assert_false(caps.secure);
	assert_non_null(strstr(caps.probe_error, "Secure Boot build"));
	host_caps_clear(&caps);
}

static void test_domcaps_malformed(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	caps.uefi = true; /* must survive a failed parse untouched */
	assert_int_equal(parse_domcaps_file("domcaps/malformed.xml", &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_INTERNAL);
	assert_non_null(strstr(err.text, "cannot parse domain capabilities"));
	/* libxml2's own words about the mismatched tag are kept. */
	assert_non_null(strstr(err.text, "loader"));
	assert_true(caps.uefi);
	assert_null(caps.loader_legacy);
}

static void test_domcaps_wrong_root(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/wrong-root.xml", &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_INTERNAL);
	assert_non_null(strstr(err.text, "'capabilities'"));
}

/* Counts attempts to load anything from outside the document. */
static int external_loads;
static xmlExternalEntityLoader default_loader;

static xmlParserInputPtr counting_loader(const char *url, const char *id,
					 xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	external_loads++;
	return NULL;
}

static void assert_no_passwd(const char *field)
{
	if (field) {
		assert_null(strstr(field, "root:"));
		assert_null(strstr(field, "/bin/"));
	}
}

static void test_domcaps_hostile_entity(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };
	int ret;

	(void)state;
	external_loads = 0;
	default_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(counting_loader);
	ret = parse_domcaps_file("domcaps/hostile-external-entity.xml", &caps, &err);
	xmlSetExternalEntityLoader(default_loader);

	assert_int_equal(external_loads, 0);
	assert_int_equal(ret, 0);
	assert_no_passwd(caps.loader_legacy);
	assert_no_passwd(caps.loader_secure);
	assert_no_passwd(caps.virt_type);
	assert_no_passwd(caps.probe_error);
	/* The unexpanded reference contributes nothing to the path. */
	assert_string_equal(caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_string_equal(caps.virt_type, "");
	assert_true(caps.uefi);
	assert_false(caps.secure);
	host_caps_clear(&caps);
}

static void test_domcaps_hostile_dtd(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };
	int ret;

	(void)state;
	external_loads = 0;
	default_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(counting_loader);
	ret = parse_domcaps_file("domcaps/hostile-external-dtd.xml", &caps, &err);
	xmlSetExternalEntityLoader(default_loader);

	assert_int_equal(external_loads, 0);
	assert_int_equal(ret, 0);
	assert_true(caps.uefi);
	host_caps_clear(&caps);
}

/* A second parse replaces what the first one found. */
static void test_domcaps_reparse_replaces(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_domcaps_file("domcaps/debian12-q35-qemu.xml", &caps, &err), 0);
	assert_true(caps.secure);
	assert_int_equal(parse_domcaps_file("domcaps/debian12-no-ovmf.xml", &caps, &err), 0);
	assert_false(caps.uefi);
	assert_false(caps.secure);
	assert_null(caps.loader_secure);
	host_caps_clear(&caps);
}

/* ---- uefi.properties ---- */

static void test_properties_valid(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/valid.properties", &caps, &err), 0);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	assert_false(caps.autoselect);
	assert_string_equal(caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_string_equal(caps.loader_secure, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_string_equal(caps.nvram_template_legacy, "/usr/share/OVMF/OVMF_VARS_4M.fd");
	assert_string_equal(caps.nvram_template_secure, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
	assert_string_equal(caps.nvram_dir, "/var/lib/libvirt/qemu/nvram/");
	assert_null(caps.probe_error);
	host_caps_clear(&caps);
}

static void test_properties_comments_and_colons(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/comments-colons.properties",
					       &caps, &err), 0);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	/* Trimmed on both sides, CR of CRLF files included. */
	assert_string_equal(caps.loader_legacy, "/usr/share/edk2/ovmf/OVMF_CODE.fd");
	assert_string_equal(caps.nvram_template_legacy, "/usr/share/edk2/ovmf/OVMF_VARS.fd");
	assert_string_equal(caps.loader_secure, "/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd");
	assert_string_equal(caps.nvram_template_secure,
			    "/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd");
	assert_string_equal(caps.nvram_dir, "/var/lib/libvirt/qemu/nvram");
	host_caps_clear(&caps);
}

static void test_properties_missing_secure_loader(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/missing-secure-loader.properties",
					       &caps, &err), 0);
	assert_true(caps.uefi);
	assert_false(caps.secure);
	assert_non_null(strstr(caps.probe_error, "guest.loader.secure"));
	host_caps_clear(&caps);
}

static void test_properties_missing_secure_template(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file(
				 "uefi-properties/missing-secure-template.properties", &caps, &err), 0);
	assert_true(caps.uefi);
	assert_false(caps.secure);
	assert_null(caps.nvram_template_secure); /* an empty value is no value */
	assert_non_null(strstr(caps.probe_error, "guest.nvram.template.secure"));
	host_caps_clear(&caps);
}

static void test_properties_missing_legacy(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/missing-legacy.properties",
					       &caps, &err), 0);
	assert_false(caps.uefi);
	assert_false(caps.secure); /* Secure Boot is a UEFI mode */
	assert_non_null(strstr(caps.probe_error, "guest.loader.legacy"));
	host_caps_clear(&caps);
}

static void test_properties_empty(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/empty.properties", &caps, &err), 0);
	assert_false(caps.uefi);
	assert_false(caps.secure);
	host_caps_clear(&caps);
}

static void test_properties_code_as_template(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/code-as-template.properties",
					       &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "guest.nvram.template.secure"));
	assert_non_null(strstr(err.text, "'/usr/share/OVMF/OVMF_CODE_4M.ms.fd'"));
	assert_false(caps.uefi);
	assert_null(caps.loader_legacy); /* nothing half-written */
}

static void test_properties_loader_as_template(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/loader-as-template.properties",
					       &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "guest.nvram.template.legacy"));
	assert_non_null(strstr(err.text, "'/opt/firmware/uefi.fd'"));
	assert_non_null(strstr(err.text, "guest.loader.legacy"));
}

static void test_properties_vars_as_loader(void **state)
{
	const char *text = "guest.loader.legacy=/usr/share/OVMF/OVMF_VARS_4M.fd\n";
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(caps_parse_uefi_properties(text, strlen(text), &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "guest.loader.legacy"));
	assert_non_null(strstr(err.text, "OVMF_VARS_4M.fd"));
}

static void test_properties_garbage_line(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(parse_properties_file("uefi-properties/garbage-line.properties",
					       &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "line 4"));
	assert_non_null(strstr(err.text, "'this line has no separator'"));
	assert_non_null(strstr(err.text, "key=value"));
	assert_null(caps.loader_legacy);
}

static void test_properties_empty_key(void **state)
{
	const char *text = "# x\n= /usr/share/OVMF/OVMF_CODE_4M.fd\n";
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(caps_parse_uefi_properties(text, strlen(text), &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "line 2"));
}

/* ---- loading from a file: the named firmware files must exist ---- */

struct scratch {
	char dir[256];
	char props[512];
};

static void scratch_file(const struct scratch *s, const char *leaf, char *out, size_t size)
{
	FILE *file;

	snprintf(out, size, "%s/%s", s->dir, leaf);
	file = fopen(out, "w");
	assert_non_null(file);
	fputs("firmware\n", file);
	fclose(file);
}

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof *s);

	snprintf(s->dir, sizeof s->dir, "/tmp/bootdeck-test-caps-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->props, sizeof s->props, "%s/uefi.properties", s->dir);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	const char *leaves[] = { "OVMF_CODE.fd", "OVMF_VARS.fd", "OVMF_CODE.secboot.fd",
				 "OVMF_VARS.secboot.fd", "uefi.properties" };
	char path[512];

	for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", s->dir, leaves[i]);
		unlink(path);
	}
	rmdir(s->dir);
	free(s);
	return 0;
}

static void write_props(const struct scratch *s, const char *code, const char *vars,
			const char *code_sb, const char *vars_sb)
{
	FILE *file = fopen(s->props, "w");

	assert_non_null(file);
	fprintf(file, "guest.loader.legacy=%s\nguest.nvram.template.legacy=%s\n"
		"guest.loader.secure=%s\nguest.nvram.template.secure=%s\n",
		code, vars, code_sb, vars_sb);
	fclose(file);
}

static void test_load_all_present(void **state)
{
	struct scratch *s = *state;
	char code[512], vars[512], code_sb[512], vars_sb[512];
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	scratch_file(s, "OVMF_CODE.fd", code, sizeof code);
	scratch_file(s, "OVMF_VARS.fd", vars, sizeof vars);
	scratch_file(s, "OVMF_CODE.secboot.fd", code_sb, sizeof code_sb);
	scratch_file(s, "OVMF_VARS.secboot.fd", vars_sb, sizeof vars_sb);
	write_props(s, code, vars, code_sb, vars_sb);
	assert_int_equal(caps_load_uefi_properties(s->props, &caps, &err), 0);
	assert_true(caps.uefi);
	assert_true(caps.secure);
	assert_false(caps.autoselect);
	assert_string_equal(caps.loader_secure, code_sb);
	assert_null(caps.probe_error);
	host_caps_clear(&caps);
}

static void test_load_secure_template_missing(void **state)
{
	struct scratch *s = *state;
	char code[512], vars[512], code_sb[512], vars_sb[512];
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	scratch_file(s, "OVMF_CODE.fd", code, sizeof code);
	scratch_file(s, "OVMF_VARS.fd", vars, sizeof vars);
	scratch_file(s, "OVMF_CODE.secboot.fd", code_sb, sizeof code_sb);
	snprintf(vars_sb, sizeof vars_sb, "%s/OVMF_VARS.secboot.fd", s->dir); /* not created */
	write_props(s, code, vars, code_sb, vars_sb);
	assert_int_equal(caps_load_uefi_properties(s->props, &caps, &err), 0);
	assert_true(caps.uefi);
	assert_false(caps.secure);
	assert_non_null(caps.probe_error);
	assert_non_null(strstr(caps.probe_error, "guest.nvram.template.secure"));
	assert_non_null(strstr(caps.probe_error, "OVMF_VARS.secboot.fd"));
	host_caps_clear(&caps);
}

static void test_load_legacy_loader_missing(void **state)
{
	struct scratch *s = *state;
	char code[512], vars[512], code_sb[512], vars_sb[512];
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	snprintf(code, sizeof code, "%s/OVMF_CODE.fd", s->dir); /* not created */
	scratch_file(s, "OVMF_VARS.fd", vars, sizeof vars);
	scratch_file(s, "OVMF_CODE.secboot.fd", code_sb, sizeof code_sb);
	scratch_file(s, "OVMF_VARS.secboot.fd", vars_sb, sizeof vars_sb);
	write_props(s, code, vars, code_sb, vars_sb);
	assert_int_equal(caps_load_uefi_properties(s->props, &caps, &err), 0);
	/* The host lost its plain OVMF: no UEFI at all, so no Secure Boot. */
	assert_false(caps.uefi);
	assert_false(caps.secure);
	assert_non_null(strstr(caps.probe_error, "guest.loader.legacy"));
	host_caps_clear(&caps);
}

static void test_load_missing_file(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(caps_load_uefi_properties("/nonexistent/bootdeck/uefi.properties",
						   &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "'/nonexistent/bootdeck/uefi.properties'"));
}

static void test_load_garbage_names_file(void **state)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(caps_load_uefi_properties(
				 DATA_DIR "/uefi-properties/garbage-line.properties", &caps, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "garbage-line.properties"));
	assert_non_null(strstr(err.text, "line 4"));
}

static void test_clear_accepts_null(void **state)
{
	(void)state;
	host_caps_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domcaps_debian_real),
		cmocka_unit_test(test_domcaps_fedora),
		cmocka_unit_test(test_domcaps_uefi_without_secure),
		cmocka_unit_test(test_domcaps_no_ovmf),
		cmocka_unit_test(test_domcaps_secure_enum_without_secure_loader),
		cmocka_unit_test(test_domcaps_malformed),
		cmocka_unit_test(test_domcaps_wrong_root),
		cmocka_unit_test(test_domcaps_hostile_entity),
		cmocka_unit_test(test_domcaps_hostile_dtd),
		cmocka_unit_test(test_domcaps_reparse_replaces),
		cmocka_unit_test(test_properties_valid),
		cmocka_unit_test(test_properties_comments_and_colons),
		cmocka_unit_test(test_properties_missing_secure_loader),
		cmocka_unit_test(test_properties_missing_secure_template),
		cmocka_unit_test(test_properties_missing_legacy),
		cmocka_unit_test(test_properties_empty),
		cmocka_unit_test(test_properties_code_as_template),
		cmocka_unit_test(test_properties_loader_as_template),
		cmocka_unit_test(test_properties_vars_as_loader),
		cmocka_unit_test(test_properties_garbage_line),
		cmocka_unit_test(test_properties_empty_key),
		cmocka_unit_test_setup_teardown(test_load_all_present, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_load_secure_template_missing, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_load_legacy_loader_missing, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_garbage_names_file),
		cmocka_unit_test(test_clear_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
