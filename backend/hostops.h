/* Host operations shared by the CLI and the console: onboarding with a
 * firmware probe, reconnecting, allocation, deletion. Each writes its
 * events (HOST.ADD, HOST.RECONNECT, ...) and, on failure, an alert. */
#ifndef BOOTDECK_BACKEND_HOSTOPS_H
#define BOOTDECK_BACKEND_HOSTOPS_H

#include "backend/hv.h"
#include "backend/store.h"

struct host_add_request {
	const char *cluster_id;       /* id or name */
	const char *url;              /* libvirt URI */
	const char *virt_type;        /* "kvm", "qemu" or NULL (kvm when offered) */
	const char *uefi_properties;  /* path or NULL */
	const char *name;             /* or NULL: the host's own name */
};

/* Connects, records node facts, probes firmware, stores the host (Up, or
 * Disconnected with the error). out gets the stored host. */
int hostops_add(struct store *store, const struct host_add_request *req, struct host *out,
		hv_progress_fn progress, void *opaque, struct bd_error *err);

/* Connects and probes again; capability follows the host's firmware. */
int hostops_reconnect(struct store *store, const char *host_id, struct host *out,
		      hv_progress_fn progress, void *opaque, struct bd_error *err);

int hostops_set_allocation(struct store *store, const char *host_id,
			   enum allocation_state allocation, struct host *out,
			   struct bd_error *err);

/* Refused while VMs live on the host. */
int hostops_delete(struct store *store, const char *host_id, struct bd_error *err);

#endif
