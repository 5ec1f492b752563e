/* The Deploy wizard's rules: steps, Boot Mode offers and defaults, and
 * hosts that cannot boot the chosen firmware. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model/wizard.h"

/* h-legacy: UEFI without Secure Boot; h-secure: Secure Boot, room for 4
 * vCPUs; h-bios: no UEFI. */
static struct wizard_host fleet[] = {
	{ "id-bios", "h-bios", "c1", true, true, false, false, 16, 32768 },
	{ "id-legacy", "h-legacy", "c1", true, true, true, false, 16, 32768 },
	{ "id-secure", "h-secure", "c2", true, true, true, true, 4, 8192 },
};
#define NFLEET (sizeof fleet / sizeof fleet[0])

static void wizard_ready(struct wizard *w, int cpu, int64_t mem)
{
	wizard_init(w);
	wizard_set_template(w, "t1");
	wizard_set_offering(w, "o1", cpu, mem);
}

static void test_bios_offers_only_legacy(void **state)
{
	enum boot_mode modes[BOOT_MODE_LAST];
	struct wizard w;
	struct bd_error err = { 0 };

	(void)state;
	assert_int_equal(wizard_modes_offered(BOOT_TYPE_BIOS, modes), 1);
	assert_int_equal(modes[0], BOOT_MODE_LEGACY);
	assert_int_equal(wizard_modes_offered(BOOT_TYPE_UEFI, modes), 2);
	assert_int_equal(modes[1], BOOT_MODE_SECURE);
	wizard_ready(&w, 2, 1024);
	wizard_set_boot_type(&w, BOOT_TYPE_BIOS, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	assert_int_equal(wizard_set_boot_mode(&w, BOOT_MODE_SECURE, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "SECURE"));
	assert_non_null(strstr(err.text, "BIOS"));
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
}

static void test_uefi_defaults_secure_with_room(void **state)
{
	struct wizard w;

	(void)state;
	wizard_ready(&w, 2, 1024);
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(w.boot.mode, BOOT_MODE_SECURE);
	/* Switching to BIOS and back recomputes the default. */
	wizard_set_boot_type(&w, BOOT_TYPE_BIOS, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_SECURE);
}

static void test_uefi_defaults_legacy_without_room(void **state)
{
	struct wizard w;

	(void)state;
	wizard_ready(&w, 8, 1024); /* the secure host has 4 vCPUs left */
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	wizard_ready(&w, 2, 16384); /* nor the memory */
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
}

static void test_uefi_defaults_legacy_when_secure_host_unusable(void **state)
{
	struct wizard_host hosts[NFLEET];
	struct wizard w;

	(void)state;
	memcpy(hosts, fleet, sizeof hosts);
	hosts[2].enabled = false;
	wizard_ready(&w, 1, 512);
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, hosts, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	hosts[2].enabled = true;
	hosts[2].up = false;
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, hosts, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	/* No secure host at all. */
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, 2);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
}

static void test_default_follows_target(void **state)
{
	struct wizard w;

	(void)state;
	wizard_ready(&w, 1, 512);
	wizard_set_target(&w, WIZARD_TARGET_CLUSTER, "c1");
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_LEGACY);
	wizard_set_target(&w, WIZARD_TARGET_HOST, "id-secure");
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_SECURE);
}

static void test_host_check_reasons(void **state)
{
	struct boot_choice bios = { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	struct boot_choice legacy = { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY };
	struct boot_choice secure = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };
	struct wizard_host h = fleet[1];

	(void)state;
	assert_int_equal(wizard_host_check(&fleet[0], bios, 1, 512), PLAN_CHOSEN);
	assert_int_equal(wizard_host_check(&fleet[0], legacy, 1, 512), PLAN_NO_UEFI);
	assert_int_equal(wizard_host_check(&fleet[1], legacy, 1, 512), PLAN_CHOSEN);
	assert_int_equal(wizard_host_check(&fleet[1], secure, 1, 512), PLAN_NO_SECURE);
	assert_int_equal(wizard_host_check(&fleet[2], secure, 5, 512), PLAN_NO_CPU);
	assert_int_equal(wizard_host_check(&fleet[2], secure, 4, 8193), PLAN_NO_MEMORY);
	h.up = false;
	assert_int_equal(wizard_host_check(&h, bios, 1, 1), PLAN_DISCONNECTED);
	h.up = true;
	h.enabled = false;
	assert_int_equal(wizard_host_check(&h, bios, 1, 1), PLAN_DISABLED);
}

