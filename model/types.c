#include "types.h"

#include <stdlib.h>

#define FREE(p) do { free(p); (p) = NULL; } while (0)

void host_caps_clear(struct host_caps *caps)
{
	if (!caps)
		return;
	FREE(caps->loader_legacy);
	FREE(caps->loader_secure);
	FREE(caps->nvram_template_legacy);
	FREE(caps->nvram_template_secure);
	FREE(caps->nvram_dir);
	FREE(caps->probe_error);
}

void host_clear(struct host *host)
{
	if (!host)
		return;
	FREE(host->url);
	FREE(host->uefi_properties);
	FREE(host->last_error);
	host_caps_clear(&host->caps);
}

void template_clear(struct template *tmpl)
{
	if (tmpl)
		FREE(tmpl->url);
}

void vm_clear(struct vm *vm)
{
	if (!vm)
		return;
	FREE(vm->loader);
	FREE(vm->nvram);
	FREE(vm->disk);
	FREE(vm->console_log);
	FREE(vm->placement);
}

void event_clear(struct event *event)
{
	if (event)
		FREE(event->description);
}

void alert_clear(struct alert *alert)
{
	if (alert)
		FREE(alert->description);
}
