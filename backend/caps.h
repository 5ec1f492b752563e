/* Reading what a host offers: libvirt's domain capabilities document and
 * CloudStack's uefi.properties file, both turned into struct host_caps
 * candidates. The probe (hv-libvirt.c) proves them with canary boots. */
#ifndef BOOTDECK_BACKEND_CAPS_H
#define BOOTDECK_BACKEND_CAPS_H

#include <stddef.h>

#include "model/error.h"
#include "model/types.h"

/* Each parser replaces *caps as a whole (clearing it first) on success and
 * leaves it untouched on failure; the caller sets virt_type and probed.
 *
 * Parses a domain capabilities document (for machine q35): UEFI when the
 * firmware enum offers efi and a loader is listed; Secure Boot when the
 * secure enum offers yes and a Secure Boot loader is listed. Loader paths
 * are kept. The parser takes no network access and expands no entities.
 * Malformed input: -1 with 530 and the parser's message. */
int caps_parse_domcaps(const char *xml, size_t len, struct host_caps *caps,
		       struct bd_error *err);

/* Parses the text of a uefi.properties file (CloudStack's format, keys
 * guest.loader.legacy, guest.loader.secure, guest.nvram.template.legacy,
 * guest.nvram.template.secure, guest.nvram.path). A missing key makes that
 * mode unavailable; an unreadable line is a 431 error naming its number. */
int caps_parse_uefi_properties(const char *text, size_t len, struct host_caps *caps,
			       struct bd_error *err);

/* Reads and parses the file at path; a missing file is a 431 naming it. */
int caps_load_uefi_properties(const char *path, struct host_caps *caps, struct bd_error *err);

#endif
