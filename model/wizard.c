#include "wizard.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static const char *const wizard_step_names[] = {
	[WIZARD_STEP_TEMPLATE] = "Template",
	[WIZARD_STEP_OFFERING] = "Offering",
	[WIZARD_STEP_PLACEMENT] = "Placement",
	[WIZARD_STEP_REVIEW] = "Review",
};

const struct enum_table wizard_step_table = { "wizard step", wizard_step_names, WIZARD_STEP_LAST };

static const char *const wizard_target_names[] = {
	[WIZARD_TARGET_AUTO] = "Automatic",
	[WIZARD_TARGET_CLUSTER] = "Cluster",
	[WIZARD_TARGET_HOST] = "Host",
};

const struct enum_table wizard_target_table = {
	"placement", wizard_target_names, WIZARD_TARGET_LAST
};

void wizard_init(struct wizard *wizard)
{
	memset(wizard, 0, sizeof *wizard);
	wizard->step = WIZARD_STEP_TEMPLATE;
	wizard->target = WIZARD_TARGET_AUTO;
	wizard->boot.type = BOOT_TYPE_BIOS;
	wizard->boot.mode = BOOT_MODE_LEGACY;
}

static void wizard_copy_id(char *dst, const char *src)
{
	snprintf(dst, ID_LEN, "%s", src ? src : "");
}

void wizard_set_template(struct wizard *wizard, const char *template_id)
{
	wizard_copy_id(wizard->template_id, template_id);
}

void wizard_set_offering(struct wizard *wizard, const char *offering_id, int cpu,
			 int64_t mem_mib)
{
	wizard_copy_id(wizard->offering_id, offering_id);
	wizard->cpu = cpu;
	wizard->mem_mib = mem_mib;
}

void wizard_set_target(struct wizard *wizard, enum wizard_target target, const char *id)
{
	wizard->target = target;
	wizard->cluster_id[0] = '\0';
	wizard->host_id[0] = '\0';
	if (target == WIZARD_TARGET_CLUSTER)
		wizard_copy_id(wizard->cluster_id, id);
	else if (target == WIZARD_TARGET_HOST)
		wizard_copy_id(wizard->host_id, id);
}

size_t wizard_modes_offered(enum boot_type type, enum boot_mode *modes)
{
	modes[0] = BOOT_MODE_LEGACY;
	if (type != BOOT_TYPE_UEFI)
		return 1;
	modes[1] = BOOT_MODE_SECURE;
	return 2;
}

static bool wizard_mode_offered(enum boot_type type, enum boot_mode mode)
{
	enum boot_mode modes[BOOT_MODE_LAST];
	size_t n = wizard_modes_offered(type, modes);

	for (size_t i = 0; i < n; i++) {
		if (modes[i] == mode)
			return true;
	}
	return false;
}

enum plan_reason wizard_host_check(const struct wizard_host *host, struct boot_choice boot,
				   int cpu, int64_t mem_mib)
{
	if (!host->up)
		return PLAN_DISCONNECTED;
	if (!host->enabled)
		return PLAN_DISABLED;
	if (boot.type == BOOT_TYPE_UEFI && !host->uefi)
		return PLAN_NO_UEFI;
	if (boot.type == BOOT_TYPE_UEFI && boot.mode == BOOT_MODE_SECURE && !host->secure)
		return PLAN_NO_SECURE;
	if (host->cpu_free < cpu)
		return PLAN_NO_CPU;
	if (host->mem_free_mib < mem_mib)
		return PLAN_NO_MEMORY;
	return PLAN_CHOSEN;
}

bool wizard_host_in_target(const struct wizard *wizard, const struct wizard_host *host)
{
	switch (wizard->target) {
	case WIZARD_TARGET_CLUSTER:
		return host->cluster_id && strcmp(host->cluster_id, wizard->cluster_id) == 0;
	case WIZARD_TARGET_HOST:
		return host->id && strcmp(host->id, wizard->host_id) == 0;
	default:
		return true;
	}
}

enum boot_mode wizard_default_mode(const struct wizard *wizard, enum boot_type type,
				   const struct wizard_host *hosts, size_t nhost)
{
	struct boot_choice secure = { BOOT_TYPE_UEFI, BOOT_MODE_SECURE };

	if (type != BOOT_TYPE_UEFI)
		return BOOT_MODE_LEGACY;
	for (size_t i = 0; i < nhost; i++) {
		if (!wizard_host_in_target(wizard, &hosts[i]))
			continue;
		if (wizard_host_check(&hosts[i], secure, wizard->cpu, wizard->mem_mib) == PLAN_CHOSEN)
			return BOOT_MODE_SECURE;
	}
	return BOOT_MODE_LEGACY;
}

