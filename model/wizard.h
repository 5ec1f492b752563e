/* The Deploy wizard's state machine: steps Template -> Offering ->
 * Placement -> Review, the values chosen so far, and the rules for what the
 * Boot Type and Boot Mode dropdowns offer. Pure: the console feeds it the
 * fleet as plain rows and draws whatever state it holds, so every rule here
 * is unit-testable and input survives redraws and resizes. */
#ifndef BOOTDECK_MODEL_WIZARD_H
#define BOOTDECK_MODEL_WIZARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "error.h"
#include "planner.h"
#include "types.h"

enum wizard_step {
	WIZARD_STEP_TEMPLATE,
	WIZARD_STEP_OFFERING,
	WIZARD_STEP_PLACEMENT,
	WIZARD_STEP_REVIEW,
	WIZARD_STEP_LAST
};

/* Where the operator wants the VM: anywhere, a cluster, or one host. */
enum wizard_target {
	WIZARD_TARGET_AUTO,
	WIZARD_TARGET_CLUSTER,
	WIZARD_TARGET_HOST,
	WIZARD_TARGET_LAST
};

extern const struct enum_table wizard_step_table;
extern const struct enum_table wizard_target_table;

/* What the wizard needs to know about one host (borrowed strings). */
struct wizard_host {
	const char *id;
	const char *name;
	const char *cluster_id;
	bool up;
	bool enabled;
	bool uefi;
	bool secure;
	int64_t cpu_free;          /* schedulable vCPUs left (overcommit applied) */
	int64_t mem_free_mib;
};

/* Room for overlong input, so the name check can say it is too long. */
#define WIZARD_NAME_INPUT 128

struct wizard {
	enum wizard_step step;
	char name[WIZARD_NAME_INPUT];
	char template_id[ID_LEN];
	char offering_id[ID_LEN];
	int cpu;                   /* the offering's needs, for "room" */
	int64_t mem_mib;
	enum wizard_target target;
	char cluster_id[ID_LEN];
	char host_id[ID_LEN];
	struct boot_choice boot;
};

/* Template step, BIOS LEGACY, automatic placement, nothing chosen. */
void wizard_init(struct wizard *wizard);

void wizard_set_template(struct wizard *wizard, const char *template_id);
void wizard_set_offering(struct wizard *wizard, const char *offering_id, int cpu,
			 int64_t mem_mib);
/* Sets the placement; id is a cluster or host id, ignored for AUTO. */
void wizard_set_target(struct wizard *wizard, enum wizard_target target, const char *id);

/* The modes Boot Mode offers for a type: BIOS only LEGACY; UEFI LEGACY and
 * SECURE. Fills modes (room for BOOT_MODE_LAST); returns the count. */
size_t wizard_modes_offered(enum boot_type type, enum boot_mode *modes);

/* Why a host cannot take the VM (PLAN_DISCONNECTED, PLAN_DISABLED,
 * PLAN_NO_UEFI, PLAN_NO_SECURE, PLAN_NO_CPU, PLAN_NO_MEMORY), or PLAN_CHOSEN
 * when it can. */
enum plan_reason wizard_host_check(const struct wizard_host *host, struct boot_choice boot,
				   int cpu, int64_t mem_mib);

/* Whether a host lies inside the wizard's placement target. */
bool wizard_host_in_target(const struct wizard *wizard, const struct wizard_host *host);

/* Boot Mode's default for `type`: SECURE for UEFI when some Up and Enabled
 * host inside the target with room for the offering has proven Secure
 * Boot, else LEGACY. */
enum boot_mode wizard_default_mode(const struct wizard *wizard, enum boot_type type,
				   const struct wizard_host *hosts, size_t nhost);

/* Picks the Boot Type; Boot Mode becomes that type's default. */
void wizard_set_boot_type(struct wizard *wizard, enum boot_type type,
			  const struct wizard_host *hosts, size_t nhost);
/* Picks the Boot Mode; refuses (431) a mode the type does not offer, so
 * SECURE never pairs with BIOS. */
int wizard_set_boot_mode(struct wizard *wizard, enum boot_mode mode, struct bd_error *err);

/* Checks the current step and moves to the next one. Returns 0, or -1 with
 * a 431 error saying what is missing (the step does not change). */
int wizard_next(struct wizard *wizard, const struct wizard_host *hosts, size_t nhost,
		struct bd_error *err);
/* Goes one step back; false on the first step. */
bool wizard_back(struct wizard *wizard);

/* Everything a submit needs: the name, the choices, a boot combination the
 * rules allow, and an explicit host able to boot it. 0, or -1 with 431. */
int wizard_check(const struct wizard *wizard, const struct wizard_host *hosts, size_t nhost,
		 struct bd_error *err);

#endif
