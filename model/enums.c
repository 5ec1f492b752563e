#include "enums.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TABLE(var, what_, ...)                                              \
	static const char *const var##_names[] = { __VA_ARGS__ };            \
	const struct enum_table var = { what_, var##_names,                  \
		(int)(sizeof var##_names / sizeof var##_names[0]) }

TABLE(boot_type_table, "boot type", "BIOS", "UEFI");
TABLE(boot_mode_table, "boot mode", "LEGACY", "SECURE");
TABLE(vm_state_table, "VM state", "Starting", "Running", "Stopping", "Stopped",
      "Migrating", "Error", "Destroyed", "Expunging");
TABLE(host_state_table, "host state", "Connecting", "Up", "Disconnected");
TABLE(allocation_state_table, "allocation state", "Enabled", "Disabled");
TABLE(hypervisor_type_table, "hypervisor", "KVM", "VMware", "XenServer", "Simulator");
TABLE(template_format_table, "format", "QCOW2", "RAW", "ISO");
TABLE(event_level_table, "level", "INFO", "WARN", "ERROR");

/* The tables must match the enums they name. */
_Static_assert(BOOT_TYPE_LAST == 2, "boot_type_table");
_Static_assert(BOOT_MODE_LAST == 2, "boot_mode_table");
_Static_assert(VM_STATE_LAST == 8, "vm_state_table");
_Static_assert(HOST_STATE_LAST == 3, "host_state_table");
_Static_assert(ALLOCATION_LAST == 2, "allocation_state_table");
_Static_assert(HYPERVISOR_LAST == 4, "hypervisor_type_table");
_Static_assert(TEMPLATE_FORMAT_LAST == 3, "template_format_table");
_Static_assert(EVENT_LEVEL_LAST == 3, "event_level_table");

const char *enum_name(const struct enum_table *table, int value)
{
	if (value < 0 || value >= table->count)
		return "?";
	return table->names[value];
}

char *enum_list(const struct enum_table *table, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < table->count && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", table->names[i]);
	return buf;
}

int enum_parse(const struct enum_table *table, const char *key, const char *text,
	       struct bd_error *err)
{
	char accepted[256];
	char shown[TEXT_QUOTE_MAX];
	size_t len;
	const char *start = text_trim_span(text ? text : "", &len);

	for (int i = 0; i < table->count; i++) {
		if (strlen(table->names[i]) == len &&
		    strncasecmp(table->names[i], start, len) == 0)
			return i;
	}
	bd_error_set(err, BD_ERR_PARAM, "invalid %s '%s' for %s: accepted values are %s",
		     table->what, text_quote(text ? text : "", shown, sizeof shown), key,
		     enum_list(table, accepted, sizeof accepted));
	return -1;
}
