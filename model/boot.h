/* The firmware rules of the design document: which boot type and boot mode
 * combinations a VM may ask for, and what an omitted parameter means. */
#ifndef BOOTDECK_MODEL_BOOT_H
#define BOOTDECK_MODEL_BOOT_H

#include "enums.h"

struct boot_choice {
	enum boot_type type;
	enum boot_mode mode;
};

/* Resolves the boottype/bootmode parameters (NULL when not given):
 * - neither given: BIOS + LEGACY;
 * - UEFI without bootmode: error naming LEGACY and SECURE;
 * - SECURE with BIOS, or SECURE without boottype: error, Secure Boot needs UEFI;
 * - unknown values: error naming the value and the accepted ones.
 * Returns 0, or -1 with a 431 error. */
int boot_resolve(const char *boottype, const char *bootmode, struct boot_choice *out,
		 struct bd_error *err);

/* "BIOS", "UEFI LEGACY" or "UEFI SECURE": how the console and messages name
 * a choice. */
const char *boot_choice_label(struct boot_choice choice);

#endif