static void test_steps_need_choices(void **state)
{
	struct wizard w;
	struct bd_error err = { 0 };

	(void)state;
	wizard_init(&w);
	assert_int_equal(w.step, WIZARD_STEP_TEMPLATE);
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "template"));
	assert_int_equal(w.step, WIZARD_STEP_TEMPLATE);
	wizard_set_template(&w, "t1");
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), 0);
	assert_int_equal(w.step, WIZARD_STEP_OFFERING);
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "offering"));
	wizard_set_offering(&w, "o1", 1, 512);
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), 0);
	assert_int_equal(w.step, WIZARD_STEP_PLACEMENT);
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), 0);
	assert_int_equal(w.step, WIZARD_STEP_REVIEW);
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), -1);
	assert_int_equal(w.step, WIZARD_STEP_REVIEW);
	assert_true(wizard_back(&w));
	assert_true(wizard_back(&w));
	assert_true(wizard_back(&w));
	assert_false(wizard_back(&w));
	/* Going back keeps what was chosen. */
	assert_string_equal(w.template_id, "t1");
	assert_string_equal(w.offering_id, "o1");
}

static void test_placement_refuses_host_that_cannot_boot(void **state)
{
	struct wizard w;
	struct bd_error err = { 0 };

	(void)state;
	wizard_ready(&w, 1, 512);
	w.step = WIZARD_STEP_PLACEMENT;
	wizard_set_boot_type(&w, BOOT_TYPE_UEFI, fleet, NFLEET);
	assert_int_equal(w.boot.mode, BOOT_MODE_SECURE);
	wizard_set_target(&w, WIZARD_TARGET_HOST, "id-bios");
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "'h-bios'"));
	assert_non_null(strstr(err.text, "UEFI SECURE"));
	assert_int_equal(w.step, WIZARD_STEP_PLACEMENT);
	wizard_set_target(&w, WIZARD_TARGET_HOST, "id-secure");
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), 0);
	wizard_set_target(&w, WIZARD_TARGET_CLUSTER, NULL);
	w.step = WIZARD_STEP_PLACEMENT;
	assert_int_equal(wizard_next(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "cluster"));
}

static void test_check_names_and_combination(void **state)
{
	struct wizard w;
	struct bd_error err = { 0 };

	(void)state;
	wizard_ready(&w, 1, 512);
	assert_int_equal(wizard_check(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "name must not be empty"));
	strcpy(w.name, "web 1");
	assert_int_equal(wizard_check(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "'web 1'"));
	strcpy(w.name, "web1");
	assert_int_equal(wizard_check(&w, fleet, NFLEET, &err), 0);
	/* A state that bypassed the setters is still refused. */
	w.boot.type = BOOT_TYPE_BIOS;
	w.boot.mode = BOOT_MODE_SECURE;
	assert_int_equal(wizard_check(&w, fleet, NFLEET, &err), -1);
	assert_non_null(strstr(err.text, "SECURE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bios_offers_only_legacy),
		cmocka_unit_test(test_uefi_defaults_secure_with_room),
		cmocka_unit_test(test_uefi_defaults_legacy_without_room),
		cmocka_unit_test(test_uefi_defaults_legacy_when_secure_host_unusable),
		cmocka_unit_test(test_default_follows_target),
		cmocka_unit_test(test_host_check_reasons),
		cmocka_unit_test(test_steps_need_choices),
		cmocka_unit_test(test_placement_refuses_host_that_cannot_boot),
		cmocka_unit_test(test_check_names_and_combination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
