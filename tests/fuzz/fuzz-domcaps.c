/* libFuzzer target: libvirt domain-capabilities XML, read with libxml2
 * without network access or entity expansion. */
#include <stddef.h>
#include <stdint.h>

#include "backend/caps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };

	if (caps_parse_domcaps((const char *)data, size, &caps, &err) == 0 &&
	    caps.secure && !caps.uefi)
		__builtin_trap();
	host_caps_clear(&caps);
	return 0;
}
