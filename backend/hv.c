#include "backend/hv.h"

#include <stdlib.h>
#include <string.h>

extern const struct hv_driver hv_libvirt_driver;

/* Every hypervisor driver bootdeck knows; the first that handles a URL
 * serves it. ESXi and XenServer drivers become further rows. */
static const struct hv_driver *const hv_drivers[] = {
	&hv_libvirt_driver,
};

#define HV_DRIVER_COUNT (sizeof hv_drivers / sizeof hv_drivers[0])

/* Shown in the refusal of an unknown URL. */
#define HV_ACCEPTED_SCHEMES \
	"qemu:///system, qemu:///session, qemu+unix://, qemu+ssh://, " \
	"qemu+tls://, qemu+tcp://, test:///"

const struct hv_driver *hv_driver_for(const char *url, struct bd_error *err)
{
	char *shown = NULL;
	size_t i;

	if (!url || !*url) {
		bd_error_set(err, BD_ERR_PARAM,
			     "missing host URL: accepted schemes are " HV_ACCEPTED_SCHEMES);
		return NULL;
	}
	for (i = 0; i < HV_DRIVER_COUNT; i++) {
		if (hv_drivers[i]->handles(url))
			return hv_drivers[i];
	}
	shown = hv_url_redact(url);
	bd_error_set(err, BD_ERR_PARAM,
		     "unsupported host URL '%s': accepted schemes are " HV_ACCEPTED_SCHEMES,
		     shown ? shown : "?");
	free(shown);
	return NULL;
}

char *hv_url_redact(const char *url)
{
	const char *authority;
	const char *end;
	const char *at;
	const char *colon;
	char *out;
	size_t head;

	if (!url)
		return strdup("");
	authority = strstr(url, "://");
	if (!authority)
		return strdup(url);
	authority += 3;
	end = authority + strcspn(authority, "/?#");
	/* The last '@' ends the user part: passwords may contain '@'. */
	at = NULL;
	for (const char *p = authority; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (!at)
		return strdup(url);
	colon = memchr(authority, ':', (size_t)(at - authority));
	if (!colon)
		return strdup(url);
	head = (size_t)(colon - url);
	out = malloc(head + strlen(at) + 1);
	if (!out)
		return NULL;
	memcpy(out, url, head);
	strcpy(out + head, at);
	return out;
}
