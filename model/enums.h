/* Every enumeration of the domain with its string table, in one place.
 * Names are the exact strings of CloudStack's API; parsing is trimmed and
 * case-insensitive, printing always uses the canonical spelling. */
#ifndef BOOTDECK_MODEL_ENUMS_H
#define BOOTDECK_MODEL_ENUMS_H

#include "error.h"

enum boot_type { BOOT_TYPE_BIOS, BOOT_TYPE_UEFI, BOOT_TYPE_LAST };
enum boot_mode { BOOT_MODE_LEGACY, BOOT_MODE_SECURE, BOOT_MODE_LAST };

enum vm_state {
	VM_STATE_STARTING,
	VM_STATE_RUNNING,
	VM_STATE_STOPPING,
	VM_STATE_STOPPED,
	VM_STATE_MIGRATING,
	VM_STATE_ERROR,
	VM_STATE_DESTROYED,
	VM_STATE_EXPUNGING,
	VM_STATE_LAST
};

enum host_state {
	HOST_STATE_CONNECTING,
	HOST_STATE_UP,
	HOST_STATE_DISCONNECTED,
	HOST_STATE_LAST
};

/* Whether the planner may use a host (CloudStack's resource state). */
enum allocation_state { ALLOCATION_ENABLED, ALLOCATION_DISABLED, ALLOCATION_LAST };

enum hypervisor_type {
	HYPERVISOR_KVM,
	HYPERVISOR_VMWARE,
	HYPERVISOR_XENSERVER,
	HYPERVISOR_SIMULATOR, /* libvirt's test:/// driver: demo and test hosts */
	HYPERVISOR_LAST
};

enum template_format { TEMPLATE_QCOW2, TEMPLATE_RAW, TEMPLATE_ISO, TEMPLATE_FORMAT_LAST };

enum event_level { EVENT_INFO, EVENT_WARN, EVENT_ERROR, EVENT_LEVEL_LAST };

/* A string table for one enumeration. `what` names the parameter kind in
 * error messages ("boot type"). */
struct enum_table {
	const char *what;
	const char *const *names;
	int count;
};

extern const struct enum_table boot_type_table;
extern const struct enum_table boot_mode_table;
extern const struct enum_table vm_state_table;
extern const struct enum_table host_state_table;
extern const struct enum_table allocation_state_table;
extern const struct enum_table hypervisor_type_table;
extern const struct enum_table template_format_table;
extern const struct enum_table event_level_table;

/* Canonical name of `value`, or "?" when out of range. */
const char *enum_name(const struct enum_table *table, int value);

/* Parses `text` (trimmed, case-insensitive). Returns the value, or -1 with
 * a 431 error that quotes the text and lists the accepted names. `key` is
 * the parameter name used in the message, e.g. "boottype". */
int enum_parse(const struct enum_table *table, const char *key, const char *text,
	       struct bd_error *err);

/* Writes "A, B, C" into buf; returns buf. */
char *enum_list(const struct enum_table *table, char *buf, size_t size);

#define boot_type_name(v) enum_name(&boot_type_table, (v))
#define boot_mode_name(v) enum_name(&boot_mode_table, (v))
#define vm_state_name(v) enum_name(&vm_state_table, (v))
#define host_state_name(v) enum_name(&host_state_table, (v))
#define allocation_state_name(v) enum_name(&allocation_state_table, (v))
#define hypervisor_type_name(v) enum_name(&hypervisor_type_table, (v))
#define template_format_name(v) enum_name(&template_format_table, (v))
#define event_level_name(v) enum_name(&event_level_table, (v))

#endif