void wizard_set_boot_type(struct wizard *wizard, enum boot_type type,
			  const struct wizard_host *hosts, size_t nhost)
{
	wizard->boot.type = type;
	wizard->boot.mode = wizard_default_mode(wizard, type, hosts, nhost);
}

int wizard_set_boot_mode(struct wizard *wizard, enum boot_mode mode, struct bd_error *err)
{
	if (!wizard_mode_offered(wizard->boot.type, mode))
		return bd_error_set(err, BD_ERR_PARAM,
				    "Boot Mode '%s' is not offered with Boot Type '%s': Secure Boot "
				    "needs UEFI, BIOS boots LEGACY only",
				    boot_mode_name(mode), boot_type_name(wizard->boot.type));
	wizard->boot.mode = mode;
	return 0;
}

static const struct wizard_host *wizard_host_find(const struct wizard_host *hosts, size_t nhost,
						  const char *id)
{
	for (size_t i = 0; i < nhost; i++) {
		if (hosts[i].id && strcmp(hosts[i].id, id) == 0)
			return &hosts[i];
	}
	return NULL;
}

static int wizard_check_placement(const struct wizard *wizard, const struct wizard_host *hosts,
				  size_t nhost, struct bd_error *err)
{
	const struct wizard_host *host;
	enum plan_reason reason;

	if (wizard->target == WIZARD_TARGET_CLUSTER && !wizard->cluster_id[0])
		return bd_error_set(err, BD_ERR_PARAM, "placement: pick a cluster, or choose Automatic");
	if (wizard->target != WIZARD_TARGET_HOST)
		return 0;
	if (!wizard->host_id[0])
		return bd_error_set(err, BD_ERR_PARAM, "placement: pick a host, or choose Automatic");
	host = wizard_host_find(hosts, nhost, wizard->host_id);
	if (!host)
		return bd_error_set(err, BD_ERR_PARAM, "placement: host '%s' is not known",
				    wizard->host_id);
	reason = wizard_host_check(host, wizard->boot, wizard->cpu, wizard->mem_mib);
	if (reason != PLAN_CHOSEN)
		return bd_error_set(err, BD_ERR_PARAM, "host '%s' cannot take a %s VM: %s",
				    host->name ? host->name : host->id,
				    boot_choice_label(wizard->boot), plan_reason_text(reason));
	return 0;
}

int wizard_next(struct wizard *wizard, const struct wizard_host *hosts, size_t nhost,
		struct bd_error *err)
{
	switch (wizard->step) {
	case WIZARD_STEP_TEMPLATE:
		if (!wizard->template_id[0])
			return bd_error_set(err, BD_ERR_PARAM, "pick a template first");
		break;
	case WIZARD_STEP_OFFERING:
		if (!wizard->offering_id[0])
			return bd_error_set(err, BD_ERR_PARAM, "pick a service offering first");
		break;
	case WIZARD_STEP_PLACEMENT:
		if (wizard_check_placement(wizard, hosts, nhost, err) < 0)
			return -1;
		break;
	default:
		return bd_error_set(err, BD_ERR_PARAM, "Review is the last step: submit or go back");
	}
	wizard->step++;
	return 0;
}

bool wizard_back(struct wizard *wizard)
{
	if (wizard->step == WIZARD_STEP_TEMPLATE)
		return false;
	wizard->step--;
	return true;
}

int wizard_check(const struct wizard *wizard, const struct wizard_host *hosts, size_t nhost,
		 struct bd_error *err)
{
	struct boot_choice resolved;

	if (name_check("name", wizard->name, err) < 0)
		return -1;
	if (!wizard->template_id[0])
		return bd_error_set(err, BD_ERR_PARAM, "pick a template first");
	if (!wizard->offering_id[0])
		return bd_error_set(err, BD_ERR_PARAM, "pick a service offering first");
	/* The same rules the API applies, so the console cannot send what the
	 * CLI would refuse. */
	if (boot_resolve(boot_type_name(wizard->boot.type), boot_mode_name(wizard->boot.mode),
			 &resolved, err) < 0)
		return -1;
	return wizard_check_placement(wizard, hosts, nhost, err);
}
