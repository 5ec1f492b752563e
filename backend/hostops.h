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
/* An open connection to a stored host. Connections are shared inside the
 * process (one per URI, kept until hostops_shutdown), which is also what
 * keeps a simulated host's state alive between operations. */
struct host_session {
	const struct hv_driver *drv;
	struct hv_conn *conn;
};

/* Opens (or reuses) the connection to host. A failure marks the host
 * Disconnected with an event and an alert, and returns 534. The first
 * connection to a simulated (test:///) host in this process re-creates the
 * domains on record there, defined and running as recorded. */
int hostops_open(struct store *store, struct host *host, struct host_session *out,
		 struct bd_error *err);

/* Records that host cannot be reached (cause): Disconnected with the
 * error, an event and an alert; the shared connection is dropped. */
void hostops_mark_disconnected(struct store *store, struct host *host,
			       const struct bd_error *cause);

/* Closes every shared connection (at exit). */
void hostops_shutdown(void);

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
