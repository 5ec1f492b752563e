#include "boot.h"

#include <stddef.h>

int boot_resolve(const char *boottype, const char *bootmode, struct boot_choice *out,
		 struct bd_error *err)
{
	int type = BOOT_TYPE_BIOS;
	int mode = BOOT_MODE_LEGACY;

	if (boottype) {
		type = enum_parse(&boot_type_table, "boottype", boottype, err);
		if (type < 0)
			return -1;
	}
	if (bootmode) {
		mode = enum_parse(&boot_mode_table, "bootmode", bootmode, err);
		if (mode < 0)
			return -1;
	}
	if (type == BOOT_TYPE_UEFI && !bootmode)
		return bd_error_set(err, BD_ERR_PARAM,
				    "bootmode is required when boottype is UEFI: choose LEGACY or SECURE");
	if (mode == BOOT_MODE_SECURE && type != BOOT_TYPE_UEFI)
		return bd_error_set(err, BD_ERR_PARAM,
				    "bootmode SECURE needs boottype UEFI: Secure Boot is a UEFI feature "
				    "(BIOS guests boot LEGACY only)");
	out->type = (enum boot_type)type;
	out->mode = (enum boot_mode)mode;
	return 0;
}

const char *boot_choice_label(struct boot_choice choice)
{
	if (choice.type == BOOT_TYPE_BIOS)
		return "BIOS";
	return choice.mode == BOOT_MODE_SECURE ? "UEFI SECURE" : "UEFI LEGACY";
}
